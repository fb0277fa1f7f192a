"""Links between pages written in a case's text, as editors write them and as readers follow
them.

An editor links as MkDocs would read the case at its place among the site's pages
(`cases/<id>.md`): another case as `(other-case.md)`, a guidance page as
`(../guidance/safeguarding.md)`. A case's text reaches its page as HTML that the builder
does not read, so the addresses are resolved here: the check refuses those that lead
nowhere, and the page gets the folder addresses that a web server serves.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Container

_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_HREF = re.compile(r'(<a\s[^>]*?href=")([^"]*)(")')
# The site's sections that the build writes, not found among the docs folder's pages.
GENERATED_SECTIONS = frozenset({"cases", "browse", "support", "worksheets", "map"})
# Every case page is one folder deep in its edition.
_CASE_FOLDER = "cases/x"


def site_target(href: str, case_ids: Container[str]) -> str | None:
    """The page a relative link in a case's text means, as a path from the edition's root
    without its trailing slash ('cases/other', 'guidance/safeguarding', '' for the home
    page); None for an address that is not a page of the site (https:, mailto:, #part, /x).
    A case's id alone is a case wherever its `../` lead ('../other.md'), as the check has
    always taken it. '..' is returned for a link that climbs out of the site."""
    if not href or href.startswith(("#", "/")) or _SCHEME.match(href):
        return None
    path = href.split("#", 1)[0].split("?", 1)[0]
    if not path.endswith((".md", "/")) and path not in (".", ".."):
        return None  # a file (an image, a PDF), not a page
    path = path.removesuffix(".md")
    if path == "index" or path.endswith("/index"):
        path = path.removesuffix("index")
    path = path.rstrip("/") or "."
    rest = path
    while rest.startswith(("../", "./")):
        rest = rest.split("/", 1)[1]
    if rest.startswith("cases/"):
        return "/".join(rest.split("/")[:2])
    if rest not in (".", "..") and "/" not in rest and (rest in case_ids or rest == path):
        return f"cases/{rest}"  # a case beside this one
    target = posixpath.normpath(posixpath.join("cases", path))
    if target.startswith(".."):
        return ".."
    return "" if target in (".", "index") else target


def page_links(html: str, case_ids: Container[str]) -> str:
    """A case's text as HTML with each link to a page of the site made the address of that
    page from the case's page (`../other-case/`), keeping its #part."""

    def rewrite(match: re.Match[str]) -> str:
        href = match[2]
        target = site_target(href.replace("&amp;", "&"), case_ids)
        if target is None or target == "..":
            return match[0]
        part = "#" + href.split("#", 1)[1] if "#" in href else ""
        address = posixpath.relpath(target or ".", _CASE_FOLDER) + "/"
        return match[1] + address + part + match[3]

    return _HREF.sub(rewrite, html)
