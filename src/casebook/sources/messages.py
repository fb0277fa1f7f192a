"""Editor-friendly wording for pydantic's validation errors: what is wrong, what to write."""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from casebook.sources.dates import date_advice
from casebook.sources.loader import Document
from casebook.sources.problems import Problem


def explain(
    error: ErrorDetails, document: Document, model: type[BaseModel] | None = None
) -> Problem:
    loc = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    dotted = ".".join(str(part) for part in loc)
    line = document.lines.line(loc)
    slip = indentation_slip(loc, document, model) if kind == "extra_forbidden" else None
    if kind == "missing":
        message = f"is required but missing; add '{loc[-1]}:'{described(model, loc)}"
        message += _fields_under(model, loc)
    elif slip is not None:
        key = loc[-1]
        message = (
            f"is not a field at the top level; did you mean to indent `{key}:` under "
            f"`{slip}:`? It is an indentation slip: start the line with the same spaces as "
            f"the other fields under '{slip}:'"
        )
    elif kind == "extra_forbidden":
        message = _unknown_key(loc, model)
    elif kind in ("list_type", "tuple_type"):
        message = f"expected a list, got {_shown(value)}; write [a, b] or one item per line starting with '- '"
    elif kind in ("string_type", "str_type"):
        message = f"expected text, got {_shown(value)}; write plain text (wrap it in double quotes if it has ': ')"
    elif (kind == "model_type" or kind == "dict_type") and not loc:
        message = f"the file must be 'field: value' lines, one per line, but it is {_shown(value)}"
    elif kind == "model_type" or kind == "dict_type":
        message = f"expected a group of 'field: value' lines, got {_shown(value)}; indent the fields under '{loc[-1]}:'"
    elif kind in ("int_parsing", "int_type", "int_from_float"):
        message = f"expected a whole number such as a year, got {_shown(value)}; write e.g. 2021"
    elif kind in ("greater_than_equal", "less_than_equal"):
        message = f"{_shown(value)} is out of range; write a year between 1900 and 2100"
    elif kind == "string_pattern_mismatch":
        suggestion = _slugify(value)
        message = (
            f"{_shown(value)} is not a valid id; use lowercase letters, digits and hyphens"
            + (f", e.g. '{suggestion}'" if suggestion else "")
        )
    elif kind == "string_too_short":
        message = "is empty; write some text or delete the line"
    elif kind == "too_short":
        message = "is empty; list at least one item, one per line starting with '- '"
    elif kind.startswith("url_") or kind == "url_parsing":
        message = f"{_shown(value)} is not a web address; write a full URL starting with https://"
    elif kind in (
        "date_from_datetime_parsing",
        "date_parsing",
        "date_type",
        "date_from_datetime_inexact",
    ):
        message = _date_message(value)
    elif kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        message = f"{_shown(value)} is not allowed; write one of {expected}"
    elif kind == "bool_type" or kind == "bool_parsing":
        message = f"expected true or false, got {_shown(value)}"
    elif kind == "value_error":
        message = str(error.get("ctx", {}).get("error", error["msg"]))
    else:
        message = error["msg"]
    return Problem(document.name, line, dotted, message)


def _date_message(value: Any) -> str:
    """A full date (YYYY-MM-DD) that is not one: what is wrong and, if known, what to write."""
    if isinstance(value, dt.datetime):
        return f"'{value}' has a time of day; write the day only: {value.date().isoformat()}"
    if isinstance(value, str | int) and not isinstance(value, bool):
        return date_advice(str(value)[:60], partial=False)
    return f"{_shown(value)} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-22"


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a group of fields"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = str(value)
    return f"'{text[:60]}…'" if len(text) > 60 else f"'{text}'"


def _slugify(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    out = "".join(c if c.isalnum() else "-" for c in value.strip().lower())
    return "-".join(part for part in out.split("-") if part)


def _model_at(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model that holds the last part of `loc`, following nested models and lists."""
    current = model
    for part in loc[:-1]:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        info = current.model_fields.get(str(part))
        if info is None:
            return None
        current = inner_model(info.annotation)
    return current


def inner_model(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation (through Optional and list), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = inner_model(arg)
        if found is not None:
            return found
    return None


def described(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> str:
    holder = _model_at(model, loc)
    if holder is None or not loc:
        return ""
    info = holder.model_fields.get(str(loc[-1]))
    return f" ({info.description})" if info is not None and info.description else ""


def _fields_under(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> str:
    """For a missing group of fields: the fields to write, indented, under its key."""
    holder = _model_at(model, loc)
    info = holder.model_fields.get(str(loc[-1])) if holder is not None and loc else None
    if info is None:
        return ""
    inner = inner_model(info.annotation)
    if inner is None:
        return ""
    required = [name for name, field in inner.model_fields.items() if field.is_required()]
    listed = ", ".join(f"'{name}:'" for name in required)
    many = "a list of items ('- ' lines), each with " if _is_list(info.annotation) else ""
    return f", then {many}{listed} indented under it" if required else ""


def _is_list(annotation: Any) -> bool:
    return getattr(annotation, "__origin__", None) is list


def indentation_slip(
    loc: tuple[Any, ...], document: Document, model: type[BaseModel] | None
) -> str | None:
    """The block a top-level key that the model does not know belongs in, if any.

    `kind:` written at the start of the line after `organisation:`'s fields is read as a
    top-level field; it is named as an indentation slip rather than an unknown field.
    """
    if model is None or len(loc) != 1 or str(loc[0]) in model.model_fields:
        return None
    key = str(loc[0])
    blocks = [
        parent
        for parent, info in model.model_fields.items()
        if (inner := inner_model(info.annotation)) is not None and key in inner.model_fields
    ]
    if not blocks:
        return None
    at = document.lines.lines.get((key,), 0)
    above = [(document.lines.lines.get((b,), 0), b) for b in blocks]
    above = [(line, block) for line, block in above if 0 < line < at]
    # The nearest block above the key is the one it slipped out of.
    return max(above)[1] if above else blocks[0]


def _unknown_key(loc: tuple[Any, ...], model: type[BaseModel] | None) -> str:
    key = str(loc[-1]) if loc else ""
    holder = _model_at(model, loc)
    known = list(holder.model_fields) if holder is not None else []
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"unknown field '{key}'; did you mean '{close[0]}'?"
    if known:
        return f"unknown field '{key}'; the fields allowed here are: {', '.join(known)}"
    return f"unknown field '{key}'; delete it"
