"""The case finder on /cases/, driven in Debian's Chromium over a small fixture library."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from library_fixture import built_project
from sitebuild import REPO, builds_site, page_without_errors, serve

pytestmark = pytest.mark.browser

SCREENSHOTS = REPO / "test-artifacts" / "screenshots"

ALL = 4  # published cases in the fixture library
MX = [
    "Court monitoring of residential care homes in Mexico",
    "Uncovering organised sexual abuse of children in schools in Mexico",
]


@pytest.fixture(scope="module")
@builds_site
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = built_project(tmp_path_factory) / "site"
    with serve(site) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with page_without_errors(browser) as opened:
        yield opened


def open_finder(page: Page, base_url: str, query: str = "") -> None:
    page.goto(f"{base_url}cases/{query}")
    expect(page.locator("form[role=search].cb-finder__form")).to_be_visible()


def facet(page: Page, label: str) -> Locator:
    """A facet's fieldset, opened."""
    details = page.locator("details.cb-finder__facet").filter(
        has=page.locator("summary", has_text=re.compile(f"^{re.escape(label)}"))
    )
    if not details.evaluate("d => d.open"):
        details.locator("summary").click()
    return details.locator("fieldset")


def visible_titles(page: Page) -> list[str]:
    return page.locator(".cb-case-card:visible .cb-case-card__title").all_inner_texts()


def status(page: Page) -> Locator:
    return page.locator("[data-cb-finder-status]")


def query(page: Page) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(page.url).query)


def test_filter_by_country_announces_the_count_and_survives_a_reload(
    page: Page, base_url: str
) -> None:
    open_finder(page, base_url)
    expect(status(page)).to_have_text(f"{ALL} cases")
    assert len(visible_titles(page)) == ALL

    facet(page, "Country").get_by_role("checkbox", name=re.compile("^Mexico")).check()

    expect(status(page)).to_have_text(f"2 of {ALL} cases")
    expect(status(page)).to_have_attribute("aria-live", "polite")
    assert visible_titles(page) == MX
    assert query(page) == [("countries", "mx")]

    page.reload()
    expect(status(page)).to_have_text(f"2 of {ALL} cases")
    assert visible_titles(page) == MX
    expect(
        facet(page, "Country").get_by_role("checkbox", name=re.compile("^Mexico"))
    ).to_be_checked()
    assert query(page) == [("countries", "mx")]


def test_values_within_a_facet_are_or_and_facets_are_and(page: Page, base_url: str) -> None:
    open_finder(page, base_url, "?countries=mx&countries=gb")
    expect(status(page)).to_have_text(f"3 of {ALL} cases")
    facet(page, "Setting").get_by_role("checkbox", name=re.compile("^Schools")).check()
    expect(status(page)).to_have_text(f"2 of {ALL} cases")
    assert "Community reporting networks in Kenya and Uganda" not in visible_titles(page)
    assert query(page) == [("countries", "mx"), ("countries", "gb"), ("settings", "schools")]


def test_text_filter_combines_with_a_facet(page: Page, base_url: str) -> None:
    open_finder(page, base_url, "?countries=mx")
    page.get_by_label("Words", exact=True).fill("residential")
    expect(status(page)).to_have_text(f"1 of {ALL} cases")
    assert visible_titles(page) == [MX[0]]
    assert query(page) == [("countries", "mx"), ("words", "residential")]

    # Words match facet labels and organisations too, without accents.
    page.get_by_label("Words", exact=True).fill("defensoria")
    expect(status(page)).to_have_text(f"1 of {ALL} cases")
    assert visible_titles(page) == [MX[1]]

    # The same words without the facet find more.
    page.get_by_label("Words", exact=True).fill("reporting")
    expect(status(page)).to_have_text(f"0 of {ALL} cases")
    expect(page.locator(".cb-finder__empty")).to_be_visible()
    facet(page, "Country").get_by_role("checkbox", name=re.compile("^Mexico")).uncheck()
    expect(status(page)).to_have_text(f"2 of {ALL} cases")


def expect_count(fieldset: Locator, value: str, count: int) -> None:
    """The label of `value` reads e.g. "Mexico (2)"."""
    label = fieldset.locator("label").filter(has_text=re.compile(rf"^\s*{re.escape(value)}\s*\("))
    expect(label).to_have_text(re.compile(rf"^\s*{re.escape(value)}\s*\({count}\)\s*$"))


def test_counts_next_to_values_apply_the_other_filters(page: Page, base_url: str) -> None:
    open_finder(page, base_url, "?countries=mx")
    countries = facet(page, "Country")
    # A facet's own selection does not narrow its counts: the values stay OR.
    expect_count(countries, "Mexico", 2)
    expect_count(countries, "United Kingdom", 1)
    expect_count(countries, "Kenya", 1)
    settings = facet(page, "Setting")
    expect_count(settings, "Schools", 1)
    expect_count(settings, "Online", 0)
    expect_count(settings, "Justice system", 1)
    expect_count(settings, "Preschools and early childhood settings", 1)

    page.get_by_label("Words", exact=True).fill("schools")
    expect_count(countries, "Mexico", 1)
    expect_count(countries, "United Kingdom", 1)
    expect_count(countries, "Kenya", 0)
    expect_count(settings, "Justice system", 0)


def test_year_range_and_clear_filters(page: Page, base_url: str) -> None:
    open_finder(page, base_url, "?to=2012")
    expect(page.get_by_label("To", exact=True)).to_have_value("2012")
    expect(status(page)).to_have_text(f"1 of {ALL} cases")
    assert visible_titles(page) == [MX[0]]

    page.get_by_label("To", exact=True).fill("")
    page.get_by_label("From", exact=True).fill("2021")  # overlaps 2017–2024 and 2019–present
    expect(status(page)).to_have_text(f"2 of {ALL} cases")
    assert query(page) == [("from", "2021")]

    page.get_by_role("button", name="Clear filters").click()
    expect(status(page)).to_have_text(f"{ALL} cases")
    assert len(visible_titles(page)) == ALL
    assert urlsplit(page.url).query == ""


def test_the_finder_works_by_keyboard(page: Page, base_url: str) -> None:
    open_finder(page, base_url)
    summary = page.locator("details.cb-finder__facet summary", has_text="Region")
    summary.focus()
    page.keyboard.press("Enter")
    focused = "document.activeElement.closest('label').textContent"
    page.keyboard.press("Tab")
    assert "Europe" in page.evaluate(focused)  # values come in the order of their labels
    page.keyboard.press("Tab")
    assert "Latin America and the Caribbean" in page.evaluate(focused)
    page.keyboard.press("Space")
    expect(status(page)).to_have_text(f"2 of {ALL} cases")
    assert query(page) == [("regions", "latin-america-caribbean")]
    # Every facet is a fieldset with a legend, inside the search landmark.
    legends = page.locator("form[role=search] fieldset legend").all_text_contents()
    assert {"Country", "Region", "Setting", "Years covered"} <= set(legends)


def test_a_quick_fact_opens_the_finder_filtered(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}cases/odi-mexico/")
    page.locator(".cb-facts").get_by_role("link", name="Mexico", exact=True).click()
    expect(status(page)).to_have_text(f"2 of {ALL} cases")
    assert urlsplit(page.url).path == "/cases/"
    assert visible_titles(page) == MX


def test_without_javascript_the_library_lists_every_case(browser: Browser, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{base_url}cases/?countries=mx")
        # The form is in the page but hidden: without a script it could not filter.
        assert not page.locator("form[role=search].cb-finder__form").is_visible()
        assert len(visible_titles(page)) == ALL
        page.get_by_role("link", name=re.compile("^browse cases by")).click()
        assert urlsplit(page.url).path == "/browse/"
    finally:
        context.close()


def test_finder_screenshots(page: Page, base_url: str) -> None:
    """Light and dark screenshots of a filtered view, in test-artifacts/ for a person to see."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        open_finder(page, base_url, "?countries=mx&settings=schools&words=court")
        facet(page, "Setting")
        target = SCREENSHOTS / f"finder-{scheme}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000


def test_clear_shows_only_while_a_filter_is_set_and_years_have_no_fake_values(
    page: Page, base_url: str
) -> None:
    open_finder(page, base_url)
    clear = page.get_by_role("button", name="Clear filters")
    expect(clear).to_be_hidden()
    # The year range is described in a hint, not in placeholders that look typed in.
    for name in ("From", "To"):
        box = page.get_by_label(name, exact=True)
        assert box.get_attribute("placeholder") is None
        expect(box).to_have_value("")
    expect(page.locator(".cb-finder__years .cb-finder__hint")).to_contain_text("Cases cover")
    facet(page, "Country").get_by_role("checkbox", name=re.compile("^Mexico")).check()
    expect(clear).to_be_visible()
    clear.click()
    expect(clear).to_be_hidden()
    expect(status(page)).to_have_text(f"{ALL} cases")
    assert query(page) == []


def test_on_a_phone_the_count_stays_in_view_while_filtering(
    browser: Browser, base_url: str
) -> None:
    """The filters fill a phone's first screen: the count stays at its foot as the reader
    types, and a link there leads down to the first cases."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    phone = context.new_page()
    open_finder(phone, base_url)
    phone.fill("#cb-finder-q", "Mexico")
    expect(status(phone)).to_have_text(f"2 of {ALL} cases")
    box = status(phone).bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 740
    first = phone.locator(".cb-case-card:visible").first
    below = first.bounding_box()
    assert below is not None and below["y"] > 740  # the cases start below the first screen
    phone.get_by_role("link", name="Show the cases").click()
    expect(first).to_be_in_viewport()
    context.close()


def test_on_a_wide_screen_the_count_sits_above_the_cases(page: Page, base_url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    open_finder(page, base_url)
    expect(page.get_by_role("link", name="Show the cases")).to_be_hidden()
    status_box = status(page).bounding_box()
    card_box = page.locator(".cb-case-card").first.bounding_box()
    assert status_box is not None and card_box is not None
    assert status_box["y"] < card_box["y"] < 800
