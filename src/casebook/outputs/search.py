"""Search: Pagefind builds a chunked index from the built HTML, after any builder.

A query downloads only the index chunks it needs, so a reader's first visit does not grow
with the number of cases. Pagefind indexes every page it is given each time it runs (about
5 ms a case page, 8 s at 1,000 cases), so a rebuild does not index the site again for one
changed page. It indexes the pages changed since the last whole index into a small *delta*
bundle beside it; the search box merges the delta (Pagefind's `mergeIndex`) and drops the
main bundle's results for those pages. Past `DELTA_LIMIT` changed pages, or when pages are
added or removed, the whole site is indexed again and the delta is emptied. A cold build
(every deploy) has an empty delta: readers get the single index, the smallest download per
query.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


class SearchIndexError(Exception):
    pass


@dataclass
class SearchIndex:
    pages: int
    bytes: int


PRIMARY = "pagefind"  # the whole index, and the scripts the browser loads
DELTA = "pagefind-delta"  # pages changed since the primary was written
DELTA_LIST = "delta.json"  # in DELTA: its pages, and the primary's results they replace
DELTA_LIMIT = 150  # about a second of indexing
# Folders of generated listing and worksheet pages: they opt out of the index (no
# data-pagefind-body), so Pagefind need not even parse them (a third of its time at N = 1,000).
NOT_INDEXED = {"worksheets", "browse", "assets", "search", "admin", PRIMARY, DELTA}
# Pagefind's own interfaces, which Casebook does not use (docs/assets/search.js is ours).
UNUSED = (
    "pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
    "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js",
)  # fmt: skip
# A merged bundle needs only its data: the browser loads the scripts from the primary.
MERGED_KEEPS = ("pagefind-entry.json", "index", "fragment", "filter")


@dataclass(frozen=True)
class IndexJob:
    """One Pagefind run: the bundle it writes (a folder of the site) and its pages."""

    folder: str  # PRIMARY or DELTA
    pages: tuple[str, ...]  # globs relative to the site; for DELTA, the pages themselves

    @property
    def glob(self) -> str:
        return "{" + ",".join(self.pages) + "}" if len(self.pages) > 1 else self.pages[0]


def whole_site(site: Path, prefixes: Iterable[str]) -> IndexJob:
    """Every edition's indexed pages, without the folders whose pages are never indexed.
    `prefixes`: each edition's folder in the site ('' or 'es/')."""
    prefixes = list(prefixes)
    globs: list[str] = []
    for prefix in prefixes:
        folder = site / prefix if prefix else site
        for entry in sorted(folder.iterdir()) if folder.is_dir() else []:
            if prefix == "" and entry.name + "/" in prefixes:
                continue  # another edition
            if entry.is_file() and entry.suffix == ".html":
                globs.append(prefix + entry.name)
            elif entry.is_dir() and entry.name not in NOT_INDEXED:
                globs.append(f"{prefix}{entry.name}/**/*.html")
    return IndexJob(PRIMARY, tuple(globs or ["**/*.html"]))


def plan_index(
    site: Path, prefixes: Iterable[str], changed: Iterable[str], whole: bool = False
) -> IndexJob | None:
    """What to index after a build: nothing, the delta of changed pages (HTML paths in the
    site), or the whole site (when `whole`, when there is no index yet, or past the
    limit)."""
    changed = [page for page in changed if indexed(page)]
    if whole or not (site / PRIMARY / "pagefind-entry.json").is_file():
        return whole_site(site, prefixes)
    if not changed:
        return None
    pages = sorted({*delta_pages(site), *changed})
    pages = [page for page in pages if (site / page).is_file()]
    if not pages:
        return None
    if len(pages) > DELTA_LIMIT:
        return whole_site(site, prefixes)
    return IndexJob(DELTA, tuple(pages))


def indexed(page: str) -> bool:
    """Whether Pagefind indexes a built page (an HTML path in the site); listing pages
    opt out in their HTML, so this only has to leave out whole folders."""
    return not any(part in NOT_INDEXED for part in page.split("/")[:2])


def delta_pages(site: Path) -> list[str]:
    try:
        data = json.loads((site / DELTA / DELTA_LIST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [str(page) for page in data.get("pages", [])]


def command(site: Path, job: IndexJob, output: Path) -> list[str]:
    """Pagefind (the binary from the pagefind[bin] wheel) writing one bundle to `output`."""
    return [
        sys.executable, "-m", "pagefind", "--site", str(site), "--silent",
        "--glob", job.glob, "--output-path", str(output),
    ]  # fmt: skip


def run_index(site: Path, job: IndexJob, output: Path) -> SearchIndex:
    """Run Pagefind for `job` into `output`, and finish the bundle there."""
    shutil.rmtree(output, ignore_errors=True)
    try:
        result = subprocess.run(
            command(site, job, output), capture_output=True, text=True, check=False, timeout=600
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexError(f"the search index could not be built: {exc}") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise SearchIndexError(
            "the search index could not be built (Pagefind said: "
            + " / ".join(detail)
            + "); reinstall with 'bash scripts/setup.sh'"
        )
    return finish(site, job, output)


def finish(site: Path, job: IndexJob, output: Path) -> SearchIndex:
    """Remove what no page loads; for a delta, list its pages and the primary's results
    they replace (a page whose indexed text did not change keeps its result id, and the
    browser shows it once)."""
    merged = job.folder != PRIMARY
    for entry in list(output.iterdir()):
        keep = entry.name in MERGED_KEEPS or entry.suffix == ".pf_meta"
        if (merged and not keep) or (not merged and entry.name in UNUSED):
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    if merged:
        urls = {_url(page) for page in job.pages}
        own = set(_fragments(output))
        replaced = sorted(
            result
            for result, url in _fragments(site / PRIMARY).items()
            if url in urls and result not in own
        )
        # The browser merges the delta only into a search in a language it holds: Pagefind
        # would otherwise search the delta's largest language instead.
        entry = json.loads((output / "pagefind-entry.json").read_text(encoding="utf-8"))
        languages = sorted(entry.get("languages", {}))
        listed = {"pages": list(job.pages), "replaced": replaced, "languages": languages}
        (output / DELTA_LIST).write_text(json.dumps(listed), encoding="utf-8")
    pages = len(list(output.glob("fragment/*.pf_fragment")))
    size = sum(p.stat().st_size for p in output.rglob("*") if p.is_file())
    return SearchIndex(pages, size)


def no_delta(folder: Path) -> Path:
    """An empty delta, written with every whole index: the search box always finds a list
    to read (a missing one would be a failed request in every reader's console)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    empty: dict[str, list[str]] = {"pages": [], "replaced": [], "languages": []}
    (folder / DELTA_LIST).write_text(json.dumps(empty), encoding="utf-8")
    return folder


def _url(page: str) -> str:
    """The address Pagefind records for a built page."""
    return "/" + page.removesuffix("index.html")


def _fragments(bundle: Path) -> dict[str, str]:
    """Result id (a fragment's name) -> the page's address, for every page of a bundle."""
    found: dict[str, str] = {}
    for path in bundle.glob("fragment/*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        start = data.find(b"{")
        try:
            found[path.stem] = str(json.loads(data[start:])["url"])
        except (ValueError, KeyError):
            continue
    return found


def index_site(site: Path) -> SearchIndex:
    """Index a whole built site in place, whichever builder built it: its editions are the
    folders with their own home page and assets."""
    prefixes = [""] + [f"{d.name}/" for d in sorted(site.iterdir()) if (d / "assets").is_dir()]
    job = whole_site(site, prefixes)
    output = site.parent / f".{site.name}.pagefind.tmp"
    try:
        index = run_index(site, job, output)
        shutil.rmtree(site / PRIMARY, ignore_errors=True)
        output.rename(site / PRIMARY)
        no_delta(site / DELTA)
    finally:
        shutil.rmtree(output, ignore_errors=True)
    return index
