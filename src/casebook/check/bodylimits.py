"""Limits on a case body's Markdown that keep Python-Markdown quick and within its stack.

Python-Markdown recurses into each level of a list or block quote, so a list nested a few
hundred deep crashes every build; and it finds the end of a link text or address by
scanning forward from each '[' and '](' to the bracket that closes it, so many brackets
that never close take time quadratic in the paragraph's length. Both are refused here, with
the line, before anything renders the body. The limits are in casebook.sources.limits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from casebook.sources.limits import MAX_LINK_SCAN_CHARS, MAX_MARKDOWN_NESTING
from casebook.sources.problems import Problem

# One step into a line's nesting: white space, then a marker that opens a level: '>' or a
# list item's '-', '*', '+' or number ('1.', '1)'), with the one space or tab after it, a
# footnote's '[^label]:' or a definition's ':'. Python-Markdown parses what follows each
# marker as blocks again, one recursion deeper, so "- - - x" nests as deep as three lines.
_STEP = re.compile(r"([ \t]*)(>[ \t]?|(?:[-*+]|\d+[.)])(?:[ \t]|$)|\[\^[^\]\n]*\]:|:[ \t])?")
_CODE_SPAN = re.compile(r"`[^`\n]*`")
# What the link scan counts: an escaped character (which Markdown does not count), and
# the brackets and parentheses.
_BRACKETS = re.compile(r"\\.|[\[\]()]")


def nesting(text: str) -> int:
    """How deep a line nests lists and block quotes: each marker at its start ('>', a list
    item's marker, a footnote's or a definition's), and each four columns of indentation
    (Python-Markdown's tab length) before and between them."""
    levels = columns = at = 0
    while at < len(text):
        step = _STEP.match(text, at)
        if step is None or step.end() == at:
            break
        columns += len(step.group(1).replace("\t", "    "))
        if step.group(2) is None:
            break
        levels += 1
        at = step.end()
    return levels + columns // 4


def check_nesting(name: str, lines: list[tuple[int, str]]) -> Iterator[Problem]:
    """The first line that nests lists or block quotes deeper than the limit.

    Every line of the body is counted, fenced code too: a fence the check sees and the
    builder does not (an opening line with more after it, a closing fence too short) would
    otherwise hide the lines after it from the limit, not from the builder."""
    for line, text in lines:
        depth = nesting(text)
        if depth > MAX_MARKDOWN_NESTING:
            yield Problem(
                name,
                line,
                "body",
                f"the line nests lists or block quotes {depth} levels deep (each '>', list "
                f"item marker such as '-' or '1.', and every 4 spaces at its start is a "
                f"level), more than the limit of {MAX_MARKDOWN_NESTING}; indent it less, or "
                f"put each item on a line of its own",
            )
            return


def paragraphs(prose: list[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """Each run of non-blank prose lines, with its first line, joined by newlines."""
    start, previous = 0, -1
    lines: list[str] = []
    for line, text in prose:
        if not text.strip() or (lines and line != previous + 1):
            if lines:
                yield start, "\n".join(lines)
            start, lines = 0, []
        if text.strip():
            if not lines:
                start = line
            lines.append(text)
        previous = line
    if lines:
        yield start, "\n".join(lines)


def link_scan(text: str, budget: int) -> int:
    """How many characters Python-Markdown scans in `text` (one paragraph) to find the end
    of each link text and address; counting stops soon after `budget`.

    Each '[' scans to its ']' (or to the end when it has none); each '(' after ']' scans to
    its ')', or to the end when it has none or when a quote comes first (Markdown then
    reads a title, whose end it looks for further on).
    """
    text = _CODE_SPAN.sub("", text)
    end = len(text)
    cost = 0
    squares: list[int] = []
    rounds: list[tuple[int, bool]] = []  # '(' positions, and whether each opens an address
    for match in _BRACKETS.finditer(text):
        char, at = match.group(0), match.start()
        if char == "[":
            squares.append(at)
        elif char == "]":
            if squares:
                cost += at - squares.pop()
        elif char == "(":
            rounds.append((at, at > 0 and text[at - 1] == "]"))
        elif char == ")" and rounds:
            opened, address = rounds.pop()
            if address:
                cost += _address_scan(text[opened:at], end - opened)
        if cost > budget:
            return cost
    cost += sum(end - at for at in squares)
    cost += sum(end - at for at, address in rounds if address)
    return cost


def _address_scan(inside: str, to_end: int) -> int:
    """What Markdown scans for a link address: to its ')' when it has no title, or a title
    closed just before the ')'; otherwise (a quote left open) on to the paragraph's end."""
    quotes = [c for c in inside if c in "'\""]
    if not quotes:
        return len(inside)
    return len(inside) if inside.rstrip()[-1:] == quotes[0] and len(quotes) > 1 else to_end


def check_link_scan(name: str, prose: list[tuple[int, str]]) -> Iterator[Problem]:
    """The paragraph that makes a body's links too slow to read, if the body's are."""
    if "[" not in "".join(text for _, text in prose):
        return
    total = 0
    worst = (0, 0)  # (cost, line)
    for line, text in paragraphs(prose):
        if "[" not in text:
            continue
        cost = link_scan(text, MAX_LINK_SCAN_CHARS)
        total += cost
        worst = max(worst, (cost, line))
        if total > MAX_LINK_SCAN_CHARS:
            break
    if total > MAX_LINK_SCAN_CHARS:
        yield Problem(
            name,
            worst[1],
            "body",
            "this paragraph has '[' (or a link's '(') that are never closed, or that nest "
            "deeply, so the page's links cannot be read in reasonable time; close each '[' "
            "with ']' and each link's '(' with ')', and write '\\[' for a bracket that is not "
            "part of a link",
        )
