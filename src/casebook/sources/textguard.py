"""Limits that keep a hostile or mistaken file from hurting the check or the build.

Each function gives the Problem for a file over a limit of casebook.sources.limits, or None; the
loader raises it. Everything here is linear in the file's size and recurses nowhere.
"""

from __future__ import annotations

import re

import yaml

from casebook.sources.limits import MAX_LINE_CHARS, MAX_YAML_DEPTH
from casebook.sources.problems import Problem

try:  # the event parser of libyaml, which keeps its own stack and never recurses
    _Parser: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover
    _Parser = yaml.SafeLoader


def too_large(name: str, limit: int) -> Problem:
    return Problem(
        name,
        1,
        "",
        f"the file is larger than {limit // 1024} KB, the limit for this kind of file; "
        "split it, or remove what does not belong in it",
    )


def first_long_line(text: str, name: str) -> Problem | None:
    lines = text.split("\n")
    if max(map(len, lines)) <= MAX_LINE_CHARS:
        return None
    index, line = next((i, line) for i, line in enumerate(lines) if len(line) > MAX_LINE_CHARS)
    return Problem(
        name,
        index + 1,
        "",
        f"the line has {len(line):,} characters, more than the limit of "
        f"{MAX_LINE_CHARS:,}; break it into paragraphs (a blank line between them)",
    )


def may_nest_deep(text: str) -> bool:
    """Whether `text` may nest deeper than MAX_YAML_DEPTH, answered from the text alone.

    Nesting in block style needs one more column of indentation (or of '- ', '? ', ': '
    indicators at a line's start) every two levels; each flow level needs a '[' or '{'. So
    the depth is at most twice the widest leading run, plus one, plus the brackets.
    """
    brackets = text.count("[") + text.count("{")
    if brackets >= MAX_YAML_DEPTH:
        return True
    # 2 * widest + 1 + brackets > MAX_YAML_DEPTH, without measuring every line's run.
    widest = (MAX_YAML_DEPTH - 1 - brackets) // 2 + 1
    return re.search(rf"^[ \t?:-]{{{widest},}}", text, re.M) is not None


def aliases_or_depth(text: str, name: str, first_line: int) -> Problem | None:
    """Refuse any alias, and nesting beyond MAX_YAML_DEPTH, from the event stream.

    libyaml's parser does not recurse, so this is safe on any input; it runs before the
    composer, which does. An alias, even of one text, can repeat a value thousands of times
    (a "billion laughs"), so none is accepted.
    """
    walk = _Walk()
    try:
        for event in yaml.parse(text, Loader=_Parser):
            kind = type(event)
            if kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if len(walk.path) >= MAX_YAML_DEPTH:
                    return walk.problem(
                        name,
                        first_line + _line(event),
                        f"the YAML nests lists and fields more than {MAX_YAML_DEPTH} "
                        "levels deep, the limit; flatten it",
                    )
                walk.open(kind is yaml.MappingStartEvent)
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                walk.close()
            elif kind is yaml.AliasEvent and not walk.at_key():
                return walk.problem(
                    name,
                    first_line + _line(event),
                    "a YAML alias ('*name') is not supported here; write the value out in full",
                )
            elif kind is yaml.ScalarEvent or kind is yaml.AliasEvent:
                walk.node(getattr(event, "value", "*"))
    except yaml.YAMLError:
        return None  # a syntax error: the composer reports it, with its line
    return None


class _Walk:
    """Where the event stream is: the key or index of each open list and group."""

    def __init__(self) -> None:
        self.path: list[str | int] = []
        self.maps: list[bool] = []  # per open list or group: whether it is a group
        self.keys: list[bool] = []  # per open one: whether its next node is a key

    def at_key(self) -> bool:
        return bool(self.keys) and self.keys[-1]

    def node(self, value: str) -> None:
        """A scalar (or a whole list or group) has filled the current slot."""
        if not self.path:
            return
        if not self.maps[-1]:
            self.path[-1] = int(self.path[-1]) + 1
        elif self.keys[-1]:
            self.path[-1] = value
            self.keys[-1] = False
        else:
            self.keys[-1] = True

    def open(self, mapping: bool) -> None:
        self.path.append("" if mapping else 0)
        self.maps.append(mapping)
        self.keys.append(mapping)

    def close(self) -> None:
        self.path.pop()
        self.maps.pop()
        self.keys.pop()
        self.node("")

    def problem(self, name: str, line: int, message: str) -> Problem:
        shown = [str(p) for p in self.path if p != ""]
        return Problem(name, line, ".".join(shown), message)


def _line(event: yaml.Event) -> int:
    return event.start_mark.line if event.start_mark is not None else 0
