"""Search with Pagefind's chunked index, in a real browser."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

pytestmark = [pytest.mark.slow, pytest.mark.browser]
CASE_TITLE = "Uncovering organised sexual abuse of children in schools in Mexico"


def test_the_whole_index_is_no_longer_shipped(built_site: Path) -> None:
    assert not (built_site / "search" / "search_index.json").exists()
    assert (built_site / "pagefind" / "pagefind.js").is_file()
    # Case pages are indexed in shards beside the main bundle, which the search box merges;
    # a shard holds only its data, and no bundle ships Pagefind's own interfaces.
    listed = json.loads((built_site / "pagefind-cases/shards.json").read_text())
    assert listed == {"shards": ["0/"]}
    shard = built_site / "pagefind-cases/0"
    assert sorted(p.name for p in shard.iterdir() if not p.name.endswith(".pf_meta")) == [
        "filter", "fragment", "index", "pagefind-entry.json"
    ]  # fmt: skip
    assert not list(built_site.glob("pagefind*/**/pagefind-ui.js"))
    fragments = list(built_site.glob("pagefind*/**/fragment/*.pf_fragment"))
    # Case and guidance pages are indexed; generated listing and worksheet pages are not.
    indexed = [p for p in built_site.rglob("*.html") if "data-pagefind-body" in p.read_text()]
    assert len(fragments) == len(indexed)
    names = {p.relative_to(built_site).as_posix() for p in indexed}
    assert {"cases/odi-mexico/index.html", "es/cases/odi-mexico/index.html"} <= names
    assert "guidance/safeguarding/index.html" in names
    assert not [n for n in names if n.startswith(("browse/", "worksheets/", "cases/index"))]


@pytest.fixture(scope="module")
def page(site_url: str, browser: Browser) -> Iterator[tuple[object, str, list[str]]]:
    tab = browser.new_page()
    requests: list[str] = []
    tab.on("request", lambda request: requests.append(request.url))
    tab.goto(site_url + "guidance/reading-a-case/")
    yield tab, site_url, requests
    tab.close()


def search(tab: object, query: str) -> tuple[str, list[str]]:
    tab.fill("#cb-search-input", query)  # type: ignore[attr-defined]
    status = tab.locator("#cb-search-status")  # type: ignore[attr-defined]
    status.filter(has_text=query).wait_for(timeout=5000)
    titles = tab.locator(".cb-search__title").all_text_contents()  # type: ignore[attr-defined]
    return status.text_content() or "", titles


@pytest.mark.parametrize(
    "query", ["ODI", "Mexico", "Public Education Secretariat", "Strategic litigation"]
)
def test_search_finds_the_case(page: tuple[object, str, list[str]], query: str) -> None:
    tab, _, _ = page
    status, titles = search(tab, query)
    assert CASE_TITLE in titles
    assert "result" in status
    summary = tab.locator(".cb-search__summary").first.text_content()  # type: ignore[attr-defined]
    assert summary and summary.startswith("Through its legal work for child survivors")


def test_guidance_pages_are_searchable(page: tuple[object, str, list[str]]) -> None:
    tab, _, _ = page
    _, titles = search(tab, "jigsaw")
    assert "Safeguarding and content notes" in titles


def test_nonsense_gets_a_polite_no_results(page: tuple[object, str, list[str]]) -> None:
    tab, _, _ = page
    status, titles = search(tab, "qzxvwk")
    assert titles == []
    assert status == "No results for qzxvwk."
    panel = tab.locator("#cb-search-results").inner_text()  # type: ignore[attr-defined]
    assert "Try fewer or different words" in panel


def test_search_makes_no_request_outside_localhost(page: tuple[object, str, list[str]]) -> None:
    tab, base, requests = page
    search(tab, "court")
    assert any("/pagefind/" in url for url in requests)
    assert [url for url in requests if not url.startswith(base)] == []
