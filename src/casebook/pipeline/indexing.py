"""The search index: an output of its own, made from the built pages (see casebook.outputs.search)."""

from __future__ import annotations

from pathlib import Path

from casebook.outputs.postprocess import SiteEditions
from casebook.outputs.search import (
    DELTA,
    PRIMARY,
    IndexJob,
    SearchIndexError,
    no_delta,
    plan_index,
    run_index,
)
from casebook.pipeline.builder import html_path
from casebook.pipeline.context import BuildError, Progress
from casebook.pipeline.decide import Mode
from casebook.pipeline.edition import EditionPlan
from casebook.pipeline.publish import Journal

# Pages the search index leaves out (see overrides/main.html): no need to index again.
UNSEARCHED = ("worksheets/", "browse/", "cases/index.md", "cases/page/")


def search_job(site: Path, plans: list[EditionPlan], editions: SiteEditions) -> IndexJob | None:
    """The search index to update after a build: a delta of the changed pages, or the
    whole site when an edition was built whole (see search.py)."""
    changed = [
        editions.prefix(plan.locale.code) + html_path(path)
        for plan in plans
        for path in plan.outdated
        if path.endswith(".md") and not path.startswith(UNSEARCHED)
    ]
    prefixes = [editions.prefix(code) for code in editions.codes]
    whole = any(p.decision.mode == Mode.FULL for p in plans)
    return plan_index(site, prefixes, changed, whole=whole)


def index_search(
    site: Path, job: IndexJob, journal: Journal, work: Path, progress: Progress
) -> None:
    """Index what changed, and put it into the site; a whole index replaces the delta."""
    output = work / "pagefind.tmp"
    try:
        index = run_index(site, job, output)
    except SearchIndexError as exc:
        raise BuildError(str(exc)) from exc
    journal.put(site / job.folder, output)
    if job.folder == PRIMARY:
        journal.put(site / DELTA, no_delta(work / "pagefind-delta.tmp"))
    what = "" if job.folder == PRIMARY else " changed since the last whole index"
    progress.step(f"Search index: {index.pages} page(s){what}, {index.bytes // 1024} KB")
