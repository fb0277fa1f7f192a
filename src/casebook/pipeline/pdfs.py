"""The PDFs of every edition, the worksheets' and each whole case's (`casebook.outputs.casepdf`):
an output of their own, rendered in one pool and made before the pages that link to them."""

from __future__ import annotations

from pathlib import Path

from casebook.outputs.casepdf import case_documents
from casebook.outputs.pdf import PdfError, render_pdfs
from casebook.pages.render import Renderer, SiteSettings
from casebook.pages.worksheets import print_documents
from casebook.pipeline.context import BuildError, Progress
from casebook.sources.facilitation import load_facilitator_notes
from casebook.sources.model import Library
from casebook.sources.project import Project


def render_worksheet_pdfs(
    project: Project, library: Library, settings: SiteSettings, progress: Progress
) -> dict[str, dict[str, Path]]:
    """Every edition's PDFs (language -> docs path -> cached file), rendered in one pool."""
    documents: dict[str, list[tuple[str, str]]] = {}
    for locale in library.languages.locales.values():
        notes, problems = load_facilitator_notes(project, locale.code)
        if notes is None:
            raise BuildError("; ".join(p.format() for p in problems))
        renderer = Renderer(library, locale, settings, notes)
        documents[locale.code] = [
            *print_documents(renderer, library.support, notes),
            *case_documents(renderer, library.support, notes),
        ]
    try:
        result = render_pdfs(project, documents, progress, original=library.languages.default.code)
    except PdfError as exc:
        raise BuildError(str(exc)) from exc
    progress.step(
        f"PDFs of worksheets and cases ready: {result.rendered} rendered, "
        f"{result.cached} from the cache"
    )
    return result.files


def prune_pdf_cache(project: Project, pdfs: dict[str, dict[str, Path]], progress: Progress) -> None:
    """Delete cached PDFs that no edition uses any more, and their seals."""
    used = {cached for files in pdfs.values() for cached in files.values()}
    folder = project.cache_dir / "pdf"
    stale = [p for p in folder.glob("*.pdf") if p not in used]
    for path in stale:
        path.unlink()
    for path in folder.glob("*.seal"):
        if path.with_suffix(".pdf") not in used:
            path.unlink()
    progress.step(f"PDF cache: {len(used)} kept, {len(stale)} no longer used removed")
