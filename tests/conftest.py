"""Fixtures shared by the test modules."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, sync_playwright

from casebook.cli import main
from sitebuild import CHROMIUM_ARGS, REPO, builds_site, copy_project, require_chromium, serve


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses a site (a fixture marked `@builds_site`, however indirectly) is slow."""
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        for name in item.fixturenames:
            if any(
                getattr(d.func, "builds_site", False) for d in info.name2fixturedefs.get(name, ())
            ):
                item.add_marker(pytest.mark.slow)
                break


def _refusing(populate: Any) -> Any:
    """MkDocs' reading of a page, refused in Material (the site's theme): a bare two-page
    fixture in MkDocs' own theme takes milliseconds, the site a minute. (The page step, not
    `build`, because `build` calls it by its module's name however `build` was imported.)"""

    def guarded(page: Any, config: Any, *args: Any, **kwargs: Any) -> Any:
        if config["theme"].name == "material":
            # Not pytest.fail: the builders' worker processes must be able to send it back.
            raise AssertionError(
                "this test builds a site but is not marked slow: mark it @pytest.mark.slow, "
                "or test the step without the site builder, so that `pytest -m 'not slow'` "
                "stays fast"
            )
        return populate(page, config, *args, **kwargs)

    return guarded


def _guarded(item: pytest.Item) -> Generator[None, None, None]:
    """Run a phase of an unmarked test with the site builder refused (in its fixtures too,
    however wide their scope, and in the build's forked workers)."""
    if item.get_closest_marker("slow"):
        yield
        return
    import mkdocs.commands.build

    with pytest.MonkeyPatch.context() as patch:
        build = mkdocs.commands.build
        patch.setattr(build, "_populate_page", _refusing(build._populate_page))
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    yield from _guarded(item)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    yield from _guarded(item)


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A throwaway copy of the project's sources; returns its root folder."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
@builds_site
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
