"""`casebook session`: a trainer's combined sheet as a tagged PDF, and every bad input named."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest
import yaml

from casebook.cli import main
from library_fixture import make_project

pytestmark = pytest.mark.slow

LETTER = (612.0, 792.0)
A4 = (595.3, 841.9)


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    return " ".join(" ".join((page.extract_text() or "") for page in reader.pages).split())


def squash(text: str) -> str:
    return " ".join(text.split())


def odi_questions(root: Path, audience: str, language: str = "") -> list[dict[str, str]]:
    suffix = f".{language}" if language else ""
    own = yaml.safe_load((root / f"reflective_questions/cases/odi-mexico{suffix}.yml").read_text())
    general = yaml.safe_load((root / f"reflective_questions/{audience}{suffix}.yml").read_text())
    items = [*own[audience], *general["questions"]]
    return [q if isinstance(q, dict) else {"question": q} for q in items]


def figures(reader: pypdf.PdfReader) -> list[tuple[str, str]]:
    """(structure type, alternative text) of every element of the tag tree that has one."""
    found: list[tuple[str, str]] = []

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            if "/Alt" in node:
                found.append((str(node.get("/S")), str(node["/Alt"])))
            kids = node.get("/K")
            if kids is not None:
                walk(kids)
        elif isinstance(node, list):
            for kid in node:
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def page_size(reader: pypdf.PdfReader) -> tuple[float, float]:
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    return round(width, 1), round(height, 1)


def test_the_issue_command_writes_a_tagged_letter_pdf(
    project_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "s.pdf"
    argv = ["--project", str(project_copy), "session", "--case", "odi-mexico"]
    argv += ["--audience", "practitioners", "--paper", "letter", "-o", str(out)]
    assert main(argv) == 0
    assert f"Wrote {out}" in capsys.readouterr().out
    reader = pypdf.PdfReader(out)
    assert page_size(reader) == LETTER
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    text = pdf_text(out)
    questions = odi_questions(project_copy, "practitioners")
    for item in questions:
        assert squash(item["question"]) in text
    # The support line: 911 for Mexico, the international helpline, and the support page.
    assert "Emergency services (911) · Phone: 911 · Free of charge." in text
    assert "Child Helpline International · https://childhelplineinternational.org/" in text
    assert "More support services, by country" in text
    assert "Last reviewed 2 December 2026" in text
    assert f"60 minutes for {len(questions)} questions" in text
    # Prompts are for the facilitator only.
    assert squash(questions[0]["prompt"])[:60] not in text


def test_facilitator_notes_in_spanish_with_the_sites_addresses(
    project_copy: Path, tmp_path: Path
) -> None:
    config = project_copy / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "site_name: Casebook", "site_name: Casebook\nsite_url: https://casebook.example.org/"
        )
    )
    out = tmp_path / "notas.pdf"
    argv = ["--project", str(project_copy), "session", "--case", "odi-mexico", "--facilitator"]
    argv += ["--audience", "practitioners", "--language", "es", "--minutes", "90", "-o", str(out)]
    assert main(argv) == 0
    reader = pypdf.PdfReader(out)
    assert page_size(reader) == A4
    assert reader.trailer["/Root"]["/Lang"] == "es"
    text = pdf_text(out)
    for item in odi_questions(project_copy, "practitioners", "es")[:5]:
        assert squash(item["question"]) in text
        assert squash(item["prompt"]) in text
    assert "https://casebook.example.org/es/cases/odi-mexico/" in text
    assert "https://casebook.example.org/es/support/" in text
    assert "90 minutos para 9 preguntas" in text
    assert "Servicios de emergencia (911)" in text
    # The QR code is a tagged figure with its address as alternative text, and vector.
    assert figures(reader) == [
        ("/Figure", "Código QR: https://casebook.example.org/es/cases/odi-mexico/")
    ]
    raw = out.read_bytes()
    assert b"/Subtype /Image" not in raw and b"/Subtype/Image" not in raw  # vector, not bitmap


def test_two_cases_in_one_session(tmp_path: Path) -> None:
    root = make_project(tmp_path / "library")
    out = tmp_path / "two.pdf"
    argv = ["--project", str(root), "session", "--case", "odi-mexico", "--case", "uk-online-safety"]
    argv += ["--audience", "practitioners", "--title", "Spring staff training", "-o", str(out)]
    assert main(argv) == 0
    text = pdf_text(out)
    assert "Spring staff training" in text
    assert "Uncovering organised sexual abuse of children in schools in Mexico" in text
    assert "Teaching online safety in schools in the United Kingdom" in text
    notes = text[text.index("Content note") : text.index("About the cases")]
    assert "Uncovering organised" in notes and "Teaching online safety" in notes
    # The general questions come once, after both cases' own questions.
    general = yaml.safe_load((root / "reflective_questions/practitioners.yml").read_text())
    assert text.count(squash(general["questions"][0])) == 1
    assert "Mexico" in text and "United Kingdom" in text and "Child Helpline International" in text


def _run(root: Path, *args: str) -> tuple[int, str]:
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["--project", str(root), "session", *args])
    return code, err.getvalue()


@pytest.mark.parametrize(
    ("args", "named", "listed"),
    [
        (["--case", "no-such-case", "--audience", "overall"], "--case no-such-case", "odi-mexico"),
        (
            ["--case", "odi-mexico", "--audience", "teachers"],
            "--audience teachers",
            "practitioners, lawyers-advocates-policy, overall",
        ),
        (
            ["--case", "mx-residential-care", "--audience", "practitioners"],
            "the case 'mx-residential-care' is not written for this audience",
            "lawyers-advocates-policy",
        ),
        (
            ["--case", "fr-draft", "--audience", "overall"],
            "--case fr-draft: is a draft",
            "uk-online-safety",
        ),
        (
            ["--case", "odi-mexico", "--audience", "overall", "--paper", "a5"],
            "--paper a5",
            "a4, letter",
        ),
        (
            ["--case", "odi-mexico", "--audience", "overall", "--language", "de"],
            "--language de",
            "en, es, fr",
        ),
    ],
    ids=["unknown-case", "unknown-audience", "undeclared-audience", "draft", "paper", "language"],
)
def test_bad_input_names_the_value_and_lists_the_valid_ones(
    tmp_path: Path, args: list[str], named: str, listed: str
) -> None:
    root = make_project(tmp_path / "library")
    out = tmp_path / "s.pdf"
    code, err = _run(root, *args, "-o", str(out))
    assert code == 1
    assert named in err and listed in err, err
    assert "Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize("where", ["missing-folder", "a-folder", "not-pdf"])
def test_an_output_that_cannot_be_written_is_refused(
    project_copy: Path, tmp_path: Path, where: str
) -> None:
    target = {
        "missing-folder": tmp_path / "nowhere" / "s.pdf",
        "a-folder": tmp_path,
        "not-pdf": tmp_path / "s.txt",
    }[where]
    code, err = _run(
        project_copy, "--case", "odi-mexico", "--audience", "overall", "-o", str(target)
    )
    assert code == 1
    assert f"-o {target}:" in err and "Traceback" not in err
    assert not list(tmp_path.rglob("*.pdf")) and not list(tmp_path.rglob("*.part"))


def test_every_problem_is_reported_in_one_run(project_copy: Path, tmp_path: Path) -> None:
    code, err = _run(
        project_copy, "--case", "nope", "--audience", "nobody", "--paper", "a3", "-o", str(tmp_path)
    )
    assert code == 1
    assert len(re.findall(r"^casebook session: ", err, re.M)) == 4


def test_a_failed_render_leaves_no_partial_file(
    project_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import weasyprint

    def broken(self: object, target: str, **options: object) -> None:
        Path(target).write_bytes(b"%PDF-1.7 half a file")
        raise RuntimeError("no fonts available")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", broken)
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "s.pdf"
    code, err = _run(project_copy, "--case", "odi-mexico", "--audience", "overall", "-o", str(out))
    assert code == 1
    assert "the PDF could not be rendered (RuntimeError: no fonts available)" in err
    assert list(folder.iterdir()) == []


def test_help_describes_the_command_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["session", "--help"])
    out = capsys.readouterr().out
    assert "Write one worksheet for a training session from one or more cases" in out
    assert "--facilitator" in out and "PDF/UA" in out
    assert (
        "casebook session --case odi-mexico --audience practitioners --paper letter -o s.pdf" in out
    )


def test_leaving_questions_out_shortens_the_plan(project_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "s.pdf"
    args = ["--case", "odi-mexico", "--audience", "practitioners", "--minutes", "55"]
    code, err = _run(project_copy, *args, "--leave-out", "2", "--leave-out", "3", "-o", str(out))
    assert code == 0, err
    text = pdf_text(out)
    questions = [squash(q["question"]) for q in odi_questions(project_copy, "practitioners")]
    assert questions[1] not in text and questions[2] not in text
    assert all(q in text for q in questions[:1] + questions[3:])
    # 7 questions: 5 + 10 + 15 (2 minutes each, to the next 5) + 20 + 5.
    assert "55 minutes for 7 questions" in text


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["--minutes", "50"],
            "--minutes 50: 9 question(s) need a session of at least 60 minutes; leave questions "
            "out with --leave-out N (numbered as on the sheet), or write --minutes 60 or more",
        ),
        (
            ["--minutes", "20"],
            "--minutes 20: 9 question(s) need a session of at least 60 minutes; even one "
            "question needs 45 minutes (the plan's fixed steps); write --minutes 60 or more",
        ),
        (
            ["--leave-out", "12"],
            "--leave-out 12: the session has 9 questions; write a number from 1 to 9",
        ),
        (
            [arg for n in range(1, 10) for arg in ("--leave-out", str(n))],
            "--leave-out: every question is left out; keep at least one",
        ),
    ],
    ids=["too-short", "shorter-than-any-plan", "no-such-question", "none-left"],
)
def test_a_length_or_question_that_does_not_fit_is_refused(
    project_copy: Path, tmp_path: Path, args: list[str], said: str
) -> None:
    out = tmp_path / "s.pdf"
    code, err = _run(
        project_copy, "--case", "odi-mexico", "--audience", "practitioners", *args, "-o", str(out)
    )
    assert code == 1
    assert f"casebook session: {said}\n" in err, err
    assert not out.exists()


def test_the_help_examples_name_only_cases_that_exist(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["session", "--help"])
    examples = [line for line in capsys.readouterr().out.splitlines() if "casebook session" in line]
    named = {case for line in examples for case in re.findall(r"--case ([a-z0-9-]+)", line)}
    project = Path(__file__).resolve().parents[1]
    assert named and all((project / "case_studies" / f"{case}.md").is_file() for case in named)


def test_each_case_can_have_its_own_audience_as_the_composer_pairs_them(tmp_path: Path) -> None:
    """A web session that mixes audiences (?case=odi-mexico&audience=practitioners&case=
    uk-online-safety&audience=overall) is rebuilt with --case ID:AUDIENCE."""
    root = make_project(tmp_path / "library")
    out = tmp_path / "mixed.pdf"
    argv = ["--project", str(root), "session", "--case", "odi-mexico:practitioners"]
    argv += ["--case", "uk-online-safety:overall", "-o", str(out)]
    assert main(argv) == 0
    text = pdf_text(out)
    practitioners = odi_questions(root, "practitioners")
    overall = odi_questions(root, "overall")
    assert squash(practitioners[0]["question"]) in text
    assert squash(overall[0]["question"]) in text
    # --audience is then the audience of the cases given without their own.
    code, err = _run(
        root, "--case", "odi-mexico", "--case", "uk-online-safety:overall",
        "--audience", "practitioners", "-o", str(tmp_path / "both.pdf"),
    )  # fmt: skip
    assert code == 0, err


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (
            ["--case", "odi-mexico"],
            "--case odi-mexico: no audience; write it as odi-mexico:AUDIENCE",
        ),
        (
            ["--case", "odi-mexico:teachers"],
            "--case odi-mexico:teachers: unknown audience 'teachers'",
        ),
        (
            ["--case", "mx-residential-care:practitioners"],
            "--case mx-residential-care:practitioners: the case 'mx-residential-care' is not written",
        ),
    ],
    ids=["no-audience", "unknown", "undeclared"],
)
def test_a_cases_own_audience_is_checked_like_audience(
    tmp_path: Path, args: list[str], named: str
) -> None:
    root = make_project(tmp_path / "library")
    out = tmp_path / "s.pdf"
    code, err = _run(root, *args, "-o", str(out))
    assert code == 1 and named in err, err
    assert "Traceback" not in err and not out.exists()
