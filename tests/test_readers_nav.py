"""Readers' navigation holds readers' pages only, in every edition (issue #33, readers'
item 6: "Reference → The case model" and "Performance" were in it, and in the offline file,
which shows each page's navigation)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from casebook.pipeline.builder import _translate_nav, nav_pages, read_config
from casebook.sources.i18n import load_languages
from casebook.sources.project import Project

REPO = Path(__file__).resolve().parents[1]


def developer_pages() -> list[str]:
    """The pages kept out of readers' search (`search: exclude: true`): developers' pages."""
    found = []
    for path in sorted((REPO / "docs").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        meta = yaml.safe_load(text.split("---")[1]) if text.startswith("---") else {}
        if ((meta or {}).get("search") or {}).get("exclude"):
            found.append(path.relative_to(REPO / "docs").as_posix())
    return found


def test_the_developers_pages_are_known() -> None:
    assert {"reference/case-model.md", "performance.md"} <= set(developer_pages())


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_no_developer_page_is_in_an_editions_navigation(language: str) -> None:
    project = Project(REPO)
    base = read_config(project)
    languages, _ = load_languages(REPO)
    nav = _translate_nav(base["nav"], languages.locales[language])
    named = nav_pages({"nav": nav})
    assert "guidance/reading-a-case.md" in named
    assert set(developer_pages()) & set(named) == set()
    titles = yaml.safe_dump(nav, allow_unicode=True)
    for title in ("Reference", "Referencia", "Référence", "Performance", "Rendimiento"):
        assert title not in titles


def test_the_developers_pages_are_still_built_outside_the_navigation() -> None:
    """Kept for those who look them up (README and CONTRIBUTING link docs/ files), and
    listed in not_in_nav so MkDocs does not report them as forgotten."""
    not_in_nav = read_config(Project(REPO))["not_in_nav"].split()
    assert "/reference/" in not_in_nav and "/performance.md" in not_in_nav
