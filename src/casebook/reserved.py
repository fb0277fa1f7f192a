"""Case ids the site's own pages use (data/reserved_ids.yml), and the editions' codes."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from casebook.problems import Problem, display_path
from casebook.vocabularies import SLUG_PATTERN
from casebook.yamlmodel import read_model

RESERVED_FILE = Path("data") / "reserved_ids.yml"


class ReservedId(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=SLUG_PATTERN)
    why: str = Field(min_length=1)


class ReservedFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[ReservedId]


def load_reserved(root: Path, editions: list[str]) -> tuple[dict[str, str], list[Problem]]:
    """Reserved id -> why, with each edition's code."""
    reserved = {code: f"/{code}/ is the site's edition in that language" for code in editions}
    path = root / RESERVED_FILE
    if not path.is_file():
        return reserved, []
    loaded, problems = read_model(path, display_path(path, root), ReservedFile)
    if loaded is not None:
        reserved.update((entry.id, entry.why) for entry in loaded.value.ids)
    return reserved, problems
