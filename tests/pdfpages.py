"""What a printed PDF's pages hold, line by line, and where its headings fall.

WeasyPrint bookmarks every heading (h2-h6 under the title), and so does Chromium's page.pdf
with outline=True: the bookmarks give each heading's page and height, and pdftotext each
line's. A heading is stranded when its page holds fewer than two lines of its section (or,
for a shorter section, not all of it): "Questions and prompts" with its intro line only, or
"Ground rules" with one bullet, at the foot of a page.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pypdf

XHTML = "{http://www.w3.org/1999/xhtml}"
# A sheet's footer (its margin boxes) starts below this share of the page's height, and its
# text ends above it (print.css: a 22 mm bottom margin, 7 to 8 % of A4 and US Letter).
FOOTER = 0.93


@dataclass(frozen=True)
class Line:
    page: int
    top: float  # from the top of the page, in points
    text: str


@dataclass(frozen=True)
class Heading:
    page: int
    top: float
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
        pages.append(sorted((ln for ln in found if ln.top < FOOTER * height), key=_top))
    return pages


def _top(line: Line) -> float:
    return line.top


def headings_of(pdf: Path) -> list[Heading]:
    """The bookmarked headings under the title, in the document's order."""
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


def _first_line(flow: list[Line], heading: Heading) -> int:
    """Where the heading is in the flow of lines: the first at or below its bookmark (which
    Chromium sets a few points into the heading) that begins its title."""
    title = squashed(heading.title)
    for index, line in enumerate(flow):
        below = line.page == heading.page and line.top >= heading.top - 12
        if below and title.startswith(squashed(line.text)[:12]):
            return index
    raise AssertionError(f"the heading {heading.title!r} is not on page {heading.page + 1}")


def stranded_headings(pdf: Path, keep: int = 2) -> list[str]:
    """Each heading that does not have `keep` lines of its section under it on its page (or
    its whole section, if shorter), as a sentence; the last page is not checked."""
    pages = lines_of(pdf)
    flow = [line for page in pages for line in page]
    headings = headings_of(pdf)
    assert headings, f"{pdf.name} has no bookmarked headings"
    starts = [_first_line(flow, heading) for heading in headings]
    problems = []
    for number, (heading, start) in enumerate(zip(headings, starts, strict=True)):
        own, text = start, ""
        while own < len(flow) and len(text) < len(squashed(heading.title)):
            text += squashed(flow[own].text)
            own += 1
        section = flow[own : starts[number + 1] if number + 1 < len(starts) else len(flow)]
        on_page = [line.text for line in section if line.page == heading.page]
        if heading.page < len(pages) - 1 and len(on_page) < min(keep, len(section)):
            problems.append(
                f"{pdf.name}: page {heading.page + 1} of {len(pages)} ends with the heading "
                f"{heading.title!r}, followed there by {on_page}"
            )
    return problems


def page_texts(pdf: Path) -> list[str]:
    """Each page's lines, joined by newlines (footer left out)."""
    return ["\n".join(line.text for line in page) for page in lines_of(pdf)]
