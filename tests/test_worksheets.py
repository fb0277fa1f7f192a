"""Worksheet PDFs and pages: what a trainer prints must hold everything, on the right paper."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pypdfium2
import pytest
import yaml

from casebook.check.validate import check_project
from casebook.cli import main
from casebook.outputs import pdf
from casebook.sources.project import Project
from sitebuild import copy_project

pytestmark = pytest.mark.slow

AUDIENCES = ["practitioners", "lawyers-advocates-policy", "overall"]
SIZES = {"a4": (595.3, 841.9), "letter": (612.0, 792.0)}
TITLE = "Uncovering organised sexual abuse of children in schools in Mexico"


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(text.split())


def squash(text: str) -> str:
    return " ".join(text.split())


def text_of(item: str | dict[str, str]) -> str:
    """A question as written in a questions file: text, or `question:` with a `prompt:`."""
    return item if isinstance(item, str) else item["question"]


def questions_for(repo_root: Path, audience: str, language: str = "") -> list[str]:
    suffix = f".{language}" if language else ""
    case = yaml.safe_load(
        (repo_root / f"reflective_questions/cases/odi-mexico{suffix}.yml").read_text()
    )
    general = yaml.safe_load(
        (repo_root / f"reflective_questions/{audience}{suffix}.yml").read_text()
    )
    return [text_of(q) for q in (*case[audience], *general["questions"])]


def content_note(repo_root: Path) -> str:
    text = (repo_root / "case_studies/odi-mexico.md").read_text()
    front = yaml.safe_load(text.split("---")[1])
    return squash(front["content_note"])


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("audience", AUDIENCES)
def test_participant_pdf_holds_everything(
    built_site: Path, repo_root: Path, audience: str, size: str
) -> None:
    path = built_site / f"worksheets/odi-mexico/odi-mexico-{audience}-{size}.pdf"
    text = pdf_text(path)
    assert TITLE in text
    for question in questions_for(repo_root, audience):
        assert squash(question) in text, question
    assert content_note(repo_root) in text
    assert "Where to find support" in text
    assert "If a child is in immediate danger, contact the emergency services." in text
    # Support details on paper: the case's country, then the international helpline.
    assert "Emergency services (911) · Phone: 911 · Free of charge." in text
    assert "Child Helpline International · https://childhelplineinternational.org/" in text
    # The footer carries the last-reviewed date; the time fits the number of questions.
    assert "Last reviewed 2 December 2026" in text
    n = len(questions_for(repo_root, audience))
    assert f"Suggested time 60 minutes for {n} questions" in text

    reader = pypdf.PdfReader(path)
    assert 2 <= len(reader.pages) <= 6
    assert f"Page 1 of {len(reader.pages)}" in text
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width, 1), round(height, 1)) == SIZES[size]
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert bool(root["/MarkInfo"]["/Marked"])  # a tagged PDF, for screen readers
    assert "/StructTreeRoot" in root


@pytest.mark.parametrize("size", SIZES)
def test_facilitator_notes_are_separate_and_complete(
    built_site: Path, repo_root: Path, size: str
) -> None:
    text = pdf_text(built_site / f"worksheets/odi-mexico/odi-mexico-facilitator-{size}.pdf")
    for heading in (
        "Aims",
        "Timing",
        "Ground rules for discussing abuse",
        "Looking after participants",
        "If someone discloses abuse",
        "Where to find support",
    ):
        assert heading in text
    assert TITLE in text and content_note(repo_root) in text
    assert "Session length 60 minutes" in text and "60 Total" in text
    assert (
        "Emergency services (911) · Phone: 911" in text and "Child Helpline International" in text
    )
    prompts = yaml.safe_load((repo_root / "reflective_questions/cases/odi-mexico.yml").read_text())
    first_prompt = squash(prompts["practitioners"][0]["prompt"])
    assert first_prompt in text
    # Participants' sheets print without the facilitator's material.
    participant = pdf_text(
        built_site / f"worksheets/odi-mexico/odi-mexico-practitioners-{size}.pdf"
    )
    assert "If someone discloses abuse" not in participant
    assert first_prompt not in participant


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("kind", ["practitioners", "facilitator"])
def test_spanish_sheets_print_911_the_helpline_and_the_footer(
    built_site: Path, repo_root: Path, size: str, kind: str
) -> None:
    text = pdf_text(built_site / f"es/worksheets/odi-mexico/odi-mexico-{kind}-{size}.pdf")
    assert "Servicios de emergencia (911) · Teléfono: 911 · Gratis." in text
    assert "Child Helpline International" in text
    assert "Última revisión: 2 de diciembre de 2026" in text
    assert "60 minutos para 9 preguntas" in text
    if kind == "facilitator":
        prompts = yaml.safe_load(
            (repo_root / "reflective_questions/cases/odi-mexico.es.yml").read_text()
        )
        assert squash(prompts["overall"][-1]["prompt"]) in text


@pytest.mark.parametrize(
    "name", ["odi-mexico-practitioners-a4.pdf", "odi-mexico-facilitator-letter.pdf"]
)
def test_first_page_renders_to_a_non_blank_image(built_site: Path, name: str) -> None:
    document = pypdfium2.PdfDocument(built_site / "worksheets/odi-mexico" / name)
    image = document[0].render(scale=0.5).to_pil().convert("L")
    histogram = image.histogram()
    dark = sum(histogram[:128])
    assert dark > 0.005 * image.width * image.height  # text and ruled lines, not a blank page
    document.close()


def test_a_case_has_one_worksheet_page_with_a_part_for_each_audience(
    built_site: Path, repo_root: Path
) -> None:
    html = (built_site / "worksheets/odi-mexico/index.html").read_text()
    text = squash(re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")
    assert "Lawyers, advocates and policy actors" in text
    # Each audience's part holds its questions, in order, and its own PDFs.
    parts = re.findall(
        r'<div class="cb-sheet-part" data-cb-part="([^"]+)">(.*?)</div>\n', html, re.S
    )
    assert [part for part, _ in parts] == AUDIENCES
    for audience, part in parts:
        shown = squash(re.sub(r"<[^>]+>", " ", part)).replace("&#39;", "'")
        asked = [squash(q) for q in questions_for(repo_root, audience)]
        assert asked and all(q in shown for q in asked), audience
        positions = [shown.index(q) for q in asked]
        assert positions == sorted(positions), audience
        assert f'href="odi-mexico-{audience}-a4.pdf"' in part
        assert f'data-cb-print="{audience}"' in part
        # The part's heading is in the page's table of contents.
        assert f'href="#{audience}"' in html
    assert 'href="odi-mexico-facilitator-letter.pdf"' in html
    assert html.index("cb-content-note") < html.index('data-cb-part="')
    case = (built_site / "cases/odi-mexico/index.html").read_text()
    for audience in AUDIENCES:
        assert f'href="../../worksheets/odi-mexico/#{audience}"' in case
        assert f'href="../../worksheets/odi-mexico/odi-mexico-{audience}-letter.pdf"' in case


def test_an_audience_worksheet_address_sends_readers_to_its_part(built_site: Path) -> None:
    """The addresses of the pages the audiences had before keep working."""
    for audience in AUDIENCES:
        html = (built_site / f"worksheets/odi-mexico/{audience}/index.html").read_text()
        assert f'<meta http-equiv="refresh" content="0; url=../#{audience}">' in html
        assert f'<a href="../#{audience}">' in html
        assert 'class="cb-exit__button"' in html
    spanish = (built_site / "es/worksheets/odi-mexico/practitioners/index.html").read_text()
    assert '<html lang="es">' in spanish


def pdf_counts(root: Path) -> tuple[int, int]:
    """The PDFs a build of the project renders: for each published case, each audience's
    sheet, the facilitator notes and the case itself, on two papers, in each edition the case
    is written in; and those that show the English 'overall' audience's general questions."""
    library = check_project(Project(root)).library
    total = shows_overall = 0
    for case in library.published:
        editions = 1 + sum(case.id in cases for cases in library.translations.values())
        total += (len(case.meta.audiences) + 2) * 2 * editions
        if "overall" in case.meta.audiences:
            shows_overall += 2 * 2  # its sheet and the facilitator notes, in English
    return total, shows_overall


def test_a_rebuild_with_no_changes_renders_no_pdf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_project(tmp_path / "project")
    total, overall = pdf_counts(root)
    assert total > 30  # ODI alone has 10 in each of its three editions
    assert main(["--project", str(root), "build"]) == 0
    assert (
        f"PDFs of worksheets and cases ready: {total} rendered, 0 from the cache"
        in capsys.readouterr().err
    )
    assert main(["--project", str(root), "build"]) == 0
    assert "Nothing changed since the last build" in capsys.readouterr().err
    # A change no PDF shows (a blank line at the end of the case) renders none again.
    case = root / "case_studies/odi-mexico.md"
    case.write_text(case.read_text() + "\n")
    assert main(["--project", str(root), "build"]) == 0
    assert (
        f"PDFs of worksheets and cases ready: 0 rendered, {total} from the cache"
        in capsys.readouterr().err
    )
    # A change to one audience's questions re-renders only the sheets that show them.
    questions = root / "reflective_questions/overall.yml"
    questions.write_text(
        questions.read_text().replace("questions:\n", "questions:\n  - A new question?\n", 1)
    )
    assert main(["--project", str(root), "build"]) == 0
    ready = (
        f"PDFs of worksheets and cases ready: {overall} rendered, {total - overall} from the cache"
    )
    assert ready in capsys.readouterr().err
    assert (root / "site/worksheets/odi-mexico/odi-mexico-overall-a4.pdf").is_file()


def _fail(html: str, target: str) -> str:
    raise RuntimeError("no fonts available")


def test_a_pdf_that_fails_to_render_fails_the_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_project(tmp_path / "project")
    monkeypatch.setattr(pdf, "_render_pdf", _fail)
    assert main(["--project", str(root), "build"]) == 1
    err = capsys.readouterr().err
    assert re.search(r"build failed: worksheets/([a-z0-9-]+)/\1-[a-z-]+-(a4|letter)\.pdf", err)
    assert "the PDF could not be rendered (RuntimeError: no fonts available)" in err
    assert not (root / "site").exists()


def test_no_pdf_skips_rendering(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_project(tmp_path / "project")
    assert main(["--project", str(root), "build", "--no-pdf"]) == 0
    assert "Worksheet PDFs" not in capsys.readouterr().err
    assert not list((root / "site").rglob("*.pdf"))
    assert (root / "site/worksheets/odi-mexico/index.html").is_file()
