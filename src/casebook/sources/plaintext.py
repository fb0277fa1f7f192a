"""Interface text is plain text: the strings and language names in `i18n/`, and the
labels of the vocabularies.

Translators and editors change these files by pull request, and their text reaches every
page (the navigation, the language menu, titles, the web editor's form). `casebook check`
refuses markup in them, with the file and line, and what reaches HTML through the theme,
which does not escape, is escaped as well (`escape`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from casebook.sources.loader import Document
from casebook.sources.problems import Problem

# A tag (or comment, or doctype), a `javascript:` address, or an inline event handler.
_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!?][^<>]{0,30}>?|javascript\s*:|\bon[a-z]+\s*=", re.I)


def markup_in(text: str) -> str | None:
    """The markup a text holds, or None."""
    found = _MARKUP.search(text)
    return found.group(0) if found else None


def markup_problems(document: Document) -> list[Problem]:
    """A problem for every text of a YAML file that holds markup."""
    problems = []
    for loc, text in _texts(document.data, ()):
        found = markup_in(text)
        if found is not None:
            problems.append(
                Problem(
                    document.name,
                    document.lines.line(loc),
                    ".".join(str(part) for part in loc),
                    f"'{' '.join(found.split())}' is markup, but this text is shown as plain "
                    "text: write it without HTML tags, event handlers or javascript: links",
                )
            )
    return problems


def _texts(data: Any, loc: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(data, str):
        yield loc, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield (*loc, str(key)), str(key)
            yield from _texts(value, (*loc, str(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _texts(value, (*loc, index))


def escape(text: str) -> str:
    """Text for the theme to print as it is: no tag can start in it. Only the angle brackets:
    the theme escapes some of these texts again in attributes, where `&amp;` would show."""
    return text.replace("<", "&lt;").replace(">", "&gt;")
