"""Which Casebook features survive building the generated tree with Zensical instead of MkDocs?

Builds a copy of this project with `casebook build` (with PDFs unless --no-pdf), then builds
the same build/docs/ with Zensical into build/zensical-site/, and checks each feature in
both sites, on disk and in headless Chromium. Prints one line per feature and writes JSON.
docs/performance.md quotes its output; run it again after changing the theme or the build.

    python benchmarks/zensical_features.py [--no-pdf] [--out benchmarks/results/zensical.json]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import run as bench  # noqa: E402  (re-executes in the project's virtualenv when needed)

from browser import ARGS, CHROMIUM, serve  # noqa: E402

CASE = "odi-mexico"


def copy_real_project(dest: Path) -> None:
    bench.copy_inputs(dest)
    shutil.copytree(bench.ROOT / "case_studies", dest / "case_studies")
    shutil.copytree(
        bench.ROOT / "reflective_questions" / "cases", dest / "reflective_questions" / "cases"
    )


def primary_nav(html: str) -> str:
    match = re.search(r'<nav class="md-nav md-nav--primary".*?</nav>\s*</div>', html, re.S)
    return match[0] if match else ""


def disk_checks(site: Path) -> dict[str, Any]:
    page = site / "cases" / CASE / "index.html"
    html = page.read_text(encoding="utf-8") if page.is_file() else ""
    index = (site / "index.html").read_text(encoding="utf-8")
    nav = primary_nav(index)
    pdfs = sorted(p.name for p in (site / "worksheets" / CASE).glob("*.pdf"))
    return {
        "case page built": page.is_file(),
        "case content ('Public Education Secretariat', '45 cases')": (
            "Public Education Secretariat" in html and "45 cases" in html
        ),
        "custom_dir override: quick-exit control": "data-cb-exit" in html,
        "custom_dir override: no-referrer meta": 'name="referrer" content="no-referrer"' in html,
        "custom_dir override: skip-link target #cb-content": 'id="cb-content"' in html,
        "custom_dir override: data-pagefind-body wrapper": "data-pagefind-body" in html,
        "extra_css linked (casebook.css)": "assets/casebook.css" in html,
        "extra_javascript linked (casebook.js)": "assets/casebook.js" in html,
        "assets copied": (site / "assets" / "casebook.css").is_file(),
        "not_in_nav: nav has no case or worksheet links": bool(nav)
        and not re.search(r'href="[^"]*(cases|worksheets)/[a-z0-9-]+/"', nav),
        "catalogue.json copied": (site / "catalogue.json").is_file(),
        "worksheet PDFs copied": len(pdfs),
        "worksheet web page built": (
            site / "worksheets" / CASE / "practitioners" / "index.html"
        ).is_file(),
        "builder's own search index": next(
            (
                str(p.relative_to(site))
                for p in (site / "search.json", site / "search" / "search_index.json")
                if p.is_file()
            ),
            None,
        ),
        "case page bytes": page.stat().st_size if page.is_file() else None,
    }


BROWSER_JS = """
async () => {
  const out = {};
  out.finder = !!document.querySelector('[data-cb-finder] input[type=checkbox]');
  try {
    const pf = await import(new URL('../pagefind/pagefind.js', location.href).href);
    const found = await pf.search('secretariat');
    out.pagefind_results = found.results.length;
  } catch (error) {
    out.pagefind_error = String(error).slice(0, 200);
  }
  return out;
}
"""


def browser_checks(site: Path) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    out: dict[str, Any] = {}
    with serve(site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{base}/cases/", wait_until="load")
            page.wait_for_timeout(1500)
            out.update(page.evaluate(BROWSER_JS))
            if out.get("finder"):
                # The facet checkboxes sit in a collapsed group: click through the DOM.
                before = page.locator(".cb-case-card:visible").count()
                page.evaluate(
                    "() => document.querySelector('[data-cb-finder] input[type=checkbox]').click()"
                )
                page.wait_for_timeout(500)
                after = page.locator(".cb-case-card:visible").count()
                out["finder filters the list (cards before -> after)"] = f"{before} -> {after}"
            page.goto(f"{base}/cases/{CASE}/", wait_until="load")
            page.wait_for_timeout(500)
            exit_requests: list[str] = []
            page.route(
                "https://www.bbc.co.uk/**",
                lambda route: (exit_requests.append(route.request.url), route.abort()),
            )
            for _ in range(3):
                page.keyboard.press("Shift")
            page.wait_for_timeout(800)
            out["quick exit (Shift ×3) leaves the page"] = bool(exit_requests)
            out["console errors (CSP etc.)"] = errors[:5]
        finally:
            browser.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-pdf", action="store_true", help="build without worksheet PDFs")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "zensical.json")
    parser.add_argument(
        "--overrides",
        type=Path,
        default=None,
        help="use this theme override folder instead of the project's (to try a fix)",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="casebook-zensical-"))
    try:
        project = work / "project"
        copy_real_project(project)
        if args.overrides:
            shutil.rmtree(project / "overrides")
            shutil.copytree(args.overrides, project / "overrides")
        command = [*bench.tool("casebook", "casebook.cli"), "--project", str(project), "build"]
        if args.no_pdf:
            command.append("--no-pdf")
        bench.log("casebook build")
        bench.must(bench.run(command), "casebook build")
        config = bench.zensical_config(project)
        bench.log("zensical build of build/docs")
        started = time.perf_counter()
        z = bench.run([*bench.tool("zensical", "zensical"), "build", "--clean", "-f", str(config)])
        zensical_s = time.perf_counter() - started
        zsite = project / "build" / "zensical-site"
        if z.returncode != 0:
            print(z.output, file=sys.stderr)
            raise SystemExit(
                f"zensical build failed (exit {z.returncode}); its last line: "
                f"{z.output.strip().splitlines()[-1]}"
            )
        result: dict[str, Any] = {
            "zensical": bench.machine()["packages"].get("zensical"),
            "zensical_exit": z.returncode,
            "zensical_output": z.output.strip().splitlines()[-5:],
            "zensical_build_s": round(zensical_s, 2),
            "pdf_cache_kept": (project / ".cache" / "casebook" / "pdf").is_dir() or args.no_pdf,
        }
        sites = {"mkdocs": project / "site", "zensical": zsite}
        for name, site in sites.items():
            bench.log(f"checking the {name} site")
            result[name] = disk_checks(site)
        # Casebook's post-build steps run on any builder's output: search index, then CSP.
        from casebook.outputs.postprocess import harden_site
        from casebook.outputs.scriptpolicy import site_policy
        from casebook.outputs.search import index_site

        index = index_site(zsite)
        hardened = harden_site(zsite, site_policy(bench.ROOT / "overrides"))
        result["zensical"]["pagefind index built on its output (pages)"] = index.pages
        result["zensical"]["CSP and safe links added (pages)"] = hardened.pages
        for name, site in sites.items():
            bench.log(f"browser checks on the {name} site")
            result[name].update(browser_checks(site))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    keys = list(dict.fromkeys([*result["mkdocs"], *result["zensical"]]))
    width = max(len(k) for k in keys)
    print(f"\n{'feature'.ljust(width)}  {'MkDocs':>10}  {'Zensical':>10}")
    for key in keys:
        cells = [str(result[s].get(key, "—")) for s in ("mkdocs", "zensical")]
        print(f"{key.ljust(width)}  {cells[0]:>10}  {cells[1]:>10}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    bench.log(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
