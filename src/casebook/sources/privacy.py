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

from pydantic import BaseModel, ConfigDict, Field, field_validator

from casebook.sources.problems import Problem, display_path
from casebook.sources.yamlmodel import read_model

PLACEHOLDER = re.compile(r"\bTODO\b")
# Only from the start of a run of address characters: trying each character of a long run
# without an '@' would take time quadratic in its length.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w/])\+?\(?\d[\d ().-]{6,}\d(?![\w/])")
# The core of every _PHONE match. Without the look-behind in front, the regex engine skips
# straight to the digits, so text with no run like this is ruled out many times faster.
_PHONE_CORE = re.compile(r"\d[\d ().-]{6,}\d")
_YEARS = re.compile(r"^\d{4}\s*[-–]\s*\d{4}$|^\d{4}-\d{2}-\d{2}$")  # year ranges, ISO dates


class Pattern(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    regex: str = Field(min_length=1)
    advice: str = Field(min_length=1)
    # Words (lower case) of which the text must contain one for the regex to match at all:
    # a quick test that lets the check skip the regex on most text.
    keywords: list[str] = []

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


def _is_phone(match: re.Match[str]) -> bool:
    candidate = match.group(0).strip()
    return sum(c.isdigit() for c in candidate) >= 8 and not _YEARS.match(candidate)


@dataclass(frozen=True)
class Finding:
    name: str
    text: str
    advice: str


@dataclass
class IdentifyingDetails:
    patterns: list[tuple[Pattern, re.Pattern[str]]]

    def suspects(self, text: str) -> Suspects | None:
        """The checks worth running on the parts of this text (a whole document), or None.

        Regexes are slow on long text, so each runs once on the whole document, after its
        quick keyword test, and only the ones that match are run again on each part.
        """
        lower = text.lower()
        patterns = [
            (p, c)
            for p, c in self.patterns
            if (not p.keywords or any(k in lower for k in p.keywords)) and c.search(text)
        ]
        email = "@" in text and _EMAIL.search(text) is not None
        phone = _PHONE_CORE.search(text) is not None and any(
            _is_phone(m) for m in _PHONE.finditer(text)
        )
        return Suspects(patterns, email, phone) if patterns or email or phone else None

    def find(self, text: str, suspects: Suspects | None = None) -> Iterator[Finding]:
        suspects = suspects or Suspects(self.patterns, True, True)
        if suspects.email:
            for match in _EMAIL.finditer(text):
                yield Finding(
                    "an e-mail address", match.group(0), "remove personal e-mail addresses"
                )
        if suspects.phone:
            for match in _PHONE.finditer(text):
                if _is_phone(match):
                    yield Finding(
                        "a phone number", match.group(0).strip(), "remove personal phone numbers"
                    )
        for pattern, compiled in suspects.patterns:
            found = compiled.search(text)
            if found:
                yield Finding(pattern.name, found.group(0), pattern.advice)


@dataclass(frozen=True)
class Suspects:
    patterns: list[tuple[Pattern, re.Pattern[str]]]
    email: bool
    phone: bool


def load_identifying_patterns(root: Path) -> tuple[IdentifyingDetails, list[Problem]]:
    path = root / "data" / "identifying_patterns.yml"
    name = display_path(path, root)
    if not path.is_file():
        return IdentifyingDetails([]), []
    loaded, problems = read_model(path, name, PatternsFile)
    if loaded is None:
        return IdentifyingDetails([]), problems
    compiled = [(p, re.compile(p.regex, re.IGNORECASE)) for p in loaded.value.patterns]
    return IdentifyingDetails(compiled), []
