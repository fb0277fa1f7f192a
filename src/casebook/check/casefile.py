"""The check of one case file: its front matter, its body and its questions.

Front matter is checked against the vocabularies and the model, the body against the
section and content rules (casebook.check.bodyrules), every text for placeholders and
identifying details (casebook.check.textscan), then the case's questions file.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Container, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from casebook.check.bodylimits import check_link_scan, check_nesting
from casebook.check.bodyrules import (
    body_lines,
    check_markdown,
    check_section_notes,
    parse_body,
    prose_lines,
    slug,
)
from casebook.check.context import CheckContext
from casebook.check.textscan import check_identifying, check_placeholders
from casebook.sources.loader import Document, LoadError, read_front_matter, strings_in
from casebook.sources.messages import explain, indentation_slip, inner_model
from casebook.sources.model import Case, CaseFrontMatter
from casebook.sources.privacy import IdentifyingDetails
from casebook.sources.problems import Problem, Severity, display_path
from casebook.sources.questions import ORIGINAL, Question, QuestionBank, check_case_questions
from casebook.sources.support import SupportDirectory
from casebook.sources.vocabularies import SLUG_PATTERN, Vocabularies

# The guide asks for about five questions per audience; fewer than this is too few for a session.
MIN_QUESTIONS = 3


def case_id_of(path: Path) -> str:
    """The id a case file's name gives (with a translation's language, if it has one)."""
    return path.name.removesuffix(".md")


def check_case_file(
    path: Path,
    context: CheckContext,
    all_ids: Container[str],
    translation: tuple[str, str] | None = None,
    read: dict[Path, Document] | None = None,
) -> tuple[Case | None, list[Problem]]:
    """Check one case file; `translation` is (original id, language) for a translation.
    `all_ids` answers which cases a link may name (and notes what it was asked).

    The document read from `path` is added to `read` when it is given.
    """
    project, vocabularies, bank = context.project, context.vocabularies, context.bank
    details, support = context.details, context.support
    name = display_path(path, project.root)
    case_id = translation[0] if translation else case_id_of(path)
    problems = list(_check_file_name(path, name, case_id))
    try:
        document = read_front_matter(path, name)
    except LoadError as exc:
        return None, [*problems, exc.problem]
    drop_blank_optionals(document.data, CaseFrontMatter)
    if read is not None:
        read[path] = document
    problems += document.problems
    # Each prose line of the body, found once for all rules.
    prose = list(prose_lines(document))
    meta, found, flagged = _check_front_matter(document, vocabularies, details, prose)
    problems += found
    problems += _check_references(document)
    problems += _check_id(document, case_id)
    intro, sections, found = parse_body(document, vocabularies.get("sections"), prose)
    problems += found
    problems += check_nesting(name, body_lines(document))
    problems += check_link_scan(name, prose)
    problems += check_markdown(document, all_ids, context.pages, prose)
    if meta is not None:
        problems += check_section_notes(document, meta, sections, flagged)
    language = translation[1] if translation else None
    questions, found = _check_questions(document, case_id, bank, language)
    problems += found
    if meta is not None and support is not None and not translation:
        problems += _no_national_support(document, meta, support)
    if meta is not None and meta.status == "published" and meta.first_published is None:
        problems.append(_no_publication_date(document))
    if isinstance(document.data, dict) and document.data.get("status") == "draft":
        # A draft is never rendered: what is wrong in it is a draft's warning, except the
        # guards that protect the check itself (its name, what the loader refused, and
        # Markdown nested or bracketed beyond the limits), which stay errors. A file that
        # cannot be read at all returned above, as an error.
        guards = {*_check_file_name(path, name, case_id), *document.problems}
        guards |= {*check_nesting(name, prose), *check_link_scan(name, prose)}
        problems = [p if p in guards else p.in_draft() for p in problems]
        if any(p.is_error or p.is_draft for p in problems):
            return None, problems
    if meta is None or any(p.is_error for p in problems):
        return None, problems
    return Case(case_id, name, meta, intro, sections, questions), problems


def drop_blank_optionals(data: Any, model: type[BaseModel]) -> None:
    """Remove optional fields left empty ('' or spaces) from `data`, in place, as if absent.

    The web editor writes `field: ""` for an optional field that was typed in and then
    cleared; an editor cannot delete the line from the form, so the check must not ask to.
    Required fields keep their empty value and are reported.
    """
    if not isinstance(data, dict):
        return
    shape = _shape(model)
    for key, value in list(data.items()):
        entry = shape.get(key)
        if entry is None:
            continue
        optional, inner = entry
        if type(value) is str:
            if optional and not value.strip():
                del data[key]
        elif inner is not None:
            for item in value if type(value) is list else [value]:
                drop_blank_optionals(item, inner)


@functools.cache
def _shape(model: type[BaseModel]) -> dict[str, tuple[bool, type[BaseModel] | None]]:
    """Each field of a model: whether it is optional, and the model its value holds."""
    return {
        name: (not info.is_required(), inner_model(info.annotation))
        for name, info in model.model_fields.items()
    }


def _check_file_name(path: Path, name: str, case_id: str) -> Iterator[Problem]:
    if not re.fullmatch(SLUG_PATTERN, case_id):
        yield Problem(
            name,
            1,
            "id",
            f"the file name '{path.name}' is not a valid case id; rename it to lowercase "
            f"letters, digits and hyphens, e.g. '{slug(case_id)}.md'",
        )


def _check_front_matter(
    document: Document,
    vocabularies: Vocabularies,
    details: IdentifyingDetails | None,
    prose: list[tuple[int, str]],
) -> tuple[CaseFrontMatter | None, list[Problem], set[tuple[int, str]]]:
    """The front matter as the model reads it (None if it cannot), its problems, and the
    (line, field) of each value already reported, which later rules leave alone."""
    # A placeholder left from `casebook new` is the one problem worth reporting on its line.
    # Each string in the front matter, found once for all rules.
    strings = strings_in(document.data)
    placeholders = list(check_placeholders(document, vocabularies, strings=strings, prose=prose))
    held = {p.line for p in placeholders}
    problems = [
        *placeholders,
        *check_identifying(document, details or IdentifyingDetails([]), held, strings, prose),
    ]
    vocab_problems = [p for p in _check_vocabularies(document, vocabularies) if p.line not in held]
    flagged = {(p.line, p.field) for p in vocab_problems} | {
        (p.line, p.field) for p in placeholders
    }
    problems += vocab_problems
    try:
        meta = CaseFrontMatter.model_validate(document.data)
    except ValidationError as exc:
        problems += _model_problems(document, exc, flagged, held)
        return None, problems, flagged
    return meta, problems, flagged


def _model_problems(
    document: Document, exc: ValidationError, flagged: set[tuple[int, str]], held: set[int]
) -> Iterator[Problem]:
    errors = exc.errors()
    # A key that slipped out of its block is one mistake: the block's "missing" field
    # is the same key, so only the slip is reported.
    slipped = {
        (block, str(error["loc"][0]))
        for error in errors
        if error["type"] == "extra_forbidden"
        and (block := indentation_slip(tuple(error["loc"]), document, CaseFrontMatter))
    }
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "missing" and (str(loc[0]), str(loc[-1])) in slipped:
            continue
        problem = explain(error, document, CaseFrontMatter)
        # A value outside the vocabulary is already reported with a suggestion.
        if (problem.line, problem.field) not in flagged and problem.line not in held:
            yield problem


def _check_questions(
    document: Document, case_id: str, bank: QuestionBank, language: str | None
) -> tuple[dict[str, list[Question]], list[Problem]]:
    """The case's questions (a translation's own, or else its original's) and their problems."""
    question_file = bank.case_files.get(case_id)
    if language is not None:
        # A translation's questions may be translated too; otherwise the original's are used.
        question_file = bank.translated_case_files.get(language, {}).get(case_id, question_file)
    if question_file is None:
        if case_id in bank.unreadable:
            return {}, []  # already reported
        return {}, [
            Problem(
                document.name,
                document.lines.line(("audiences",)),
                "audiences",
                f"there are no reflective questions for this case; create "
                f"reflective_questions/cases/{case_id}.yml with a list of questions per audience",
            )
        ]
    audiences = document.data.get("audiences") if isinstance(document.data, dict) else None
    required = [a for a in audiences if isinstance(a, str)] if isinstance(audiences, list) else []
    questions, problems = check_case_questions(question_file, bank, required)
    problems += _few_questions(question_file, questions, bank)
    problems += bank.disclosure.problems(question_file, language or ORIGINAL)
    problems += check_placeholders(question_file, bank=bank)
    return questions, problems


def _few_questions(
    document: Document, questions: Mapping[str, Sequence[str]], bank: QuestionBank
) -> Iterator[Problem]:
    for audience, listed in questions.items():
        if 0 < len(listed) < MIN_QUESTIONS:
            short = bank.audiences[audience].short_name if audience in bank.audiences else audience
            yield Problem(
                document.name,
                document.lines.line((audience,)),
                audience,
                f"only {len(listed)} question(s) for '{short}'; a worksheet needs at least "
                f"{MIN_QUESTIONS} and the guide asks for about five: add "
                f"{MIN_QUESTIONS - len(listed)} or more open questions about systems, practice "
                "or participants' own settings, one per line starting with '- '",
                Severity.WARNING,
            )


def _no_publication_date(document: Document) -> Problem:
    """A reviewer's catch: without the date, the feed cannot tell readers the case is new."""
    return Problem(
        document.name,
        document.lines.line(("status",)),
        "first_published",
        "the case is published but does not say when it was first published, so the feed "
        "cannot mark it as new; add 'first_published: YYYY-MM-DD' (the day it goes out) above "
        "last_reviewed",
        Severity.WARNING,
    )


def _no_national_support(
    document: Document, meta: CaseFrontMatter, support: SupportDirectory
) -> Iterator[Problem]:
    """A safety gap: readers from a case's country would see only international services."""
    national = {s.country for s in support.services}
    for index, country in enumerate(meta.countries):
        if country in national:
            continue
        yield Problem(
            document.name,
            document.lines.line(("countries", index)),
            f"countries.{index}",
            f"data/support_services.yml lists no national support service for {country}, only "
            f"international ones, so readers in {country} are not shown where to get help near "
            f"them; add a service for {country} there (a child helpline or emergency number "
            "whose details you have confirmed, with 'country: " + country + "'), or accept "
            "the gap knowingly in the pull request",
            Severity.WARNING,
        )


def _values_at(
    data: Any, parts: list[str], loc: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every value at a dotted field path, through lists, with its location."""
    if isinstance(data, list):
        for index, item in enumerate(data):
            yield from _values_at(item, parts, (*loc, index))
    elif not parts:
        yield loc, data
    elif isinstance(data, dict) and parts[0] in data:
        yield from _values_at(data[parts[0]], parts[1:], (*loc, parts[0]))


def _check_vocabularies(document: Document, vocabularies: Vocabularies) -> Iterator[Problem]:
    for vocabulary in vocabularies.controlling():
        assert vocabulary.field is not None
        seen: set[str] = set()
        for loc, value in _values_at(document.data, vocabulary.field.split(".")):
            if not isinstance(value, str):
                continue
            dotted = ".".join(str(part) for part in loc)
            line = document.lines.line(loc)
            if value not in vocabulary:
                yield Problem(document.name, line, dotted, vocabulary.unknown_message(value))
            elif value in seen and isinstance(loc[-1], int):
                yield Problem(document.name, line, dotted, f"'{value}' is listed twice; delete one")
            seen.add(value)


def _check_id(document: Document, case_id: str) -> Iterator[Problem]:
    """An `id:` (written by the web editor) must be the file's name."""
    data = document.data if isinstance(document.data, dict) else {}
    written = data.get("id")
    if isinstance(written, str) and written != case_id and re.fullmatch(SLUG_PATTERN, written):
        yield Problem(
            document.name,
            document.lines.line(("id",)),
            "id",
            f"'{written}' does not match the file name {document.path.name}; write "
            f"'id: {case_id}' (or rename the file to {written}.md)",
        )


def _check_references(document: Document) -> Iterator[Problem]:
    """Outcome chains must name milestones defined in the same file."""
    data = document.data if isinstance(document.data, dict) else {}
    milestones = data.get("milestones") or []
    known = (
        {m.get("id") for m in milestones if isinstance(m, dict)}
        if isinstance(milestones, list)
        else set()
    )
    for loc, step in _values_at(data, ["outcomes", "chain"]):
        if isinstance(step, str) and step not in known:
            names = ", ".join(sorted(str(k) for k in known if k)) or "none defined yet"
            yield Problem(
                document.name,
                document.lines.line(loc),
                ".".join(map(str, loc)),
                f"'{step}' is not a milestone id; define it under 'milestones:' or use one of: {names}",
            )
