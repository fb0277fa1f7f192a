"""What a page tells machines about itself: meta tags that reference managers read
(Highwire Press `citation_*`, Dublin Core), links to the case's citation files, and
schema.org JSON-LD for search engines (a case is a `Report`, its worksheets a
`LearningResource`).

The generated Markdown carries them in a hidden block at the end of the page (the builder
passes raw HTML through); `casebook.outputs.postprocess.lift_head` moves the block's contents into
the page's <head> after the build. Every value is escaped: attributes by the template, and
the JSON-LD so that nothing in it can close its <script> element.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

from jinja2 import Environment
from markupsafe import Markup

from casebook.pages.citation import FILE_KINDS, Reference, Scheme, page_address, root_path, tagged
from casebook.pages.templating import SiteSettings
from casebook.sources.i18n import Locale
from casebook.sources.model import Case
from casebook.sources.questions import Audience


class Page(Protocol):
    """What the head needs from an edition (casebook.pages.render.Renderer)."""

    env: Environment
    locale: Locale
    settings: SiteSettings
    is_original: bool


def json_ld(data: dict[str, Any]) -> Markup:
    """JSON for a <script type="application/ld+json">: '<', '>' and '&' as JSON escapes, so
    no value can end the element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _head(page: Page, **context: Any) -> Markup:
    """Markup: the template escaped every value already."""
    return Markup(page.env.get_template("_head.html.j2").render(**context))


def _prefix(page: Page) -> str:
    return "" if page.is_original else f"{page.locale.code}/"


def _publisher(settings: SiteSettings) -> dict[str, Any]:
    publisher: dict[str, Any] = {"@type": "Organization", "name": settings.name}
    if settings.site_url:
        publisher["url"] = settings.site_url
    return publisher


def citation_meta(ref: Reference) -> list[tuple[str, str]]:
    """Highwire Press tags (Google Scholar, Zotero) and Dublin Core: (name, content)."""
    return tagged(ref, Scheme.HIGHWIRE) + tagged(ref, Scheme.DUBLIN_CORE)


def report(ref: Reference, case: Case, page: Page) -> dict[str, Any]:
    """schema.org's Report: the case, written up by Casebook about an organisation's work."""
    meta, organisation = case.meta, case.meta.organisation
    author: dict[str, Any] = {"@type": "Organization", "name": organisation.name}
    if organisation.short_name:
        author["alternateName"] = organisation.short_name
    if organisation.website:
        author["url"] = str(organisation.website)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Report",
        "name": ref.title,
        "headline": ref.title,
        "abstract": ref.abstract,
        "genre": ref.genre,
        "inLanguage": ref.language,
        "author": author,
        "publisher": _publisher(page.settings),
        "dateModified": ref.date.isoformat(),
        "keywords": list(ref.keywords),
        "temporalCoverage": f"{meta.period.start}/{meta.period.end or '..'}",
        "spatialCoverage": [
            {"@type": "Country", "name": page.locale.country(code)} for code in meta.countries
        ],
        "isAccessibleForFree": True,
    }
    if meta.first_published is not None:
        data["datePublished"] = meta.first_published.isoformat()
    if ref.absolute:
        data["url"] = ref.address
    return data


def case_head(page: Page, case: Case, ref: Reference) -> Markup:
    """The head block of a case page: meta tags, its citation files, its Report."""
    links = [
        (root_path(page.settings, _prefix(page) + kind.path(case)), kind.media_type, kind.label)
        for kind in FILE_KINDS
    ]
    # The case's own PDF (A4, the size most readers print), which Zotero saves with the record.
    pdf = ("citation_pdf_url", page_address(page.settings, _prefix(page) + case.pdf_path("a4")))
    meta = [*citation_meta(ref), pdf]
    return _head(page, meta=meta, links=links, data=json_ld(report(ref, case, page)))


def learning_resource(
    page: Page, case: Case, parts: Sequence[tuple[Audience, int | None]]
) -> dict[str, Any]:
    """schema.org's LearningResource: a case's worksheet page, with a part per audience
    (`parts`: each audience and the minutes its session plan takes, where there is one)."""
    t, settings = page.locale, page.settings
    here = settings.address(f"{_prefix(page)}worksheets/{case.id}/")
    based_on: dict[str, Any] = {"@type": "Report", "name": case.meta.title}
    if settings.site_url:
        based_on["url"] = page_address(settings, _prefix(page) + case.url)
    resources = []
    for audience, minutes in parts:
        part: dict[str, Any] = {
            "@type": "LearningResource",
            "name": audience.name,
            "audience": _audience(audience),
        }
        if minutes:
            part["timeRequired"] = f"PT{minutes}M"
        if here:
            part["url"] = f"{here}#{audience.id}"
        resources.append(part)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "LearningResource",
        "name": t.t("worksheets_case_title", title=case.meta.title),
        "description": " ".join(case.meta.summary.split()),
        "learningResourceType": t.t("resource_worksheet"),
        "educationalUse": t.t("worksheet_use"),
        "inLanguage": case.meta.language,
        "audience": [_audience(audience) for audience, _ in parts],
        "hasPart": resources,
        "isBasedOn": based_on,
        "publisher": _publisher(settings),
        "dateModified": case.meta.last_reviewed.isoformat(),
        "isAccessibleForFree": True,
    }
    if here:
        data["url"] = here
    return data


def _audience(audience: Audience) -> dict[str, Any]:
    return {"@type": "EducationalAudience", "educationalRole": audience.name}


def worksheet_head(page: Page, case: Case, parts: Sequence[tuple[Audience, int | None]]) -> Markup:
    """The head block of a case's worksheet page: its LearningResource."""
    return _head(page, meta=[], links=[], data=json_ld(learning_resource(page, case, parts)))
