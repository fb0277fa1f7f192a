"""Sources are the project's content, and nothing else: a symbolic link among them is refused
before anything is read. A link out of the project would publish, or echo in the check's
messages, a file from the machine that builds the site (a key, a password file); a link
inside it, a file that is not content (`.git/config`, which holds the checkout's token)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from casebook.sources.problems import Problem, display_path

# Everything the check and the build read from the project (docs/ holds the guidance pages
# and the web editor's uploads).
INPUTS = (
    "case_studies",
    "reflective_questions",
    "vocabularies",
    "data",
    "i18n",
    "docs",
    "overrides",
    "schemas",
    "mkdocs.yml",
)


def _links(top: Path) -> Iterator[Path]:
    """Every symbolic link at or under `top`, without following any."""
    if top.is_symlink():
        yield top
        return
    for folder, dirs, files in os.walk(top, followlinks=False):
        for name in (*dirs, *files):
            path = os.path.join(folder, name)
            if os.path.islink(path):
                yield Path(path)


def escapes(path: Path, root: Path) -> bool:
    """Whether `path` resolves to somewhere outside `root` (a link out, or one that loops)."""
    try:
        target = Path(os.path.realpath(path, strict=False))
    except (OSError, RuntimeError):
        return True
    return not target.is_relative_to(os.path.realpath(root))


def linked(path: Path, top: Path) -> bool:
    """Whether `path` (under `top`) is a link, or is reached through one, or resolves to
    somewhere outside `top`: a file the build must never read or publish."""
    here = path
    while here != top and top in here.parents:
        if here.is_symlink():
            return True
        here = here.parent
    return top.is_symlink() or escapes(path, top)


def links_out(root: Path) -> list[Problem]:
    """A problem for every symbolic link in the project's sources, wherever it leads."""
    problems = []
    for name in INPUTS:
        for link in _links(root / name):
            where = (
                "outside the project"
                if escapes(link, root)
                else "elsewhere (a link could publish a file that is not content, such as "
                ".git/config)"
            )
            problems.append(
                Problem(
                    display_path(link, root),
                    1,
                    "",
                    f"this is a link to a file or folder {where}, which Casebook neither reads "
                    "nor publishes; put a copy of the file here instead of the link, or "
                    "delete the link",
                )
            )
    return problems
