"""Search with Pagefind's chunked index, in a real browser, and what a rebuild indexes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from casebook.outputs.search import plan_index

CASE_TITLE = "Uncovering organised sexual abuse of children in schools in Mexico"


@pytest.mark.slow
@pytest.mark.browser
def test_the_whole_index_is_no_longer_shipped(built_site: Path) -> None:
    assert not (built_site / "search" / "search_index.json").exists()
    assert (built_site / "pagefind" / "pagefind.js").is_file()
    # A cold build writes one whole index (an empty delta of changed pages), without Pagefind's
    # own interfaces, which the site does not use.
    assert json.loads((built_site / "pagefind-delta/delta.json").read_text()) == {
        "pages": [], "replaced": [], "languages": []
    }  # fmt: skip
    assert [p.name for p in (built_site / "pagefind-delta").iterdir()] == ["delta.json"]
    assert not list(built_site.glob("pagefind/pagefind-ui.js"))
    fragments = list((built_site / "pagefind" / "fragment").glob("*.pf_fragment"))
    # Case and guidance pages are indexed; generated listing and worksheet pages are not.
    indexed = [p for p in built_site.rglob("*.html") if "data-pagefind-body" in p.read_text()]
    assert len(fragments) == len(indexed)
    names = {p.relative_to(built_site).as_posix() for p in indexed}
    assert {"cases/odi-mexico/index.html", "es/cases/odi-mexico/index.html"} <= names
    assert "guidance/safeguarding/index.html" in names
    assert not [n for n in names if n.startswith(("browse/", "worksheets/", "cases/index"))]
    # Readers' search finds cases and guidance; developers' reference pages stay out of it.
    assert {"guidance/index.html", "fr/guidance/index.html"} <= names
    assert not [n for n in names if "reference/" in n or n.endswith("performance/index.html")]
    assert (built_site / "reference" / "index.html").is_file()


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


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize(
    "query", ["ODI", "Mexico", "Public Education Secretariat", "Strategic litigation"]
)
def test_search_finds_the_case(page: tuple[object, str, list[str]], query: str) -> None:
    tab, _, _ = page
    status, titles = search(tab, query)
    assert CASE_TITLE in titles
    assert "result" in status
    # The ODI case's own result shows its summary (other cases may rank before it).
    item = tab.locator(".cb-search__list > li").filter(has_text=CASE_TITLE).first  # type: ignore[attr-defined]
    summary = item.locator(".cb-search__summary").text_content()
    assert summary and summary.startswith("Through its legal work for child survivors")


@pytest.mark.slow
@pytest.mark.browser
def test_guidance_pages_are_searchable(page: tuple[object, str, list[str]]) -> None:
    tab, _, _ = page
    _, titles = search(tab, "jigsaw")
    assert "Safeguarding and content notes" in titles


@pytest.mark.slow
@pytest.mark.browser
def test_nonsense_gets_a_polite_no_results(page: tuple[object, str, list[str]]) -> None:
    tab, _, _ = page
    status, titles = search(tab, "qzxvwk")
    assert titles == []
    assert status == "No results for qzxvwk."
    panel = tab.locator("#cb-search-results").inner_text()  # type: ignore[attr-defined]
    assert "Try fewer or different words" in panel


@pytest.mark.slow
@pytest.mark.browser
def test_search_makes_no_request_outside_localhost(page: tuple[object, str, list[str]]) -> None:
    tab, base, requests = page
    search(tab, "court")
    assert any("/pagefind/" in url for url in requests)
    assert [url for url in requests if not url.startswith(base)] == []


def test_a_rebuild_indexes_only_the_changed_pages_until_the_delta_is_too_big(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    for page in ("index.html", "cases/a/index.html", "cases/b/index.html", "es/index.html"):
        (site / page).parent.mkdir(parents=True, exist_ok=True)
        (site / page).write_text("<html></html>")
    (site / "worksheets/a").mkdir(parents=True)
    (site / "es/assets").mkdir(parents=True)
    prefixes = ["", "es/"]
    # No index yet: the whole site, every edition, without the unindexed folders.
    whole = plan_index(site, prefixes, ["cases/a/index.html"])
    assert whole is not None and whole.folder == "pagefind"
    assert whole.pages == ("cases/**/*.html", "index.html", "es/index.html")
    (site / "pagefind").mkdir()
    (site / "pagefind/pagefind-entry.json").write_text("{}")
    # With one: nothing for pages it does not index, a delta for those it does ...
    assert plan_index(site, prefixes, ["worksheets/a/index.html"]) is None
    delta = plan_index(site, prefixes, ["cases/a/index.html", "worksheets/a/index.html"])
    assert delta is not None and (delta.folder, delta.pages) == (
        "pagefind-delta",
        ("cases/a/index.html",),
    )
    # ... that keeps the pages changed before, until it would exceed its limit.
    (site / "pagefind-delta").mkdir()
    (site / "pagefind-delta/delta.json").write_text(
        json.dumps({"pages": ["cases/a/index.html"], "replaced": []})
    )
    delta = plan_index(site, prefixes, ["cases/b/index.html"])
    assert delta is not None and delta.pages == ("cases/a/index.html", "cases/b/index.html")
    monkeypatch.setattr("casebook.outputs.search.DELTA_LIMIT", 1)
    again = plan_index(site, prefixes, ["cases/b/index.html"])
    assert again is not None and again.folder == "pagefind"
    assert plan_index(site, prefixes, [], whole=True) == whole


@pytest.mark.slow
@pytest.mark.browser
def test_a_search_makes_no_failed_request(site_url: str, browser: Browser) -> None:
    tab = browser.new_page()
    failed: list[str] = []
    tab.on(
        "response", lambda response: failed.append(response.url) if response.status >= 400 else None
    )
    tab.goto(site_url + "es/guidance/reading-a-case/")
    search(tab, "ODI")
    tab.close()
    assert failed == []
