"""`casebook check` on the guidance pages: `docs/` and each language's `i18n/<code>/docs/`.

The site builder reads these pages as they are, with the same Python-Markdown that renders a
case's text, so the limits that keep a case quick to build, and within Python's stack, hold
for them too: size, line length, the YAML of their front matter, the nesting of lists and
quotes, and link brackets that never close.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from casebook.check.bodylimits import check_link_scan, check_nesting
from casebook.check.bodyrules import body_lines, prose_lines
from casebook.sources.loader import Document, LineMap, LoadError, parse_yaml, read_text
from casebook.sources.problems import Problem, display_path
from casebook.sources.project import Project


def guidance_pages(project: Project, codes: Iterable[str]) -> list[Path]:
    """Every Markdown page the editions' builders read (the site's assets are not pages)."""
    folders = [project.docs_dir, *(project.root / "i18n" / code / "docs" for code in codes)]
    pages: list[Path] = []
    for folder in folders:
        if folder.is_dir():
            pages += sorted(p for p in folder.rglob("*.md") if p.is_file())
    return pages


def check_guidance(project: Project, codes: Iterable[str]) -> list[Problem]:
    problems: list[Problem] = []
    for path in guidance_pages(project, codes):
        problems += _check_page(path, display_path(path, project.root))
    return problems


def _check_page(path: Path, name: str) -> Iterator[Problem]:
    try:
        document = _read(path, name)
    except LoadError as exc:
        yield exc.problem
        return
    prose = list(prose_lines(document))
    yield from check_nesting(name, body_lines(document))
    yield from check_link_scan(name, prose)


def _read(path: Path, name: str) -> Document:
    """The page, its front matter (if any) read by the same guarded YAML reader as a case's."""
    text = read_text(path, name)
    lines = text.split("\n")
    if lines[0].rstrip() == "---":
        for end in range(1, len(lines)):
            if lines[end].rstrip() in ("---", "..."):
                data, line_map = parse_yaml("\n".join(lines[1:end]), name, 2)
                return Document(path, name, data, line_map, "\n".join(lines[end + 1 :]), end + 2)
    return Document(path, name, None, LineMap(), text, 1)
