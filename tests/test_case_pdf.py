"""A whole case as a PDF, in every edition and paper size: tagged, the content note before the
body, the sources, the suggested citation, the support services and the date it was reviewed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pypdf
import pytest
import yaml

pytestmark = pytest.mark.slow

SIZES = {"a4": (595.3, 841.9), "letter": (612.0, 792.0)}
EDITIONS = {"en": "", "es": ".es", "fr": ".fr"}


def squash(text: str) -> str:
    return " ".join(text.split())


def front(repo_root: Path, suffix: str) -> dict[str, Any]:
    text = (repo_root / f"case_studies/odi-mexico{suffix}.md").read_text()
    loaded: dict[str, Any] = yaml.safe_load(text.split("---\n")[1])
    return loaded


def body_start(repo_root: Path, suffix: str) -> str:
    """The first words of the case's first section, as written."""
    body = (repo_root / f"case_studies/odi-mexico{suffix}.md").read_text().split("---\n", 2)[2]
    first = body.split("\n## ", 1)[1].split("\n", 1)[1].strip().split("\n\n")[0]
    return squash(re.sub(r"[*_`]", "", first))[:40]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", EDITIONS)
def test_the_case_pdf_holds_the_whole_case_with_its_note_first(
    built_site: Path, repo_root: Path, language: str, size: str
) -> None:
    prefix = "" if language == "en" else f"{language}/"
    path = built_site / f"{prefix}cases/odi-mexico/odi-mexico-{size}.pdf"
    reader = pypdf.PdfReader(path)
    width, height = (round(float(v), 1) for v in reader.pages[0].mediabox[2:])
    assert (width, height) == SIZES[size]
    root = reader.trailer["/Root"]
    assert root["/Lang"] == language
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root  # tagged (PDF/UA)
    text = squash(" ".join(page.extract_text() or "" for page in reader.pages))
    meta = front(repo_root, EDITIONS[language])
    strings = yaml.safe_load((repo_root / f"i18n/{language}/strings.yml").read_text())
    note = text.find(squash(str(meta["content_note"]))[:80])
    body = text.find(body_start(repo_root, EDITIONS[language]))
    assert 0 <= note < body, "the content note must come before the case's text"
    sources = text.find(strings["sources"], body)
    assert sources > body
    for source in meta["sources"]:
        assert squash(source["title"]) in text[sources:]
        if source.get("url"):
            assert source["url"] in text.replace(" ", "")
    assert strings["suggested_citation"] in text[sources:]
    assert "/cases/odi-mexico/" in text[sources:].replace(" ", "")  # the citation's address
    assert strings["where_support"] in text and "911" in text
    assert "Child Helpline International" in text
    assert str(meta["last_reviewed"].year) in text
    # Each outcome as its words and the kind of evidence it rests on, never as data.
    evidence = squash(strings["outcome_rests_on"].split("{")[0])
    for outcome in meta["outcomes"]:
        assert squash(outcome["text"])[:60] in text
    assert text.count(evidence) >= len(meta["outcomes"])
    assert "chain=[" not in text and "text='" not in text


def test_the_case_page_links_to_its_pdfs(built_site: Path) -> None:
    for prefix in EDITIONS.values():
        folder = "" if not prefix else f"{prefix[1:]}/"
        html = (built_site / f"{folder}cases/odi-mexico/index.html").read_text()
        links = re.findall(r'href="([^"]+\.pdf)"', html)
        own = [link for link in links if link.startswith("odi-mexico-")]
        assert sorted(own) == ["odi-mexico-a4.pdf", "odi-mexico-letter.pdf"], links
        for link in own:
            assert (built_site / f"{folder}cases/odi-mexico" / link).is_file()
