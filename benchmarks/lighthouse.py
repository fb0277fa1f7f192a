"""Lighthouse (mobile preset) on the built site's main page types, in English and Spanish.

Serves site/ on 127.0.0.1 the way a static host does (gzip for text, a short cache lifetime),
runs the pinned npm `lighthouse` (package.json) with Debian's Chromium, and prints one row per
page: the four category scores and the measured layout shift, largest contentful paint and
total blocking time. Never downloads a browser.

    CASEBOOK_SITE_URL=http://127.0.0.1:47613/ .venv/bin/casebook build
    .venv/bin/python benchmarks/lighthouse.py [--site site] [--port 47613] [--json out.json]

Lighthouse's SEO audit wants the language alternates (hreflang) as absolute addresses, which
the build writes only when it knows the site's address (mkdocs.yml's site_url, or
CASEBOOK_SITE_URL): build with the address this script serves on, as above.

Exit status 1 when any page misses a target (performance >= 98; accessibility, best practices
and SEO 100), so CI could run it; it is not part of the test suite (its figures are timings).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import mimetypes
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LIGHTHOUSE = REPO / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"

PAGES = {
    "home": "",
    "finder": "cases/",
    "case": "cases/odi-mexico/",
    "worksheet": "worksheets/odi-mexico/",
    "guidance": "guidance/reading-a-case/",
    "map": "map/",
    "offline": "offline/",
}
EDITIONS = {"en": "", "es": "es/"}
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
TARGETS = {"performance": 98, "accessibility": 100, "best-practices": 100, "seo": 100}
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")


class StaticHost(http.server.SimpleHTTPRequestHandler):
    """Files as GitHub Pages or Netlify send them: gzip when the browser accepts it."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_head(self) -> Any:  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()  # the redirect to the slash
            path = path / "index.html"
        if not path.is_file():
            return super().send_head()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        body = path.read_bytes()
        zipped = "gzip" in self.headers.get("Accept-Encoding", "") and kind.startswith(COMPRESSIBLE)
        if zipped:
            body = gzip.compress(body, 6)
        self.send_response(200)
        self.send_header(
            "Content-Type", kind + ("; charset=utf-8" if kind.startswith("text/") else "")
        )
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        if zipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        import io

        return io.BytesIO(body)


@contextmanager
def serve(site: Path, port: int = 0) -> Iterator[str]:
    handler = functools.partial(StaticHost, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def audit(url: str, out: Path) -> dict[str, Any]:
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    command = [
        str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
        "--only-categories=" + ",".join(CATEGORIES),
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not out.is_file():
        raise RuntimeError(f"lighthouse failed on {url}:\n{done.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def summary(report: dict[str, Any]) -> dict[str, Any]:
    audits = report["audits"]
    row: dict[str, Any] = {
        name: round(100 * (report["categories"][name]["score"] or 0)) for name in CATEGORIES
    }
    row["cls"] = audits["cumulative-layout-shift"]["numericValue"]
    row["lcp_ms"] = audits["largest-contentful-paint"]["numericValue"]
    row["tbt_ms"] = audits["total-blocking-time"]["numericValue"]
    row["bytes"] = audits["total-byte-weight"]["numericValue"]
    failing = []
    for name in CATEGORIES:
        for ref in report["categories"][name]["auditRefs"]:
            result = audits.get(ref["id"], {})
            score = result.get("score")
            if ref.get("weight", 0) > 0 and score is not None and score < 1:
                failing.append(f"{name}:{ref['id']}({score})")
    row["failing"] = failing
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=REPO / "site")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    parser.add_argument("--pages", help="comma-separated page names (default: all)")
    parser.add_argument("--port", type=int, default=47613)
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        help="runs per page; the run with the median performance score is kept",
    )
    args = parser.parse_args(argv)
    if not LIGHTHOUSE.is_file():
        print("lighthouse is not installed: run `npm ci` at the repository root", file=sys.stderr)
        return 2
    if not (args.site / "index.html").is_file():
        print(f"no built site in {args.site}: run `casebook build` first", file=sys.stderr)
        return 2
    names = args.pages.split(",") if args.pages else list(PAGES)
    rows = []
    home = (args.site / "index.html").read_text(encoding="utf-8")
    if 'hreflang="en" href="http' not in home:
        print(
            "note: the site was built without its address, so hreflang is relative and the SEO"
            " score will miss 100; see this script's docstring",
            file=sys.stderr,
        )
    with serve(args.site, args.port) as base, tempfile.TemporaryDirectory() as tmp:
        for code, prefix in EDITIONS.items():
            for name in names:
                runs = []
                for run in range(args.runs):
                    out = Path(tmp) / f"{code}-{name}-{run}.json"
                    runs.append(summary(audit(base + prefix + PAGES[name], out)))
                runs.sort(key=lambda row: row["performance"])
                median = runs[len(runs) // 2]
                median["performance_runs"] = [row["performance"] for row in runs]
                rows.append({"page": f"{name} ({code})", **median})
                print(".", end="", flush=True, file=sys.stderr)
    print(file=sys.stderr)
    header = f"{'page':<18} {'perf':>4} {'a11y':>4} {'b.p.':>4} {'seo':>4} {'CLS':>6} {'LCP ms':>7} {'TBT ms':>6} {'KB':>5}"
    print(header)
    missed = False
    for row in rows:
        print(
            f"{row['page']:<18} {row['performance']:>4} {row['accessibility']:>4} "
            f"{row['best-practices']:>4} {row['seo']:>4} {row['cls']:>6.3f} "
            f"{row['lcp_ms']:>7.0f} {row['tbt_ms']:>6.0f} {row['bytes'] / 1024:>5.0f}"
            f"  (performance in {len(row['performance_runs'])} runs: {row['performance_runs']})"
        )
        if any(row[name] < target for name, target in TARGETS.items()):
            missed = True
            print("    below target: " + ", ".join(row["failing"]))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
