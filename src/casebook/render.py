"""Validated cases to plain Markdown pages: the builder's input.

Everything contributed reaches a page either escaped (front-matter text) or rendered and
sanitised by `casebook.markup` (Markdown bodies). Links between generated pages are
written as final relative URLs, so any builder that passes HTML through can build them.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from jinja2 import Environment, PackageLoader, StrictUndefined

from casebook import worksheets
from casebook.catalogue import (
    CATALOGUE_FILE,
    Facet,
    country_name,
    facets,
    related_cases,
)
from casebook.markup import attribute, inline_text, render_markdown
from casebook.model import Case
from casebook.support import INTERNATIONAL
from casebook.validate import Library


@dataclass(frozen=True)
class SiteSettings:
    """The `extra.casebook` block of mkdocs.yml, with defaults."""

    name: str = "Casebook"
    site_url: str = ""
    exit_url: str = "https://www.bbc.co.uk/weather"

    @property
    def support_location(self) -> str:
        """Where printed sheets send readers for support."""
        if self.site_url:
            return f"at {self.site_url.rstrip('/')}/support/"
        return f"on the “Where to find support” page of the {self.name} website"

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> SiteSettings:
        extra = (config.get("extra") or {}).get("casebook") or {}
        return cls(
            name=str(config.get("site_name") or cls.name),
            site_url=str(config.get("site_url") or ""),
            exit_url=str(extra.get("exit_url") or cls.exit_url),
        )


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("casebook", "templates"),
        autoescape=True,  # every front-matter value is escaped unless marked safe here
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Markdown heading ids are written `{#id}`, so Jinja comments use `{## ##}`.
        comment_start_string="{##",
        comment_end_string="##}",
    )
    env.filters["md"] = inline_text
    env.filters["markdown"] = render_markdown
    env.filters["country"] = country_name
    return env


def relative(from_url: str, to_url: str) -> str:
    """A relative link between two directory URLs such as 'cases/x/' and 'browse/'."""
    start = posixpath.dirname(from_url.rstrip("/") + "/x") or "."
    target = posixpath.relpath(to_url or ".", start)
    if to_url.endswith("/") and not target.endswith("/"):
        target += "/"
    return "./" if target in (".", "./") else target


LISTING: dict[str, Any] = {
    "search": {"exclude": True}
}  # generated listing pages stay out of the search index


def front_matter(title: str, description: str = "", **extra: Any) -> str:
    meta: dict[str, Any] = {"title": attribute(title)}
    if description:
        meta["description"] = attribute(description)
    meta.update(extra)
    return (
        "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000) + "---\n\n"
    )


@dataclass
class Renderer:
    library: Library
    settings: SiteSettings = field(default_factory=SiteSettings)

    def __post_init__(self) -> None:
        self.env = environment()
        self.facets: list[Facet] = facets(self.library.vocabularies)
        self.cases = sorted(self.library.published, key=lambda c: c.meta.title.lower())
        self.related = related_cases(self.cases, self.facets)

    def pages(self) -> Iterator[tuple[str, str]]:
        """(path inside the builder's docs folder, Markdown text) for every generated page."""
        for case in self.cases:
            yield f"cases/{case.id}.md", self.case_page(case)
        yield "cases/index.md", self.library_page()
        yield from worksheets.web_pages(
            self.library, self.env, self.settings, lambda url: lambda target: relative(url, target)
        )
        yield "browse/index.md", self.browse_index()
        yield "support.md", self.support_page()
        for facet in self.facets:
            counts = facet.counts(self.cases)
            yield f"browse/{facet.id}/index.md", self.facet_index(facet, counts)
            for value in counts:
                yield f"browse/{facet.id}/{value.lower()}.md", self.facet_page(facet, value)

    # Pages -------------------------------------------------------------------------------

    def case_page(self, case: Case) -> str:
        url = case.url
        vocab = self.library.vocabularies
        audiences = self.library.questions.audiences
        context = {
            "case": case,
            "meta": case.meta,
            "intro_html": render_markdown(case.intro) if case.intro.strip() else "",
            "sections": [(s, render_markdown(s.markdown)) for s in case.sections],
            "notes": {n.section: n.note for n in case.meta.section_notes},
            "milestones": {m.id: m for m in case.meta.milestones},
            "facts": self._quick_facts(case, url),
            "label": lambda vocabulary, value: vocab[vocabulary].label_of(value),
            "audiences": [
                (audience, case.questions.get(audience.id, [])) for audience in audiences.values()
            ],
            "citation": self._citation(case),
            "related": [
                {**self._card(r.case, url), "shared": r.shared_labels}
                for r in self.related.get(case.id, [])
            ],
            "sizes": worksheets.PAGE_SIZES,
            "services": self.library.support.for_countries(list(case.meta.countries)),
            "link": lambda target: relative(url, target),
        }
        return front_matter(case.meta.title, case.meta.summary) + self._render(
            "case.md.j2", context
        )

    def library_page(self) -> str:
        url = "cases/"
        context = {
            "cases": [self._card(case, url) for case in self.cases],
            "catalogue": relative(url, CATALOGUE_FILE),
            "facets": self.facets,
            "link": lambda target: relative(url, target),
        }
        # The finder needs the width that the (empty) table of contents would take.
        return front_matter(
            "Case library",
            "Every practice-based knowledge case study in Casebook.",
            hide=["toc"],
            **LISTING,
        ) + self._render("library.md.j2", context)

    def browse_index(self) -> str:
        url = "browse/"
        context = {
            "facets": [(f, f.counts(self.cases)) for f in self.facets],
            "link": lambda target: relative(url, target),
        }
        return front_matter(
            "Browse cases", "Cases by country, setting, theme and audience.", **LISTING
        ) + (self._render("browse.md.j2", context))

    def facet_index(self, facet: Facet, counts: Any) -> str:
        url = f"browse/{facet.id}/"
        context = {
            "facet": facet,
            "values": sorted(counts.items(), key=lambda item: facet.label_of(item[0]).lower()),
            "link": lambda target: relative(url, target),
        }
        return front_matter(f"Cases by {facet.label.lower()}", **LISTING) + self._render(
            "facet_index.md.j2", context
        )

    def facet_page(self, facet: Facet, value: str) -> str:
        url = f"browse/{facet.id}/{value.lower()}/"
        matching = [c for c in self.cases if value in facet.values_of(c)]
        label = facet.label_of(value)
        context = {
            "facet": facet,
            "value_label": label,
            "cases": [self._card(case, url) for case in matching],
            "link": lambda target: relative(url, target),
        }
        return front_matter(f"{facet.label}: {label}", **LISTING) + self._render(
            "facet.md.j2", context
        )

    def support_page(self) -> str:
        support = self.library.support
        groups = support.by_country()
        ordered = sorted((k for k in groups if k != INTERNATIONAL), key=country_name)
        context = {
            "groups": [(country_name(k), groups[k]) for k in ordered]
            + ([("International", groups[INTERNATIONAL])] if INTERNATIONAL in groups else []),
            "link": lambda target: relative("support/", target),
        }
        return front_matter(
            "Where to find support",
            "Help for anyone affected by what they read in these case studies.",
        ) + self._render("support.md.j2", context)

    # Parts -------------------------------------------------------------------------------

    def _render(self, template: str, context: dict[str, Any]) -> str:
        return self.env.get_template(template).render(settings=self.settings, **context)

    def _quick_facts(self, case: Case, url: str) -> list[tuple[str, list[tuple[str, str]]]]:
        """(label, [(text, link or '')]) rows; facet values open the finder filtered to them."""
        rows: list[tuple[str, list[tuple[str, str]]]] = []
        finder = relative(url, "cases/")
        for facet in self.facets:
            values = facet.values_of(case)
            rows.append(
                (
                    facet.label,
                    [(facet.label_of(v), f"{finder}?{facet.finder_link(v)}") for v in values],
                )
            )
        meta = case.meta
        if meta.subnational_scope:
            rows.insert(1, ("Scope", [(meta.subnational_scope, "")]))
        rows.insert(1, ("Period", [(str(meta.period), "")]))
        return rows

    def _card(self, case: Case, url: str) -> dict[str, Any]:
        return {
            "case": case,
            "href": relative(url, case.url),
            "countries": ", ".join(country_name(c) for c in case.meta.countries),
            "themes": [self.library.vocabularies["themes"].label_of(t) for t in case.meta.themes],
        }

    def _citation(self, case: Case) -> str:
        meta = case.meta
        where = (
            f"{self.settings.site_url.rstrip('/')}/{case.url}"
            if self.settings.site_url
            else f"/{case.url}"
        )
        return (
            f"{self.settings.name}. “{meta.title}”. Practice-based knowledge case study on "
            f"{meta.organisation.short_name or meta.organisation.name}, "
            f"last reviewed {meta.last_reviewed.isoformat()}. {where}"
        )
