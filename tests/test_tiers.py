"""The fast tier (`pytest -m "not slow"`) never builds a site: conftest.py marks every test
that uses a site fixture slow, and fails an unmarked test that runs the site builder."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

TESTS = Path(__file__).parent

BUILDS_IN_MATERIAL = """
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from sitebuild import builds_site


def build_site(root: Path, theme: str) -> Path:
    (root / "docs").mkdir()
    (root / "docs/index.md").write_text("# Home\\n")
    (root / "mkdocs.yml").write_text(f"site_name: T\\ntheme:\\n  name: {theme}\\n")
    build(load_config(config_file=str(root / "mkdocs.yml")))
    return root / "site"


@pytest.fixture(scope="module")
@builds_site
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory.mktemp("fixture"), "material")


def test_through_a_site_fixture(site: Path) -> None:
    assert (site / "index.html").is_file()


def test_unmarked_in_its_body(tmp_path: Path) -> None:
    build_site(tmp_path, "material")


@pytest.mark.slow
def test_marked_in_its_body(tmp_path: Path) -> None:
    build_site(tmp_path, "material")


def test_a_bare_builder_fixture(tmp_path: Path) -> None:
    assert (build_site(tmp_path, "mkdocs") / "index.html").is_file()
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest((TESTS / "conftest.py").read_text(encoding="utf-8"))
    pytester.makepyfile(sitebuild=(TESTS / "sitebuild.py").read_text(encoding="utf-8"))
    pytester.makeini("[pytest]\nmarkers =\n    slow: builds a site\n    browser: Chromium\n")
    pytester.makepyfile(test_builds=BUILDS_IN_MATERIAL)
    return pytester


def test_the_fast_tier_leaves_out_site_fixtures_and_refuses_unmarked_builds(
    suite: pytest.Pytester,
) -> None:
    result = suite.runpytest_subprocess("-m", "not slow", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1, deselected=2)
    result.stdout.fnmatch_lines(
        ["*AssertionError: this test builds a site but is not marked slow*"]
    )
    result.stdout.fnmatch_lines(["FAILED *test_unmarked_in_its_body*"])


def test_the_whole_suite_runs_marked_builds(suite: pytest.Pytester) -> None:
    result = suite.runpytest_subprocess("-m", "slow", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, deselected=2)
