"""The check cache's entries as JSON: plain data, never code.

A pickle in `.cache/` would run whatever a crafted file asks when read. This format can only
make the few types an entry is built of, each checked against its type hints while it is
read; anything else (a damaged file, an unknown tag, a wrong type) raises `BadEntry`, and the
file is checked again.

Values that JSON lacks are tagged objects, {"$": tag, "v": value}: tuples, dates, paths,
dicts whose keys are not all strings, the case model, and the dataclasses below.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import functools
import json
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from casebook.sources.loader import Document, LineMap
from casebook.sources.model import Case, CaseFrontMatter, Section
from casebook.sources.problems import Problem, Severity
from casebook.sources.questions import Question

TAG = "$"


class BadEntry(Exception):
    """Not an entry this version wrote."""


# The dataclasses an entry is built of, by name; `casebook.check.checkcache` adds its Entry.
DATACLASSES: dict[str, type] = {
    cls.__name__: cls for cls in (Case, Section, Problem, Document, LineMap)
}


def register(cls: type) -> type:
    """A class decorator: values of this dataclass may be written and read."""
    DATACLASSES[cls.__name__] = cls
    return cls


MODELS: dict[str, type[BaseModel]] = {"CaseFrontMatter": CaseFrontMatter}


# Writing ------------------------------------------------------------------------------------


def _tagged(tag: str, value: Any) -> dict[str, Any]:
    return {TAG: tag, "v": value}


def _plain(value: Any) -> Any:
    """`value` as JSON data (tags for what JSON lacks)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Question):  # a str with a prompt
        return _tagged("Question", [str(value), value.prompt])
    if isinstance(value, Severity):
        return _tagged("Severity", value.value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, tuple):
        return _tagged("tuple", [_plain(item) for item in value])
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value) and TAG not in value:
            return {key: _plain(item) for key, item in value.items()}
        return _tagged("map", [[_plain(k), _plain(v)] for k, v in value.items()])
    if isinstance(value, dt.datetime):
        return _tagged("datetime", value.isoformat())
    if isinstance(value, dt.date):
        return _tagged("date", value.isoformat())
    if isinstance(value, bytes):
        return _tagged("bytes", base64.b64encode(value).decode("ascii"))
    if isinstance(value, set | frozenset):
        return _tagged("set", [_plain(item) for item in value])
    if isinstance(value, Path):
        return _tagged("path", str(value))
    if isinstance(value, BaseModel) and type(value).__name__ in MODELS:
        # As JSON text, read back by pydantic's own parser: a tenth of the time of the hook.
        return _tagged(type(value).__name__, value.model_dump_json())
    if dataclasses.is_dataclass(value) and type(value).__name__ in DATACLASSES:
        fields = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return _tagged(type(value).__name__, fields)
    raise TypeError(f"the check cache cannot hold a {type(value).__name__}")


def encode(value: Any) -> str:
    return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"))


# Reading ------------------------------------------------------------------------------------


Check = Callable[[Any], bool]


@functools.cache
def _checker(hint: Any) -> Check:
    """A test of whether a value is of the type `hint` (the hints of the dataclasses above),
    made once per hint: entries are read by the thousand."""
    if hint is Any:
        return lambda value: True
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        options = [_checker(arg) for arg in args]
        return lambda value: any(check(value) for check in options)
    if origin is list:
        item = _checker(args[0])
        return lambda value: isinstance(value, list) and all(map(item, value))
    if origin is tuple:
        item = _checker(args[0])
        return lambda value: isinstance(value, tuple) and all(map(item, value))
    if origin is dict:
        key, item = _checker(args[0]), _checker(args[1])
        return lambda value: (
            isinstance(value, dict) and all(map(key, value)) and all(map(item, value.values()))
        )
    if hint is type(None):
        return lambda value: value is None
    if hint is int:
        return lambda value: isinstance(value, int) and not isinstance(value, bool)
    return lambda value: isinstance(value, hint)


@functools.cache
def _fields(cls: type) -> tuple[frozenset[str], dict[str, Check]]:
    hints = typing.get_type_hints(cls)
    names = frozenset(f.name for f in dataclasses.fields(cls) if f.init)
    return names, {name: _checker(hints[name]) for name in names}


def _build(cls: type, fields: Any) -> Any:
    names, checks = _fields(cls)
    if not isinstance(fields, dict) or fields.keys() != names:
        raise BadEntry(f"{cls.__name__}: unexpected fields")
    for name, value in fields.items():
        if not checks[name](value):
            raise BadEntry(f"{cls.__name__}.{name}: not of its type")
    return cls(**fields)


def _revive(obj: dict[str, Any]) -> Any:
    """json's object hook: a tagged object as its value; a plain one as it is."""
    if TAG not in obj:
        return obj
    tag, value = obj.get(TAG), obj.get("v")
    if len(obj) != 2 or not isinstance(tag, str):
        raise BadEntry("a malformed tag")
    try:
        return _revive_tagged(tag, value)
    except (TypeError, ValueError, KeyError, ValidationError) as exc:
        raise BadEntry(f"{tag}: {exc}") from exc


def _revive_tagged(tag: str, value: Any) -> Any:
    simple: dict[str, Any] = {
        "tuple": lambda v: tuple(v),
        "date": dt.date.fromisoformat,
        "datetime": dt.datetime.fromisoformat,
        "path": Path,
        "Severity": Severity,
        "bytes": lambda v: base64.b64decode(v, validate=True),
        "set": lambda v: set(v),
        "map": lambda v: {key: item for key, item in v},
    }
    if tag == "Question":
        text, prompt = value
        if not isinstance(text, str) or not isinstance(prompt, str | None):
            raise BadEntry("Question: not text")
        return Question(text, prompt)
    if tag in simple:
        if tag in ("tuple", "set", "map") and not isinstance(value, list):
            raise BadEntry(f"{tag}: not a list")
        return simple[tag](value)
    if tag in MODELS:
        if not isinstance(value, str):
            raise BadEntry(f"{tag}: not JSON text")
        return MODELS[tag].model_validate_json(value)
    if tag in DATACLASSES:
        return _build(DATACLASSES[tag], value)
    raise BadEntry(f"unknown tag {tag!r}")


def decode(text: str, expected: type) -> Any:
    """The value `text` holds, which must be an `expected`; BadEntry otherwise."""
    try:
        value = json.loads(text, object_hook=_revive)
    except (ValueError, RecursionError, TypeError) as exc:
        raise BadEntry(str(exc)) from exc
    if not isinstance(value, expected):
        raise BadEntry(f"not a {expected.__name__}")
    return value
