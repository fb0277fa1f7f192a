"""Facilitator notes and the session plan.

The notes (reflective_questions/facilitation/notes.yml, or a translation beside it) are the
shared part of every case's facilitator notes; their timing steps make the plan of a session
for a number of questions, stretched to the session's length when a trainer gives one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from casebook.sources.problems import Problem, display_path
from casebook.sources.project import Project
from casebook.sources.yamlmodel import read_model


class TimingStep(BaseModel):
    """One step of the session plan: a fixed time, a time per question, or the rest."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    minutes: int | None = Field(
        None, gt=0, le=240, description="Fixed minutes; with fills_session, the least it takes."
    )
    minutes_per_question: float | None = Field(
        None, gt=0, le=30, description="Minutes for each question (rounded up to 5 in all)."
    )
    fills_session: bool = Field(
        False, description="This step takes whatever time a longer session has left."
    )
    activity: str = Field(min_length=1)

    @model_validator(mode="after")
    def _one_kind(self) -> TimingStep:
        if (self.minutes is None) == (self.minutes_per_question is None):
            raise ValueError(
                "give a step either 'minutes: 10' or 'minutes_per_question: 2', not both or neither"
            )
        return self


class FacilitatorNotes(BaseModel):
    """The shared part of every case's facilitator notes (reflective_questions/facilitation/notes.yml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    aims: list[str] = Field(min_length=1)
    timing: list[TimingStep] = Field(min_length=1)
    ground_rules: list[str] = Field(min_length=1)
    looking_after_participants: list[str] = Field(min_length=1)
    if_someone_discloses: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_filler(self) -> FacilitatorNotes:
        if sum(step.fills_session for step in self.timing) > 1:
            raise ValueError("only one timing step may have 'fills_session: true'")
        return self

    def plan(self, questions: int, length: int | None = None) -> SessionPlan:
        return session_plan(self, questions, length)


@dataclass(frozen=True)
class PlanStep:
    minutes: int
    activity: str


@dataclass(frozen=True)
class SessionPlan:
    """A session's steps and their minutes, for a sheet with `questions` questions.

    The steps always add up to `total`. `needed` is the shortest session that fits the
    questions; a requested length below it is kept in `requested` so the sheet can say so.
    """

    steps: tuple[PlanStep, ...]
    questions: int
    needed: int
    requested: int | None = None

    @property
    def total(self) -> int:
        return sum(step.minutes for step in self.steps)

    @property
    def too_short(self) -> bool:
        return self.requested is not None and self.requested < self.needed


def step_minutes(step: TimingStep, questions: int) -> int:
    if step.minutes_per_question is not None:
        # Rounded up to whole five minutes, so a plan reads as a trainer would write it.
        return max(5, 5 * math.ceil(step.minutes_per_question * max(questions, 1) / 5))
    return step.minutes or 0


def session_plan(notes: FacilitatorNotes, questions: int, length: int | None = None) -> SessionPlan:
    """The plan for `questions` questions, stretched to `length` minutes when that is longer.

    composer.js computes the same plan in the browser; tests check the two agree.
    """
    minutes = [step_minutes(step, questions) for step in notes.timing]
    needed = sum(minutes)
    if length is not None and length > needed:
        filler = next((i for i, s in enumerate(notes.timing) if s.fills_session), len(minutes) - 1)
        minutes[filler] += length - needed
    steps = tuple(PlanStep(m, s.activity) for m, s in zip(minutes, notes.timing, strict=True))
    return SessionPlan(steps, questions, needed, length)


def notes_path(project: Project, language: str = "") -> Path:
    folder = project.questions_dir / "facilitation"
    translated = folder / f"notes.{language}.yml"
    return translated if language and translated.is_file() else folder / "notes.yml"


def load_facilitator_notes(
    project: Project, language: str = ""
) -> tuple[FacilitatorNotes | None, list[Problem]]:
    """The facilitator notes in a language, falling back to the original's."""
    path = notes_path(project, language)
    name = display_path(path, project.root)
    if not path.is_file():
        return None, [
            Problem(
                name, 1, "", "the facilitator notes file is missing; restore it from the repository"
            )
        ]
    read, problems = read_model(path, name, FacilitatorNotes)
    return (read.value if read else None), problems
