"""End to end in Chromium: `casebook edit` runs the web editor (/admin/, Decap CMS) with its
local backend; the form refuses what the check refuses, and a case created in it passes
`casebook check` and appears on the built site.

decap-server runs in Git mode, as the editorial workflow needs, on the editor's own worktree:
saving commits the case to a branch `cms/cases/<id>`, just as on GitHub it becomes a pull
request. The test then merges it with `casebook edit --merge`, as a reviewer would, checks
and builds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browserkit import SCREENSHOTS
from playwright.sync_api import Browser, Page

from casebook.check.validate import check_project
from casebook.cli import main
from casebook.editor.cms import bundle_tarball
from casebook.sources.project import Project
from sitebuild import REPO, copy_project, free_port, git

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DECAP_SERVER = REPO / "node_modules" / ".bin" / "decap-server"
CASE_ID = "kenya-schools"
HAND_WRITTEN = "case_studies/being-written.md"
BODY = """## Context

A network of schools in Kenya brought together what its staff had noticed over several years.

## What was learned

Concerns about the same adults had been recorded in different places, so no one saw the pattern.

## Action

The network agreed one way of recording concerns and reviewed them together each term.

## Reflection

Practice showed a pattern that the separate records could not show on their own."""
QUESTIONS = [
    "Where in your setting are concerns recorded, and who can see them together over time?",
    "What would help a colleague raise a concern about another member of staff?",
    "How could your setting review small concerns so that a pattern can be noticed?",
]


def _require(condition: bool, why: str) -> None:
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(why)
    pytest.skip(why)


@pytest.fixture(scope="module")
def editor_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int, str]]:
    """A Git repository with the project, and `casebook edit` running on it: decap-server on
    the editor's worktree (on a Unix socket), and the preview with /admin/ on a free port,
    which forwards the form's /api/v1 to decap-server."""
    _require(
        DECAP_SERVER.exists(), "decap-server is not installed; run bash scripts/setup.sh --test"
    )
    _require(shutil.which("git") is not None, "git is not installed")
    bundle = bundle_tarball(Project(REPO))
    _require(bundle is not None, "the Decap CMS bundle is not fetched")
    assert bundle is not None
    root = copy_project(tmp_path_factory.mktemp("editor") / "project")
    shutil.copy2(REPO / ".gitignore", root / ".gitignore")
    shutil.copy2(REPO / "package-lock.json", root / "package-lock.json")
    (root / ".cache" / "decap-cms").mkdir(parents=True)
    shutil.copy2(bundle, root / ".cache" / "decap-cms" / bundle.name)
    (root / "node_modules").symlink_to(REPO / "node_modules")
    preview = free_port()
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "The project")
    # A case being written by hand, not committed and not passing the check yet: the web
    # editor starts all the same, and neither saving nor merging touches it.
    (root / HAND_WRITTEN).write_text("---\ntitle: TODO\n---\n\nTODO\n", encoding="utf-8")
    log = root.parent / "edit.log"
    with log.open("wb") as output:
        command = [sys.executable, "-m", "casebook.cli", "--project", str(root), "edit"]
        process = subprocess.Popen(
            [*command, "--port", str(preview)], stdout=output, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{preview}/"
    try:
        deadline = time.monotonic() + 180
        while not _answers(url + "admin/config.yml"):
            assert process.poll() is None, log.read_text(encoding="utf-8")
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.5)
        yield root, preview, url
    finally:
        process.terminate()  # it stops decap-server on its way out
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="module")
def editor(
    browser: Browser, editor_project: tuple[Path, int, str]
) -> Iterator[tuple[Page, str, list[str], list[str]]]:
    _, _, url = editor_project
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    try:
        yield page, url, requests, errors
    finally:
        context.close()


def _field(page: Page, name: str, index: int = 0):  # type: ignore[no-untyped-def]
    return page.locator(f'[id^="{name}-field-"]').nth(index)


def _choose(page: Page, name: str, text: str, index: int = 0) -> None:
    """Pick an option in a select (react-select): type part of its label, then Enter."""
    _field(page, name, index).click()
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def _new_entry(page: Page, url: str, collection: str, first_field: str) -> None:
    """Open a new entry's form, logging in to the local backend the first time."""
    page.goto(f"{url}admin/#/collections/{collection}/new")
    login = page.get_by_role("button", name="Login")
    login.or_(_field(page, first_field)).first.wait_for(timeout=20_000)
    if login.is_visible():
        login.click()
    _field(page, first_field).wait_for(timeout=20_000)


def _fill_required_but_sources(page: Page, case_id: str) -> None:
    """Every required field of a new case but its Sources (and its body, left as it starts)."""
    _field(page, "id").fill(case_id)
    _field(page, "title").fill("Recording concerns together in a network of schools in Kenya")
    _field(page, "summary").fill(
        "A network of schools in Kenya learned from its own records that concerns about the "
        "same adults had been noted in different places, and changed how it records them."
    )
    _choose(page, "status", "published")
    _field(page, "name").fill("Example Schools Network")
    _choose(page, "country", "Kenya")
    _choose(page, "kind", "Non-governmental")
    _choose(page, "countries", "Kenya")
    _field(page, "start").fill("2019")
    _choose(page, "settings", "Schools")
    _choose(page, "forms_of_violence", "Sexual abuse")
    _choose(page, "themes", "Recognising patterns")
    _choose(page, "knowledge_type", "Practice")
    _choose(page, "practice_sources", "Case files")
    _choose(page, "audiences", "Practitioners")
    _field(page, "content_note").fill(
        "This case discusses the sexual abuse of children in schools. It gives no details of "
        "any incident."
    )


def _fill_optional(page: Page) -> None:
    """Every optional field the form offers (but translations, which need their files), after
    one source was added. A field's index counts the fields of that name above it."""
    _field(page, "short_name").fill("ESN")
    _field(page, "english_name").fill("Example Schools Network")
    _field(page, "website").fill("https://schools.example.org/")
    page.get_by_role("button", name="Add partners").click()
    _field(page, "item").fill("Example Teachers' Union")
    _choose(page, "reach", "Part of one country")
    _field(page, "subnational_scope").fill("Three counties")
    _field(page, "end").fill("2023")
    _choose(page, "inspire", "Safe environments")
    page.get_by_role("button", name="Add section note").click()
    _choose(page, "section", "Context")
    _field(page, "note").fill("This section describes how concerns were recorded, not incidents.")
    page.get_by_role("button", name="Add headline fact").click()
    _field(page, "label").fill("Schools")
    _field(page, "text").fill("Twelve schools took part.")
    page.get_by_role("button", name="Add milestone").click()
    _field(page, "id", 1).fill("report")
    _choose(page, "kind", "Report", 1)
    _field(page, "label", 1).fill("A review of the records")
    _field(page, "year", 0).fill("2021")
    _field(page, "text", 1).fill("The network read its concern records together.")
    page.get_by_role("button", name="Add outcome").click()
    _field(page, "text", 2).fill("Concerns are recorded in one place and reviewed each term.")
    page.get_by_role("button", name="Add chain").click()
    _field(page, "item", 1).fill("report")
    _choose(page, "evidence", "own account")
    page.get_by_role("button", name="Add evidence timeline").click()
    _field(page, "year", 1).fill("2022")
    _field(page, "text", 3).fill("Records from twelve schools.")
    _field(page, "publisher").fill("Example Schools Network")
    _field(page, "date").fill("2022-07")
    _field(page, "url").fill("https://schools.example.org/annual-report-2022")


def test_the_form_refuses_to_save_a_case_without_sources(
    browser: Browser, editor_project: tuple[Path, int, str]
) -> None:
    """Sources are required (at least one), as in `casebook check`: the form says so and
    saves nothing. Screenshots of the refusal, at 1280 and 360 px, go to test-artifacts/."""
    root, _, url = editor_project
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        _new_entry(page, url, "cases", "id")
        _fill_required_but_sources(page, "no-sources-yet")
        _field(page, "last_reviewed").fill("2026-11-20")
        page.get_by_role("button", name="Save").click()
        refusal = page.get_by_text("Sources must have between 1 and 1000 item(s).")
        refusal.wait_for(timeout=10_000)
        # The only problem the form finds is the missing source.
        shown = page.locator('[class*="ControlErrorsList"] li').all_text_contents()
        assert shown == ["Sources must have between 1 and 1000 item(s)."]
        page.wait_for_timeout(1000)  # a save would have moved on to the entry's address
        assert page.url.endswith("/collections/cases/new")
        assert git(root, "branch", "--list", "cms/*").split() == []
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 900})
            refusal.scroll_into_view_if_needed()
            page.screenshot(path=str(SCREENSHOTS / f"web-editor-no-sources-{width}.png"))
    finally:
        context.close()


def test_a_case_created_in_the_web_editor_passes_check_and_is_built(
    editor: tuple[Page, str, list[str], list[str]], editor_project: tuple[Path, int, str]
) -> None:
    page, url, requests, errors = editor
    root, port, _ = editor_project

    # The case, through the form.
    _new_entry(page, url, "cases", "id")
    _fill_required_but_sources(page, CASE_ID)
    page.get_by_role("button", name="Add source").click()
    _field(page, "title", 1).fill("Annual report")
    _choose(page, "kind", "Report", 1)
    _field(page, "citation").fill("Example Schools Network, Annual report, 2022.")
    _fill_optional(page)
    _field(page, "first_published").fill("2026-11-20")
    _field(page, "last_reviewed").fill("2026-11-20")
    # The body, in the Markdown mode: replace the required sections' TODOs.
    page.get_by_role("switch").first.click()
    body = page.locator('[aria-label="markdown field"] [contenteditable="true"]').first
    # The editor may still be settling its template when first focused, so the body is
    # cleared until empty, typed, and typed again if what the editor holds is not the body.
    wanted = [line.strip() for line in BODY.split("\n") if line.strip()]
    for _ in range(3):
        for _ in range(10):
            body.click()
            page.keyboard.press("Control+A")
            page.keyboard.press("Delete")
            if not body.inner_text().replace("\ufeff", "").strip():
                break
            page.wait_for_timeout(200)
        for number, line in enumerate(BODY.split("\n")):
            if number:
                page.keyboard.press("Enter")
            if line:
                page.keyboard.type(line)
        text = body.inner_text().replace("\ufeff", "")  # Slate's marks of empty lines
        held = [line.strip() for line in text.split("\n") if line.strip()]
        if held == wanted:
            break
    assert held == wanted, "the body typed into the editor is not the body"
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/collections/cases/entries/{CASE_ID}", timeout=20_000)

    # Its questions, beside it.
    _new_entry(page, url, "questions", "case")
    _field(page, "case").fill(CASE_ID)
    audiences = list(check_project(Project(root)).library.questions.audiences)
    add = page.get_by_role("button", name="Add question").nth(audiences.index("practitioners"))
    for number, question in enumerate(QUESTIONS):
        add.click()
        _field(page, "question", number).fill(question)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/collections/questions/entries/{CASE_ID}", timeout=20_000)

    # Each became a branch, as a pull request would on GitHub.
    branches = git(root, "branch", "--list", "cms/*").split()
    assert sorted(branches) == [f"cms/cases/{CASE_ID}", f"cms/questions/{CASE_ID}"]
    written = git(root, "show", f"cms/cases/{CASE_ID}:case_studies/{CASE_ID}.md")
    assert written.startswith(f"---\nid: {CASE_ID}\ntitle: ")
    assert "countries:\n  - KE\n" in written and "last_reviewed: 2026-11-20\n" in written
    assert "first_published: 2026-11-20\n" in written
    for filled in (
        "short_name: ESN",
        "website: https://schools.example.org/",
        "reach: local",
        "end: 2023",
        "section: context",
        "chain:\n      - report",
        "date: 2022-07",
        "url: https://schools.example.org/annual-report-2022",
    ):
        assert filled in written, (filled, written)
    questions = git(
        root, "show", f"cms/questions/{CASE_ID}:reflective_questions/cases/{CASE_ID}.yml"
    )
    assert questions.startswith(f"case: {CASE_ID}\npractitioners:\n  - "), questions

    # The reviewer merges both; the check passes as written, and the site builds with it.
    assert git(root, "status", "--porcelain").splitlines() == [f"?? {HAND_WRITTEN}"]
    assert main(["--project", str(root), "edit", "--merge", CASE_ID]) == 0
    assert git(root, "branch", "--list", "cms/*").split() == []  # the board stays clean
    assert git(root, "status", "--porcelain").splitlines() == [f"?? {HAND_WRITTEN}"]
    # The preview of `casebook edit` shows the merged case by itself.
    deadline = time.monotonic() + 120
    while not _answers(f"{url}cases/{CASE_ID}/"):
        assert time.monotonic() < deadline, "the preview did not show the merged case"
        time.sleep(0.5)
    (root / HAND_WRITTEN).unlink()
    result = check_project(Project(root))
    assert [p.format() for p in result.errors] == []
    # No warning: Kenya's national support services are in data/support_services.yml.
    assert [(p.path, p.field) for p in result.warnings] == []
    assert (
        main(["--project", str(root), "check", str(root / "case_studies" / f"{CASE_ID}.md")]) == 0
    )
    assert main(["--project", str(root), "build", "--no-pdf", "--quiet"]) == 0
    built = (root / "site" / "cases" / CASE_ID / "index.html").read_text(encoding="utf-8")
    assert "Recording concerns together in a network of schools in Kenya" in built
    assert QUESTIONS[0].replace("'", "&#39;") in built or QUESTIONS[0] in built

    # /admin/ asked nothing of anyone but the preview, which is also its Git backend.
    elsewhere = sorted({u for u in requests if urlsplit(u).netloc != f"127.0.0.1:{port}"})
    assert elsewhere == []
    assert f"{url}api/v1" in requests
    assert errors == []
