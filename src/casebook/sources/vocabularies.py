"""Controlled vocabularies, read from the YAML data files in `vocabularies/`.

The files are the single source of truth: code never lists a term. Each file names the
front-matter field it controls (`field: sources.kind`), so checking is data-driven.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from casebook.sources.plaintext import markup_problems
from casebook.sources.problems import Problem, display_path
from casebook.sources.yamlmodel import read_model

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class Term(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=SLUG_PATTERN)
    label: str = Field(min_length=1)
    description: str = ""
    aliases: list[str] = []
    required: bool = False  # used by the sections vocabulary
    countries: list[str] = []  # used by the regions vocabulary


class VocabularyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    label: str
    field: str | None = None
    order: int = 100  # where its facet comes in quick facts and the finder
    terms: list[Term] = Field(min_length=1)


@dataclass
class Vocabulary:
    id: str
    label: str
    field: str | None
    terms: dict[str, Term]
    source: str = ""
    order: int = 100

    @classmethod
    def from_terms(
        cls,
        id: str,
        label: str,
        field: str | None,
        terms: Iterable[Term],
        source: str = "",
        order: int = 100,
    ) -> Vocabulary:
        return cls(id, label, field, {term.id: term for term in terms}, source, order)

    def __contains__(self, value: object) -> bool:
        return value in self.terms

    def label_of(self, value: str) -> str:
        term = self.terms.get(value)
        return term.label if term else value

    def suggest(self, value: str) -> str | None:
        """The term an unknown value most likely meant, through ids, aliases and labels."""
        wanted = value.strip().lower().replace(" ", "-").replace("_", "-")
        names: dict[str, str] = {}
        for term in self.terms.values():
            names[term.id] = term.id
            names[term.label.lower().replace(" ", "-")] = term.id
            for alias in term.aliases:
                names[alias.lower()] = term.id
        if wanted in names:
            return names[wanted]
        # A value that extends or shortens exactly one term ('newspaper', 'early') means that
        # term; spelling similarity alone would offer 'research' (alias 'paper') for 'newspaper'.
        prefixed = {
            term
            for name, term in names.items()
            if min(len(name), len(wanted)) >= 4
            and (wanted.startswith(name) or name.startswith(wanted))
        }
        if len(prefixed) == 1:
            return prefixed.pop()
        close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.6)
        return names[close[0]] if close else None

    def label_match(self, value: str) -> Term | None:
        """The term whose label readers see is `value`, as written or written like an id
        ('One country', 'one-country'): the editor copied the label, not the id."""
        wanted = value.strip().lower()
        for term in self.terms.values():
            label = term.label.strip().lower()
            if wanted in (label, "-".join(re.findall(r"[\w']+", label))):
                return term
        return None

    def unknown_message(self, value: object) -> str:
        shown = f"'{value}'"
        hint = self.suggest(str(value))
        allowed = ", ".join(self.terms)
        where = f" (see {self.source})" if self.source else ""
        labelled = self.label_match(str(value))
        if labelled is not None:
            return (
                f"{shown} is the label readers see for the {self.label.lower()} "
                f"'{labelled.id}'; write its id: {labelled.id}. Allowed: {allowed}{where}"
            )
        if hint:
            return f"{shown} is not a known {self.label.lower()}; did you mean '{hint}'? Allowed: {allowed}{where}"
        return f"{shown} is not a known {self.label.lower()}; write one of: {allowed}{where}"


@dataclass
class Vocabularies:
    """Every controlled vocabulary, keyed by id."""

    by_id: dict[str, Vocabulary] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Vocabulary:
        return self.by_id[key]

    def get(self, key: str) -> Vocabulary | None:
        return self.by_id.get(key)

    def add(self, vocabulary: Vocabulary) -> None:
        self.by_id[vocabulary.id] = vocabulary

    def controlling(self) -> list[Vocabulary]:
        """The vocabularies that check a front-matter field."""
        return sorted((v for v in self.by_id.values() if v.field), key=lambda v: (v.order, v.id))

    def region_of(self, country: str) -> str | None:
        regions = self.by_id.get("regions")
        if regions:
            for term in regions.terms.values():
                if country in term.countries:
                    return term.id
        return None


def load_vocabularies(folder: Path, root: Path | None = None) -> tuple[Vocabularies, list[Problem]]:
    vocabularies = Vocabularies()
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yml")):
        name = display_path(path, root)
        loaded, found = read_model(path, name, VocabularyFile)
        problems += found
        if loaded is None:
            continue
        problems += markup_problems(loaded.document)
        parsed = loaded.value
        vocabularies.add(
            Vocabulary.from_terms(
                parsed.id, parsed.label, parsed.field, parsed.terms, name, parsed.order
            )
        )
    if not folder.is_dir():
        problems.append(Problem(str(folder), 1, "", "the vocabularies folder is missing"))
    return vocabularies, problems
