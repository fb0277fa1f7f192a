"""`casebook session --pack`: one .zip a trainer takes to a room with no network."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pypdf
import pytest
import yaml

from casebook.cli import main
from casebook.pages.composer import STRINGS
from sitebuild import REPO

pytestmark = pytest.mark.slow


def pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages).split()
    )


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    target = tmp_path_factory.mktemp("pack") / "workshop.zip"
    code = main(
        [
            "--project", str(REPO), "session", "--case", "odi-mexico", "--audience",
            "practitioners", "--paper", "letter", "--title", "Staff training", "--pack",
            "-o", str(target),
        ]
    )  # fmt: skip
    assert code == 0
    return zipfile.ZipFile(target)


def test_the_pack_holds_the_sheet_the_notes_the_case_and_the_support_services(
    pack: zipfile.ZipFile,
) -> None:
    assert pack.namelist() == [
        "staff-training/1-staff-training-worksheet-letter.pdf",
        "staff-training/2-staff-training-facilitator-notes-letter.pdf",
        "staff-training/3-case-odi-mexico-letter.pdf",
        "staff-training/4-support-services.txt",
    ]
    for name in pack.namelist()[:3]:
        page = pypdf.PdfReader(io.BytesIO(pack.read(name))).pages[0]
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (612, 792)


def test_each_file_says_what_a_trainer_needs(pack: zipfile.ZipFile) -> None:
    names = pack.namelist()
    sheet, notes, case = (pdf_text(pack.read(name)) for name in names[:3])
    assert "Staff training" in sheet and "Content note" in sheet
    assert "Prompt" in notes or "prompt" in notes
    assert case.index("Content note") < case.index("Context")
    assert "Sources" in case and "911" in case
    support = pack.read(names[3]).decode("utf-8")
    assert "Emergency services (911)" in support and "Phone: 911" in support
    assert "Child Helpline International" in support
    assert "checked against its source on 22 November 2026" in support
    assert "Source of these details: https://" in support  # each entry says where it is from


def test_a_pack_must_be_a_zip_and_nothing_is_left_on_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "--project", str(REPO), "session", "--case", "no-such-case", "--audience",
            "practitioners", "--pack", "-o", str(tmp_path / "workshop.pdf"),
        ]
    )  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert "must be a .zip file (a workshop pack); write a name ending in .zip" in err
    assert "--case no-such-case: is not a published case" in err
    assert list(tmp_path.iterdir()) == []


def test_the_composers_pack_uses_the_vendored_zip_library_at_its_pinned_version() -> None:
    """The composer's half of the pack writes its zip with fflate, served by the site itself
    from docs/assets/ (so a fresh clone builds it without npm): the file's header names the
    version package.json pins, and its licence is beside it."""
    pinned = json.loads((REPO / "package.json").read_text(encoding="utf-8"))["dependencies"]
    vendored = (REPO / "docs/assets/fflate.min.js").read_text(encoding="utf-8")
    assert vendored.startswith(f"/*! fflate {pinned['fflate']} ")
    assert "MIT License" in (REPO / "docs/assets/fflate.LICENSE").read_text(encoding="utf-8")
    assert "http://" not in vendored and "https://" not in vendored.split("*/", 1)[1]


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_every_edition_has_the_composers_pack_strings(language: str) -> None:
    strings = yaml.safe_load((REPO / f"i18n/{language}/strings.yml").read_text(encoding="utf-8"))
    for key in STRINGS:
        if key.startswith(("compose_pack", "pack_")):
            assert strings.get(key), f"{language}: {key}"
