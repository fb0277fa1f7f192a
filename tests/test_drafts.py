"""A draft never stops the published site from building (issue #33, item 12): in a check
of the whole project (as `casebook build` runs it) what is wrong in a draft is a warning
that names its file, line and field, and --strict leaves it a warning; checking the draft
by its path shows the errors. The guards that protect the check itself still hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.check.validate import check_project
from casebook.cli import main
from casebook.commands.scaffold import new_case
from casebook.sources.project import Project
from sitebuild import copy_project


def form_draft(root: Path) -> Path:
    """A case as the web form saves a draft: TODO sections unchanged, no questions file."""
    made = new_case(Project(root), "school-draft", "A draft from the form", ["KE"])
    made.questions.unlink()
    return made.case


def cli(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--project", str(root), "check", "--no-cache", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_a_drafts_problems_are_warnings_in_the_whole_check(project_copy: Path) -> None:
    draft = form_draft(project_copy)
    result = check_project(Project(project_copy))
    assert result.errors == []
    mine = [p for p in result.problems if "school-draft" in p.path]
    assert len(mine) >= 5  # "check found 5 error(s)" before
    assert all(p.is_draft for p in mine)
    assert "school-draft" not in {c.id for c in result.library.published}
    lines = draft.read_text(encoding="utf-8").splitlines()
    for problem in mine:
        text = problem.format()
        assert text.startswith(f"{problem.path}:{problem.line}: warning (draft): ")
        if problem.path.endswith(".md") and problem.field == "summary":
            assert "TODO" in lines[problem.line - 1]
    assert any(
        "reflective_questions/cases/school-draft.yml" in p.message or "school-draft.yml" in p.path
        for p in mine
    )


def test_strict_does_not_fail_on_a_draft_but_its_own_check_does(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = form_draft(project_copy)
    code, out = cli(project_copy, capsys, "--strict")
    assert code == 0, out
    assert "warning (draft): summary: still holds the placeholder" in out
    assert "check passed" in out
    code, out = cli(project_copy, capsys, str(draft))
    assert code == 1
    assert "warning (draft)" not in out
    assert ": summary: still holds the placeholder" in out and "check failed" in out


def test_the_preview_and_build_check_keeps_the_draft_off_the_site(project_copy: Path) -> None:
    """`casebook serve` checks a saved case by its path: a draft does not break it."""
    draft = form_draft(project_copy)
    result = check_project(Project(project_copy), [draft])
    assert result.errors == [] and result.problems
    assert result.library.cases == []  # a draft with problems is never a case to render


@pytest.mark.parametrize(
    ("change", "said"),
    [
        # The loader's guards: a key written twice, an alias.
        (("status: draft\n", "status: draft\nstatus: draft\n"), "'status' is written twice"),
        (("status: draft\n", "status: draft\nextra: &a x\nmore: *a\n"), "alias"),
        # Markdown nested beyond the limit.
        (("\n## Context\n", "\n## Context\n\n" + ">" * 40 + " deep\n"), "levels"),
    ],
)
def test_the_guards_still_hold_in_a_draft(
    project_copy: Path, change: tuple[str, str], said: str
) -> None:
    draft = form_draft(project_copy)
    text = draft.read_text(encoding="utf-8")
    assert change[0] in text
    draft.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    result = check_project(Project(project_copy))
    errors = [p for p in result.errors if "school-draft" in p.path]
    assert errors and any(said in p.message for p in errors), [p.format() for p in errors]


def test_a_draft_that_cannot_be_read_is_an_error(project_copy: Path) -> None:
    draft = form_draft(project_copy)
    draft.write_text("---\nstatus: draft\ntitle: [unclosed\n---\n", encoding="utf-8")
    result = check_project(Project(project_copy))
    assert [p for p in result.errors if "school-draft" in p.path]


@pytest.mark.slow
def test_the_site_builds_strictly_with_a_form_draft_merged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report: a draft merged with `casebook edit --merge` made `casebook build`
    refuse the whole site ("check found 5 error(s)")."""
    root = copy_project(tmp_path / "project")
    form_draft(root)
    assert main(["--project", str(root), "build", "--no-pdf", "--strict"]) == 0
    out = capsys.readouterr()
    assert "case_studies/school-draft.md:" in out.out + out.err
    assert "warning (draft): summary: still holds the placeholder" in out.out + out.err
    assert (root / "site/cases/odi-mexico/index.html").is_file()
    assert not list(root.glob("site/**/school-draft*"))
    drafts = [
        p.stem
        for p in (root / "case_studies").glob("*.md")
        if "." not in p.stem and "\nstatus: draft\n" in p.read_text(encoding="utf-8")
    ]
    assert "school-draft" in drafts
    assert f"{len(drafts)} draft(s)" in out.err
