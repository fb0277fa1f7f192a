"""What planning an edition is made of: an output (its key and its maker), and the context
every family of outputs reads (`casebook.pipeline.families`).

In the spirit of Sphinx's `note_dependency` and Nikola's tasks, a family says where it
makes its files which inputs each one is made from, as the output's key: `PlanContext.key`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from casebook.pages.render import Renderer, relative
from casebook.sources.digests import Digests, sha
from casebook.sources.model import Case
from casebook.sources.project import Project

Make = Callable[[], bytes | Path]


@dataclass
class Output:
    """One file of an edition's docs folder: the key of its inputs, and how to make it."""

    key: str
    make: Make


@dataclass
class PlanContext:
    """What every family of one edition reads. Every key it makes includes the environment
    (code, templates, strings, vocabularies, data, configuration), which changes them all."""

    project: Project
    renderer: Renderer
    environment: str
    current: dict[str, str]  # docs path -> key of what the docs folder holds now
    pdfs: dict[str, Path] = field(default_factory=dict)  # docs path -> cached PDF
    digests: Digests = field(default_factory=Digests)

    def key(self, family: str, *inputs: str) -> str:
        """The key of an output of `family` made from `inputs` (digests, names, flags)."""
        return sha(self.environment, family, *inputs)

    @functools.cached_property
    def listing(self) -> str:
        """Every case's front matter: what listings, browse pages, open data and indexes
        are made from."""
        return self.key("listing", *(self.digests.meta(c) for c in self.renderer.cases))

    def meta(self, case: Case) -> str:
        """A case's front matter only: what its card and its files show."""
        return self.digests.meta(case)

    def full(self, case: Case) -> str:
        """A case whole: front matter, body and questions (and its original's)."""
        return self.digests.full(case)


Family = Callable[[PlanContext], dict[str, Output]]


def file_digest(cached: Path) -> str:
    """A cached file (a PDF) is named by the hash of what it was made from; its size tells
    a file made again (after damage) from the one the docs folder holds."""
    return sha("pdf", cached.name, str(cached.stat().st_size))


class Batch:
    """Files that are made together, once, when the first of them is needed."""

    def __init__(self, make: Callable[[], Iterable[tuple[str, str | bytes]]]) -> None:
        self._make = make
        self._made: dict[str, bytes] = {}

    def file(self, path: str) -> bytes:
        if not self._made:
            self._made = {
                p: d.encode("utf-8") if isinstance(d, str) else d for p, d in self._make()
            }
        return self._made[path]

    def maker(self, path: str) -> Make:
        return functools.partial(self.file, path)


def encoded(make: Callable[[], str]) -> Make:
    return lambda: make().encode("utf-8")


def constant(data: bytes | Path) -> Make:
    return lambda: data


def link_from(url: str) -> Callable[[str], str]:
    return functools.partial(relative, url)
