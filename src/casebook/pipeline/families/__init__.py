"""The families of an edition's outputs, one module each.

Each module's `outputs(ctx)` returns its files by docs path, each with its key (what it is
made from, declared where it is made) and its maker. The planner only collects them, so a
new kind of output is one new module here and one line in `FAMILIES`.
"""

from __future__ import annotations

from casebook.pipeline.families import (
    cases,
    citations,
    composer,
    feed,
    guidance,
    listings,
    map,
    offline,
    pdfs,
    worksheets,
)
from casebook.pipeline.plan import Family, Output, PlanContext

FAMILIES: tuple[Family, ...] = (
    cases.outputs,
    worksheets.outputs,
    worksheets.moved,
    listings.outputs,
    map.outputs,
    offline.outputs,
    composer.outputs,
    citations.outputs,
    feed.outputs,
    pdfs.outputs,
)


def plan(ctx: PlanContext) -> dict[str, Output]:
    """Every output of one edition, keyed by its inputs: each family's, then the guidance
    pages, which no generated page may replace."""
    outputs: dict[str, Output] = {}
    for family in FAMILIES:
        outputs.update(family(ctx))
    outputs.update(guidance.outputs(ctx, outputs))
    return outputs
