"""The wording of a YAML syntax error, on the line an editor has to change."""

from __future__ import annotations

import re

import yaml

from casebook.sources.problems import Problem


def yaml_problem(exc: yaml.MarkedYAMLError, text: str, name: str, first_line: int) -> Problem:
    """The problem for a YAML syntax error, on the line an editor has to change."""
    mark = exc.problem_mark or exc.context_mark
    index = mark.line if mark else 0
    source = text.split("\n")
    bad = source[index] if index < len(source) else ""
    indent = bad[: len(bad) - len(bad.lstrip(" \t-"))]
    problem = exc.problem or "invalid YAML"
    # libyaml says "found character that cannot start any token" for many tabs.
    if "tab" in problem or "\t" in indent:
        return Problem(
            name,
            first_line + index,
            "",
            "a tab character is used for indentation; YAML needs spaces, so replace each tab "
            "with two spaces",
        )
    # An unclosed quote is reported where YAML gave up, often many lines later.
    quoted = _unclosed_quote(source[: index + 1])
    if quoted is not None:
        line, key, quote = quoted
        return Problem(
            name,
            first_line + line,
            key,
            f"the value starts with {quote} but the closing {quote} is missing; "
            f"add {quote} at the end of the value",
        )
    return Problem(name, first_line + index, "", _yaml_message(exc))


_OPENS_QUOTE = re.compile(
    r"^(?P<indent>[ -]*)(?:(?P<key>[^\s#'\"][^:#]*?):[ \t]+)?(?P<quote>[\"'])(?P<rest>.*)$"
)
_NEXT_ITEM = re.compile(r"^(?P<indent> *)(?:- |[^\s#'\"][^:#]*:(?:\s|$))")


def _unclosed_quote(source: list[str]) -> tuple[int, str, str] | None:
    """The first line whose quoted value is not closed before the next field or list item."""
    for index, text in enumerate(source):
        match = _OPENS_QUOTE.match(text)
        if match is None or _closes(match["rest"], match["quote"]):
            continue
        following = next((line for line in source[index + 1 :] if line.strip()), "")
        after = _NEXT_ITEM.match(following)
        # A value may run over several lines, but not into the next field or list item.
        if not following or (after is not None and len(after["indent"]) <= len(match["indent"])):
            return index, (match["key"] or "").strip(), match["quote"]
    return None


def _closes(text: str, quote: str) -> bool:
    """Whether `text` (after an opening quote) holds the closing quote."""
    if quote == "'":
        return "'" in text.replace("''", "")  # '' is an escaped quote
    return re.search(r'(?<!\\)(?:\\\\)*"', text) is not None


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or "invalid YAML"
    context = f" {exc.context}" if exc.context else ""
    hint = (
        "check the indentation and that a value containing ': ' or starting with a quote, "
        "'*', '&', '[' or '{' is wrapped in double quotes"
    )
    return f"the YAML cannot be read ({problem}{context}); {hint}"
