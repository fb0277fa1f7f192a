"""Files that could hurt the build: links out of the project are refused without being read,
and every case id the site's own pages use is refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from casebook.check.confined import links_out
from casebook.cli import main

SECRET = "TOP-SECRET first line of a file outside the project"
CASE = "case_studies/odi-mexico.md"
QUESTIONS = "reflective_questions/cases/odi-mexico.yml"

# Where a link may be put: (the link, what it replaces or adds). Each input folder.
LINKS = {
    "guidance page": "docs/guidance/secret.md",
    "upload": "docs/assets/uploads/photo.jpg",
    "vocabulary": "vocabularies/themes.yml",
    "case": "case_studies/odi-mexico.md",
    "questions": "reflective_questions/overall.yml",
    "data": "data/support_services.yml",
    "translation": "i18n/es/strings.yml",
    "folder": "docs/guidance/outside",
}


def run(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--project", str(root), *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("link", LINKS.values(), ids=LINKS.keys())
def test_a_link_out_of_the_project_is_refused_unread(
    project_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], link: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"{SECRET}\nmore: [\n", encoding="utf-8")
    path = project_copy / link
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.symlink_to(outside if link.endswith("outside") else outside / "secret.txt")
    for style in ("text", "github"):
        code, out = run(project_copy, capsys, "check", "--format", style)
        assert code == 1
        assert SECRET not in out
        assert "Traceback" not in out
    code, out = run(project_copy, capsys, "check")
    assert f"{link}:1: this is a link to a file or folder outside the project" in out
    assert "put a copy of the file here instead of the link, or delete the link" in out
    # The build stops before anything is read or written.
    code, out = run(project_copy, capsys, "build", "--no-pdf", "--quiet")
    assert code == 1 and SECRET not in out and "Traceback" not in out
    assert not (project_copy / "site").exists()


def test_links_inside_the_project_are_refused_too(project_copy: Path) -> None:
    """A link inside the project could publish a file that is not content (.git/config)."""
    (project_copy / "docs/guidance/same.md").symlink_to(project_copy / "docs/guidance/index.md")
    [problem] = links_out(project_copy)
    assert problem.path == "docs/guidance/same.md"
    assert problem.message.startswith("this is a link to a file or folder elsewhere")


def test_every_reserved_id_fails_the_check(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each id in data/reserved_ids.yml (index and compose among them), in one run."""
    listed = yaml.safe_load((project_copy / "data/reserved_ids.yml").read_text(encoding="utf-8"))
    ids = [entry["id"] for entry in listed["ids"]]
    assert {"index", "compose", "page", "admin"} <= set(ids)
    for reserved in ids:
        text = (project_copy / CASE).read_text(encoding="utf-8")
        (project_copy / f"case_studies/{reserved}.md").write_text(text, encoding="utf-8")
        shutil.copyfile(
            project_copy / QUESTIONS, project_copy / f"reflective_questions/cases/{reserved}.yml"
        )
    code, out = run(project_copy, capsys, "check")
    assert code == 1
    for reserved in ids:
        assert f"case_studies/{reserved}.md:1: id: '{reserved}' cannot be a case id: " in out


@pytest.mark.parametrize(
    "name", ["admin.md", "pagefind/index.md", "pagefind-delta", "es/index.md", "offline/notes.md"]
)
def test_a_guidance_page_named_like_the_sites_own_addresses_fails_the_check(
    project_copy: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """The web editor, the search index and the other editions are put in the site after
    the guidance pages: a page of the same name would be lost without a word."""
    path = project_copy / "docs" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# A page\n", encoding="utf-8")
    code, out = run(project_copy, capsys, "check")
    assert code == 1
    top = name.split("/")[0]
    assert f"docs/{top}:1: '{top.removesuffix('.md')}' is an address the site itself uses (" in out
