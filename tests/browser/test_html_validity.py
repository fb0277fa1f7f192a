"""Every generated HTML page through the W3C Nu HTML Checker (vnu.jar, from the pinned
`vnu-jar` npm package: `npm ci` installs it, and scripts/setup.sh --test runs that).

Errors from our templates, overrides or content fail the test. A few errors come from Material
for MkDocs' own theme markup, which we do not fork: each is allowed below by its exact message
*and* a piece of the Material markup it must be about, so the same mistake in our own markup
still fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sitebuild import REPO

pytestmark = pytest.mark.slow

VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# (exact message, a substring of the offending markup that shows it is Material's)
MATERIAL_ERRORS: list[tuple[str, str]] = [
    # partials/header.html and base.html: Material's hidden checkbox toggles for the drawer
    # and the search carry autocomplete="off", so that Firefox does not restore a checked
    # toggle (an open drawer or search) when the reader goes back to a page.
    (
        "Attribute “autocomplete” is only allowed when the input type is “color”, “date”, "
        "“datetime-local”, “email”, “hidden”, “month”, “number”, “password”, “range”, "
        "“search”, “tel”, “text”, “time”, “url”, or “week”.",
        'class="md-toggle"',
    ),
    # partials/nav-item.html: with the navigation.sections feature, a section's label is
    # rendered with tabindex="" (an empty value: browsers treat it as not focusable, which is
    # what Material intends, as the section heading is not a control).
    (
        "Bad value “” for attribute “tabindex” on element “label”: The empty string is not a "
        "valid integer.",
        'class="md-nav__link"',
    ),
    # partials/toc.html: the table of contents' title is a <label for="__toc">, whose
    # checkbox Material renders only inside the primary navigation, for a page that is in
    # `nav`. Case and worksheet pages are deliberately not in `nav` (mkdocs.yml), so on
    # those pages the label points at nothing; it only toggles the mobile TOC drawer.
    (
        "The value of the “for” attribute of the “label” element must be the ID of a "
        "non-hidden form control.",
        'class="md-nav__title" for="__toc"',
    ),
]


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


def is_material(message: dict[str, Any]) -> bool:
    extract = message.get("extract") or ""
    return any(
        message.get("message") == text and marker in extract for text, marker in MATERIAL_ERRORS
    )


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

    ours = [m for m in messages if not is_material(m)]
    report = []
    for m in ours:
        url = str(m.get("url", "")).split(f"{built_site.as_posix()}/", 1)[-1]
        where = f"{url}:{m.get('lastLine', '?')}"
        extract = " ".join(str(m.get("extract", "")).split())
        report.append(f"{where}: {m.get('type')}: {m.get('message')}\n    {extract}")
    assert not ours, f"{len(ours)} HTML errors in our pages:\n" + "\n".join(report)
    assert result.returncode in (0, 1), result.stderr
