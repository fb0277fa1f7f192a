"""What a first-time reader tripped over (issue 33), on the session's built site: the support
page's index of countries and its sidebar's targets, the finder's long filter lists, what
the search marks and finds, and the case PDF's facts table and folded passage's note (the
offline file's search and pages: test_zim.py, test_kiwix.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from browserkit import DESKTOP, use_scheme
from playwright.sync_api import Browser, Page, expect

from pdfpages import lines_of
from sitebuild import REPO

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 360, "height": 740}
EDITIONS = ["", "es/", "fr/"]
SHOTS = Path("/work/notes/shots-33")


def _strings(language: str) -> dict[str, str]:
    data = yaml.safe_load((REPO / f"i18n/{language}/strings.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _shot(page: Page, name: str) -> None:
    if SHOTS.parent.is_dir():  # for a person to look at, where the notes folder exists
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / name), full_page=False)


# 2. The support page's index of countries -------------------------------------------------


@pytest.mark.parametrize("prefix", EDITIONS, ids=["en", "es", "fr"])
def test_the_support_page_opens_with_an_index_of_its_countries(
    browser: Browser, site_url: str, prefix: str
) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{site_url}{prefix}support/")
        sections = page.locator("article h2[id^='support-']:not(#support-index-title)")
        names = [" ".join(t.split()) for t in sections.all_inner_texts()]
        ids = [sections.nth(i).get_attribute("id") for i in range(sections.count())]
        assert len(names) > 10, names
        index = page.locator("nav.cb-support-index")
        links = index.locator("a")
        assert links.all_inner_texts() == names
        assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
            f"#{i}" for i in ids
        ]
        language = prefix.rstrip("/") or "en"
        expect(index.locator("h2")).to_have_text(_strings(language)["support_index_title"])
        # It starts on the first screen of a phone, and ends within the second, not 13
        # screens down; a tap goes to the country.
        first = links.first.bounding_box()
        assert first is not None and first["y"] < PHONE["height"], first
        last = links.last
        box = last.bounding_box()
        assert box is not None and box["y"] < 2 * PHONE["height"], box
        last.click()
        page.wait_for_timeout(300)
        target = sections.last.bounding_box()
        assert target is not None and 0 <= target["y"] < PHONE["height"] / 2, target
        if not prefix:
            page.goto(f"{site_url}support/")
            _shot(page, "support-360.png")
    finally:
        context.close()


# 8. The sidebars' targets are 24 px tall ----------------------------------------------------


@pytest.mark.parametrize("media,scheme", [("light", "default"), ("dark", "slate")])
def test_the_support_pages_sidebar_links_are_targets_of_24_px(
    browser: Browser, site_url: str, media: str, scheme: str
) -> None:
    context = browser.new_context(color_scheme=media, viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(f"{site_url}support/")
        use_scheme(page, scheme)
        heights = page.evaluate(
            """[...document.querySelectorAll('.md-sidebar .md-nav__link')]
                .filter(a => a.offsetParent && a.getClientRects().length)
                .map(a => [a.textContent.trim(), a.getBoundingClientRect().height])"""
        )
        assert len(heights) > 20
        small = [(text, h) for text, h in heights if h < 24]
        assert small == [], small
        options = {"runOnly": {"type": "rule", "values": ["target-size"]}}
        result = Axe().run(page, options=options).response
        assert result["violations"] == [], result["violations"]
        assert result["passes"], "axe's target-size rule did not run"
        if media == "light":
            _shot(page, "support-1280.png")
    finally:
        context.close()


# 3. The finder's long lists show that there is more -----------------------------------------


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_every_filter_value_is_reachable_and_the_list_says_how_many(
    browser: Browser, site_url: str, built_site: Path, viewport: dict[str, int]
) -> None:
    context = browser.new_context(viewport=viewport)
    try:
        page = context.new_page()
        page.goto(f"{site_url}cases/")
        facet = page.locator('details[data-facet="countries"]')
        facet.locator("summary").click()
        values = facet.locator("ul.cb-finder__values")
        items = values.locator("li")
        total = items.count()
        catalogue = json.loads((built_site / "catalogue.json").read_text(encoding="utf-8"))
        facets = {facet["id"]: facet["values"] for facet in catalogue["facets"]}
        assert total == len(facets["countries"]) > 8, total
        # No box scrolls inside the list: what shows is what there is, or a button says more.
        assert values.evaluate("e => e.scrollHeight <= e.clientHeight + 1")
        assert values.evaluate("e => getComputedStyle(e).overflowY") == "visible"
        expect(facet.get_by_role("button", name=f"Show all {total} options")).to_be_visible()
        button = facet.locator("[data-cb-finder-all]")
        expect(button).to_have_attribute("aria-expanded", "false")
        shown = [items.nth(i).is_visible() for i in range(total)]
        assert 0 < sum(shown) < total and shown == sorted(shown, reverse=True)
        if viewport is PHONE:
            _shot(page, "finder-360.png")
        # A value checked further down stays in view when the list is folded again.
        button.click()
        expect(button).to_have_attribute("aria-expanded", "true")
        assert all(items.nth(i).is_visible() for i in range(total))
        last = items.last
        assert last.inner_text().startswith(facets["countries"][-1]["label"])
        last.locator("input").check()
        expect(page.locator("[data-cb-finder-status]")).to_contain_text(" of ")
        if viewport is DESKTOP:
            _shot(page, "finder-1280.png")
        expect(button).to_have_text("Show fewer options")
        button.click()
        assert last.is_visible() and not items.nth(total - 2).is_visible()
    finally:
        context.close()


# 4. Search marks what was typed; the finder and the search agree ----------------------------


def _search(page: Page, words: str) -> list[str]:
    box = page.locator("[data-cb-search] input")
    box.fill(words)
    page.locator("#cb-search-status").filter(has_text=re.compile(r"\S")).wait_for()
    return [a.get_attribute("href") or "" for a in page.locator(".cb-search__title").all()]


def test_search_marks_only_the_words_typed(browser: Browser, site_url: str) -> None:
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(site_url)
        assert _search(page, "police")
        marked = page.locator(".cb-search__excerpt mark").all_inner_texts()
        wrong = [m for m in marked if not m.lower().lstrip("“\"'(").startswith("police")]
        assert wrong == [], wrong
    finally:
        context.close()


def test_in_spanish_the_search_does_not_find_every_case_by_its_support_services(
    browser: Browser, site_url: str
) -> None:
    """The header search found five cases for "policía": each only by the emergency number
    ("policía (10111)") in the support services listed under every case."""
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(f"{site_url}es/")
        found = _search(page, "policía")
        by_services = [u for u in found if "deafkidz-defenders" in u or "teddy-bear" in u]
        assert by_services == [], found
        # The support page, which lists the services, is still found by them.
        assert any("/es/support/" in u for u in _search(page, "Child Helpline International"))
    finally:
        context.close()


@pytest.mark.parametrize("words", ["mexico", "escuelas", "MÉXICO"])
def test_the_spanish_finder_matches_the_spanish_text_of_a_translated_case(
    browser: Browser, site_url: str, words: str
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(f"{site_url}es/cases/")
        page.locator("#cb-finder-q").fill(words)
        odi = page.locator(".cb-case-card__title a", has_text="Sacar a la luz el abuso sexual")
        expect(odi).to_be_visible()
        expect(page.locator("[data-cb-finder-status]")).to_contain_text(" de ")
    finally:
        context.close()


# 9. The case PDF keeps its facts together, and says what is true on paper ------------------


@pytest.mark.parametrize("prefix", EDITIONS, ids=["en", "es", "fr"])
@pytest.mark.parametrize("size", ["a4", "letter"])
def test_the_last_reviewed_row_never_stands_alone_on_a_page(
    built_site: Path, prefix: str, size: str
) -> None:
    language = prefix.rstrip("/") or "en"
    strings = _strings(language)
    pdf = built_site / f"{prefix}cases/odi-mexico/odi-mexico-{size}.pdf"
    pages = lines_of(pdf)
    where = [
        (n, i)
        for n, page in enumerate(pages)
        for i, line in enumerate(page)
        if line.text.startswith(strings["last_reviewed"])
    ]
    assert where, f"no {strings['last_reviewed']!r} row in {pdf}"
    number, index = where[0]
    above = [line.text for line in pages[number][:index]]
    # The organisation's row (two above it) is on the same page.
    assert any(text.startswith(strings["organisation"]) for text in above), (number, above)


@pytest.mark.parametrize("prefix", EDITIONS, ids=["en", "es", "fr"])
def test_on_paper_the_folded_passages_note_says_it_is_printed(
    built_site: Path, prefix: str
) -> None:
    pages = lines_of(built_site / f"{prefix}cases/odi-mexico/odi-mexico-a4.pdf")
    text = " ".join(line.text for page in pages for line in page)
    # The section notes' old words (the folded passage's own title may still say "open it").
    for untrue in ("folded away; open it only", "está plegado; ábralo", "est replié ; ne l'ouvrez"):
        assert untrue not in " ".join(text.replace("\u00a0", " ").split())
    printed = {"": "printed in full on paper", "es/": "impreso completo en papel"}
    printed["fr/"] = "imprimé en entier sur papier"
    assert printed[prefix] in " ".join(text.split())
