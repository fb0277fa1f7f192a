"""`casebook new`: a case file (and its questions file) from a template, never overwriting."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from casebook.sources.i18n import load_languages
from casebook.sources.isocodes import country_code
from casebook.sources.project import Project
from casebook.sources.questions import load_questions
from casebook.sources.reserved import load_reserved, refusal
from casebook.sources.vocabularies import SLUG_PATTERN, load_vocabularies


class ScaffoldError(Exception):
    """Why a case could not be created; the message says what to do."""


@dataclass
class Scaffolded:
    case: Path
    questions: Path


def new_case(project: Project, case_id: str, title: str, countries: list[str]) -> Scaffolded:
    if not re.fullmatch(SLUG_PATTERN, case_id):
        raise ScaffoldError(
            f"'{case_id}' is not a valid case id; use lowercase letters, digits and hyphens, "
            "e.g. 'odi-mexico'"
        )
    # The check refuses these ids (the site's own pages use them): say so before writing.
    languages, _ = load_languages(project.root)
    reserved, _ = load_reserved(project.root, list(languages.locales))
    if case_id in reserved:
        raise ScaffoldError(
            f"{refusal(case_id, reserved)}; choose another id, e.g. '{case_id}-<country>'"
        )
    case_path = project.cases_dir / f"{case_id}.md"
    questions_path = project.questions_dir / "cases" / f"{case_id}.yml"
    for path in (case_path, questions_path):
        if path.exists():
            raise ScaffoldError(
                f"{path.relative_to(project.root)} already exists; choose another id"
            )
    codes = []
    for country in countries:
        try:
            codes.append(country_code(country))
        except ValueError as exc:
            raise ScaffoldError(f"--country: {exc}") from exc

    vocabularies, _ = load_vocabularies(project.vocabularies_dir, project.root)
    bank, _ = load_questions(project.questions_dir, project.root)
    vocabularies.add(bank.vocabulary())
    names = {v.id: ", ".join(v.terms) for v in vocabularies.by_id.values()}
    # Each id with the label readers see, so an editor who knows the label finds the id.
    labelled = {
        v.id: ", ".join(f"{t.id} ({t.label})" for t in v.terms.values())
        for v in vocabularies.by_id.values()
    }
    sections = vocabularies.get("sections")
    env = Environment(
        loader=PackageLoader("casebook", "templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    case_text = env.get_template("new_case.md.j2").render(
        id=case_id,
        title=title,
        countries=codes,
        vocab=_Names(names),
        labelled=_Names(labelled),
        sections=list(sections.terms.values()) if sections else [],
        today=dt.date.today().isoformat(),
    )
    questions_text = env.get_template("new_questions.yml.j2").render(
        id=case_id, audiences=list(bank.audiences.values())
    )
    case_path.parent.mkdir(parents=True, exist_ok=True)
    questions_path.parent.mkdir(parents=True, exist_ok=True)
    # 'x' mode: even a file created a moment ago by someone else is never overwritten.
    with case_path.open("x", encoding="utf-8") as handle:
        handle.write(case_text)
    with questions_path.open("x", encoding="utf-8") as handle:
        handle.write(questions_text)
    return Scaffolded(case_path, questions_path)


class _Names(dict[str, str]):
    def __getattr__(self, key: str) -> str:
        return self.get(key, "see the vocabularies/ folder")
