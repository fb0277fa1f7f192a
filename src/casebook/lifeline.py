"""Worker processes that end with the process that started them.

A pool's worker waits for work on a pipe; when its parent is killed (kill -9, a closed
terminal) nothing tells it to stop, and it would live for ever, holding the build's files."""

from __future__ import annotations

import ctypes
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent: int) -> None:
    """In a builder process: end when the build that started it ends, even when that build
    is killed (a worker left waiting for work would otherwise live for ever)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: watch the parent instead
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent ended before the line above
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def start_worker(parent: int, initializer: Callable[..., Any] | None = None, *args: Any) -> None:
    """A pool's initializer: die with `parent`, then run the pool's own initializer."""
    die_with_parent(parent)
    if initializer is not None:
        initializer(*args)
