"""`casebook build`: check, then for each edition plan, generate, decide and build, then
publish into the site with the search index and the web editor.

The site is built into a scratch folder and swapped in only when the build and the
one-page-per-case check both pass, so a failed build never leaves a half-built site.
"""

from __future__ import annotations

import shutil
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from casebook.check.validate import check_project
from casebook.editor.cms import repository_warning, write_admin
from casebook.editor.cms import signature as cms_signature
from casebook.outputs.postprocess import Editions
from casebook.outputs.scriptpolicy import site_policy
from casebook.outputs.search import PRIMARY, IndexJob
from casebook.pages import feed
from casebook.pages.render import SiteSettings
from casebook.pipeline.builder import (
    EditionJob,
    html_path,
    partial_docs,
    read_config,
    stamp,
    write_config,
)
from casebook.pipeline.context import BuildContext, BuildError, Progress
from casebook.pipeline.decide import Mode, decide, outdated_pages
from casebook.pipeline.edition import EditionPlan
from casebook.pipeline.generate import docs_dir_for, generate
from casebook.pipeline.indexing import index_search, search_job
from casebook.pipeline.lock import BuildLocked, build_lock
from casebook.pipeline.manifest import Manifest
from casebook.pipeline.pdfs import prune_pdf_cache, render_worksheet_pdfs
from casebook.pipeline.publish import Journal, apply, recover, verify_reachable
from casebook.pipeline.workers import Builders
from casebook.sources.digests import environment_digest, input_fingerprint
from casebook.sources.i18n import Locale
from casebook.sources.model import Library
from casebook.sources.problems import count, display_path, print_problems
from casebook.sources.project import Project

SITE_URL_WARNING = (
    "mkdocs.yml: warning: site_url: not set, so sitemap.xml lists no page, pages carry no "
    "language alternates (search engines take hreflang links only as full addresses), the "
    "citations and citation files end with a bare path (/cases/<id>/) instead of a full "
    "address, the feeds link relatively, and the printed worksheets give no web address; add "
    "the address the site is published at, e.g. 'site_url: https://casebook.example.org/'"
)
RECOVERED = (
    "{site}/: the last build was stopped while it published; the site was put back as it "
    "was before it"
)


@dataclass
class Built:
    warnings: list[str]  # the builder's
    search: IndexJob | None  # the search index to update, when the build left it for later


def make_context(
    project: Project,
    library: Library,
    manifest: Manifest,
    site: Path,
    progress: Progress,
    *,
    strict: bool = False,
    pdfs: dict[str, dict[str, Path]] | None = None,
    work: Path | None = None,
    offline_files: bool = False,
) -> BuildContext:
    """A build's context from the project as it is now."""
    base = read_config(project)
    return BuildContext(
        project=project,
        library=library,
        settings=replace(SiteSettings.from_config(base), offline_files=offline_files),
        manifest=manifest,
        site=site,
        progress=progress,
        environment=environment_digest(project),
        base=base,
        strict=strict,
        pdfs=pdfs or {},
        work=work,
    )


def build_site(
    project: Project,
    pdf: bool = True,
    strict: bool = False,
    quiet: bool = False,
    prune_cache: bool = False,
    zim: bool = False,
) -> int:
    """`casebook build`: 0 when the site is built or up to date, 1 when it was left as it was
    (or, with `zim`, when the offline files could not be written)."""
    if zim and not pdf:
        print(
            "build: --zim needs the PDFs, which the offline files hold: leave out --no-pdf",
            file=sys.stderr,
        )
        return 2
    try:
        with build_lock(project, "casebook build"):
            if recover(project.root / "build"):
                print(RECOVERED.format(site=project.site_dir.name), file=sys.stderr)
            return _build_site(project, pdf, strict, quiet, prune_cache, zim)
    except BuildLocked as exc:
        print(f"build refused: {exc}", file=sys.stderr)
        return 1


def _build_site(
    project: Project, pdf: bool, strict: bool, quiet: bool, prune_cache: bool, zim: bool
) -> int:
    progress = Progress(quiet)
    config = read_config(project)
    # The address may come from the environment (CASEBOOK_SITE_URL), not only from a file.
    address = SiteSettings.from_config(config).site_url
    if not address:
        print(SITE_URL_WARNING, file=sys.stderr)
    placeholder = repository_warning(project, config)
    if placeholder is not None:
        print(placeholder.format(), file=sys.stderr)
    manifest = Manifest.load(project)
    fingerprint = input_fingerprint(
        project,
        f"strict={strict}",
        f"pdf={pdf}",
        f"zim={zim}",
        f"site_url={address}",
        cms_signature(project),
    )
    if manifest.fingerprint == fingerprint and (project.site_dir / "index.html").is_file():
        problems = manifest.saved_problems()
        print_problems(problems, strict=strict)
        progress.step(
            f"Nothing changed since the last build: {project.site_dir.name}/ is up to date "
            f"({count(problems)[1]} warning(s))"
        )
        return offline(project, config, progress, zim, changed=False)
    progress.step("Checking cases, questions and vocabularies…")
    result = check_project(project)
    print_problems(result.problems, strict=strict)
    errors, warnings = count(result.problems)
    if errors or (strict and warnings):
        print(
            f"build stopped: check found {errors} error(s) and {warnings} warning(s); "
            "fix them and build again (site/ was left as it was)",
            file=sys.stderr,
        )
        return 1
    if zim and not offline_texts_fit(project, config):  # after the check: the strings are sound
        return 1
    library = result.library
    drafts = [c.id for c in library.cases if not c.published]
    progress.step(
        f"{len(library.published)} published case(s), {len(drafts)} draft(s), {warnings} warning(s)"
    )
    try:
        settings = SiteSettings.from_config(config)
        pdfs = render_worksheet_pdfs(project, library, settings, progress) if pdf else {}
        ctx = make_context(
            project,
            library,
            manifest,
            project.site_dir,
            progress,
            strict=strict,
            pdfs=pdfs,
            offline_files=zim,
        )
        built = build_editions(ctx)
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    manifest.fingerprint = fingerprint
    manifest.remember_problems(result.problems)
    manifest.save()
    if prune_cache and pdf:
        prune_pdf_cache(project, pdfs, progress)
    if built is None:
        progress.step(
            f"Nothing changed since the last build: {project.site_dir.name}/ is up to date"
        )
        return offline(project, config, progress, zim, changed=False)
    progress.step(
        f"Done: {len(library.published)} case(s) reachable in each of "
        f"{len(library.languages.locales)} edition(s) in {project.site_dir.name}/, "
        f"{len(built.warnings)} builder warning(s)"
    )
    return offline(project, config, progress, zim, changed=True)


def offline_texts_fit(project: Project, config: dict[str, Any]) -> bool:
    """Whether the offline files' texts fit their readers, asked before a `--zim` build: the
    site's pages offer the files, so the site is not built when they cannot be written."""
    from casebook.pipeline.zim import OfflineError, offline_texts  # loads libzim

    try:
        offline_texts(project, SiteSettings.from_config(config))
    except OfflineError as exc:
        print(f"{exc}\nbuild stopped: the offline files could not be written", file=sys.stderr)
        return False
    return True


def offline(
    project: Project, config: dict[str, Any], progress: Progress, zim: bool, changed: bool
) -> int:
    """After the build: with `zim`, write the offline files from the finished site; without,
    remove those a changed site no longer matches, so that none is published stale."""
    if not zim:
        stale = sorted(project.offline_dir.glob("*.zim")) if changed else []
        for file in stale:  # the page beside them stays: it is the site's
            file.unlink()
        if stale:
            print(
                f"{display_path(project.offline_dir, project.root)}/: removed the offline "
                "files, which no longer match the site; build with --zim to write them again",
                file=sys.stderr,
            )
        return 0
    from casebook.pipeline.zim import OfflineError, write_offline  # loads libzim

    try:
        write_offline(project, SiteSettings.from_config(config), progress)
    except (OfflineError, OSError, RuntimeError) as exc:
        print(f"{exc}\noffline files not written (site/ is built)", file=sys.stderr)
        return 1
    return 0


def build_editions(ctx: BuildContext, search: bool = True) -> Built | None:
    """Generate every edition's outdated outputs, build the outdated pages, verify, index
    and harden them, and swap the result in for the site. None when nothing changed.

    Without `search`, the last search index is kept as it is, and the bundles out of date
    are returned (the preview indexes them after showing the page)."""
    languages = ctx.library.languages
    editions = sorted(languages.locales.values(), key=lambda e: e.code != languages.default.code)
    site_editions = Editions(
        [e.code for e in editions],
        ctx.settings.site_url,
        {e.code: feed.title(e, ctx.settings) for e in editions},
    )
    work = ctx.scratch
    if recover(work):  # the preview's (the build's is undone before its check)
        print(RECOVERED.format(site=ctx.site.name), file=sys.stderr)
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
    indexing = publish(ctx, plans, site_editions, search)
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
    generated = generate(
        ctx.project,
        ctx.library,
        ctx.settings,
        locale.code,
        pdfs=ctx.pdfs.get(locale.code),
        current=state.docs,
        environment=ctx.environment,
        digests=ctx.digests,
    )
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


def _job(ctx: BuildContext, plan: EditionPlan, work: Path) -> EditionJob:
    """The edition's run of the builder: the whole edition, or its outdated pages."""
    code = plan.locale.code
    job = EditionJob(code, ctx.project.root, plan.config, work / "out" / code, ctx.strict)
    if plan.decision.mode == Mode.PARTIAL:
        job.docs = partial_docs(plan.docs, work / "partial" / code, ctx.base, plan.outdated)
        job.pages = [html_path(p) for p in plan.outdated if p.endswith(".md")]
        job.source = plan.docs
    return job


def publish(
    ctx: BuildContext,
    plans: list[EditionPlan],
    editions: Editions,
    search: bool,
) -> IndexJob | None:
    """Everything that can fail has run outside the site; now the new files go in, each by
    a rename, and every replaced file is kept until the end so that a failure puts it back.
    Returns the search index still to update, when `search` is off."""
    site, work = ctx.site, ctx.scratch
    created = not site.exists()
    site.mkdir(parents=True, exist_ok=True)
    journal = Journal(work / "replaced" / str(time.time_ns()))
    try:
        apply(plans, site, journal, work)
        rebuilt = {p.locale.code: set(p.outdated) for p in plans if p.decision.mode != Mode.FULL}
        verify_reachable(site, ctx.library, rebuilt)
        indexing = search_job(site, plans, editions)
        if search and indexing is not None:
            index_search(site, indexing, journal, work, ctx.progress)
        _admin(ctx, journal, work)
    except BaseException:
        journal.rollback()
        if created:
            shutil.rmtree(site, ignore_errors=True)
        raise
    journal.discard()
    return indexing


def _admin(ctx: BuildContext, journal: Journal, work: Path) -> None:
    """The web editor, after the search index and the hardening: /admin/ has its own
    policy and no index."""
    staged = work / "admin.tmp"
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True)
    admin = write_admin(ctx.project, ctx.library, ctx.base, staged)
    if admin.written:
        journal.put(ctx.site / "admin", staged / "admin")
        ctx.progress.step(admin.message)
    else:
        print(admin.message, file=sys.stderr)
