"""A damaged `.cache/`: a cached PDF cut short (a full disk, a cache restored in part) is
rendered again, never published as it is (the build-level test is in test_hostile_build.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from casebook.outputs.pdf import render_pdfs, whole_pdf
from casebook.pipeline.manifest import MANIFEST_VERSION, Manifest
from casebook.sources.cachekey import Seal
from casebook.sources.project import Project

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


CRAFTED_MANIFESTS = {
    "garbage": "\x80not json",
    "a list": "[1, 2]",
    "edition not a dict": '{"version": V, "editions": {"en": 5}}',
    "record not a list": '{"version": V, "editions": {"en": {"docs": {"index.md": 7}, '
    '"site": {}, "stamp": ""}}}',
    "record of strings": '{"version": V, "editions": {"en": {"docs": {"index.md": '
    '["k", "h", "1", "2"]}, "site": {}, "stamp": ""}}}',
    "problem without a line": '{"version": V, "problems": [{"path": "x"}]}',
    "unknown severity": '{"version": V, "problems": [{"path": "x", "line": 1, "field": "", '
    '"message": "m", "severity": "fatal"}]}',
}


@pytest.mark.parametrize("text", CRAFTED_MANIFESTS.values(), ids=CRAFTED_MANIFESTS.keys())
def test_a_damaged_manifest_means_a_full_build(tmp_path: Path, text: str) -> None:
    """The build's manifest, damaged or crafted, is read as no manifest (every output is
    made again), never as data of the wrong type that would stop the build: even sealed
    with this machine's secret, as a manifest of an earlier or a buggy version would be."""
    project = Project(tmp_path)
    project.cache_dir.mkdir(parents=True)
    text = text.replace("V", str(MANIFEST_VERSION))
    mac = Seal.of(tmp_path).sign("manifest", text)
    (project.cache_dir / "manifest.json").write_text(f"{mac}\n{text}", encoding="utf-8")
    manifest = Manifest.load(project)
    assert (manifest.fingerprint, manifest.problems, manifest.editions) == ("", [], {})
    assert manifest.saved_problems() == []
