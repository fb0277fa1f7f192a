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

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from casebook.loader import LoadError, read_yaml_file
from casebook.messages import explain
from casebook.model import Case
from casebook.problems import Problem, display_path
from casebook.project import Project
from casebook.questions import Audience

if TYPE_CHECKING:
    from casebook.render import Renderer

# id -> (CSS page size, key of its label in i18n/<language>/strings.yml)
PAGE_SIZES = {"a4": ("A4", "size_a4"), "letter": ("Letter", "size_letter")}
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


def web_pages(renderer: Renderer, link_from: Any) -> Iterator[tuple[str, str]]:
    """(docs path, Markdown) for each worksheet page and each case's worksheet index.

    An edition has worksheet pages for the cases written in its language; a case shown as
    a fallback links to the original edition's worksheets instead.
    """
    from casebook.render import LISTING, front_matter

    env, t = renderer.env, renderer.locale
    audiences = renderer.audiences
    for case in renderer.cases:
        if not renderer.in_language(case):
            continue
        for audience in audiences.values():
            url = f"worksheets/{case.id}/{audience.id}/"
            context = _sheet_context(case, audience, renderer)
            context["link"] = link_from(url)
            text = env.get_template("worksheet.md.j2").render(**context)
            title = t.t(
                "worksheet_title", audience=audience.short_name.lower(), title=case.meta.title
            )
            yield (
                f"worksheets/{case.id}/{audience.id}.md",
                front_matter(title, case.meta.summary, **LISTING) + text,
            )
        url = f"worksheets/{case.id}/"
        text = env.get_template("worksheets_case.md.j2").render(
            case=case, audiences=list(audiences.values()), sizes=PAGE_SIZES, link=link_from(url)
        )
        title = t.t("worksheets_case_title", title=case.meta.title)
        yield f"worksheets/{case.id}/index.md", front_matter(title, **LISTING) + text
    text = env.get_template("worksheets_index.md.j2").render(
        cases=[(case, renderer.worksheet_root(case)) for case in renderer.cases],
        link=link_from("worksheets/"),
    )
    yield (
        "worksheets/index.md",
        front_matter(t.t("reflection_worksheets"), t.t("worksheets_description"), **LISTING) + text,
    )


def _sheet_context(case: Case, audience: Audience | None, renderer: Renderer) -> dict[str, Any]:
    return {
        "case": case,
        "meta": case.meta,
        "audience": audience,
        "questions": questions_for(case, audience) if audience else [],
        "sizes": PAGE_SIZES,
        "settings": renderer.settings,
        "period": renderer.period(case),
    }


# PDFs --------------------------------------------------------------------------------------


class ProgressLike(Protocol):
    def step(self, message: str) -> None: ...


def print_html(sheet: Sheet, renderer: Renderer, notes: FacilitatorNotes) -> str:
    env = renderer.env
    audiences = renderer.audiences
    context = _sheet_context(sheet.case, sheet.audience, renderer)
    css_size, size_key = PAGE_SIZES[sheet.size]
    context.update(
        page_size=css_size,
        size_label=renderer.locale.t(size_key),
        notes=notes,
        audiences=list(audiences.values()),
        questions_by_audience=[(a, questions_for(sheet.case, a)) for a in audiences.values()],
        css=env.loader.get_source(env, "print.css")[0] if env.loader else "",
    )
    template = "worksheet_print.html.j2" if sheet.audience else "facilitator_print.html.j2"
    return env.get_template(template).render(**context)


def print_documents(renderer: Renderer, notes: FacilitatorNotes) -> Iterator[tuple[str, str]]:
    """(docs path, print HTML) for every PDF of the cases written in this edition's language."""
    for case in sorted(renderer.cases, key=lambda c: c.id):
        if renderer.in_language(case):
            for sheet in sheets_for(case, renderer.audiences):
                yield sheet.path, print_html(sheet, renderer, notes)


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
