"""`casebook build`: check, generate the builder's input, run the builder, verify.

The flow runs one way: sources -> validated library -> generated Markdown and data ->
MkDocs -> site/. The site is built into a temporary folder and swapped in only when the
build and the one-page-per-case check both pass, so a failed build never leaves a
half-built site behind.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from casebook.catalogue import open_data
from casebook.i18n import Languages, Locale
from casebook.postprocess import Editions, harden_site
from casebook.problems import count, print_problems
from casebook.project import Project
from casebook.render import Renderer, SiteSettings
from casebook.search import SearchIndexError, index_site
from casebook.validate import Library, check_project


class BuildError(Exception):
    """A build step failed; the message says what to do."""


@dataclass
class Progress:
    quiet: bool = False

    def __post_init__(self) -> None:
        self.started = time.perf_counter()

    def step(self, message: str) -> None:
        if not self.quiet:
            elapsed = time.perf_counter() - self.started
            print(f"[{elapsed:6.1f}s] {message}", file=sys.stderr, flush=True)


def read_config(project: Project) -> dict[str, Any]:
    """mkdocs.yml as plain data; Python tags that MkDocs understands are read as text."""

    class _Loader(yaml.SafeLoader):
        pass

    def _any(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> str:
        return str(getattr(node, "value", ""))

    _Loader.add_multi_constructor("tag:yaml.org,2002:python/", _any)
    _Loader.add_multi_constructor("!", _any)
    with project.mkdocs_yml.open(encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=_Loader)
    return data if isinstance(data, dict) else {}


@dataclass
class Generated:
    written: int
    unchanged: int
    removed: int


def docs_dir_for(project: Project, locale: Locale) -> Path:
    """The builder's docs folder of one edition: build/docs, or build/<language>/docs."""
    if locale.code == locale.original:
        return project.generated_dir
    return project.root / "build" / locale.code / "docs"


def generate(
    project: Project,
    library: Library,
    settings: SiteSettings,
    pdfs: dict[str, Path] | None = None,
    language: str | None = None,
) -> Generated:
    """Write one edition's guidance pages and generated pages into its docs folder.

    Only files whose bytes changed are rewritten, so a live-reloading server rebuilds
    only what changed, and files that are no longer generated are removed.
    """
    locale = library.languages.locales[language] if language else library.languages.default
    out = docs_dir_for(project, locale)
    wanted: dict[Path, bytes | Path] = {}
    for guidance, data in guidance_pages(project, locale):
        wanted[out / guidance] = data
    renderer = Renderer(library, locale, settings)
    for relative, text in renderer.pages():
        target = out / relative
        if target in wanted:
            raise BuildError(
                f"docs/{relative}: this page would be overwritten by a generated page; "
                "move or rename it"
            )
        wanted[target] = text.encode("utf-8")
    # Open data next to the pages: catalogue.json (the finder's data), .csv and .schema.json.
    for name, data in open_data(renderer.cases, renderer.facets, settings.site_url).items():
        wanted[out / name] = data
    for pdf_path, cached in (pdfs or {}).items():
        wanted[out / pdf_path] = cached
    return _sync(out, wanted)


def guidance_pages(project: Project, locale: Locale) -> Iterator[tuple[Path, bytes]]:
    """docs/, with an edition's translated pages from i18n/<language>/docs/ in place.

    A page not yet translated is shown in the original, with a notice in the reader's language.
    """
    translated = project.root / "i18n" / locale.code / "docs"
    is_original = locale.code == locale.original
    for source in sorted(project.docs_dir.rglob("*")):
        if not source.is_file():
            continue
        relative = source.relative_to(project.docs_dir)
        own = translated / relative
        if not is_original and own.is_file():
            yield relative, own.read_bytes()
        elif not is_original and source.suffix == ".md":
            yield relative, _with_notice(source.read_text(encoding="utf-8"), locale).encode()
        else:
            yield relative, source.read_bytes()


def _with_notice(text: str, locale: Locale) -> str:
    notice = locale.t(
        "page_not_translated",
        language=locale.language_name(locale.code),
        original=locale.language_name(locale.original),
    )
    block = f'!!! note ""\n    {notice}\n\n'
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            head, body = text[: end + 5], text[end + 5 :]
            return head + "\n" + block + body.lstrip("\n")
    return block + text


def write_config(project: Project, locale: Locale, languages: Languages) -> Path:
    """An edition's MkDocs config: the base mkdocs.yml, inherited, plus its language."""
    base = read_config(project)
    folder = project.root / "build" / locale.code
    is_original = locale.code == locale.original
    prefix = "" if is_original else "../"
    alternate = [
        {"name": other.name, "link": _edition_link(locale, other.code), "lang": other.code}
        for other in languages.locales.values()
    ]
    strings = {
        key: locale.t(key)
        for key in (
            "exit_label", "exit_hint", "exit_more_other", "exit_more_one", "exit_activated",
            "exit_timeout", "skip_to_content", "search_label", "search_placeholder",
            "search_results_one", "search_results_other", "search_none", "search_none_status",
            "search_browse", "search_unavailable",
        )
    }  # fmt: skip
    # The key's name sits between two texts, so templates need no string methods.
    before, _, after = locale.t("exit_hint").partition("{key}")
    strings.update(exit_hint_before=before.strip(), exit_hint_after=after.strip())
    config: dict[str, Any] = {
        # Paths relative to this file, so another builder (Zensical) can read it too.
        "INHERIT": os.path.relpath(project.mkdocs_yml, folder),
        "docs_dir": os.path.relpath(docs_dir_for(project, locale), folder),
        "theme": {
            "language": locale.code,
            "custom_dir": os.path.relpath(project.overrides_dir, folder),
        },
        "extra": {
            "alternate": alternate if len(languages.locales) > 1 else [],
            "casebook": {"strings": strings, "site_root": prefix},
        },
    }
    if isinstance(base.get("nav"), list):
        config["nav"] = _translate_nav(base["nav"], locale)
    path = folder / "mkdocs.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def _edition_link(locale: Locale, other: str) -> str:
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
                    locale.nav_title(title): _translate_nav(value, locale)
                    if isinstance(value, list)
                    else value
                    for title, value in item.items()
                }
            )
        else:
            out.append(item)
    return out


def _sync(out: Path, wanted: dict[Path, bytes | Path]) -> Generated:
    written = unchanged = removed = 0
    for path, data in wanted.items():
        if _same(path, data):
            unchanged += 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, Path):
            # A cached PDF: link it in rather than copy megabytes on every build.
            path.unlink(missing_ok=True)
            try:
                os.link(data, path)
            except OSError:
                shutil.copyfile(data, path)
        else:
            path.write_bytes(data)
        written += 1
    if out.is_dir():
        for path in sorted(out.rglob("*"), reverse=True):
            if path.is_file() and path not in wanted:
                path.unlink()
                removed += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return Generated(written, unchanged, removed)


def _same(path: Path, data: bytes | Path) -> bool:
    if not path.is_file():
        return False
    if isinstance(data, Path):
        return path.samefile(data) or (
            path.stat().st_size == data.stat().st_size and path.read_bytes() == data.read_bytes()
        )
    return path.stat().st_size == len(data) and path.read_bytes() == data


class _Collect(logging.Handler):
    """Collects the builder's warnings so the summary can count them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        self.messages.append(message)
        print(f"mkdocs {record.levelname.lower()}: {message}", file=sys.stderr)


def run_mkdocs(
    project: Project, site_dir: Path, strict: bool = False, config_file: Path | None = None
) -> list[str]:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        config = load_config(
            config_file=str(config_file or project.mkdocs_yml),
            site_dir=str(site_dir),
            strict=strict,
        )
        build(config)
    except MkDocsException as exc:
        raise BuildError(f"mkdocs.yml: the site builder stopped: {exc}") from exc
    finally:
        logger.removeHandler(handler)
    return handler.messages


def verify(site_dir: Path, cases: Iterable[str], drafts: Iterable[str]) -> None:
    """Every published case became exactly one page, and no draft did."""
    expected = set(cases)
    built = {p.parent.name for p in (site_dir / "cases").glob("*/index.html")}
    missing = sorted(expected - built)
    extra = sorted(built - expected)
    if missing:
        raise BuildError(f"site/: no page was built for case(s) {', '.join(missing)}")
    if extra:
        raise BuildError(f"site/: pages were built for unexpected case(s) {', '.join(extra)}")
    leaked = sorted(d for d in drafts if (site_dir / "cases" / d).exists())
    if leaked:
        raise BuildError(f"site/: draft case(s) {', '.join(leaked)} were published")


def build_site(
    project: Project, pdf: bool = True, strict: bool = False, quiet: bool = False
) -> int:
    progress = Progress(quiet)
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
    library = result.library
    published = library.published
    drafts = [c.id for c in library.cases if not c.published]
    progress.step(
        f"{len(published)} published case(s), {len(drafts)} draft(s), {warnings} warning(s)"
    )
    try:
        settings = SiteSettings.from_config(read_config(project))
        editions = list(library.languages.locales.values())
        pdfs = render_worksheet_pdfs(project, library, settings, progress) if pdf else {}
        changed = 0
        configs: dict[str, Path] = {}
        for locale in editions:
            generated = generate(project, library, settings, pdfs.get(locale.code), locale.code)
            changed += generated.written + generated.removed
            progress.step(
                f"[{locale.code}] generated pages: {generated.written} written, "
                f"{generated.unchanged} unchanged, {generated.removed} removed"
            )
            configs[locale.code] = write_config(project, locale, library.languages)
        stamp = _stamp(project, strict)
        stamp_file = project.root / "build" / "site.stamp"
        if (
            not changed
            and project.site_dir.is_dir()
            and stamp_file.is_file()
            and stamp_file.read_text(encoding="utf-8") == stamp
        ):
            progress.step(
                f"Nothing changed since the last build: {project.site_dir.name}/ is up to date"
            )
            return 0
        stamp_file.unlink(missing_ok=True)
        staging = project.root / "build" / "site.tmp"
        if staging.exists():
            shutil.rmtree(staging)
        mkdocs_warnings: list[str] = []
        # The original edition first: MkDocs empties its site folder, which holds the others.
        for locale in editions:
            progress.step(f"[{locale.code}] building with MkDocs…")
            site = staging if locale.code == locale.original else staging / locale.code
            mkdocs_warnings += run_mkdocs(
                project, site, strict=strict, config_file=configs[locale.code]
            )
            verify(site, (c.id for c in published), drafts)
        try:
            search = index_site(staging)
        except SearchIndexError as exc:
            raise BuildError(str(exc)) from exc
        progress.step(f"Search index: {search.pages} page(s), {search.bytes // 1024} KB in chunks")
        hardened = harden_site(staging, Editions([e.code for e in editions], settings.site_url))
        progress.step(f"Content-Security-Policy and safe links added to {hardened.pages} page(s)")
        _swap(staging, project.site_dir)
        stamp_file.write_text(stamp, encoding="utf-8")
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    progress.step(
        f"Done: {len(published)} case page(s) in each of {len(editions)} edition(s) in "
        f"{project.site_dir.name}/, {len(mkdocs_warnings)} builder warning(s)"
    )
    return 0


def _stamp(project: Project, strict: bool) -> str:
    """What the built site depends on besides the generated pages: config, theme, code."""
    import hashlib

    from casebook import __version__

    digest = hashlib.sha256(f"{__version__} strict={strict}".encode())
    sources = [
        project.mkdocs_yml,
        *sorted(p for p in project.overrides_dir.rglob("*") if p.is_file()),
    ]
    for path in sources:
        digest.update(str(path.relative_to(project.root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def render_worksheet_pdfs(
    project: Project, library: Library, settings: SiteSettings, progress: Progress
) -> dict[str, dict[str, Path]]:
    """Every edition's PDFs (language -> docs path -> cached file), rendered in one pool."""
    from casebook.worksheets import PdfError, load_facilitator_notes, print_documents, render_pdfs

    documents: dict[str, list[tuple[str, str]]] = {}
    for locale in library.languages.locales.values():
        notes, problems = load_facilitator_notes(project, locale.code)
        if notes is None:
            raise BuildError("; ".join(p.format() for p in problems))
        renderer = Renderer(library, locale, settings)
        documents[locale.code] = list(print_documents(renderer, notes))
    try:
        result = render_pdfs(project, documents, progress, original=library.languages.default.code)
    except PdfError as exc:
        raise BuildError(str(exc)) from exc
    progress.step(
        f"Worksheet PDFs ready: {result.rendered} rendered, {result.cached} from the cache"
    )
    return result.files


def _swap(new: Path, site: Path) -> None:
    old = site.with_name(site.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if site.exists():
        site.rename(old)
    new.rename(site)
    if old.exists():
        shutil.rmtree(old)
