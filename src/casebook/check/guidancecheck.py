"""`casebook check` on the guidance pages: `docs/` and each language's `i18n/<code>/docs/`.

The site builder reads these pages as they are, with the same Python-Markdown that renders a
case's text, so the limits that keep a case quick to build, and within Python's stack, hold
for them too: size, line length, the YAML of their front matter, the nesting of lists and
quotes, and link brackets that never close.

Nothing sanitises these pages after the check (MkDocs passes raw HTML through), so no raw
HTML may reach the builder from them: a `<meta http-equiv="refresh">` would send readers to
another site, and a `<style>` (the CSP allows inline styles, the theme needs them) could hide
"Exit this page". What counts as raw HTML is what Python-Markdown itself sets aside as raw
HTML when it renders the page, so code spans and fenced code, which it escapes, are fine,
and no trick of backticks or fences that it reads otherwise than a pattern would gets by.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from pathlib import Path

import markdown
from markdown.inlinepatterns import HtmlInlineProcessor
from markdown.preprocessors import Preprocessor

from casebook.check.bodylimits import check_link_scan, check_nesting
from casebook.check.bodyrules import body_lines, prose_lines
from casebook.check.cachecodec import encode
from casebook.check.checkcache import CheckCache, Entry
from casebook.sources.loader import Document, LineMap, LoadError, parse_yaml, read_text
from casebook.sources.problems import Problem, display_path
from casebook.sources.project import Project


def guidance_pages(project: Project, codes: Iterable[str]) -> list[Path]:
    """Every Markdown page the editions' builders read (the site's assets are not pages)."""
    folders = [project.docs_dir, *(project.root / "i18n" / code / "docs" for code in codes)]
    pages: list[Path] = []
    for folder in folders:
        if folder.is_dir():
            pages += sorted(p for p in folder.rglob("*.md") if p.is_file())
    return pages


def check_guidance(
    project: Project, codes: Iterable[str], cache: CheckCache | None = None
) -> tuple[list[Problem], list[Path]]:
    """The guidance pages' problems, and the pages. Each page's problems depend on its text
    alone, so they are kept in the check's cache: finding raw HTML renders the page."""
    problems: list[Problem] = []
    pages = guidance_pages(project, codes)
    for path in pages:
        key = cache.key(path, []) if cache is not None else None
        entry = cache.load(path, key, frozenset(), counted=False) if cache is not None else None
        if entry is None:
            entry = Entry(None, list(_check_page(path, display_path(path, project.root))))
            if cache is not None:
                cache.store(path, key, encode(entry))
        problems += entry.problems
    return problems, pages


def _check_page(path: Path, name: str) -> Iterator[Problem]:
    try:
        document = _read(path, name)
    except LoadError as exc:
        yield exc.problem
        return
    prose = list(prose_lines(document))
    limits = [*check_nesting(name, body_lines(document)), *check_link_scan(name, prose)]
    yield from limits
    if not limits:  # within the limits that keep Python-Markdown quick and within its stack
        yield from raw_html(document)
    yield from _attribute_rules(document)


# The page's own attribute lists ('{: ...}', which attr_list turns into attributes) may not
# add a style or an event handler, and no link may run script.
_ATTRIBUTE_RULES = (
    (
        re.compile(r"\{[^{}\n]*\bstyle\s*=", re.I),
        "an attribute list that sets a style is not allowed (a style can cover or hide 'Exit "
        "this page'); delete it, and ask for a class in docs/assets/casebook.css instead",
    ),
    (
        re.compile(r"\{[^{}\n]*\bon[a-z]+\s*=", re.I),
        "an attribute list that adds an event handler (on...=) is not allowed; delete it",
    ),
    (
        # A link's address, a reference definition's, or an attribute's value.
        re.compile(r"(?:\]\(\s*<?|^\s*\[[^\]]*\]:\s*<?|=\s*[\"']?)\s*javascript\s*:", re.I),
        "a 'javascript:' link is not allowed; link to a web page (https://...) instead",
    ),
)


def _attribute_rules(document: Document) -> Iterator[Problem]:
    if "{" not in document.body and "javascript" not in document.body.lower():
        return
    for offset, text in enumerate(document.body.split("\n")):
        for pattern, message in _ATTRIBUTE_RULES:
            if pattern.search(text):
                yield Problem(document.name, document.body_line + offset, "body", message)
                break


# The Markdown extensions of mkdocs.yml that change what is read as raw HTML.
_EXTENSIONS = [
    "abbr", "admonition", "attr_list", "def_list", "footnotes", "tables", "toc",
    "pymdownx.details", "pymdownx.superfences",
]  # fmt: skip


def raw_html(document: Document) -> Iterator[Problem]:
    """A problem for each piece of raw HTML Python-Markdown finds in the page's body."""
    if "<" not in document.body:
        return
    found: list[str] = []
    md = markdown.Markdown(extensions=[*_EXTENSIONS, _Recorder(found)])
    md.convert(document.body)
    reported: set[int] = set()
    start = 0
    for html in found:
        line, start = _line_of(document, html, start)
        if line in reported:
            continue
        reported.add(line)
        shown = " ".join(html.split())
        shown = shown if len(shown) <= 40 else shown[:39] + "…"
        yield Problem(
            document.name,
            line,
            "body",
            f"raw HTML ('{shown}') is not allowed in a guidance page, which is published as it "
            "is; write Markdown instead, e.g. **bold**, [text](https://...), '!!! note' for a "
            "box; to show a tag, put it in `backticks`, or write '&lt;' for a '<'",
        )


def _line_of(document: Document, html: str, start: int) -> tuple[int, int]:
    """The file line where `html` starts, searching the body from `start` (then from 0)."""
    first = html.strip().split("\n")[0].strip()
    body = document.body
    at = body.find(first, start)
    if at == -1:
        at = body.find(first)
    if at == -1:
        return document.body_line, start
    return document.body_line + body.count("\n", 0, at), at + len(first)


class _Recorder(markdown.Extension):
    """Records the raw HTML blocks and inline HTML that Python-Markdown sets aside."""

    def __init__(self, found: list[str]) -> None:
        super().__init__()
        self.found = found

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # Markdown's name
        blocks = md.preprocessors["html_block"]
        md.preprocessors.register(_Blocks(md, blocks, self.found), "html_block", 20)
        md.inlinePatterns.register(
            _Inline(markdown.inlinepatterns.HTML_RE, md, self.found), "html", 90
        )


class _Blocks(Preprocessor):
    def __init__(self, md: markdown.Markdown, wrapped: Preprocessor, found: list[str]) -> None:
        super().__init__(md)
        self.wrapped = wrapped
        self.found = found

    def run(self, lines: list[str]) -> list[str]:
        stash = self.md.htmlStash
        before = len(stash.rawHtmlBlocks)  # fenced code, set aside before this runs
        result: list[str] = self.wrapped.run(lines)
        self.found += [str(block) for block in stash.rawHtmlBlocks[before:]]
        return result


class _Inline(HtmlInlineProcessor):
    def __init__(self, pattern: str, md: markdown.Markdown, found: list[str]) -> None:
        super().__init__(pattern, md)
        self.found = found

    def handleMatch(  # type: ignore[override]  # an InlineProcessor's, as in its base
        self, m: re.Match[str], data: str
    ) -> tuple[str | ET.Element | None, int | None, int | None]:
        self.found.append(m.group(0))
        return super().handleMatch(m, data)


def _read(path: Path, name: str) -> Document:
    """The page, its front matter (if any) read by the same guarded YAML reader as a case's."""
    text = read_text(path, name)
    lines = text.split("\n")
    if lines[0].rstrip() == "---":
        for end in range(1, len(lines)):
            if lines[end].rstrip() in ("---", "..."):
                data, line_map = parse_yaml("\n".join(lines[1:end]), name, 2)
                return Document(path, name, data, line_map, "\n".join(lines[end + 1 :]), end + 2)
    return Document(path, name, None, LineMap(), text, 1)
