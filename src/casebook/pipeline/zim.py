"""`casebook build --zim`: each edition of the built site as a ZIM file, for Kiwix readers.

A step after the build, reading only the finished `site/`: every page of an edition (with
`zimpages.offline_page`), its assets, data files and PDFs, into `site/offline/<name>.zim`
with the metadata openZIM requires and the file's own full-text index. The Pagefind index
and the web editor stay out: a reader searches the file's own index, and edits nothing.

Each page is held at its folder's address ('cases/odi-mexico/'), as on the web, so that
every relative link between pages, and those the finder and composer draw, work unchanged.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import importlib.resources
import mimetypes
import os
import re
import sys
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pycountry
from libzim.writer import (
    ContentProvider,
    Creator,
    FileProvider,
    Hint,
    IndexData,
    Item,
    StringProvider,
)

from casebook.outputs.zimpages import STYLESHEET, offline_page
from casebook.pages.offlinefiles import OFFLINE_URL, with_sizes, zim_name
from casebook.pages.templating import SiteSettings
from casebook.pipeline.context import Progress
from casebook.sources.i18n import Locale, i18n_dir, load_languages
from casebook.sources.loader import LoadError, read_yaml_file
from casebook.sources.problems import display_path
from casebook.sources.project import Project

# What a reader of one edition's file has no use for: the web editor, the Pagefind index
# (the reader searches the file's own), the error page and the files themselves. The
# sitemaps stay: the theme's script reads the one beside a page.
LEFT_OUT = frozenset({"admin", "pagefind", "pagefind-delta", "404.html"})
_OFFLINE = OFFLINE_URL.rstrip("/")  # the files, and the page that offers them: in no file
# openZIM's limits for a file's Title and Description (openzim.org/wiki/Metadata).
LIMITS = {"offline_title": 30, "offline_description": 80}
# Types Python's table lacks or gets wrong for a reader (citation files, modules, feeds).
TYPES = {
    ".ris": "application/x-research-info-systems",
    ".bib": "application/x-bibtex",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".csv": "text/csv",
    ".webmanifest": "application/manifest+json",
}
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
_REFRESH = re.compile(r'<meta http-equiv="refresh"', re.I)
_COMPRESSED = ("text/", "application/json", "application/xml", "image/svg", "application/x-")


class OfflineError(Exception):
    """The offline files cannot be written; each line of the message is one problem."""


@dataclass
class Written:
    path: Path
    pages: int
    files: int
    seconds: float


# Pages the site's search indexes mark their text with this (overrides/main.html); listing
# pages leave it out.
SEARCHED_BODY = "<div data-pagefind-body>"


class _NotSearched(IndexData):  # type: ignore[misc]
    """What libzim's full-text index gets for a page it must leave out: nothing."""

    def has_indexdata(self) -> bool:
        return False

    def get_title(self) -> str:
        return ""

    def get_content(self) -> str:
        return ""

    def get_keywords(self) -> str:
        return ""

    def get_wordcount(self) -> int:
        return 0


_NOT_SEARCHED = _NotSearched()


def _not_searched() -> IndexData:
    return _NOT_SEARCHED


class _Entry(Item):  # type: ignore[misc]
    """One file of the edition as the ZIM holds it: a page (rewritten, in `content`) is an
    article readers list and search, unless it only redirects; any other file is as it is."""

    def __init__(
        self,
        path: str,
        title: str,
        mimetype: str,
        source: Path,
        content: bytes | None = None,
        front: bool = False,
        searched: bool = False,
    ) -> None:
        super().__init__()
        self.path, self.title, self.mimetype = path, title, mimetype
        self.source, self.content, self.front = source, content, front
        if not searched:
            # The full-text index takes the pages the site's search takes (cases, guidance,
            # support): a listing (library, browse, map, worksheets) names every case and
            # would fill a search's results, as "Theme: …" pages did before the cases.
            # (An item without this attribute gets libzim's own reading of its HTML.)
            self.get_indexdata = _not_searched

    def get_path(self) -> str:
        return self.path

    def get_title(self) -> str:
        return self.title

    def get_mimetype(self) -> str:
        return self.mimetype

    def get_contentprovider(self) -> ContentProvider:
        if self.content is not None:
            return StringProvider(self.content)
        return FileProvider(str(self.source))

    def get_hints(self) -> dict[Hint, int]:
        compress = self.mimetype.startswith(_COMPRESSED)
        return {Hint.FRONT_ARTICLE: self.front, Hint.COMPRESS: compress}


def write_offline(
    project: Project, settings: SiteSettings, progress: Progress, target: Path | None = None
) -> list[Written]:
    """Every edition's ZIM file in `target` (site/offline/), each replacing the last by a
    rename only once it is whole. OfflineError, before any file is written, when a text is
    too long."""
    languages, _ = load_languages(project.root)  # `build` has checked the files already
    locales = sorted(languages.locales.values(), key=lambda e: e.code != e.original)
    texts = offline_texts(project, settings)
    target = target or project.offline_dir
    work = project.cache_dir / "zim"
    work.mkdir(parents=True, exist_ok=True)
    target.mkdir(parents=True, exist_ok=True)
    # The other editions' folders, and this folder of files, are not the original edition's.
    others = frozenset(languages.codes) - {locales[0].code} | {_OFFLINE}
    written = []
    for locale in locales:
        made = _write(project, locale, settings, texts[locale.code], others, work)
        written.append(made)
        made.path = made.path.replace(target / made.path.name)  # whole, or not at all
        progress.step(
            f"[{locale.code}] offline file {display_path(made.path, project.root)}: "
            f"{made.pages} page(s), {made.files} file(s), "
            f"{made.path.stat().st_size / 1e6:.1f} MB in {made.seconds:.1f} s"
        )
    if target == project.offline_dir:  # where the pages' links lead
        _offer_sizes(project, locales, {w.path.name: w.path.stat().st_size for w in written})
    return written


def _offer_sizes(project: Project, locales: list[Locale], sizes: dict[str, int]) -> None:
    """Each edition's page that offers the files says how large each is (a reader on a slow
    connection decides by it); the pages were built before the files existed."""
    for locale in locales:
        folder = "" if locale.code == locale.original else f"{locale.code}/"
        page = project.site_dir / folder / OFFLINE_URL / "index.html"
        if page.is_file():
            scratch = page.with_name("index.html.tmp")
            text = page.read_text(encoding="utf-8")
            scratch.write_text(with_sizes(text, sizes, locale), encoding="utf-8")
            scratch.replace(page)


def offline_texts(project: Project, settings: SiteSettings) -> dict[str, dict[str, str]]:
    """Every edition's Title and Description, by language code; OfflineError with every
    edition's problems in one run. `build --zim` asks before it builds, so that a site whose
    pages offer the files is never published without them."""
    languages, _ = load_languages(project.root)
    texts, problems = {}, []
    for locale in languages.locales.values():
        try:
            texts[locale.code] = metadata_texts(project, locale, settings)
        except OfflineError as exc:
            problems.append(str(exc))
    if problems:
        raise OfflineError("\n".join(problems))
    return texts


def metadata_texts(project: Project, locale: Locale, settings: SiteSettings) -> dict[str, str]:
    """The file's Title and Description in the edition's language; OfflineError names each
    string that is longer than a reader shows, with its file and line."""
    texts = {
        "Title": locale.t("offline_title", site=settings.name),
        "Description": locale.t("offline_description", site=settings.name),
    }
    problems = []
    for key, text in zip(LIMITS, texts.values(), strict=True):
        limit, length = LIMITS[key], graphemes(text)
        if length > limit:
            where = _where(project, (locale.code, locale.original), key)
            problems.append(
                f"{where}: {key}: '{text}' is {length} characters as the file gives it; "
                f"Kiwix readers show at most {limit}: write a shorter one"
            )
    if problems:
        raise OfflineError("\n".join(problems))
    return texts


def graphemes(text: str) -> int:
    """Characters as a reader counts them: an accent or joiner adds none."""
    return sum(1 for c in text if not unicodedata.combining(c) and c not in "\u200d\ufe0e\ufe0f")


def _where(project: Project, codes: tuple[str, str], key: str) -> str:
    """`file:line` of a string in the edition's strings, or else in the original's (the
    edition shows the original's text for a string it lacks)."""
    for folder in codes:
        path = i18n_dir(project.root) / folder / "strings.yml"
        name = display_path(path, project.root)
        try:
            document = read_yaml_file(path, name)
        except (LoadError, OSError):
            continue
        if isinstance(document.data, dict) and key in document.data:
            return f"{name}:{document.lines.line((key,))}"
    return display_path(i18n_dir(project.root) / codes[0] / "strings.yml", project.root)


def _write(
    project: Project,
    locale: Locale,
    settings: SiteSettings,
    texts: dict[str, str],
    others: frozenset[str],
    work: Path,
) -> Written:
    started = time.perf_counter()
    original = locale.code == locale.original
    root = project.site_dir if original else project.site_dir / locale.code
    prefix = "" if original else f"{locale.code}/"
    name = zim_name(settings, locale.code)
    scratch = work / f"{name}.zim"
    scratch.unlink(missing_ok=True)
    language = _iso639_3(locale.code)
    elsewhere = (
        ""
        if original
        else locale.t(
            "offline_in_original",
            original=locale.language_name(locale.original),
            file=f"{zim_name(settings, locale.original)}.zim",
        )
    )
    files = _files(root, others if original else frozenset({_OFFLINE}))
    entries = list(_entries(root, sorted(files), prefix, settings.name, elsewhere))
    entries.append(_Entry(STYLESHEET, "", "text/css", root, _resource("offline.css")))
    creator = Creator(scratch).config_indexing(True, language).config_verbose(False)
    with _quiet_stdout(), creator:
        creator.set_mainpath("index.html")
        for entry in entries:
            creator.add_item(entry)
        creator.add_metadata("Name", name)
        creator.add_metadata("Title", texts["Title"])
        creator.add_metadata("Description", texts["Description"])
        creator.add_metadata("Creator", settings.name)
        creator.add_metadata("Publisher", settings.name)
        creator.add_metadata("Date", dt.date.today())
        creator.add_metadata("Language", language)
        creator.add_metadata("Tags", "_ftindex:yes;_pictures:no;_videos:no;_details:yes")
        if settings.site_url:
            creator.add_metadata("Source", settings.address(prefix))
        creator.add_illustration(48, illustration())
    pages = sum(1 for e in entries if e.front)
    return Written(scratch, pages, len(entries), time.perf_counter() - started)


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """libzim prints each stage of finishing a file on standard output, verbose or not: the
    build reports on standard error, and `--quiet` means quiet."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def illustration() -> bytes:
    """The 48×48 PNG readers show for the file: the site's logo on its header colour."""
    return _resource("zim-illustration-48.png")


def _resource(name: str) -> bytes:
    return (importlib.resources.files("casebook") / "assets" / name).read_bytes()


def _iso639_3(code: str) -> str:
    found = pycountry.languages.get(alpha_2=code)
    return str(found.alpha_3) if found is not None else code


def _entries(
    root: Path, files: list[Path], prefix: str, site_name: str, elsewhere: str
) -> Iterator[_Entry]:
    """The edition's `files` (in `root`) as entries; pages as `offline_page` makes them."""
    for path in files:
        relative = path.relative_to(root).as_posix()
        mimetype = _mimetype(path)
        if mimetype != "text/html":
            yield _Entry(relative, "", mimetype, path)
            continue
        page = path.read_text(encoding="utf-8")
        address = relative.removesuffix("index.html") if relative != "index.html" else relative
        yield _Entry(
            address,
            _title(page, site_name),
            "text/html",
            path,
            offline_page(page, relative, prefix, elsewhere).encode("utf-8"),
            front=_REFRESH.search(page) is None,
            searched=SEARCHED_BODY in page,
        )


def _files(root: Path, others: frozenset[str]) -> Iterator[Path]:
    for entry in root.iterdir():
        if entry.name in LEFT_OUT or entry.name in others:
            continue
        if entry.is_dir():
            yield from (path for path in entry.rglob("*") if path.is_file())
        elif entry.is_file():
            yield entry


def _mimetype(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".csl.json"):
        return "application/vnd.citationstyles.csl+json"
    guessed, encoding = mimetypes.guess_type(name)
    if encoding is not None:  # sitemap.xml.gz: the bytes are the compressed file's
        return f"application/{encoding}"
    return TYPES.get(path.suffix.lower()) or guessed or "application/octet-stream"


def _title(page: str, site_name: str) -> str:
    """The page's <title> less the site's name after it (readers show the file's name)."""
    found = _TITLE.search(page)
    title = html.unescape(found.group(1)).strip() if found else ""
    return title.removesuffix(f" - {site_name}").strip() or site_name
