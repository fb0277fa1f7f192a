"""What every text of a case is scanned for: placeholders and details that could identify a person.

The texts are each string value of the front matter (or of a YAML file) and each prose line
of the body. A placeholder's problem says what to write instead (see the hints below).
"""

from __future__ import annotations

from collections.abc import Iterator

from casebook.check.bodyrules import lower_first, prose_lines, section_heading
from casebook.sources.loader import Document, Strings, strings_in
from casebook.sources.messages import described
from casebook.sources.model import CaseFrontMatter
from casebook.sources.privacy import PLACEHOLDER, IdentifyingDetails
from casebook.sources.problems import Problem, Severity
from casebook.sources.questions import QuestionBank
from casebook.sources.vocabularies import Vocabularies, Vocabulary


def check_placeholders(
    document: Document,
    vocabularies: Vocabularies | None = None,
    bank: QuestionBank | None = None,
    strings: Strings | None = None,
    prose: list[tuple[int, str]] | None = None,
) -> Iterator[Problem]:
    """TODO markers left from the scaffold, in the front matter (or a YAML file) and the body.

    Each hint says what to write: the field's description, the audience a question is for,
    or what the section holds. `strings` and `prose` are the document's, when already found.
    """
    for loc, value in strings_in(document.data) if strings is None else strings:
        if "TODO" in value and PLACEHOLDER.search(value):
            dotted = ".".join(str(part) for part in loc)
            hint = (
                _question_hint(loc, bank)
                if bank is not None
                else _vocabulary_hint(loc, vocabularies) or _field_hint(loc)
            )
            yield Problem(
                document.name,
                document.lines.line(loc),
                dotted,
                f"still holds the placeholder '{short(value)}'; replace it{hint}",
            )
    heading = ""
    if "TODO" not in document.body:
        return
    for line, text in prose_lines(document) if prose is None else prose:
        found = section_heading(text)
        if found is not None:
            heading = found
        elif PLACEHOLDER.search(text):
            yield Problem(
                document.name,
                line,
                "body",
                f"still holds the placeholder '{short(text.strip())}'; "
                + _section_hint(heading, vocabularies.get("sections") if vocabularies else None),
            )


def _vocabulary_hint(loc: tuple[str | int, ...], vocabularies: Vocabularies | None) -> str:
    """For a field that takes vocabulary ids: the ids it allows, with their labels."""
    path = ".".join(str(part) for part in loc if not isinstance(part, int))
    for vocabulary in vocabularies.controlling() if vocabularies else []:
        if vocabulary.field == path:
            many = isinstance(loc[-1], int)
            terms = list(vocabulary.terms.values())
            shown = ", ".join(f"{t.id} ({t.label})" for t in terms[:8])
            more = f", … ({len(terms) - 8} more in {vocabulary.source})" if len(terms) > 8 else ""
            kind = "one or more of these ids" if many else ("one of these ids")
            return f" with {kind}: {shown}{more}"
    return ""


def _section_hint(heading: str, sections: Vocabulary | None) -> str:
    term = None
    if sections is not None:
        wanted = heading.lower()
        term = next((t for t in sections.terms.values() if wanted in (t.id, t.label.lower())), None)
    if term is not None and term.description:
        return f"replace it with the {term.label} section's text: {lower_first(term.description)}"
    return (
        "replace it with this section's text, in your own words, from facts in the sources "
        "you list under 'sources:'"
    )


def _question_hint(loc: tuple[str | int, ...], bank: QuestionBank) -> str:
    audience = bank.audiences.get(str(loc[0])) if loc else None
    who = f" for '{audience.short_name}'" if audience is not None else ""
    return (
        f" with an open question{who} about systems, practice or their own setting, "
        "as a full sentence ending in '?'; never ask people to recount personal experiences "
        "of abuse"
    )


def _field_hint(loc: tuple[str | int, ...]) -> str:
    while loc and isinstance(loc[-1], int):
        loc = loc[:-1]  # a list item is described by its list
    hint = described(CaseFrontMatter, loc)
    if not hint:
        return " with this field's value; docs/reference/case-model.md says what each field holds"
    return f" with {hint.strip(' ()')[:1].lower()}{hint.strip(' ()')[1:]}"


def short(text: str) -> str:
    """A text cut to fit in a message."""
    return text if len(text) <= 50 else text[:49] + "…"


_NOT_PROSE = {"url", "website", "date"}


def check_identifying(
    document: Document,
    details: IdentifyingDetails,
    held: set[int],
    strings: Strings | None = None,
    prose: list[tuple[int, str]] | None = None,
) -> Iterator[Problem]:
    """Warnings for text that may identify a person, so the safeguarding review looks again."""
    # Where each text is (line and field) is worked out only for a document with a suspect.
    fields = [
        (loc, value)
        for loc, value in (strings_in(document.data) if strings is None else strings)
        if loc and str(loc[-1]) not in _NOT_PROSE
    ]
    prose = list(prose_lines(document)) if prose is None else prose
    texts = [value for _, value in fields]
    texts += [text for _, text in prose]
    patterns = details.suspects("\n".join(texts))
    if patterns is None:
        return
    found = [(document.lines.line(loc), ".".join(map(str, loc)), value) for loc, value in fields]
    found += [(line, "body", text) for line, text in prose]
    for line, where, text in found:
        if line in held:
            continue
        for finding in details.find(text, patterns):
            yield Problem(
                document.name,
                line,
                where,
                f"'{short(finding.text)}' looks like {finding.name}, which could identify a person; "
                f"{finding.advice}",
                Severity.WARNING,
            )
