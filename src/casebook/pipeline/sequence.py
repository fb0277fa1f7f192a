"""The one sequence of a build's phases (`run`), for `casebook build` and `casebook serve`.

As in Sphinx's `Builder.build`: lock, settings, the fingerprint shortcut, check, the offline
files' texts, PDFs, the editions (`casebook.pipeline.assemble`), the manifest, the offline
files. `Options` say what a preview leaves out. The site is built into a scratch folder
and switched in with one rename only when the build and the one-page-per-case check both
pass, so a failed or killed build never leaves a half-built site.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from casebook.check.validate import check_project, draft_ids
from casebook.editor.cms import repository_warning, retired_key_warning
from casebook.editor.cms import signature as cms_signature
from casebook.pages.render import SiteSettings
from casebook.pipeline.assemble import Built, build_editions
from casebook.pipeline.builder import ConfigRefused, read_config
from casebook.pipeline.context import BuildContext, BuildError, Progress
from casebook.pipeline.files import os_failure
from casebook.pipeline.lock import BuildLocked, build_lock
from casebook.pipeline.manifest import Manifest
from casebook.pipeline.pdfs import prune_pdf_cache, render_worksheet_pdfs
from casebook.pipeline.publish import recover
from casebook.sources.digests import environment_digest, input_fingerprint
from casebook.sources.model import Library
from casebook.sources.problems import (
    Problem,
    count,
    display_path,
    print_problems,
    strict_count,
)
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


@dataclass(frozen=True)
class Target:
    """Where a run puts its site: `site/` for `casebook build`, the preview's own folder
    for `casebook serve`, each with its own manifest and scratch space."""

    site: Path
    manifest: str = "manifest.json"  # in .cache/casebook/
    work: Path | None = None  # scratch space; build/ by default


@dataclass(frozen=True)
class Options:
    """What one run does. The defaults are `casebook build`'s; `Options.preview` says what
    the preview leaves out."""

    pdf: bool = True  # render every PDF before the pages that link to them
    strict: bool = False  # warnings stop the run too
    zim: bool = False  # write the offline files from the finished site
    prune_cache: bool = False  # delete cached PDFs that no edition uses any more
    search: bool = True  # index now; without, the job is returned for the caller to run
    shortcut: bool = True  # stop when no source changed since the last run (its fingerprint)
    # The site to publish: warn about what its configuration lacks, say how the run ended,
    # and keep the offline files in step with it.
    publishing: bool = True
    wait: bool = False  # wait for a build that holds the lock, rather than refuse
    label: str = "casebook build"  # who holds the lock, for the one who waits

    @classmethod
    def preview(cls, pdf: bool) -> Options:
        return cls(
            pdf=pdf,
            search=False,
            shortcut=False,
            publishing=False,
            wait=True,
            label="casebook serve",
        )


# Checks the project: the library when it may be built, and every problem found.
Check = Callable[[], tuple[Library | None, list[Problem]]]


@dataclass
class Outcome:
    """How a run ended. `stage` names where it stopped ("" when it did not): "lock",
    "check", "offline" (the offline files' texts) or "build"."""

    code: int  # the command's exit status
    stage: str = ""
    reason: str = ""
    library: Library | None = None
    problems: list[Problem] = field(default_factory=list)
    built: Built | None = None  # None when nothing changed


def make_context(
    project: Project,
    library: Library,
    manifest: Manifest,
    target: Target,
    progress: Progress,
    options: Options,
    pdfs: dict[str, dict[str, Path]],
    base: dict[str, Any],
) -> BuildContext:
    """A run's context from the project as it is now; `base` is mkdocs.yml as read."""
    return BuildContext(
        project=project,
        library=library,
        settings=replace(SiteSettings.from_config(base), offline_files=options.zim),
        manifest=manifest,
        site=target.site,
        progress=progress,
        environment=environment_digest(project),
        base=base,
        strict=options.strict,
        pdfs=pdfs,
        work=target.work,
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
    options = Options(pdf=pdf, strict=strict, zim=zim, prune_cache=prune_cache)
    outcome = run(project, Target(project.site_dir), options, Progress(quiet))
    if outcome.stage in STOPPED:
        print(STOPPED[outcome.stage].format(reason=outcome.reason), file=sys.stderr)
    return outcome.code


STOPPED = {
    "lock": "build refused: {reason}",
    "check": "build stopped: {reason}; fix them and build again (site/ was left as it was)",
    "build": "build failed: {reason}",
}


def run(
    project: Project,
    target: Target,
    options: Options,
    progress: Progress,
    check: Check | None = None,
) -> Outcome:
    """The one sequence of a build's phases, for `casebook build` and `casebook serve`
    alike: lock, settings, shortcut, check, PDFs, editions, manifest, offline files.
    `check` replaces the check of the whole project (the preview checks what changed)."""
    try:
        with build_lock(project, options.label, wait=options.wait):
            if recover(target.work or project.root / "build", target.site):
                print(RECOVERED.format(site=target.site.name), file=sys.stderr)
            return _phases(project, target, options, progress, check)
    except BuildLocked as exc:
        return Outcome(1, "lock", str(exc))
    except OSError as exc:  # build/ a file, site/ read-only, the disk full: no traceback
        return Outcome(1, "build", os_failure(exc, project.root))


def _phases(
    project: Project, target: Target, options: Options, progress: Progress, check: Check | None
) -> Outcome:
    try:
        config = read_config(project)
    except ConfigRefused as exc:  # before MkDocs, or anything else, reads it
        print_problems(exc.problems, strict=options.strict)
        reason = f"check found {count(exc.problems)[0]} error(s) in mkdocs.yml"
        return Outcome(1, "check", reason, problems=exc.problems)
    # The address may come from the environment (CASEBOOK_SITE_URL), not only from a file.
    settings = SiteSettings.from_config(config)
    if options.publishing:
        _configuration_warnings(project, config, settings)
    manifest = Manifest.load(project, target.manifest)
    fingerprint = ""
    if options.shortcut:
        fingerprint = _fingerprint(project, options, settings)
        if manifest.fingerprint == fingerprint and (target.site / "index.html").is_file():
            problems = manifest.saved_problems()
            print_problems(problems, strict=options.strict)
            progress.step(
                f"Nothing changed since the last build: {target.site.name}/ is up to date "
                f"({count(problems)[1]} warning(s))"
            )
            code = offline(project, settings, progress, options, changed=False)
            return Outcome(code, problems=problems)
    progress.step("Checking cases, questions and vocabularies…")
    library, problems = check() if check is not None else _check_all(project)
    print_problems(problems, strict=options.strict)
    errors, warnings = count(problems)
    if library is None or errors or (options.strict and strict_count(problems)):
        reason = f"check found {errors} error(s) and {warnings} warning(s)"
        return Outcome(1, "check", reason, problems=problems)
    if options.zim and not offline_texts_fit(project, settings):  # the strings are sound
        return Outcome(1, "offline", problems=problems)
    drafts = draft_ids(library, problems)
    progress.step(
        f"{len(library.published)} published case(s), {len(drafts)} draft(s), {warnings} warning(s)"
    )
    try:
        pdfs = render_worksheet_pdfs(project, library, settings, progress) if options.pdf else {}
        ctx = make_context(project, library, manifest, target, progress, options, pdfs, config)
        built = build_editions(ctx, search=options.search)
    except BuildError as exc:
        return Outcome(1, "build", str(exc), library, problems)
    manifest.fingerprint = fingerprint
    manifest.remember_problems(problems)
    manifest.save()
    if options.prune_cache and options.pdf:
        prune_pdf_cache(project, pdfs, progress)
    if options.publishing:
        _summary(target, library, built, progress)
    code = offline(project, settings, progress, options, changed=built is not None)
    return Outcome(code, library=library, problems=problems, built=built)


def _check_all(project: Project) -> tuple[Library | None, list[Problem]]:
    result = check_project(project)
    return result.library, result.problems


def _configuration_warnings(
    project: Project, config: dict[str, Any], settings: SiteSettings
) -> None:
    if not settings.site_url:
        print(SITE_URL_WARNING, file=sys.stderr)
    for warning in (repository_warning(project, config), retired_key_warning(project, config)):
        if warning is not None:
            print(warning.format(), file=sys.stderr)


def _fingerprint(project: Project, options: Options, settings: SiteSettings) -> str:
    return input_fingerprint(
        project,
        f"strict={options.strict}",
        f"pdf={options.pdf}",
        f"zim={options.zim}",
        f"site_url={settings.site_url}",
        cms_signature(project),
    )


def _summary(target: Target, library: Library, built: Built | None, progress: Progress) -> None:
    if built is None:
        progress.step(f"Nothing changed since the last build: {target.site.name}/ is up to date")
        return
    progress.step(
        f"Done: {len(library.published)} case(s) reachable in each of "
        f"{len(library.languages.locales)} edition(s) in {target.site.name}/, "
        f"{len(built.warnings)} builder warning(s)"
    )


def offline_texts_fit(project: Project, settings: SiteSettings) -> bool:
    """Whether the offline files' texts fit their readers, asked before a `--zim` build: the
    site's pages offer the files, so the site is not built when they cannot be written."""
    from casebook.pipeline.zim import OfflineError, offline_texts  # loads libzim

    try:
        offline_texts(project, settings)
    except OfflineError as exc:
        print(f"{exc}\nbuild stopped: the offline files could not be written", file=sys.stderr)
        return False
    return True


def offline(
    project: Project, settings: SiteSettings, progress: Progress, options: Options, changed: bool
) -> int:
    """After the build: with `zim`, write the offline files from the finished site; without,
    remove those a changed site no longer matches, so that none is published stale. A
    preview's site offers none, so it leaves them alone."""
    if not options.publishing:
        return 0
    if not options.zim:
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
        write_offline(project, settings, progress)
    except (OfflineError, OSError, RuntimeError) as exc:
        print(f"{exc}\noffline files not written (site/ is built)", file=sys.stderr)
        return 1
    return 0
