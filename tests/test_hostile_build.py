"""One build of a fresh checkout given two hostile inputs: a PDF cache restored with one PDF
cut short (a full disk, a cache restored in part), and a photo uploaded through the web
editor that carries its GPS position. Each has its own test; they share the build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from casebook.cli import main
from casebook.outputs.pdf import whole_pdf
from sitebuild import PROJECT_PARTS, builds_site

PDF = "site/cases/odi-mexico/odi-mexico-a4.pdf"
PHOTO = "docs/assets/uploads/photo.jpg"
GPS = 0x8825  # the EXIF block of the GPS position
ORIENTATION = 0x0112


def photo_with_gps(path: Path) -> None:
    """A photo taken sideways, with where it was taken."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # turned 90° clockwise
    exif.get_ifd(GPS).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 20), "red").save(path, exif=exif, quality=90)


@pytest.fixture(scope="module")
@builds_site
def hostile_build(built_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "project"
    root.mkdir()
    for part in PROJECT_PARTS:
        source = built_project / part
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / part)
    # The PDF cache restored, as the deploy workflow does, with one PDF cut short.
    shutil.copytree(built_project / ".cache/casebook/pdf", root / ".cache/casebook/pdf")
    good = (built_project / PDF).read_bytes()
    cached = next(p for p in (root / ".cache/casebook/pdf").glob("*.pdf") if p.read_bytes() == good)
    cached.write_bytes(good[: len(good) // 3])
    photo_with_gps(root / PHOTO)
    (root.parent / "photo.jpg").write_bytes((root / PHOTO).read_bytes())
    assert main(["--project", str(root), "build", "--quiet"]) == 0
    return root


def test_a_pdf_cut_short_in_the_cache_is_published_whole(
    hostile_build: Path, built_project: Path
) -> None:
    pdf = hostile_build / PDF
    assert whole_pdf(pdf)
    assert len(PdfReader(pdf).pages) == len(PdfReader(built_project / PDF).pages)


def test_an_uploaded_photo_is_published_without_its_location(hostile_build: Path) -> None:
    """The site's copy has no EXIF and is turned upright; the repository's file is as it
    was uploaded, GPS and all."""
    with Image.open(hostile_build / "site/assets/uploads/photo.jpg") as image:
        assert not image.getexif() and "exif" not in image.info
        assert image.size == (20, 40)  # upright
    source = hostile_build / PHOTO
    assert source.read_bytes() == (hostile_build.parent / "photo.jpg").read_bytes()
    with Image.open(source) as image:
        assert image.getexif().get_ifd(GPS)
