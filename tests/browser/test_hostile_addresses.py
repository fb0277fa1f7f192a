"""A shared link cannot rewrite what a page prints or runs: hostile values in the composer's
and the finder's addresses are shown as text, and the printed sheet keeps its content note
and its support services."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from browserkit import DESKTOP
from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = [pytest.mark.browser]

# Each would close the footer's CSS string (or the style element) under the old escaping,
# and then hide the support services and the content note and print a false helpline.
ESCAPE = "}} .cb-print-sheet .note, .cb-print-sheet .support {display:none !important} @page { @top-left { content: 'Call 000 000'"
TITLES = {
    "carriage return": "Session\r" + ESCAPE,
    "form feed": "Session\f" + ESCAPE,
    "quote": 'Session" ' + ESCAPE,
    "end of style": "</style><style>.cb-print-sheet .note{display:none !important}</style>",
    "backslash": "Session\\" + ESCAPE,
    "very long": "Session " + "x" * 4000,
}
BROKEN = "%E0%A4%A"  # broken percent-encoding


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport=DESKTOP)
    errors: list[str] = []
    made.on("weberror", lambda error: errors.append(str(error.error)))
    made.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield made
    made.close()
    assert errors == [], f"JavaScript errors or policy violations: {errors}"


def composer(page: Page, site_url: str, title: str, extra: str = "") -> None:
    address = (
        f"{site_url}worksheets/compose/#case=odi-mexico&audience=practitioners"
        f"&title={quote(title, safe='')}{extra}"
    )
    page.goto(address)
    page.locator("[data-cb-composer][data-ready]").wait_for()


@pytest.mark.parametrize("title", TITLES.values(), ids=TITLES.keys())
def test_a_hostile_session_title_prints_as_text(
    context: BrowserContext, site_url: str, title: str
) -> None:
    page = context.new_page()
    composer(page, site_url, title)
    # The footer's style holds one @page rule and nothing else.
    rules = page.evaluate(
        """() => Array.from(document.querySelector("style[data-cb-page]").sheet.cssRules,
                             r => [r.constructor.name, Array.from(r.cssRules || [], m => m.name)])"""
    )
    # The footer's style holds one @page rule with its two footer boxes, and nothing else.
    assert rules == [["CSSPageRule", ["bottom-left", "bottom-right"]]], rules
    page.emulate_media(media="print")
    sheet = page.locator(".cb-print-sheet")
    assert sheet.locator(".note").first.is_visible()
    assert sheet.locator(".support").first.is_visible()
    # The title is on the sheet as text.
    shown = " ".join(sheet.locator("h1, h2").first.inner_text().split())
    assert shown == " ".join(title.split())[: len(shown)] and len(shown) > 7


def test_broken_encoding_and_inherited_names_in_the_composer_address(
    context: BrowserContext, site_url: str
) -> None:
    page = context.new_page()
    composer(page, site_url, "Title", f"&own={BROKEN}&case=constructor&case=__proto__")
    assert page.locator(".cb-composer__question-text").count() > 0


def test_hostile_values_in_the_finder_address_are_text(
    context: BrowserContext, site_url: str
) -> None:
    page = context.new_page()
    words = '</style><img src=x onerror=alert(1)>"\r\f'
    page.goto(
        f"{site_url}cases/?words={quote(words, safe='')}&themes=constructor&themes=__proto__"
        f"&from={BROKEN}&countries={BROKEN}"
    )
    page.wait_for_load_state("networkidle")
    assert page.locator("img[src=x]").count() == 0
    value = page.locator("#cb-finder-q").input_value()
    assert "<img src=x onerror=alert(1)>" in value
