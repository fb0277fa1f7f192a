"""Writing, comparing and linking files, never writing through a link into a cached or
built file (every change replaces a file rather than writing into it)."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path


def write(path: Path, data: bytes | Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    if isinstance(data, Path):
        # A cached PDF: link it in rather than copy megabytes on every build.
        try:
            os.link(data, path)
        except OSError:
            shutil.copyfile(data, path)
    else:
        path.write_bytes(data)


def same(path: Path, data: bytes | Path) -> bool:
    if not path.is_file():
        return False
    if isinstance(data, Path):
        return path.samefile(data) or (
            path.stat().st_size == data.stat().st_size and path.read_bytes() == data.read_bytes()
        )
    return path.stat().st_size == len(data) and path.read_bytes() == data


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def link_tree(source: Path, target: Path) -> None:
    """A copy of a folder made of hard links: quick, and the original is never written to."""
    try:
        subprocess.run(["cp", "-al", str(source), str(target)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source, target, copy_function=link_or_copy)


def os_failure(exc: OSError, root: Path) -> str:
    """What an OSError while building means to the one who runs the build: the path (a
    file that stands where a folder must be, rather than the path below it), what is
    wrong with it and what to do."""
    named = Path(exc.filename) if isinstance(exc.filename, str | os.PathLike) else None
    if named is not None and exc.errno in (errno.ENOTDIR, errno.EEXIST):
        # 'build/docs/x: Not a directory' when build is a file: name the file.
        for parent in (named, *named.parents):
            if parent.exists() and not parent.is_dir():
                named = parent
                break
    where = "a file or folder it writes"
    if named is not None:
        shown = os.path.relpath(named, root) if named.is_relative_to(root) else str(named)
        where = shown + ("/" if named.is_dir() else "")
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = "make it writable (or move it away) and build again"
    elif exc.errno in (errno.ENOTDIR, errno.EEXIST, errno.EISDIR):
        hint = (
            "the build needs a folder there (or a file where a folder is): move or delete "
            "it and build again"
        )
    elif exc.errno == errno.EXDEV:
        hint = (
            "the build publishes by renaming from its scratch folder (build/) into the site's: "
            "keep both on one file system and build again"
        )
    elif exc.errno in (errno.ENOSPC, errno.EDQUOT):
        hint = "free some space on the disk and build again"
    else:
        hint = "fix it and build again"
    return f"{where}: {reason}; {hint}"
