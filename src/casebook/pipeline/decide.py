"""How each edition's builder runs: skip, copy, partial or full.

A pure decision over what the docs folder holds now and what was last built into the site,
so that it can be tested as a table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

# Generated pages whose links are final URLs: they can be built without the rest.
PARTIAL_SAFE = ("cases/", "worksheets/", "browse/", "support.md")
# Above this many outdated pages, building the whole edition is as quick.
PARTIAL_LIMIT = 400


class Mode(StrEnum):
    SKIP = "skip"  # nothing changed
    COPY = "copy"  # only files that pass through the builder unchanged (data, PDFs)
    PARTIAL = "partial"  # the outdated pages only, with the navigation's pages as stubs
    FULL = "full"  # the whole edition


@dataclass(frozen=True)
class Decision:
    mode: Mode
    reason: str

    @property
    def runs_builder(self) -> bool:
        return self.mode in (Mode.PARTIAL, Mode.FULL)


def outdated_pages(generated: Mapping[str, str], built: Mapping[str, str]) -> list[str]:
    """Docs paths whose bytes (`generated`: path -> hash) differ from those last built."""
    return [path for path, content in generated.items() if built.get(path) != content]


def decide(
    has_site: bool,
    same_stamp: bool,
    generated: Mapping[str, object],
    built: Mapping[str, str],
    outdated: list[str],
) -> Decision:
    """`has_site`: the edition's home page is in the site; `same_stamp`: configuration,
    theme and options are those it was built with; `generated`: the docs paths there are
    now; `built`: docs path -> hash of what the site was built from; `outdated`: the docs
    paths whose bytes differ from it."""
    if not has_site:
        return Decision(Mode.FULL, "no site yet")
    if not same_stamp:
        return Decision(Mode.FULL, "configuration, theme or options changed")
    gone = [p for p in built if p not in generated and p.endswith(".md")]
    added = [p for p in generated if p not in built and p.endswith(".md")]
    if gone or added:
        return Decision(Mode.FULL, f"{len(added)} page(s) added, {len(gone)} removed")
    if not outdated and not [p for p in built if p not in generated]:
        return Decision(Mode.SKIP, "nothing changed")
    pages = [p for p in outdated if p.endswith(".md")]
    if not pages:
        return Decision(Mode.COPY, f"{len(outdated)} file(s) changed, no page")
    unsafe = [p for p in pages if not p.startswith(PARTIAL_SAFE)]
    if unsafe:
        return Decision(Mode.FULL, f"guidance page(s) changed: {', '.join(unsafe[:3])}")
    if len(pages) > PARTIAL_LIMIT:
        return Decision(Mode.FULL, f"{len(pages)} page(s) outdated")
    return Decision(Mode.PARTIAL, f"{len(pages)} page(s) outdated")
