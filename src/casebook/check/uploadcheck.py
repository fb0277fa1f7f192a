"""`casebook check` on the files of docs/ and i18n/<code>/docs/ that a browser would run
(casebook.sources.uploads): an SVG upload, an HTML page, a script the site does not load."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from casebook.sources.problems import Problem, display_path
from casebook.sources.project import Project
from casebook.sources.uploads import script_refusal, site_scripts


def published_folders(project: Project, codes: Iterable[str]) -> list[Path]:
    return [project.docs_dir, *(project.root / "i18n" / code / "docs" for code in codes)]


def check_uploads(project: Project, codes: Iterable[str]) -> list[Problem]:
    allowed, problems = site_scripts(project.root)
    if problems:  # the file's own problems first: until it is read, every asset would be named
        return problems
    for folder in published_folders(project, codes):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_symlink() or not path.is_file():
                continue  # a link is refused on its own (confined.py)
            why = script_refusal(path, project.root, allowed)
            if why is not None:
                problems.append(Problem(display_path(path, project.root), 1, "", why))
    return problems
