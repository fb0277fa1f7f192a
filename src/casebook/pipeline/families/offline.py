"""How to take the library offline: the Kiwix files, the PDFs and the workshop pack. The
page names the offline files only when the build writes them."""

from __future__ import annotations

from casebook.pages.offlinefiles import OFFLINE_URL
from casebook.pipeline.plan import Output, PlanContext, encoded


def outputs(ctx: PlanContext) -> dict[str, Output]:
    renderer = ctx.renderer
    key = ctx.key("offline", str(renderer.settings.offline_files))
    return {f"{OFFLINE_URL}index.md": Output(key, encoded(renderer.offline_page))}
