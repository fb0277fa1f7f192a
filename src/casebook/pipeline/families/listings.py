"""The library, browse pages, support page and open data: every case's front matter (the
listing's key)."""

from __future__ import annotations

import functools

from casebook.pages.catalogue import CATALOGUE_FILE, CSV_FILE, SCHEMA_FILE, open_data
from casebook.pages.evidencemap import MAP_DATA_SCHEMA, map_data
from casebook.pipeline.plan import Batch, Make, Output, PlanContext, encoded

OPEN_DATA_FILES = (CATALOGUE_FILE, CSV_FILE, SCHEMA_FILE)


def outputs(ctx: PlanContext) -> dict[str, Output]:
    renderer = ctx.renderer
    made: dict[str, Make] = {
        "browse/index.md": encoded(renderer.browse_index),
        "support.md": encoded(renderer.support_page),
    }
    library = Batch(renderer.library_pages)  # every page at once: they share their pager
    made.update((path, library.maker(path)) for path in renderer.library_paths())
    for facet in renderer.facets:
        counts = facet.counts(renderer.cases)
        made[f"browse/{facet.id}/index.md"] = encoded(
            functools.partial(renderer.facet_index, facet, counts)
        )
        for value in counts:
            made[f"browse/{facet.id}/{value.lower()}.md"] = encoded(
                functools.partial(renderer.facet_page, facet, value)
            )
    site_url = renderer.settings.site_url
    found = renderer.evidence_map
    extra = {"evidence_map": (map_data(found), MAP_DATA_SCHEMA)} if found else None
    data = Batch(lambda: open_data(renderer.cases, renderer.facets, site_url, extra).items())
    made.update((name, data.maker(name)) for name in OPEN_DATA_FILES)
    return {path: Output(ctx.listing, make) for path, make in made.items()}
