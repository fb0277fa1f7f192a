"""The evidence-and-gap map: one page, counting every published case's front matter."""

from __future__ import annotations

from casebook.pages.evidencemap import MAP_URL
from casebook.pipeline.plan import Output, PlanContext, encoded


def outputs(ctx: PlanContext) -> dict[str, Output]:
    renderer = ctx.renderer
    if renderer.evidence_map is None:
        return {}
    return {f"{MAP_URL}index.md": Output(ctx.key("map", ctx.listing), encoded(renderer.map_page))}
