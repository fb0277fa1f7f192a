"""One build at a time in a project, and no builder process outliving its build.

Builds share the docs folders, the scratch folder and the caches, so two at once would
remove each other's files. The lock is an advisory lock on a file in .cache/casebook/, which
the system releases when its process ends however it ends (even killed), so a killed build
never leaves a stale lock behind."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

from casebook.pipeline.context import BuildError
from casebook.sources.project import Project

LOCK_NAME = "build.lock"


class BuildLocked(BuildError):
    """Another build holds the project's lock."""


def _holder(handle: int) -> str:
    os.lseek(handle, 0, os.SEEK_SET)
    return os.read(handle, 200).decode("utf-8", "replace").strip() or "another process"


@contextlib.contextmanager
def build_lock(project: Project, what: str, wait: bool = False) -> Iterator[None]:
    """Hold the project's build lock. Without `wait`, raise BuildLocked naming the other
    build; with it, say once that this one waits, and wait."""
    import fcntl  # not on Windows, where Casebook is not supported

    path = project.cache_dir / LOCK_NAME
    try:
        project.cache_dir.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise BuildLocked(
            f"cannot open the build lock {path} ({exc.strerror}); make {project.cache_dir} "
            "writable, or delete it if it is not a folder"
        ) from exc
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = _holder(handle)
            if not wait:
                raise BuildLocked(
                    f"another build is running in this project ({other}); wait for it to "
                    "finish and run this again (site/ was left as it was)"
                ) from None
            print(f"casebook: waiting for the other build ({other}) to finish…", file=sys.stderr)
            fcntl.flock(handle, fcntl.LOCK_EX)
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"pid {os.getpid()}, {what}\n".encode(), 0)
        yield
    finally:
        os.close(handle)  # closing the file releases the lock
