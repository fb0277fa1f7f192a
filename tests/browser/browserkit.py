"""Helpers for the browser tests: which pages to visit, colour schemes, axe reports.

Page paths are relative to the site's base URL ("" is the home page). Pages of a kind that
can grow (guidance, reference, browse facets) are discovered from the built site, so a new
guidance page is tested without anyone editing this file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from sitebuild import REPO

ARTIFACTS = REPO / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"

DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}

# WCAG 2.0, 2.1 and 2.2, levels A and AA (axe has no wcag22a tag: 2.2 added AA rules only).
AXE_OPTIONS: dict[str, Any] = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}

CASE = "cases/odi-mexico/"
WORKSHEET = "worksheets/odi-mexico/"


def _built_pages(site: Path, section: str) -> list[str]:
    """Every page one folder below `section`, e.g. guidance/*/ or reference/*/."""
    found = sorted(
        f"{section}/{index.parent.name}/" for index in (site / section).glob("*/index.html")
    )
    assert found, f"the built site has no {section}/*/ pages"
    return found


def _fixed(*paths: str) -> Callable[[Path], list[str]]:
    def pages(site: Path) -> list[str]:
        for path in paths:
            target = site / (path if path.endswith(".html") else f"{path}index.html")
            assert target.is_file(), f"the built site has no page {path or '/'}"
        return list(paths)

    return pages


# Every page type of the site, by name. Each resolves to its page paths in a built site.
PAGE_KINDS: dict[str, Callable[[Path], list[str]]] = {
    "home": _fixed(""),
    "case": _fixed(CASE),
    # Cases from the library whose pages carry what ODI's does not: branching outcome chains,
    # several countries' services, court and trial evidence.
    "library-cases": _fixed(
        "cases/160-girls-kenya/", "cases/stop-it-now-helplines/", "cases/deafkidz-defenders/"
    ),
    "map": _fixed("map/"),
    "library": _fixed("cases/"),
    "browse": _fixed("browse/"),
    "browse-facet": _fixed("browse/countries/", "browse/countries/mx/"),
    "worksheets-index": _fixed("worksheets/"),
    "worksheets-case": _fixed("worksheets/odi-mexico/"),
    "worksheet": _fixed(WORKSHEET),
    "composer": _fixed("worksheets/compose/"),
    "guidance": lambda site: _built_pages(site, "guidance"),
    "reference": lambda site: _built_pages(site, "reference"),
    "support": _fixed("support/"),
    "offline": _fixed("offline/"),
    "404": _fixed("404.html"),
}


def pages_of(site: Path, kind: str) -> list[str]:
    return PAGE_KINDS[kind](site)


def scheme_of(page: Page) -> str | None:
    value = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    return value if isinstance(value, str) else None


def use_scheme(page: Page, scheme: str) -> None:
    """Make sure Material shows `scheme` ("default" or "slate").

    The context emulates prefers-color-scheme, which Material's palette follows; should it
    not, the palette toggle in the header is clicked, as a reader would.
    """
    for _ in range(3):
        if scheme_of(page) == scheme:
            return
        toggle = page.locator("form[data-md-component=palette] label:not([hidden])").first
        toggle.click()
        page.wait_for_function(
            "previous => document.body.getAttribute('data-md-color-scheme') !== previous",
            arg=scheme_of(page),
        )
    assert scheme_of(page) == scheme, f"could not switch Material to the {scheme} scheme"


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """Each axe violation: id, impact, help, and every offending element."""
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" [{violation.get('helpUrl', '')}]"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}")
            summary = (node.get("failureSummary") or "").strip().splitlines()
            lines.extend(f"       {line.strip()}" for line in summary[1:3])
    return "\n".join(lines)
