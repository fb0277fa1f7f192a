"""A damaged `.cache/`: a cached PDF cut short (a full disk, a cache restored in part) is
rendered again, never published as it is."""

from __future__ import annotations

import shutil
from pathlib import Path

from pypdf import PdfReader

from casebook.cli import main
from casebook.pdf import render_pdfs, whole_pdf
from casebook.project import Project
from sitebuild import PROJECT_PARTS

HTML = "<html lang='en'><head><title>Sheet</title></head><body><p>Hello, reader</p></body></html>"


class Quiet:
    def step(self, message: str) -> None:
        pass


def test_a_truncated_cached_pdf_is_rendered_again(tmp_path: Path) -> None:
    project = Project(tmp_path)
    documents = {"en": [("worksheets/sheet.pdf", HTML)]}
    first = render_pdfs(project, documents, Quiet(), workers=1)
    cached = first.files["en"]["worksheets/sheet.pdf"]
    whole = cached.read_bytes()
    assert first.rendered == 1 and whole_pdf(cached)
    for damaged in (whole[: len(whole) // 2], b"", b"%PDF-1.7\n" + b"\0" * 4000):
        cached.write_bytes(damaged)
        again = render_pdfs(project, documents, Quiet(), workers=1)
        assert again.rendered == 1
        assert "Hello, reader" in PdfReader(cached).pages[0].extract_text()
    assert render_pdfs(project, documents, Quiet(), workers=1).rendered == 0


def test_a_build_publishes_a_whole_pdf_from_a_damaged_cache(
    built_project: Path, tmp_path: Path
) -> None:
    """A fresh checkout with the PDF cache restored (as the deploy workflow does), one of
    its PDFs cut short: the site's copy is whole."""
    root = tmp_path / "project"
    root.mkdir()
    for part in PROJECT_PARTS:
        source = built_project / part
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / part)
    shutil.copytree(built_project / ".cache/casebook/pdf", root / ".cache/casebook/pdf")
    published = built_project / "site/cases/odi-mexico/odi-mexico-a4.pdf"
    good = published.read_bytes()
    cached = next(p for p in (root / ".cache/casebook/pdf").glob("*.pdf") if p.read_bytes() == good)
    cached.write_bytes(good[: len(good) // 3])
    assert main(["--project", str(root), "build", "--quiet"]) == 0
    pdf = root / "site/cases/odi-mexico/odi-mexico-a4.pdf"
    assert whole_pdf(pdf)
    assert len(PdfReader(pdf).pages) == len(PdfReader(published).pages)
