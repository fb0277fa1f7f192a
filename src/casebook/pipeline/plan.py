"""Every output of one edition, by family, each keyed by the inputs it is made from.

In the spirit of Sphinx's build environment: `Keys` is the one place that says what each
family of outputs depends on, and each family below declares its outputs with those keys.
An output whose key is what the docs folder already holds is not made again (`generate`).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from casebook.pages import citation, composer, feed, worksheets
from casebook.pages.catalogue import CATALOGUE_FILE, CSV_FILE, SCHEMA_FILE, Related, open_data
from casebook.pages.evidencemap import MAP_DATA_SCHEMA, MAP_URL, map_data
from casebook.pages.offlinefiles import OFFLINE_URL
from casebook.pages.render import Renderer, relative
from casebook.pipeline.context import BuildError
from casebook.pipeline.guidance import guidance_pages
from casebook.pipeline.related import related_from_cache
from casebook.sources.digests import Digests, sha
from casebook.sources.model import Case
from casebook.sources.project import Project

OPEN_DATA_FILES = (CATALOGUE_FILE, CSV_FILE, SCHEMA_FILE)

Make = Callable[[], bytes | Path]


@dataclass
class Output:
    """One file of an edition's docs folder: the key of its inputs, and how to make it."""

    key: str
    make: Make


class Keys:
    """What each family of outputs depends on. Every key includes the environment (code,
    templates, strings, vocabularies, data, configuration), which changes them all."""

    def __init__(self, environment: str, digests: Digests, cases: Iterable[Case]) -> None:
        self.environment = environment
        self.digests = digests
        self.listing = sha(environment, "listing", *(digests.meta(c) for c in cases))
        """Every case's front matter: listings, browse pages, open data, indexes."""

    def case_page(self, case: Case, related: Iterable[Related]) -> str:
        """A case page shows its case whole, and its related cases' cards."""
        shown = [self.digests.meta(r.case) + "|".join(r.shared_labels) for r in related]
        return sha(self.environment, "case", self.digests.full(case), *shown)

    def link_page(self, case: Case) -> str:
        """A case not written in the edition's language: a page of its front matter."""
        return sha(self.environment, "fallback", self.digests.meta(case))

    def worksheets(self, case: Case) -> str:
        """A case's worksheet pages show its front matter and its questions."""
        return sha(self.environment, "worksheets", self.digests.full(case))

    def moved_worksheets(self, case: Case) -> str:
        """The pages that send old per-audience addresses on: the audiences it declares."""
        return sha(self.environment, "moved", self.digests.meta(case))

    def evidence_map(self) -> str:
        """The evidence-and-gap map counts every published case's front matter."""
        return sha(self.environment, "map", self.listing)

    def offline_page(self, offered: bool) -> str:
        """The page about the offline files names them only when the build writes them."""
        return sha(self.environment, "offline", str(offered))

    def composer_case(self, case: Case) -> str:
        return sha(self.environment, "compose", self.digests.full(case))

    def citation(self, case: Case) -> str:
        """A case's citation files say what its front matter says."""
        return sha(self.environment, "cite", self.digests.meta(case))

    def feed(self, listed: Iterable[Case]) -> str:
        """The feed shows the front matter of the cases it lists, and which they are."""
        return sha(self.environment, "feed", *(self.digests.meta(c) for c in listed))

    @staticmethod
    def pdf(cached: Path) -> str:
        """A cached PDF is named by the hash of what it was rendered from; its size tells a
        file rendered again (after damage) from the one the docs folder holds."""
        return sha("pdf", cached.name, str(cached.stat().st_size))

    @staticmethod
    def guidance(content: bytes) -> str:
        return sha("guidance", content)


@dataclass
class Edition:
    """What planning one edition reads."""

    project: Project
    renderer: Renderer
    keys: Keys
    current: dict[str, str]  # docs path -> key of what the docs folder holds now
    pdfs: dict[str, Path] = field(default_factory=dict)  # docs path -> cached PDF


class Batch:
    """Files that are made together, once, when the first of them is needed."""

    def __init__(self, make: Callable[[], Iterable[tuple[str, str | bytes]]]) -> None:
        self._make = make
        self._made: dict[str, bytes] = {}

    def file(self, path: str) -> bytes:
        if not self._made:
            self._made = {
                p: d.encode("utf-8") if isinstance(d, str) else d for p, d in self._make()
            }
        return self._made[path]

    def maker(self, path: str) -> Make:
        return functools.partial(self.file, path)


def _encoded(make: Callable[[], str]) -> Make:
    return lambda: make().encode("utf-8")


def _constant(data: bytes | Path) -> Make:
    return lambda: data


def _link_from(url: str) -> Callable[[str], str]:
    return functools.partial(relative, url)


def case_pages(edition: Edition) -> dict[str, Output]:
    renderer, keys = edition.renderer, edition.keys
    if any(renderer.in_language(c) for c in renderer.cases):
        related_from_cache(edition.project, renderer, keys.listing)
    return {
        f"cases/{case.id}.md": Output(
            keys.case_page(case, renderer.related.get(case.id, []))
            if renderer.in_language(case)
            else keys.link_page(case),
            _encoded(functools.partial(renderer.edition_case_page, case)),
        )
        for case in renderer.cases
    }


def worksheet_pages(edition: Edition) -> dict[str, Output]:
    """Each case's worksheet page follows its case, the index pages the listing. They come
    from one generator, run over the cases whose pages are out of date only."""
    renderer, keys = edition.renderer, edition.keys
    outputs: dict[str, Output] = {}
    outdated: dict[str, Case] = {}
    for case in renderer.cases:
        if not renderer.in_language(case):
            continue
        key = keys.worksheets(case)
        path = f"worksheets/{case.id}/index.md"
        outputs[path] = Output(key, _not_generated)
        if edition.current.get(path) != key:
            outdated[case.id] = case
    index = worksheets.index_paths(renderer)
    for path in index:
        outputs[path] = Output(keys.listing, _not_generated)
    whole = edition.current.get("worksheets/index.md") != keys.listing
    source = renderer
    if not whole:
        source = copy.copy(renderer)
        source.cases = list(outdated.values())
    if whole or source.cases:
        made = worksheets.web_pages(source, _link_from)
        for path, sheet in made:
            if (whole or path not in index) and path in outputs:
                outputs[path] = Output(outputs[path].key, _constant(sheet.encode("utf-8")))
    return outputs


def moved_worksheets(edition: Edition) -> dict[str, Output]:
    """Each audience of a case had its own worksheet page until the audiences became parts of
    one page: its old address sends readers to its part, so bookmarks keep working."""
    renderer = edition.renderer
    return {
        path: Output(edition.keys.moved_worksheets(case), _encoded(make))
        for case in renderer.cases
        if renderer.in_language(case)
        for path, make in worksheets.moved_pages(renderer, case)
    }


def _not_generated() -> bytes:
    raise BuildError("worksheets: a worksheet page was not generated; report this as a bug")


def listing_pages(edition: Edition) -> dict[str, Output]:
    """Library, browse pages, support page and open data: every case's front matter."""
    renderer, key = edition.renderer, edition.keys.listing
    made: dict[str, Make] = {
        "browse/index.md": _encoded(renderer.browse_index),
        "support.md": _encoded(renderer.support_page),
    }
    library = Batch(renderer.library_pages)  # every page at once: they share their pager
    made.update((path, library.maker(path)) for path in renderer.library_paths())
    for facet in renderer.facets:
        counts = facet.counts(renderer.cases)
        made[f"browse/{facet.id}/index.md"] = _encoded(
            functools.partial(renderer.facet_index, facet, counts)
        )
        for value in counts:
            made[f"browse/{facet.id}/{value.lower()}.md"] = _encoded(
                functools.partial(renderer.facet_page, facet, value)
            )
    site_url = renderer.settings.site_url
    found = renderer.evidence_map
    extra = {"evidence_map": (map_data(found), MAP_DATA_SCHEMA)} if found else None
    data = Batch(lambda: open_data(renderer.cases, renderer.facets, site_url, extra).items())
    made.update((name, data.maker(name)) for name in OPEN_DATA_FILES)
    return {path: Output(key, make) for path, make in made.items()}


def map_page(edition: Edition) -> dict[str, Output]:
    """The evidence-and-gap map: one page, from every case's front matter."""
    renderer = edition.renderer
    if renderer.evidence_map is None:
        return {}
    path = f"{MAP_URL}index.md"
    return {path: Output(edition.keys.evidence_map(), _encoded(renderer.map_page))}


def offline_page(edition: Edition) -> dict[str, Output]:
    """How to take the library offline: the Kiwix files, the PDFs and the workshop pack."""
    renderer = edition.renderer
    key = edition.keys.offline_page(renderer.settings.offline_files)
    return {f"{OFFLINE_URL}index.md": Output(key, _encoded(renderer.offline_page))}


def composer_files(edition: Edition) -> dict[str, Output]:
    """The session composer: its page and data follow the listing, each case's file its case."""
    renderer, keys = edition.renderer, edition.keys
    if renderer.notes is None:
        return {}
    outputs = {
        composer.case_path(case): Output(
            keys.composer_case(case),
            _encoded(functools.partial(composer.case_json, renderer, case)),
        )
        for case in renderer.cases
    }
    pages = Batch(lambda: composer.pages(renderer, _link_from))
    for name in ("index.md", "session.json", "print.css"):
        path = composer.COMPOSE_URL + name
        outputs[path] = Output(keys.listing, pages.maker(path))
    return outputs


def citation_files(edition: Edition) -> dict[str, Output]:
    """RIS, BibTeX and CSL-JSON for each case written in the edition's language."""
    renderer, keys = edition.renderer, edition.keys
    return {
        kind.path(case): Output(
            keys.citation(case),
            _encoded(functools.partial(_citation_file, renderer, case, kind)),
        )
        for case in renderer.cases
        if renderer.in_language(case)
        for kind in citation.FILE_KINDS
    }


def _citation_file(renderer: Renderer, case: Case, kind: citation.FileKind) -> str:
    return kind.write(renderer.reference(case))


def feed_files(edition: Edition) -> dict[str, Output]:
    """The edition's Atom feed of the most recently reviewed cases."""
    renderer = edition.renderer
    listed = feed.recent(renderer.cases)
    return {
        feed.FEED_PATH: Output(
            edition.keys.feed(listed), functools.partial(feed.atom, renderer, listed)
        )
    }


def pdf_files(edition: Edition) -> dict[str, Output]:
    return {
        path: Output(Keys.pdf(cached), _constant(cached)) for path, cached in edition.pdfs.items()
    }


def guidance_files(edition: Edition, generated: Iterable[str]) -> dict[str, Output]:
    """The guidance pages, which a generated page must never replace."""
    taken = set(generated)
    outputs: dict[str, Output] = {}
    for page, content in guidance_pages(edition.project, edition.renderer.locale):
        if page.as_posix() in taken:
            raise BuildError(
                f"docs/{page.as_posix()}: this page would be overwritten by a generated page; "
                "move or rename it"
            )
        outputs[page.as_posix()] = Output(Keys.guidance(content), _constant(content))
    return outputs


FAMILIES: tuple[Callable[[Edition], dict[str, Output]], ...] = (
    case_pages,
    worksheet_pages,
    moved_worksheets,
    listing_pages,
    map_page,
    offline_page,
    composer_files,
    citation_files,
    feed_files,
    pdf_files,
)


def plan(edition: Edition) -> dict[str, Output]:
    """Every output of one edition, keyed by its inputs."""
    outputs: dict[str, Output] = {}
    for family in FAMILIES:
        outputs.update(family(edition))
    outputs.update(guidance_files(edition, outputs))
    return outputs
