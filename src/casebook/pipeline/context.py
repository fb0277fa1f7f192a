"""What a build is given, what stops it, and how it reports progress."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casebook.pages.render import SiteSettings
from casebook.pipeline.manifest import Manifest
from casebook.sources.digests import Digests
from casebook.sources.model import Library
from casebook.sources.project import Project


class BuildError(Exception):
    """A build step failed; the message says what to do."""


@dataclass
class Progress:
    quiet: bool = False

    def __post_init__(self) -> None:
        self.started = time.perf_counter()

    def step(self, message: str) -> None:
        if not self.quiet:
            elapsed = time.perf_counter() - self.started
            print(f"[{elapsed:6.1f}s] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class BuildContext:
    """Everything the phases of one build share, so that no phase takes ten parameters."""

    project: Project
    library: Library
    settings: SiteSettings
    manifest: Manifest  # read and updated: what the docs folders and the site hold
    site: Path  # the folder the finished site is swapped into
    progress: Progress
    environment: str  # digests.environment_digest: what every output depends on
    base: dict[str, Any]  # mkdocs.yml as read
    strict: bool = False
    # language -> docs path -> cached PDF, for the editions' worksheet PDFs
    pdfs: dict[str, dict[str, Path]] = field(default_factory=dict)
    work: Path | None = None  # scratch space; build/ by default
    digests: Digests = field(default_factory=Digests)

    @property
    def scratch(self) -> Path:
        return self.work or self.project.root / "build"
