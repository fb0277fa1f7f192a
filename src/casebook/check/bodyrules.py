"""Rules for a case's Markdown body: its sections, and what contributed Markdown may hold.

The body is split into an introduction and level-2 sections, checked against the sections
vocabulary; each prose line (outside fenced code) is checked against the content rules.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator

from casebook.sources.links import GENERATED_SECTIONS, site_target
from casebook.sources.loader import Document
from casebook.sources.model import CaseFrontMatter, Section
from casebook.sources.problems import Problem, Severity
from casebook.sources.vocabularies import Vocabulary

_FENCE = re.compile(r"^\s*(```|~~~)")
_H2 = re.compile(r"^##\s+(.+?)\s*#*\s*$")
_H1 = re.compile(r"^#\s+\S")
# Each pattern here is linear in the line's length: no part of it can scan past the start
# of the next match attempt (a '{', a '<', a space run's first space), so a line of a
# thousand '{' or '<a ' costs as much as any other (see tests/test_hostile_text.py).
_ATTRS = re.compile(r"(?<!\s)\s*\{[^{}]*\}\s*$")
_HEADING_ID = re.compile(r"#([a-z0-9-]+)")

# A section's id, its heading and the file line of the heading.
_Head = tuple[str, str, int]


def body_lines(document: Document) -> list[tuple[int, str]]:
    """Every body line, fenced code too, with its file line number."""
    return list(enumerate(document.body.split("\n"), document.body_line))


def prose_lines(document: Document) -> Iterator[tuple[int, str]]:
    """Body lines outside fenced code, with their file line numbers."""
    fenced = False
    for offset, text in enumerate(document.body.split("\n")):
        if _FENCE.match(text):
            fenced = not fenced
            continue
        if not fenced:
            yield document.body_line + offset, text


def section_heading(text: str) -> str | None:
    """The heading of a '## ' line, without its attribute list; None for any other line."""
    match = _H2.match(text)
    return _heading_text(match) if match else None


def _heading_text(match: re.Match[str]) -> str:
    return _ATTRS.sub("", match.group(1)).strip()


def parse_body(
    document: Document,
    sections_vocab: Vocabulary | None,
    prose: list[tuple[int, str]] | None = None,
) -> tuple[str, list[Section], list[Problem]]:
    """The body's introduction and sections, and the problems with its headings.

    `prose` are the body's prose lines, when already found.
    """
    lines = {line for line, _ in (prose_lines(document) if prose is None else prose)}
    intro, sections, problems = _split_sections(document, _section_ids(sections_vocab), lines)
    if sections_vocab is not None:
        problems += _required_sections(document, sections, sections_vocab)
        problems += _unknown_sections(document.name, sections, sections_vocab)
    problems += _repeated_sections(document.name, sections)
    return intro, sections, problems


def _section_ids(sections_vocab: Vocabulary | None) -> dict[str, str]:
    """Each section's id, by its lower-case label and by its id."""
    by_label: dict[str, str] = {}
    if sections_vocab is not None:
        for term in sections_vocab.terms.values():
            by_label[term.label.lower()] = term.id
            by_label[term.id] = term.id
    return by_label


def _split_sections(
    document: Document, by_label: dict[str, str], prose: set[int]
) -> tuple[str, list[Section], list[Problem]]:
    """The text before the first '## ' heading, the sections, and any level-1 headings."""
    problems: list[Problem] = []
    intro: list[str] = []
    heads: list[_Head] = []
    bodies: list[list[str]] = []
    for offset, text in enumerate(document.body.split("\n")):
        line = document.body_line + offset
        in_prose = line in prose
        if in_prose and _H1.match(text):
            problems.append(
                Problem(
                    document.name,
                    line,
                    "body",
                    "a level-1 heading ('# ') is not allowed; the page title comes from 'title:', "
                    "so start sections with '## '",
                )
            )
        match = _H2.match(text) if in_prose else None
        if match:
            heads.append(_head(match, by_label, line))
            bodies.append([])
            continue
        (bodies[-1] if bodies else intro).append(text)
    built = [
        Section(section_id, heading, "\n".join(body).strip("\n"), line)
        for (section_id, heading, line), body in zip(heads, bodies, strict=True)
    ]
    return "\n".join(intro).strip("\n"), built, problems


def _head(match: re.Match[str], by_label: dict[str, str], line: int) -> _Head:
    attrs = _ATTRS.search(match.group(1))
    explicit = _HEADING_ID.search(attrs.group(0)) if attrs else None
    heading = _heading_text(match)
    # `## Contexto {#context}`: an explicit id names the section in any language.
    section_id = explicit.group(1) if explicit else by_label.get(heading.lower()) or slug(heading)
    return section_id, heading, line


def _required_sections(
    document: Document, sections: list[Section], sections_vocab: Vocabulary
) -> Iterator[Problem]:
    found = {s.id for s in sections}
    # A file that ends on the front matter's closing '---' has no body line: point at that line.
    line = document.body_line if document.body else document.body_line - 1
    for term in sections_vocab.terms.values():
        if term.required and term.id not in found:
            yield Problem(
                document.name,
                line,
                "body",
                f"the required section '{term.label}' is missing; add a line "
                f"'## {term.label}' and write {lower_first(term.description)}",
            )


def _unknown_sections(
    name: str, sections: list[Section], sections_vocab: Vocabulary
) -> Iterator[Problem]:
    for section in sections:
        if section.id not in sections_vocab:
            hint = sections_vocab.suggest(section.heading)
            message = f"'{section.heading}' is not a standard section"
            message += (
                f"; did you mean '{sections_vocab.label_of(hint)}'?"
                if hint
                else (
                    "; it will be shown where it stands. Standard sections: "
                    + ", ".join(t.label for t in sections_vocab.terms.values())
                )
            )
            yield Problem(name, section.line, "body", message, Severity.WARNING)


def _repeated_sections(name: str, sections: list[Section]) -> Iterator[Problem]:
    seen: set[str] = set()
    for section in sections:
        if section.id in seen:
            yield Problem(
                name,
                section.line,
                "body",
                f"the section '{section.heading}' appears twice; merge the two",
            )
        seen.add(section.id)


def slug(text: str) -> str:
    """Lowercase letters, digits and single hyphens: a heading or file name as an id."""
    out = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(part for part in out.split("-") if part) or "section"


def lower_first(text: str) -> str:
    """A description to go mid-sentence ('it' when there is none)."""
    return text[:1].lower() + text[1:] if text else "it"


def check_section_notes(
    document: Document,
    meta: CaseFrontMatter,
    sections: list[Section],
    flagged: set[tuple[int, str]],
) -> Iterator[Problem]:
    """Each note in `section_notes` names a section of the body; `flagged` are reported."""
    present = {s.id for s in sections}
    for index, note in enumerate(meta.section_notes):
        loc = ("section_notes", index, "section")
        dotted = ".".join(map(str, loc))
        # An id outside the sections vocabulary is already reported, with a suggestion.
        if note.section not in present and (document.lines.line(loc), dotted) not in flagged:
            yield Problem(
                document.name,
                document.lines.line(loc),
                dotted,
                f"there is no section '{note.section}' in the body; use one of: "
                + ", ".join(sorted(present)),
            )


# Contributed Markdown is untrusted: these are refused at check time, and the renderer
# sanitises the HTML as a second line of defence.
# Every rule below needs one of these characters or words on the line.
_SUSPECT = re.compile(r"[<{=]|javascript|\]\(", re.I)

_CONTENT_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"<\s*script", re.I), "a <script> tag is not allowed; delete it"),
    (
        re.compile(r"<\s*iframe", re.I),
        "an <iframe> (embedded page) is not allowed; link to the page instead",
    ),
    (
        re.compile(r"\{[^{}\n]*\bon[a-z]+\s*=", re.I),
        "an attribute list that adds an event handler (on...=) is not allowed; delete it",
    ),
    (
        re.compile(r"\bon[a-z]+\s*=\s*[\"']", re.I),
        "an event-handler attribute (on...=) is not allowed; delete it",
    ),
    (
        re.compile(r"javascript\s*:", re.I),
        "a 'javascript:' link is not allowed; link to a web page (https://...) instead",
    ),
    (
        re.compile(r"!\[(?:[^\]!]|!(?!\[))*\]\(\s*(https?:)?//", re.I),
        "images from other sites are not allowed (they leak readers' visits); save the image in the repository or delete it",
    ),
    (
        # The start of any tag, comment or declaration, closed or not (a '<a' that is never
        # closed makes Python-Markdown's HTML reader scan to the end of the text), except a
        # Markdown autolink such as <https://example.org>.
        re.compile(r"<(?!(?:https?|mailto):[^\s<>]*>|[^\s<>@]+@[^\s<>]+>)[a-zA-Z/!?]"),
        "raw HTML is not allowed; write Markdown instead, e.g. **bold**, *italic*, "
        "[text](https://...); for a '<' in the text, write '&lt;'",
    ),
]
# A Markdown link's address: [text](address "title").
_LINK = re.compile(r"\]\((?P<href>[^)\s]*)")
_CODE_SPAN = re.compile(r"`[^`]*`")


def _suspect(text: str) -> bool:
    """`_SUSPECT.search(text)`, answered with string searches, which are many times faster."""
    if "<" in text or "{" in text or "=" in text or "](" in text:
        return True
    # In ASCII text, case-insensitive matching is lower-casing; elsewhere the regex decides
    # (it also matches e.g. the long s 'ſ' for 's').
    if text.isascii():
        return "javascript" in text.lower()
    return _SUSPECT.search(text) is not None


def check_markdown(
    document: Document,
    case_ids: Container[str],
    pages: frozenset[str] = frozenset(),
    prose: list[tuple[int, str]] | None = None,
) -> Iterator[Problem]:
    """Content rules for a case body: one problem per line, the most specific rule first.

    `pages` are the site's top-level pages (support, guidance): links to them are not cases.
    """
    if not _suspect(document.body):
        return  # the rules look at lines, and none of them can match across lines
    for line, text in prose_lines(document) if prose is None else prose:
        if not _suspect(text):
            continue  # plain prose: none of the rules below can match
        text = _CODE_SPAN.sub("", text)
        for pattern, message in _CONTENT_RULES:
            if pattern.search(text):
                yield Problem(document.name, line, "body", message)
                break
        for match in _LINK.finditer(text):
            wrong = link_problem(match["href"], case_ids, pages)
            if wrong:
                yield Problem(document.name, line, "body", wrong)


def link_problem(href: str, case_ids: Container[str], pages: Container[str]) -> str | None:
    """What is wrong with a link in a case's text to a page of the site, if anything.
    `pages` are the site's pages and folders from its root ('support', 'guidance',
    'guidance/safeguarding') and the sections the build writes ('cases', 'browse')."""
    target = site_target(href, case_ids)
    if target is None or target in pages or target == "":
        return None
    if target.startswith("cases/") or ("/" not in target and target != ".."):
        case = target.removeprefix("cases/")
        if target.startswith("cases/") and case in case_ids:
            return None
        return f"the link to case '{case}' does not resolve; there is no case_studies/{case}.md"
    if target.split("/")[0] in pages and target.split("/")[0] in GENERATED_SECTIONS:
        return None  # e.g. a browse page: the build writes them
    return (
        f"the link '{href}' leads to no page of the site; link to another case as "
        "(other-case.md), to a guidance page as (../guidance/safeguarding.md), or to "
        "a web page with its full address (https://...)"
    )
