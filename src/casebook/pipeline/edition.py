"""One edition's plan: what was generated, what is outdated, and how its builder runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from casebook.pipeline.builder import BuilderJob
from casebook.pipeline.decide import Decision
from casebook.pipeline.generate import Generated
from casebook.sources.i18n import Locale


@dataclass
class EditionPlan:
    locale: Locale
    generated: Generated
    decision: Decision
    outdated: list[str]  # docs paths whose built page is out of date
    config: Path  # the edition's builder configuration
    docs: Path  # the edition's docs folder
    gone: list[str] = field(default_factory=list)  # files no longer generated (not pages)
    job: BuilderJob | None = None

    @property
    def is_original(self) -> bool:
        return self.locale.code == self.locale.original
