"""Files in docs/ (the web editor's uploads among them) and i18n/<code>/docs/ that a browser
would run when opened (an SVG with a script, an HTML page, a script, XML) are refused by the
check and never published: only the site's own assets in data/site_scripts.yml are."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.check.uploadcheck import check_uploads
from casebook.cli import main
from casebook.commands.editorgate import writable
from casebook.pipeline.context import BuildError
from casebook.pipeline.guidance import guidance_pages
from casebook.sources.i18n import load_languages
from casebook.sources.project import Project

REPO = Path(__file__).resolve().parents[1]
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    "<script>alert(document.domain)</script></svg>\n"
)
PAGE = "<!doctype html><title>x</title><script>alert(document.domain)</script>\n"


def _messages(root: Path) -> list[str]:
    return [p.format() for p in check_uploads(Project(root), ["es", "fr"])]


def test_the_projects_own_docs_pass() -> None:
    assert _messages(REPO) == []


def test_an_svg_upload_is_refused_with_what_to_upload_instead(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    uploads = project_copy / "docs" / "assets" / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "logo.svg").write_text(SVG, encoding="utf-8")
    assert main(["--project", str(project_copy), "check"]) == 1
    out = capsys.readouterr().out
    assert (
        "docs/assets/uploads/logo.svg:1: an SVG image can carry a script, which would run on "
        "the site's address when the image is opened; upload it as PNG or JPEG instead"
    ) in out


def test_every_type_that_can_run_is_refused_in_one_run(project_copy: Path) -> None:
    files = {
        "docs/guidance/handout.html": PAGE,
        "docs/assets/uploads/page.XHTML": PAGE,
        "docs/assets/uploads/data.xml": "<x/>",
        "docs/assets/uploads/tool.js": "alert(1)",
        "docs/assets/uploads/tool.mjs": "alert(1)",
        "docs/assets/uploads/shout.SVG": SVG,
        "docs/assets/uploads/dotted.svg.": SVG,
        "i18n/es/docs/assets/uploads/logo.svg": SVG,
        "i18n/fr/docs/guidance/page.htm": PAGE,
    }
    for name, text in files.items():
        (project_copy / name).parent.mkdir(parents=True, exist_ok=True)
        (project_copy / name).write_text(text, encoding="utf-8")
    # Images and text that cannot run are published as before.
    (project_copy / "docs/assets/uploads/photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (project_copy / "docs/assets/uploads/notes.txt").write_text(PAGE, encoding="utf-8")
    found = {m.split(":1: ")[0]: m.split(":1: ")[1] for m in _messages(project_copy)}
    assert sorted(found) == sorted(files)
    assert found["docs/guidance/handout.html"].startswith("an HTML page would run its scripts")
    assert "write its text as a Markdown page (.md)" in found["docs/guidance/handout.html"]
    assert found["docs/assets/uploads/tool.js"].startswith(
        "a script would run on the site's address; the site runs only its own, listed in "
        "data/site_scripts.yml"
    )
    assert found["docs/assets/uploads/data.xml"].startswith("an XML file can be opened as a page")
    assert found["i18n/es/docs/assets/uploads/logo.svg"].startswith("an SVG image")


def test_the_sites_own_assets_are_allowed_by_the_data_file_only(project_copy: Path) -> None:
    listed = project_copy / "data" / "site_scripts.yml"
    text = listed.read_text(encoding="utf-8")
    # Not listed: the site's own script is refused like any other.
    listed.write_text(
        text.replace("  - path: docs/assets/finder.js\n    why: the case finder\n", ""),
        encoding="utf-8",
    )
    assert [m.split(":")[0] for m in _messages(project_copy)] == ["docs/assets/finder.js"]
    # Listed with a path outside docs/: the entry is refused where it is written.
    listed.write_text(text + "  - path: case_studies/x.js\n    why: a test\n", encoding="utf-8")
    (message,) = _messages(project_copy)
    line = len(text.splitlines()) + 1
    assert message.startswith(f"data/site_scripts.yml:{line}: files.6.path: ")
    assert "'case_studies/x.js' is not a file in docs/; write its path" in message


def test_the_build_never_publishes_one_even_without_the_check(project_copy: Path) -> None:
    (project_copy / "docs/assets/uploads").mkdir(parents=True)
    (project_copy / "docs/assets/uploads/logo.svg").write_text(SVG, encoding="utf-8")
    languages, _ = load_languages(project_copy)
    for code in ("en", "es"):
        with pytest.raises(BuildError, match=r"assets/uploads/logo\.svg in docs/: an SVG image"):
            list(guidance_pages(Project(project_copy), languages.locales[code]))


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("docs/assets/uploads/photo.png", True),
        ("docs/assets/uploads/photo.JPG", True),
        ("docs/assets/uploads/photo.jpeg", True),
        ("docs/assets/uploads/photo.webp", True),
        ("docs/assets/uploads/logo.svg", False),
        ("docs/assets/uploads/page.html", False),
        ("docs/assets/uploads/tool.js", False),
        ("docs/assets/uploads/notes", False),
    ],
)
def test_the_local_editor_saves_only_images_it_can_publish(path: str, allowed: bool) -> None:
    assert writable(path) is allowed
