"""Helpers shared by tests that build the site or open it in a browser."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import http.server
import os
import re
import shutil
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from playwright.sync_api import Browser, Page

if TYPE_CHECKING:
    from casebook.pipeline.context import BuildContext
    from casebook.sources.model import Library
    from casebook.sources.project import Project

REPO = Path(__file__).resolve().parents[1]
PROJECT_PARTS = [
    "case_studies",
    "reflective_questions",
    "vocabularies",
    "docs",
    "overrides",
    "data",
    "i18n",
    "mkdocs.yml",
]
# The published address of `addressed_site` (conftest.py): in a folder of its host.
ADDRESS = "https://pages.example.org/casebook/"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--no-first-run",
]


F = TypeVar("F", bound=Callable[..., Any])


def builds_site(fixture: F) -> F:
    """Mark a fixture that builds a site (under its `@pytest.fixture`): every test that uses
    it, directly or through another fixture, is marked slow (see conftest.py)."""
    fixture.builds_site = True  # type: ignore[attr-defined]
    return fixture


def copy_project(target: Path) -> Path:
    """A copy of the real project's sources (not its outputs) in `target`."""
    target.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        elif source.is_file():
            shutil.copy2(source, target / part)
    return target


def build_context(project: Project, library: Library) -> BuildContext:
    """The build's context for a checked project, as `casebook build --no-pdf` makes it."""
    from casebook.pipeline.builder import read_config
    from casebook.pipeline.context import Progress
    from casebook.pipeline.manifest import Manifest
    from casebook.pipeline.sequence import Options, Target, make_context

    return make_context(
        project,
        library,
        Manifest(project.cache_dir / "manifest.json"),
        Target(project.site_dir),
        Progress(quiet=True),
        Options(pdf=False),
        {},
        read_config(project),
    )


def odi_alone(target: Path) -> Path:
    """A copy of the project in `target` with the ODI case alone (and its translations)."""
    root = copy_project(target)
    for folder in ("case_studies", "reflective_questions/cases"):
        for path in (root / folder).iterdir():
            if path.name.split(".")[0] != "odi-mexico":
                path.unlink()
    return root


@contextlib.contextmanager
def page_without_errors(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context; on leaving, no JavaScript error was raised in it."""
    context = browser.new_context()
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


class SharedCopy:
    """One copy of the project for many tests that each change a few files: after each
    test, `restore` puts back exactly what was there (bytes and modes), removes what was
    added, and keeps the check's cache, which is keyed by the files' contents."""

    KEEP = ".cache"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = {rel: (path.read_bytes(), path.stat().st_mode) for rel, path in self._walk()}
        self.folders = {p.relative_to(root) for p in root.rglob("*") if p.is_dir()}

    def _walk(self) -> Iterator[tuple[Path, Path]]:
        for path in self.root.rglob("*"):
            rel = path.relative_to(self.root)
            if rel.parts[0] != self.KEEP and (path.is_symlink() or path.is_file()):
                yield rel, path

    def restore(self) -> None:
        for rel, path in list(self._walk()):
            if rel not in self.files or path.is_symlink():
                path.unlink()
        for folder in sorted(self.folders):
            (self.root / folder).mkdir(exist_ok=True)
            (self.root / folder).chmod(0o755)
        for rel, (data, mode) in self.files.items():
            path = self.root / rel
            if not path.exists() or path.read_bytes() != data:
                path.write_bytes(data)
            path.chmod(mode)
        for path in sorted(self.root.rglob("*"), reverse=True):
            rel = path.relative_to(self.root)
            if path.is_dir() and rel.parts[0] != self.KEEP and rel not in self.folders:
                shutil.rmtree(path)


def built_once(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], object]) -> Path:
    """`make(root)` once per test run, shared by the run's xdist workers: the first to ask
    makes it while the others wait on a lock (a whole build costs a minute on 2 cores)."""
    base = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's folder, above each worker's own
    shared = base / "shared"
    shared.mkdir(exist_ok=True)
    root = shared / name
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / f"{name}.done"
        if not done.exists():
            if root.exists():  # a worker that failed half-way
                shutil.rmtree(root)
            make(root)
            done.touch()
    return root


def build_at_address(target: Path, site_url: str) -> Path:
    """A copy of the real project in `target`, built without PDFs for the published address
    `site_url` (set in its mkdocs.yml); returns its site folder."""
    from casebook.cli import main

    root = copy_project(target)
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("site_name: Casebook\n", f"site_name: Casebook\nsite_url: {site_url}\n"),
        encoding="utf-8",
    )
    assert main(["--project", str(root), "build", "--no-pdf", "--quiet"]) == 0
    return root / "site"


def require_chromium() -> str:
    """Debian's Chromium, or a skip; in CI a missing browser fails the run instead."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing; CI must install Debian's chromium package")
    pytest.skip(f"{CHROMIUM} is not installed")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve a built site on 127.0.0.1; yields its base URL."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


def css_unescape(escaped: str) -> str:
    """What a CSS parser reads back from the inside of a string (CSS Syntax 4.3.7): a hex
    escape and one space after it, or any other escaped character as itself."""
    return re.sub(
        r"\\(?:([0-9a-fA-F]{1,6}) ?|(.))",
        lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2),
        escaped,
        flags=re.S,
    )


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def git(root: Path, *args: str) -> str:
    """Run git in `root` as a test author; its output."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.org",
    }
    done = subprocess.run(
        ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout
