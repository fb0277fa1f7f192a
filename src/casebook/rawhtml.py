"""A Python-Markdown extension that sets aside plain raw HTML blocks cheaply.

Casebook's generated pages are mostly pre-rendered, sanitised HTML between Markdown
headings. Python-Markdown finds raw HTML blocks by running the whole page through a
pure-Python HTML parser, and MkDocs runs the page through a second one to collect element
ids; at a thousand cases the two parsers take about half of the site builder's time.

This extension stashes, before either parser runs, the blocks whose extent is certain:
an element that starts at the beginning of a line with a block-level tag, is made of
well-formed tags only (no comments, declarations, scripts or styles), and closes at the end
of a line followed by a blank line. It stashes them exactly as Python-Markdown's own
`html_block` step would (same text, same placeholders), and hands their ids to MkDocs, so
the built pages are the same byte for byte. At the first thing it is not sure about, it
stops and leaves the rest of the page to Python-Markdown.
"""

from __future__ import annotations

import html
import re

import markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

# A start or end tag in the strict form Casebook's templates and nh3 write, or anything else
# the HTML parser would treat specially: a '<' that starts no such tag, or a character
# reference without its ';' (which the parser would give back with one).
_TOKEN = re.compile(
    r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:[ \n]+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"<>`]*")?)*)[ \n]*(/?)>"""
    r"""|<|&\#(?![0-9]+;|[xX][0-9a-fA-F]+;)"""
)
_ATTRIBUTE = re.compile(r'[ \n]+([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?')
# As in Python-Markdown's HTML extractor: a raw block keeps its blank line after it.
_BLANK_LINE = re.compile(r"([ ]*\n){2}")  # used with match(text, pos)
# Elements whose content the HTML parser reads as text, or that need care: never stashed here.
_SPECIAL = frozenset(
    {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
     "noscript", "plaintext"}
)  # fmt: skip
_EMPTY = frozenset({"hr"})  # the extractor's own list of tags that never hold content


class _StashBlocks(Preprocessor):
    """Stash the certain raw HTML blocks; runs after fenced code, before `html_block`."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.ids: set[str | None] = set()
        self.stashed = 0  # blocks set aside by the last run

    def run(self, lines: list[str]) -> list[str]:
        self.ids = set()
        self.stashed = 0
        text = "\n".join(lines)
        if "<" not in text:
            return lines
        out: list[str] = []
        done = 0  # text[:done] is in `out` or in `run`
        run: list[str] = []  # blocks with only blank lines between them: one stash
        start = text.find("<")
        while start != -1 and (start == 0 or text[start - 1] == "\n"):
            end, ids = self._block(text, start)
            if end == -1:
                break
            block = text[start:end]
            if _BLANK_LINE.match(text, end):
                block += "\n"  # the extractor keeps the blank line after a block
            elif not text.startswith("\n", end):
                break  # more on the block's last line: the extractor reads it as the block's tail
            gap = text[done:start]
            if run and not gap.strip("\n"):
                # Two stashed paragraphs come out one line apart: stash them as one.
                run.append("\n")
            else:
                self._flush(run, out)
                out.append(gap)
            run.append(block)
            self.ids.update(ids)
            self.stashed += 1
            done = end
            start = text.find("<", end)
        if not self.stashed:
            return lines
        self._flush(run, out)
        out.append(text[done:])
        return "".join(out).split("\n")

    def _flush(self, run: list[str], out: list[str]) -> None:
        if run:
            # What the extractor writes for a block: a newline, the placeholder, a blank line.
            out.append("\n" + self.md.htmlStash.store("".join(run)) + "\n\n")
            run.clear()

    def _block(self, text: str, start: int) -> tuple[int, list[str | None]]:
        """The end of the raw block at `start` and its ids, or -1 if not certain."""
        stack: list[str] = []
        ids: list[str | None] = []
        for match in _TOKEN.finditer(text, start):
            closing, name, attributes, empty = match.groups()
            if name is None:
                return -1, []
            name = name.lower()
            if name in _SPECIAL:
                return -1, []
            if match.start() == start and (
                closing or empty or name in _EMPTY or not self.md.is_block_level(name)
            ):
                return -1, []  # not a block the extractor would start here, or not this way
            if closing:
                if attributes or empty:
                    return -1, []
                if name in stack:
                    while stack.pop() != name:
                        pass
            else:
                lowered = attributes.lower()
                if "id" in lowered or "name" in lowered:
                    for key, value in (a.groups() for a in _ATTRIBUTE.finditer(attributes)):
                        key = key.lower()
                        if key == "id" or (key == "name" and name == "a"):
                            ids.append(html.unescape(value) if value else value)  # as MkDocs
                if not empty and name not in _EMPTY:
                    stack.append(name)
            if not stack:
                return match.end(), ids
        return -1, []


class _ShareIds(Preprocessor):
    """Add the stashed blocks' ids to those MkDocs collects, after it collected them."""

    def __init__(self, md: markdown.Markdown, stash: _StashBlocks) -> None:
        super().__init__(md)
        self.stash = stash

    def run(self, lines: list[str]) -> list[str]:
        if self.stash.ids and "mkdocs_raw_html" in self.md.preprocessors:
            collected = getattr(
                self.md.preprocessors["mkdocs_raw_html"], "present_anchor_ids", None
            )
            if isinstance(collected, set):
                collected.update(self.stash.ids)
        return lines


class RawHtmlExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        stash = _StashBlocks(md)
        # After fenced code (25), before MkDocs' id collector (21) and `html_block` (20).
        md.preprocessors.register(stash, "casebook_raw_html", 22)
        md.preprocessors.register(_ShareIds(md, stash), "casebook_raw_html_ids", 20.5)


def makeExtension(**kwargs: object) -> RawHtmlExtension:
    return RawHtmlExtension(**kwargs)
