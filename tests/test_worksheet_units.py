"""Quick unit tests of the worksheets' pure logic, on hand-built values: the session plan
(casebook.sources.facilitation), the footer's CSS string (casebook.pages.worksheets) and the PDF cache's
bookkeeping (casebook.outputs.pdf), without reading the project or rendering a PDF."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from casebook.outputs import pdf
from casebook.pages.worksheets import css_string
from casebook.sources.cachekey import Seal
from casebook.sources.facilitation import (
    FacilitatorNotes,
    TimingStep,
    load_facilitator_notes,
    notes_path,
    session_plan,
    step_minutes,
)
from casebook.sources.project import Project
from sitebuild import css_unescape

# The session plan ----------------------------------------------------------------------


def step(activity: str = "an activity", **time: Any) -> TimingStep:
    return TimingStep(activity=activity, **time)


def notes(*timing: TimingStep) -> FacilitatorNotes:
    return FacilitatorNotes(
        aims=["aim"],
        timing=list(timing),
        ground_rules=["rule"],
        looking_after_participants=["care"],
        if_someone_discloses=["listen"],
    )


# Welcome 5, reading 10, writing 2 a question, discussion 20 (fills the session), close 5.
TYPICAL = notes(
    step("welcome", minutes=5),
    step("read", minutes=10),
    step("write", minutes_per_question=2),
    step("discuss", minutes=20, fills_session=True),
    step("close", minutes=5),
)


@pytest.mark.parametrize(
    ("per_question", "questions", "minutes"),
    [
        (2, 10, 20),  # already whole fives
        (2, 9, 20),  # 18 rounds up
        (2, 11, 25),  # 22 rounds up
        (1.5, 7, 15),  # 10.5 rounds up
        (0.5, 1, 5),  # never under five
        (2, 0, 5),  # no questions counts as one
    ],
)
def test_time_per_question_rounds_up_to_whole_fives(
    per_question: float, questions: int, minutes: int
) -> None:
    assert step_minutes(step(minutes_per_question=per_question), questions) == minutes


def test_a_fixed_step_ignores_the_number_of_questions() -> None:
    assert step_minutes(step(minutes=7), 1) == step_minutes(step(minutes=7), 40) == 7


def test_a_plan_without_a_length_is_the_time_its_questions_need() -> None:
    plan = session_plan(TYPICAL, 9)
    assert [(s.minutes, s.activity) for s in plan.steps] == [
        (5, "welcome"),
        (10, "read"),
        (20, "write"),
        (20, "discuss"),
        (5, "close"),
    ]
    assert plan.total == plan.needed == 60
    assert plan.questions == 9 and plan.requested is None and not plan.too_short


def test_a_longer_session_gives_its_extra_time_to_the_filling_step() -> None:
    plan = session_plan(TYPICAL, 9, 90)
    assert [s.minutes for s in plan.steps] == [5, 10, 20, 50, 5]
    assert (plan.total, plan.needed, plan.requested) == (90, 60, 90)
    assert not plan.too_short


def test_without_a_filling_step_the_last_step_takes_the_extra_time() -> None:
    plain = notes(step("talk", minutes=10), step("close", minutes=5))
    assert [s.minutes for s in session_plan(plain, 3, 45).steps] == [10, 35]


def test_a_session_too_short_keeps_the_needed_time_and_says_so() -> None:
    plan = session_plan(TYPICAL, 9, 30)
    assert [s.minutes for s in plan.steps] == [5, 10, 20, 20, 5]
    assert (plan.total, plan.needed, plan.requested) == (60, 60, 30)
    assert plan.too_short


def test_a_session_of_exactly_the_needed_length_is_not_too_short() -> None:
    plan = session_plan(TYPICAL, 9, 60)
    assert plan.total == 60 and plan.requested == 60 and not plan.too_short


def test_the_notes_plan_is_the_session_plan() -> None:
    assert TYPICAL.plan(4, 75) == session_plan(TYPICAL, 4, 75)
    assert TYPICAL.plan(4) == session_plan(TYPICAL, 4)


@pytest.mark.parametrize(
    "time",
    [{}, {"minutes": 5, "minutes_per_question": 1}],
    ids=["neither", "both"],
)
def test_a_step_takes_exactly_one_kind_of_time(time: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="either 'minutes: 10' or 'minutes_per_question: 2'"):
        step(**time)


def test_only_one_step_may_fill_the_session() -> None:
    with pytest.raises(ValidationError, match="only one timing step may have 'fills_session"):
        notes(step(minutes=5, fills_session=True), step(minutes=5, fills_session=True))


# Where the notes come from -------------------------------------------------------------

NOTES_YML = """\
aims: [Learn]
timing:
  - minutes: 10
    activity: Talk
ground_rules: [Be kind]
looking_after_participants: [Pause]
if_someone_discloses: [Listen]
"""


def facilitation_folder(root: Path) -> Path:
    folder = Project(root).questions_dir / "facilitation"
    folder.mkdir(parents=True)
    return folder


def test_a_translation_of_the_notes_is_used_when_there_is_one(tmp_path: Path) -> None:
    folder = facilitation_folder(tmp_path)
    (folder / "notes.yml").write_text(NOTES_YML, encoding="utf-8")
    (folder / "notes.es.yml").write_text(NOTES_YML, encoding="utf-8")
    project = Project(tmp_path)
    assert notes_path(project, "es") == folder / "notes.es.yml"
    assert notes_path(project, "fr") == folder / "notes.yml"
    assert notes_path(project) == folder / "notes.yml"


def test_notes_load_and_fall_back_to_the_original(tmp_path: Path) -> None:
    folder = facilitation_folder(tmp_path)
    (folder / "notes.yml").write_text(NOTES_YML, encoding="utf-8")
    loaded, problems = load_facilitator_notes(Project(tmp_path), "fr")
    assert problems == []
    assert loaded is not None and loaded.aims == ["Learn"]
    assert [(s.minutes, s.activity) for s in loaded.timing] == [(10, "Talk")]


def test_missing_notes_are_one_problem_naming_the_file(tmp_path: Path) -> None:
    loaded, problems = load_facilitator_notes(Project(tmp_path))
    assert loaded is None
    assert [p.format() for p in problems] == [
        "reflective_questions/facilitation/notes.yml:1: "
        "the facilitator notes file is missing; restore it from the repository"
    ]


def test_invalid_notes_are_reported_not_raised(tmp_path: Path) -> None:
    folder = facilitation_folder(tmp_path)
    (folder / "notes.yml").write_text(NOTES_YML.replace("[Be kind]", "[]"), encoding="utf-8")
    loaded, problems = load_facilitator_notes(Project(tmp_path))
    assert loaded is None and problems
    assert all(p.path == "reflective_questions/facilitation/notes.yml" for p in problems)
    assert any(p.field.startswith("ground_rules") for p in problems), problems


# The footer's CSS string ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Plain title",
        'A \\" already escaped quote',
        "C:\\A path\\",
        "</style><script>alert(1)</script>",
        "Two\nlines\n",
        "Carriage\rreturn and form\ffeed",
        'Title"; } @page { @top-left { content: "Call 000',
        "Ünïcödé — señal · 2017–2024",
    ],
)
def test_a_css_string_reads_back_as_the_text(text: str) -> None:
    escaped = css_string(text)
    assert css_unescape(escaped) == text
    # Nothing that could end the string, the rule or the style element is left as it is.
    assert not set(escaped) & set("\"'\n\r\f<>{};")


def test_a_backslash_and_a_quote_become_hex_escapes() -> None:
    assert css_string('a\\"') == "a\\5c \\22 "


# The PDF cache's bookkeeping -----------------------------------------------------------


class Steps:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def step(self, message: str) -> None:
        self.messages.append(message)


# What the cache takes for a whole PDF: its header, its end marker, a plausible size.
CACHED = b"%PDF-1.7\n" + b"%" * 100 + b"\n%%EOF\n"


def cached_project(root: Path, html: str, pdf_bytes: bytes) -> Project:
    """A project whose PDF cache already holds the PDF of `html`, sealed as this machine
    seals what it renders."""
    project = Project(root)
    cache = project.cache_dir / "pdf"
    cache.mkdir(parents=True)
    target = cache / f"{pdf._fingerprint(html)}.pdf"
    target.write_bytes(pdf_bytes)
    pdf.seal_pdf(Seal.of(root), target)
    return project


def test_a_fingerprint_changes_with_the_html_only() -> None:
    one = pdf._fingerprint("<p>one</p>")
    assert one == pdf._fingerprint("<p>one</p>")
    assert one != pdf._fingerprint("<p>two</p>")
    assert re.fullmatch(r"[0-9a-f]{64}", one)


def test_only_uncached_documents_are_rendered_once_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = cached_project(tmp_path, "<p>one</p>", CACHED)
    runs: list[tuple[dict[str, tuple[str, str]], int]] = []
    monkeypatch.setattr(pdf, "_run", lambda jobs, workers: runs.append((jobs, workers)))
    documents = {
        "en": [("worksheets/a/one.pdf", "<p>one</p>"), ("worksheets/a/two.pdf", "<p>two</p>")],
        "es": [("worksheets/a/one.pdf", "<p>uno</p>"), ("worksheets/a/two.pdf", "<p>two</p>")],
    }
    progress = Steps()
    result = pdf.render_pdfs(project, documents, progress, workers=3, original="en")
    assert progress.messages == ["Worksheet PDFs: 4 in all, 2 to render, 2 cached"]
    assert (result.rendered, result.cached) == (2, 2)
    [(jobs, workers)] = runs
    assert workers == 3
    # The same HTML in two editions is one job, named where it was first met.
    assert sorted(where for _, where in jobs.values()) == [
        "es/worksheets/a/one.pdf",
        "worksheets/a/two.pdf",
    ]
    assert result.files["en"]["worksheets/a/two.pdf"] == result.files["es"]["worksheets/a/two.pdf"]
    assert result.files["en"]["worksheets/a/one.pdf"].read_bytes() == CACHED


def test_nothing_to_render_starts_no_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = cached_project(tmp_path, "<p>one</p>", CACHED)

    def no_run(jobs: dict[str, tuple[str, str]], workers: int) -> None:
        raise AssertionError("nothing should be rendered")

    monkeypatch.setattr(pdf, "_run", no_run)
    progress = Steps()
    result = pdf.render_pdfs(project, {"en": [("w/one.pdf", "<p>one</p>")]}, progress)
    assert (result.rendered, result.cached) == (0, 1)
    assert progress.messages == ["Worksheet PDFs: 1 in all, 0 to render, 1 cached"]


@pytest.mark.parametrize(
    ("total", "reported"),
    [(8, [2, 4, 6, 8]), (3, [1, 2, 3]), (1, [1]), (10, [3, 5, 8, 10])],
)
def test_a_log_gets_a_line_for_each_quarter(
    total: int, reported: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    bar = pdf._Bar(total)
    assert not bar.tty  # pytest captures stderr, so this is the log's form
    for _ in range(total):
        bar.advance()
    bar.finish()
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"  {n}/{total} PDFs rendered" for n in reported]
