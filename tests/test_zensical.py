"""Portability: the generated tree (build/docs/) builds with Zensical as well as with MkDocs.

Casebook runs no MkDocs hook or plugin of its own, so another builder that reads mkdocs.yml
must be able to build what `casebook build` generates. Zensical, the successor of Material
for MkDocs, is that builder. It cannot be given a site folder on the command line, keeps its
cache in `.cache/` beside its configuration (and `--clean` deletes that folder, which holds
Casebook's PDF cache too), so the configuration is copied into build/ and pointed at
build/docs and build/zensical-site.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from casebook.cli import main
from sitebuild import builds_site, copy_project

pytestmark = pytest.mark.slow


def _zensical() -> list[str]:
    if importlib.util.find_spec("zensical") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("zensical is missing; CI installs it with the 'test' extra")
        pytest.skip("zensical is not installed (pip install -e '.[test]')")
    script = Path(sys.executable).parent / "zensical"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "zensical"]


def zensical_config(project: Path) -> Path:
    """mkdocs.yml, copied into build/ with its folders made relative to build/."""
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^docs_dir:.*$", "docs_dir: docs", text)
    text = re.sub(r"(?m)^site_dir:.*$", "site_dir: zensical-site", text)
    text = re.sub(r"(?m)^(\s+custom_dir:\s*)(\S+)", r"\1../\2", text)
    config = project / "build" / "zensical.yml"
    config.write_text(text, encoding="utf-8")
    return config


@pytest.fixture(scope="module")
@builds_site
def zensical_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    command = _zensical()
    project = copy_project(tmp_path_factory.mktemp("zensical") / "project")
    assert main(["--project", str(project), "build", "--no-pdf", "--quiet"]) == 0
    assert (project / "build" / "docs" / "cases" / "odi-mexico.md").is_file()
    result = subprocess.run(
        [*command, "build", "--clean", "-f", str(zensical_config(project))],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = (result.stdout + result.stderr).strip().splitlines()
    assert result.returncode == 0, "zensical build failed: " + " / ".join(output[-3:])
    return project / "build" / "zensical-site"


def test_zensical_builds_the_generated_case_page(zensical_site: Path) -> None:
    page = zensical_site / "cases" / "odi-mexico" / "index.html"
    assert page.is_file()
    html = page.read_text(encoding="utf-8")
    assert "Public Education Secretariat" in html
    assert "45 cases" in html


def test_zensical_keeps_the_theme_override_and_assets(zensical_site: Path) -> None:
    html = (zensical_site / "cases" / "odi-mexico" / "index.html").read_text(encoding="utf-8")
    # overrides/main.html (custom_dir): the quick-exit control and the referrer policy.
    assert "data-cb-exit" in html
    assert '<meta name="referrer" content="no-referrer">' in html
    # extra_css and extra_javascript.
    assert "assets/casebook.css" in html
    assert "assets/casebook.js" in html
    assert (zensical_site / "assets" / "casebook.css").is_file()
    # Data files in the generated tree are copied through.
    assert (zensical_site / "catalogue.json").is_file()
