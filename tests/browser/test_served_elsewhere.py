"""A copy of the site served anywhere but its `site_url` (a preview, a mirror, a workshop
laptop) asks no other host for anything, and nothing it asks for is missing: Material's
script no longer follows the pages' alternates (hreflang, citation files, the feed) to
sitemaps that are elsewhere or do not exist."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from browserkit import DESKTOP
from playwright.sync_api import Browser, Page

from sitebuild import build_at_address, builds_site, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PUBLISHED = "https://casebook.example.org/"
PAGES = [
    "",
    "cases/",
    "cases/odi-mexico/",
    "es/cases/odi-mexico/",
    "fr/cases/odi-mexico/",
    "worksheets/odi-mexico/",
    "map/",
]


@pytest.fixture(scope="module")
@builds_site
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real project built for PUBLISHED, served on 127.0.0.1."""
    site = build_at_address(tmp_path_factory.mktemp("elsewhere") / "project", PUBLISHED)
    with serve(site) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize("path", PAGES)
def test_a_copy_served_elsewhere_asks_only_its_own_host_for_files_it_has(
    page: Page, elsewhere: str, path: str
) -> None:
    requested: list[str] = []
    failed: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on(
        "response",
        lambda response: (
            failed.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    page.goto(elsewhere + path, wait_until="networkidle")
    here = urlsplit(elsewhere).netloc
    assert requested, "the page loaded nothing"
    assert [u for u in requested if urlsplit(u).netloc != here] == []
    assert failed == []
    assert not [u for u in requested if u.endswith("sitemap.xml")]


def test_the_alternates_are_there_for_reference_managers_once_the_page_is_ready(
    page: Page, elsewhere: str
) -> None:
    page.goto(elsewhere + "cases/odi-mexico/", wait_until="networkidle")
    hreflang = page.locator('link[rel="alternate"][hreflang]')
    assert hreflang.count() == 4  # en, es, fr and x-default
    assert (hreflang.first.get_attribute("href") or "").startswith(PUBLISHED)
    for kind in (
        "application/x-research-info-systems",
        "application/x-bibtex",
        "application/vnd.citationstyles.csl+json",
        "application/atom+xml",
    ):
        assert page.locator(f'link[rel="alternate"][type="{kind}"]').count() == 1, kind
