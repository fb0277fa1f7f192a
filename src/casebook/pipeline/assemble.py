"""The editions phase of a build: plan and generate every edition's outdated outputs,
start its builder while the next edition is generated, then swap the finished editions
into the site with the search index and the web editor (`swap_in`)."""

from __future__ import annotations

import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from casebook.editor.cms import write_admin
from casebook.outputs.postprocess import SiteEditions
from casebook.outputs.scriptpolicy import site_policy
from casebook.outputs.search import PRIMARY, IndexJob
from casebook.pages import feed
from casebook.pipeline.builder import BuilderJob, html_path, partial_docs, stamp, write_config
from casebook.pipeline.context import BuildContext
from casebook.pipeline.decide import Mode, decide, outdated_pages
from casebook.pipeline.edition import EditionPlan
from casebook.pipeline.generate import docs_dir_for, generate
from casebook.pipeline.indexing import index_search, search_job
from casebook.pipeline.publish import Journal, apply, stage, switch, verify_reachable
from casebook.pipeline.workers import Builders
from casebook.sources.i18n import Locale


@dataclass
class Built:
    warnings: list[str]  # the builder's
    search: IndexJob | None  # the search index to update, when the build left it for later


def build_editions(ctx: BuildContext, search: bool = True) -> Built | None:
    """Generate every edition's outdated outputs, build the outdated pages, verify, index
    and harden them, and swap the result in for the site. None when nothing changed.

    Without `search`, the last search index is kept as it is, and the bundles out of date
    are returned (the preview indexes them after showing the page)."""
    languages = ctx.library.languages
    editions = sorted(languages.locales.values(), key=lambda e: e.code != languages.default.code)
    site_editions = SiteEditions(
        [e.code for e in editions],
        ctx.settings.site_url,
        {e.code: feed.title(e, ctx.settings) for e in editions},
    )
    work = ctx.scratch
    listed = work / "pages.txt"  # every page of the finished site, for the hardening
    plans: list[EditionPlan] = []
    scripts = site_policy(ctx.project.overrides_dir)
    with Builders(site_editions, listed, ctx.progress, scripts) as builders:
        for locale in editions:
            plan = plan_edition(ctx, locale)
            plans.append(plan)
            if plan.decision.runs_builder:
                plan.job = _job(ctx, plan, work)
                builders.start(plan.job)  # while the next edition is generated
        ctx.manifest.save()  # the docs folders' state, even if the build fails from here on
        if all(p.decision.mode == Mode.SKIP for p in plans) and (
            not search or (ctx.site / PRIMARY).is_dir()
        ):
            return None
        # Every page of the finished site, for the alternates of the same page in each edition.
        exists = sorted(
            site_editions.prefix(p.locale.code) + html_path(path)
            for p in plans
            for path in p.generated.records
            if path.endswith(".md")
        )
        listed.parent.mkdir(parents=True, exist_ok=True)
        listed.write_text("\n".join(exists), encoding="utf-8")
        warnings = builders.finish()
    indexing = swap_in(ctx, plans, site_editions, search)
    for plan in plans:
        state = ctx.manifest.edition(plan.locale.code)
        state.site = plan.generated.contents
        if plan.job is not None:
            state.stamp = stamp(ctx.project, ctx.strict, plan.job.config)
    shutil.rmtree(work / "out", ignore_errors=True)
    return Built(warnings, None if search else indexing)


def plan_edition(ctx: BuildContext, locale: Locale) -> EditionPlan:
    """Generate an edition's outdated outputs and decide how its builder runs."""
    state = ctx.manifest.edition(locale.code)
    generated = generate(ctx, locale, state.docs)
    state.docs = generated.records
    docs = docs_dir_for(ctx.project, locale)
    config = write_config(ctx.project, locale, ctx.library.languages, docs)
    outdated = outdated_pages(generated.contents, state.site)
    prefix = "" if locale.code == locale.original else f"{locale.code}/"
    decision = decide(
        has_site=(ctx.site / prefix / "index.html").is_file(),
        same_stamp=state.stamp == stamp(ctx.project, ctx.strict, config),
        generated=generated.records,
        built=state.site,
        outdated=outdated,
    )
    plan = EditionPlan(locale, generated, decision, outdated, config, docs)
    plan.gone = [p for p in state.site if p not in generated.records]
    ctx.progress.step(
        f"[{locale.code}] {generated.written} file(s) written, {generated.unchanged} "
        f"unchanged, {generated.removed} removed, {generated.skipped} up to date; "
        f"builder: {decision.mode} ({decision.reason})"
    )
    return plan


def _job(ctx: BuildContext, plan: EditionPlan, work: Path) -> BuilderJob:
    """The edition's run of the builder: the whole edition, or its outdated pages."""
    code = plan.locale.code
    job = BuilderJob(code, ctx.project.root, plan.config, work / "out" / code, ctx.strict)
    if plan.decision.mode == Mode.PARTIAL:
        job.docs = partial_docs(plan.docs, work / "partial" / code, ctx.base, plan.outdated)
        job.pages = [html_path(p) for p in plan.outdated if p.endswith(".md")]
        job.source = plan.docs
    return job


def swap_in(
    ctx: BuildContext,
    plans: list[EditionPlan],
    editions: SiteEditions,
    search: bool,
) -> IndexJob | None:
    """Everything that can fail has run outside the site; now the next site is assembled
    whole beside it (the old site by hard links, the new files in by renames: a partial
    build's few pages make a whole site too), verified and indexed there, and published
    with one rename (`switch`). A failure, or a kill, before the switch leaves site/ as it
    was; after it, site/ is the new site, whole.
    Returns the search index still to update, when `search` is off."""
    site, work = ctx.site, ctx.scratch
    journal = Journal(work / "replaced" / str(time.time_ns()), logged=False)
    staged = stage(site, work)
    try:
        apply(plans, staged, journal, work)
        rebuilt = {p.locale.code: set(p.outdated) for p in plans if p.decision.mode != Mode.FULL}
        verify_reachable(staged, ctx.library, rebuilt)
        indexing = search_job(staged, plans, editions)
        if search and indexing is not None:
            index_search(staged, indexing, journal, work, ctx.progress)
        _admin(ctx, staged, journal, work)
        switch(staged, site, journal.folder)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        shutil.rmtree(journal.folder, ignore_errors=True)
        raise
    journal.discard()  # the files replaced, and the old site, deleted in the background
    return indexing


def _admin(ctx: BuildContext, site: Path, journal: Journal, work: Path) -> None:
    """The web editor, after the search index and the hardening: /admin/ has its own
    policy and no index."""
    staged = work / "admin.tmp"
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True)
    admin = write_admin(ctx.project, ctx.library, ctx.base, staged)
    if admin.written:
        journal.put(site / "admin", staged / "admin")
        ctx.progress.step(admin.message)
    else:
        print(admin.message, file=sys.stderr)
