"""Where a Casebook project keeps its sources and its outputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

LAYOUT = {
    "cases_dir": "case_studies",
    "questions_dir": "reflective_questions",
    "vocabularies_dir": "vocabularies",
    "docs_dir": "docs",
    "overrides_dir": "overrides",
    "generated_dir": "build/docs",  # guidance pages plus every generated page
    "site_dir": "site",
    "offline_dir": "site/offline",  # `build --zim`: each edition as a file for Kiwix readers
    "cache_dir": ".cache/casebook",
    "mkdocs_yml": "mkdocs.yml",
}


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> Project:
        """The nearest folder, from `start` upwards, that holds `case_studies/` or `mkdocs.yml`."""
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / "case_studies").is_dir() and (folder / "mkdocs.yml").is_file():
                return cls(folder)
        return cls(here)

    def __post_init__(self) -> None:
        # Plain attributes, not properties: each is read thousands of times in a build.
        for name, relative in LAYOUT.items():
            object.__setattr__(self, name, self.root / relative)

    # Where each kind of file lives, from the project's root (see LAYOUT).
    cases_dir: Path = field(init=False, repr=False, compare=False)
    questions_dir: Path = field(init=False, repr=False, compare=False)
    vocabularies_dir: Path = field(init=False, repr=False, compare=False)
    docs_dir: Path = field(init=False, repr=False, compare=False)  # hand-written guidance
    overrides_dir: Path = field(init=False, repr=False, compare=False)
    generated_dir: Path = field(init=False, repr=False, compare=False)  # the builder's input
    site_dir: Path = field(init=False, repr=False, compare=False)
    offline_dir: Path = field(init=False, repr=False, compare=False)
    cache_dir: Path = field(init=False, repr=False, compare=False)
    mkdocs_yml: Path = field(init=False, repr=False, compare=False)

    def case_files(self) -> list[Path]:
        return sorted(self.cases_dir.glob("*.md"))
