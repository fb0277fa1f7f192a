"""Fixtures shared by the test modules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from casebook.cli import main
from sitebuild import CHROMIUM_ARGS, REPO, copy_project, require_chromium, serve


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A throwaway copy of the project's sources; returns its root folder."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the real project, built once per session as the deploy builds it: with its
    PDFs and its offline files."""
    root = copy_project(tmp_path_factory.mktemp("built") / "project")
    assert main(["--project", str(root), "build", "--quiet", "--zim"]) == 0
    return root


@pytest.fixture(scope="session")
def built_site(built_project: Path) -> Path:
    return built_project / "site"


@pytest.fixture(scope="session")
def offline_files(built_site: Path) -> dict[str, Path]:
    """The session's offline files, one ZIM file per edition (by language code)."""
    files = {path.stem.split("_")[1]: path for path in (built_site / "offline").glob("*.zim")}
    assert sorted(files) == ["en", "es", "fr"]
    return files


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    """The session's built site (with PDFs), served on 127.0.0.1; its base URL ends in '/'."""
    with serve(built_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium per test module. Never a downloaded browser: Debian's, or a skip (in CI,
    where CI=true, a missing browser fails the run instead)."""
    executable = require_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
