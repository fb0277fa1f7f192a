"""Every generated HTML page through the W3C Nu HTML Checker (vnu.jar, from the pinned
`vnu-jar` npm package: `npm ci` installs it, and scripts/setup.sh --test runs that).

Every error fails the test, Material's theme markup included: the post-build step
(casebook.outputs.postprocess.fix_theme_markup) corrects what Material gets wrong, so there is no
allow-list.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from sitebuild import REPO

pytestmark = pytest.mark.slow

VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu_command() -> list[str]:
    java = shutil.which("java") or ("/usr/bin/java" if Path("/usr/bin/java").exists() else None)
    missing = []
    if java is None:
        missing.append("java (Debian's default-jre-headless)")
    if not VNU_JAR.is_file():
        missing.append(f"{VNU_JAR.relative_to(REPO)} (run `npm ci` at the repository root)")
    if missing:
        message = "the HTML validator needs " + " and ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    assert java is not None
    return [java, "-jar", str(VNU_JAR)]


def test_every_page_is_valid_html(built_site: Path) -> None:
    command = vnu_command()
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 20, f"only {len(pages)} HTML pages in the built site"
    result = subprocess.run(
        [*command, "--format", "json", "--errors-only", "--stdout", *map(str, pages)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    try:
        messages = json.loads(result.stdout)["messages"]
    except (json.JSONDecodeError, KeyError) as error:
        pytest.fail(f"vnu gave no JSON report ({error}):\n{result.stdout}\n{result.stderr}")

    ours = messages
    report = []
    for m in ours:
        url = str(m.get("url", "")).split(f"{built_site.as_posix()}/", 1)[-1]
        where = f"{url}:{m.get('lastLine', '?')}"
        extract = " ".join(str(m.get("extract", "")).split())
        report.append(f"{where}: {m.get('type')}: {m.get('message')}\n    {extract}")
    assert not ours, f"{len(ours)} HTML errors in our pages:\n" + "\n".join(report)
    assert result.returncode in (0, 1), result.stderr
