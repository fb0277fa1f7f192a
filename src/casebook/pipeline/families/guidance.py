"""The guidance pages (`docs/`, or a translator's copy), keyed by their own bytes; a
generated page must never replace one."""

from __future__ import annotations

from collections.abc import Iterable

from casebook.pipeline.context import BuildError
from casebook.pipeline.guidance import guidance_pages
from casebook.pipeline.plan import Output, PlanContext, constant
from casebook.sources.digests import sha


def outputs(ctx: PlanContext, generated: Iterable[str]) -> dict[str, Output]:
    taken = set(generated)
    found: dict[str, Output] = {}
    for page, content in guidance_pages(ctx.project, ctx.renderer.locale):
        if page.as_posix() in taken:
            raise BuildError(
                f"docs/{page.as_posix()}: this page would be overwritten by a generated page; "
                "move or rename it"
            )
        found[page.as_posix()] = Output(sha("guidance", content), constant(content))
    return found
