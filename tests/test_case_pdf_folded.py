"""The case PDF prints a folded passage in full, and says so where it starts."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest
import yaml

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_the_case_pdf_says_where_a_folded_passage_is_printed_in_full(
    built_site: Path, repo_root: Path, language: str
) -> None:
    strings = yaml.safe_load((repo_root / f"i18n/{language}/strings.yml").read_text("utf-8"))
    prefix = "" if language == "en" else f"{language}/"
    reader = pypdf.PdfReader(built_site / f"{prefix}cases/odi-mexico/odi-mexico-a4.pdf")
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    body = repo_root / "case_studies" / f"odi-mexico{'' if language == 'en' else '.' + language}.md"
    summary = next(
        line.split('"')[1]
        for line in body.read_text("utf-8").splitlines()
        if line.startswith("???")
    )
    note = " ".join(strings["folded_in_print"].split())
    start = text.find(" ".join(summary.split()))
    assert start >= 0
    assert text.find(note, start) == start + len(" ".join(summary.split())) + 1
