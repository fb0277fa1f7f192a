"""Every field of a case page has a label of its own, in every language (issue #33, item 1:
"Scope" and "Reach" were both "Alcance" in Spanish and "Portée" in French)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from casebook.check.validate import check_project
from casebook.pages.render import Renderer
from casebook.sources.model import Case, Library
from casebook.sources.project import Project

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def library() -> Library:
    library = check_project(Project(REPO)).library
    assert library is not None
    return library


def case_in(library: Library, language: str) -> Case:
    """The ODI case as the edition shows it: its translation, which has a scope too."""
    original = next(c for c in library.published if c.id == "odi-mexico")
    return library.translations.get(language, {}).get("odi-mexico", original)


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_no_two_quick_facts_share_a_label(library: Library, language: str) -> None:
    locale = library.languages.locales[language]
    case = case_in(library, language)
    assert case.meta.subnational_scope  # the row that shared its label with "Reach"
    page = Renderer(library, locale).case_page(case)
    facts = page[page.index("{#quick-facts}") : page.index("</dl>")]
    labels = re.findall(r"<dt>(.*?)</dt>", facts)
    assert len(labels) >= 8
    assert [label for label, n in Counter(labels).items() if n > 1] == []


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_every_field_label_a_case_can_show_is_distinct(library: Library, language: str) -> None:
    """All the labels a case page and its PDF (casepdf.case_context: the same strings and
    facets) may give a field, whatever the case has."""
    locale = library.languages.locales[language]
    renderer = Renderer(library, locale)
    keys = ("period", "scope", "organisation", "first_published", "last_reviewed")
    labels = [locale.t(key) for key in keys] + [facet.label for facet in renderer.facets]
    assert [label for label, n in Counter(labels).items() if n > 1] == []
