"""Browser measurements for the benchmark: the case finder and first-visit transfer bytes.

Serves a built site on 127.0.0.1 and drives Debian's Chromium through Playwright (never a
downloaded browser). Times are taken inside the page with `performance.now()`, whose origin
is the start of the navigation.

The finder is written to be found by its markup rather than by one exact template: a
container marked `data-cb-finder` (or class `cb-finder`), checkboxes and a text input inside
the page content, and result items `.cb-case-card` (or the children of `data-cb-results`).
Where no finder is present, the list of cards is filtered by a small injected script instead,
and the result is labelled so.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import statistics
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-background-networking"]

FINDER = "[data-cb-finder], .cb-finder"
# Controls inside the page content only: Material's search and palette toggles are excluded.
CHECKBOX = (
    "[data-cb-finder] input[type=checkbox], .cb-finder input[type=checkbox], "
    ".md-content form input[type=checkbox]"
)
TEXT_INPUT = (
    "[data-cb-finder] input[type=search], [data-cb-finder] input[type=text], "
    ".cb-finder input[type=search], .cb-finder input[type=text], "
    ".md-content form input[type=search]"
)
ITEMS = ".cb-case-card, [data-cb-results] > li"
LIST_AREA = "[data-cb-finder], .cb-finder, [data-cb-results], .cb-case-list, [data-cb-count]"

# Installed before any page script runs: records when the list or the finder last changed.
INIT_SCRIPT = """
(() => {
  const area = __AREA__;
  window.__cb = {lastListChange: null, changes: 0};
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      const node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
      if (node && node.closest && node.closest(area)) {
        window.__cb.lastListChange = performance.now();
        window.__cb.changes += 1;
        return;
      }
    }
  });
  observer.observe(document.documentElement || document,
    {subtree: true, childList: true, attributes: true, characterData: true});
})();
""".replace("__AREA__", json.dumps(LIST_AREA))

STATE_JS = """
([finderSel, itemsSel, checkboxSel]) => {
  const nav = performance.getEntriesByType('navigation')[0];
  const items = [...document.querySelectorAll(itemsSel)];
  const visible = items.filter((el) => el.getClientRects().length > 0 && !el.hidden).length;
  return {
    finder: !!document.querySelector(finderSel) || !!document.querySelector(checkboxSel),
    total: items.length,
    visible: visible,
    dcl: nav ? nav.domContentLoadedEventEnd : null,
    load: nav ? nav.loadEventEnd : null,
    responseEnd: nav ? nav.responseEnd : null,
    lastListChange: window.__cb ? window.__cb.lastListChange : null,
    now: performance.now(),
  };
}
"""

# Applies one filter through the finder's own control and waits until the page settles.
APPLY_JS = """
async ([selector, itemsSel, text]) => {
  const control = document.querySelector(selector);
  if (!control) return null;
  const count = () => [...document.querySelectorAll(itemsSel)]
    .filter((el) => el.getClientRects().length > 0 && !el.hidden).length;
  let last = null;
  const observer = new MutationObserver(() => { last = performance.now(); });
  observer.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
  const before = count();
  const t0 = performance.now();
  if (text === null) {
    control.click();
  } else {
    control.value = text;
    control.dispatchEvent(new Event('input', {bubbles: true}));
    control.dispatchEvent(new Event('change', {bubbles: true}));
  }
  const tSync = performance.now();
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const tFrame = performance.now();
  const deadline = t0 + 3000;
  while (performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const quietSince = last === null ? tFrame : last;
    if (performance.now() - quietSince > 400) break;
  }
  observer.disconnect();
  const after = count();
  const settled = Math.max(tSync, last === null ? 0 : last);
  return {sync_ms: tSync - t0, frame_ms: tFrame - t0, settled_ms: settled - t0,
          before: before, after: after, url: location.search};
}
"""

# No finder: hide the cards that do not contain the word, and force layout.
FALLBACK_JS = """
async ([itemsSel, term]) => {
  const cards = [...document.querySelectorAll(itemsSel)];
  const t0 = performance.now();
  let shown = 0;
  for (const card of cards) {
    const match = card.textContent.toLowerCase().includes(term);
    card.hidden = !match;
    if (match) shown += 1;
  }
  void document.body.offsetHeight;
  const t1 = performance.now();
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const t2 = performance.now();
  return {sync_ms: t1 - t0, frame_ms: t2 - t0, settled_ms: t1 - t0, before: cards.length,
          after: shown};
}
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(site: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _settle(page: Any, timeout_ms: int = 5000) -> None:
    """Wait until the list has not changed for 300 ms (finder scripts may run after load)."""
    page.wait_for_function(
        "() => { const t = window.__cb && window.__cb.lastListChange;"
        " return performance.now() - (t || 0) > 300; }",
        timeout=timeout_ms,
        polling=50,
    )


def _load(page: Any, url: str) -> dict[str, Any]:
    page.goto(url, wait_until="load")
    _settle(page)
    state: dict[str, Any] = page.evaluate(STATE_JS, [FINDER, ITEMS, CHECKBOX])
    marks = [state["dcl"] or 0, state["lastListChange"] or 0]
    state["ready_ms"] = max(marks)
    return state


def _first_visit(browser: Any, base: str, path: str) -> dict[str, Any]:
    """Every response body of a first visit (empty cache), by kind, and gzip-compressed."""
    context = browser.new_context()
    page = context.new_page()
    requests: list[Any] = []
    page.on("requestfinished", lambda request: requests.append(request))
    page.goto(f"{base}/{path}", wait_until="load")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    by_kind: dict[str, int] = {}
    files: list[tuple[str, int]] = []
    compressed = 0
    for request in requests:
        # What a server that compresses (as GitHub Pages does) would send instead.
        try:
            response = request.response()
            compressed += len(gzip.compress(response.body(), 6)) if response else 0
        except Exception:
            pass
        try:
            size = max(0, int(request.sizes().get("responseBodySize") or 0))
        except Exception:
            size = 0
        kind = request.resource_type
        by_kind[kind] = by_kind.get(kind, 0) + size
        files.append((request.url.replace(base, ""), size))
    context.close()
    return {
        "first_visit_bytes": sum(by_kind.values()),
        "first_visit_gzip_bytes": compressed,
        "first_visit_by_kind": by_kind,
        "first_visit_files": sorted(files, key=lambda f: -f[1])[:12],
        "first_visit_requests": len(requests),
    }


def _reachable_without_js(browser: Any, base: str) -> dict[str, Any]:
    """Follow the library's "next" links with JavaScript off; count the cases reached."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    url: str | None = f"{base}/cases/"
    seen: set[str] = set()
    pages = 0
    while url and pages < 1000:
        page.goto(url)
        pages += 1
        seen.update(
            page.eval_on_selector_all(".cb-case-card__title a", "links => links.map(a => a.href)")
        )  # the case page only: a card also links to the session composer
        nxt = page.query_selector("a[rel=next]")
        url = nxt.evaluate("a => a.href") if nxt else None
    context.close()
    return {"no_js_pages": pages, "no_js_cases_reached": len(seen)}


def measure(
    site: Path, case_path: str, filter_query: str, term: str, runs: int = 5
) -> dict[str, Any]:
    """Finder timings on /cases/ and first-visit transfer bytes of one case page."""
    from playwright.sync_api import sync_playwright

    result: dict[str, Any] = {}
    with serve(site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            # Finder: one cold load (empty cache), then warm loads in the same context.
            context = browser.new_context()
            context.add_init_script(INIT_SCRIPT)
            page = context.new_page()
            cold = _load(page, f"{base}/cases/")
            warm = [_load(page, f"{base}/cases/") for _ in range(runs)]
            finder = bool(cold["finder"])
            result["finder_present"] = finder
            result["mode"] = "finder" if finder else "finder not present: list filter"
            result["items"] = cold["total"]
            result["load_cold_ms"] = cold["ready_ms"]
            result["load_warm_ms"] = statistics.median(s["ready_ms"] for s in warm)
            result["load_warm_runs_ms"] = [round(s["ready_ms"], 1) for s in warm]
            result["load_event_warm_ms"] = statistics.median(s["load"] for s in warm)
            result["dcl_warm_ms"] = statistics.median(s["dcl"] for s in warm)
            filters = []
            if finder:
                # State in the URL: the list arrives filtered.
                with_state = [_load(page, f"{base}/cases/?{filter_query}") for _ in range(runs)]
                result["load_with_query_ms"] = statistics.median(s["ready_ms"] for s in with_state)
                result["load_with_query_visible"] = with_state[-1]["visible"]
                result["load_with_query_total"] = with_state[-1]["total"]
                for _ in range(runs):
                    _load(page, f"{base}/cases/")
                    filters.append(page.evaluate(APPLY_JS, [CHECKBOX, ITEMS, None]))
                texts = []
                for _ in range(runs):
                    _load(page, f"{base}/cases/")
                    texts.append(page.evaluate(APPLY_JS, [TEXT_INPUT, ITEMS, term]))
                texts = [t for t in texts if t]
                if texts:
                    result["text_filter_ms"] = statistics.median(t["settled_ms"] for t in texts)
                    result["text_filter"] = texts[-1]
            else:
                for _ in range(runs):
                    _load(page, f"{base}/cases/")
                    filters.append(page.evaluate(FALLBACK_JS, [ITEMS, term]))
            filters = [f for f in filters if f]
            if filters:
                result["filter_ms"] = statistics.median(f["settled_ms"] for f in filters)
                result["filter_frame_ms"] = statistics.median(f["frame_ms"] for f in filters)
                result["filter"] = filters[-1]
            context.close()

            # First visit of a case page: every response body, by kind.
            result.update(_first_visit(browser, base, case_path))
            # First visit of the library: what a reader downloads before touching a filter.
            finder_visit = _first_visit(browser, base, "cases/")
            result["finder_first_visit_bytes"] = finder_visit["first_visit_bytes"]
            result["finder_first_visit_gzip_bytes"] = finder_visit["first_visit_gzip_bytes"]
            result["finder_first_visit_files"] = finder_visit["first_visit_files"]
            result.update(_reachable_without_js(browser, base))
        finally:
            browser.close()
    return result
