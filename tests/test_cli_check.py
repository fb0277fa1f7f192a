"""`casebook check` and `casebook schema` on the command line: output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casebook.cli import main

REPO = Path(__file__).resolve().parents[1]

ODI = "case_studies/odi-mexico.md"
CASE_FILES = len(list((REPO / "case_studies").glob("*.md")))  # originals and translations


@pytest.fixture
def project(project_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(project_copy)  # paths in messages are relative to the working folder
    return project_copy


def edit(root: Path, old: str, new: str, path: str = ODI) -> int:
    """Replace `old` once in a project file; returns the line the new text starts on."""
    file = root / path
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1
    file.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def run(root: Path, *args: str) -> int:
    return main(["--project", str(root), "check", *args])


def test_clean_project_exits_0(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(project) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"check passed: {CASE_FILES} case file(s), 0 error(s), 0 warning(s)\n"


def test_project_is_found_from_the_working_folder(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project / "case_studies")
    assert main(["check"]) == 0
    edit(project, "status: published", "status: final")
    assert main(["check"]) == 1
    # From inside case_studies/, the path is shown relative to it, so editors can click it.
    assert capsys.readouterr().out.startswith("odi-mexico.md:")


def test_errors_exit_1_and_print_path_line_field_message(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = edit(project, "status: published", "status: final")
    assert run(project) == 1
    out, err = capsys.readouterr()
    assert out == (
        f"{ODI}:{line}: status: 'final' is not allowed; write one of 'draft' or 'published'\n"
    )
    assert err == f"check failed: {CASE_FILES} case file(s), 1 error(s), 0 warning(s)\n"


def test_every_problem_is_printed_in_file_and_line_order(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    later = edit(project, "  end: 2024", "  end: 2010")
    earlier = edit(project, "status: published", "status: final")
    (project / "case_studies" / "another.md").write_text("no front matter\n", encoding="utf-8")
    assert run(project) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [
        "case_studies/another.md:1",
        f"{ODI}:{earlier}",
        f"{ODI}:{later}",
    ]
    assert lines[2] == (
        f"{ODI}:{later}: period.end: the end year 2010 is before the start year 2017; swap them"
    )


def test_github_format_prints_annotations(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = edit(project, "settings: [schools,", "settings: [skools,")
    assert run(project, "--format", "github") == 1
    out, err = capsys.readouterr()
    assert out.startswith(f"::error file={ODI},line={line},title=settings.0::'skools' is not")
    assert "did you mean 'schools'?" in out
    assert out.count("\n") == 1
    assert err == ""  # annotations only; no summary to confuse the log


def test_github_format_escapes_newlines_and_percent(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(project, "subnational_scope: 12 states", "subnational_scope: 12 states\n100%: x")
    assert run(project, "--format", "github") == 1
    out = capsys.readouterr().out
    assert "unknown field '100%25'" in out


def test_warning_passes_unless_strict(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (project / ODI).read_text(encoding="utf-8")
    (project / ODI).write_text(text + "\n## Public attention\n\nWidely covered.\n", "utf-8")
    line = len(text.split("\n")) + 1
    prefix = f"{ODI}:{line}: "
    message = "body: 'Public attention' is not a standard section"

    assert run(project) == 0
    out, err = capsys.readouterr()
    assert out.startswith(prefix + "warning: " + message)
    assert err == f"check passed: {CASE_FILES} case file(s), 0 error(s), 1 warning(s)\n"

    assert run(project, "--strict") == 1
    out, err = capsys.readouterr()
    assert out.startswith(prefix + message)  # shown as an error
    assert err == f"check failed: {CASE_FILES} case file(s), 1 error(s), 0 warning(s)\n"

    assert run(project, "--format", "github") == 0
    assert capsys.readouterr().out.startswith(f"::warning file={ODI},line={line},title=body::")
    assert run(project, "--format", "github", "--strict") == 1
    assert capsys.readouterr().out.startswith(f"::error file={ODI},line={line},title=body::")


def test_paths_limit_the_check_to_those_cases(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = project / "case_studies" / "broken.md"
    broken.write_text("", encoding="utf-8")
    assert run(project, ODI) == 0
    assert run(project, "case_studies/broken.md") == 1
    assert run(project, "reflective_questions/cases/odi-mexico.yml") == 0  # means its case
    assert run(project, "case_studies") == 1  # a folder: every case in it
    out = capsys.readouterr().out
    assert out.count("case_studies/broken.md:1: the file is empty") == 2


def test_a_vocabulary_path_is_not_checked_as_a_case(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(project, "vocabularies/settings.yml") == 0
    assert capsys.readouterr().out == ""


def test_a_missing_path_is_reported(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(project, "case_studies/nope.md") == 1
    assert capsys.readouterr().out.startswith("case_studies/nope.md:1: cannot read the file")


@pytest.mark.parametrize(
    "content",
    [b"", b"\xff\xfe\x00t\x00i", b"---\n\ttitle: x\n---\n", b"---\n- a\n---\n", b"---\na: [\n"],
)
def test_bad_input_never_raises(
    project: Path, content: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ODI).write_bytes(content)
    assert run(project) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{ODI}:")
    assert "Traceback" not in out


def test_schema_lists_vocabulary_terms(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--project", str(project), "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "schools" in schema["properties"]["settings"]["items"]["enum"]
    assert schema["properties"]["status"]["enum"] == ["draft", "published"]
    assert "title" in schema["required"]
    assert schema["additionalProperties"] is False


def test_schema_follows_the_vocabulary_files(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(
        project,
        "  - id: online\n",
        "  - id: sports-clubs\n    label: Sports clubs\n  - id: online\n",
        "vocabularies/settings.yml",
    )
    assert main(["--project", str(project), "schema"]) == 0
    assert (
        "sports-clubs"
        in json.loads(capsys.readouterr().out)["properties"]["settings"]["items"]["enum"]
    )


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "check" in capsys.readouterr().out


def test_the_committed_schema_is_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    """Editors' IDEs read schemas/case.schema.json; it must match the model and vocabularies."""
    assert main(["--project", str(REPO), "schema"]) == 0
    committed = (REPO / "schemas" / "case.schema.json").read_text(encoding="utf-8")
    assert capsys.readouterr().out == committed, "run: casebook schema > schemas/case.schema.json"
