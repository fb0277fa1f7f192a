"""What a reader sees at 360, 390, 768 and 1280 px: no text squeezed into a narrow column, no
word split across lines without a hyphen, the quick exit never over the text, nothing wider
than the window, the site name uncut, and the finder not shifting as its script runs.

Every page visited is saved as a screenshot in test-artifacts/screenshots/ (git-ignored; CI
keeps the folder as an artefact), for a person to look at.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from browserkit import CASE, SCREENSHOTS, WORKSHEET
from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTHS = [360, 390, 768, 1280]
PHONE = 600  # below this width, the narrow-column check applies
NARROWEST_TEXT_PX = 140
MAX_FINDER_CLS = 0.02

PAGES = [
    "",
    CASE,
    "cases/",
    WORKSHEET,
    "worksheets/odi-mexico/",
    "worksheets/",
    "guidance/reading-a-case/",
    "support/",
    "browse/",
    "es/",
    "es/" + CASE,
    "es/cases/",
    "es/" + WORKSHEET,
    "es/guidance/reading-a-case/",
    "fr/" + CASE,
]

# Run in the page. Returns a list of problems, each a short text.
LAYOUT_JS = """
([phone, narrowest]) => {
  const problems = [];
  const skip = (el) => !el || el.closest('pre, code, kbd, script, style, noscript, .cb-visually-hidden, [hidden], .md-sidebar, .md-search, .md-select__inner, .cb-search__results, .md-footer');
  const visible = (el) => el.checkVisibility({visibilityProperty: true, opacityProperty: true}) && el.getClientRects().length;
  // Inside a visually hidden box (a table header kept for screen readers, say).
  const clipped = (el) => { for (let e = el; e; e = e.parentElement) if (e.getBoundingClientRect().width <= 1) return true; return false; };
  const lines = (rects) => new Set([...rects].filter(r => r.width > 0).map(r => Math.round(r.top))).size;

  const overflow = document.documentElement.scrollWidth - window.innerWidth;
  if (overflow > 0) problems.push(`the page is ${overflow}px wider than the window`);

  const topic = document.querySelector('.md-header__topic .md-ellipsis');
  if (topic && topic.scrollWidth > topic.clientWidth + 1) problems.push(`the site name in the header is cut: "${topic.textContent.trim()}"`);

  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  const narrow = new Set();
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent;
    if (!text.trim()) continue;
    const host = node.parentElement;
    if (skip(host) || !visible(host)) continue;
    // Words split across lines: each run of letters and digits must sit on one line.
    // Splits at hyphens, dashes and slashes are fine, as are addresses (they may wrap).
    for (const match of text.matchAll(/[\\p{L}\\p{N}]+/gu)) {
      if (match[0].length < 2) continue;
      const start = match.index, end = start + match[0].length;
      const chunkStart = text.lastIndexOf(' ', start) + 1;
      const chunkEnd = text.indexOf(' ', end);
      const chunk = text.slice(chunkStart, chunkEnd < 0 ? undefined : chunkEnd);
      if (/[\\/@_]|\\.[a-z]/i.test(chunk)) continue;
      range.setStart(node, start);
      range.setEnd(node, end);
      if (lines(range.getClientRects()) > 1 && !clipped(host)) {
        problems.push(`"${match[0]}" is split across lines (in "${text.trim().slice(0, 50)}")`);
      }
    }
    // A block of running text in a column narrower than a phone can read.
    if (window.innerWidth < phone) {
      let block = host;
      while (block.parentElement && getComputedStyle(block).display.startsWith('inline')) block = block.parentElement;
      const style = getComputedStyle(block);
      const width = block.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      range.selectNodeContents(node);
      if (width > 2 && width < narrowest && lines(range.getClientRects()) > 1 && !narrow.has(block) && !clipped(block)) {
        narrow.add(block);
        problems.push(`text in a column ${Math.round(width)}px wide: "${block.textContent.trim().slice(0, 50)}"`);
      }
    }
  }
  // Lists of case cards sit flush with the text, not indented like bullet lists.
  const heading = document.querySelector('.md-content h1');
  for (const card of document.querySelectorAll('.md-content ul.cb-case-list > li')) {
    if (!heading || !visible(card) || card.closest('.cb-finder')) continue;  // beside its filters
    const indent = Math.round(card.getBoundingClientRect().left - heading.getBoundingClientRect().left);
    if (Math.abs(indent) > 1) { problems.push(`the case cards are indented ${indent}px from the text`); break; }
  }
  return problems;
}
"""

# The quick exit, at the top, the middle and the end of the page: it must sit in the top bar
# (within the sticky bands at the top of the window) and cover no text below that bar.
EXIT_JS = """
() => {
  const button = document.querySelector('[data-cb-exit]');
  if (!button) return ['no quick-exit control'];
  const header = document.querySelector('.md-header');
  const bands = [header, document.querySelector('[data-md-component=announce]')].filter(Boolean);
  const barBottom = Math.max(0, ...bands.map(b => b.getBoundingClientRect().bottom));
  const exit = button.closest('.cb-exit') || button;
  const parts = [...exit.querySelectorAll('*'), exit].filter(p => p.getClientRects().length).map(p => p.getBoundingClientRect());
  const box = button.getBoundingClientRect();
  const out = [];
  if (box.top < 0 || box.bottom > barBottom + 1) out.push(`the exit control is not in the top bar (its top ${Math.round(box.top)}px, the bar ends at ${Math.round(barBottom)}px)`);
  for (const p of parts) {
    if (p.width && (p.left < 0 || p.right > window.innerWidth + 1)) { out.push('the exit control is cut off at the edge of the window'); break; }
  }
  const hit = r => parts.some(p => r.left < p.right && p.left < r.right && r.top < p.bottom && p.top < r.bottom);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const host = node.parentElement;
    if (!node.textContent.trim() || !host || exit.contains(node)) continue;
    if (host.closest('.md-header, [data-md-component=announce], .md-sidebar, .cb-visually-hidden')) continue;
    if (!host.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.width > 0 && r.top >= barBottom && hit(r)) { out.push(`the exit control covers "${node.textContent.trim().slice(0, 40)}"`); break; }
    }
  }
  return out;
}
"""

CLS_INIT = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
}).observe({type: 'layout-shift', buffered: true});
"""


def _context(browser: Browser, width: int) -> Any:
    phone = width < PHONE
    return browser.new_context(
        viewport={"width": width, "height": 800 if phone else 900},
        is_mobile=phone,
        has_touch=phone,
    )


def _late(route: Any) -> None:
    time.sleep(0.8)
    route.continue_()


def layout_problems(page: Page) -> list[str]:
    problems: list[str] = page.evaluate(LAYOUT_JS, [PHONE, NARROWEST_TEXT_PX])
    height = page.evaluate("document.documentElement.scrollHeight")
    for y in (0, height // 2, height):
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(50)
        problems += [f"{p} (scrolled to {y}px)" for p in page.evaluate(EXIT_JS)]
    page.evaluate("window.scrollTo(0, 0)")
    return problems


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_read_well_at_every_width(browser: Browser, site_url: str, width: int) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = _context(browser, width)
    problems = []
    try:
        page = context.new_page()
        for path in PAGES:
            page.goto(site_url + path)
            page.wait_for_load_state("load")
            name = path.strip("/").replace("/", "_") or "home"
            page.screenshot(path=SCREENSHOTS / f"layout-{width}-{name}.png", full_page=True)
            problems += [f"/{path} at {width}px: {p}" for p in layout_problems(page)]
    finally:
        context.close()
    assert not problems, "\n".join(dict.fromkeys(problems))


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("edition", ["", "es/"])
def test_finder_does_not_shift(browser: Browser, site_url: str, width: int, edition: str) -> None:
    context = _context(browser, width)
    try:
        context.add_init_script(CLS_INIT)
        page = context.new_page()
        # On a phone network the catalogue arrives after the first paint; here it would
        # arrive before, and hide any shift. Hold it back, as a slow connection would.
        page.route("**/catalogue.json", _late)
        page.goto(site_url + edition + "cases/")
        page.wait_for_load_state("load")
        assert page.locator(".cb-finder__form").is_visible()
        page.wait_for_timeout(1000)
        shift = page.evaluate("window.__cls")
    finally:
        context.close()
    assert shift <= MAX_FINDER_CLS, f"/{edition}cases/ at {width}px shifts by {shift:.3f}"
