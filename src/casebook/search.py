"""Search: Pagefind builds a chunked index from the built HTML, after any builder.

A query then downloads only the index fragments it needs, so a reader's first visit does
not grow with the number of cases, unlike a whole-site index.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


class SearchIndexError(Exception):
    pass


@dataclass
class SearchIndex:
    pages: int
    bytes: int


# Folders of generated listing and worksheet pages: they opt out of the index (no
# data-pagefind-body), so Pagefind need not even parse them (a third of its time at N = 1,000).
NOT_INDEXED = {"worksheets", "browse", "assets", "pagefind", "search"}


def indexed_glob(site: Path) -> str:
    """A glob of the pages Pagefind should read: each edition's pages, without the
    folders whose pages are never indexed."""
    parts: list[str] = []

    def edition(folder: Path, prefix: str) -> None:
        for entry in sorted(folder.iterdir()):
            if entry.is_file() and entry.suffix == ".html":
                parts.append(prefix + entry.name)
            elif entry.is_dir() and entry.name not in NOT_INDEXED:
                if (
                    prefix == ""
                    and (entry / "index.html").is_file()
                    and (entry / "assets").is_dir()
                ):
                    edition(entry, f"{entry.name}/")  # another language's edition
                else:
                    parts.append(f"{prefix}{entry.name}/**/*.html")

    edition(site, "")
    return "{" + ",".join(parts) + "}" if len(parts) > 1 else (parts or ["**/*.html"])[0]


def index_site(site: Path, output: Path | None = None) -> SearchIndex:
    """Run Pagefind (the binary from the pagefind[bin] wheel) over a built site, writing
    its bundle to `site/pagefind`, or to `output`."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--silent"]
    command += ["--glob", indexed_glob(site)]
    if output is not None:
        command += ["--output-path", str(output)]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexError(f"the search index could not be built: {exc}") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise SearchIndexError(
            "the search index could not be built (Pagefind said: "
            + " / ".join(detail)
            + "); reinstall with 'bash scripts/setup.sh'"
        )
    bundle = output or site / "pagefind"
    pages = len(list(bundle.glob("fragment/*.pf_fragment")))
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    return SearchIndex(pages, size)
