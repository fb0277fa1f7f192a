"""The offline files' names and addresses, shared by the page that offers them (generated
with the site) and the step that writes them after it (`build --zim`), which must agree."""

from __future__ import annotations

import re
from dataclasses import dataclass

from casebook.pages.templating import SiteSettings
from casebook.sources.i18n import Locale

# The folder of the site that holds the files, and each edition's page about them.
OFFLINE_URL = "offline/"
# Where the page shows a file's size, which is known only once the file is written.
_SIZE = re.compile(r'(<span class="cb-offline-size" data-file="([^"]+)">)[^<]*(</span>)')


def zim_name(settings: SiteSettings, code: str) -> str:
    """The file's Name, openZIM's `project_language_selection`, e.g. 'casebook_en_all'."""
    project = re.sub(r"[^a-z0-9]+", "-", settings.name.lower()).strip("-") or "casebook"
    return f"{project}_{code}_all"


@dataclass(frozen=True)
class Download:
    language: str  # the edition's name in its own language
    code: str
    file: str  # the file's name in the site's offline folder
    this_edition: bool


def downloads(settings: SiteSettings, locale: Locale) -> list[Download]:
    """One file per edition, the reader's own first."""
    found = [
        Download(name, code, f"{zim_name(settings, code)}.zim", code == locale.code)
        for code, name in locale.names.items()
    ]
    return sorted(found, key=lambda d: not d.this_edition)


def with_sizes(page: str, sizes: dict[str, int], locale: Locale) -> str:
    """The page with each written file's size in it, e.g. ', 3.2 MB' ('3,2 Mo' in French)."""

    def size(found: re.Match[str]) -> str:
        written = sizes.get(found.group(2))
        if written is None:
            return found.group(0)
        tenths = max(1, round(written / 1e5))
        text = locale.t("offline_size", whole=tenths // 10, tenth=tenths % 10)
        return f"{found.group(1)}, {text}{found.group(3)}"

    return _SIZE.sub(size, page)
