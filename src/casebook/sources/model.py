"""The case model: what a case's front matter may hold, the loaded case, and the library.

Vocabulary membership is checked against the data files in `vocabularies/` by
`casebook.check.casefile`; this module checks shape, types and the rules that need no data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from casebook.sources.dates import partial_date
from casebook.sources.i18n import Languages, english_only
from casebook.sources.isocodes import country_code, language_code
from casebook.sources.questions import Question, QuestionBank
from casebook.sources.support import SupportDirectory
from casebook.sources.vocabularies import SLUG_PATTERN, Vocabularies


def _as_text(value: object) -> object:
    # YAML reads 2021-05-31 as a date and 2021 as a number; a source date is shown as written.
    if isinstance(value, dt.date | int):
        return str(value)
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Country = Annotated[str, AfterValidator(country_code)]
Language = Annotated[str, AfterValidator(language_code)]
Year = Annotated[int, Field(ge=1900, le=2100)]
PartialDate = Annotated[Text, AfterValidator(partial_date)]  # YYYY, YYYY-MM or YYYY-MM-DD


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Organisation(Strict):
    name: Text = Field(description="The organisation's full name, in its own language.")
    short_name: Text | None = Field(None, description="The acronym or short name, e.g. ODI.")
    english_name: Text | None = Field(None, description="An English rendering of the name.")
    country: Country = Field(description="Where it is based, as an ISO 3166 code, e.g. MX.")
    website: HttpUrl | None = Field(None, description="Its website, starting with https://.")
    kind: Slug = Field(description="One id from vocabularies/organisation_kinds.yml.")

    @property
    def display_name(self) -> str:
        return f"{self.name} ({self.short_name})" if self.short_name else self.name


class Period(Strict):
    start: Year = Field(description="The first year the case covers.")
    end: Year | None = Field(None, description="The last year; leave out if the work continues.")

    # A field validator, not a model validator, so the problem is reported on the line of
    # 'end:', the value an editor most likely has to change.
    @field_validator("end")
    @classmethod
    def _after_start(cls, end: int | None, info: ValidationInfo) -> int | None:
        start = info.data.get("start")  # absent when the start year itself is invalid
        if end is not None and start is not None and end < start:
            raise ValueError(f"the end year {end} is before the start year {start}; swap them")
        return end

    def __str__(self) -> str:
        if self.end is None:
            return f"{self.start}–present"
        return str(self.start) if self.end == self.start else f"{self.start}–{self.end}"


class HeadlineFact(Strict):
    label: Text = Field(description="A short heading for the fact card, e.g. Public attention.")
    text: Text = Field(description="One or two sentences.")


class SectionNote(Strict):
    section: Slug = Field(description="The id of a body section from vocabularies/sections.yml.")
    note: Text = Field(description="A specific, neutral note shown before that section.")


class Milestone(Strict):
    id: Slug = Field(description="A short id that outcomes use in their chain, e.g. report.")
    kind: Slug = Field(description="One id from vocabularies/milestone_kinds.yml.")
    label: Text = Field(description="What happened, in a few words.")
    year: Year | None = Field(None, description="The year, where it is known for certain.")
    text: Text | None = Field(None, description="Optional detail.")


class Outcome(Strict):
    text: Text = Field(description="What changed.")
    chain: list[Slug] = Field(
        min_length=1,
        description="Milestone ids that led to this outcome, first step first, e.g. [report, court-decision].",
    )
    evidence: Slug | None = Field(
        None,
        description="What the outcome rests on: one id from vocabularies/outcome_evidence.yml.",
    )


class EvidencePoint(Strict):
    year: Year = Field(description="When the evidence base stood at this point.")
    text: Text = Field(description="What it held then, e.g. 37 cases reviewed.")


class Source(Strict):
    title: Text = Field(description="The source's title, as published.")
    publisher: Text | None = Field(None, description="Who published it.")
    date: Annotated[PartialDate | None, BeforeValidator(_as_text)] = Field(
        None, description="Publication date as YYYY, YYYY-MM or YYYY-MM-DD."
    )
    url: HttpUrl | None = Field(None, description="A link, starting with https://.")
    kind: Slug = Field(description="One id from vocabularies/source_kinds.yml.")
    citation: Text | None = Field(None, description="A full citation, needed when there is no URL.")

    @model_validator(mode="after")
    def _findable(self) -> Source:
        if self.url is None and self.citation is None:
            raise ValueError(
                "a source needs a 'url' or a full 'citation' (author, title, publisher, date) "
                "so readers can find it"
            )
        return self


class CaseFrontMatter(Strict):
    """Every field a case's front matter may hold."""

    id: Slug | None = Field(
        None,
        description="Optional: the case id, which must match the file name (the web editor "
        "names the file from it).",
    )
    title: Text = Field(description="The case's title, as a reader would search for it.")
    summary: Text = Field(description="One paragraph: who, where, what was learned, what changed.")
    status: Literal["draft", "published"] = Field(
        description="'draft' is checked but not published; 'published' appears on the site."
    )
    language: Language = Field("en", description="The language of this file, e.g. en.")
    organisation: Organisation
    partners: list[Text] = Field(
        [], description="Other organisations that did the work with it, by name."
    )
    countries: list[Country] = Field(min_length=1, description="ISO 3166 codes, e.g. [MX].")
    reach: Slug | None = Field(
        None,
        description="How far the work extends (one country, several, online across borders): "
        "one id from vocabularies/reach.yml.",
    )
    subnational_scope: Text | None = Field(None, description="E.g. '12 states'.")
    period: Period
    settings: list[Slug] = Field(min_length=1, description="Ids from vocabularies/settings.yml.")
    forms_of_violence: list[Slug] = Field(
        min_length=1, description="Ids from vocabularies/forms_of_violence.yml."
    )
    themes: list[Slug] = Field(min_length=1, description="Ids from vocabularies/themes.yml.")
    inspire: list[Slug] = Field(
        [], description="The INSPIRE strategies of its action: ids from vocabularies/inspire.yml."
    )
    knowledge_type: Slug = Field(description="One id from vocabularies/knowledge_types.yml.")
    practice_sources: list[Slug] = Field(
        min_length=1,
        description="What the knowledge rests on: ids from vocabularies/evidence_types.yml.",
    )
    audiences: list[Slug] = Field(
        min_length=1, description="Audience ids from reflective_questions/*.yml."
    )
    content_note: Text = Field(description="A specific, neutral note shown before the case.")
    section_notes: list[SectionNote] = []
    headline_facts: list[HeadlineFact] = []
    milestones: list[Milestone] = []
    outcomes: list[Outcome] = []
    evidence_timeline: list[EvidencePoint] = []
    sources: list[Source] = Field(min_length=1)
    translation_of: Slug | None = Field(
        None, description="In a translation only: the id of the case it translates."
    )
    translated_version: dt.date | None = Field(
        None,
        description="In a translation only: the original's last_reviewed date that it translates.",
    )
    translations: list[Language] = Field(
        [], description="Languages this case is also published in."
    )
    first_published: dt.date | None = Field(
        None,
        description="When the case was first published on this site, YYYY-MM-DD; readers of "
        "the feed and the page can then tell a new case from an updated one.",
    )
    last_reviewed: dt.date = Field(description="When an editor last checked the case, YYYY-MM-DD.")

    # On 'last_reviewed', the value an editor changes when a case is reviewed again.
    @field_validator("last_reviewed")
    @classmethod
    def _not_before_publication(cls, reviewed: dt.date, info: ValidationInfo) -> dt.date:
        published = info.data.get("first_published")
        if published is not None and reviewed < published:
            raise ValueError(
                f"{reviewed} is before first_published ({published}); a case is reviewed on "
                "or after the day it was first published: correct one of the two dates"
            )
        return reviewed


@dataclass(frozen=True)
class Section:
    """A level-2 section of a case's body."""

    id: str  # a vocabulary id, or a slug of the heading for extra sections
    heading: str
    markdown: str
    line: int


@dataclass
class Case:
    """A validated case, ready to render."""

    id: str
    path: str
    meta: CaseFrontMatter
    intro: str  # Markdown before the first section
    sections: list[Section]
    questions: dict[str, list[Question]] = field(default_factory=dict)  # audience id -> questions
    original: Case | None = None  # set on a translation

    @property
    def outdated(self) -> bool:
        """A translation made from an older version of its original."""
        if self.original is None or self.meta.translated_version is None:
            return False
        return self.meta.translated_version < self.original.meta.last_reviewed

    @property
    def published(self) -> bool:
        return self.meta.status == "published"

    @property
    def url(self) -> str:
        return f"cases/{self.id}/"

    def pdf_path(self, size: str) -> str:
        """Its PDF beside its page, e.g. cases/odi-mexico/odi-mexico-a4.pdf."""
        return f"{self.url}{self.id}-{size}.pdf"


@dataclass
class Library:
    """Everything the renderer needs, all of it already validated."""

    cases: list[Case]
    vocabularies: Vocabularies
    questions: QuestionBank
    support: SupportDirectory = field(default_factory=SupportDirectory)
    # language -> case id -> translated case (published or not)
    translations: dict[str, dict[str, Case]] = field(default_factory=dict)
    languages: Languages = field(default_factory=english_only)

    @property
    def published(self) -> list[Case]:
        return [case for case in self.cases if case.published]
