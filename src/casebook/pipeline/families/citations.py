"""RIS, BibTeX and CSL-JSON for each case written in the edition's language: they say what
its front matter says."""

from __future__ import annotations

import functools

from casebook.pages import citation
from casebook.pages.render import Renderer
from casebook.pipeline.plan import Output, PlanContext, encoded
from casebook.sources.model import Case


def outputs(ctx: PlanContext) -> dict[str, Output]:
    renderer = ctx.renderer
    return {
        kind.path(case): Output(
            key(ctx, case), encoded(functools.partial(_write, renderer, case, kind))
        )
        for case in renderer.cases
        if renderer.in_language(case)
        for kind in citation.FILE_KINDS
    }


def key(ctx: PlanContext, case: Case) -> str:
    return ctx.key("cite", ctx.meta(case))


def _write(renderer: Renderer, case: Case, kind: citation.FileKind) -> str:
    return kind.write(renderer.reference(case))
