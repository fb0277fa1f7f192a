"""Reflective questions: audiences and each case's own questions.

Layout (documented in docs/guidance/worksheets.md):
- `reflective_questions/<audience>.yml` defines one audience and its general questions;
- `reflective_questions/cases/<case-id>.yml` holds that case's questions, one list per audience.

A question is written as text, or as `question:` with an optional `prompt:` for the
facilitator, which only the facilitator notes print.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler
from pydantic_core import core_schema

from casebook.sources.loader import Document, LoadError, read_yaml_file
from casebook.sources.problems import Problem, display_path
from casebook.sources.safeguarding import DisclosureRules, load_disclosure_rules
from casebook.sources.vocabularies import SLUG_PATTERN, Term, Vocabulary
from casebook.sources.yamlmodel import read_model

QUESTION_HINT = (
    "write the question as text after '- ', or as 'question: ...' with an optional "
    "'prompt: ...' for the facilitator on the next line"
)


# Line breaks and runs of spaces become one space; no-break spaces (French typography before
# ? : ; ! and inside « ») are kept, which str.split() would not do.
_SPACES = re.compile(r"[ \t\r\n]+")


def _squash(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


class Question(str):
    """A question's text (it is a `str`), with the facilitator's optional prompt for it."""

    prompt: str | None

    def __new__(cls, text: str, prompt: str | None = None) -> Question:
        made = super().__new__(cls, text)
        made.prompt = prompt
        return made

    @classmethod
    def parse(cls, value: object) -> Question:
        """A question from its YAML form; raises ValueError with what to write instead."""
        if isinstance(value, Question):
            return value
        if isinstance(value, str) and value.strip():
            return cls(_squash(value))
        if isinstance(value, dict):
            unknown = sorted(str(k) for k in value if k not in ("question", "prompt"))
            if unknown:
                raise ValueError(f"'{unknown[0]}' is not a part of a question; {QUESTION_HINT}")
            text, prompt = value.get("question"), value.get("prompt")
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"the question's text is missing; {QUESTION_HINT}")
            if prompt is not None and (not isinstance(prompt, str) or not prompt.strip()):
                raise ValueError("the prompt is empty; write the prompt's text, or leave it out")
            return cls(_squash(text), _squash(prompt) if prompt else None)
        raise ValueError(QUESTION_HINT)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(cls.parse)


class Audience(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=SLUG_PATTERN)
    order: int = Field(
        100, ge=0, description="Where the audience comes in lists and worksheets; lowest first."
    )
    name: str = Field(min_length=1)
    short_name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    format: str = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)


# Optional in a case's questions file: the case's id, the same as the file name.
CASE_KEY = "case"


# The language of questions files without a language in their name (the cases' original).
ORIGINAL = "en"


@dataclass
class QuestionBank:
    audiences: dict[str, Audience] = field(default_factory=dict)
    # case id -> the document holding its questions (validated against the case later)
    case_files: dict[str, Document] = field(default_factory=dict)
    # case ids whose questions file exists but could not be read (already reported)
    unreadable: set[str] = field(default_factory=set)
    # translations: language -> audience id -> audience, and language -> case id -> document
    translated_audiences: dict[str, dict[str, Audience]] = field(default_factory=dict)
    translated_case_files: dict[str, dict[str, Document]] = field(default_factory=dict)
    # questions that ask participants to disclose their own abuse (data/question_safeguarding.yml)
    disclosure: DisclosureRules = field(default_factory=DisclosureRules)

    def sort(self) -> None:
        """Audiences in the order their files give (`order:`), then by id."""
        self.audiences = dict(sorted(self.audiences.items(), key=lambda i: (i[1].order, i[0])))

    def audiences_in(self, language: str) -> dict[str, Audience]:
        """The audiences in a language, each falling back to the original."""
        own = self.translated_audiences.get(language, {})
        return {key: own.get(key, audience) for key, audience in self.audiences.items()}

    def vocabulary(self) -> Vocabulary:
        terms = [
            Term(id=a.id, label=a.short_name, description=a.name, aliases=[a.name.lower()])
            for a in self.audiences.values()
        ]
        return Vocabulary.from_terms(
            "audiences", "Audience", "audiences", terms, "reflective_questions/", order=4
        )


def load_questions(folder: Path, root: Path | None = None) -> tuple[QuestionBank, list[Problem]]:
    bank = QuestionBank()
    problems: list[Problem] = []
    if not folder.is_dir():
        return bank, [Problem(str(folder), 1, "", "the reflective_questions folder is missing")]
    bank.disclosure, problems = load_disclosure_rules(root or folder.parent)
    for path in sorted(folder.glob("*.yml")):
        name = display_path(path, root)
        stem, language = split_language(path.stem)
        loaded, found = read_model(path, name, Audience)
        problems += found
        if loaded is None:
            continue
        document, audience = loaded.document, loaded.value
        if audience.id != stem:
            problems.append(
                Problem(
                    name,
                    document.lines.line(("id",)),
                    "id",
                    f"the id '{audience.id}' must match the file name; write 'id: {stem}'",
                )
            )
            continue
        problems += bank.disclosure.problems(document, language or ORIGINAL)
        if language:
            bank.translated_audiences.setdefault(language, {})[audience.id] = audience
        else:
            bank.audiences[audience.id] = audience
    for path in sorted((folder / "cases").glob("*.yml")):
        name = display_path(path, root)
        stem, language = split_language(path.stem)
        try:
            document = read_yaml_file(path, name)
        except LoadError as exc:
            problems.append(exc.problem)
            bank.unreadable.add(path.stem)
            continue
        if language:
            bank.translated_case_files.setdefault(language, {})[stem] = document
        else:
            bank.case_files[stem] = document
    bank.sort()
    return bank, problems


_LANGUAGE_SUFFIX = re.compile(r"^(?P<stem>.+)\.(?P<language>[a-z]{2})$")


def split_language(stem: str) -> tuple[str, str | None]:
    """'odi-mexico.es' -> ('odi-mexico', 'es'): a translation sits beside its original."""
    match = _LANGUAGE_SUFFIX.match(stem)
    return (match["stem"], match["language"]) if match else (stem, None)


def check_case_questions(
    document: Document, bank: QuestionBank, required: list[str]
) -> tuple[dict[str, list[Question]], list[Problem]]:
    """Validate one case's question file; `required` are audiences that must have questions."""
    problems: list[Problem] = []
    result: dict[str, list[Question]] = {}
    name = document.name
    data = document.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return {}, [
            Problem(
                name, 1, "", "write one list of questions per audience id, e.g. 'practitioners:'"
            )
        ]
    malformed: set[str] = set()
    for key, value in data.items():
        line = document.lines.line((key,))
        if key == CASE_KEY:
            # Written by the web editor, which names the file from it.
            stem = split_language(document.path.stem)[0]
            if value != stem:
                problems.append(
                    Problem(
                        name,
                        line,
                        CASE_KEY,
                        f"'{value}' does not match the file name {document.path.name}; "
                        f"write 'case: {stem}', or delete the line",
                    )
                )
            continue
        if key not in bank.audiences:
            message = bank.vocabulary().unknown_message(key)  # built only when needed
            problems.append(Problem(name, line, str(key), message))
            continue
        if not isinstance(value, list) or not value:
            problems.append(
                Problem(
                    name,
                    line,
                    str(key),
                    "write the questions as a list, one per line starting with '- '",
                )
            )
            malformed.add(key)
            continue
        parsed: list[Question] = []
        for index, item in enumerate(value):
            try:
                parsed.append(Question.parse(item))
            except ValueError as exc:
                problems.append(
                    Problem(
                        name, document.lines.line((key, index)), f"{key}[{index + 1}]", str(exc)
                    )
                )
                malformed.add(key)
        if key not in malformed:
            result[key] = parsed
    for audience in required:
        # A list that is there but malformed is reported once, above.
        if audience in bank.audiences and not result.get(audience) and audience not in malformed:
            problems.append(
                Problem(
                    name,
                    document.lines.line((audience,)),
                    audience,
                    f"the case is for '{audience}' but has no questions for it; add "
                    f"'{audience}:' with at least one question",
                )
            )
    return result, problems
