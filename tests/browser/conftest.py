"""The browser tests' desktop tab; the browser and the served site come from tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browserkit import DESKTOP
from playwright.sync_api import Browser, Page


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    """One desktop-sized tab per test module."""
    context = browser.new_context(viewport=DESKTOP)
    try:
        yield context.new_page()
    finally:
        context.close()
