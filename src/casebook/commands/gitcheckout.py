"""What a Git checkout is on, for the preview of `casebook edit`'s worktree."""

from __future__ import annotations

import subprocess
from pathlib import Path


def on_branch(folder: Path, branch: str) -> bool:
    """Whether `folder`'s checkout is on `branch` (for `casebook edit`'s worktree)."""
    head = subprocess.run(
        ["git", "symbolic-ref", "--short", "-q", "HEAD"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    return head.stdout.strip() == branch
