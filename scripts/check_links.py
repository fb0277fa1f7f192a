#!/usr/bin/env python3
"""Offline link check of a built site: every internal link and asset must resolve.

Usage: python scripts/check_links.py site/
Checks href and src attributes that point inside the site (relative or root-relative),
including #fragments against the target page's ids. External links are not fetched: the
site must work offline, and CI has no network. Exit 1 with `page: link: problem` lines.
"""

from __future__ import annotations

import argparse
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("id", "name"):
            if values.get(name):
                self.ids.add(values[name] or "")
        for name in ("href", "src"):
            value = values.get(name)
            if value and not (tag == "link" and values.get("rel") in ("canonical", "alternate")):
                self.links.append(value)


def _parse(path: Path, cache: dict[Path, _Page]) -> _Page:
    if path not in cache:
        page = _Page()
        page.feed(path.read_text(encoding="utf-8", errors="replace"))
        cache[path] = page
    return cache[path]


def _target(site: Path, page: Path, path: str) -> Path:
    base = site if path.startswith("/") else page.parent
    target = (base / unquote(path.lstrip("/"))).resolve()
    if target.is_dir() or path.endswith("/"):
        target = target / "index.html"
    return target


def check(site: Path) -> list[str]:
    site = site.resolve()
    cache: dict[Path, _Page] = {}
    problems: list[str] = []
    for page_path in sorted(site.rglob("*.html")):
        if page_path.name == "404.html":
            continue  # served at any depth, so its relative links are written for the root
        page = _parse(page_path, cache)
        where = page_path.relative_to(site)
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "tel:", "data:")):
                continue
            target = _target(site, page_path, parts.path) if parts.path else page_path
            if not target.is_file() or not target.is_relative_to(site):
                problems.append(f"{where}: {link}: the target does not exist")
                continue
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html" and fragment not in _parse(target, cache).ids:
                problems.append(f"{where}: {link}: there is no element with id '{fragment}'")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "site", type=Path, nargs="?", default=Path("site"), help="the built site (default: site)"
    )
    args = parser.parse_args()
    if not args.site.is_dir():
        print(f"{args.site}: no built site here; run 'casebook build' first", file=sys.stderr)
        return 1
    problems = check(args.site)
    for problem in problems:
        print(problem)
    print(f"link check: {len(problems)} broken link(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
