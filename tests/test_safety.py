"""Safety and privacy of the built site: quick exit, no third-party requests, and a
malicious case that cannot run code even with the content checks bypassed."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route

from casebook.check.validate import check_project
from casebook.outputs.postprocess import harden_site
from casebook.outputs.scriptpolicy import site_policy
from casebook.pipeline.builder import run_mkdocs, write_config
from casebook.pipeline.generate import docs_dir_for, generate
from casebook.sources.model import Section
from casebook.sources.project import Project
from sitebuild import build_context, builds_site, copy_project, serve

pytestmark = pytest.mark.slow

PAGE_TYPES = [
    "",
    "cases/",
    "cases/odi-mexico/",
    "browse/",
    "browse/countries/mx/",
    "worksheets/",
    "worksheets/odi-mexico/",
    "support/",
    "guidance/browsing-safely/",
    "guidance/practice-based-knowledge/",
    "reference/case-model/",
    "404.html",
]
EXIT_URL = "https://www.bbc.co.uk/weather"


def test_every_page_has_the_exit_control_and_privacy_meta(built_site: Path) -> None:
    pages = list(built_site.rglob("*.html"))
    assert len(pages) > 20
    for path in pages:
        html = path.read_text(encoding="utf-8")
        where = path.relative_to(built_site)
        assert '<meta name="referrer" content="no-referrer">' in html, where
        assert f'href="{EXIT_URL}" class="cb-exit__button" data-cb-exit' in html, where
        csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
        assert csp, where
        assert "unsafe-inline" not in csp.group(1).split("script-src")[1].split(";")[0], where
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html, where
        for link in re.findall(r"<a\s[^>]*href=\"https?://[^>]*>", html):
            assert 'rel="noopener noreferrer"' in link, (where, link)


@pytest.mark.browser
def test_no_request_leaves_localhost(built_site: Path, browser: object) -> None:
    with serve(built_site) as base:
        page = browser.new_page()  # type: ignore[attr-defined]
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        for path in PAGE_TYPES:
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
        page.fill("#cb-search-input", "ODI")
        page.locator(".cb-search__title").first.wait_for(timeout=5000)
        page.close()
    outside = [url for url in requests if not url.startswith(base) and not url.startswith("data:")]
    assert outside == []
    assert len(requests) > len(PAGE_TYPES)


def exit_tab(browser: Browser, held: list[Route] | None = None) -> Page:
    """A tab whose exit site answers locally. With `held`, requests to it wait there, so a
    test can look at the page it is leaving before answering them."""
    context = browser.new_context()

    def neutral(route: Route) -> None:
        if held is not None:
            held.append(route)
        else:
            route.fulfill(body="<title>Weather</title>", content_type="text/html")

    context.route("https://www.bbc.co.uk/**", neutral)
    return context.new_page()


@pytest.mark.browser
def test_shift_three_times_leaves_and_back_does_not_return(
    built_site: Path, browser: Browser
) -> None:
    with serve(built_site) as base:
        page = exit_tab(browser)
        page.goto(base)
        page.goto(base + "cases/odi-mexico/")
        status = page.locator("[data-cb-exit-status]")
        page.keyboard.press("Shift")
        assert status.text_content() == "Shift, press 2 more times to exit."
        page.keyboard.press("Shift")
        assert status.text_content() == "Shift, press 1 more time to exit."
        with page.expect_navigation():
            page.keyboard.press("Shift")
        assert page.url == EXIT_URL
        page.go_back()
        assert page.url == base  # the case page was replaced in history
        page.context.close()


@pytest.mark.browser
def test_exit_button_blanks_the_page_and_replaces_it(built_site: Path, browser: Browser) -> None:
    with serve(built_site) as base:
        held: list[Route] = []
        page = exit_tab(browser, held)
        page.goto(base + "support/")
        exit_button = page.locator("[data-cb-exit]")
        exit_button.click(trial=True)  # a reader can click it: visible, enabled, not covered
        # Clicked from inside the page, so the page is looked at in the same task, before it
        # is left; the exit site's answer is held meanwhile, so nothing races.
        assert exit_button.evaluate(
            "button => { button.click(); return document.title === 'Loading'"
            " && document.documentElement.classList.contains('cb-exiting')"
            " && getComputedStyle(document.body).display === 'none' }"
        )
        for _ in range(400):
            if held:
                break
            page.wait_for_timeout(25)  # lets Playwright deliver the held request
        assert held, "the exit button did not ask for the exit site"
        with page.expect_navigation():
            held[0].fulfill(body="<title>Weather</title>", content_type="text/html")
        assert page.url == EXIT_URL
        assert page.title() == "Weather"
        page.context.close()


# A malicious case, built with the content checks bypassed -------------------------------

ATTACKS = [
    '<script>window.__pwned = "script"</script>',
    '<img src="x" onerror="window.__pwned = \'onerror\'">',
    '[click me](javascript:window.__pwned="link")',
    "A paragraph with handlers.{: onmouseover=\"window.__pwned='attr'\" onclick=\"window.__pwned='attr'\" }",
    '<iframe src="https://example.org/"></iframe>',
    '<a href="#" onclick="window.__pwned=\'a\'">harmless-looking link</a>',
]


@pytest.fixture(scope="module")
@builds_site
def malicious_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ODI case turned hostile after validation, so only the renderer and CSP defend."""
    root = copy_project(tmp_path_factory.mktemp("malicious") / "project")
    project = Project(root)
    result = check_project(project)
    assert not result.errors
    case = next(c for c in result.library.cases if c.id == "odi-mexico")
    hostile = '<script>window.__pwned = "front matter"</script>'
    case.meta = case.meta.model_copy(
        update={
            "title": f"Hostile {hostile}",
            "summary": f"Summary {hostile} <img src=x onerror=alert(1)>",
            "content_note": f"Note {hostile}",
        }
    )
    case.sections = [
        *case.sections,
        Section("attacks", "Attacks <script>alert(1)</script>", "\n\n".join(ATTACKS), 1),
    ]
    ctx = build_context(project, result.library)
    english = result.library.languages.locales["en"]
    generate(ctx, english)
    config = write_config(
        project, english, result.library.languages, docs_dir_for(project, english)
    )
    site = root / "site"
    run_mkdocs(project, site, config_file=config)
    harden_site(site, site_policy(project.overrides_dir))
    return site


class _Elements(HTMLParser):
    """Every element of a page, with its attributes, and the text of its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        # JSON data (the finder's strings, JSON-LD) never runs: test_citation.py checks it.
        self._in_script = tag == "script" and "json" not in (dict(attrs).get("type") or "")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.scripts.append(data)


def test_malicious_markup_is_removed_from_the_page(malicious_site: Path) -> None:
    parser = _Elements()
    parser.feed((malicious_site / "cases/odi-mexico/index.html").read_text())
    for tag, attrs in parser.elements:
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        assert not attrs.get("href", "").strip().lower().startswith("javascript:"), attrs
        assert tag not in ("iframe", "object", "embed")
    assert not [s for s in parser.scripts if "__pwned" in s or "alert" in s]


@pytest.mark.browser
def test_malicious_case_cannot_run_code(malicious_site: Path, browser: object) -> None:
    with serve(malicious_site) as base:
        page = browser.new_page()  # type: ignore[attr-defined]
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(base + "cases/odi-mexico/")
        page.wait_for_load_state("networkidle")
        for text in ("click me", "A paragraph with handlers", "harmless-looking link"):
            locator = page.get_by_text(text).first
            if locator.count():
                locator.hover()
                locator.click()
        page.wait_for_timeout(300)
        assert page.evaluate("() => window.__pwned === undefined")
        assert dialogs == []
        # The page title shows the hostile text as text.
        assert "<script>" in page.locator("h1").first.inner_text()
        page.close()
