"""Checks a reviewer would make: real dates, month-only dates in words, questions that never
ask participants to disclose their own abuse, ids the site's own pages use, and the
facilitator notes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from casebook.cli import main
from casebook.pages.templating import _source_date
from casebook.sources.dates import parse_partial
from casebook.sources.i18n import load_languages
from sitebuild import REPO

CASE = "case_studies/odi-mexico.md"
QUESTIONS = "reflective_questions/cases/odi-mexico.yml"


def check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["--project", str(root), "check", "--no-cache"])
    return code, capsys.readouterr().out


def replace(path: Path, old: str, new: str) -> int:
    """Replace the first `old` in a file; the line where `new` starts."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text[: text.index(new)].count("\n") + 1


# Dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("2024", (2024, None, None)),
        ("2024-07", (2024, 7, None)),
        ("2024-02-29", (2024, 2, 29)),
        ("2022-31-12", None),
        ("2023-02-29", None),
        ("2024-13", None),
        ("24-07", None),
        ("July 2024", None),
    ],
)
def test_only_real_dates_are_dates(
    text: str, parsed: tuple[int, int | None, int | None] | None
) -> None:
    assert parse_partial(text) == parsed


def test_an_impossible_source_date_fails_the_check(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = project_copy / CASE
    text = case.read_text(encoding="utf-8")
    date = next(line for line in text.splitlines() if line.strip().startswith("date:"))
    line = replace(case, date, date.split("date:")[0] + 'date: "2022-31-12"')
    code, out = check(project_copy, capsys)
    assert code == 1
    assert f"{CASE}:{line}: sources." in out
    assert (
        "'2022-31-12' has no month 31; it seems to be written year-day-month: "
        "write 2022-12-31 (31 December 2022)"
    ) in out


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "July 2024"), ("es", "julio de 2024"), ("fr", "juillet 2024")],
)
def test_a_month_only_date_is_shown_as_month_and_year(language: str, shown: str) -> None:
    languages, _ = load_languages(REPO)
    locale = languages.locales[language]
    assert _source_date(locale, "2024-07") == shown
    assert _source_date(locale, "2024") == "2024"
    assert _source_date(locale, "2024-07-31") == locale.date(dt.date(2024, 7, 31))


# Questions that ask for a disclosure -------------------------------------------------------------

DISCLOSURES = [
    ("", "Tell the group about a time you were abused."),
    ("", "Describe your own experience of abuse as a child."),
    ("", "Have you ever been abused by someone you trusted?"),
    (".es", "Cuente al grupo una vez en que usted fue abusada."),
    (".es", "¿Ha sido alguna vez víctima de violencia en su infancia?"),
    (".fr", "Racontez au groupe une fois où vous avez été agressé."),
    (".fr", "Parlez de votre propre expérience d'abus."),
]


@pytest.mark.parametrize(("suffix", "question"), DISCLOSURES)
def test_a_question_asking_for_a_disclosure_fails_the_check(
    project_copy: Path, capsys: pytest.CaptureFixture[str], suffix: str, question: str
) -> None:
    path = project_copy / f"reflective_questions/cases/odi-mexico{suffix}.yml"
    text = path.read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.startswith("  - "))
    line = replace(path, first, f'  - "{question}"\n{first}')
    code, out = check(project_copy, capsys)
    assert code == 1
    shown = f"reflective_questions/cases/odi-mexico{suffix}.yml:{line}: "
    assert shown in out and "asks participants about their own experience of abuse" in out
    hint = {"": "in the third person", ".es": "en tercera persona", ".fr": "troisième personne"}
    assert hint[suffix] in out


def test_the_library_questions_ask_no_disclosure(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Questions about practice and about children in the third person pass."""
    code, out = check(project_copy, capsys)
    assert code == 0, out


# Ids and the facilitator notes ------------------------------------------------------------------


@pytest.mark.parametrize("reserved", ["page", "compose", "index", "es", "admin"])
def test_an_id_the_site_uses_fails_the_check(
    project_copy: Path, capsys: pytest.CaptureFixture[str], reserved: str
) -> None:
    (project_copy / CASE).rename(project_copy / f"case_studies/{reserved}.md")
    for path in (project_copy / "case_studies").glob("odi-mexico.*.md"):
        path.unlink()
    (project_copy / QUESTIONS).rename(project_copy / f"reflective_questions/cases/{reserved}.yml")
    for path in (project_copy / "reflective_questions/cases").glob("odi-mexico.*.yml"):
        path.unlink()
    code, out = check(project_copy, capsys)
    assert code == 1
    assert f"case_studies/{reserved}.md:1: id: '{reserved}' cannot be a case id: " in out


def test_broken_facilitator_notes_fail_the_check(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = project_copy / "reflective_questions/facilitation/notes.yml"
    notes.write_text(notes.read_text(encoding="utf-8") + "\nunknown_field: 1\n", encoding="utf-8")
    code, out = check(project_copy, capsys)
    assert code == 1
    assert "reflective_questions/facilitation/notes.yml:" in out
