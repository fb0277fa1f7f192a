"""A passage folded away on screen prints open: on paper only, a line where it starts says
so, since the section's content note tells the reader to open it only if they need it."""

from __future__ import annotations

import pytest
import yaml
from browserkit import CASE
from playwright.sync_api import Page

from sitebuild import REPO

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_folded_passage_says_on_paper_that_it_is_printed_in_full(
    page: Page, site_url: str, language: str
) -> None:
    strings = yaml.safe_load((REPO / f"i18n/{language}/strings.yml").read_text("utf-8"))
    page.goto(site_url + ("" if language == "en" else f"{language}/") + CASE)
    folded = page.locator(".md-content details.warning")
    assert folded.count() == 1, "the ODI case folds its most detailed passage"
    note = folded.locator(":scope > summary + .cb-print-note")
    assert (note.text_content() or "").strip() == strings["folded_in_print"]
    assert not note.is_visible()  # on screen, the passage is folded and says nothing more
    page.emulate_media(media="print")
    try:
        assert note.is_visible()
    finally:
        page.emulate_media(media="screen")
