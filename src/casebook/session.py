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

from casebook.build.builder import read_config
from casebook.facilitation import load_facilitator_notes
from casebook.model import Case
from casebook.pdf import write_pdf
from casebook.project import Project
from casebook.questions import Audience
from casebook.render import Renderer
from casebook.templating import SiteSettings
from casebook.validate import check_project
from casebook.worksheets import PAGE_SIZES, print_html, session_sheet


class SessionError(Exception):
    """What was wrong with the request, one problem a line."""


@dataclass
class SessionRequest:
    cases: list[str]
    audience: str
    output: Path
    paper: str = "a4"
    facilitator: bool = False
    language: str | None = None
    title: str = ""
    date: str = ""
    minutes: int | None = None
    problems: list[str] = field(default_factory=list)


def _listed(values: list[str]) -> str:
    return ", ".join(values) if values else "(none)"


def _check_output(path: Path) -> str | None:
    if path.suffix.lower() != ".pdf":
        return f"-o {path}: the output must be a PDF file; write a name ending in .pdf"
    if path.is_dir():
        return f"-o {path}: this is a folder; write a file name such as {path / 'session.pdf'}"
    parent = path.parent
    if not parent.is_dir():
        return f"-o {path}: the folder {parent} does not exist; create it or choose another"
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"-o {path}: this file cannot be written; choose a folder you can write to"
    return None


def make_session(project: Project, request: SessionRequest) -> Path:
    """Write the session's PDF; raises SessionError naming every bad value."""
    problems: list[str] = []
    if request.paper not in PAGE_SIZES:
        problems.append(
            f"--paper {request.paper}: unknown paper size; use one of: {_listed(list(PAGE_SIZES))}"
        )
    if request.minutes is not None and not 10 <= request.minutes <= 480:
        problems.append(f"--minutes {request.minutes}: write a length from 10 to 480 minutes")
    result = check_project(project)
    library = result.library
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
    published = {case.id: case for case in renderer.cases}
    audiences = renderer.audiences
    audience: Audience | None = audiences.get(request.audience)
    if audience is None:
        problems.append(
            f"--audience {request.audience}: unknown audience; use one of: {_listed(list(audiences))}"
        )
    picks: list[tuple[Case, Audience]] = []
    for case_id in dict.fromkeys(request.cases):
        case = published.get(case_id)
        if case is None:
            unpublished = any(c.id == case_id for c in library.cases)
            reason = (
                "is a draft, so it has no worksheets yet"
                if unpublished
                else "is not a published case (or `casebook check` finds errors in it)"
            )
            problems.append(f"--case {case_id}: {reason}; use one of: {_listed(sorted(published))}")
            continue
        if audience is not None:
            if audience.id not in case.meta.audiences:
                problems.append(
                    f"--audience {audience.id}: the case '{case_id}' is not written for this "
                    f"audience; use one of its audiences: {_listed(list(case.meta.audiences))}"
                )
                continue
            picks.append((case, audience))
    output_problem = _check_output(request.output)
    if output_problem:
        problems.append(output_problem)
    if problems or notes is None:
        raise SessionError("\n".join(problems))
    content = session_sheet(
        renderer, library.support, notes, picks, request.title, request.date, request.minutes
    )
    html = print_html(renderer, content, notes, request.paper, request.facilitator)
    try:
        write_pdf(html, str(request.output))
    except OSError as exc:
        raise SessionError(
            f"-o {request.output}: the PDF could not be written ({exc.strerror or exc})"
        ) from exc
    except Exception as exc:  # a WeasyPrint failure: say so plainly, without a traceback
        raise SessionError(
            f"-o {request.output}: the PDF could not be rendered ({type(exc).__name__}: {exc})"
        ) from exc
    return request.output
