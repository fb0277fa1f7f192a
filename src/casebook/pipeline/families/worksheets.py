"""Worksheet pages: each case's page follows its case (front matter and questions), the
index pages follow the listing. They come from one generator, run over the cases whose pages
are out of date only. And the pages at the audiences' old addresses, which send readers on.
"""

from __future__ import annotations

import copy

from casebook.pages import worksheets
from casebook.pipeline.context import BuildError
from casebook.pipeline.plan import Output, PlanContext, constant, encoded, link_from
from casebook.sources.model import Case


def outputs(ctx: PlanContext) -> dict[str, Output]:
    renderer = ctx.renderer
    found: dict[str, Output] = {}
    outdated: dict[str, Case] = {}
    for case in renderer.cases:
        if not renderer.in_language(case):
            continue
        key = ctx.key("worksheets", ctx.full(case))
        path = f"worksheets/{case.id}/index.md"
        found[path] = Output(key, _not_generated)
        if ctx.current.get(path) != key:
            outdated[case.id] = case
    index = worksheets.index_paths(renderer)
    for path in index:
        found[path] = Output(ctx.listing, _not_generated)
    whole = ctx.current.get("worksheets/index.md") != ctx.listing
    source = renderer
    if not whole:
        source = copy.copy(renderer)
        source.cases = list(outdated.values())
    if whole or source.cases:
        for path, sheet in worksheets.web_pages(source, link_from):
            if (whole or path not in index) and path in found:
                found[path] = Output(found[path].key, constant(sheet.encode("utf-8")))
    return found


def moved(ctx: PlanContext) -> dict[str, Output]:
    """Each audience of a case had its own worksheet page until the audiences became parts of
    one page: its old address sends readers to its part, so bookmarks keep working. The
    pages follow the audiences a case declares, in its front matter."""
    renderer = ctx.renderer
    return {
        path: Output(ctx.key("moved", ctx.meta(case)), encoded(make))
        for case in renderer.cases
        if renderer.in_language(case)
        for path, make in worksheets.moved_pages(renderer, case)
    }


def _not_generated() -> bytes:
    raise BuildError("worksheets: a worksheet page was not generated; report this as a bug")
