"""The session composer: its page and data follow the listing, each case's file its case."""

from __future__ import annotations

import functools

from casebook.pages import composer
from casebook.pipeline.plan import Batch, Output, PlanContext, encoded, link_from


def outputs(ctx: PlanContext) -> dict[str, Output]:
    renderer = ctx.renderer
    if renderer.notes is None:
        return {}
    found = {
        composer.case_path(case): Output(
            ctx.key("compose", ctx.full(case)),
            encoded(functools.partial(composer.case_json, renderer, case)),
        )
        for case in renderer.cases
    }
    pages = Batch(lambda: composer.pages(renderer, link_from))
    for name in ("index.md", "session.json", "print.css"):
        path = composer.COMPOSE_URL + name
        found[path] = Output(ctx.listing, pages.maker(path))
    return found
