"""Details that could identify a person, and placeholders left from the scaffold.

Both are checked in every case's text. Identifying details are warnings for a reviewer to
look at again (errors with --strict): a pattern can match harmless text. Placeholders are
errors: a case is not finished while one is left.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from casebook.loader import LoadError, read_yaml_file
from casebook.messages import explain
from casebook.problems import Problem, display_path

PLACEHOLDER = re.compile(r"\bTODO\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w/])\+?\(?\d[\d ().-]{6,}\d(?![\w/])")
_YEARS = re.compile(r"^\d{4}\s*[-–]\s*\d{4}$")


class Pattern(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    regex: str = Field(min_length=1)
    advice: str = Field(min_length=1)

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(
                f"the regex does not compile ({exc}); fix it or delete the pattern"
            ) from exc
        return value


class PatternsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    patterns: list[Pattern] = []


@dataclass(frozen=True)
class Finding:
    name: str
    text: str
    advice: str


@dataclass
class IdentifyingDetails:
    patterns: list[tuple[Pattern, re.Pattern[str]]]

    def find(self, text: str) -> Iterator[Finding]:
        for match in _EMAIL.finditer(text):
            yield Finding("an e-mail address", match.group(0), "remove personal e-mail addresses")
        for match in _PHONE.finditer(text):
            candidate = match.group(0).strip()
            if sum(c.isdigit() for c in candidate) >= 8 and not _YEARS.match(candidate):
                yield Finding("a phone number", candidate, "remove personal phone numbers")
        for pattern, compiled in self.patterns:
            found = compiled.search(text)
            if found:
                yield Finding(pattern.name, found.group(0), pattern.advice)


def load_identifying_patterns(root: Path) -> tuple[IdentifyingDetails, list[Problem]]:
    path = root / "data" / "identifying_patterns.yml"
    name = display_path(path, root)
    if not path.is_file():
        return IdentifyingDetails([]), []
    try:
        document = read_yaml_file(path, name)
        parsed = PatternsFile.model_validate(document.data)
    except LoadError as exc:
        return IdentifyingDetails([]), [exc.problem]
    except ValidationError as exc:
        return IdentifyingDetails([]), [explain(e, document, PatternsFile) for e in exc.errors()]
    compiled = [(p, re.compile(p.regex, re.IGNORECASE)) for p in parsed.patterns]
    return IdentifyingDetails(compiled), []
