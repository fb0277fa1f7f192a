"""Reading source files: text, YAML front matter and the line of every key.

Nothing here raises on bad input. A file that cannot be read becomes a Problem, so that
`casebook check` can report every file in one run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from casebook.problems import Problem

try:  # libyaml is several times faster; fall back to pure Python where it is missing
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

Loc = tuple[str | int, ...]


@dataclass
class LineMap:
    """The line (1-based, in the file) of every key and list item in a YAML document."""

    lines: dict[Loc, int] = field(default_factory=dict)
    start: int = 1

    def line(self, loc: Loc) -> int:
        """The line of `loc`, or of its nearest ancestor when `loc` itself is absent."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.start


@dataclass
class Document:
    """A source file split into its YAML data and its Markdown body."""

    path: Path
    name: str  # the path as shown in messages
    data: Any
    lines: LineMap
    body: str = ""
    body_line: int = 1  # the file line on which the body starts


class LoadError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def read_text(path: Path, name: str) -> str:
    """Decode a file as UTF-8, accepting a byte-order mark and CRLF line endings."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LoadError(Problem(name, 1, "", f"cannot read the file: {exc.strerror}")) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise LoadError(
            Problem(
                name,
                line,
                "",
                f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); "
                "save it with UTF-8 encoding in your editor",
            )
        ) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_yaml(text: str, name: str, first_line: int = 1) -> tuple[Any, LineMap]:
    """Parse YAML and record the line of each key; `first_line` is the file line of `text`."""
    lines = LineMap(start=first_line)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        raise LoadError(Problem(name, line, "", _yaml_message(exc))) from exc
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        raise LoadError(Problem(name, first_line, "", f"the YAML cannot be read: {exc}")) from exc
    if node is None:
        return None, lines
    duplicates: list[Problem] = []
    _record(node, (), lines, first_line, name, duplicates)
    if duplicates:
        raise LoadError(duplicates[0])
    try:
        data = _Loader("").construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + (mark.line if mark else 0)
        raise LoadError(Problem(name, line, "", f"the YAML cannot be read: {exc}")) from exc
    return data, lines


def _record(
    node: yaml.Node, loc: Loc, lines: LineMap, first: int, name: str, dupes: list[Problem]
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = first + key_node.start_mark.line
            if key in seen:
                dupes.append(
                    Problem(
                        name,
                        line,
                        ".".join(map(str, (*loc, key))),
                        f"'{key}' is written twice; keep one and delete the other",
                    )
                )
            seen.add(key)
            lines.lines[(*loc, key)] = line
            _record(value_node, (*loc, key), lines, first, name, dupes)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.lines[(*loc, index)] = first + item.start_mark.line
            _record(item, (*loc, index), lines, first, name, dupes)


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or "invalid YAML"
    if "\\t" in problem or "tab" in problem:
        return "a tab character is used for indentation; YAML needs spaces, so replace each tab with two spaces"
    context = f" {exc.context}" if exc.context else ""
    hint = (
        "check the indentation and that a value containing ': ' or starting with a quote, "
        "'*', '&', '[' or '{' is wrapped in double quotes"
    )
    return f"the YAML cannot be read ({problem}{context}); {hint}"


def read_front_matter(path: Path, name: str) -> Document:
    """Split a Markdown file into front matter and body."""
    text = read_text(path, name)
    if not text.strip():
        raise LoadError(
            Problem(
                name,
                1,
                "",
                "the file is empty; start it with a front matter block between '---' lines",
            )
        )
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        raise LoadError(
            Problem(
                name,
                1,
                "",
                "the file has no front matter; its first line must be '---', followed by the "
                "case's fields and another '---' line",
            )
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            end = index
            break
    else:
        raise LoadError(
            Problem(
                name,
                1,
                "",
                "the front matter is never closed; add a line '---' after the last field",
            )
        )
    data, line_map = parse_yaml("\n".join(lines[1:end]), name, first_line=2)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise LoadError(
            Problem(name, 2, "", "the front matter must be a list of 'field: value' lines")
        )
    return Document(path, name, data, line_map, "\n".join(lines[end + 1 :]), end + 2)


def read_yaml_file(path: Path, name: str) -> Document:
    text = read_text(path, name)
    data, line_map = parse_yaml(text, name)
    return Document(path, name, data, line_map)
