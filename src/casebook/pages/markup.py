"""Contributed Markdown to safe HTML, and text made safe for our Markdown pages.

Python-Markdown does not sanitise, and `attr_list` lets handlers through, so every piece
of contributed Markdown is rendered here and cleaned with nh3 against an allowlist that
fits Material's markup. The builder then only ever sees HTML we have cleaned.
"""

from __future__ import annotations

import functools
import html
import re

import markdown
import nh3
from markupsafe import Markup

_EXTENSIONS = [
    "abbr",
    "admonition",
    "attr_list",
    "def_list",
    "footnotes",
    "tables",
    "sane_lists",
    "pymdownx.details",
    "pymdownx.superfences",
    "pymdownx.tilde",
]

_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em",
    "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "span", "strong", "sub", "summary",
    "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "*": {"class", "id", "title"},
    "a": {"href"},
    "abbr": {"title"},
    "details": {"open"},
    "ol": {"start"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
}
_SCHEMES = {"http", "https", "mailto"}
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]{}#+!|~])")


def _renderer() -> markdown.Markdown:
    return markdown.Markdown(extensions=_EXTENSIONS, output_format="html")


_MD = _renderer()


@functools.lru_cache(maxsize=4096)
def render_markdown(text: str) -> str:
    """Render contributed Markdown to sanitised HTML.

    Cached: a case not yet translated is rendered again, unchanged, in every edition.
    """
    _MD.reset()
    return sanitise(_MD.convert(text))


def sanitise(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def inline_text(text: str) -> Markup:
    """Plain text made safe to place in a Markdown line (a heading, say) of a generated page.

    Returned as Markup so that the templates' autoescaping does not escape it twice.
    """
    return Markup(_MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(" ".join(text.split()), quote=False)))


def attribute(text: str) -> str:
    """Plain text made safe for an HTML attribute or a page's meta (MkDocs does not escape)."""
    return html.escape(" ".join(text.split()), quote=True)
