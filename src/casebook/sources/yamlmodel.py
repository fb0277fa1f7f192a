"""Reading a YAML data file into a pydantic model, with its problems reported, never raised.

Not in `casebook.sources.loader`: the problems for a model's errors are worded by
`casebook.sources.messages`, which itself reads documents through the loader.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from casebook.sources.loader import Document, LoadError, read_yaml_file
from casebook.sources.messages import explain
from casebook.sources.problems import Problem

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Validated(Generic[M]):
    """A YAML file as read (for the line of each key) and its data as the model holds it."""

    document: Document
    value: M


def read_model(path: Path, name: str, model: type[M]) -> tuple[Validated[M] | None, list[Problem]]:
    """Read `path` (shown as `name`) and validate its data with `model`.

    Gives the file and its value with no problems, or None with the problems that stopped
    it: the one that kept the YAML from being read, or one for each error of the model.
    """
    try:
        document = read_yaml_file(path, name)
    except LoadError as exc:
        return None, [exc.problem]
    try:
        value = model.model_validate(document.data)
    except ValidationError as exc:
        return None, [explain(error, document, model) for error in exc.errors()]
    return Validated(document, value), []
