"""What every generated page shares: the site's settings, the Jinja2 environment, front
matter and relative links. Both the page renderer and the worksheets build on this module,
so neither needs the other's internals.
"""

from __future__ import annotations

import datetime
import json
import os
import posixpath
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from casebook.pages.markup import attribute, inline_text, render_markdown
from casebook.sources.dates import parse_partial
from casebook.sources.i18n import Locale


@dataclass(frozen=True)
class SiteSettings:
    """The `extra.casebook` block of mkdocs.yml, with defaults."""

    name: str = "Casebook"
    site_url: str = ""
    exit_url: str = "https://www.bbc.co.uk/weather"
    worksheet_qr: bool = True  # a QR code of the case's address on printed sheets
    # Whether this build writes the offline files (`build --zim`), which its pages then offer.
    offline_files: bool = False

    def address(self, path: str) -> str:
        """The absolute address of a path from the site's root, or '' without a site_url."""
        return f"{self.site_url.rstrip('/')}/{path.lstrip('/')}" if self.site_url else ""

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> SiteSettings:
        extra = (config.get("extra") or {}).get("casebook") or {}
        return cls(
            name=str(config.get("site_name") or cls.name),
            # The published address, for absolute language alternates and citations: from
            # mkdocs.yml, or from the environment when a deploy knows it (GitHub Pages does).
            site_url=str(config.get("site_url") or os.environ.get("CASEBOOK_SITE_URL") or ""),
            exit_url=str(extra.get("exit_url") or cls.exit_url),
            worksheet_qr=extra.get("worksheet_qr", True) is not False,
        )


def environment(locale: Locale) -> Environment:
    env = Environment(
        loader=PackageLoader("casebook", "templates"),
        autoescape=True,  # every front-matter value is escaped unless marked safe here
        undefined=StrictUndefined,
        # An environment lives for one generation run: no need to stat every template file
        # again on each include (thousands of cards per edition).
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Markdown heading ids are written `{#id}`, so Jinja comments use `{## ##}`.
        comment_start_string="{##",
        comment_end_string="##}",
    )
    env.filters["md"] = inline_text
    env.filters["mid_sentence"] = mid_sentence
    env.filters["markdown"] = render_markdown
    env.filters["country"] = locale.country
    env.filters["date"] = locale.date
    env.filters["source_date"] = lambda text: _source_date(locale, str(text))
    env.globals.update(
        t=locale.t, tn=locale.tn, th=locale.th, a=_anchor, lang=locale.code, Markup=Markup
    )
    return env


def _source_date(locale: Locale, text: str) -> str:
    """A source's date (YYYY, YYYY-MM or YYYY-MM-DD) as the edition writes dates: a month
    and year in words, never "2024-07"."""
    parsed = parse_partial(text)
    if parsed is None:
        return text
    year, month, day = parsed
    if month is None:
        return str(year)
    if day is None:
        return locale.month_year(year, month)
    return locale.date(datetime.date(year, month, day))


def _anchor(href: str, text: str, **attributes: str) -> Markup:
    """A link for `th()`: both the address and the text are escaped."""
    extra = "".join(
        f' {name.replace("_", "-")}="{escape(value)}"' for name, value in attributes.items()
    )
    return Markup(f'<a href="{escape(href)}"{extra}>{escape(text)}</a>')


def relative(from_url: str, to_url: str) -> str:
    """A relative link between two directory URLs such as 'cases/x/' and 'browse/'."""
    start = posixpath.dirname(from_url.rstrip("/") + "/x") or "."
    target = _relpath(to_url or ".", start)
    if to_url.endswith("/") and not target.endswith("/"):
        target += "/"
    return "./" if target in (".", "./") else target


def _plain(path: str) -> bool:
    """A relative path that normalising leaves as it is (bar a trailing slash)."""
    parts = path.split("/")
    if parts[-1] == "":
        parts.pop()
    return bool(parts) and all(part not in ("", ".", "..") for part in parts)


def _relpath(path: str, start: str) -> str:
    """posixpath.relpath for the site's plain relative paths, without its calls to the
    working folder for each of them (tens of thousands of links per edition)."""
    if not (_plain(path) and (start == "." or _plain(start))):
        return posixpath.relpath(path, start)
    start_parts = [] if start == "." else start.rstrip("/").split("/")
    path_parts = path.rstrip("/").split("/")
    common = 0
    for a, b in zip(start_parts, path_parts, strict=False):
        if a != b:
            break
        common += 1
    parts = [".."] * (len(start_parts) - common) + path_parts[common:]
    return "/".join(parts) if parts else "."


def mid_sentence(label: str) -> str:
    """A label to go mid-sentence: 'Form of violence' becomes 'form of violence', but an
    acronym stays as it is ('INSPIRE strategy')."""
    if label[:2].isupper():
        return label
    return label[:1].lower() + label[1:]


LISTING: dict[str, Any] = {
    "search": {"exclude": True}
}  # generated listing pages stay out of the search index


def front_matter(title: str, description: str = "", **extra: Any) -> str:
    # One JSON value per line is valid YAML, and much quicker to write for thousands of pages.
    meta: dict[str, Any] = {"title": attribute(title)}
    if description:
        meta["description"] = attribute(description)
    meta.update(extra)
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n"


# Listings that grow with the library come in pages of this many cases, so that no page's
# weight grows with it; further pages are plain HTML for readers without JavaScript.
PAGE_SIZE = 50


def page_count(items: int, size: int = PAGE_SIZE) -> int:
    return max(1, -(-items // size))


def pager(url: str, number: int, count: int, first: str, label: str) -> dict[str, Any]:
    """Links between the pages of a listing whose first page is `first` and whose page n
    is `first`page/n/; `url` is the page the links are written into."""

    def href(n: int) -> str:
        return relative(url, first if n == 1 else f"{first}page/{n}/")

    return {
        "number": number,
        "count": count,
        "label": label,
        "pages": [(n, href(n)) for n in range(1, count + 1)],
        "previous": href(number - 1) if number > 1 else "",
        "next": href(number + 1) if number < count else "",
    }
