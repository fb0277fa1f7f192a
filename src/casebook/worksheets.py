"""Reflection worksheets: a web page and print-ready PDFs for every case and audience,
plus facilitator notes as a separate PDF so participants' sheets print without them.

PDFs are rendered by WeasyPrint from Jinja2 print templates (autoescaped), in parallel
across the cores, and cached by a hash of their full input outside site/, so a rebuild
with no changes renders none.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from jinja2 import Environment
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from casebook.loader import LoadError, read_yaml_file
from casebook.messages import explain
from casebook.model import Case
from casebook.problems import Problem, display_path
from casebook.project import Project
from casebook.questions import Audience

if TYPE_CHECKING:
    from casebook.render import SiteSettings
    from casebook.validate import Library

PAGE_SIZES = {"a4": ("A4", "A4"), "letter": ("Letter", "US Letter")}  # id -> (CSS size, label)
PDF_VARIANT = "pdf/ua-1"  # tagged PDF, readable by screen readers


class TimingStep(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    minutes: int = Field(gt=0, le=240)
    activity: str = Field(min_length=1)


class FacilitatorNotes(BaseModel):
    """The shared part of every case's facilitator notes (reflective_questions/facilitation/notes.yml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    aims: list[str] = Field(min_length=1)
    timing: list[TimingStep] = Field(min_length=1)
    ground_rules: list[str] = Field(min_length=1)
    looking_after_participants: list[str] = Field(min_length=1)
    if_someone_discloses: list[str] = Field(min_length=1)

    @property
    def total_minutes(self) -> int:
        return sum(step.minutes for step in self.timing)


def notes_path(project: Project) -> Path:
    return project.questions_dir / "facilitation" / "notes.yml"


def load_facilitator_notes(project: Project) -> tuple[FacilitatorNotes | None, list[Problem]]:
    path = notes_path(project)
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
    found = [Sheet(case, audience, size) for audience in audiences.values() for size in PAGE_SIZES]
    found += [Sheet(case, None, size) for size in PAGE_SIZES]
    return found


def questions_for(case: Case, audience: Audience) -> list[str]:
    """The case's own questions first, then the audience's general ones."""
    return [*case.questions.get(audience.id, []), *audience.questions]


# Web pages ---------------------------------------------------------------------------------


def web_pages(
    library: Library, env: Environment, settings: SiteSettings, link_from: Any
) -> Iterator[tuple[str, str]]:
    """(docs path, Markdown) for each worksheet page and each case's worksheet index."""
    from casebook.render import LISTING, front_matter

    audiences = library.questions.audiences
    cases = sorted(library.published, key=lambda c: c.meta.title.lower())
    for case in cases:
        for audience in audiences.values():
            url = f"worksheets/{case.id}/{audience.id}/"
            context = _sheet_context(case, audience, settings)
            context["link"] = link_from(url)
            text = env.get_template("worksheet.md.j2").render(**context)
            title = f"Worksheet for {audience.short_name.lower()}: {case.meta.title}"
            yield (
                f"worksheets/{case.id}/{audience.id}.md",
                front_matter(title, case.meta.summary, **LISTING) + text,
            )
        url = f"worksheets/{case.id}/"
        text = env.get_template("worksheets_case.md.j2").render(
            case=case, audiences=list(audiences.values()), sizes=PAGE_SIZES, link=link_from(url)
        )
        yield (
            f"worksheets/{case.id}/index.md",
            front_matter(f"Worksheets: {case.meta.title}", **LISTING) + text,
        )
    text = env.get_template("worksheets_index.md.j2").render(
        cases=cases, link=link_from("worksheets/")
    )
    yield (
        "worksheets/index.md",
        front_matter("Reflection worksheets", "Printable worksheets for every case.", **LISTING)
        + text,
    )


def _sheet_context(case: Case, audience: Audience | None, settings: SiteSettings) -> dict[str, Any]:
    return {
        "case": case,
        "meta": case.meta,
        "audience": audience,
        "questions": questions_for(case, audience) if audience else [],
        "sizes": PAGE_SIZES,
        "settings": settings,
    }


# PDFs --------------------------------------------------------------------------------------


class ProgressLike(Protocol):
    def step(self, message: str) -> None: ...


def print_html(
    sheet: Sheet,
    env: Environment,
    settings: SiteSettings,
    notes: FacilitatorNotes,
    audiences: dict[str, Audience],
) -> str:
    context = _sheet_context(sheet.case, sheet.audience, settings)
    css_size, size_label = PAGE_SIZES[sheet.size]
    context.update(
        page_size=css_size,
        size_label=size_label,
        notes=notes,
        audiences=list(audiences.values()),
        questions_by_audience=[(a, questions_for(sheet.case, a)) for a in audiences.values()],
        css=env.loader.get_source(env, "print.css")[0] if env.loader else "",
    )
    template = "worksheet_print.html.j2" if sheet.audience else "facilitator_print.html.j2"
    return env.get_template(template).render(**context)


def _render_pdf(html: str, target: str) -> str:
    """Runs in a worker process: render one PDF and move it into the cache atomically."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    partial = f"{target}.{os.getpid()}.part"
    HTML(string=html, base_url=".").write_pdf(partial, pdf_variant=PDF_VARIANT)
    os.replace(partial, target)
    return target


def _fingerprint(html: str) -> str:
    import weasyprint

    digest = hashlib.sha256()
    for part in (weasyprint.__version__, PDF_VARIANT, html):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


@dataclass
class PdfResult:
    files: dict[str, Path]  # docs path -> cached PDF
    rendered: int
    cached: int


class PdfError(Exception):
    pass


def render_pdfs(
    project: Project,
    library: Library,
    env: Environment,
    settings: SiteSettings,
    notes: FacilitatorNotes,
    progress: ProgressLike,
    workers: int | None = None,
) -> PdfResult:
    cache = project.cache_dir / "pdf"
    cache.mkdir(parents=True, exist_ok=True)
    audiences = library.questions.audiences
    files: dict[str, Path] = {}
    jobs: dict[str, tuple[str, Sheet]] = {}
    for case in sorted(library.published, key=lambda c: c.id):
        for sheet in sheets_for(case, audiences):
            html = print_html(sheet, env, settings, notes, audiences)
            target = cache / f"{_fingerprint(html)}.pdf"
            files[sheet.path] = target
            if not target.is_file() and str(target) not in jobs:
                jobs[str(target)] = (html, sheet)
    total = len(files)
    progress.step(
        f"Worksheet PDFs: {total} in all, {len(jobs)} to render, {total - len(jobs)} cached"
    )
    if jobs:
        _run(jobs, workers or os.cpu_count() or 1)
    return PdfResult(files, len(jobs), total - len(jobs))


def _run(jobs: dict[str, tuple[str, Sheet]], workers: int) -> None:
    bar = _Bar(len(jobs))
    failures: list[str] = []
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        futures = {
            pool.submit(_render_pdf, html, target): sheet for target, (html, sheet) in jobs.items()
        }
        for future in as_completed(futures):
            sheet = futures[future]
            try:
                future.result()
            except Exception as exc:  # any WeasyPrint failure must stop the build, clearly
                failures.append(
                    f"{sheet.path}: the PDF could not be rendered ({type(exc).__name__}: {exc})"
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
