"""Keyboard use: a skip link first, the quick exit early, every control reachable and visibly
focused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browserkit import CASE, PAGE_KINDS, pages_of
from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def focused(page: Page) -> dict[str, Any]:
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          return {
            tag: el ? el.tagName.toLowerCase() : null,
            cls: el ? String(el.className) : "",
            text: el ? (el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 60) : "",
            href: el ? el.getAttribute("href") : null,
            exit: !!(el && el.matches("[data-cb-exit]")),
          };
        }"""
    )


@pytest.mark.parametrize("kind", list(PAGE_KINDS))
def test_skip_link_first_and_quick_exit_early(
    kind: str, page: Page, built_site: Path, site_url: str
) -> None:
    for path in pages_of(built_site, kind):
        page.goto(site_url + path)
        page.keyboard.press("Tab")
        first = focused(page)
        assert first["tag"] == "a" and "skip" in first["text"].lower(), (
            f"/{path}: the first Tab stop is not a skip link: {first}"
        )
        href = first["href"] or ""
        assert href.startswith("#") and len(href) > 1, f"/{path}: skip link href {href!r}"
        target = page.evaluate(
            "id => { const t = document.getElementById(decodeURIComponent(id));"
            " return t ? !!t.closest('.md-main') && !t.closest('.md-sidebar') : null; }",
            href[1:],
        )
        assert target is not None, f"/{path}: the skip link's target {href} does not exist"
        assert target, f"/{path}: the skip link's target {href} is not in the main content"

        stops = [first]
        while len(stops) < 3 and not stops[-1]["exit"]:
            page.keyboard.press("Tab")
            stops.append(focused(page))
        assert stops[-1]["exit"], (
            f"/{path}: 'Exit this page' is not in the first 3 Tab stops: {stops}"
        )

        # Following the skip link lands in the content: the next Tab stop is past the
        # header and the navigation.
        page.goto(site_url + path)
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_function("hash => location.hash === hash", arg=href)
        page.keyboard.press("Tab")
        after = page.evaluate(
            "() => { const el = document.activeElement;"
            " return !!(el && el.closest('.md-header, .md-sidebar, .md-banner, .md-tabs')); }"
        )
        assert not after, f"/{path}: after the skip link, Tab went back into the navigation"


# Marks every control that a keyboard user should reach, and reads how each one looks; the
# focus indicator may be drawn on the element itself or, for Material's visually hidden
# inputs (the colour-scheme toggle), on the label next to it.
MARK_CONTROLS = """() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]';
  const rendered = el => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 &&
      el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true});
  };
  // Material shows a visually hidden input's focus on the label right after it.
  const labelsOf = el => [el.nextElementSibling, ...(el.labels || [])]
    .filter(l => l && l.tagName === 'LABEL' && rendered(l));
  // A radio group is one Tab stop: its checked radio, or its first when none is checked.
  const groupStop = el => {
    const group = [...document.querySelectorAll(`input[type=radio][name="${CSS.escape(el.name)}"]`)];
    return group.find(r => r.checked) || group[0];
  };
  const controls = [...document.querySelectorAll(selector)].filter(el => {
    if (el.tabIndex < 0 || el.disabled || el.closest('[hidden], [inert]')) return false;
    if (!el.checkVisibility({visibilityProperty: true})) return false;  // display: none
    if (el.type === 'radio' && el.name && groupStop(el) !== el) return false;
    return rendered(el) || (el.tagName === 'INPUT' && labelsOf(el).length > 0);
  });
  controls.forEach((el, i) => el.setAttribute('data-cb-control', String(i)));
  return controls.length;
}"""

LOOK = """el => {
  const rendered = e => { const b = e.getBoundingClientRect(); return b.width > 0 && b.height > 0; };
  const parts = rendered(el) ? [el] : [el.nextElementSibling, ...(el.labels || [])]
    .filter(l => l && l.tagName === 'LABEL' && rendered(l));
  return parts.map(part => {
    const s = getComputedStyle(part);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
      ? `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}` : 'none';
    return {outline, shadow: s.boxShadow};
  });
}"""

DESCRIBE = """el => `${el.tagName.toLowerCase()}.${String(el.className).trim().replace(/\\s+/g, '.')}`
  + ` "${(el.textContent || el.getAttribute('aria-label') || el.title || '').trim().replace(/\\s+/g, ' ').slice(0, 50)}"`
  + (el.getAttribute('href') ? ` href=${el.getAttribute('href')}` : '')"""


def test_every_case_page_control_is_reachable_with_visible_focus(page: Page, site_url: str) -> None:
    page.goto(site_url + CASE)
    count = page.evaluate(MARK_CONTROLS)
    assert count > 20, f"only {count} controls found on the case page"

    focused_looks: dict[str, list[dict[str, str]]] = {}
    for _ in range(count * 2 + 20):
        page.keyboard.press("Tab")
        active = page.evaluate_handle("document.activeElement")
        mark = page.evaluate("el => el && el.getAttribute('data-cb-control')", active)
        if mark is None:
            if focused_looks and page.evaluate("document.activeElement === document.body"):
                break  # past the last control: the focus left the document
            continue
        if mark in focused_looks:
            break  # round the whole page once
        focused_looks[mark] = page.evaluate(LOOK, active)

    unreached = []
    invisible = []
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for index in range(count):
        control = page.locator(f"[data-cb-control='{index}']")
        name = control.evaluate(DESCRIBE)
        if str(index) not in focused_looks:
            unreached.append(name)
            continue
        resting = control.evaluate(LOOK)
        focus = focused_looks[str(index)]
        shows = any(
            (now["outline"] != "none" and now["outline"] != before["outline"])
            or (now["shadow"] != "none" and now["shadow"] != before["shadow"])
            for now, before in zip(focus, resting, strict=False)
        )
        if not shows:
            invisible.append(f"{name}: focused {focus}, unfocused {resting}")
    assert not unreached, "controls that Tab never reaches:\n" + "\n".join(unreached)
    assert not invisible, "controls with no visible focus indicator:\n" + "\n".join(invisible)
