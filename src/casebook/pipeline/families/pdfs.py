"""The edition's PDFs (worksheets and cases), rendered before planning into the PDF cache
(`casebook.pipeline.pdfs`): each is linked from the cache, keyed by the cached file."""

from __future__ import annotations

from casebook.pipeline.plan import Output, PlanContext, constant, file_digest


def outputs(ctx: PlanContext) -> dict[str, Output]:
    return {
        path: Output(file_digest(cached), constant(cached)) for path, cached in ctx.pdfs.items()
    }
