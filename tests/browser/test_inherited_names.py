"""Ids that are also the names of Object's own properties ('constructor', 'toString',
'__proto__') are ids like any other to the finder and the composer (issue 34, item 8).

The finder runs here, as it is in docs/assets/, on a page made of the library page's form
and a catalogue of three cases, so no site is built; the composer's lookups are held to
the same rule by reading its source."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from sitebuild import REPO, page_without_errors, serve

pytestmark = pytest.mark.browser

NAMES = ["constructor", "tostring", "__proto__", "hasownproperty"]
SCRIPTS = ["finder.js", "composer.js", "search.js"]

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Finder</title></head><body>
<div class="cb-finder" data-cb-finder data-catalogue="catalogue.json">
<script type="application/json" data-cb-finder-strings>{{}}</script>
<form class="cb-finder__form" role="search" action="./" method="get">
<input type="search" id="cb-finder-q" name="words">
<input type="number" id="cb-finder-from" name="from">
<input type="number" id="cb-finder-to" name="to">
<details class="cb-finder__facet" data-facet="themes">
<summary><span>Themes</span><span class="cb-finder__selected"></span></summary>
<fieldset><ul class="cb-finder__values">{boxes}</ul></fieldset>
</details>
<div class="cb-finder__actions"><button type="button" class="cb-finder__clear" hidden>Clear</button></div>
</form>
<p class="cb-finder__status" role="status" data-cb-finder-status>3 cases</p>
<ul class="cb-case-list" data-cb-finder-results></ul>
<p class="cb-finder__empty" hidden>None</p>
</div>
<script src="finder.js"></script>
</body></html>
"""
BOX = (
    '<li><label><input type="checkbox" name="themes" value="{id}"> <span>'
    '<span class="cb-finder__value">{id}</span> <span class="cb-finder__count">(0)</span>'
    "</span></label></li>"
)


def case(number: int, themes: list[str]) -> dict[str, object]:
    return {
        "id": f"case-{number}",
        "url": f"cases/case-{number}/",
        "title": f"Case {number}",
        "summary": "",
        "organisation": "An organisation",
        "countries": [],
        "themes": themes,
        "start": 2015,
        "end": 2016,
    }


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("names")
    shutil.copy(REPO / "docs/assets/finder.js", root / "finder.js")
    boxes = "".join(BOX.format(id=name) for name in [*NAMES, "plain"])
    (root / "index.html").write_text(PAGE.format(boxes=boxes), encoding="utf-8")
    catalogue = {
        "facets": [
            {
                "id": "themes",
                "values": [{"id": n, "label": f"Label of {n}"} for n in [*NAMES, "plain"]],
            }
        ],
        "cases": [
            case(1, ["constructor", "plain"]),
            case(2, ["constructor", "tostring"]),
            case(3, ["plain"]),
        ],
    }
    (root / "catalogue.json").write_text(json.dumps(catalogue), encoding="utf-8")
    with serve(root) as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with page_without_errors(browser) as opened:
        yield opened


def test_the_finder_counts_an_id_named_like_objects_own_properties(
    page: Page, base_url: str
) -> None:
    page.goto(f"{base_url}?themes=constructor")
    expect(page.locator("[data-cb-finder-status]")).to_have_text("2 of 3 cases")
    expect(page.locator(".cb-case-card__title")).to_have_text(["Case 1", "Case 2"])
    # Each value counts the cases that would match with it: words and years apply, the
    # facet's own choice does not (values within a facet are OR).
    expected = {"constructor": "(2)", "tostring": "(1)", "__proto__": "(0)"}
    expected |= {"hasownproperty": "(0)", "plain": "(2)"}
    for value, text in expected.items():
        expect(page.locator(f'input[value="{value}"] ~ span .cb-finder__count')).to_have_text(text)
    assert "function" not in page.locator("form").inner_text()
    # The themes shown on the cards are the catalogue's labels.
    expect(page.locator(".cb-case-card__themes").first).to_have_text(
        "Label of constructor \u00b7 Label of plain"
    )


def test_the_finder_restores_an_address_of_inherited_names_as_nothing_chosen(
    page: Page, base_url: str
) -> None:
    page.goto(f"{base_url}?themes=valueOf&themes=__defineGetter__")
    expect(page.locator("[data-cb-finder-status]")).to_have_text("3 cases")
    assert page.locator("input:checked").count() == 0


# Lookups by id in a plain {} (`x = {}` or `x[id] = {}`, then `x[id]`) answer
# 'constructor' with Object's function; only `table()` (Object.create(null)) may hold them.
PLAIN_MAP = re.compile(r"(?:var \w+|\w+\[[\w.]+\]) = \{\};")


@pytest.mark.parametrize("script", SCRIPTS)
def test_no_script_keeps_ids_in_a_plain_object(script: str) -> None:
    source = (REPO / "docs/assets" / script).read_text(encoding="utf-8")
    assert PLAIN_MAP.findall(source) == []
    assert not re.search(r"\|\| \{\}\)\[", source), "(x || {})[id] reads inherited names"
