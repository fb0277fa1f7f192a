"""`casebook session`: a trainer's combined sheet for one or more cases, as a tagged PDF.

The sheet is made from the same print templates as the site's worksheets and rendered by
WeasyPrint, offline. Every bad value is reported in one run, naming the value and listing
the valid ones; the PDF is written next to its target and moved into place only when it is
complete, so a failure leaves no partial file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from casebook.check.validate import check_project
from casebook.outputs.pdf import write_pdf
from casebook.pages.render import Renderer
from casebook.pages.templating import SiteSettings
from casebook.pages.worksheets import PAGE_SIZES, SheetContent, print_html, session_sheet
from casebook.pipeline.builder import read_config
from casebook.sources.facilitation import FacilitatorNotes, load_facilitator_notes
from casebook.sources.model import Case
from casebook.sources.project import Project
from casebook.sources.questions import Audience


class SessionError(Exception):
    """What was wrong with the request, one problem a line."""


@dataclass
class SessionRequest:
    cases: list[str]  # ID, or ID:AUDIENCE for a case's own audience
    audience: str  # the audience of every case given without its own ("" for none)
    output: Path
    paper: str = "a4"
    facilitator: bool = False
    language: str | None = None
    title: str = ""
    date: str = ""
    minutes: int | None = None
    leave_out: list[int] = field(default_factory=list)
    pack: bool = False  # a .zip with the sheet, the notes, the cases' PDFs and support services
    problems: list[str] = field(default_factory=list)


def _listed(values: list[str]) -> str:
    return ", ".join(values) if values else "(none)"


def _check_output(path: Path, suffix: str = ".pdf") -> str | None:
    if path.suffix.lower() != suffix:
        kind = "a PDF file" if suffix == ".pdf" else "a .zip file (a workshop pack)"
        return f"-o {path}: the output must be {kind}; write a name ending in {suffix}"
    if path.is_dir():
        return f"-o {path}: this is a folder; write a file name such as {path / 'session.pdf'}"
    parent = path.parent
    if not parent.is_dir():
        return f"-o {path}: the folder {parent} does not exist; create it or choose another"
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"-o {path}: this file cannot be written; choose a folder you can write to"
    return None


def _check_values(request: SessionRequest) -> list[str]:
    problems: list[str] = []
    if request.paper not in PAGE_SIZES:
        problems.append(
            f"--paper {request.paper}: unknown paper size; use one of: {_listed(list(PAGE_SIZES))}"
        )
    if request.minutes is not None and not 10 <= request.minutes <= 480:
        problems.append(f"--minutes {request.minutes}: write a length from 10 to 480 minutes")
    output_problem = _check_output(request.output, ".zip" if request.pack else ".pdf")
    if output_problem:
        problems.append(output_problem)
    return problems


def split_case(value: str) -> tuple[str, str | None]:
    """`--case ID` or `--case ID:AUDIENCE` (the composer's session pairs each case with an
    audience: ?case=ID&audience=AUDIENCE)."""
    case_id, sep, audience = value.partition(":")
    return case_id.strip(), (audience.strip() if sep else None)


def _picks(
    renderer: Renderer, request: SessionRequest, problems: list[str], drafts: set[str]
) -> list[tuple[Case, Audience]]:
    """The chosen cases, each with its own audience (`ID:AUDIENCE`) or `--audience`,
    adding a problem for each that cannot be used."""
    published = {case.id: case for case in renderer.cases}
    audiences = renderer.audiences
    default: Audience | None = None
    if request.audience:
        default = audiences.get(request.audience)
        if default is None:
            problems.append(
                f"--audience {request.audience}: unknown audience; "
                f"use one of: {_listed(list(audiences))}"
            )
    picks: list[tuple[Case, Audience]] = []
    seen: set[str] = set()
    for value in request.cases:
        case_id, own = split_case(value)
        if case_id in seen:
            continue
        seen.add(case_id)
        case = published.get(case_id)
        if case is None:
            reason = (
                "is a draft, so it has no worksheets yet"
                if case_id in drafts
                else "is not a published case (or `casebook check` finds errors in it)"
            )
            problems.append(f"--case {value}: {reason}; use one of: {_listed(sorted(published))}")
            continue
        if own is not None:
            audience = audiences.get(own)
            if audience is None:
                problems.append(
                    f"--case {value}: unknown audience '{own}'; use one of the case's "
                    f"audiences: {_listed(list(case.meta.audiences))}"
                )
                continue
            where = f"--case {value}"
        elif request.audience:
            if default is None:
                continue  # already reported
            audience, where = default, f"--audience {default.id}"
        else:
            problems.append(
                f"--case {value}: no audience; write it as {case_id}:AUDIENCE (one of: "
                f"{_listed(list(case.meta.audiences))}) or give --audience for every case"
            )
            continue
        if audience.id not in case.meta.audiences:
            problems.append(
                f"{where}: the case '{case_id}' is not written for this "
                f"audience; use one of its audiences: {_listed(list(case.meta.audiences))}"
            )
            continue
        picks.append((case, audience))
    return picks


def _check_questions(
    request: SessionRequest, content: SheetContent, available: int, notes: FacilitatorNotes
) -> list[str]:
    """Problems with --leave-out and with a --minutes too short for the questions kept."""
    problems = [
        f"--leave-out {number}: the session has {available} questions; "
        f"write a number from 1 to {available}"
        for number in dict.fromkeys(request.leave_out)
        if not 1 <= number <= available
    ]
    kept = len(content.questions)
    if available and not kept:
        problems.append("--leave-out: every question is left out; keep at least one")
    plan = notes.plan(kept, request.minutes)
    if not problems and plan.too_short:
        shortest = notes.plan(1).needed
        hint = (
            f"leave questions out with --leave-out N (numbered as on the sheet), or write "
            f"--minutes {plan.needed} or more"
            if request.minutes is not None and request.minutes >= shortest
            else f"even one question needs {shortest} minutes (the plan's fixed steps); "
            f"write --minutes {plan.needed} or more"
        )
        problems.append(
            f"--minutes {request.minutes}: {kept} question(s) need a session of at least "
            f"{plan.needed} minutes; {hint}"
        )
    return problems


@dataclass
class Session:
    """A checked request, ready to print: its edition, notes, cases and sheet."""

    renderer: Renderer
    notes: FacilitatorNotes
    picks: list[tuple[Case, Audience]]
    content: SheetContent


def prepare_session(project: Project, request: SessionRequest) -> Session:
    """Check the request against the library; raises SessionError naming every bad value."""
    problems = _check_values(request)
    checked = check_project(project)
    library = checked.library
    languages = library.languages.codes
    language = request.language or library.languages.default.code
    if language not in languages:
        problems.append(
            f"--language {language}: the site has no such edition; use one of: {_listed(languages)}"
        )
        language = library.languages.default.code
    notes, found = load_facilitator_notes(project, language)
    problems += [problem.format() for problem in found]
    settings = SiteSettings.from_config(read_config(project))
    renderer = Renderer(library, library.languages.locales[language], settings, notes)
    picks = _picks(renderer, request, problems, checked.drafts)
    if problems or notes is None:
        raise SessionError("\n".join(problems))
    support = library.support
    every = session_sheet(renderer, support, notes, picks)
    details = (request.title, request.date, request.minutes, frozenset(request.leave_out))
    content = session_sheet(renderer, support, notes, picks, *details)
    problems = _check_questions(request, content, len(every.questions), notes)
    if problems:
        raise SessionError("\n".join(problems))
    return Session(renderer, notes, picks, content)


def make_session(project: Project, request: SessionRequest) -> Path:
    """Write the session's PDF; raises SessionError naming every bad value."""
    session = prepare_session(project, request)
    html = print_html(
        session.renderer, session.content, session.notes, request.paper, request.facilitator
    )
    write_pdf_file(request.output, html)
    return request.output


def write_pdf_file(output: Path, html: str, shown: Path | None = None) -> None:
    """Render a PDF to `output`; `shown` is the -o the reader gave (a pack's, say)."""
    where = shown or output
    try:
        write_pdf(html, str(output))
    except OSError as exc:
        raise SessionError(
            f"-o {where}: the PDF could not be written ({exc.strerror or exc})"
        ) from exc
    except Exception as exc:  # a WeasyPrint failure: say so plainly, without a traceback
        raise SessionError(
            f"-o {where}: the PDF could not be rendered ({type(exc).__name__}: {exc})"
        ) from exc
