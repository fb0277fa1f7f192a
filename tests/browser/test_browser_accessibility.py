"""axe-core on every page type, in Material's light and dark schemes and on a phone.

The rules are WCAG 2.0, 2.1 and 2.2 at levels A and AA. No rule is switched off: a
violation is fixed where it comes from (docs/assets/casebook.css, overrides/, templates).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from browserkit import (
    AXE_OPTIONS,
    DESKTOP,
    MOBILE,
    PAGE_KINDS,
    describe_violations,
    pages_of,
    use_scheme,
)
from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# (prefers-color-scheme, Material's scheme that must show, viewport)
VARIANTS = {
    "light": ("light", "default", DESKTOP),
    "dark": ("dark", "slate", DESKTOP),
    "mobile-light": ("light", "default", MOBILE),
    "mobile-dark": ("dark", "slate", MOBILE),
}


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.fixture(scope="module", params=list(VARIANTS))
def variant_page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[tuple[str, Page]]:
    """One browser tab per variant, shared by the page kinds that use it."""
    media, _, viewport = VARIANTS[request.param]
    mobile = viewport is MOBILE
    context = browser.new_context(
        color_scheme=media, viewport=viewport, is_mobile=mobile, has_touch=mobile
    )
    try:
        yield request.param, context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize("kind", list(PAGE_KINDS))
def test_no_axe_violations(
    kind: str, variant_page: tuple[str, Page], built_site: Path, site_url: str, axe: Axe
) -> None:
    variant, page = variant_page
    _, scheme, _ = VARIANTS[variant]
    failures = []
    for path in pages_of(built_site, kind):
        page.goto(site_url + path)
        use_scheme(page, scheme)
        violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
        if violations:
            failures.append(
                f"/{path} ({variant}, scheme {scheme}):\n{describe_violations(violations)}"
            )
    assert not failures, "axe found WCAG A/AA violations:\n" + "\n".join(failures)


def test_dark_preference_shows_the_slate_scheme(browser: Browser, site_url: str) -> None:
    """Material's palette follows prefers-color-scheme, so the dark runs above do test dark."""
    context = browser.new_context(color_scheme="dark", viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(site_url)
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background != "rgb(255, 255, 255)", background
    finally:
        context.close()
