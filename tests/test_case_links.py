"""Links written in a case's text, as MkDocs would read them from the case's place among the
pages (cases/<id>.md), reach those pages on the built site, in every edition."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pytest

from casebook.sources.links import page_links, site_target

IDS = frozenset({"odi-mexico", "barnahus-iceland"})
# What an editor writes -> the page it means, from the edition's root.
WRITTEN = {
    "barnahus-iceland.md": "cases/barnahus-iceland",
    "../barnahus-iceland.md": "cases/barnahus-iceland",
    "./barnahus-iceland.md#outcomes": "cases/barnahus-iceland",
    "../cases/barnahus-iceland/": "cases/barnahus-iceland",
    "../guidance/safeguarding.md": "guidance/safeguarding",
    "../guidance/index.md": "guidance",
    "../index.md": "",
    "../cases/": "cases",
}


@pytest.mark.parametrize(("href", "target"), WRITTEN.items())
def test_a_link_means_the_page_mkdocs_would_find(href: str, target: str) -> None:
    assert site_target(href, IDS) == target


@pytest.mark.parametrize(
    "href", ["https://example.org/a.md", "mailto:a@example.org", "#context", "/cases/", "map.png"]
)
def test_addresses_and_files_are_not_pages(href: str) -> None:
    assert site_target(href, IDS) is None
    html = f'<a href="{href}">x</a>'
    assert page_links(html, IDS) == html


@pytest.mark.parametrize("edition", ["", "es/"])
@pytest.mark.parametrize("href", WRITTEN)
def test_each_link_reaches_its_page_on_the_built_site(
    built_site: Path, edition: str, href: str
) -> None:
    html = page_links(f'<p><a href="{href}" rel="noopener">x</a></p>', IDS)
    address = re.search(r'href="([^"#]*)', html)
    assert address and address[1].endswith("/")
    page = posixpath.normpath(posixpath.join(f"{edition}cases/odi-mexico", address[1]))
    assert (built_site / page / "index.html").is_file(), f"{href} -> {address[1]}"
    if "#" in href:
        assert html.count("#outcomes") == 1
