""" "How to read a case" describes the case page as it is, in every language (issue #33,
readers' item 7: it said cases end with reflective questions; they end with Sources and
"Cite this case")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from casebook.sources.i18n import load_languages

REPO = Path(__file__).resolve().parents[1]
GUIDES = {
    "en": REPO / "docs" / "guidance" / "reading-a-case.md",
    "es": REPO / "i18n" / "es" / "docs" / "guidance" / "reading-a-case.md",
    "fr": REPO / "i18n" / "fr" / "docs" / "guidance" / "reading-a-case.md",
}
# "Each case ends with", as each guide says it.
ENDS_WITH = {"en": "ends with", "es": "termina con", "fr": "se termine par"}


def page_sections() -> list[str]:
    """The string keys of the case page's own sections (## headings), in page order."""
    template = (REPO / "src" / "casebook" / "templates" / "case.md.j2").read_text("utf-8")
    return re.findall(r"^## \{\{ t\('(\w+)'\)\|md \}\}", template, re.MULTILINE)


def test_a_case_page_ends_with_its_sources_and_how_to_cite_it() -> None:
    assert page_sections()[-2:] == ["sources", "cite_this_case"]


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_the_guide_says_the_case_ends_with_sources_and_cite_this_case(language: str) -> None:
    locale = load_languages(REPO)[0].locales[language]
    text = GUIDES[language].read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    last = sections[-1]
    assert locale.t("sources") in last and locale.t("cite_this_case") in last
    # Only the last section says what a case ends with.
    ending = [s.splitlines()[0] for s in sections if ENDS_WITH[language] in s.lower()]
    assert ending == [last.splitlines()[0]]
    # The reflective questions come before the sources, as on the page.
    order = page_sections()
    assert order.index("reflective_questions") < order.index("sources")
    questions = next(
        i for i, s in enumerate(sections) if s.startswith(locale.t("reflective_questions"))
    )
    assert questions < len(sections) - 1
