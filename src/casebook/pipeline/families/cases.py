"""Case pages: a case written in the edition's language shows itself whole and its related
cases' cards; any other case gets a small page linking to its original.

Related cases depend only on every case's front matter, so they are kept between builds
in `.cache/casebook/related-<language>.json`: comparing every case with every other costs
0.7 s at 1,000 cases, and an edit to a case's body, the usual one, changes none. The file's
first line seals the rest (`casebook.sources.cachekey`): a related case and the values it
shares are shown on the page, so a file this machine did not write is worked out again.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Sequence
from pathlib import Path

from casebook.pages.catalogue import Related
from casebook.pipeline.plan import Output, PlanContext, encoded
from casebook.sources.cachekey import Seal


def outputs(ctx: PlanContext) -> dict[str, Output]:
    renderer = ctx.renderer
    related: dict[str, list[Related]] = {}
    if any(renderer.in_language(c) for c in renderer.cases):
        related = related_cases(ctx)
    found: dict[str, Output] = {}
    for case in renderer.cases:
        path = f"cases/{case.id}.md"
        if renderer.in_language(case):
            shown = related.get(case.id, [])
            key = ctx.key("case", ctx.full(case), *_cards(ctx, shown))
            make = functools.partial(renderer.case_page, case, shown)
        else:
            key = ctx.key("fallback", ctx.meta(case))
            make = functools.partial(renderer.fallback_page, case)
        found[path] = Output(key, encoded(make))
    return found


def _cards(ctx: PlanContext, shown: Sequence[Related]) -> list[str]:
    """A related case's card shows its front matter and the values it shares."""
    return [ctx.meta(r.case) + "|".join(r.shared_labels) for r in shown]


def related_cases(ctx: PlanContext) -> dict[str, list[Related]]:
    """Each case's related cases: from the cache when every case's front matter is as it
    was (the listing's key), worked out and cached otherwise."""
    renderer = ctx.renderer
    path = ctx.project.cache_dir / f"related-{renderer.locale.code}.json"
    seal = Seal.of(ctx.project.root)
    cached = _cached(ctx, path, seal)
    if cached is not None:
        return cached
    related = renderer.related_cases()
    index = {id(facet): n for n, facet in enumerate(renderer.facets)}
    data = {
        case_id: [
            [r.case.id, [[index[id(facet)], value] for facet, value in r.shared]] for r in found
        ]
        for case_id, found in related.items()
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    text = json.dumps({"key": ctx.listing, "related": data})
    mac = seal.sign("related", renderer.locale.code, text)
    partial.write_text(f"{mac}\n{text}", encoding="utf-8")
    os.replace(partial, path)
    return related


def _cached(ctx: PlanContext, path: Path, seal: Seal) -> dict[str, list[Related]] | None:
    """The related cases in the cache, if this machine wrote them for these cases' front
    matter (the listing's key); None otherwise, damaged files and forged ones alike."""
    renderer = ctx.renderer
    try:
        mac, _, text = path.read_text(encoding="utf-8").partition("\n")
        if not seal.holds(mac, "related", renderer.locale.code, text):
            return None
        cached = json.loads(text)
        if not isinstance(cached, dict) or cached.get("key") != ctx.listing:
            return None
        cases = {case.id: case for case in renderer.cases}
        facets = renderer.facets
        return {
            str(case_id): [
                Related(cases[other], [(facets[f], str(value)) for f, value in shared])
                for other, shared in found
            ]
            for case_id, found in cached["related"].items()
        }
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None
