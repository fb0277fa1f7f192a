"""Reflective questions never ask participants to disclose their own experience of abuse.

The worksheet guidance forbids it, and a question that invites it can harm the person who
answers. The rule is data that editors can read (data/question_safeguarding.yml): patterns
for each language, with a hint toward a practice-based or third-person wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from casebook.sources.loader import Document, strings_in
from casebook.sources.problems import Problem, display_path
from casebook.sources.yamlmodel import read_model

RULES_FILE = Path("data") / "question_safeguarding.yml"


class LanguageRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    patterns: list[str] = Field(min_length=1)
    hint: str = Field(min_length=1)


class RulesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    languages: dict[str, LanguageRule] = Field(min_length=1)


@dataclass(frozen=True)
class DisclosureRules:
    patterns: dict[str, re.Pattern[str]] = field(default_factory=dict)  # language -> one pattern
    hints: dict[str, str] = field(default_factory=dict)

    def problems(self, document: Document, language: str) -> list[Problem]:
        """A problem for each question of a questions file that asks for a disclosure."""
        pattern = self.patterns.get(language)
        if pattern is None:
            return []
        return [
            Problem(
                document.name,
                document.lines.line(loc),
                ".".join(str(part) for part in loc),
                "this question asks participants about their own experience of abuse, which "
                f"the worksheet guidance forbids: {self.hints[language]}",
            )
            for loc, text in strings_in(document.data)
            # a question is a list item or a `question:`; a facilitator's prompt is not one
            if (isinstance(loc[-1], int) or loc[-1] == "question") and pattern.search(text)
        ]


def load_disclosure_rules(root: Path) -> tuple[DisclosureRules, list[Problem]]:
    path = root / RULES_FILE
    if not path.is_file():
        return DisclosureRules(), []
    name = display_path(path, root)
    loaded, problems = read_model(path, name, RulesFile)
    if loaded is None:
        return DisclosureRules(), problems
    patterns: dict[str, re.Pattern[str]] = {}
    for language, rule in loaded.value.languages.items():
        valid: list[str] = []
        for index, pattern in enumerate(rule.patterns):
            try:
                re.compile(pattern)
            except re.error as exc:
                line = loaded.document.lines.line(("languages", language, "patterns", index))
                problems.append(
                    Problem(
                        name,
                        line,
                        f"languages.{language}.patterns.{index}",
                        f"this is not a valid regular expression ({exc}); fix it",
                    )
                )
                continue
            valid.append(pattern)
        patterns[language] = re.compile("|".join(f"(?:{p})" for p in valid) or r"(?!)", re.I)
    hints = {language: rule.hint for language, rule in loaded.value.languages.items()}
    return DisclosureRules(patterns, hints), problems
