"""Where a Casebook project keeps its sources and its outputs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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

    @property
    def cases_dir(self) -> Path:
        return self.root / "case_studies"

    @property
    def questions_dir(self) -> Path:
        return self.root / "reflective_questions"

    @property
    def vocabularies_dir(self) -> Path:
        return self.root / "vocabularies"

    @property
    def docs_dir(self) -> Path:
        """Hand-written guidance pages."""
        return self.root / "docs"

    @property
    def overrides_dir(self) -> Path:
        return self.root / "overrides"

    @property
    def generated_dir(self) -> Path:
        """The builder's input: guidance pages plus every generated page."""
        return self.root / "build" / "docs"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".cache" / "casebook"

    @property
    def mkdocs_yml(self) -> Path:
        return self.root / "mkdocs.yml"

    def case_files(self) -> list[Path]:
        return sorted(self.cases_dir.glob("*.md"))
