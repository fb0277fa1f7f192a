"""The edition's Atom feed of the most recently reviewed cases: it shows the front matter of
the cases it lists, and which they are."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from casebook.pages import feed
from casebook.pipeline.plan import Output, PlanContext
from casebook.sources.model import Case


def outputs(ctx: PlanContext) -> dict[str, Output]:
    renderer = ctx.renderer
    listed = feed.recent(renderer.cases)
    return {
        feed.FEED_PATH: Output(key(ctx, listed), functools.partial(feed.atom, renderer, listed))
    }


def key(ctx: PlanContext, listed: Iterable[Case]) -> str:
    return ctx.key("feed", *(ctx.meta(c) for c in listed))
