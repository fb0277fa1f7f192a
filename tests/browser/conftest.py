"""Fixtures for the browser tests: the built site on 127.0.0.1 and Debian's Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from sitebuild import CHROMIUM_ARGS, require_chromium, serve


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
