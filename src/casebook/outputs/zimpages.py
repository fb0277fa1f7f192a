"""A built page as an offline reader (Kiwix) gets it: the same page, less what needs the web.

A ZIM file holds one edition, read through a reader that has no web server behind it, so
each page loses the parts that only work on the site: the language switch (the other
editions are other files), the Pagefind search box (the reader searches the file's own
index) and the links to the root of the host. Links that end at the edition's home page get
its file name, since a reader has no folder index to fall back on; other folder links stay
as they are, the file holding each page at its folder's address as well. A link to a page
of another edition (a case not yet translated, read in its original) becomes its text, and
the link page of such a case says which file holds it.
"""

from __future__ import annotations

import posixpath
import re
from html import escape
from urllib.parse import urlsplit

from casebook.pages.offlinefiles import OFFLINE_URL

# The builder's theme writes these blocks; each is removed whole, nested <div>s and all.
_REMOVED_BLOCKS = (
    # The language switch: Material's selector inside its header option.
    re.compile(r'<div class="md-header__option">\s*<div class="md-select">'),
    # The Pagefind search box (overrides/partials/search.html).
    re.compile(r"<div class=\"cb-search\"[^>]*>"),
)
_SEARCH_SCRIPT = re.compile(r'<script\b[^>]*\ssrc="[^"]*assets/search\.js"[^>]*></script>\n?')
# Language alternates name the other editions, which are other files (or other hosts).
_ALTERNATE_LANGUAGE = re.compile(r'<link rel="alternate"[^>]* hreflang="[^>]*>\n?')
STYLESHEET = "assets/offline.css"  # what a page in an offline file needs besides the site's
_DIV = re.compile(r"<div\b|</div>")
_ANCHOR = re.compile(r'<a\b[^>]*?\shref="([^"]*)"[^>]*>(.*?)</a>', re.S)
# The link of a case's page in an edition it is not translated into (fallback.md.j2).
_ORIGINAL_LINK = re.compile(r'<p class="cb-fallback"><a [^>]*data-cb-original>.*?</a></p>', re.S)
# The theme's links to the previous and next page in the navigation, in <head>.
_SEQUENCE = re.compile(r'<link rel="(?:prev|next)" href="([^"]*)">\n?')
# A navigation entry that is only a link: where the link leaves the file (the page that
# offers the offline files), the whole entry goes, not just the link, whose bare text would
# run into the entry above it.
_NAV_ENTRY = re.compile(
    r'<li class="md-nav__item">\s*<a href="([^"]*)" class="md-nav__link">(?:(?!</?li\b).)*?</a>\s*</li>\n?',
    re.S,
)
# The site's Content-Security-Policy: the file is read in a viewer (kiwix-serve, Kiwix
# desktop, Kiwix JS), which adds its own toolbar and scripts and applies its own policy.
# The pages' inline scripts were matched to the templates at build time all the same.
_CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="[^"]*">\n?')
_URL_ATTRIBUTE = re.compile(r'(?<=\s)(href|src)="([^"]*)"')
# The one meta tag whose content is an address (Highwire's, for reference managers).
_PDF_META = re.compile(r'(<meta name="citation_pdf_url" )(content)="([^"]*)"')


def offline_page(html: str, path: str, prefix: str = "", elsewhere: str = "") -> str:
    """The page at `path` (relative to its edition's root, e.g. 'cases/x/index.html') as
    the edition's ZIM file holds it. `prefix` is the edition's folder on the host ('es/'),
    which the site's root-relative links start with; `elsewhere` is the text that replaces
    the link from a case's page to its original in another edition (plain text)."""
    if elsewhere:
        html = _ORIGINAL_LINK.sub(
            lambda _: f'<p class="cb-fallback">{escape(elsewhere, quote=False)}</p>', html
        )
    for start in _REMOVED_BLOCKS:
        html = _remove_block(html, start)
    html = _SEARCH_SCRIPT.sub("", html)
    html = _CSP_META.sub("", html)
    html = _ALTERNATE_LANGUAGE.sub("", html)
    folder = posixpath.dirname(path)
    html = _PDF_META.sub(lambda m: m.group(1) + _attribute(m, folder, prefix, 2), html)
    html = html.replace(
        "</head>", f'<link rel="stylesheet" href="{_root(folder)}{STYLESHEET}">\n</head>', 1
    )
    html = _NAV_ENTRY.sub(lambda m: "" if _leaves(m.group(1), folder) else m.group(0), html)
    html = _ANCHOR.sub(lambda m: m.group(2) if _leaves(m.group(1), folder) else m.group(0), html)
    html = _SEQUENCE.sub(lambda m: "" if _leaves(m.group(1), folder) else m.group(0), html)
    return _URL_ATTRIBUTE.sub(lambda m: _attribute(m, folder, prefix), html)


def _leaves(url: str, folder: str) -> bool:
    """Whether a relative `url` in a page in `folder` leads out of the edition, or to the
    page that offers the offline files, which no file holds."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
        return False
    resolved = posixpath.normpath(posixpath.join(folder, parts.path)) + "/"
    return resolved.startswith(("../", OFFLINE_URL))


def _remove_block(html: str, start: re.Pattern[str]) -> str:
    """`html` without the <div> that `start` opens (with everything in it)."""
    found = start.search(html)
    if found is None:
        return html
    depth = 0
    for tag in _DIV.finditer(html, found.start()):
        depth += -1 if tag.group() == "</div>" else 1
        if depth == 0:
            end = tag.end()
            return html[: found.start()] + html[end:].removeprefix("\n")
    return html  # unbalanced: leave the page as the builder wrote it


def _attribute(match: re.Match[str], folder: str, prefix: str, group: int = 1) -> str:
    name, value = match.group(group), match.group(group + 1)
    target = offline_link(value, folder, prefix)
    return f'{name}="{value if target is None else target}"'


def offline_link(url: str, folder: str, prefix: str = "") -> str | None:
    """The address to write for `url`, found in a page in `folder` of the edition, or None
    to keep it: root-relative addresses become relative, and a link to the edition's home
    page names its file."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    tail = url[len(parts.path) :]  # ?query#fragment
    if parts.path.startswith("/"):
        inside = parts.path[1:]
        if not inside.startswith(prefix):
            return None
        relative = posixpath.relpath(inside[len(prefix) :] or ".", folder or ".")
        if inside.endswith("/") and relative != ".":
            relative += "/"
        return _home(relative, folder) + tail
    home = _home(parts.path, folder)
    return None if home == parts.path else home + tail


def _home(path: str, folder: str) -> str:
    """`path`, or the home page's file name when `path` leads to the edition's root."""
    resolved = posixpath.normpath(posixpath.join(folder, path))
    return f"{_root(folder)}index.html" if resolved == "." else path


def _root(folder: str) -> str:
    """The relative address of the edition's root from a page in `folder`: '', '../' …"""
    up = posixpath.relpath(".", folder or ".")
    return "" if up == "." else f"{up}/"
