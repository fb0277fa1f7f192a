"""Reflection worksheets: a web page and print-ready PDFs for every case and the audiences
it declares, plus facilitator notes as a separate PDF so participants' sheets print without
them. The same print templates make a trainer's combined session sheet (`casebook.session`).

PDFs are rendered by WeasyPrint from Jinja2 print templates (autoescaped), in parallel
across the cores, and cached by a hash of their full input outside site/, so a rebuild
with no changes renders none.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from jinja2 import Environment
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from casebook.i18n import Locale
from casebook.loader import LoadError, read_yaml_file
from casebook.messages import explain
from casebook.model import Case, CaseFrontMatter
from casebook.problems import Problem, display_path
from casebook.project import Project
from casebook.questions import Audience, Question
from casebook.support import INTERNATIONAL, Service, SupportDirectory
from casebook.templating import (
    LISTING,
    PAGE_SIZE,
    SiteSettings,
    front_matter,
    page_count,
    pager,
)

# id -> (CSS page size, key of its label in i18n/<language>/strings.yml)
PAGE_SIZES = {"a4": ("A4", "size_a4"), "letter": ("Letter", "size_letter")}
PDF_VARIANT = "pdf/ua-1"  # tagged PDF, readable by screen readers
WRITING_LINES = 5  # ruled lines under each question on a participant's sheet


# Facilitator notes and the session plan ----------------------------------------------------


class TimingStep(BaseModel):
    """One step of the session plan: a fixed time, a time per question, or the rest."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    minutes: int | None = Field(
        None, gt=0, le=240, description="Fixed minutes; with fills_session, the least it takes."
    )
    minutes_per_question: float | None = Field(
        None, gt=0, le=30, description="Minutes for each question (rounded up to 5 in all)."
    )
    fills_session: bool = Field(
        False, description="This step takes whatever time a longer session has left."
    )
    activity: str = Field(min_length=1)

    @model_validator(mode="after")
    def _one_kind(self) -> TimingStep:
        if (self.minutes is None) == (self.minutes_per_question is None):
            raise ValueError(
                "give a step either 'minutes: 10' or 'minutes_per_question: 2', not both or neither"
            )
        return self


class FacilitatorNotes(BaseModel):
    """The shared part of every case's facilitator notes (reflective_questions/facilitation/notes.yml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    aims: list[str] = Field(min_length=1)
    timing: list[TimingStep] = Field(min_length=1)
    ground_rules: list[str] = Field(min_length=1)
    looking_after_participants: list[str] = Field(min_length=1)
    if_someone_discloses: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_filler(self) -> FacilitatorNotes:
        if sum(step.fills_session for step in self.timing) > 1:
            raise ValueError("only one timing step may have 'fills_session: true'")
        return self

    def plan(self, questions: int, length: int | None = None) -> SessionPlan:
        return session_plan(self, questions, length)


@dataclass(frozen=True)
class PlanStep:
    minutes: int
    activity: str


@dataclass(frozen=True)
class SessionPlan:
    """A session's steps and their minutes, for a sheet with `questions` questions.

    The steps always add up to `total`. `needed` is the shortest session that fits the
    questions; a requested length below it is kept in `requested` so the sheet can say so.
    """

    steps: tuple[PlanStep, ...]
    questions: int
    needed: int
    requested: int | None = None

    @property
    def total(self) -> int:
        return sum(step.minutes for step in self.steps)

    @property
    def too_short(self) -> bool:
        return self.requested is not None and self.requested < self.needed


def step_minutes(step: TimingStep, questions: int) -> int:
    if step.minutes_per_question is not None:
        # Rounded up to whole five minutes, so a plan reads as a trainer would write it.
        return max(5, 5 * math.ceil(step.minutes_per_question * max(questions, 1) / 5))
    return step.minutes or 0


def session_plan(notes: FacilitatorNotes, questions: int, length: int | None = None) -> SessionPlan:
    """The plan for `questions` questions, stretched to `length` minutes when that is longer.

    composer.js computes the same plan in the browser; tests check the two agree.
    """
    minutes = [step_minutes(step, questions) for step in notes.timing]
    needed = sum(minutes)
    if length is not None and length > needed:
        filler = next((i for i, s in enumerate(notes.timing) if s.fills_session), len(minutes) - 1)
        minutes[filler] += length - needed
    steps = tuple(PlanStep(m, s.activity) for m, s in zip(minutes, notes.timing, strict=True))
    return SessionPlan(steps, questions, needed, length)


def notes_path(project: Project, language: str = "") -> Path:
    folder = project.questions_dir / "facilitation"
    translated = folder / f"notes.{language}.yml"
    return translated if language and translated.is_file() else folder / "notes.yml"


def load_facilitator_notes(
    project: Project, language: str = ""
) -> tuple[FacilitatorNotes | None, list[Problem]]:
    """The facilitator notes in a language, falling back to the original's."""
    path = notes_path(project, language)
    name = display_path(path, project.root)
    if not path.is_file():
        return None, [
            Problem(
                name, 1, "", "the facilitator notes file is missing; restore it from the repository"
            )
        ]
    try:
        document = read_yaml_file(path, name)
        return FacilitatorNotes.model_validate(document.data), []
    except LoadError as exc:
        return None, [exc.problem]
    except ValidationError as exc:
        return None, [explain(e, document, FacilitatorNotes) for e in exc.errors()]


# What a sheet holds ------------------------------------------------------------------------


class Edition(Protocol):
    """What the worksheets need from one edition of the site (casebook.render.Renderer)."""

    env: Environment
    locale: Locale
    language: str
    settings: SiteSettings
    cases: list[Case]
    audiences: dict[str, Audience]
    is_original: bool

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


def case_address(edition: Edition, case: Case) -> str:
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
    edition: Edition, case: Case, audience: Audience | None, printed: bool = True
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


def footer_lines(edition: Edition, title: str, cases: list[SheetCase]) -> list[str]:
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
    edition: Edition,
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


def support_address(edition: Edition) -> str:
    """The edition's support page's full address, or '' without a site_url."""
    return edition.settings.address(
        ("" if edition.is_original else f"{edition.language}/") + "support/"
    )


def session_sheet(
    edition: Edition,
    support: SupportDirectory,
    notes: FacilitatorNotes,
    picks: Sequence[tuple[Case, Audience]],
    title: str = "",
    date: str = "",
    length: int | None = None,
) -> SheetContent:
    """A trainer's combined sheet: every chosen case with its audience's questions."""
    t = edition.locale
    blocks = [sheet_case(edition, case, audience) for case, audience in picks]
    # Each case's own questions, then each audience's general questions once.
    questions = [item for block in blocks for item in own_questions(block)]
    seen: set[str] = set()
    for block in blocks:
        if block.audience and block.audience.id not in seen:
            seen.add(block.audience.id)
            questions += [SheetQuestion(q) for q in block.audience.questions]
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
    edition: Edition,
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
    """Text as the inside of a CSS string: quotes and backslashes escaped, newlines as \\A."""
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
    return out.replace("\n", "\\A ")


# Web pages ---------------------------------------------------------------------------------


def web_pages(
    edition: Edition,
    support: SupportDirectory,
    notes: FacilitatorNotes | None,
    link_from: Callable[[str], Callable[[str], str]],
) -> Iterator[tuple[str, str]]:
    """(docs path, Markdown) for each worksheet page and each case's worksheet index.

    An edition has worksheet pages for the cases written in its language; a case shown as
    a fallback links to the original edition's worksheets instead.
    """
    env, t = edition.env, edition.locale
    for case in edition.cases:
        if not edition.in_language(case):
            continue
        declared = declared_audiences(case, edition.audiences)
        for audience in declared:
            url = f"worksheets/{case.id}/{audience.id}/"
            content = case_sheet(edition, support, notes, case, audience, printed=False)
            text = env.get_template("worksheet.md.j2").render(
                sheet=content,
                case=case,
                meta=case.meta,
                audience=audience,
                plan=content.plans[0][1] if content.plans else None,
                sizes=PAGE_SIZES,
                settings=edition.settings,
                period=edition.period(case),
                link=link_from(url),
            )
            title = t.t(
                "worksheet_title", audience=audience.short_name.lower(), title=case.meta.title
            )
            yield (
                f"worksheets/{case.id}/{audience.id}.md",
                front_matter(title, case.meta.summary, **LISTING) + text,
            )
        url = f"worksheets/{case.id}/"
        text = env.get_template("worksheets_case.md.j2").render(
            case=case, audiences=declared, sizes=PAGE_SIZES, link=link_from(url)
        )
        title = t.t("worksheets_case_title", title=case.meta.title)
        yield f"worksheets/{case.id}/index.md", front_matter(title, **LISTING) + text
    yield from index_pages(edition, link_from)


INDEX_PAGE_SIZE = PAGE_SIZE


def index_paths(edition: Edition) -> list[str]:
    """The worksheet index's pages: worksheets/index.md, then worksheets/page/2.md and on."""
    count = page_count(len(edition.cases), INDEX_PAGE_SIZE)
    return ["worksheets/index.md", *(f"worksheets/page/{n}.md" for n in range(2, count + 1))]


def index_pages(
    edition: Edition, link_from: Callable[[str], Callable[[str], str]]
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


# PDFs --------------------------------------------------------------------------------------


class ProgressLike(Protocol):
    def step(self, message: str) -> None: ...


def print_documents(
    edition: Edition, support: SupportDirectory, notes: FacilitatorNotes
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


def write_pdf(html: str, target: str) -> str:
    """Render one PDF next to `target` and move it into place atomically: a failed render
    leaves no partial file behind."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    partial = f"{target}.{os.getpid()}.part"
    try:
        HTML(string=html, base_url=".").write_pdf(partial, pdf_variant=PDF_VARIANT)
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return target


def _render_pdf(html: str, target: str) -> str:
    """Runs in a worker process: render one PDF into the cache."""
    return write_pdf(html, target)


def _fingerprint(html: str) -> str:
    import weasyprint

    digest = hashlib.sha256()
    for part in (weasyprint.__version__, PDF_VARIANT, html):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


@dataclass
class PdfResult:
    files: dict[str, dict[str, Path]]  # language -> docs path -> cached PDF
    rendered: int
    cached: int


class PdfError(Exception):
    pass


def render_pdfs(
    project: Project,
    documents: dict[str, list[tuple[str, str]]],
    progress: ProgressLike,
    workers: int | None = None,
    original: str = "en",
) -> PdfResult:
    """Render every edition's PDFs in one pool, skipping those already in the cache."""
    cache = project.cache_dir / "pdf"
    cache.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict[str, Path]] = {}
    jobs: dict[str, tuple[str, str]] = {}
    total = 0
    for language, pairs in documents.items():
        for path, html in pairs:
            target = cache / f"{_fingerprint(html)}.pdf"
            files.setdefault(language, {})[path] = target
            total += 1
            if not target.is_file() and str(target) not in jobs:
                jobs[str(target)] = (html, path if language == original else f"{language}/{path}")
    progress.step(
        f"Worksheet PDFs: {total} in all, {len(jobs)} to render, {total - len(jobs)} cached"
    )
    if jobs:
        _run(jobs, workers or os.cpu_count() or 1)
    return PdfResult(files, len(jobs), total - len(jobs))


def _run(jobs: dict[str, tuple[str, str]], workers: int) -> None:
    bar = _Bar(len(jobs))
    failures: list[str] = []
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        futures = {
            pool.submit(_render_pdf, html, target): where for target, (html, where) in jobs.items()
        }
        for future in as_completed(futures):
            where = futures[future]
            try:
                future.result()
            except Exception as exc:  # any WeasyPrint failure must stop the build, clearly
                failures.append(
                    f"{where}: the PDF could not be rendered ({type(exc).__name__}: {exc})"
                )
            bar.advance()
    bar.finish()
    if failures:
        raise PdfError("; ".join(failures))


class _Bar:
    """A progress bar on a terminal, and a few plain lines in a log."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.tty = sys.stderr.isatty()
        self.next_report = 0.25

    def advance(self) -> None:
        self.done += 1
        fraction = self.done / self.total
        if self.tty:
            filled = int(fraction * 30)
            sys.stderr.write(
                f"\r  [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} PDFs"
            )
            sys.stderr.flush()
        elif fraction >= self.next_report or self.done == self.total:
            print(f"  {self.done}/{self.total} PDFs rendered", file=sys.stderr, flush=True)
            while self.next_report <= fraction:
                self.next_report += 0.25

    def finish(self) -> None:
        if self.tty:
            sys.stderr.write("\n")
