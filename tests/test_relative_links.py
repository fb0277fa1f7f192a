"""Relative links between generated pages: the quick path gives what posixpath gives."""

from __future__ import annotations

import itertools
import posixpath

from casebook.pages.templating import relative


def _by_posixpath(from_url: str, to_url: str) -> str:
    start = posixpath.dirname(from_url.rstrip("/") + "/x") or "."
    target = posixpath.relpath(to_url or ".", start)
    if to_url.endswith("/") and not target.endswith("/"):
        target += "/"
    return "./" if target in (".", "./") else target


URLS = [
    "", ".", "./", "..", "../x/", "cases/", "cases/a/", "cases/a", "cases/a/b/",
    "browse/countries/mx/", "cases/a/../b/", "cases//a/", "catalogue.json", "cases/page/2/",
    "worksheets/a/practitioners/", "worksheets/a/x.pdf", "a/b/c/d/", "cases/a/?add=x", "#x",
    "cases/.hidden/", "x/y", "a",
]  # fmt: skip


def test_relative_links_match_posixpath() -> None:
    for from_url, to_url in itertools.product(URLS, URLS):
        assert relative(from_url, to_url) == _by_posixpath(from_url, to_url), (from_url, to_url)
