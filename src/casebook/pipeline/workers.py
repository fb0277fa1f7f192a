"""The editions' builders side by side on every core, and the hardening of their pages."""

from __future__ import annotations

import os
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from pathlib import Path

from casebook.lifeline import start_worker
from casebook.outputs.postprocess import SiteEditions, harden_files, set_site
from casebook.outputs.scriptpolicy import ScriptPolicy, UnsafePage
from casebook.pipeline.builder import BuilderJob, build_edition
from casebook.pipeline.context import BuildError, Progress

HARDENING_CHUNK = 250  # pages per hardening task: small enough to share the cores well


class Builders:
    """Each edition's builder starts as soon as its edition is generated; each edition's
    pages are hardened (security policy, safe links, language alternates) as soon as it is
    built, on any free core."""

    def __init__(
        self, editions: SiteEditions, listed: Path, progress: Progress, scripts: ScriptPolicy
    ) -> None:
        self.editions = editions
        self.scripts = scripts  # the inline scripts the pages may run
        self.listed = listed  # written before `finish`: the hardening reads it
        self.progress = progress
        self.pool: ProcessPoolExecutor | None = None
        self.builds: dict[Future[list[str]], BuilderJob] = {}

    def __enter__(self) -> Builders:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def start(self, job: BuilderJob) -> None:
        if self.pool is None:
            self.pool = ProcessPoolExecutor(
                os.cpu_count() or 1,
                initializer=start_worker,
                initargs=(
                    os.getpid(),
                    set_site,
                    Path("."),
                    self.editions,
                    self.listed,
                    self.scripts,
                ),
            )
        self.builds[self.pool.submit(build_edition, job)] = job

    def finish(self) -> list[str]:
        """Wait for every builder and the hardening; the builders' warnings."""
        warnings: list[str] = []
        hardening: list[Future[int]] = []
        for future in as_completed(self.builds):
            job = self.builds[future]
            try:
                warnings += future.result()
            except BuildError:
                raise
            except Exception as exc:  # a crash in the builder must stop the build, clearly
                raise BuildError(
                    f"[{job.code}] the site builder stopped ({type(exc).__name__}: {exc})"
                ) from exc
            hardening += self._harden(job)
        if self.builds:
            try:
                hardened = sum(done.result() for done in hardening)
            except UnsafePage as exc:
                raise BuildError(str(exc)) from exc
            self.progress.step(
                f"Content-Security-Policy and safe links added to {hardened} page(s)"
            )
        return warnings

    def _harden(self, job: BuilderJob) -> list[Future[int]]:
        pages = (
            [str(job.out / page) for page in job.pages]
            if job.docs is not None
            else sorted(str(p) for p in job.out.rglob("*.html"))
        )
        self.progress.step(f"[{job.code}] built {len(pages)} page(s)")
        assert self.pool is not None
        prefix = self.editions.prefix(job.code)
        return [
            self.pool.submit(
                harden_files, pages[start : start + HARDENING_CHUNK], str(job.out), prefix
            )
            for start in range(0, len(pages), HARDENING_CHUNK)
        ]
