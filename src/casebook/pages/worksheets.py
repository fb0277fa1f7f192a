"""Reflection worksheets: a web page and print-ready PDFs for every case and the audiences
it declares, plus facilitator notes as a separate PDF so participants' sheets print without
them. The same print templates make a trainer's combined session sheet (`casebook.commands.session`).

This module says what each sheet holds and writes its web page and its print HTML;
`casebook.outputs.pdf` renders the print HTML, and `casebook.sources.facilitation` reads the facilitator
notes and plans a session's timing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from jinja2 import Environment

from casebook.pages import structured
from casebook.pages.templating import (
    LISTING,
    PAGE_SIZE,
    SiteSettings,
    front_matter,
    page_count,
    pager,
)
from casebook.sources.facilitation import FacilitatorNotes, SessionPlan
from casebook.sources.i18n import Locale
from casebook.sources.model import Case, CaseFrontMatter
from casebook.sources.questions import Audience, Question
from casebook.sources.support import INTERNATIONAL, Service, SupportDirectory

# id -> (CSS page size, key of its label in i18n/<language>/strings.yml)
PAGE_SIZES = {"a4": ("A4", "size_a4"), "letter": ("Letter", "size_letter")}
WRITING_LINES = 5  # ruled lines under each question on a participant's sheet


# What a sheet holds ------------------------------------------------------------------------


class SheetRenderer(Protocol):
    """What the worksheets need from one edition of the site (casebook.pages.render.Renderer)."""

    env: Environment
    locale: Locale
    language: str
    settings: SiteSettings
    cases: list[Case]
    audiences: dict[str, Audience]
    is_original: bool
    notes: FacilitatorNotes | None

    @property
    def support(self) -> SupportDirectory: ...

    def in_language(self, case: Case) -> bool: ...
    def worksheet_root(self, case: Case) -> str: ...
    def period(self, case: Case) -> str: ...


def declared_audiences(case: Case, audiences: dict[str, Audience]) -> list[Audience]:
    """The audiences the case declares, in the order of the audiences' files."""
    return [audience for key, audience in audiences.items() if key in case.meta.audiences]


@dataclass(frozen=True)
class Sheet:
    """One PDF: a participant worksheet (audience set) or facilitator notes (audience None)."""

    case: Case
    audience: Audience | None
    size: str  # a key of PAGE_SIZES

    @property
    def kind(self) -> str:
        return self.audience.id if self.audience else "facilitator"

    @property
    def filename(self) -> str:
        return f"{self.case.id}-{self.kind}-{self.size}.pdf"

    @property
    def path(self) -> str:
        return f"worksheets/{self.case.id}/{self.filename}"


def sheets_for(case: Case, audiences: dict[str, Audience]) -> list[Sheet]:
    declared = declared_audiences(case, audiences)
    found = [Sheet(case, audience, size) for audience in declared for size in PAGE_SIZES]
    found += [Sheet(case, None, size) for size in PAGE_SIZES]
    return found


def questions_for(case: Case, audience: Audience) -> list[Question]:
    """The case's own questions first, then the audience's general ones."""
    return [*case.questions.get(audience.id, []), *audience.questions]


def case_address(edition: SheetRenderer, case: Case) -> str:
    """The case page's absolute address in this edition, or '' without a site_url."""
    # Every edition has a page for every case, a fallback in the original language included.
    prefix = "" if edition.is_original else f"{edition.language}/"
    return edition.settings.address(prefix + case.url)


@functools.lru_cache(maxsize=256)
def qr_code(address: str) -> str:
    """A vector (SVG) QR code of an address, as a data URI; made here, with no network.

    Cached: a case's worksheets and facilitator notes, in both sizes, share one."""
    import segno

    code = segno.make(address, error="m", micro=False)
    return str(code.svg_data_uri(scale=1, border=0, dark="#000"))


@dataclass
class SheetCase:
    """One case on a sheet: its facts, and the audience whose questions it brings."""

    case: Case
    audience: Audience | None
    period: str
    address: str = ""
    qr: str = ""
    content_language: str = ""  # set when the case's text is not in the sheet's language

    @property
    def meta(self) -> CaseFrontMatter:
        return self.case.meta


@dataclass
class SheetQuestion:
    question: Question
    case: SheetCase | None = None  # the case it comes from; None for a general question
    language: str = ""  # set when the question is not in the sheet's language
    added: bool = False  # a trainer's own question


def own_questions(block: SheetCase) -> list[SheetQuestion]:
    """The case's own questions for its audience, in the case's language."""
    questions = block.case.questions.get(block.audience.id, []) if block.audience else []
    return [SheetQuestion(q, block, block.content_language) for q in questions]


def case_questions(block: SheetCase) -> list[SheetQuestion]:
    """A case's questions for its audience: its own, then the audience's general ones."""
    general = block.audience.questions if block.audience else []
    return own_questions(block) + [SheetQuestion(q, block) for q in general]


@dataclass
class SheetContent:
    """Everything a participant sheet or facilitator notes print, for one or more cases."""

    title: str
    cases: list[SheetCase]
    questions: list[SheetQuestion]
    services: list[tuple[str, list[Service]]]  # (heading, services), the cases' countries first
    plans: list[tuple[str, SessionPlan]]  # (label, plan); one for a participant sheet
    footer: list[str]  # the lines of every page's footer
    support_url: str = ""
    audience: Audience | None = None  # a single-case worksheet's audience
    audiences: list[Audience] = field(default_factory=list)  # on a case's facilitator notes
    session_date: str = ""
    session: bool = False

    @property
    def plan(self) -> SessionPlan:
        return self.plans[0][1]

    @property
    def plan_columns(self) -> list[tuple[str, SessionPlan]]:
        """One timing column, or one per worksheet when their plans differ."""
        first = self.plans[0][1]
        if all(plan.steps == first.steps for _, plan in self.plans):
            return [("", first)]
        return self.plans

    @property
    def by_audience(self) -> list[tuple[Audience, list[Question]]]:
        """On a case's facilitator notes: each declared audience's questions."""
        case = self.cases[0].case
        return [(audience, questions_for(case, audience)) for audience in self.audiences]


def support_groups(
    support: SupportDirectory, countries: Sequence[str], locale: Locale
) -> list[tuple[str, list[Service]]]:
    """Services for each of the countries, then the international ones, in the language."""
    groups: list[tuple[str, list[Service]]] = []
    for country in dict.fromkeys(countries):
        local = [s.in_language(locale.code) for s in support.services if s.country == country]
        if local:
            groups.append((locale.country(country), local))
    international = [
        s.in_language(locale.code) for s in support.services if s.country == INTERNATIONAL
    ]
    if international:
        groups.append((locale.t("international"), international))
    return groups


def sheet_case(
    edition: SheetRenderer, case: Case, audience: Audience | None, printed: bool = True
) -> SheetCase:
    address = case_address(edition, case)
    qr = qr_code(address) if printed and address and edition.settings.worksheet_qr else ""
    language = case.meta.language
    return SheetCase(
        case,
        audience,
        edition.period(case),
        address,
        qr,
        language if language != edition.language else "",
    )


def footer_lines(edition: SheetRenderer, title: str, cases: list[SheetCase]) -> list[str]:
    t = edition.locale
    if len(cases) == 1:
        only = cases[0]
        second = t.t("footer_reviewed", date=t.date(only.meta.last_reviewed))
        if only.address:
            second += f" · {only.address}"
        return [title, second]
    reviewed = "; ".join(
        t.t(
            "footer_reviewed_of",
            case=c.meta.organisation.short_name or c.meta.organisation.name,
            date=t.date(c.meta.last_reviewed),
        )
        for c in cases
    )
    return [title, reviewed]


def case_sheet(
    edition: SheetRenderer,
    support: SupportDirectory,
    notes: FacilitatorNotes | None,
    case: Case,
    audience: Audience | None,
    printed: bool = True,
) -> SheetContent:
    """A case's worksheet for one audience, or (audience None) its facilitator notes.

    A web page (printed=False) needs no QR code: the reader is already at the address."""
    t = edition.locale
    declared = declared_audiences(case, edition.audiences)
    if audience is not None:
        block = sheet_case(edition, case, audience, printed)
        questions = case_questions(block)
        plans = [(audience.short_name, notes.plan(len(questions)))] if notes else []
    else:
        block = sheet_case(edition, case, None, printed)
        questions = []
        plans = (
            [(a.short_name, notes.plan(len(questions_for(case, a)))) for a in declared]
            if notes
            else []
        )
    return SheetContent(
        title=case.meta.title,
        cases=[block],
        questions=questions,
        services=support_groups(support, case.meta.countries, t),
        plans=plans,
        footer=footer_lines(edition, case.meta.title, [block]),
        support_url=support_address(edition),
        audience=audience,
        audiences=declared,
    )


def support_address(edition: SheetRenderer) -> str:
    """The edition's support page's full address, or '' without a site_url."""
    return edition.settings.address(
        ("" if edition.is_original else f"{edition.language}/") + "support/"
    )


def session_sheet(
    edition: SheetRenderer,
    support: SupportDirectory,
    notes: FacilitatorNotes,
    picks: Sequence[tuple[Case, Audience]],
    title: str = "",
    date: str = "",
    length: int | None = None,
    leave_out: Collection[int] = (),
) -> SheetContent:
    """A trainer's combined sheet: every chosen case with its audience's questions, less the
    questions numbered in `leave_out` (counted from 1, as a sheet without it numbers them)."""
    t = edition.locale
    blocks = [sheet_case(edition, case, audience) for case, audience in picks]
    # Each case's own questions, then each audience's general questions once.
    questions = [item for block in blocks for item in own_questions(block)]
    seen: set[str] = set()
    for block in blocks:
        if block.audience and block.audience.id not in seen:
            seen.add(block.audience.id)
            questions += [SheetQuestion(q) for q in block.audience.questions]
    questions = [q for number, q in enumerate(questions, 1) if number not in leave_out]
    if not title:
        title = (
            blocks[0].meta.title
            if len(blocks) == 1
            else t.t(
                "session_default_title",
                cases=", ".join(
                    b.meta.organisation.short_name or b.meta.organisation.name for b in blocks
                ),
            )
        )
    countries = [country for block in blocks for country in block.meta.countries]
    return SheetContent(
        title=title,
        cases=blocks,
        questions=questions,
        services=support_groups(support, countries, t),
        plans=[("", notes.plan(len(questions), length))],
        footer=footer_lines(edition, title, blocks),
        support_url=support_address(edition),
        session_date=date,
        session=True,
    )


def print_html(
    edition: SheetRenderer,
    content: SheetContent,
    notes: FacilitatorNotes,
    size: str,
    facilitator: bool,
) -> str:
    """The print HTML of a participant sheet or facilitator notes, for WeasyPrint or Chromium."""
    env = edition.env
    css_size, size_key = PAGE_SIZES[size]
    template = "facilitator_print.html.j2" if facilitator else "worksheet_print.html.j2"
    return env.get_template(template).render(
        sheet=content,
        notes=notes,
        settings=edition.settings,
        page_size=css_size,
        size_label=edition.locale.t(size_key),
        lines=WRITING_LINES,
        footer_css=css_string("\n".join(content.footer)),
        css=print_css(env),
    )


def print_css(env: Environment) -> str:
    return env.loader.get_source(env, "print.css")[0] if env.loader else ""


def css_string(text: str) -> str:
    """Text as the inside of a CSS string: every character but letters, digits and spaces
    as a CSS escape (its code in hex and a space), so that nothing in it (a quote, a
    backslash, a line break of any kind, `</style>`) can end the string or the rule."""
    return "".join(
        char if char == " " or char.isalnum() else f"\\{ord(char) or 0xFFFD:x} " for char in text
    )


def print_documents(
    edition: SheetRenderer, support: SupportDirectory, notes: FacilitatorNotes
) -> Iterator[tuple[str, str]]:
    """(docs path, print HTML) for every PDF of the cases written in this edition's language."""
    for case in sorted(edition.cases, key=lambda c: c.id):
        if not edition.in_language(case):
            continue
        contents: dict[str | None, SheetContent] = {}
        for sheet in sheets_for(case, edition.audiences):
            key = sheet.audience.id if sheet.audience else None
            if key not in contents:
                contents[key] = case_sheet(edition, support, notes, case, sheet.audience)
            yield (
                sheet.path,
                print_html(
                    edition, contents[key], notes, sheet.size, facilitator=sheet.audience is None
                ),
            )


# Web pages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebPart:
    """One audience's part of a case's worksheet page."""

    audience: Audience
    sheet: SheetContent
    plan: SessionPlan | None


def web_pages(
    edition: SheetRenderer, link_from: Callable[[str], Callable[[str], str]]
) -> Iterator[tuple[str, str]]:
    """(docs path, Markdown) for each case's worksheet page, then the worksheet index.

    One page a case, with a part for each audience it declares (each audience's sheet is
    also its own PDF). An edition has worksheet pages for the cases written in its
    language; a case shown as a fallback links to the original edition's worksheets instead.
    """
    template = edition.env.get_template("worksheet.md.j2")
    for case in edition.cases:
        if not edition.in_language(case):
            continue
        url = f"worksheets/{case.id}/"
        parts = [
            _web_part(edition, case, audience)
            for audience in declared_audiences(case, edition.audiences)
        ]
        text = template.render(
            case=case,
            meta=case.meta,
            parts=parts,
            support=support_groups(edition.support, case.meta.countries, edition.locale),
            sizes=PAGE_SIZES,
            period=edition.period(case),
            link=link_from(url),
            head=structured.worksheet_head(
                edition, case, [(p.audience, p.plan.total if p.plan else None) for p in parts]
            ),
        )
        title = edition.locale.t("worksheets_case_title", title=case.meta.title)
        yield (
            f"worksheets/{case.id}/index.md",
            front_matter(title, case.meta.summary, **LISTING) + text,
        )
    yield from index_pages(edition, link_from)


def moved_pages(edition: SheetRenderer, case: Case) -> Iterator[tuple[str, Callable[[], str]]]:
    """(docs path, how to make it) of the page at each audience's old address, which sends
    the reader to that audience's part of the case's worksheet page. Plain HTML: the
    builder copies it as it is."""
    template = edition.env.get_template("worksheet_moved.html.j2")
    for audience in declared_audiences(case, edition.audiences):
        title = edition.locale.t(
            "worksheet_title", audience=audience.short_name.lower(), title=case.meta.title
        )
        yield (
            f"worksheets/{case.id}/{audience.id}/index.html",
            functools.partial(
                template.render,
                language=edition.language,
                title=title,
                audience=audience.id,
                settings=edition.settings,
            ),
        )


def _web_part(edition: SheetRenderer, case: Case, audience: Audience) -> WebPart:
    sheet = case_sheet(edition, edition.support, edition.notes, case, audience, printed=False)
    return WebPart(audience, sheet, sheet.plans[0][1] if sheet.plans else None)


INDEX_PAGE_SIZE = PAGE_SIZE


def index_paths(edition: SheetRenderer) -> list[str]:
    """The worksheet index's pages: worksheets/index.md, then worksheets/page/2.md and on."""
    count = page_count(len(edition.cases), INDEX_PAGE_SIZE)
    return ["worksheets/index.md", *(f"worksheets/page/{n}.md" for n in range(2, count + 1))]


def index_pages(
    edition: SheetRenderer, link_from: Callable[[str], Callable[[str], str]]
) -> Iterator[tuple[str, str]]:
    """Every case's worksheets, in pages of INDEX_PAGE_SIZE cases, so that the index's
    weight does not grow with the library."""
    env, t = edition.env, edition.locale
    paths = index_paths(edition)
    for number, path in enumerate(paths, start=1):
        url = "worksheets/" if number == 1 else f"worksheets/page/{number}/"
        chunk = edition.cases[(number - 1) * INDEX_PAGE_SIZE : number * INDEX_PAGE_SIZE]
        text = env.get_template("worksheets_index.md.j2").render(
            cases=[(case, edition.worksheet_root(case)) for case in chunk],
            link=link_from(url),
            pager=pager(url, number, len(paths), "worksheets/", t.t("worksheets_pager_label")),
        )
        title = (
            t.t("reflection_worksheets")
            if number == 1
            else t.t("worksheets_pager_title", page=number, pages=len(paths))
        )
        yield path, front_matter(title, t.t("worksheets_description"), **LISTING) + text
