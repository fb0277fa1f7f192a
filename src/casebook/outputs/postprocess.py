"""After the builder: a Content-Security-Policy and safe outbound links on every page,
language alternates for the same page in every edition, and fixes to the theme's markup.

This runs on the built HTML, so it works whichever builder produced it. The policy allows
scripts only from the site itself and the inline scripts that Casebook's theme override and
the theme define (`casebook.outputs.scriptpolicy`), each by its exact hash; a page with any other
inline script or an inline event handler fails the build.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Container, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from casebook.lifeline import start_worker
from casebook.outputs.scriptpolicy import ScriptPolicy
from casebook.pages.feed import FEED_PATH

_CHARSET = re.compile(r"<meta\s+charset=[\"']?utf-8[\"']?\s*/?>", re.I)
_EXTERNAL_A = re.compile(r"<a\s(?P<attrs>[^>]*?href=\"https?://[^\"]*\"[^>]*)>", re.I)

POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'wasm-unsafe-eval' {hashes}; "  # Pagefind's search runs as WebAssembly
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "
    "font-src 'self' data:; "
    "connect-src 'self'; "
    "worker-src 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'; "
    "frame-src 'none'"
)


def _safe_links(html: str) -> str:
    def fix(match: re.Match[str]) -> str:
        attrs = match.group("attrs")
        if re.search(r"\srel=", " " + attrs, re.I):
            return match.group(0)
        return f'<a {attrs} rel="noopener noreferrer">'

    return _EXTERNAL_A.sub(fix, html)


_PRESERVE = re.compile(r"(<(pre|textarea|script|style)\b.*?</\2>)", re.S | re.I)


def collapse_whitespace(html: str) -> str:
    """Drop the templates' indentation, a sixth of a page, keeping one newline where
    there was whitespace (so inline spacing is unchanged) and leaving <pre> and scripts."""
    parts = _PRESERVE.split(html)
    out: list[str] = []
    index = 0
    while index < len(parts):
        out.append(_collapse(parts[index]))
        if index + 1 < len(parts):
            out.append(parts[index + 1])  # the preserved element, untouched
        index += 3
    return "".join(out)


def _collapse(text: str) -> str:
    """Each run of whitespace with a line break in it becomes one line break. With string
    methods: a regular expression tries every space of the page (a millisecond a page)."""
    if "\n" not in text:
        return text
    lines = text.split("\n")
    middle = [line for line in (part.strip(" \t") for part in lines[1:-1]) if line]
    return "\n".join([lines[0].rstrip(" \t"), *middle, lines[-1].lstrip(" \t")])


# Material's markup that the W3C validator rejects, each fixed without changing behaviour:
# autocomplete on its hidden checkbox toggles (allowed only on text-like inputs; casebook.js
# unchecks the toggles when a page comes back from the cache instead), and an empty tabindex
# on section labels (browsers already treat it as absent).
_TOGGLE_AUTOCOMPLETE = re.compile(r'(<input class="md-toggle"[^>]*?) autocomplete="off"')
_EMPTY_TABINDEX = re.compile(r'(<label\b[^>]*?) tabindex=""')
_TOC_LABEL = re.compile(r'(<label class="md-nav__title") for="__toc"')
_THEME_ALTERNATE = re.compile(r'<link rel="alternate" href="[^"]*" hreflang="[^"]*">\n?')
_SWITCH_LINK = re.compile(r'<a href="[^"]*" hreflang="(?P<lang>[^"]*)" class="md-select__link">')
_YEARS = re.compile(r"\b\d{4}–(?:\d{4}|\w+)\b")
_UNTOUCHED = re.compile(r"(<(script|style|pre|textarea|title)\b.*?</\2>)", re.S | re.I)


def fix_theme_markup(html: str) -> str:
    html = _TOGGLE_AUTOCOMPLETE.sub(r"\1", html)
    html = _EMPTY_TABINDEX.sub(r"\1", html)
    if 'id="__toc"' not in html:
        # The table of contents' title points at a toggle Material renders only for pages in
        # the navigation; without it, the label toggles nothing.
        html = _TOC_LABEL.sub(r"\1", html)
    return html


def keep_year_ranges(html: str) -> str:
    """Year ranges such as "2017–2024" never breaks after its dash: each year range in the text is kept whole."""
    body = html.find("<body")
    if body < 0 or "–" not in html[body:]:
        return html
    parts = _UNTOUCHED.split(html[body:])
    out = [html[:body]]
    for index in range(0, len(parts), 3):
        out.append(_wrap_years(parts[index]))
        if index + 1 < len(parts):
            out.append(parts[index + 1])
    return "".join(out)


def _wrap_years(part: str) -> str:
    # Only the year ranges themselves are visited (not every text node: 4 ms a page).
    out: list[str] = []
    last = 0
    dash = part.find("–")
    while dash != -1:
        match = _YEARS.match(part, dash - 4) if dash >= 4 else None
        start = dash - 4
        if (
            match is not None
            and start >= last
            and part.rfind("<", 0, start) <= part.rfind(">", 0, start)  # not in a tag
        ):
            out += [part[last:start], f'<span class="cb-nowrap">{match.group(0)}</span>']
            last = match.end()
        dash = part.find("–", dash + 1)
    if not out:
        return part
    out.append(part[last:])
    return "".join(out)


@dataclass(frozen=True)
class SiteEditions:
    """The site's editions: the original at the root, the others under /<code>/."""

    codes: Sequence[str]
    site_url: str = ""
    feeds: Mapping[str, str] = field(default_factory=dict)  # edition code -> its feed's title

    def prefix(self, code: str) -> str:
        return "" if code == self.codes[0] else f"{code}/"

    def split(self, relative: str) -> tuple[str, str]:
        """(edition code, path inside the edition) of a page's path from the site root."""
        first = relative.split("/", 1)[0]
        if first in self.codes[1:] and "/" in relative:
            return first, relative.split("/", 1)[1]
        return self.codes[0], relative


def _page_url(path: str) -> str:
    """The address of a built file: 'a/index.html' is 'a/', '404.html' stays."""
    if path == "index.html":
        return ""
    return path[: -len("index.html")] if path.endswith("/index.html") else path


def language_links(html: str, relative: str, editions: SiteEditions, exists: Container[str]) -> str:
    """Alternates for this same page in every edition that has it, plus x-default, in the
    head; and the language switch's links pointing at the same page, so they work without
    JavaScript. Search engines take alternates only as full addresses: without the site's
    address there are none (the build's site_url warning says so)."""
    _, inner = editions.split(relative)
    here = posixpath.dirname(relative)
    found = [
        (c, editions.prefix(c) + inner)
        for c in editions.codes
        if editions.prefix(c) + inner in exists
    ]
    if len(found) < 2:
        return html

    def href(target: str, absolute: bool) -> str:
        url = _page_url(target)
        if absolute and editions.site_url:
            return editions.site_url.rstrip("/") + "/" + url
        rel = posixpath.relpath(url or ".", here or ".")
        rel = "./" if rel == "." else rel
        return rel + "/" if url.endswith("/") and not rel.endswith("/") else rel

    html = _THEME_ALTERNATE.sub("", html)
    if editions.site_url:
        links = [f'<link rel="alternate" hreflang="{c}" href="{href(t, True)}">' for c, t in found]
        original = dict(found).get(editions.codes[0])
        if original:
            x_default = href(original, True)
            links.append(f'<link rel="alternate" hreflang="x-default" href="{x_default}">')
        html = html.replace("</head>", "\n".join(links) + "\n</head>", 1)
    targets = dict(found)

    def switch(match: re.Match[str]) -> str:
        target = targets.get(match.group("lang"))
        if target is None:
            return match.group(0)
        return f'<a href="{href(target, False)}" hreflang="{match.group("lang")}" class="md-select__link">'

    return _SWITCH_LINK.sub(switch, html)


_HEAD_BLOCK = re.compile(r"<div hidden data-cb-head>\n?(?P<head>.*?)</div>\n?", re.S)


def lift_head(html: str) -> str:
    """Move the generated page's head block (casebook.pages.structured: meta tags, citation files,
    JSON-LD) into <head>. Contributed Markdown cannot make one: the sanitiser keeps neither
    `hidden` nor data attributes."""
    block = _HEAD_BLOCK.search(html)
    if block is None:
        return html
    html = html[: block.start()] + html[block.end() :]
    return html.replace("</head>", block.group("head") + "</head>", 1)


def feed_link(html: str, relative: str, editions: SiteEditions) -> str:
    """The edition's Atom feed, for feed readers to find from any page (not the 404 page,
    which is served at any address, so no relative link from it holds)."""
    code, inner = editions.split(relative)
    title = editions.feeds.get(code)
    if not title or inner == "404.html":
        return html
    target = posixpath.relpath(
        editions.prefix(code) + FEED_PATH, posixpath.dirname(relative) or "."
    )
    link = f'<link rel="alternate" type="application/atom+xml" href="{target}" title="{escape(title)}">'
    return html.replace("</head>", link + "\n</head>", 1)


def harden(html: str, scripts: ScriptPolicy, where: str = "") -> str:
    html = collapse_whitespace(lift_head(html))
    html = keep_year_ranges(fix_theme_markup(html))
    policy = POLICY.format(hashes=" ".join(scripts.hashes(html, where))).replace("  ", " ")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    html, found = _CHARSET.subn(lambda m: m.group(0) + meta, html, count=1)
    if not found:
        html = html.replace("<head>", "<head>" + meta, 1)
    return _safe_links(html)


@dataclass
class Hardened:
    pages: int


# What every page needs to know about the site, set once per worker process (not sent with
# every page: the list of pages grows with the library).
_SITE: tuple[Path, SiteEditions | None, frozenset[str] | Path] | None = None
_SCRIPTS = ScriptPolicy(())


def set_site(
    site: Path, editions: SiteEditions | None, exists: frozenset[str] | Path, scripts: ScriptPolicy
) -> None:
    """`exists`: every page of the finished site, or a file listing them, one a line, read
    when a page is first hardened (a worker may start before the list is complete);
    `scripts`: the inline scripts the pages may run."""
    global _SITE, _SCRIPTS
    _SITE = (site, editions, exists)
    _SCRIPTS = scripts


def _site() -> tuple[Path, SiteEditions | None, frozenset[str]] | None:
    global _SITE
    if _SITE is None:
        return None
    site, editions, exists = _SITE
    if isinstance(exists, Path):
        exists = frozenset(exists.read_text(encoding="utf-8").splitlines())
        _SITE = (site, editions, exists)
    return site, editions, exists


def _harden_file(path: Path, where: str | None = None) -> None:
    """`where`: the page's path from the site's root, when it is built somewhere else."""
    html = path.read_text(encoding="utf-8")
    known = _site()
    if known is not None:
        site, editions, exists = known
        where = where if where is not None else path.relative_to(site).as_posix()
        if editions is not None:
            html = feed_link(language_links(html, where, editions, exists), where, editions)
    path.write_text(harden(html, _SCRIPTS, where or path.name), encoding="utf-8")


def harden_site(
    site: Path, scripts: ScriptPolicy, editions: SiteEditions | None = None
) -> Hardened:
    """Harden every page, on every core when there are many (for a site another builder
    built from Casebook's docs folders)."""
    pages = sorted(site.rglob("*.html"))
    exists = frozenset(p.relative_to(site).as_posix() for p in pages)
    workers = os.cpu_count() or 1
    if len(pages) < 200 or workers < 2:
        set_site(site, editions, exists, scripts)
        try:
            for path in pages:
                _harden_file(path)
        finally:
            set_site(site, None, frozenset(), ScriptPolicy(()))
    else:
        with ProcessPoolExecutor(
            workers,
            initializer=start_worker,
            initargs=(os.getpid(), set_site, site, editions, exists, scripts),
        ) as pool:
            list(pool.map(_harden_file, pages, chunksize=64))
    return Hardened(len(pages))


def harden_files(paths: list[str], root: str = "", prefix: str = "") -> int:
    """Harden the given pages (a worker's share, built under `root` for the edition at
    `prefix` of the site); returns how many. The site is known from `set_site`."""
    for path in paths:
        where = prefix + Path(path).relative_to(root).as_posix() if root else None
        _harden_file(Path(path), where)
    return len(paths)


# Material ships a client-side search (lunr, its languages and a web worker) and source
# maps. Casebook searches with Pagefind and no page refers to them: 2.6 MB per edition.
UNUSED_ASSETS = ("assets/javascripts/lunr", "assets/javascripts/workers")


def prune_unused_assets(site: Path) -> int:
    """Remove the theme's files that no page uses; returns the bytes saved."""
    import shutil

    saved = 0
    for relative in UNUSED_ASSETS:
        folder = site / relative
        if folder.is_dir():
            saved += sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
            shutil.rmtree(folder)
    assets = site / "assets"
    for path in assets.rglob("*.map") if assets.is_dir() else []:
        saved += path.stat().st_size
        path.unlink()
    return saved
