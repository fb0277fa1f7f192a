"""The offline files in a real reader: Debian's kiwix-serve (package kiwix-tools) serves the
session's ZIM files, and Chromium reads a case, a worksheet PDF and a search result from
them, with no request to any other host. Then the same pages under a reader's policy that
blocks their scripts (Kiwix JS blocks inline ones): the finder and the composer fall back
to what they show without JavaScript."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from browserkit import SCREENSHOTS
from playwright.sync_api import Browser, Page, Route

from sitebuild import free_port

pytestmark = pytest.mark.browser

KIWIX_SERVE = "/usr/bin/kiwix-serve"
BOOK = "casebook_en_all"
CHARSET = '<meta charset="utf-8">'


@pytest.fixture(scope="module")
def kiwix(offline_files: dict[str, Path]) -> Iterator[str]:
    """kiwix-serve on a free port with every edition's file; yields its base URL."""
    if not shutil.which(KIWIX_SERVE):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{KIWIX_SERVE} is missing; CI must install Debian's kiwix-tools")
        pytest.skip(f"{KIWIX_SERVE} is not installed")
    port = free_port()
    files = [str(offline_files[code]) for code in sorted(offline_files)]
    server = subprocess.Popen(
        [KIWIX_SERVE, "--address", "127.0.0.1", "--port", str(port), *files],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20  # starts in well under a second
        while True:
            try:
                with urllib.request.urlopen(f"{base}/{BOOK}/index.html", timeout=2):
                    break
            except OSError:
                assert server.poll() is None, "kiwix-serve stopped at start"
                assert time.monotonic() < deadline, "kiwix-serve did not answer"
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def reader(browser: Browser, kiwix: str) -> Iterator[tuple[Page, list[str]]]:
    """A phone-sized tab and every address it requests."""
    context = browser.new_context(viewport={"width": 360, "height": 780})
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    try:
        yield context.new_page(), requested
    finally:
        context.close()


def _foreign(requested: list[str], base: str) -> list[str]:
    return [url for url in requested if not url.startswith(f"{base}/")]


def test_a_case_a_worksheet_pdf_and_a_search_result_from_kiwix_serve(
    reader: tuple[Page, list[str]], kiwix: str
) -> None:
    page, requested = reader
    # Desktop-sized: on a phone the taskbar hides itself as the reader scrolls down.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{kiwix}/{BOOK}/cases/odi-mexico/")
    page.wait_for_load_state("networkidle")
    assert "schools in Mexico" in page.locator("h1").inner_text()
    assert page.locator(".cb-content-note").first.is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)  # for a person to look at
    page.screenshot(path=SCREENSHOTS / "kiwix-serve-case-1280.png")
    # The exit stays in view as the reader scrolls, and the reader's taskbar is not on it.
    page.mouse.wheel(0, 2500)
    page.wait_for_timeout(300)
    exit_box = page.locator(".cb-exit__button").bounding_box()
    assert exit_box is not None and exit_box["y"] >= 0
    # Debian 12's kiwix-serve (3.3) injects its taskbar into the page; later ones show pages
    # in a frame below their own bar instead.
    if page.locator("#kiwixtoolbar").count():
        taskbar = page.locator("#kiwixtoolbar").bounding_box()
        assert taskbar is not None
        assert taskbar["y"] + taskbar["height"] <= exit_box["y"], "the taskbar covers the exit"

    page.goto(f"{kiwix}/{BOOK}/worksheets/odi-mexico/")
    href = page.locator('a[href$="-practitioners-a4.pdf"]').first.get_attribute("href")
    assert href is not None
    pdf = page.evaluate(
        """async (href) => {
            const response = await fetch(new URL(href, location.href));
            const bytes = new Uint8Array(await response.arrayBuffer());
            return {status: response.status, type: response.headers.get('content-type'),
                    magic: String.fromCharCode(...bytes.slice(0, 5)), size: bytes.length};
        }""",
        href,
    )
    assert (pdf["status"], pdf["type"], pdf["magic"]) == (200, "application/pdf", "%PDF-")
    assert pdf["size"] > 10_000

    page.goto(f"{kiwix}/search?content={BOOK}&pattern=Barnahus")
    page.locator(f'a[href*="/{BOOK}/cases/barnahus-iceland/"]').first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith("Barnahus")
    assert page.evaluate("navigator.serviceWorker.getRegistrations()") == []
    assert _foreign(requested, kiwix) == []
    assert len(requested) > 10  # the pages, their styles, scripts and the PDF were requested


def _without_scripts(route: Route, inline_only: bool) -> None:
    """The page as a reader whose policy blocks its inline scripts (or all of them) gets it
    (the file's pages carry no policy of their own: the reader applies its own)."""
    response = route.fetch()
    allowed = "'self'" if inline_only else "'none'"
    policy = f'<meta http-equiv="Content-Security-Policy" content="script-src {allowed}">'
    body = response.text().replace(CHARSET, CHARSET + policy, 1)
    assert policy in body
    route.fulfill(response=response, body=body)


@pytest.mark.parametrize("inline_only", [True, False], ids=["inline-blocked", "all-blocked"])
def test_the_finder_and_composer_fall_back_when_a_reader_blocks_scripts(
    reader: tuple[Page, list[str]], kiwix: str, inline_only: bool
) -> None:
    page, requested = reader
    page.route(
        re.compile(rf"/{BOOK}/(cases|worksheets/compose)/(\?.*)?$"),
        lambda route: _without_scripts(route, inline_only),
    )
    page.goto(f"{kiwix}/{BOOK}/cases/")
    page.wait_for_load_state("networkidle")
    assert not page.locator(".cb-finder__form").is_visible()
    assert page.locator(".cb-finder__noscript").is_visible()
    cards = page.locator(".cb-case-card__title a")
    assert cards.count() >= 10 and cards.first.is_visible()
    blocked = "inline-scripts-blocked" if inline_only else "scripts-blocked"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"kiwix-serve-library-360-{blocked}.png")
    page.goto(f"{kiwix}/{BOOK}/worksheets/compose/?add=odi-mexico")
    page.wait_for_load_state("networkidle")
    note = page.locator(".cb-composer__noscript")
    if inline_only:  # composer.js still runs: the composer works, and its note goes
        page.locator(".cb-composer select").first.wait_for()
        assert not note.is_visible()
    else:
        assert note.is_visible()
        note.locator("a").click()
        page.wait_for_load_state("networkidle")
        assert page.url.endswith(f"/{BOOK}/worksheets/")
    assert _foreign(requested, kiwix) == []


def test_kiwix_serves_toolbar_is_not_blocked_and_the_navigation_reads_apart(
    reader: tuple[Page, list[str]], kiwix: str
) -> None:
    """kiwix-serve's toolbar scripts ran into the site's Content-Security-Policy (errors on
    every page), and "Offline and on paper", whose page no file holds, lost its link and
    ran into "Worksheets" above it."""
    page, _ = reader
    page.set_viewport_size({"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{kiwix}/{BOOK}/cases/odi-mexico/")
    page.wait_for_load_state("networkidle")
    assert errors == [], errors
    assert page.locator('meta[http-equiv="Content-Security-Policy"]').count() == 0
    nav = page.locator(".md-sidebar--primary .md-nav--primary > .md-nav__list")
    entries = [" ".join(t.split()) for t in nav.locator(":scope > li").all_inner_texts()]
    assert "Worksheets" in entries and not any("Offline and on paper" in e for e in entries)
    links = nav.locator(":scope > li > a.md-nav__link")
    assert [" ".join(t.split()) for t in links.all_inner_texts()][:5] == [
        "Home", "Case library", "Browse cases", "Evidence map", "Worksheets",
    ]  # fmt: skip
