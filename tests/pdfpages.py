"""What a printed PDF's pages hold, line by line, and where its headings fall.

WeasyPrint bookmarks every heading (h2-h6 under the h1), and so does Chromium's page.pdf
with outline=True; pdftotext gives each line's position. A heading is "stranded" when its
page holds fewer than two lines of what follows it (or fewer than its section has).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pypdf

XHTML = "{http://www.w3.org/1999/xhtml}"
# The footer (a sheet's margin boxes) starts below this share of the page's height; the
# text ends above it (print.css: 22 mm bottom margin, 7-9 % of A4 and Letter).
FOOTER = 0.93


@dataclass(frozen=True)
class Line:
    page: int
    top: float
    text: str


@dataclass(frozen=True)
class Heading:
    page: int
    top: float  # from the top of the page, in points
    title: str


def lines_of(pdf: Path) -> list[list[Line]]:
    """Each page's lines of text, top to bottom, without the footer."""
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for number, page in enumerate(ElementTree.fromstring(xml).iter(f"{XHTML}page")):
        height = float(page.get("height", "0"))
        found = [
            Line(number, float(line.get("yMin", "0")), " ".join(w.text or "" for w in line))
            for line in page.iter(f"{XHTML}line")
        ]
        pages.append(sorted((ln for ln in found if ln.top < FOOTER * height), key=lambda ln: ln.top))
    return pages


def headings_of(pdf: Path) -> list[Heading]:
    """The bookmarked headings below the title, in the order of the document."""
    reader = pypdf.PdfReader(pdf)
    found: list[Heading] = []

    def walk(items: list[object], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            elif depth and isinstance(item, pypdf.generic.Destination):
                page = reader.get_destination_page_number(item)
                height = float(reader.pages[page].mediabox.height)
                found.append(Heading(page, height - float(item["/Top"]), str(item.title)))

    walk(reader.outline, 0)
    return found


def squashed(text: str) -> str:
    return "".join(text.split())


def stranded_headings(pdf: Path, keep: int = 2) -> list[str]:
    """Headings that do not have `keep` lines of their section below them on their page
    (a shorter section must be whole there); the last page is not checked."""
    pages = lines_of(pdf)
    flow = [line for page in pages for line in page]
    problems = []
    headings = headings_of(pdf)
    starts: list[int | None] = []
    for heading in headings:
        # The heading's first line: the first at or below its top whose text begins it.
        start = next(
            (
                i
                for i, line in enumerate(flow)
                if line.page == heading.page
                and line.top >= heading.top - 12
                and squashed(heading.title).startswith(squashed(line.text)[:12])
            ),
            None,
        )
        starts.append(start)
    missing = [h.title for h, start in zip(headings, starts) if start is None]
    assert not missing, f"{pdf.name}: headings not found on their pages: {missing}"
    headings = [h for h, start in zip(headings, starts) if start is not None]
    starts = [start for start in starts if start is not None]
    for n, (heading, start) in enumerate(zip(headings, starts)):
        own, text = 0, ""
        while start + own < len(flow) and len(text) < len(squashed(heading.title)):
            text += squashed(flow[start + own].text)
            own += 1
        body_start = start + own
        end = starts[n + 1] if n + 1 < len(starts) else len(flow)
        section = flow[body_start:end]
        on_page = [line for line in section if line.page == heading.page]
        if heading.page < len(pages) - 1 and len(on_page) < min(keep, len(section)):
            problems.append(
                f"{pdf.name}: page {heading.page + 1} of {len(pages)} ends with the heading "
                f"{heading.title!r}" + (f" and only {[ln.text for ln in on_page]}" if on_page else "")
            )
    return problems
