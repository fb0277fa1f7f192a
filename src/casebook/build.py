"""`casebook build`: check, generate the builder's input, run the builder, verify.

The flow runs one way: sources -> validated library -> generated Markdown and data ->
MkDocs -> site/. The site is built into a temporary folder and swapped in only when the
build and the one-page-per-case check both pass, so a failed build never leaves a
half-built site behind.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from casebook import composer, worksheets
from casebook.catalogue import CATALOGUE_FILE, CSV_FILE, SCHEMA_FILE, Related, open_data
from casebook.cms import signature as cms_signature
from casebook.cms import write_admin
from casebook.i18n import Languages, Locale
from casebook.incremental import (
    Digests,
    EditionState,
    Manifest,
    environment_digest,
    input_fingerprint,
    sha,
    tree_digest,
)
from casebook.model import Case
from casebook.postprocess import (
    Editions,
    add_sitemap_stubs,
    harden_files,
    prune_unused_assets,
    set_site,
)
from casebook.problems import count, print_problems
from casebook.project import Project
from casebook.render import Renderer, SiteSettings, original_url, relative
from casebook.search import (
    DELTA,
    PRIMARY,
    IndexJob,
    SearchIndexError,
    no_delta,
    plan_index,
    run_index,
)
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
    # docs paths whose bytes changed, and those removed (the builder's outdated pages)
    changed: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    # docs path -> [key of its inputs, hash of its bytes, size, mtime]: what the file holds
    records: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def contents(self) -> dict[str, str]:
        """docs path -> hash of the file's bytes."""
        return {path: record[1] for path, record in self.records.items()}

    skipped: int = 0  # outputs whose inputs had not changed, so were not generated at all
    same: list[str] = field(default_factory=list)  # generated again, with the same bytes


def docs_dir_for(project: Project, locale: Locale) -> Path:
    """The builder's docs folder of one edition: build/docs, or build/<language>/docs."""
    if locale.code == locale.original:
        return project.generated_dir
    return project.root / "build" / locale.code / "docs"


@dataclass
class Output:
    """One file of an edition's docs folder: the key of its inputs, and how to make it."""

    key: str
    make: Callable[[], bytes | Path]


def plan(
    project: Project,
    renderer: Renderer,
    settings: SiteSettings,
    pdfs: dict[str, Path] | None,
    environment: str,
    digests: Digests,
    current: dict[str, str],
) -> dict[str, Output]:
    """Every output of one edition, keyed by its inputs. `current` holds the keys of what
    the docs folder holds now; pages whose key is unchanged are not rendered again."""
    locale = renderer.locale
    outputs: dict[str, Output] = {}

    def constant(data: bytes | Path) -> Callable[[], bytes | Path]:
        return lambda: data

    def from_worksheets() -> bytes:
        # Filled in below from the worksheet generator, for every outdated page.
        raise BuildError("worksheets: a worksheet page was not generated; report this as a bug")

    def text(make: Callable[[], str]) -> Callable[[], bytes]:
        return lambda: make().encode("utf-8")

    # Cases: a case page depends on its case and on the cards of its related cases.
    listing = sha(environment, "listing", *(digests.meta(c) for c in renderer.cases))
    if any(renderer.in_language(c) for c in renderer.cases):
        _related_from_cache(project, renderer, listing)
    outdated: list[Case] = []
    for case in renderer.cases:
        if renderer.in_language(case):
            related = [
                digests.meta(r.case) + "|".join(r.shared_labels)
                for r in renderer.related.get(case.id, [])
            ]
            key = sha(environment, "case", digests.full(case), *related)
        else:  # the link page shows the front matter only
            key = sha(environment, "fallback", digests.meta(case))
        outputs[f"cases/{case.id}.md"] = Output(
            key,
            text(lambda case=case: renderer.edition_case_page(case)),  # type: ignore[misc]
        )
        if renderer.in_language(case):
            sheet_key = sha(environment, "worksheets", digests.full(case))
            declared = worksheets.declared_audiences(case, renderer.audiences)
            for audience in [*(a.id for a in declared), "index"]:
                path = f"worksheets/{case.id}/{audience}.md"
                outputs[path] = Output(sheet_key, from_worksheets)
                if current.get(path) != sheet_key:
                    outdated.append(case)
    # Listings, browse pages and open data depend on every case's front matter.
    listed: dict[str, Callable[[], bytes | Path]] = {
        "browse/index.md": text(renderer.browse_index),
        "support.md": text(renderer.support_page),
    }
    for path in worksheets.index_paths(renderer):
        listed[path] = from_worksheets
    library_made: dict[str, bytes] = {}

    def library_file(path: str) -> bytes:
        if not library_made:  # every page of the library at once: they share their pager
            library_made.update((p, t.encode("utf-8")) for p, t in renderer.library_pages())
        return library_made[path]

    for path in renderer.library_paths():
        listed[path] = lambda path=path: library_file(path)  # type: ignore[misc]
    for facet in renderer.facets:
        counts = facet.counts(renderer.cases)
        listed[f"browse/{facet.id}/index.md"] = text(
            lambda facet=facet, counts=counts: renderer.facet_index(facet, counts)  # type: ignore[misc]
        )
        for value in counts:
            listed[f"browse/{facet.id}/{value.lower()}.md"] = text(
                lambda facet=facet, value=value: renderer.facet_page(facet, value)  # type: ignore[misc]
            )
    catalogue: dict[str, bytes] = {}

    def open_data_file(name: str) -> bytes:
        if not catalogue:  # made once, and only when the listings are out of date
            catalogue.update(open_data(renderer.cases, renderer.facets, settings.site_url))
        return catalogue[name]

    for name in OPEN_DATA_FILES:
        listed[name] = lambda name=name: open_data_file(name)  # type: ignore[misc]
    for path, make in listed.items():
        outputs[path] = Output(listing, make)
    # Worksheet pages come from one generator: run it over the cases that need it only.
    sheets: dict[str, bytes] = {}
    if current.get("worksheets/index.md") != listing:
        source: Renderer = renderer
    else:
        source = copy.copy(renderer)
        source.cases = list({case.id: case for case in outdated}.values())
    if source is renderer or source.cases:
        link_from = lambda url: lambda target: relative(url, target)  # noqa: E731
        sheets_made = worksheets.web_pages(
            source, renderer.library.support, renderer.notes, link_from
        )
        index = set(worksheets.index_paths(renderer))
        for path, sheet in sheets_made:
            if source is renderer or path not in index:
                sheets[path] = sheet.encode("utf-8")
    for path, made in sheets.items():
        if path in outputs:
            outputs[path] = Output(outputs[path].key, constant(made))
    # The session composer: its page and data follow the listing, each case's file its case.
    if renderer.notes is not None:
        composed: dict[str, bytes] = {}

        def composed_file(path: str) -> bytes:
            if not composed:  # made once, and only when one of them is out of date
                made = composer.pages(
                    renderer,
                    renderer.library.support,
                    renderer.notes,
                    lambda url: lambda target: relative(url, target),
                )
                composed.update((p, text.encode("utf-8")) for p, text in made)
            return composed[path]

        for case in renderer.cases:
            outputs[composer.case_path(case)] = Output(
                sha(environment, "compose", digests.full(case)),
                text(lambda case=case: composer.case_json(renderer, case)),  # type: ignore[misc]
            )
        for name in ("index.md", "session.json", "print.css"):
            path = composer.COMPOSE_URL + name
            outputs[path] = Output(listing, lambda path=path: composed_file(path))  # type: ignore[misc]
    for pdf_path, cached in (pdfs or {}).items():
        outputs[pdf_path] = Output(sha("pdf", cached.name), constant(cached))
    for page, content in guidance_pages(project, locale):
        if page.as_posix() in outputs:
            raise BuildError(
                f"docs/{page.as_posix()}: this page would be overwritten by a generated page; "
                "move or rename it"
            )
        outputs[page.as_posix()] = Output(sha("guidance", content), constant(content))
    return outputs


def _related_from_cache(project: Project, renderer: Renderer, listing: str) -> None:
    """Related cases depend only on every case's front matter (`listing`), and comparing
    every case with every other costs 0.7 s at 1,000 cases: an edit to a case's body, the
    usual one, reuses the last result."""
    path = project.cache_dir / f"related-{renderer.locale.code}.json"
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cached = {}
    if cached.get("key") == listing:
        cases = {case.id: case for case in renderer.cases}
        facets = renderer.facets
        renderer.__dict__["related"] = {  # functools.cached_property's own slot
            case_id: [
                Related(cases[other], [(facets[f], value) for f, value in shared])
                for other, shared in found
            ]
            for case_id, found in cached["related"].items()
        }
        return
    index = {id(facet): n for n, facet in enumerate(renderer.facets)}
    data = {
        case_id: [
            [r.case.id, [[index[id(facet)], value] for facet, value in r.shared]] for r in found
        ]
        for case_id, found in renderer.related.items()
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    partial.write_text(json.dumps({"key": listing, "related": data}), encoding="utf-8")
    os.replace(partial, path)


def generate(
    project: Project,
    library: Library,
    settings: SiteSettings,
    pdfs: dict[str, Path] | None = None,
    language: str | None = None,
    current: dict[str, list[Any]] | None = None,
    environment: str | None = None,
    digests: Digests | None = None,
) -> Generated:
    """Write one edition's guidance pages and generated pages into its docs folder.

    `current` maps docs paths to the keys of their inputs when they were last written
    (from the manifest): an output whose key is unchanged is not generated again. Of the
    rest, only files whose bytes changed are rewritten, and files no longer generated are
    removed.
    """
    locale = library.languages.locales[language] if language else library.languages.default
    out = docs_dir_for(project, locale)
    recorded = current or {}
    # A file is what the manifest says only if nobody wrote it since (a failed build, say).
    valid: dict[str, list[Any]] = {}
    folder = str(out)
    for name, record in recorded.items():
        try:
            info = os.stat(f"{folder}/{name}")  # not pathlib: 10,000 files at 1,000 cases
        except OSError:
            continue
        if [info.st_size, info.st_mtime_ns] == record[2:4]:
            valid[name] = record
    environment = environment or environment_digest(project)
    notes, problems = worksheets.load_facilitator_notes(project, locale.code)
    if notes is None:
        raise BuildError("; ".join(p.format() for p in problems))
    renderer = Renderer(library, locale, settings, notes)
    keys = {path: record[0] for path, record in valid.items()}
    outputs = plan(project, renderer, settings, pdfs, environment, digests or Digests(), keys)
    result = Generated(0, 0, 0)
    for relative_path, output in outputs.items():
        target = out / relative_path
        if relative_path in valid and valid[relative_path][0] == output.key:
            result.skipped += 1
            result.records[relative_path] = valid[relative_path]
            continue
        data = output.make()
        content = sha("pdf", data.name) if isinstance(data, Path) else sha(data)
        if not _same(target, data):
            _write(target, data)
            result.written += 1
            result.changed.append(relative_path)
        else:
            result.unchanged += 1
        stat = target.stat()
        result.records[relative_path] = [output.key, content, stat.st_size, stat.st_mtime_ns]
    # Remove what is no longer generated, and folders left empty (os.walk: a fraction of
    # the time of rglob and Path objects).
    for parent, _, files in os.walk(folder, topdown=False):
        relative = os.path.relpath(parent, folder).replace(os.sep, "/")
        prefix = "" if relative == "." else relative + "/"
        for name in files:
            if prefix + name not in outputs:
                os.unlink(os.path.join(parent, name))
                result.removed += 1
                result.gone.append(prefix + name)
        if prefix and not os.listdir(parent):
            os.rmdir(parent)
    result.gone.sort(reverse=True)
    return result


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
    head, body = split_front_matter(text)
    return head + "\n" + block + body.lstrip("\n") if head else block + text


def split_front_matter(text: str) -> tuple[str, str]:
    """(the front matter with its fences, the rest); ("", text) when there is none."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return text[: end + 5], text[end + 5 :]
    return "", text


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


def _write(path: Path, data: bytes | Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)  # never write through a link into a cached or built file
    if isinstance(data, Path):
        # A cached PDF: link it in rather than copy megabytes on every build.
        try:
            os.link(data, path)
        except OSError:
            shutil.copyfile(data, path)
    else:
        path.write_bytes(data)


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
        _cache_templates(config, project.cache_dir / "jinja")
        if docs_dir is not None:
            # A partial build takes only its outdated pages: no 404 page, no sitemap.
            config.theme.static_templates.clear()
        build(config)
    except MkDocsException as exc:
        raise BuildError(f"mkdocs.yml: the site builder stopped: {exc}") from exc
    finally:
        logger.removeHandler(handler)
    return handler.messages


def _cache_templates(config: Any, folder: Path) -> None:
    """Keep the theme's compiled templates between builds (Jinja's own bytecode cache,
    checked against each template's source): compiling Material's templates is a third of
    a second in every builder process, most of a one-page rebuild's builder time."""
    from jinja2 import FileSystemBytecodeCache

    folder.mkdir(parents=True, exist_ok=True)
    theme = config.theme
    make = theme.get_env

    def get_env() -> Any:
        env = make()
        env.bytecode_cache = FileSystemBytecodeCache(str(folder))
        return env

    setattr(theme, "get_env", get_env)  # noqa: B010 (an instance's own, not the class's)


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


def verify_reachable(
    site: Path, library: Library, rebuilt: dict[str, set[str]] | None = None
) -> None:
    """Every published case is reachable in every edition: its own page there, or a page
    that links to the case's page in its original edition, which exists.

    With `rebuilt` (edition -> docs paths rebuilt; an edition left out was rebuilt whole),
    only the link pages rebuilt now are read again: the others were verified when built."""
    published = [c.id for c in library.published]
    drafts = [c.id for c in library.cases if not c.published]
    for locale in library.languages.locales.values():
        edition = site if locale.code == locale.original else site / locale.code
        where = "site/" if edition == site else f"site/{locale.code}/"
        try:
            verify(edition, published, drafts)
        except BuildError as exc:
            raise BuildError(f"{where}: {exc}".replace(": site/:", ":")) from exc
        if locale.code == locale.original:
            continue
        own = library.translations.get(locale.code, {})
        fresh = None if rebuilt is None else rebuilt.get(locale.code)
        for case in library.published:
            if case.id in own and own[case.id].published:
                continue
            if fresh is not None and f"cases/{case.id}.md" not in fresh:
                continue
            target = original_url(case, locale)
            page = (edition / "cases" / case.id / "index.html").read_text(encoding="utf-8")
            link = relative(f"{locale.code}/{case.url}", target)
            if f'href="{link}"' not in page or not (site / target / "index.html").is_file():
                raise BuildError(
                    f"{where}cases/{case.id}/: this untranslated case does not link to its "
                    f"original at /{target}; rebuild, and report it if it happens again"
                )


def html_path(docs_path: str) -> str:
    """Where the builder writes a page: `a/b.md` -> `a/b/index.html` (directory URLs)."""
    stem = docs_path[: -len(".md")]
    if stem == "index" or stem.endswith("/index"):
        return stem + ".html"
    return stem + "/index.html"


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


OPEN_DATA_FILES = (CATALOGUE_FILE, CSV_FILE, SCHEMA_FILE)
# Generated pages whose links are final URLs: they can be built without the rest.
PARTIAL_SAFE = ("cases/", "worksheets/", "browse/", "support.md")
# Pages the search index leaves out (see overrides/main.html): no need to index again.
UNSEARCHED = ("worksheets/", "browse/", "cases/index.md", "cases/page/")
# Above this many outdated pages, building the whole edition is as quick.
PARTIAL_LIMIT = 400


@dataclass
class EditionJob:
    """One edition's run of the site builder, in a worker process."""

    code: str
    root: Path
    config: Path
    out: Path  # an empty folder the builder writes into
    strict: bool
    docs: Path | None = None  # a partial docs folder; None builds the whole edition
    pages: list[str] = field(default_factory=list)  # partial: the pages to take (html paths)


def _build_edition(job: EditionJob) -> list[str]:
    if job.out.exists():
        shutil.rmtree(job.out)
    partial = job.docs is not None
    # A partial build holds the navigation's pages, whose links to pages outside it would
    # only raise warnings about pages that are not taken from it.
    warnings = run_mkdocs(
        Project(job.root),
        job.out,
        strict=job.strict and not partial,
        config_file=job.config,
        docs_dir=job.docs,
        echo=not partial,
    )
    if not partial:
        prune_unused_assets(job.out)
    return [] if partial else warnings


@dataclass
class Plan:
    locale: Locale
    generated: Generated
    mode: str  # "skip", "partial" or "full"
    outdated: list[str]  # docs paths whose built page is out of date
    config: Path  # the edition's builder configuration
    reason: str = ""
    gone: list[str] = field(default_factory=list)  # files no longer generated (not pages)
    job: EditionJob | None = None


def outdated_pages(generated: Generated, built: dict[str, str]) -> list[str]:
    """Docs paths whose bytes differ from those last built into the site."""
    return [path for path, content in generated.contents.items() if built.get(path) != content]


def _decide(
    locale: Locale,
    generated: Generated,
    outdated: list[str],
    state: EditionState,
    stamp: str,
    site: Path,
) -> tuple[str, str]:
    prefix = "" if locale.code == locale.original else f"{locale.code}/"
    if not (site / prefix / "index.html").is_file():
        return "full", "no site yet"
    if state.stamp != stamp:
        return "full", "configuration, theme or options changed"
    keys = generated.records
    gone = [p for p in state.site if p not in keys and p.endswith(".md")]
    added = [p for p in keys if p not in state.site and p.endswith(".md")]
    if gone or added:
        return "full", f"{len(added)} page(s) added, {len(gone)} removed"
    if not outdated and not [p for p in state.site if p not in keys]:
        return "skip", "nothing changed"
    pages = [p for p in outdated if p.endswith(".md")]
    if not pages:
        return "copy", f"{len(outdated)} file(s) changed, no page"
    unsafe = [p for p in pages if not p.startswith(PARTIAL_SAFE)]
    if unsafe:
        return "full", f"guidance page(s) changed: {', '.join(unsafe[:3])}"
    if len(pages) > PARTIAL_LIMIT:
        return "full", f"{len(pages)} page(s) outdated"
    return "partial", f"{len(pages)} page(s) outdated"


def _stamp(project: Project, strict: bool, config: Path) -> str:
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


def link_tree(source: Path, target: Path) -> None:
    """A copy of a folder made of hard links: quick, and the original is never written to
    (every later change replaces a file rather than writing into it)."""
    try:
        subprocess.run(["cp", "-al", str(source), str(target)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source, target, copy_function=_link_or_copy)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


SITE_URL_WARNING = (
    "mkdocs.yml: warning: site_url: not set, so sitemap.xml lists no page, the suggested "
    "citations end with a bare path (/cases/<id>/) instead of a full address, and the printed "
    "worksheets give no web address; add the address the site is published at, e.g. "
    "'site_url: https://casebook.example.org/'"
)


def build_site(
    project: Project,
    pdf: bool = True,
    strict: bool = False,
    quiet: bool = False,
    prune_cache: bool = False,
) -> int:
    progress = Progress(quiet)
    config = read_config(project)
    if not SiteSettings.from_config(config).site_url:
        print(SITE_URL_WARNING, file=sys.stderr)
    manifest = Manifest.load(project)
    # The address may come from the environment (CASEBOOK_SITE_URL), not only from a file.
    address = SiteSettings.from_config(config).site_url
    fingerprint = input_fingerprint(
        project, f"strict={strict}", f"pdf={pdf}", f"site_url={address}", cms_signature(project)
    )
    if manifest.fingerprint == fingerprint and (project.site_dir / "index.html").is_file():
        problems = manifest.saved_problems()
        print_problems(problems, strict=strict)
        progress.step(
            f"Nothing changed since the last build: {project.site_dir.name}/ is up to date "
            f"({count(problems)[1]} warning(s))"
        )
        return 0
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
        settings = SiteSettings.from_config(config)
        pdfs = render_worksheet_pdfs(project, library, settings, progress) if pdf else {}
        built = build_editions(
            project, library, settings, pdfs, manifest, project.site_dir, strict, progress
        )
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    manifest.fingerprint = fingerprint
    manifest.remember_problems(result.problems)
    manifest.save()
    if prune_cache and pdf:
        used = {cached for files in pdfs.values() for cached in files.values()}
        stale = [p for p in (project.cache_dir / "pdf").glob("*.pdf") if p not in used]
        for path in stale:
            path.unlink()
        progress.step(f"PDF cache: {len(used)} kept, {len(stale)} no longer used removed")
    if built is None:
        progress.step(
            f"Nothing changed since the last build: {project.site_dir.name}/ is up to date"
        )
        return 0
    progress.step(
        f"Done: {len(published)} case(s) reachable in each of "
        f"{len(library.languages.locales)} edition(s) in {project.site_dir.name}/, "
        f"{len(built.warnings)} builder warning(s)"
    )
    return 0


def build_editions(
    project: Project,
    library: Library,
    settings: SiteSettings,
    pdfs: dict[str, dict[str, Path]],
    manifest: Manifest,
    site: Path,
    strict: bool,
    progress: Progress,
    work: Path | None = None,
    search: bool = True,
) -> Built | None:
    """Generate every edition's outdated outputs, build the outdated pages, verify, index
    and harden them, and swap the result in for `site`. None when nothing changed.

    Without `search`, the last search index is kept as it is, and the bundles out of date
    are returned (the preview indexes them after showing the page)."""
    work = work or project.root / "build"
    editions = sorted(
        library.languages.locales.values(), key=lambda e: e.code != library.languages.default.code
    )
    environment = environment_digest(project)
    digests = Digests()
    plans: list[Plan] = []
    site_editions = Editions([e.code for e in editions], settings.site_url)
    base = read_config(project)
    outputs = work / "out"
    listed = work / "pages.txt"  # every page of the finished site, for the hardening
    with Builders(site_editions, listed, progress) as builders:
        for locale in editions:
            plan_ = _plan_edition(
                project, library, settings, pdfs, manifest, site, strict, locale, environment,
                digests, progress,
            )  # fmt: skip
            plans.append(plan_)
            if plan_.mode in ("partial", "full"):
                job = EditionJob(
                    locale.code, project.root, plan_.config, outputs / locale.code, strict
                )
                if plan_.mode == "partial":
                    job.docs = _partial_docs(project, plan_, base, plan_.outdated, work)
                    job.pages = [html_path(p) for p in plan_.outdated if p.endswith(".md")]
                plan_.job = job
                builders.start(job)  # while the next edition is generated
        manifest.save()  # the docs folders' state, even if the build fails from here on
        if all(p.mode == "skip" for p in plans) and (not search or (site / PRIMARY).is_dir()):
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
    exists_set = frozenset(exists)
    # Everything that can fail has run outside `site`; now the new files go in, each by a
    # rename, and every replaced file is kept until the end so that a failure puts it back.
    created = not site.exists()
    site.mkdir(parents=True, exist_ok=True)
    journal = Journal(work / "replaced" / str(time.time_ns()))
    try:
        _apply(project, plans, site, journal, work)
        if len(site_editions.codes) > 1:
            add_sitemap_stubs(site, exists_set)
        rebuilt = {p.locale.code: set(p.outdated) for p in plans if p.mode != "full"}
        verify_reachable(site, library, rebuilt)
        indexing = search_job(site, plans, site_editions)
        if search and indexing is not None:
            _index_search(site, indexing, journal, work, progress)
        # After the search index and the hardening: /admin/ has its own policy, no index.
        staged = work / "admin.tmp"
        shutil.rmtree(staged, ignore_errors=True)
        staged.mkdir(parents=True)
        admin = write_admin(project, library, base, staged)
        if admin.written:
            journal.put(site / "admin", staged / "admin")
            progress.step(admin.message)
        else:
            print(admin.message, file=sys.stderr)
    except BaseException:
        journal.rollback()
        if created:
            shutil.rmtree(site, ignore_errors=True)
        raise
    journal.discard()
    for plan_ in plans:
        state = manifest.edition(plan_.locale.code)
        state.site = plan_.generated.contents
        if plan_.job is not None:
            state.stamp = _stamp(project, strict, plan_.job.config)
    shutil.rmtree(outputs, ignore_errors=True)
    return Built(warnings, None if search else indexing)


@dataclass
class Built:
    warnings: list[str]  # the builder's
    search: IndexJob | None  # the search index to update, when the build left it for later


def search_job(site: Path, plans: list[Plan], editions: Editions) -> IndexJob | None:
    """The search index to update after a build: a delta of the changed pages, or the
    whole site when an edition was built whole (see search.py)."""
    changed = [
        editions.prefix(plan_.locale.code) + html_path(path)
        for plan_ in plans
        for path in plan_.outdated
        if path.endswith(".md") and not path.startswith(UNSEARCHED)
    ]
    prefixes = [editions.prefix(code) for code in editions.codes]
    return plan_index(site, prefixes, changed, whole=any(p.mode == "full" for p in plans))


def _index_search(
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


class Journal:
    """Files and folders moved into the site, and what they replaced, so that a failed
    build can put the site back as it was."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.moves: list[tuple[Path, Path | None]] = []  # (target in site, what it replaced)

    def _keep(self, target: Path) -> Path | None:
        if not (target.exists() or target.is_symlink()):
            return None
        kept = self.folder / str(len(self.moves))
        kept.parent.mkdir(parents=True, exist_ok=True)
        target.rename(kept)
        return kept

    def put(self, target: Path, new: Path) -> None:
        kept = self._keep(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        self.moves.append((target, kept))
        new.rename(target)

    def remove(self, target: Path) -> None:
        kept = self._keep(target)
        if kept is not None:
            self.moves.append((target, kept))
            # A removal leaves nothing at the target: mark it so rollback only restores.

    def rollback(self) -> None:
        for target, kept in reversed(self.moves):
            if target.exists() or target.is_symlink():
                _remove(target)
            if kept is not None:
                kept.rename(target)
        self.moves.clear()
        shutil.rmtree(self.folder, ignore_errors=True)

    def discard(self) -> None:
        """Delete what was replaced, in the background: thousands of files take seconds."""
        if not self.folder.exists():
            return
        try:
            subprocess.Popen(
                ["rm", "-rf", str(self.folder)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError:
            shutil.rmtree(self.folder, ignore_errors=True)


def _partial_docs(
    project: Project, plan_: Plan, base: dict[str, Any], outdated: list[str], work: Path
) -> Path:
    """A docs folder with the outdated pages linked in, and the navigation's other pages
    as stubs: the navigation needs their titles, not their content (the worksheets index
    and the library's first page are 300 KB of Markdown at 1,000 cases)."""
    source = docs_dir_for(project, plan_.locale)
    folder = work / "partial" / plan_.locale.code
    if folder.exists():
        shutil.rmtree(folder)
    pages = {p for p in outdated if p.endswith(".md")}
    for path in sorted({*nav_pages(base), *pages}):
        if (source / path).is_file():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            if path in pages:
                _link_or_copy(str(source / path), str(folder / path))
            else:
                _write(folder / path, _stub(source / path))
    return folder


def _stub(page: Path) -> bytes:
    """A page's front matter and first heading: what a navigation shows of it."""
    head, text = split_front_matter(page.read_text(encoding="utf-8"))
    heading = next((line for line in text.splitlines() if line.startswith("# ")), "")
    return (head + heading + "\n").encode("utf-8")


class Builders:
    """The editions' builders side by side on every core, each started as soon as its
    edition is generated; each edition's pages are hardened (security policy, safe links,
    language alternates) as soon as it is built, on any free core."""

    def __init__(self, editions: Editions, listed: Path, progress: Progress) -> None:
        self.editions = editions
        self.listed = listed  # written before `finish`: the hardening reads it
        self.progress = progress
        self.pool: ProcessPoolExecutor | None = None
        self.builds: dict[Future[list[str]], EditionJob] = {}

    def __enter__(self) -> Builders:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def start(self, job: EditionJob) -> None:
        if self.pool is None:
            self.pool = ProcessPoolExecutor(
                os.cpu_count() or 1,
                initializer=set_site,
                initargs=(Path("."), self.editions, self.listed),
            )
        self.builds[self.pool.submit(_build_edition, job)] = job

    def finish(self) -> list[str]:
        """Wait for every builder and the hardening; the builders' warnings."""
        warnings: list[str] = []
        hardening: list[Future[int]] = []
        for future in as_completed(self.builds):
            job = self.builds[future]
            try:
                warnings += future.result()
            except BuildError:
                raise
            except Exception as exc:  # a crash in the builder must stop the build, clearly
                raise BuildError(
                    f"[{job.code}] the site builder stopped ({type(exc).__name__}: {exc})"
                ) from exc
            pages = (
                [str(job.out / page) for page in job.pages]
                if job.docs is not None
                else sorted(str(p) for p in job.out.rglob("*.html"))
            )
            self.progress.step(f"[{job.code}] built {len(pages)} page(s)")
            assert self.pool is not None
            prefix = self.editions.prefix(job.code)
            for start in range(0, len(pages), 250):
                chunk = pages[start : start + 250]
                hardening.append(self.pool.submit(harden_files, chunk, str(job.out), prefix))
        if self.builds:
            hardened = sum(done.result() for done in hardening)
            self.progress.step(
                f"Content-Security-Policy and safe links added to {hardened} page(s)"
            )
        return warnings


def _plan_edition(
    project: Project,
    library: Library,
    settings: SiteSettings,
    pdfs: dict[str, dict[str, Path]],
    manifest: Manifest,
    site: Path,
    strict: bool,
    locale: Locale,
    environment: str,
    digests: Digests,
    progress: Progress,
) -> Plan:
    """Generate an edition's outdated outputs and decide how its builder runs."""
    state = manifest.edition(locale.code)
    generated = generate(
        project,
        library,
        settings,
        pdfs.get(locale.code),
        locale.code,
        current=state.docs,
        environment=environment,
        digests=digests,
    )
    state.docs = generated.records
    config = write_config(project, locale, library.languages)
    stamp = _stamp(project, strict, config)
    outdated = outdated_pages(generated, state.site)
    mode, reason = _decide(locale, generated, outdated, state, stamp, site)
    plan_ = Plan(locale, generated, mode, outdated, config, reason)
    plan_.gone = [p for p in state.site if p not in generated.records]
    progress.step(
        f"[{locale.code}] {generated.written} file(s) written, {generated.unchanged} "
        f"unchanged, {generated.removed} removed, {generated.skipped} up to date; "
        f"builder: {mode} ({reason})"
    )
    return plan_


def _apply(project: Project, plans: list[Plan], site: Path, journal: Journal, work: Path) -> None:
    """Move each rebuilt edition, or each rebuilt page and changed file, into the site."""
    codes = {p.locale.code for p in plans}
    for plan_ in plans:
        job = plan_.job
        locale = plan_.locale
        prefix = site if locale.code == locale.original else site / locale.code
        if job is not None and job.docs is None:
            if prefix == site:
                new = {entry.name for entry in job.out.iterdir()}
                for entry in list(site.iterdir()):
                    if entry.name not in codes and entry.name not in new:
                        journal.remove(entry)
                for entry in sorted(job.out.iterdir()):
                    journal.put(site / entry.name, entry)
            else:
                journal.put(prefix, job.out)
            continue
        for page in job.pages if job is not None else []:
            journal.put(prefix / page, job.out / page)  # type: ignore[union-attr]
        # Data files, PDFs and assets pass through the builder unchanged: copy them.
        docs = docs_dir_for(project, locale)
        for path in plan_.outdated:
            if not path.endswith(".md"):
                copied = work / "copied" / locale.code / path
                _write(copied, docs / path)
                journal.put(prefix / path, copied)
        for path in plan_.gone:
            journal.remove(prefix / path)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


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
        renderer = Renderer(library, locale, settings, notes)
        documents[locale.code] = list(print_documents(renderer, library.support, notes))
    try:
        result = render_pdfs(project, documents, progress, original=library.languages.default.code)
    except PdfError as exc:
        raise BuildError(str(exc)) from exc
    progress.step(
        f"Worksheet PDFs ready: {result.rendered} rendered, {result.cached} from the cache"
    )
    return result.files
