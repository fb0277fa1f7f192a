"""Search: Pagefind builds chunked indexes from the built HTML, after any builder.

A query downloads only the index chunks it needs, so a reader's first visit does not grow
with the number of cases. Pagefind indexes every page it is given each time it runs (at
about 5 ms a case page), so the case pages are split into a few *shards*, each its own
Pagefind bundle, which the search box merges in the browser (Pagefind's `mergeIndex`):
an edited case re-indexes its shard, not the library. The number of shards is capped, so
what a search downloads does not grow with the library either.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import zlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path


class SearchIndexError(Exception):
    pass


@dataclass
class SearchIndex:
    pages: int
    bytes: int


PRIMARY = "pagefind"  # every page but the case pages, and the scripts the browser loads
SHARDS = "pagefind-cases"  # one bundle per shard of case pages: pagefind-cases/<n>/
SHARD_LIST = "shards.json"  # in SHARDS: the shards the search box merges
CASES_PER_SHARD = 125
MAX_SHARDS = 8
# Folders of generated listing and worksheet pages: they opt out of the index (no
# data-pagefind-body), so Pagefind need not even parse them (a third of its time at N = 1,000).
NOT_INDEXED = {"worksheets", "browse", "assets", PRIMARY, SHARDS, "search", "admin"}
# Pagefind's own interfaces, which Casebook does not use (docs/assets/search.js is ours).
UNUSED = (
    "pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
    "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js",
)  # fmt: skip
# A merged shard needs only its data: the browser loads the scripts from the primary.
SHARD_KEEPS = ("pagefind-entry.json", "index", "fragment", "filter")


def shard_count(cases: int) -> int:
    return max(1, min(MAX_SHARDS, math.ceil(cases / CASES_PER_SHARD)))


def shard_of(case_id: str, count: int) -> int:
    """A case's shard: stable across builds, whatever else is in the library."""
    return zlib.crc32(case_id.encode("utf-8")) % count


@dataclass(frozen=True)
class Bundle:
    """One Pagefind run: the folder it writes (relative to the site) and its pages."""

    folder: str
    pages: tuple[str, ...]  # globs relative to the site

    @property
    def glob(self) -> str:
        return "{" + ",".join(self.pages) + "}" if len(self.pages) > 1 else self.pages[0]


def plan_bundles(site: Path, prefixes: Iterable[str], case_ids: Iterable[str]) -> list[Bundle]:
    """The primary bundle (every indexed page but the case pages, in every edition) and
    one bundle per shard of case pages. `prefixes`: each edition's folder ('' or 'es/')."""
    prefixes = list(prefixes)
    ids = sorted(case_ids)
    primary: list[str] = []
    for prefix in prefixes:
        folder = site / prefix if prefix else site
        for entry in sorted(folder.iterdir()) if folder.is_dir() else []:
            name = entry.name
            if prefix == "" and name + "/" in prefixes:
                continue  # another edition
            if entry.is_file() and entry.suffix == ".html":
                primary.append(prefix + name)
            elif entry.is_dir() and name not in NOT_INDEXED and name != "cases":
                primary.append(f"{prefix}{name}/**/*.html")
    bundles = [Bundle(PRIMARY, tuple(primary or ["index.html"]))]
    count = shard_count(len(ids))
    shards: list[list[str]] = [[] for _ in range(count)]
    for case_id in ids:
        shards[shard_of(case_id, count)] += [f"{p}cases/{case_id}/index.html" for p in prefixes]
    bundles += [Bundle(f"{SHARDS}/{n}", tuple(pages)) for n, pages in enumerate(shards) if pages]
    return bundles


def bundle_of(page: str, prefixes: Iterable[str], count: int) -> str | None:
    """The bundle a built page (an HTML path in the site) is indexed in; None if none."""
    prefix = max((p for p in prefixes if page.startswith(p)), key=len, default="")
    rest = page[len(prefix) :]
    parts = rest.split("/")
    if parts[0] == "cases" and len(parts) == 3 and parts[2] == "index.html":
        return f"{SHARDS}/{shard_of(parts[1], count)}"
    if parts[0] in NOT_INDEXED or parts[0] == "cases":
        return None
    return PRIMARY


def shard_list(bundles: Iterable[Bundle]) -> str:
    """The shards file the search box reads: the folders to merge, relative to SHARDS."""
    names = [b.folder.removeprefix(SHARDS + "/") + "/" for b in bundles if b.folder != PRIMARY]
    return json.dumps({"shards": names}, separators=(",", ":")) + "\n"


def command(site: Path, bundle: Bundle, output: Path) -> list[str]:
    """Pagefind (the binary from the pagefind[bin] wheel) writing one bundle to `output`."""
    return [
        sys.executable, "-m", "pagefind", "--site", str(site), "--silent",
        "--glob", bundle.glob, "--output-path", str(output),
    ]  # fmt: skip


def _run(site: Path, bundle: Bundle, output: Path) -> SearchIndex:
    shutil.rmtree(output, ignore_errors=True)
    try:
        result = subprocess.run(
            command(site, bundle, output), capture_output=True, text=True, check=False, timeout=600
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
    trim(output, shard=bundle.folder != PRIMARY)
    pages = len(list(output.glob("fragment/*.pf_fragment")))
    size = sum(p.stat().st_size for p in output.rglob("*") if p.is_file())
    return SearchIndex(pages, size)


def trim(bundle: Path, shard: bool) -> None:
    """Remove what no page loads: Pagefind's own interfaces; in a shard, all but its data."""
    for entry in list(bundle.iterdir()):
        unused = entry.name not in SHARD_KEEPS if shard else entry.name in UNUSED
        if shard and entry.name.endswith(".pf_meta"):
            unused = False
        if unused:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


def index_bundles(site: Path, bundles: list[Bundle], work: Path) -> dict[str, SearchIndex]:
    """Run Pagefind for each bundle, side by side on every core, each into
    `work/<folder>`. Raises SearchIndexError when any run fails."""
    workers = max(1, min(os.cpu_count() or 1, len(bundles)))
    with ThreadPoolExecutor(workers) as pool:
        futures = {b.folder: pool.submit(_run, site, b, work / b.folder) for b in bundles}
        return {folder: future.result() for folder, future in futures.items()}


def index_site(site: Path) -> SearchIndex:
    """Index a whole built site in place, whichever builder built it: its editions are the
    folders with their own home page and assets, its cases the folders under cases/."""
    prefixes = [""] + [
        f"{d.name}/" for d in sorted(site.iterdir()) if (d / "assets").is_dir() and d != site
    ]
    ids = [p.parent.name for p in (site / "cases").glob("*/index.html") if p.parent.name != "page"]
    bundles = plan_bundles(site, prefixes, ids)
    work = site / ".pagefind.tmp"
    try:
        results = index_bundles(site, bundles, work)
        for bundle in bundles:
            target = site / bundle.folder
            shutil.rmtree(target, ignore_errors=True)
            target.parent.mkdir(parents=True, exist_ok=True)
            (work / bundle.folder).rename(target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    (site / SHARDS).mkdir(exist_ok=True)
    (site / SHARDS / SHARD_LIST).write_text(shard_list(bundles), encoding="utf-8")
    return SearchIndex(
        sum(r.pages for r in results.values()), sum(r.bytes for r in results.values())
    )
