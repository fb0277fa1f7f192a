"""Characters no source file may hold: the invisible ones a word processor pastes.

A vertical tab (Word's soft line break), a C1 control code or a stray byte-order mark cannot be
seen in an editor, but it makes the Atom feed ill-formed XML, changes a page's title, or (the
bidirectional overrides) shows a reader text in another order than the one reviewed. Every
source file is read through `casebook.sources.loader.read_text`, which refuses them here.

Left alone, because real text needs them: tab, line feed, the zero-width joiner and
non-joiner (Indic and Persian script, emoji sequences), the left-to-right and right-to-left
marks (Arabic and Hebrew next to Latin), the soft hyphen.
"""

from __future__ import annotations

import re
import unicodedata

from casebook.sources.problems import Problem

# One character class, searched once over the whole text (a C loop; no file is read twice).
REFUSED = re.compile(
    "["
    "\x00-\x08\x0b-\x1f\x7f"  # C0 control codes but tab and line feed (CR is normalised), DEL
    "\x80-\x9f"  # C1 control codes (text pasted through a Latin-1 round trip)
    "\u200b"  # zero width space
    "\u2028\u2029"  # line and paragraph separators
    "\u202a-\u202e\u2066-\u2069"  # bidirectional embeddings, overrides and isolates
    "\u206a-\u206f"  # deprecated format characters
    "\ufeff"  # a byte-order mark after the start of the file (the first is accepted)
    "\ufff9-\ufffb"  # interlinear annotation
    "\ufdd0-\ufdef\ufffe\uffff"  # noncharacters (U+FFFE and U+FFFF are not XML)
    "]"
)

# Control codes have no Unicode name, only aliases: the ones editors show.
_C0 = (
    "NULL", "START OF HEADING", "START OF TEXT", "END OF TEXT", "END OF TRANSMISSION",
    "ENQUIRY", "ACKNOWLEDGE", "BELL", "BACKSPACE", "CHARACTER TABULATION", "LINE FEED",
    "LINE TABULATION", "FORM FEED", "CARRIAGE RETURN", "SHIFT OUT", "SHIFT IN",
    "DATA LINK ESCAPE", "DEVICE CONTROL ONE", "DEVICE CONTROL TWO", "DEVICE CONTROL THREE",
    "DEVICE CONTROL FOUR", "NEGATIVE ACKNOWLEDGE", "SYNCHRONOUS IDLE",
    "END OF TRANSMISSION BLOCK", "CANCEL", "END OF MEDIUM", "SUBSTITUTE", "ESCAPE",
    "INFORMATION SEPARATOR FOUR", "INFORMATION SEPARATOR THREE", "INFORMATION SEPARATOR TWO",
    "INFORMATION SEPARATOR ONE",
)  # fmt: skip
_C1 = {
    0x85: "NEXT LINE",
    0x8D: "REVERSE LINE FEED",
}


def name(char: str) -> str:
    """The character as a message shows it: 'U+000B LINE TABULATION'."""
    code = ord(char)
    if code < 0x20:
        label = _C0[code]
    elif code == 0x7F:
        label = "DELETE"
    elif 0x80 <= code <= 0x9F:
        label = _C1.get(code, "C1 CONTROL CODE")
    else:
        label = unicodedata.name(char, "NONCHARACTER")
    return f"U+{code:04X} {label}"


def refused_characters(text: str, file: str) -> Problem | None:
    """The problem for the first line that holds a refused character, naming the others."""
    found = REFUSED.search(text)
    if found is None:
        return None
    line = text.count("\n", 0, found.start()) + 1
    # Lines counted from one match to the next, so a file full of them takes linear time.
    others: list[int] = []
    at, here = found.start(), line
    for match in REFUSED.finditer(text, found.end()):
        here += text.count("\n", at, match.start())
        at = match.start()
        if here != (others[-1] if others else line):
            others.append(here)
    more = ""
    if others:
        shown = ", ".join(map(str, others[:10])) + (", …" if len(others) > 10 else "")
        more = f" (line(s) {shown} hold such characters too)"
    return Problem(
        file,
        line,
        "",
        f"the line holds the invisible character {name(found.group())}, which text pasted "
        "from a word processor often carries; delete it (retype the line's spaces and line "
        f"breaks if you cannot see it){more}",
    )
