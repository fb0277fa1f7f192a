"""Fixtures shared by the test modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.cli import main
from sitebuild import REPO, copy_project


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A throwaway copy of the project's sources; returns its root folder."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the real project, built once per session with its PDFs."""
    root = copy_project(tmp_path_factory.mktemp("built") / "project")
    assert main(["--project", str(root), "build", "--quiet"]) == 0
    return root


@pytest.fixture(scope="session")
def built_site(built_project: Path) -> Path:
    return built_project / "site"
