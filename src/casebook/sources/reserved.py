"""Case ids the site's own pages use (data/reserved_ids.yml), and the editions' codes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field

from casebook.sources.problems import Problem, display_path
from casebook.sources.vocabularies import SLUG_PATTERN
from casebook.sources.yamlmodel import read_model

RESERVED_FILE = Path("data") / "reserved_ids.yml"
M = TypeVar("M", bound=BaseModel)


class ReservedId(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=SLUG_PATTERN)
    why: str = Field(min_length=1)


class ReservedFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[ReservedId]


def with_editions(
    root: Path,
    file: Path,
    model: type[M],
    entries: Callable[[M], Iterable[tuple[str, str]]],
    editions: list[str],
) -> tuple[dict[str, str], list[Problem]]:
    """Name -> why, from a data file of names the site uses, with each edition's code."""
    taken = {code: f"/{code}/ is the site's edition in that language" for code in editions}
    path = root / file
    if not path.is_file():
        return taken, []
    loaded, problems = read_model(path, display_path(path, root), model)
    if loaded is not None:
        taken.update(entries(loaded.value))
    return taken, problems


def load_reserved(root: Path, editions: list[str]) -> tuple[dict[str, str], list[Problem]]:
    """Reserved id -> why, with each edition's code."""
    return with_editions(
        root, RESERVED_FILE, ReservedFile, lambda f: ((e.id, e.why) for e in f.ids), editions
    )


def refusal(case_id: str, reserved: dict[str, str]) -> str:
    """Why `case_id` cannot be a case's id, as the check and `casebook new` both say it."""
    return f"'{case_id}' cannot be a case id: {reserved[case_id]}"
