"""Page breaks in the PDFs (WeasyPrint): no heading at the foot of a page without what it
heads, a facilitator's timing table whole on one page with its total once, and addresses
broken only after a slash, never at a hyphen."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pdfpages import headings_of, page_texts, stranded_headings

pytestmark = pytest.mark.slow

KINDS = {
    "facilitator": "worksheets/*/*-facilitator-*.pdf",
    "case": "cases/*/*.pdf",
    "worksheet": "worksheets/*/*-*-*.pdf",
}
EDITIONS = ["", "es/", "fr/"]


def pdfs(site: Path, kind: str) -> list[Path]:
    found = sorted(p for e in EDITIONS for p in (site / e).glob(KINDS[kind]))
    if kind == "worksheet":
        found = [p for p in found if "-facilitator-" not in p.name]
    assert found, f"the built site has no {kind} PDFs"
    return found


@pytest.mark.parametrize("kind", KINDS)
def test_no_pdf_page_ends_with_a_heading_without_what_it_heads(built_site: Path, kind: str) -> None:
    problems = [p for pdf in pdfs(built_site, kind) for p in stranded_headings(pdf)]
    assert not problems, "\n".join(problems)


def test_the_timing_table_is_on_one_page_with_its_total_once_after_its_rows(
    built_site: Path, repo_root: Path
) -> None:
    problems = []
    for pdf in pdfs(built_site, "facilitator"):
        language = pdf.relative_to(built_site).parts[0]
        language = language if language in ("es", "fr") else "en"
        strings = yaml.safe_load((repo_root / f"i18n/{language}/strings.yml").read_text())
        # The total's label is a line of its own (its minutes are in another column).
        label = strings["timing_total"]
        totals = [
            n for n, text in enumerate(page_texts(pdf)) for ln in text.split("\n") if ln == label
        ]
        timing = [h.page for h in headings_of(pdf) if h.title == strings["timing"]]
        if len(totals) != 1 or timing != totals:
            problems.append(f"{pdf.name}: 'Timing' on pages {timing}, totals on pages {totals}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("path", "address"),
    [
        ("cases/160-girls-kenya/160-girls-kenya-a4.pdf", "/cases/160-girls-kenya/"),
        ("es/cases/odi-mexico/odi-mexico-a4.pdf", "/es/cases/odi-mexico/"),
        ("es/cases/odi-mexico/odi-mexico-letter.pdf", "/es/cases/odi-mexico/"),
    ],
)
def test_a_short_address_is_never_split(built_site: Path, path: str, address: str) -> None:
    """The suggested citation ends with the case's address: it moves whole to the next line
    rather than break at its hyphen ('/cases/160-girls-' / 'kenya/') or a slash."""
    lines = "\n".join(page_texts(built_site / path)).splitlines()
    assert any(address in line for line in lines), [
        line for line in lines if address[:8] in line or address[-8:] in line
    ]


@pytest.mark.parametrize("case", ["160-girls-kenya", "odi-mexico"])
@pytest.mark.parametrize("size", ["a4", "letter"])
def test_a_long_address_breaks_only_after_a_slash(
    built_site: Path, repo_root: Path, case: str, size: str
) -> None:
    """A source's address wider than what is left of its line goes on in the next line after
    a slash; only a run between two slashes wider than a whole line is broken inside."""
    front = (repo_root / f"case_studies/{case}.md").read_text().split("---\n")[1]
    urls = [str(s["url"]) for s in yaml.safe_load(front)["sources"] if s.get("url")]
    lines = "\n".join(page_texts(built_site / f"cases/{case}/{case}-{size}.pdf")).splitlines()
    split = 0
    for url in urls:
        start = next(
            (n for n, line in enumerate(lines) if len(line) > 12 and url.startswith(line)), None
        )
        assert start is not None, f"{url} is not printed"
        pieces = [lines[start]]
        while len("".join(pieces)) < len(url) and url.startswith("".join(pieces)):
            pieces.append(lines[start + len(pieces)])
        assert "".join(pieces) == url, pieces
        split += len(pieces) > 1
        for piece in pieces[:-1]:
            assert piece.endswith("/") or "/" not in piece, f"{url} is broken after {piece!r}"
    assert split, "no address of this case is long enough to be broken: the test tests nothing"
