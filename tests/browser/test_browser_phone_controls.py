"""The site's own controls as a reader sees them on a phone (360 px) and at 1280 px: the
evidence map says that it scrolls sideways and shows nothing beside its sticky column; site
search covers the phone's width and closes; the header logo is drawn like the icons beside
it; no empty footer bar; a worksheet's downloads and "Add to session" each read as one unit.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from browserkit import CASE, WORKSHEET
from PIL import Image
from playwright.sync_api import Browser, Page

from sitebuild import REPO

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 360, "height": 800}
WIDE = {"width": 1280, "height": 900}


def strings(edition: str) -> dict[str, str]:
    language = edition.strip("/") or "en"
    text = (REPO / "i18n" / language / "strings.yml").read_text(encoding="utf-8")
    found: dict[str, str] = yaml.safe_load(text)
    return found


@pytest.fixture(scope="module")
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def _wide(browser: Browser, scheme: Any = "light") -> Any:
    return browser.new_context(viewport=WIDE, color_scheme=scheme)


# The map's hint, where it is and whether the table scrolls; and any heading wider than its
# cell (a word that would not fit).
MAP_HINT_JS = """
async () => {
  const region = document.querySelector('.cb-map');
  const hint = region && region.querySelector('.cb-map__hint');
  const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const seen = () => {
    if (!hint) return null;
    const r = hint.getBoundingClientRect(), R = region.getBoundingClientRect();
    return {
      shown: hint.checkVisibility() && r.width > 0 && r.height > 0,
      inRegion: r.left >= R.left - 0.5 && r.right <= R.right + 0.5,
      text: hint.textContent.trim(),
      silent: !!hint.closest('[aria-hidden="true"]'),
    };
  };
  region.scrollIntoView({block: 'center'});
  await frame();
  const start = seen();
  region.scrollLeft = region.scrollWidth;
  await frame();
  const end = seen();
  region.scrollLeft = 0;
  const overflowing = [...region.querySelectorAll('th')]
    .filter(th => th.scrollWidth > th.clientWidth + 1).map(th => th.textContent.trim());
  return {scrolls: region.scrollWidth > region.clientWidth + 1, start, end, overflowing};
}
"""


@pytest.mark.parametrize("edition", ["", "es/"], ids=["en", "es"])
def test_the_map_says_it_scrolls_sideways_on_a_phone(
    phone: Page, browser: Browser, site_url: str, edition: str
) -> None:
    phone.goto(site_url + edition + "map/")
    seen = phone.evaluate(MAP_HINT_JS)
    assert seen["scrolls"], f"/{edition}map/ at 360px: the table does not scroll (it fits?)"
    hint = seen["start"]
    assert hint and hint["shown"], f"/{edition}map/ at 360px: no visible cue that the table scrolls"
    assert hint["text"] == strings(edition)["map_scroll_hint"]
    assert hint["silent"], (
        "the cue is read out by screen readers, which move through the table by cell"
    )
    assert hint["inRegion"] and seen["end"]["shown"] and seen["end"]["inRegion"], (
        f"the cue does not stay in view as the table scrolls: {seen}"
    )
    assert not seen["overflowing"], f"headings wider than their cells: {seen['overflowing']}"
    # Where the table fits, it says nothing.
    context = _wide(browser)
    try:
        wide = context.new_page()
        wide.goto(site_url + edition + "map/")
        at_1280 = wide.evaluate(MAP_HINT_JS)
    finally:
        context.close()
    assert not at_1280["scrolls"] and not at_1280["start"]["shown"], at_1280


# The table placed below the header, and each first-column cell hit-tested at the region's
# left edge after scrolling: the point must fall on that cell, and the cell must start there.
STICKY_JS = """
async (scroll) => {
  const region = document.querySelector('.cb-map');
  const table = region.querySelector('table');
  window.scrollTo(0, table.getBoundingClientRect().top + window.scrollY - 140);
  region.scrollLeft = scroll;
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const R = region.getBoundingClientRect(), T = table.getBoundingClientRect();
  const problems = [];
  for (const cell of table.querySelectorAll('tr > :first-child')) {
    const r = cell.getBoundingClientRect();
    if (r.top < 130 || r.bottom > window.innerHeight) continue;
    if (Math.abs(r.left - R.left) > 0.5) problems.push(`"${cell.textContent.trim()}" starts ${r.left - R.left}px from the region's edge`);
    for (const dx of [0.25, 0.75, 1.5]) {
      const hit = document.elementFromPoint(R.left + dx, (r.top + r.bottom) / 2);
      if (!cell.contains(hit)) problems.push(`at ${dx}px from the edge, beside "${cell.textContent.trim()}", the reader sees ${hit && hit.outerHTML.slice(0, 60)}`);
    }
  }
  const first = table.querySelector('th').getBoundingClientRect();
  return {problems, clip: {x: R.left, y: Math.max(T.top, 130), width: first.left - R.left + 4, height: Math.min(T.bottom, window.innerHeight) - Math.max(T.top, 130)}};
}
"""


@pytest.mark.parametrize("edition", ["", "es/"], ids=["en", "es"])
def test_nothing_shows_beside_the_sticky_column(phone: Page, site_url: str, edition: str) -> None:
    phone.goto(site_url + edition + "map/")
    still = phone.evaluate(STICKY_JS, 0)
    assert not still["problems"], still["problems"]
    # The strip at the column's left edge, border and all, looks the same however far the
    # settings are scrolled under it.
    before = phone.screenshot(clip=still["clip"])
    for scroll in (7, 33, 60, 97, 150, 10_000):
        moved = phone.evaluate(STICKY_JS, scroll)
        assert not moved["problems"], f"scrolled {scroll}px: {moved['problems']}"
        assert phone.screenshot(clip=still["clip"]) == before, (
            f"/{edition}map/ scrolled {scroll}px: the settings show through at the left edge "
            "of the sticky strategy column"
        )


def _open_search(page: Page, query: str) -> None:
    page.locator("#cb-search-input").click()
    page.fill("#cb-search-input", query)
    page.locator("#cb-search-status").filter(has_text=query).wait_for(timeout=5000)


@pytest.mark.parametrize("edition", ["", "es/"], ids=["en", "es"])
@pytest.mark.parametrize("how", ["button", "Escape"])
def test_search_results_cover_a_phone_and_close(
    phone: Page, site_url: str, edition: str, how: str
) -> None:
    phone.goto(site_url + edition + CASE)
    _open_search(phone, "court")
    panel = phone.locator("#cb-search-results")
    box = panel.bounding_box()
    width = phone.evaluate("window.innerWidth")
    assert width == PHONE["width"], f"/{edition}: with the results open the page is {width}px wide"
    assert box and abs(box["x"]) <= 0.5 and abs(box["width"] - width) <= 0.5, (
        f"/{edition}: the results panel is {box} in a window {width}px wide: page text shows beside it"
    )
    close = panel.get_by_role("button", name=strings(edition)["search_close"])
    assert close.is_visible(), "no visible close control on the search results"
    close_box = close.bounding_box()
    assert close_box and close_box["x"] >= 0 and close_box["x"] + close_box["width"] <= width
    if how == "button":
        close.click()
    else:
        phone.locator(".cb-search__title").first.focus()
        phone.keyboard.press("Escape")
    assert panel.is_hidden(), f"the results stay open after {how}"
    assert (
        phone.evaluate("document.activeElement && document.activeElement.id") == "cb-search-input"
    )


def _repeats(summary: str, excerpt: str) -> bool:
    a, b = (" ".join(t.lower().replace("\u2026", " ").split()) for t in (summary, excerpt))
    return bool(a and b) and (a.startswith(b) or b.startswith(a) or a[:36] in b or b in a)


@pytest.mark.parametrize("edition", ["", "es/"], ids=["en", "es"])
def test_a_result_does_not_repeat_its_summary(phone: Page, site_url: str, edition: str) -> None:
    phone.goto(site_url + edition + CASE)
    shown = 0
    for query in ("barnahus", "ODI", "court", "helpline"):
        _open_search(phone, query)
        for item in phone.locator(".cb-search__list > li").all():
            summary = item.locator(".cb-search__summary")
            excerpt = item.locator(".cb-search__excerpt")
            if summary.count() and excerpt.count():
                shown += 1
                said, again = summary.inner_text(), excerpt.inner_text()
                assert not _repeats(said, again), (
                    f"/{edition} {query!r}: the excerpt repeats the summary: {again!r}"
                )
    assert shown, "no result showed both a summary and an excerpt: the test saw nothing"


def _luminance(rgb: tuple[int, ...]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_logo_is_drawn_like_the_header_icons(
    browser: Browser, site_url: str, scheme: str
) -> None:
    context = _wide(browser, scheme)
    try:
        page = context.new_page()
        page.goto(site_url + CASE)
        logo = page.locator(".md-header .md-logo img")
        box = logo.bounding_box()
        assert box, "no logo in the header at 1280px"
        shot = Image.open(io.BytesIO(page.screenshot(clip=box))).convert("RGB")
        header = page.evaluate(
            "() => { const s = getComputedStyle(document.querySelector('.md-header'));"
            " return [s.backgroundColor, s.color].map(c => c.match(/\\d+/g).slice(0, 3).map(Number)); }"
        )
    finally:
        context.close()
    background, icons = (tuple(c) for c in header)
    # The logo's colour: of its pixels, the one that stands out most from the header.
    pixels = [shot.getpixel((x, y)) for x in range(shot.width) for y in range(shot.height)]
    drawn = max((p for p in pixels if isinstance(p, tuple)), key=lambda p: _contrast(p, background))
    assert _contrast(drawn, background) >= 3, f"{scheme}: the logo ({drawn}) on {background}"
    assert max(abs(a - b) for a, b in zip(drawn, icons, strict=True)) <= 16, (
        f"{scheme}: the logo is {drawn}, the header's icons {icons}"
    )


@pytest.mark.parametrize("path", ["", CASE, "map/", "es/" + CASE])
def test_no_empty_footer_bar(phone: Page, site_url: str, path: str) -> None:
    phone.goto(site_url + path)
    empty = phone.evaluate(
        """() => [...document.querySelectorAll('footer, .md-footer, .md-footer-meta, .md-footer__inner')]
          .filter(el => el.getBoundingClientRect().height > 0 && el.checkVisibility())
          .filter(el => !el.innerText.trim() && !el.querySelector('a[href], img, svg'))
          .map(el => el.className || el.tagName)"""
    )
    assert not empty, f"/{path}: empty footer bars: {empty}"


# The control's button, and the lines of the text around it that a reader sees (text kept
# for screen readers alone left out).
LINES_JS = """
(selector) => {
  const box = document.querySelector(selector);
  const button = box.querySelector('button:not([hidden]), .md-button');
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  const rest = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim() || button.contains(node) || node.parentElement.closest('.cb-visually-hidden')) continue;
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) if (r.width > 0) rest.push({top: r.top, bottom: r.bottom});
  }
  const b = button.getBoundingClientRect();
  return {button: {top: b.top, bottom: b.bottom}, rest};
}
"""


@pytest.mark.parametrize("edition", ["", "es/", "fr/"], ids=["en", "es", "fr"])
def test_worksheet_downloads_read_as_one_line(phone: Page, site_url: str, edition: str) -> None:
    phone.goto(site_url + edition + WORKSHEET)
    seen = phone.evaluate(LINES_JS, ".cb-sheet-actions")
    lines = {round(r["top"]) for r in seen["rest"]}
    assert len(lines) == 1, f"/{edition}{WORKSHEET}: the downloads run over {len(lines)} lines"


@pytest.mark.parametrize("edition", ["", "es/", "fr/"], ids=["en", "es", "fr"])
def test_add_to_session_is_not_wrapped_in_its_sentence(
    phone: Page, site_url: str, edition: str
) -> None:
    phone.goto(site_url + edition + CASE)
    seen = phone.evaluate(LINES_JS, ".cb-add-session")
    button = seen["button"]
    beside = [r for r in seen["rest"] if r["top"] < button["bottom"] - 1]
    below = [r for r in seen["rest"] if r["top"] >= button["bottom"] - 1]
    assert not (beside and below), (
        f"/{edition}{CASE}: the sentence starts beside the button and wraps below it"
    )
