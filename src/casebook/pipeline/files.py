"""Writing, comparing and linking files, never writing through a link into a cached or
built file (every change replaces a file rather than writing into it)."""

from __future__ import annotations

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
