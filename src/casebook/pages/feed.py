"""An Atom feed (RFC 4287) per edition: the most recently reviewed cases, newest first.

Written with the standard library's ElementTree rather than a feed library: Atom is a small,
stable format, the feed needs a dozen elements, and this keeps the build free of another
dependency (feedgen's maintenance is in doubt; feedgenerator, kept by the Pelican team,
would bring Django's API and not much else). The tests read it back with feedparser.

An entry's date is its case's last review, so a new case and a reviewed one both come to
the top; a case that says when it was first published carries that date too (Atom's
`published`), by which a reader tells the two apart. The feed lists FEED_SIZE cases at most, so its weight does not grow with the
library; it is the same bytes whenever the cases it lists are unchanged.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Protocol

from casebook.pages.templating import SiteSettings, relative
from casebook.sources.i18n import Locale
from casebook.sources.model import Case

FEED_FOLDER = "cases/"  # in each edition, next to the library, which links to it
FEED_PATH = FEED_FOLDER + "feed.xml"
FEED_SIZE = 20
MEDIA_TYPE = "application/atom+xml"
ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class FeedRenderer(Protocol):
    """What the feed needs from an edition (casebook.pages.render.Renderer)."""

    locale: Locale
    settings: SiteSettings
    is_original: bool
    cases: list[Case]

    def theme_labels(self, case: Case) -> list[str]: ...


def recent(cases: Sequence[Case]) -> list[Case]:
    """The cases the feed lists: the latest reviewed first, then by title."""
    ordered = sorted(cases, key=lambda c: (-c.meta.last_reviewed.toordinal(), c.meta.title))
    return ordered[:FEED_SIZE]


def title(locale: Locale, settings: SiteSettings) -> str:
    return locale.t("feed_title", site=settings.name)


def _timestamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


# What XML 1.0 cannot hold (ElementTree writes it as it is, and the feed is then ill-formed),
# and the C1 control codes, which readers show as nothing or as another character. The check
# refuses them in the sources (casebook.sources.characters); this keeps the feed well-formed
# whatever reaches it (a title from mkdocs.yml, an interface string).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(
        parent, f"{{{ATOM}}}{tag}", {key: _xml(value) for key, value in attributes.items()}
    )
    element.text = None if text is None else _xml(text)
    return element


def atom(edition: FeedRenderer, cases: Sequence[Case]) -> bytes:
    """The edition's feed of `cases` (see `recent`). Links are absolute with a site_url;
    without one they are relative to the feed, as Atom allows."""
    locale, settings = edition.locale, edition.settings
    prefix = "" if edition.is_original else f"{locale.code}/"

    def href(path: str) -> str:
        return settings.address(prefix + path) or relative(FEED_FOLDER, path)

    def identifier(path: str) -> str:
        # A permanent id: the page's address, or without one a name-based UUID of its path.
        return settings.address(prefix + path) or uuid.uuid5(uuid.NAMESPACE_URL, prefix + path).urn

    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: locale.code})
    _add(feed, "title", title(locale, settings))
    _add(feed, "subtitle", locale.t("case_library_description"))
    _add(feed, "id", identifier(FEED_PATH))
    newest = cases[0].meta.last_reviewed if cases else dt.date(1970, 1, 1)
    _add(feed, "updated", _timestamp(newest))
    _add(feed, "link", rel="self", type=MEDIA_TYPE, href=href(FEED_PATH))
    _add(feed, "link", rel="alternate", type="text/html", href=href("cases/"))
    _add(_add(feed, "author"), "name", settings.name)
    for case in cases:
        meta = case.meta
        entry = _add(feed, "entry", **{XML_LANG: meta.language})
        _add(entry, "title", meta.title)
        _add(entry, "id", identifier(case.url))
        _add(entry, "link", rel="alternate", type="text/html", href=href(case.url))
        _add(entry, "updated", _timestamp(meta.last_reviewed))
        if meta.first_published is not None:  # a reader tells a new case from a reviewed one
            _add(entry, "published", _timestamp(meta.first_published))
        _add(_add(entry, "author"), "name", meta.organisation.name)
        _add(entry, "summary", " ".join(meta.summary.split()))
        for theme, label in zip(meta.themes, edition.theme_labels(case), strict=True):
            _add(entry, "category", term=theme, label=label)
    ET.indent(feed)
    written: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    ET.fromstring(written)  # read back by an XML parser: a feed that is not XML is never written
    return written + b"\n"
