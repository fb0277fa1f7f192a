"""Reading source files: text, YAML front matter and the line of every key.

Nothing here raises on bad input. A file that cannot be read becomes a Problem, so that
`casebook check` can report every file in one run.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from casebook.sources.characters import refused_characters
from casebook.sources.limits import (
    MAX_LINE_CHARS,
    MAX_MARKDOWN_BYTES,
    MAX_TEXT_CHARS,
    MAX_YAML_BYTES,
)
from casebook.sources.problems import Problem
from casebook.sources.textguard import aliases_or_depth, first_long_line, may_nest_deep, too_large
from casebook.sources.yamlerrors import yaml_problem

try:  # libyaml is several times faster; fall back to pure Python where it is missing
    _Base: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader

_TEXT_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


# First character -> the implicit resolvers to try, wildcards included, as PyYAML tries them.
_WILDCARD: list[tuple[str, re.Pattern[str]]] = _Base.yaml_implicit_resolvers.get(None, [])
_IMPLICIT: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {
    key: resolvers + _WILDCARD for key, resolvers in _Base.yaml_implicit_resolvers.items()
}


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader, with a quicker tag resolver (it runs once for every value)."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        # BaseResolver.resolve without its per-call list concatenation; path resolvers
        # (never registered on the safe loader) take the original route.
        if kind is not yaml.ScalarNode or self.yaml_path_resolvers:
            return str(super().resolve(kind, value, implicit))
        if implicit[0]:
            for tag, regexp in _IMPLICIT.get(value[:1], _WILDCARD):
                if regexp.match(value):
                    return tag
        return _TEXT_TAG


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
    # Problems found while reading that do not stop the rest of the file being checked.
    problems: list[Problem] = field(default_factory=list)


class LoadError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def read_text(path: Path, name: str) -> str:
    """Decode a file as UTF-8, accepting a byte-order mark and CRLF line endings.

    A file over its size limit, with a line over the line limit, or with an invisible
    character a word processor pastes (casebook.sources.characters) is refused
    (casebook.sources.limits): it is never read whole into memory, nor handed to the rules.
    """
    limit = MAX_MARKDOWN_BYTES if path.suffix == ".md" else MAX_YAML_BYTES
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise LoadError(Problem(name, 1, "", f"cannot read the file: {exc.strerror}")) from exc
    if len(raw) > limit:
        raise LoadError(too_large(name, limit))
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
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_LINE_CHARS:
        long_line = first_long_line(text, name)
        if long_line is not None:
            raise LoadError(long_line)
    invisible = refused_characters(text, name)
    if invisible is not None:
        raise LoadError(invisible)
    return text


def parse_yaml(
    text: str, name: str, first_line: int = 1, duplicates: list[Problem] | None = None
) -> tuple[Any, LineMap]:
    """Parse YAML and record the line of each key; `first_line` is the file line of `text`.

    A key written twice raises LoadError, unless `duplicates` is given: then every repeated
    key is added to it and the last value is kept, so the rest of the file can be checked.
    """
    lines = LineMap(start=first_line)
    if "&" in text or may_nest_deep(text):
        refused = aliases_or_depth(text, name, first_line)
        if refused is not None:
            raise LoadError(refused)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise LoadError(yaml_problem(exc, text, name, first_line)) from exc
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        raise LoadError(Problem(name, first_line, "", f"the YAML cannot be read: {exc}")) from exc
    if node is None:
        return None, lines
    found: list[Problem] = []
    try:
        data = _Builder(lines, first_line, name, found).build(node, ())
        quick = True
    except _Unusual:  # tags or keys the quick route leaves to PyYAML's constructor
        lines, found, quick = LineMap(start=first_line), [], False
        _record(node, (), lines, first_line, name, found, set())
    if duplicates is None and found:
        raise LoadError(found[0])
    if duplicates is not None:
        duplicates.extend(found)
    if quick:
        return data, lines
    constructor = _Loader("")
    try:
        _keep_as_text(node, constructor)
        data = constructor.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        problem = exc.problem or "invalid YAML"
        raise LoadError(
            Problem(
                name,
                line,
                "",
                f"the YAML cannot be read ({problem}); write plain 'field: value' lines, "
                "without '!' tags or '?' keys",
            )
        ) from exc
    return data, lines


def _too_long(node: yaml.Node, name: str, first: int, loc: Loc) -> LoadError:
    return LoadError(
        Problem(
            name,
            first + node.start_mark.line,
            ".".join(map(str, loc)),
            f"the text has {len(node.value):,} characters, more than the limit of "
            f"{MAX_TEXT_CHARS:,}; shorten it",
        )
    )


class _Unusual(Exception):
    """A node the quick route does not build: PyYAML's constructor builds the document."""


# Scalars the quick route builds, with PyYAML's own functions; text needs none.
_SCALARS = {
    tag: _Base.yaml_constructors[tag]
    for tag in (
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:timestamp",
    )
}
_SCALAR_MAKER = yaml.constructor.SafeConstructor()


class _Builder:
    """Builds the data and the line map in one walk of the node tree.

    It gives exactly what `_record`, `_keep_as_text` and `construct_document` give together
    (the same data, lines, duplicate keys and refused aliases, in the same order), for
    documents of plain maps, lists and scalars. Anything else raises _Unusual.
    """

    def __init__(self, lines: LineMap, first: int, name: str, dupes: list[Problem]) -> None:
        self.lines = lines.lines
        self.map = lines
        self.first = first
        self.name = name
        self.dupes = dupes
        self.visited: set[int] = set()

    def scalar(self, node: yaml.Node, loc: Loc = ()) -> Any:
        tag = node.tag
        if tag == _TEXT_TAG:
            if len(node.value) > MAX_TEXT_CHARS:
                raise _too_long(node, self.name, self.first, loc)
            return node.value
        make = _SCALARS.get(tag)
        if make is None:
            raise _Unusual
        try:
            return make(_SCALAR_MAKER, node)
        except (ValueError, TypeError, OverflowError):
            return node.value  # kept as text, as `_keep_as_text` does
        except Exception as exc:  # whatever PyYAML does with it, it does on the slow route
            raise _Unusual from exc

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        kind = type(node)
        if kind is yaml.ScalarNode:
            return self.scalar(node, loc)
        if id(node) in self.visited:
            self.refuse_alias(loc)
        self.visited.add(id(node))
        first, lines = self.first, self.lines
        if kind is yaml.MappingNode and node.tag == _MAP_TAG:
            data: dict[Any, Any] = {}
            seen: set[str] = set()
            for key_node, value_node in node.value:
                if type(key_node) is not yaml.ScalarNode:
                    raise _Unusual
                key = str(key_node.value)
                here = (*loc, key)
                line = first + key_node.start_mark.line
                if key in seen:
                    self.dupes.append(
                        Problem(
                            self.name,
                            line,
                            ".".join(map(str, here)),
                            f"'{key}' is written twice; keep one and delete the other",
                        )
                    )
                seen.add(key)
                lines[here] = line
                # Keys first: the merge ('<<') and value ('=') keys are not plain scalars.
                made = self.scalar(key_node)
                data[made] = self.build(value_node, here)
            return data
        if kind is yaml.SequenceNode and node.tag == _SEQ_TAG:
            items: list[Any] = []
            for index, item in enumerate(node.value):
                here = (*loc, index)
                lines[here] = first + item.start_mark.line
                items.append(self.build(item, here))
            return items
        raise _Unusual

    def refuse_alias(self, loc: Loc) -> None:
        raise LoadError(
            Problem(
                self.name,
                self.map.line(loc),
                ".".join(map(str, loc)),
                "a YAML alias ('*name') is not supported here; write the value out in full",
            )
        )


def _record(
    node: yaml.Node,
    loc: Loc,
    lines: LineMap,
    first: int,
    name: str,
    dupes: list[Problem],
    visited: set[int],
) -> None:
    # A node met twice is a YAML alias (*name). Aliases can make a value contain itself or
    # grow exponentially, which would hang every later step, so they are refused.
    if isinstance(node, yaml.ScalarNode) and len(node.value) > MAX_TEXT_CHARS:
        raise _too_long(node, name, first, loc)
    if isinstance(node, yaml.CollectionNode):
        if id(node) in visited:
            raise LoadError(
                Problem(
                    name,
                    lines.line(loc),
                    ".".join(map(str, loc)),
                    "a YAML alias ('*name') is not supported here; write the value out in full",
                )
            )
        visited.add(id(node))
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
            _record(value_node, (*loc, key), lines, first, name, dupes, visited)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.lines[(*loc, index)] = first + item.start_mark.line
            _record(item, (*loc, index), lines, first, name, dupes, visited)


def _keep_as_text(node: yaml.Node, constructor: yaml.SafeLoader) -> None:
    """Turn scalars YAML cannot build (a date 2026-13-45, `!!int abc`) back into text.

    PyYAML raises a bare ValueError for these, with no line. As text they reach the model,
    which reports them against their field and line ("'2026-13-45' is not a date").
    """
    if isinstance(node, yaml.ScalarNode):
        if node.tag != _TEXT_TAG:
            try:
                constructor.construct_object(node)
            except (ValueError, TypeError, OverflowError):
                constructor.recursive_objects.pop(node, None)  # left behind by the failure
                node.tag = _TEXT_TAG
    elif isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            _keep_as_text(key_node, constructor)
            _keep_as_text(value_node, constructor)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _keep_as_text(item, constructor)


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
    duplicates: list[Problem] = []
    data, line_map = parse_yaml("\n".join(lines[1:end]), name, 2, duplicates)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        got = "a list" if isinstance(data, list) else "a single value"
        raise LoadError(
            Problem(
                name,
                2,
                "",
                f"the front matter must be 'field: value' lines, one per line, but it is {got}",
            )
        )
    # A field that is missing has no line of its own: it is reported on the front matter's
    # first field, not on a comment such as '# yaml-language-server: ...' above it.
    top = [line for loc, line in line_map.lines.items() if len(loc) == 1]
    line_map.start = min(top) if top else 1
    body = "\n".join(lines[end + 1 :])
    return Document(path, name, data, line_map, body, end + 2, duplicates)


def read_yaml_file(path: Path, name: str) -> Document:
    text = read_text(path, name)
    data, line_map = _parsed(text, name)
    # Copies: a caller may change what it was given, never what the next one gets.
    return Document(path, name, _copy(data), LineMap(dict(line_map.lines), line_map.start))


@functools.lru_cache(maxsize=256)
def _parsed(text: str, name: str) -> tuple[Any, LineMap]:
    """`parse_yaml`, once per text in a process: the preview checks the project again on
    every save, and 40 unchanged YAML files were most of a check's time."""
    return parse_yaml(text, name)


def _copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _copy(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_copy(value) for value in data]
    return data  # str, int, float, bool, None, date: not changed in place


# Every text value of YAML data, with where it is: (location, text).
Strings = list[tuple[tuple[str | int, ...], str]]


def strings_in(data: Any) -> Strings:
    """Every text value in YAML data, with its location, in document order."""
    found: Strings = []
    _collect_strings(data, (), found)
    return found


def _collect_strings(data: Any, loc: tuple[str | int, ...], found: Strings) -> None:
    # Appending to one list, not nested generators: this runs for every value of every file.
    if isinstance(data, dict):
        for key, value in data.items():
            _collect_strings(value, (*loc, str(key)), found)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            _collect_strings(value, (*loc, index), found)
    elif isinstance(data, str):
        found.append((loc, data))
