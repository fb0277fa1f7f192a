"""How a case is cited: its reference (who, what, when, where), the files reference managers
import (RIS, BibTeX, CSL-JSON) and the formatted citations shown on its page.

APA and Chicago are formatted here, in the pattern the CSL styles give a report by an
organisation, not by a CSL processor at build time: citeproc-py takes about 30 ms a case and
edition for the two styles (a minute and a half of CPU at 1,000 cases in three editions),
and these few lines take microseconds. The tests render the CSL-JSON with citeproc-py and
the CSL project's own styles (tests/csl/) and require the same text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import IntEnum
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from casebook.pages.templating import SiteSettings
from casebook.sources.i18n import Locale
from casebook.sources.model import Case


@dataclass(frozen=True)
class Reference:
    """What every citation of one case in one edition says."""

    key: str  # the case's id
    title: str
    author: str  # the organisation, as a corporate author
    date: dt.date  # the version cited: the last review
    publisher: str  # the site
    genre: str
    language: str
    abstract: str
    keywords: tuple[str, ...]
    address: str  # the page's full address, or its path from the site's root without one
    absolute: bool  # whether `address` is a full address


def page_address(settings: SiteSettings, path: str) -> str:
    """A page's full address, or without a site_url its path from the root: '/cases/x/'."""
    return settings.address(path) or f"/{path.lstrip('/')}"


def root_path(settings: SiteSettings, path: str) -> str:
    """A path from the host's root (what Zotero follows), with site_url's own path in front."""
    base = urlsplit(settings.site_url).path if settings.site_url else "/"
    return base.rstrip("/") + "/" + path.lstrip("/")


def reference(
    case: Case, locale: Locale, settings: SiteSettings, keywords: Sequence[str]
) -> Reference:
    meta = case.meta
    prefix = "" if locale.code == locale.original else f"{locale.code}/"
    return Reference(
        key=case.id,
        title=meta.title,
        author=meta.organisation.name,
        date=meta.last_reviewed,
        publisher=settings.name,
        genre=locale.t("kicker_case"),
        language=meta.language,
        abstract=_one_line(meta.summary),
        keywords=tuple(keywords),
        address=page_address(settings, prefix + case.url),
        absolute=bool(settings.site_url),
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


# Files for reference managers ------------------------------------------------------------


def csl_json(ref: Reference) -> str:
    item = {
        "id": ref.key,
        "type": "report",
        "title": ref.title,
        "author": [{"literal": ref.author}],
        "issued": {"date-parts": [[ref.date.year, ref.date.month, ref.date.day]]},
        "publisher": ref.publisher,
        "genre": ref.genre,
        "language": ref.language,
        "abstract": ref.abstract,
        "keyword": ", ".join(ref.keywords),
        "URL": ref.address,
    }
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


class Scheme(IntEnum):
    """The line-based ways of naming a reference's fields."""

    RIS = 0
    HIGHWIRE = 1  # Highwire Press meta tags, which Google Scholar and Zotero read
    DUBLIN_CORE = 2


# One crosswalk: each field's names in RIS, Highwire Press and Dublin Core (none, one or more).
_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "title": (("TI",), ("citation_title",), ("DC.title",)),
    # RIS reads a name with no comma as one corporate name, not surname, forename.
    "author": (("AU",), ("citation_author",), ("DC.creator",)),
    "year": (("PY",), (), ()),
    "date": (("DA",), ("citation_publication_date",), ()),
    "iso_date": ((), (), ("DC.date",)),
    # Zotero records a page with the institution tag as a report, published by it.
    "publisher": (
        ("PB",),
        ("citation_publisher", "citation_technical_report_institution"),
        ("DC.publisher",),
    ),
    "genre": (("M3",), (), ()),
    "language": (("LA",), ("citation_language",), ("DC.language",)),
    # Dublin Core's description is the page's own description tag.
    "abstract": (("AB",), ("citation_abstract",), ()),
    "keyword": (("KW",), ("citation_keywords",), ("DC.subject",)),
    "address": (("UR",), (), ()),
    # Meta tags give the page's address only in full: a bare path identifies nothing.
    "full_address": ((), ("citation_fulltext_html_url",), ("DC.identifier",)),
}


def _fields(ref: Reference) -> Iterator[tuple[str, str]]:
    yield from [
        ("title", ref.title),
        ("author", ref.author),
        ("year", str(ref.date.year)),
        ("date", ref.date.strftime("%Y/%m/%d")),
        ("iso_date", ref.date.isoformat()),
        ("publisher", ref.publisher),
        ("genre", ref.genre),
        ("language", ref.language),
        ("abstract", ref.abstract),
    ]
    yield from (("keyword", keyword) for keyword in ref.keywords)
    yield "address", ref.address
    if ref.absolute:
        yield "full_address", ref.address


def tagged(ref: Reference, scheme: Scheme) -> list[tuple[str, str]]:
    """The reference's (name, value) pairs in one scheme, in the crosswalk's order."""
    return [(name, value) for field, value in _fields(ref) for name in _NAMES[field][scheme]]


def ris(ref: Reference) -> str:
    # RIS is line-based: a value never spans lines.
    lines = [f"{tag}  - {_one_line(value)}" for tag, value in tagged(ref, Scheme.RIS)]
    return "\r\n".join(["TY  - RPRT", *lines, "ER  - ", ""])


_TEX_SPECIALS = re.compile(r"[\\{}%&$#_~^]")
_TEX = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def tex(text: str) -> str:
    """Text safe in a BibTeX field: LaTeX's special characters escaped, braces balanced."""
    return _TEX_SPECIALS.sub(lambda m: _TEX.get(m.group(0), "\\" + m.group(0)), text)


def bibtex(ref: Reference) -> str:
    fields = [
        # Double braces: a corporate author, and a title kept as written (styles would
        # otherwise lower-case its proper nouns).
        ("author", "{" + tex(ref.author) + "}"),
        ("title", "{" + tex(ref.title) + "}"),
        ("type", tex(ref.genre)),
        ("institution", tex(ref.publisher)),
        ("year", str(ref.date.year)),
        ("date", ref.date.isoformat()),
        ("language", ref.language),
        ("abstract", tex(ref.abstract)),
        ("keywords", tex(", ".join(ref.keywords))),
        ("url", ref.address),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@techreport{{{ref.key},\n{body}\n}}\n"


@dataclass(frozen=True)
class FileKind:
    """One citation file: its extension, media type, label and how it is written."""

    extension: str
    media_type: str
    label: str
    write: Callable[[Reference], str]

    def path(self, case: Case) -> str:
        """Its docs path: in the case page's folder, named after the case."""
        return f"{case.url}{case.id}.{self.extension}"


FILE_KINDS = (
    FileKind("ris", "application/x-research-info-systems", "RIS", ris),
    FileKind("bib", "application/x-bibtex", "BibTeX", bibtex),
    FileKind("csl.json", "application/vnd.citationstyles.csl+json", "CSL-JSON", csl_json),
)


# Formatted citations -----------------------------------------------------------------------

# The words CSL's title case leaves in lower case (but first, or after a colon or full stop).
_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "down",
        "for",
        "from",
        "in",
        "into",
        "nor",
        "of",
        "on",
        "onto",
        "or",
        "over",
        "so",
        "the",
        "till",
        "to",
        "up",
        "via",
        "with",
        "yet",
    ]
)


def title_case(title: str, language: str) -> str:
    """CSL's title case: English titles only; every lower-case word that is not a stop word
    gets a capital first letter. Words already holding a capital stay as written."""
    if language != "en":
        return title
    words: list[str] = []
    previous = ":"
    for word in title.split(" "):
        if word.islower() and (word not in _STOP_WORDS or previous in (":", ".")):
            word = word[0].upper() + word[1:]
        previous = word[-1:] or previous
        words.append(word)
    return " ".join(words)


def _join(*parts: str | Markup) -> Markup:
    return Markup("").join(escape(part) for part in parts)


def _end(text: str) -> str:
    """A part followed by a full stop: none added after one already there."""
    return text if text.endswith((".", "?", "!")) else text + "."


def apa(ref: Reference) -> Markup:
    """APA 7: Author. (Year). *Title* [Genre]. Publisher. Address"""
    return _join(
        _end(ref.author),
        f" ({ref.date.year}). ",
        Markup("<i>{}</i>").format(ref.title),
        f" [{ref.genre}]. ",
        _end(ref.publisher),
        " ",
        ref.address,
    )


def chicago(ref: Reference) -> Markup:
    """Chicago author-date (18th edition): Author. Year. *Title*. Genre. Publisher. Address."""
    title = title_case(ref.title, ref.language)
    return _join(
        _end(ref.author),
        f" {ref.date.year}. ",
        Markup("<i>{}</i>").format(title),
        "" if title.endswith(("?", "!")) else ".",
        " ",
        _end(ref.genre),
        " ",
        _end(ref.publisher),
        " ",
        _end(ref.address),
    )


STYLES: tuple[tuple[str, Callable[[Reference], Markup]], ...] = (
    ("cite_apa", apa),
    ("cite_chicago", chicago),
)
"""(key of the style's name in strings.yml, how it formats)"""
