"""Files in docs/ that a browser would run: an SVG image, an HTML page, a script, XML.

Everything in docs/ (the guidance pages, the web editor's uploads in docs/assets/uploads/)
and in i18n/<code>/docs/ is published on the site's own address, where the site's pages
and their policy live. Opened directly, such a file runs its script there, with the site's
origin. Only the project's own assets that the site needs (data/site_scripts.yml) are
published; `casebook check` refuses any other, and the build stops on one.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict, Field, field_validator

from casebook.sources.problems import Problem, display_path
from casebook.sources.yamlmodel import read_model

SITE_SCRIPTS_FILE = Path("data") / "site_scripts.yml"
# What the web editor may upload: images that browsers show and that cannot run, which the
# build publishes without their metadata (casebook.outputs.images).
UPLOAD_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp"})

_IMAGE = (
    "an SVG image can carry a script, which would run on the site's address when the image "
    "is opened; upload it as PNG or JPEG instead (a drawing program exports either)"
)
_PAGE = (
    "an HTML page would run its scripts on the site's address, outside the site's checks; "
    "write its text as a Markdown page (.md) in docs/ instead"
)
_SCRIPT = (
    "a script would run on the site's address; the site runs only its own, listed in "
    f"{SITE_SCRIPTS_FILE.as_posix()}: delete it, or, if the site's theme loads it, list it "
    "there with why"
)
_XML = (
    "an XML file can be opened as a page that runs a script (XHTML, SVG, XSLT); publish "
    "data to download as a ZIP file (.zip) or as text (.txt, .csv) instead"
)
# Each type a browser may run when the file is opened, and what to do instead.
SCRIPT_SUFFIXES: dict[str, str] = {
    ".svg": _IMAGE,
    ".svgz": _IMAGE,
    ".html": _PAGE,
    ".htm": _PAGE,
    ".xhtml": _PAGE,
    ".xht": _PAGE,
    ".shtml": _PAGE,
    ".mht": _PAGE,
    ".mhtml": _PAGE,
    ".js": _SCRIPT,
    ".mjs": _SCRIPT,
    ".cjs": _SCRIPT,
    ".wasm": _SCRIPT,
    ".xml": _XML,
    ".xsl": _XML,
    ".xslt": _XML,
    ".rss": _XML,
    ".atom": _XML,
}


class SiteScript(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str
    why: str = Field(min_length=1)

    @field_validator("path")
    @classmethod
    def _in_docs(cls, value: str) -> str:
        parts = value.split("/")
        if parts[0] != "docs" or len(parts) < 2 or "\\" in value or ".." in parts or "" in parts:
            raise ValueError(
                f"'{value}' is not a file in docs/; write its path from the project's folder, "
                "e.g. 'docs/assets/finder.js'"
            )
        return value


class SiteScriptsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    files: list[SiteScript]


def site_scripts(root: Path) -> tuple[frozenset[str], list[Problem]]:
    """The project files (paths from the project's root) that may be published though they
    can carry a script, and the data file's problems."""
    path = root / SITE_SCRIPTS_FILE
    if not path.is_file():
        return frozenset(), []
    loaded, problems = read_model(path, display_path(path, root), SiteScriptsFile)
    if loaded is None:
        return frozenset(), problems
    return frozenset(PurePosixPath(f.path).as_posix() for f in loaded.value.files), problems


def script_type(name: str) -> str | None:
    """What to do instead when a file of this name can carry a script, or None. Trailing dots
    and spaces are dropped, as some servers and systems drop them ('a.svg.' is an SVG)."""
    suffix = PurePosixPath(name.rstrip(". ")).suffix.lower()
    return SCRIPT_SUFFIXES.get(suffix)


def script_refusal(path: Path, root: Path, allowed: frozenset[str]) -> str | None:
    """Why the file at `path` is never published, or None when it may be."""
    relative = path.relative_to(root).as_posix()
    if relative in allowed:
        return None
    return script_type(path.name)
