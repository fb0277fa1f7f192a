"""A damaged `.cache/`: a cached PDF cut short (a full disk, a cache restored in part) is
rendered again, never published as it is (the build-level test is in test_hostile_build.py)."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from casebook.pdf import render_pdfs, whole_pdf
from casebook.project import Project

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
