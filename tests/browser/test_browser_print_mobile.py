"""Print and small screens: no navigation on paper, collapsed sections printed open, and
screenshots of the main page types on a desktop and a phone.

Screenshots go to test-artifacts/screenshots/ (git-ignored), for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from browserkit import CASE, DESKTOP, MOBILE, SCREENSHOTS, WORKSHEET, pages_of
from playwright.sync_api import Browser, Page

from pdfpages import headings_of, page_texts, squashed, stranded_headings

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NAVIGATION = [
    ".md-header",
    ".md-tabs",
    ".md-sidebar--primary",
    ".md-sidebar--secondary",
    ".md-footer",
    ".cb-exit",
    "[data-cb-exit]",
    ".md-skip",
]


@pytest.mark.parametrize("path", [CASE, WORKSHEET], ids=["case", "worksheet"])
def test_print_shows_content_only_with_sections_open(page: Page, site_url: str, path: str) -> None:
    page.goto(site_url + path)
    page.emulate_media(media="print")
    try:
        for selector in NAVIGATION:
            for element in page.locator(selector).all():
                assert not element.is_visible(), f"/{path}: {selector} shows in print"
        assert page.locator(".md-content").first.is_visible()

        # Emulating print media fires no beforeprint event, so casebook.js opens nothing:
        # the stylesheet alone must show what a closed <details> holds.
        details = page.locator(".md-content details")
        if path == CASE:
            assert details.count() > 0, "the case page should have a collapsed section to test"
        for index in range(details.count()):
            section = details.nth(index)
            assert section.evaluate("d => d.open") is False
            # (its "Copy citation" button is left off the paper on purpose)
            body = section.locator(":scope > :not(summary):not(.cb-cite__actions)")
            assert body.count() > 0
            for part in body.all():
                assert part.is_visible(), (
                    f"/{path}: a collapsed section's content is hidden in print"
                )
    finally:
        page.emulate_media(media="screen")


def test_print_is_light_when_the_reader_uses_the_dark_scheme(
    browser: Browser, site_url: str
) -> None:
    """Material's dark palette is for screens only; our colours must follow it onto paper."""
    context = browser.new_context(viewport=DESKTOP, color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(site_url + CASE)
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
        page.emulate_media(media="print")
        note = page.locator(".cb-content-note").first
        background = note.evaluate("e => getComputedStyle(e).backgroundColor")
        text = note.evaluate("e => getComputedStyle(e).color")
        link = note.locator("a").first.evaluate("e => getComputedStyle(e).color")
        assert contrast(text, background) >= 4.5, (text, background)
        assert contrast(link, background) >= 4.5, (link, background)
        assert luminance(background) > 0.5, f"a dark content note on paper: {background}"
    finally:
        context.close()


def luminance(css_colour: str) -> float:
    """Relative luminance (WCAG) of an rgb()/rgba() colour, alpha ignored."""
    channels = [
        float(part) / 255 for part in css_colour[css_colour.index("(") + 1 : -1].split(",")[:3]
    ]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_collapsed_sections_stay_collapsed_on_screen(page: Page, site_url: str) -> None:
    """The print rule must not leak to the screen, where the reader chooses to open them."""
    page.goto(site_url + CASE)
    section = page.locator(".md-content details").first
    assert not section.locator(":scope > :not(summary)").first.is_visible()


SCREENSHOT_KINDS = [
    "home",
    "case",
    "library",
    "browse",
    "browse-facet",
    "worksheets-index",
    "worksheet",
    "composer",
    "guidance",
    "support",
    "404",
]


@pytest.mark.parametrize("device", ["desktop", "mobile"])
def test_screenshots_and_layout(
    browser: Browser, built_site: Path, site_url: str, device: str
) -> None:
    """Full-page screenshots; on every page the quick exit leaves the end of the page
    readable, and on a phone nothing is wider than the screen."""
    mobile = device == "mobile"
    context = browser.new_context(
        viewport=MOBILE if mobile else DESKTOP, is_mobile=mobile, has_touch=mobile
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    try:
        page = context.new_page()
        for kind in SCREENSHOT_KINDS:
            paths = (
                pages_of(built_site, kind)[:1] if kind == "guidance" else pages_of(built_site, kind)
            )
            for path in paths:
                page.goto(site_url + path)
                name = path.strip("/").replace("/", "_").removesuffix(".html") or "home"
                page.screenshot(path=SCREENSHOTS / f"{device}-{name}.png", full_page=True)
                problems.extend(f"/{path}: {problem}" for problem in layout_problems(page))
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def layout_problems(page: Page) -> list[str]:
    problems = []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"the page is {overflow}px wider than the window")
    # At the very end of the page, the quick-exit control must not sit on any text below the
    # top bar (text scrolled under the sticky bar is hidden by it, not covered by the control).
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(100)
    covered = page.evaluate(
        """() => {
          const exit = document.querySelector('.cb-exit');
          if (!exit) return ['no quick-exit control'];
          const parts = [...exit.children].filter(c => c.getClientRects().length)
            .map(c => c.getBoundingClientRect());
          const hit = r => parts.some(p => r.left < p.right && p.left < r.right && r.top < p.bottom && p.top < r.bottom);
          const bands = [document.querySelector('.md-header'), document.querySelector('[data-md-component=announce]')].filter(Boolean);
          const barBottom = Math.max(0, ...bands.map(b => b.getBoundingClientRect().bottom));
          const out = [];
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const node = walker.currentNode;
            if (!node.textContent.trim() || exit.contains(node)) continue;
            const host = node.parentElement;
            if (!host || host.closest('.md-header, .md-sidebar, .md-search, .cb-visually-hidden')) continue;
            if (!host.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
            const range = document.createRange();
            range.selectNodeContents(node);
            for (const r of range.getClientRects()) {
              if (r.width > 0 && r.top >= barBottom && hit(r)) { out.push(node.textContent.trim().slice(0, 40)); break; }
            }
          }
          return out;
        }"""
    )
    problems.extend(
        f"the quick-exit control covers {text!r} at the end of the page" for text in covered
    )
    return problems


def test_printing_one_audience_leaves_the_other_audiences_off_the_paper(
    page: Page, site_url: str
) -> None:
    page.goto(site_url + WORKSHEET)
    # A function: Playwright calls it (an expression that gives a function would be called).
    page.evaluate(
        "() => { window.print = () => { window.cbPrinted = (window.cbPrinted || 0) + 1 } }"
    )
    parts = page.locator(".cb-sheet-part").evaluate_all("parts => parts.map(p => p.dataset.cbPart)")
    assert len(parts) >= 2
    chosen = parts[1]
    page.locator(f'[data-cb-print="{chosen}"]').click()
    assert page.evaluate("window.cbPrinted") == 1
    page.emulate_media(media="print")
    try:
        for part in parts:
            shown = part == chosen
            assert page.locator(f'div[data-cb-part="{part}"]').is_visible() is shown, part
            assert page.locator(f'h2[data-cb-part="{part}"]').is_visible() is shown, part
        # What every sheet needs stays: the content note first, and the support services.
        assert page.locator(".cb-content-note").is_visible()
        assert page.locator("#support").is_visible()
        # Room to write, on paper only.
        assert page.locator(f'div[data-cb-part="{chosen}"] .cb-answer').first.is_visible()
        page.evaluate("window.dispatchEvent(new Event('afterprint'))")
        for part in parts:
            assert page.locator(f'div[data-cb-part="{part}"]').is_visible(), part
    finally:
        page.emulate_media(media="screen")
    assert not page.locator(".cb-answer").first.is_visible()


CONTROLS = "button, .md-button, [role=button], input[type=button], input[type=submit]"
# On-screen links that lead nowhere on paper (their i18n keys): the content note's skip
# links, each source's "Citation" toggle, the worksheets' "Print worksheet" and a
# worksheet's "Read the full case".
INTERFACE_LINKS = ["skip_to_questions", "cite_source", "print_worksheet", "read_full_case"]


@pytest.mark.parametrize("size", ["A4", "Letter"])
@pytest.mark.parametrize(
    "path",
    [CASE, WORKSHEET, "es/" + CASE, "cases/160-girls-kenya/"],
    ids=["case", "worksheet", "es-case", "kenya-case"],
)
def test_paper_has_no_button_and_no_page_ends_on_a_heading(
    page: Page, site_url: str, repo_root: Path, tmp_path: Path, path: str, size: str
) -> None:
    language = path.split("/")[0] if path.startswith(("es/", "fr/")) else "en"
    strings = yaml.safe_load((repo_root / f"i18n/{language}/strings.yml").read_text())
    interface = [strings[key] for key in INTERFACE_LINKS]
    page.goto(site_url + path)
    page.emulate_media(media="print")
    try:
        shown = [c.inner_text() for c in page.locator(CONTROLS).all() if c.is_visible()]
        assert shown == [], f"/{path}: buttons on paper: {shown}"
        links = [
            " ".join(a.inner_text().split())
            for a in page.locator(".md-content a, .md-content summary").all()
            if a.is_visible()
        ]
        printed = [text for text in links if any(text.startswith(i) for i in interface)]
        assert printed == [], f"/{path}: interface links on paper: {printed}"
        # Each heading that heads a list keeps the list's first item on its page.
        firsts = page.evaluate(FIRST_ITEMS)
        pdf = tmp_path / "printed.pdf"
        pdf.write_bytes(page.pdf(format=size, outline=True, tagged=True))
    finally:
        page.emulate_media(media="screen")
    stranded = stranded_headings(pdf)
    assert not stranded, f"/{path} on {size}: " + "\n".join(stranded)
    texts = [squashed(text) for text in page_texts(pdf)]
    page_of = {squashed(heading.title): heading.page for heading in headings_of(pdf)}
    assert firsts, f"/{path}: no heading heads a list"
    apart = [
        f"{heading!r} (page {page_of[squashed(heading)] + 1}) and {item!r}"
        for heading, item in firsts
        if squashed(item) not in texts[page_of[squashed(heading)]]
    ]
    assert not apart, f"/{path} on {size}: headings apart from their lists' first item: {apart}"


# (heading, the start of the first item of the list it heads), for each visible h2/h3 that
# heads a list: one reached, within its section, past at most one paragraph (an intro) and
# any lower headings. The item's first run of text is taken, not its marker or a link's
# printed address, which pdftotext may put in between.
FIRST_ITEMS = """() => {
  const out = [];
  for (const h of document.querySelectorAll('.md-content h2, .md-content h3')) {
    if (!h.checkVisibility()) continue;
    const level = Number(h.tagName[1]);
    const ends = el => /^H[1-6]$/.test(el.tagName) && Number(el.tagName[1]) <= level;
    // The section's blocks in order, a <div>'s own blocks in its place.
    const blocks = [];
    for (let el = h.nextElementSibling; el && !ends(el); el = el.nextElementSibling) blocks.push(el);
    let paragraphs = 0;
    while (blocks.length) {
      const el = blocks.shift();
      if (!el.checkVisibility()) continue;
      if (el.tagName === 'DIV') { blocks.unshift(...el.children); continue; }
      const item = el.matches('ul, ol') ? el.querySelector(':scope > li') : null;
      if (item && item.checkVisibility()) {
        const walker = document.createTreeWalker(item, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
          const text = walker.currentNode.textContent.replace(/\\s+/g, ' ').trim();
          if (text.length >= 12) { out.push([h.innerText.replace('¶', '').trim(), text.slice(0, 25)]); break; }
        }
        break;
      }
      if (el.tagName === 'P' && ++paragraphs > 1) break;
    }
  }
  return out;
}"""
