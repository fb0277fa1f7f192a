"""Print HTML to tagged PDFs, for the worksheets (`casebook.pages.worksheets.print_documents`)
and a trainer's session sheet (`casebook.commands.session`).

PDFs are rendered by WeasyPrint from Jinja2 print templates (autoescaped), in parallel
across the cores, and cached by a hash of their full input outside site/, so a rebuild
with no changes renders none.

The slot's name is a hash of the HTML (which holds the case or worksheet, the edition's
language and the paper size), so anyone who can write `.cache/` could put another case's
PDF there. Each PDF this machine renders gets a seal beside it (`<slot>.seal`): the HMAC,
under the secret of `casebook.sources.cachekey`, of the slot's name and the PDF's SHA-256.
A PDF whose seal does not hold is rendered again, never published.
"""

from __future__ import annotations

import hashlib
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from casebook.lifeline import start_worker
from casebook.sources.cachekey import Seal
from casebook.sources.project import Project

PDF_VARIANT = "pdf/ua-1"  # tagged PDF, readable by screen readers


class ProgressLike(Protocol):
    def step(self, message: str) -> None: ...


def write_pdf(html: str, target: str) -> str:
    """Render one PDF next to `target` and move it into place atomically: a failed render
    leaves no partial file behind."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    partial = f"{target}.{os.getpid()}.part"
    try:
        HTML(string=html, base_url=".").write_pdf(partial, pdf_variant=PDF_VARIANT)
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return target


PDF_MAX_BYTES = 200 * 1024 * 1024  # a worksheet is a few hundred kilobytes


def whole_pdf(path: Path) -> bool:
    """Whether a cached PDF looks whole: a PDF header, an end-of-file marker near its end,
    and a sane size. A truncated or damaged file (a build killed mid-copy, a full disk) is
    removed, so that it is rendered again rather than published."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as stream:
            head = stream.read(5)
            stream.seek(max(0, size - 1024))
            tail = stream.read()
    except OSError:
        return False
    if head == b"%PDF-" and b"%%EOF" in tail and 64 < size < PDF_MAX_BYTES:
        return True
    path.unlink(missing_ok=True)
    return False


def seal_path(target: Path) -> Path:
    return target.with_suffix(".seal")


def _digest(target: Path) -> str:
    return hashlib.sha256(target.read_bytes()).hexdigest()


def seal_pdf(seal: Seal, target: Path) -> None:
    """Seal a PDF just rendered into its slot."""
    mac = seal.sign("pdf", target.name, _digest(target))
    partial = seal_path(target).with_name(f"{target.stem}.{os.getpid()}.seal.part")
    partial.write_text(mac + "\n", encoding="ascii")
    os.replace(partial, seal_path(target))


def sealed_pdf(seal: Seal, target: Path) -> bool:
    """Whether the slot holds a whole PDF that this machine rendered into it. Anything else
    (damaged, forged, another slot's PDF, no seal) is removed, to be rendered again."""
    if whole_pdf(target):
        try:
            mac = seal_path(target).read_text(encoding="ascii").strip()
            if seal.holds(mac, "pdf", target.name, _digest(target)):
                return True
        except (OSError, ValueError):
            pass
    target.unlink(missing_ok=True)
    seal_path(target).unlink(missing_ok=True)
    return False


def _render_pdf(html: str, target: str) -> str:
    """Runs in a worker process: render one PDF into the cache."""
    return write_pdf(html, target)


def _fingerprint(html: str) -> str:
    import weasyprint

    digest = hashlib.sha256()
    for part in (weasyprint.__version__, PDF_VARIANT, html):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


@dataclass
class PdfResult:
    files: dict[str, dict[str, Path]]  # language -> docs path -> cached PDF
    rendered: int
    cached: int


class PdfError(Exception):
    pass


def render_pdfs(
    project: Project,
    documents: dict[str, list[tuple[str, str]]],
    progress: ProgressLike,
    workers: int | None = None,
    original: str = "en",
) -> PdfResult:
    """Render every edition's PDFs in one pool, skipping those already in the cache."""
    cache = project.cache_dir / "pdf"
    cache.mkdir(parents=True, exist_ok=True)
    seal = Seal.of(project.root)
    files: dict[str, dict[str, Path]] = {}
    jobs: dict[str, tuple[str, str]] = {}
    hits: set[str] = set()  # each slot's seal checked once
    total = 0
    for language, pairs in documents.items():
        for path, html in pairs:
            target = cache / f"{_fingerprint(html)}.pdf"
            files.setdefault(language, {})[path] = target
            total += 1
            if str(target) in jobs or str(target) in hits:
                continue
            if sealed_pdf(seal, target):
                hits.add(str(target))
            else:
                jobs[str(target)] = (html, path if language == original else f"{language}/{path}")
    progress.step(
        f"Worksheet PDFs: {total} in all, {len(jobs)} to render, {total - len(jobs)} cached"
    )
    if jobs:
        try:
            _run(jobs, workers or os.cpu_count() or 1)
        finally:  # the PDFs rendered, even when others failed
            for rendered in map(Path, jobs):
                if whole_pdf(rendered):
                    seal_pdf(seal, rendered)
    return PdfResult(files, len(jobs), total - len(jobs))


def _run(jobs: dict[str, tuple[str, str]], workers: int) -> None:
    bar = _Bar(len(jobs))
    failures: list[str] = []
    with ProcessPoolExecutor(
        max_workers=min(workers, len(jobs)), initializer=start_worker, initargs=(os.getpid(),)
    ) as pool:
        futures = {
            pool.submit(_render_pdf, html, target): where for target, (html, where) in jobs.items()
        }
        for future in as_completed(futures):
            where = futures[future]
            try:
                future.result()
            except Exception as exc:  # any WeasyPrint failure must stop the build, clearly
                failures.append(
                    f"{where}: the PDF could not be rendered ({type(exc).__name__}: {exc})"
                )
            bar.advance()
    bar.finish()
    if failures:
        raise PdfError("; ".join(failures))


class _Bar:
    """A progress bar on a terminal, and a few plain lines in a log."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.tty = sys.stderr.isatty()
        self.next_report = 0.25

    def advance(self) -> None:
        self.done += 1
        fraction = self.done / self.total
        if self.tty:
            filled = int(fraction * 30)
            sys.stderr.write(
                f"\r  [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} PDFs"
            )
            sys.stderr.flush()
        elif fraction >= self.next_report or self.done == self.total:
            print(f"  {self.done}/{self.total} PDFs rendered", file=sys.stderr, flush=True)
            while self.next_report <= fraction:
                self.next_report += 0.25

    def finish(self) -> None:
        if self.tty:
            sys.stderr.write("\n")
