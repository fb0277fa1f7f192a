"""Names at the top of docs/ that the site's own addresses use (data/site_paths.yml, and the
editions' codes): a guidance page there would be replaced by the web editor, the search
index or another edition, or replace it, without a word."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from casebook.sources.problems import Problem, display_path
from casebook.sources.reserved import with_editions

SITE_PATHS_FILE = Path("data") / "site_paths.yml"


class SitePath(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    why: str = Field(min_length=1)


class SitePathsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    paths: list[SitePath]


def taken_names(root: Path, editions: list[str]) -> tuple[dict[str, str], list[Problem]]:
    """Name -> why, with each edition's code (the original's is the site's root, so not)."""
    return with_editions(
        root, SITE_PATHS_FILE, SitePathsFile, lambda f: ((e.name, e.why) for e in f.paths), editions
    )


def clashing_docs(root: Path, docs: Path, editions: list[str]) -> list[Problem]:
    """A problem for each page or folder at the top of docs/ whose address the site uses."""
    taken, problems = taken_names(root, editions)
    if not docs.is_dir():
        return problems
    for entry in sorted(docs.iterdir()):
        name = entry.stem if entry.is_file() and entry.suffix == ".md" else entry.name
        if name in taken:
            problems.append(
                Problem(
                    display_path(entry, root),
                    1,
                    "",
                    f"'{name}' is an address the site itself uses ({taken[name]}), so this "
                    f"would be lost or hide it; rename it, e.g. '{name}-guide'",
                )
            )
    return problems
