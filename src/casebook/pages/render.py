"""Validated cases to plain Markdown pages: the builder's input.

Everything contributed reaches a page either escaped (front-matter text) or rendered and
sanitised by `casebook.pages.markup` (Markdown bodies). Links between generated pages are
written as final relative URLs, so any builder that passes HTML through can build them.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from casebook.pages import citation, structured, worksheets
from casebook.pages.catalogue import (
    CATALOGUE_FILE,
    Facet,
    Related,
    facets,
    related_cases,
)
from casebook.pages.composer import COMPOSE_URL
from casebook.pages.evidencemap import MAP_URL, EvidenceMap, evidence_map
from casebook.pages.feed import FEED_PATH
from casebook.pages.markup import render_markdown
from casebook.pages.offlinefiles import OFFLINE_URL, downloads
from casebook.pages.templating import (  # re-exported: other modules import them from here
    LISTING,
    PAGE_SIZE,
    SiteSettings,
    environment,
    front_matter,
    page_count,
    pager,
    relative,
)
from casebook.sources import facilitation
from casebook.sources.i18n import Locale
from casebook.sources.links import page_links
from casebook.sources.model import Case, Library, Outcome
from casebook.sources.support import INTERNATIONAL, Service, SupportDirectory

__all__ = [
    "LISTING",
    "Renderer",
    "SiteSettings",
    "cases_in",
    "environment",
    "front_matter",
    "relative",
]


def outcome_groups(case: Case) -> list[tuple[list[Any], list[Outcome]]]:
    """Outcomes grouped under the chain of milestones that led to them, each chain once,
    in the order the chains first appear."""
    milestones = {m.id: m for m in case.meta.milestones}
    groups: dict[tuple[str, ...], list[Outcome]] = {}
    for outcome in case.meta.outcomes:
        groups.setdefault(tuple(outcome.chain), []).append(outcome)
    return [([milestones[step] for step in chain], texts) for chain, texts in groups.items()]


def outcome_timeline(case: Case) -> list[tuple[Any, list[Outcome]]]:
    """When every chain is the start of one longest chain (one line of events), that line's
    milestones in order, each with the outcomes its chain ends at; else an empty list."""
    chains = [tuple(o.chain) for o in case.meta.outcomes]
    if not chains:
        return []
    longest = max(chains, key=len)
    if any(chain != longest[: len(chain)] for chain in chains):
        return []
    milestones = {m.id: m for m in case.meta.milestones}
    ending: dict[str, list[Outcome]] = {}
    for outcome in case.meta.outcomes:
        ending.setdefault(outcome.chain[-1], []).append(outcome)
    return [(milestones[step], ending.get(step, [])) for step in longest]


# Cards in the library page's HTML; the finder lists the rest from the catalogue, and plain
# further pages (cases/page/2/ ...) hold them for readers without JavaScript.
LIBRARY_PAGE_SIZE = PAGE_SIZE


@dataclass
class Renderer:
    """Every generated page of one language's edition of the site."""

    library: Library
    locale: Locale
    settings: SiteSettings = field(default_factory=SiteSettings)
    # The edition's facilitator notes: worksheet pages show the session plan's time from them.
    notes: facilitation.FacilitatorNotes | None = None

    def __post_init__(self) -> None:
        self.env = environment(self.locale)
        self.language = self.locale.code
        self.case_ids = frozenset(case.id for case in self.library.cases)
        self.is_original = self.language == self.locale.original
        self.facets: list[Facet] = facets(self.library.vocabularies, self.locale)
        self.cases = sorted(
            cases_in(self.library, self.language, self.is_original),
            key=lambda c: c.meta.title.lower(),
        )
        self.audiences = self.library.questions.audiences_in(self.language)
        # A case's card is the same on every page that lists it, but for its link.
        self._cards: dict[str, dict[str, Any]] = {}

    def text_html(self, markdown: str) -> str:
        """A case's own text as safe HTML, its links to other pages made their addresses.
        A folded passage prints open, so on paper it says so where it starts."""
        html = page_links(render_markdown(markdown), self.case_ids)
        return html.replace("</summary>", self._folded_in_print) if "</summary>" in html else html

    @functools.cached_property
    def _folded_in_print(self) -> str:
        note = escape(self.locale.t("folded_in_print"), quote=False)
        return f'</summary>\n<p class="cb-print-note">{note}</p>'

    def related_cases(self) -> dict[str, list[Related]]:
        """Each case's related cases, worked out afresh: the build keeps them between runs
        (`casebook.pipeline.families.cases`) and hands each case page its own."""
        return related_cases(self.cases, self.facets)

    @functools.cached_property
    def evidence_map(self) -> EvidenceMap | None:
        """The evidence-and-gap map of this edition's cases (None without its vocabularies)."""
        return evidence_map(self.cases, self.facets, self.library.vocabularies)

    @property
    def support(self) -> SupportDirectory:
        return self.library.support

    def in_language(self, case: Case) -> bool:
        """Whether the case is written in this edition's language (not a fallback)."""
        return self.is_original or case.original is not None

    def worksheet_root(self, case: Case) -> str:
        """Where a case's worksheets live: this edition, or the original's for a fallback."""
        return "" if self.in_language(case) else "../"

    # Pages -------------------------------------------------------------------------------

    def edition_case_page(self, case: Case, related: Sequence[Related] = ()) -> str:
        """The case's page in this edition: the case itself, or a link to its original."""
        if self.in_language(case):
            return self.case_page(case, related)
        return self.fallback_page(case)

    def fallback_page(self, case: Case) -> str:
        """An untranslated case: a small page, in the reader's language, linking to the
        original. The case is built once, in its own edition, not again in every other."""
        t = self.locale
        original = case.meta.language
        context = {
            "meta": case.meta,
            "notice": t.t(
                "case_in_original_only",
                language=t.language_name(self.language),
                original=t.language_name(original),
            ),
            "original": relative(f"{self.language}/{case.url}", original_url(case, t)),
            "original_name": t.language_name(original),
            # Support in the reader's language, before they follow the link or instead of it.
            "services": self.services_for(case),
            "support": relative(case.url, "support/"),
        }
        return front_matter(case.meta.title, case.meta.summary) + self._render(
            "fallback.md.j2", context
        )

    def case_page(self, case: Case, related: Sequence[Related] = ()) -> str:
        """A case's page, with the cards of the `related` cases it is given."""
        url = case.url
        vocab = self.library.vocabularies
        t = self.locale
        notice = ""
        if case.outdated and case.meta.translated_version and case.original:
            notice = t.t(
                "translation_outdated",
                translated=t.date(case.meta.translated_version),
                reviewed=t.date(case.original.meta.last_reviewed),
            )
        context = {
            "case": case,
            "meta": case.meta,
            "notice": notice,
            "content_language": case.meta.language if case.meta.language != self.language else "",
            "intro_html": self.text_html(case.intro) if case.intro.strip() else "",
            "sections": [(s, self.text_html(s.markdown)) for s in case.sections],
            "notes": {n.section: n.note for n in case.meta.section_notes},
            "milestones": {m.id: m for m in case.meta.milestones},
            "outcome_groups": outcome_groups(case),
            "outcome_timeline": outcome_timeline(case),
            "facts": self._quick_facts(case, url),
            "label": lambda vocabulary, value: t.term(
                vocabulary, value, vocab[vocabulary].label_of(value)
            ),
            "audiences": [
                (audience, case.questions.get(audience.id, []))
                for audience in worksheets.declared_audiences(case, self.audiences)
            ],
            "citation": self._citation(case),
            "cite": self.cite(case, url),
            "related": [{**self._card(r.case, url), "shared": r.shared_labels} for r in related],
            "sizes": worksheets.PAGE_SIZES,
            "worksheets": self.worksheet_root(case) + f"worksheets/{case.id}/",
            "services": self.services_for(case),
            "link": lambda target: relative(url, target),
        }
        return front_matter(case.meta.title, case.meta.summary) + self._render(
            "case.md.j2", context
        )

    def services_for(self, case: Case) -> list[Service]:
        """The support services of the case's countries, in the edition's language."""
        found = self.library.support.for_countries(list(case.meta.countries))
        return [service.in_language(self.language) for service in found]

    def library_paths(self) -> list[str]:
        """The library's pages: the finder, then cases/page/2.md and on."""
        count = page_count(len(self.cases), LIBRARY_PAGE_SIZE)
        return ["cases/index.md", *(f"cases/page/{n}.md" for n in range(2, count + 1))]

    def library_pages(self) -> Iterator[tuple[str, str]]:
        """The library: the finder with the first page of cards, then plain further pages."""
        chunks = [
            self.cases[i : i + LIBRARY_PAGE_SIZE]
            for i in range(0, len(self.cases), LIBRARY_PAGE_SIZE)
        ] or [[]]
        yield "cases/index.md", self.library_page(chunks[0], len(chunks))
        for number, chunk in enumerate(chunks[1:], start=2):
            url = f"cases/page/{number}/"
            context = {
                "cases": [self._card(case, url) for case in chunk],
                "pager": self._pager(url, number, len(chunks)),
                "link": lambda target, url=url: relative(url, target),
            }
            title = self.locale.t("pager_title", page=number, pages=len(chunks))
            yield (
                f"cases/page/{number}.md",
                front_matter(title, hide=["toc"], **LISTING)
                + self._render("library_page.md.j2", context),
            )

    def _pager(self, url: str, number: int, count: int) -> dict[str, Any]:
        return pager(url, number, count, "cases/", self.locale.t("pager_label"))

    def library_page(self, first: list[Case] | None = None, pages: int = 1) -> str:
        url = "cases/"
        first = self.cases if first is None else first
        years = [c.meta.period.start for c in self.cases] + [
            c.meta.period.end if c.meta.period.end is not None else datetime.date.today().year
            for c in self.cases
        ]
        context = {
            "cases": [self._card(case, url) for case in first],
            "total": len(self.cases),
            "pager": self._pager(url, 1, pages),
            "years": (min(years), max(years)) if years else (0, 0),
            "facet_values": [
                (
                    facet,
                    [
                        (value, facet.label_of(value), counts[value])
                        for value in facet.used_values(self.cases)
                    ],
                )
                for facet in self.facets
                for counts in [facet.counts(self.cases)]
                if counts
            ],
            "catalogue": relative(url, CATALOGUE_FILE),
            "feed": FEED_PATH,
            "facets": self.facets,
            "finder_strings": {
                key: self.locale.t(key)
                for key in (
                    "finder_words_hint",
                    "finder_none",
                    "finder_selected",
                    "finder_shown",
                    "finder_more",
                    "case_one",
                    "case_other",
                    "period_present",
                )
            },
            "link": lambda target: relative(url, target),
        }
        # The finder needs the width that the (empty) table of contents would take.
        return front_matter(
            self.locale.t("case_library"),
            self.locale.t("case_library_description"),
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
            self.locale.t("browse_cases"), self.locale.t("browse_description"), **LISTING
        ) + (self._render("browse.md.j2", context))

    def facet_index(self, facet: Facet, counts: Any) -> str:
        url = f"browse/{facet.id}/"
        context = {
            "facet": facet,
            "values": sorted(counts.items(), key=lambda item: facet.label_of(item[0]).lower()),
            "link": lambda target: relative(url, target),
        }
        title = self.locale.t("cases_by", facet=facet.label.lower())
        return front_matter(title, **LISTING) + self._render("facet_index.md.j2", context)

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

    def map_page(self) -> str:
        """The evidence-and-gap map: a table of strategies by settings, every count a link to
        the finder filtered to its cases, every empty cell marked as a gap."""
        found = self.evidence_map
        assert found is not None  # the page is planned only with a map
        finder = relative(MAP_URL, "cases/")
        rows = [
            (
                found.rows.label_of(row),
                [
                    (
                        found.columns.label_of(column),
                        len(found.cases_in(row, column)),
                        f"{finder}?{found.finder_query(row, column)}",
                    )
                    for column in found.column_values
                ],
            )
            for row in found.row_values
        ]
        context = {
            "found": found,
            "columns": [found.columns.label_of(c) for c in found.column_values],
            "rows": rows,
            "total": len(self.cases),
            "browse": relative(MAP_URL, "browse/"),
            "data": relative(MAP_URL, "catalogue.json"),
        }
        title = self.locale.t("map_title")
        # The table needs the page's whole width: no navigation or contents beside it.
        head = front_matter(
            title, self.locale.t("map_description"), hide=["navigation", "toc"], **LISTING
        )
        return head + self._render("map.md.j2", context)

    def offline_page(self) -> str:
        """How to take the library offline: each edition's file for Kiwix readers, when this
        build writes them, then the PDFs, the workshop pack and the support services."""
        here = ("" if self.is_original else f"{self.language}/") + OFFLINE_URL
        files = [
            (d, relative(here, OFFLINE_URL + d.file)) for d in downloads(self.settings, self.locale)
        ]
        context = {
            "files": files if self.settings.offline_files else [],
            "worksheets": relative(OFFLINE_URL, "worksheets/"),
            "composer": relative(OFFLINE_URL, COMPOSE_URL),
            "support": relative(OFFLINE_URL, "support/"),
        }
        return front_matter(
            self.locale.t("offline_page_title"), self.locale.t("offline_page_description")
        ) + self._render("offline.md.j2", context)

    def support_page(self) -> str:
        support = self.library.support
        groups = support.by_country()
        country = self.locale.country
        ordered = sorted((k for k in groups if k != INTERNATIONAL), key=country)
        international = self.locale.t("international")

        def local(services: list[Service]) -> list[Service]:
            return [service.in_language(self.language) for service in services]

        context = {
            "groups": [(country(k), local(groups[k])) for k in ordered]
            + ([(international, local(groups[INTERNATIONAL]))] if INTERNATIONAL in groups else []),
            "link": lambda target: relative("support/", target),
        }
        return front_matter(
            self.locale.t("support_title"), self.locale.t("support_description")
        ) + self._render("support.md.j2", context)

    # Parts -------------------------------------------------------------------------------

    def _render(self, template: str, context: dict[str, Any]) -> str:
        return self.env.get_template(template).render(settings=self.settings, **context)

    def period(self, case: Case) -> str:
        period = case.meta.period
        end = period.end if period.end is not None else self.locale.t("period_present")
        return str(period.start) if end == period.start else f"{period.start}–{end}"

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
            rows.insert(1, (self.locale.t("scope"), [(meta.subnational_scope, "")]))
        rows.insert(1, (self.locale.t("period"), [(self.period(case), "")]))
        return rows

    def _card(self, case: Case, url: str) -> dict[str, Any]:
        card = self._cards.get(case.id)
        if card is None or card["case"] is not case:
            card = self._cards[case.id] = {
                "case": case,
                "countries": ", ".join(self.locale.country(c) for c in case.meta.countries),
                "period": self.period(case),
                "themes": self.theme_labels(case),
            }
        return {**card, "href": relative(url, case.url)}

    def suggested_citation(self, case: Case) -> str:
        """The case's suggested citation, as on its page and in its PDF."""
        return self._citation(case)

    def theme_labels(self, case: Case) -> list[str]:
        themes = self.library.vocabularies["themes"]
        return [self.locale.term("themes", t, themes.label_of(t)) for t in case.meta.themes]

    def reference(self, case: Case) -> citation.Reference:
        return citation.reference(case, self.locale, self.settings, self.theme_labels(case))

    def cite(self, case: Case, url: str) -> dict[str, Any]:
        """The case page's "Cite this case": formatted citations, files, and the head block."""
        ref = self.reference(case)
        return {
            "styles": [(key, style(ref)) for key, style in citation.STYLES],
            "files": [(relative(url, kind.path(case)), kind) for kind in citation.FILE_KINDS],
            "head": structured.case_head(self, case, ref),
        }

    def _citation(self, case: Case) -> str:
        meta = case.meta
        prefix = "" if self.is_original else f"{self.language}/"
        return self.locale.t(
            "citation",
            site=self.settings.name,
            title=meta.title,
            organisation=meta.organisation.short_name or meta.organisation.name,
            date=self.locale.date(meta.last_reviewed),
            url=citation.page_address(self.settings, prefix + case.url),
        )


def original_url(case: Case, locale: Locale) -> str:
    """A case's page in its own edition, from the site's root (the original's, or /<code>/)."""
    language = case.meta.language
    return case.url if language == locale.original else f"{language}/{case.url}"


def cases_in(library: Library, language: str, is_original: bool) -> list[Case]:
    """The published cases of one edition: translations where they exist, else originals."""
    if is_original:
        return library.published
    own = library.translations.get(language, {})
    return [
        own[case.id] if case.id in own and own[case.id].published else case
        for case in library.published
    ]
