"""The site builder: each edition's MkDocs configuration, and its runs.

The only module that knows MkDocs. What it is given is plain Markdown and data, so another
builder (Zensical) can build the same folders from the same configuration files.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from casebook.editor.cms import signature as cms_signature
from casebook.outputs.postprocess import prune_unused_assets
from casebook.pages.render import SiteSettings
from casebook.pipeline.context import BuildError
from casebook.pipeline.files import link_or_copy, write
from casebook.pipeline.guidance import split_front_matter
from casebook.sources.digests import sha, tree_digest
from casebook.sources.i18n import Languages, Locale
from casebook.sources.plaintext import escape
from casebook.sources.problems import Problem, display_path
from casebook.sources.project import Project
from casebook.sources.siteconfig import ConfigRefused as SiteConfigRefused
from casebook.sources.siteconfig import read_site_config

# The interface strings the theme override shows (quick exit, skip link, search box).
THEME_STRINGS = (
    "exit_label", "exit_hint", "exit_more_other", "exit_more_one", "exit_activated",
    "exit_timeout", "skip_to_content", "search_label", "search_placeholder",
    "search_results_one", "search_results_other", "search_none", "search_none_status",
    "search_browse", "search_unavailable", "search_close",
)  # fmt: skip


class ConfigRefused(BuildError, SiteConfigRefused):
    """mkdocs.yml is not safe to build (casebook.sources.siteconfig): a step of the build
    that reads it stops as for any other BuildError."""

    def __init__(self, problems: list[Problem]) -> None:
        SiteConfigRefused.__init__(self, problems)


def read_config(project: Project) -> dict[str, Any]:
    """mkdocs.yml as plain data, through the guard every source file goes through (the
    check reports the same problems); the `!!python/name:` tags it allows are read as text."""
    data, problems = read_site_config(
        project.mkdocs_yml, display_path(project.mkdocs_yml, project.root)
    )
    if any(problem.is_error for problem in problems):
        raise ConfigRefused(problems)
    return data


def write_config(project: Project, locale: Locale, languages: Languages, docs_dir: Path) -> Path:
    """An edition's MkDocs config: the base mkdocs.yml, inherited, plus its language."""
    base = read_config(project)
    folder = project.root / "build" / locale.code
    is_original = locale.code == locale.original
    alternate = [
        {"name": escape(other.name), "link": edition_link(locale, other.code), "lang": other.code}
        for other in languages.locales.values()
    ]
    config: dict[str, Any] = {
        # Paths relative to this file, so another builder (Zensical) can read it too.
        "INHERIT": os.path.relpath(project.mkdocs_yml, folder),
        "docs_dir": os.path.relpath(docs_dir, folder),
        "theme": {
            "language": locale.code,
            "custom_dir": os.path.relpath(project.overrides_dir, folder),
        },
        "extra": {
            "alternate": alternate if len(languages.locales) > 1 else [],
            "casebook": {
                "strings": _theme_strings(locale),
                "site_root": "" if is_original else "../",
            },
        },
    }
    if isinstance(base.get("nav"), list):
        config["nav"] = _translate_nav(base["nav"], locale)
    # Each edition's own address (from mkdocs.yml or CASEBOOK_SITE_URL): its sitemap and
    # canonical links then point at its own pages.
    site_url = SiteSettings.from_config(base).site_url
    if site_url:
        config["site_url"] = site_url.rstrip("/") + "/" + ("" if is_original else f"{locale.code}/")
    path = folder / "mkdocs.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def _theme_strings(locale: Locale) -> dict[str, str]:
    strings = {key: locale.t(key) for key in THEME_STRINGS}
    # The key's name sits between two texts, so templates need no string methods.
    before, _, after = locale.t("exit_hint").partition("{key}")
    strings.update(exit_hint_before=before.strip(), exit_hint_after=after.strip())
    return strings


def edition_link(locale: Locale, other: str) -> str:
    """The link from one edition's root to another's: `./`, `es/`, `../` or `../fr/`."""
    if other == locale.code:
        return "./"
    up = "" if locale.code == locale.original else "../"
    return (up or "./") if other == locale.original else f"{up}{other}/"


def _translate_nav(items: list[Any], locale: Locale) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if isinstance(item, dict):
            out.append(
                {
                    escape(locale.nav_title(title)): _translate_nav(value, locale)
                    if isinstance(value, list)
                    else value
                    for title, value in item.items()
                }
            )
        else:
            out.append(item)
    return out


def nav_pages(config: dict[str, Any]) -> list[str]:
    """The docs paths the navigation names: every page shows the navigation."""
    found: list[str] = []

    def walk(items: Any) -> None:
        if isinstance(items, list):
            for item in items:
                walk(item)
        elif isinstance(items, dict):
            for value in items.values():
                walk(value)
        elif isinstance(items, str) and items.endswith(".md"):
            found.append(items)

    walk(config.get("nav"))
    return found


def html_path(docs_path: str) -> str:
    """Where the builder writes a page: `a/b.md` -> `a/b/index.html` (directory URLs)."""
    stem = docs_path[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return stem + ".html"
    return stem + "/index.html"


def stamp(project: Project, strict: bool, config: Path) -> str:
    """What an edition's built pages depend on besides its docs: config, theme, code."""
    import importlib.metadata as metadata

    from casebook import __version__

    versions = [metadata.version(name) for name in ("mkdocs", "mkdocs-material")]
    sources = [
        project.mkdocs_yml,
        config,
        *sorted(p for p in project.overrides_dir.rglob("*") if p.is_file()),
    ]
    return sha(
        __version__,
        f"strict={strict}",
        cms_signature(project),
        *versions,
        tree_digest(project.root, sources),
    )


class _Collect(logging.Handler):
    """Collects the builder's warnings so the summary can count them."""

    def __init__(self, echo: bool = True) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.echo = echo

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        self.messages.append(message)
        if self.echo:
            print(f"mkdocs {record.levelname.lower()}: {message}", file=sys.stderr)


def run_mkdocs(
    project: Project,
    site_dir: Path,
    strict: bool = False,
    config_file: Path | None = None,
    docs_dir: Path | None = None,
    echo: bool = True,
) -> list[str]:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logger = logging.getLogger("mkdocs")
    handler = _Collect(echo)
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    overrides: dict[str, Any] = {"docs_dir": str(docs_dir)} if docs_dir else {}
    try:
        config = load_config(
            config_file=str(config_file or project.mkdocs_yml),
            site_dir=str(site_dir),
            strict=strict,
            **overrides,
        )
        # No bytecode cache on disk: Jinja reads one with marshal, so a crafted file in
        # .cache/ would run code. Compiled templates live in each builder's memory only;
        # a folder an earlier version wrote there is removed, never read.
        shutil.rmtree(project.cache_dir / "jinja", ignore_errors=True)
        if docs_dir is not None:
            # A partial build takes only its outdated pages: no 404 page, no sitemap.
            config.theme.static_templates.clear()
        build(config)
    except MkDocsException as exc:
        raise BuildError(f"mkdocs.yml: the site builder stopped: {exc}") from exc
    finally:
        logger.removeHandler(handler)
    return handler.messages


@dataclass
class BuilderJob:
    """One edition's run of the site builder, in a worker process."""

    code: str
    root: Path
    config: Path
    out: Path  # an empty folder the builder writes into
    strict: bool
    docs: Path | None = None  # a partial docs folder; None builds the whole edition
    pages: list[str] = field(default_factory=list)  # partial: the pages to take (html paths)
    source: Path | None = None  # partial: the edition's whole docs folder


def build_edition(job: BuilderJob) -> list[str]:
    if job.out.exists():
        shutil.rmtree(job.out)
    if job.docs is None:
        warnings = run_mkdocs(Project(job.root), job.out, job.strict, job.config)
        prune_unused_assets(job.out)
        return warnings
    # A partial build holds only some pages, so the builder's own strict mode would stop on
    # links to pages that are simply not in it: those are dropped, the rest count as in a
    # whole build, strict mode included.
    found = run_mkdocs(Project(job.root), job.out, False, job.config, job.docs, echo=False)
    warnings = real_warnings(found, job.source or job.docs)
    for message in warnings:
        print(f"mkdocs warning: {message}", file=sys.stderr)
    if job.strict and warnings:
        raise BuildError(
            f"mkdocs.yml: the site builder stopped: {len(warnings)} warning(s) in strict mode"
        )
    return warnings


# MkDocs names the target from the docs folder when it differs from the link as written.
_MISSING_TARGET = re.compile(
    r"contains a link '(?P<link>[^'#]*)[^']*', but the target (?:'(?P<target>[^']+)' )?"
    r"is not found among documentation files"
)


def real_warnings(messages: list[str], source: Path) -> list[str]:
    """A partial build's warnings, less those about links to pages that the whole edition
    (`source`) has but the partial folder does not."""
    kept = []
    for message in messages:
        missing = _MISSING_TARGET.search(message)
        if missing and (source / (missing["target"] or missing["link"])).is_file():
            continue
        kept.append(message)
    return kept


def partial_docs(source: Path, folder: Path, base: dict[str, Any], outdated: list[str]) -> Path:
    """A docs folder with the outdated pages linked in, and the navigation's other pages
    as stubs: the navigation needs their titles, not their content (the worksheets index
    and the library's first page are 300 KB of Markdown at 1,000 cases)."""
    if folder.exists():
        shutil.rmtree(folder)
    pages = {p for p in outdated if p.endswith(".md")}
    for path in sorted({*nav_pages(base), *pages}):
        if (source / path).is_file():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            if path in pages:
                link_or_copy(str(source / path), str(folder / path))
            else:
                write(folder / path, _stub(source / path))
    return folder


def _stub(page: Path) -> bytes:
    """A page's front matter and first heading: what a navigation shows of it."""
    head, text = split_front_matter(page.read_text(encoding="utf-8"))
    heading = next((line for line in text.splitlines() if line.startswith("# ")), "")
    return (head + heading + "\n").encode("utf-8")
