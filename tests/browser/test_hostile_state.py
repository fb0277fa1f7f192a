"""Hostile values in every place the composer and the finder read state from (the query
string, the fragment and local storage) are shown as text or ignored: no page error, no
Content-Security-Policy violation, no injected element, and the page still works.

test_hostile_addresses.py covers the session title's print footer; this module covers the
names and values each script looks up (case ids, audiences, question keys, facets)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from browserkit import DESKTOP
from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = [pytest.mark.browser]

# Names a plain object inherits, markup, quotes, control characters, length and broken
# percent-encoding; each is sent raw (already percent-encoded where it matters).
HOSTILE = {
    "constructor": "constructor",
    "proto": "__proto__",
    "toString": "toString",
    "hasOwnProperty": "hasownproperty",
    "img": quote("<img src=x onerror=window.cbPwned=1>", safe=""),
    "script": quote("</script><script>window.cbPwned=1</script>", safe=""),
    "quotes": quote("\"'`", safe=""),
    "cr-ff": "a%0Db%0Cc",
    "long": "x" * 8000,  # the address stays under the test server's 64 KB request line
    "broken": "%E0%A4%A",
}
STORED = {
    "json": '{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}}',
    "not-json": "\u0000<img src=x onerror=window.cbPwned=1>%E0%A4%A&&&=",
    "session": "case=constructor&case=__proto__&audience=constructor&q=constructor&q=__proto__"
    "&own=%3Cimg%20src%3Dx%20onerror%3Dwindow.cbPwned%3D1%3E&paper=toString",
    "long": "case=" + "a" * 100000,
}
COMPOSER = "worksheets/compose/"


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport=DESKTOP)
    yield made
    made.close()


def watched(context: BrowserContext) -> tuple[Page, list[str]]:
    """A new tab and the list its page errors and policy violations are written to."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return page, errors


def assert_unharmed(page: Page, errors: list[str]) -> None:
    assert errors == [], errors
    assert page.locator("img[src=x], script:not([src])[data-cb-pwned]").count() == 0
    assert page.evaluate("() => window.cbPwned === undefined && ({}).polluted === undefined")


def open_composer(page: Page, address: str) -> None:
    page.goto(address)
    page.locator("[data-cb-composer][data-ready]").wait_for(timeout=15000)


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_the_composer_survives_a_hostile_address(
    context: BrowserContext, site_url: str, value: str
) -> None:
    for address in (
        f"{COMPOSER}?case={value}&audience={value}",
        f"{COMPOSER}?case={value}&case=odi-mexico&audience={value}&audience={value}",
        f"{COMPOSER}?add={value}&audience={value}",
        f"{COMPOSER}#case=odi-mexico&audience={value}&own={value}&title={value}"
        f"&date={value}&minutes={value}&paper={value}",
        # Question keys: only those the session has are kept (here, none).
        f"{COMPOSER}#case={value}&q={value}&q=c.{value}.0&q=g.{value}.0&q=o.{value}",
    ):
        page, errors = watched(context)
        open_composer(page, site_url + address)
        assert_unharmed(page, errors)
        # Still works: the add-a-case link is there, and a valid case in the address has its
        # questions.
        assert page.locator("[data-focus=add-case]").count() == 1
        if "odi-mexico" in address and "q=" not in address:
            assert page.locator(".cb-composer__question-text").count() > 0, address
        page.close()


@pytest.mark.parametrize("stored", STORED.values(), ids=STORED.keys())
def test_the_composer_survives_hostile_local_storage(
    context: BrowserContext, site_url: str, stored: str
) -> None:
    page, errors = watched(context)
    page.goto(site_url)
    page.evaluate("value => localStorage.setItem('casebook-session', value)", stored)
    open_composer(page, site_url + COMPOSER)
    assert_unharmed(page, errors)
    assert page.locator("[data-focus=add-case]").count() == 1
    # The composer still takes a case and its questions.
    open_composer(page, site_url + COMPOSER + "?add=odi-mexico")
    assert_unharmed(page, errors)
    assert page.locator(".cb-composer__question-text").count() > 0


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_the_finder_survives_a_hostile_address(
    context: BrowserContext, site_url: str, value: str
) -> None:
    page, errors = watched(context)
    page.goto(
        f"{site_url}cases/?themes={value}&countries={value}&countries=mx&words={value}"
        f"&from={value}&to={value}&{value}={value}"
    )
    page.wait_for_load_state("networkidle")
    assert_unharmed(page, errors)
    # Still works: the search box holds the words as text, and a filter still filters.
    box = page.locator("#cb-finder-q")
    box.fill("")
    page.locator("[data-facet] input[value=mx]").first.check(force=True)
    page.wait_for_function("() => location.search.indexOf('countries=mx') !== -1")
    assert page.locator(".cb-case-card").count() > 0
    assert_unharmed(page, errors)
