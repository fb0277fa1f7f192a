"""Cite, collect and follow: what reference managers, search engines and feed readers get
from a case, read back with the parsers they use, never with string checks. Each reads the
case's title, organisation, year and address back from the built site:

- the citation files: RIS with rispy, BibTeX with bibtexparser, CSL-JSON with citeproc-py
  and the CSL project's APA and Chicago styles (tests/csl/), which also give the page's
  formatted citations;
- the head's Highwire and Dublin Core meta tags and JSON-LD, with extruct and lxml;
- each edition's Atom feed, with feedparser.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, cast

import bibtexparser
import extruct
import feedparser
import lxml.html
import pytest
import rispy
import yaml
from bibtexparser.middlewares import LatexDecodingMiddleware
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from markupsafe import Markup

from casebook.check.validate import check_project
from casebook.outputs.postprocess import harden
from casebook.outputs.scriptpolicy import site_policy
from casebook.pages import citation, feed, structured
from casebook.pages.render import Renderer
from casebook.pipeline.families import citations
from casebook.pipeline.families import feed as feed_family
from casebook.pipeline.plan import PlanContext
from casebook.sources.model import Case
from casebook.sources.project import Project
from sitebuild import REPO, build_at_address, builds_site

CSL = Path(__file__).parent / "csl"
SITE_URL = "https://pages.example.org/casebook/"
CASE = "odi-mexico"
# edition -> (its folder in the site, its case file, the CSL locale of its citations)
EDITIONS = {
    "en": ("", "odi-mexico.md", "en-US"),
    "es": ("es/", "odi-mexico.es.md", "es-ES"),
    "fr": ("fr/", "odi-mexico.fr.md", "fr-FR"),
}
STYLES = {"cite_apa": "apa", "cite_chicago": "chicago-author-date"}


def expected(language: str) -> dict[str, Any]:
    """What every reader must get back: from the case file itself, not from our code."""
    prefix, name, _ = EDITIONS[language]
    meta = yaml.safe_load(
        (REPO / "case_studies" / name).read_text(encoding="utf-8").split("---\n")[1]
    )
    return {
        "title": meta["title"],
        "organisation": meta["organisation"]["name"],
        "year": meta["last_reviewed"].year,
        "first_published": meta["first_published"],
        "address": f"{SITE_URL}{prefix}cases/{CASE}/",
    }


def csl_render(item: dict[str, Any], style: str, locale: str) -> str:
    """One item as a CSL style's bibliography entry, by citeproc-py, as plain text."""
    source = CiteProcJSON([item])
    csl = CitationStylesStyle(str(CSL / f"{style}.csl"), locale=locale, validate=False)
    bibliography = CitationStylesBibliography(csl, source, formatter.plain)
    bibliography.register(Citation([CitationItem(item["id"])]))
    return str(bibliography.bibliography()[0])


def text_of(markup: str) -> str:
    return str(lxml.html.fragment_fromstring(markup, create_parent="p").text_content())


@pytest.fixture(scope="module")
@builds_site
def addressed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real project built with its address known (in a folder of the host, as on
    GitHub Pages), without PDFs."""
    return build_at_address(tmp_path_factory.mktemp("addressed") / "project", SITE_URL)


def page(site: Path, path: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((site / path / "index.html").read_bytes())


def json_ld(site: Path, path: str, kind: str) -> dict[str, Any]:
    html = (site / path / "index.html").read_text(encoding="utf-8")
    found = extruct.extract(html, base_url=SITE_URL + path, syntaxes=["json-ld"])["json-ld"]
    [data] = [d for d in found if d.get("@type") == kind]
    return dict(data)


# The citation files -------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("language", list(EDITIONS))
def test_each_citation_file_reads_back_the_case(addressed_site: Path, language: str) -> None:
    want = expected(language)
    folder = addressed_site / EDITIONS[language][0] / "cases" / CASE

    [ris] = rispy.loads((folder / f"{CASE}.ris").read_text(encoding="utf-8"))
    assert ris["type_of_reference"] == "RPRT"
    assert (ris["title"], ris["authors"], ris["year"], ris["urls"]) == (
        want["title"], [want["organisation"]], str(want["year"]), [want["address"]],
    )  # fmt: skip

    bib = bibtexparser.parse_string(
        (folder / f"{CASE}.bib").read_text(encoding="utf-8"),
        append_middleware=[LatexDecodingMiddleware()],
    )
    assert not bib.failed_blocks
    [entry] = bib.entries
    fields = {name: f.value for name, f in entry.fields_dict.items()}
    assert (entry.entry_type, entry.key) == ("techreport", CASE)
    assert (fields["title"], fields["author"], fields["year"], fields["url"]) == (
        want["title"], want["organisation"], str(want["year"]), want["address"],
    )  # fmt: skip

    [item] = json.loads((folder / f"{CASE}.csl.json").read_text(encoding="utf-8"))
    apa = csl_render(item, "apa", EDITIONS[language][2])
    assert apa.startswith(f"{want['organisation']}. ({want['year']}). {want['title']} [")
    assert apa.endswith(want["address"])


@pytest.mark.slow
@pytest.mark.parametrize("language", list(EDITIONS))
def test_the_pages_citations_are_what_the_csl_styles_make(
    addressed_site: Path, language: str
) -> None:
    prefix, _, locale = EDITIONS[language]
    folder = addressed_site / prefix / "cases" / CASE
    [item] = json.loads((folder / f"{CASE}.csl.json").read_text(encoding="utf-8"))
    tree = page(addressed_site, f"{prefix}cases/{CASE}/")
    shown = [
        " ".join(p.text_content().split())
        for p in tree.xpath('//*[@id="cite"]/following-sibling::div[1]//p[@data-cb-copy-text]')
    ]
    assert len(shown) == 3  # the suggested citation, APA, Chicago
    assert expected(language)["address"] in shown[0]  # the suggested citation, as before
    assert shown[1:] == [csl_render(item, style, locale) for style in STYLES.values()]
    # The reader downloads the same files the head links to, each where it is linked.
    links = tree.xpath('//p[@class="cb-cite__files"]/a')
    assert [a.get("href") for a in links] == [f"{CASE}.{k.extension}" for k in citation.FILE_KINDS]
    assert all(a.get("download") is not None for a in links)


def _reference(
    title: str, author: str = "Save the Children", language: str = "en"
) -> citation.Reference:
    return citation.Reference(
        CASE, title, author, dt.date(2026, 11, 27), "Casebook",
        "Practice-based knowledge case study", language, "Summary.", ("A theme",),
        "https://pages.example.org/casebook/cases/x/", True,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("title", "author", "language"),
    [
        ("Children & courts: what changed in the U.S. system", "Save the Children", "en"),
        ("The state's response: up to now, and into the future", "Children's Fund Inc.", "en"),
        ("A “quoted” word and an iPhone on the rise", "ODI", "en"),
        ("Is it over? a look back", "ODI", "en"),
        ("Sacar a la luz el abuso sexual infantil en escuelas de México", "ODI", "es"),
        ("Mettre au jour les abus : une étude", "Fondation pour l'enfance", "fr"),
    ],
)
def test_apa_and_chicago_are_what_the_csl_styles_make(
    title: str, author: str, language: str
) -> None:
    ref = _reference(title, author, language)
    [item] = json.loads(citation.csl_json(ref))
    locale = {"en": "en-US", "es": "es-ES", "fr": "fr-FR"}[language]
    for format_, style in ((citation.apa, "apa"), (citation.chicago, "chicago-author-date")):
        assert text_of(format_(ref)) == csl_render(item, style, locale)


def test_a_title_ending_in_a_question_mark_takes_no_full_stop_after_it() -> None:
    # citeproc-py writes "Over?." here (it does not merge punctuation across the italics);
    # the Chicago Manual (6.119) and other CSL processors drop the full stop.
    ref = _reference("Is it over?")
    [item] = json.loads(citation.csl_json(ref))
    oracle = csl_render(item, "chicago-author-date", "en-US")
    assert "Over?." in oracle
    assert text_of(citation.chicago(ref)) == oracle.replace("Over?.", "Over?")


def test_a_title_reaches_the_citations_escaped_and_whole() -> None:
    hostile = "Abuse </i><script>alert(1)</script> & {braces} 50% a_b #1 $5 ~ \\"
    ref = _reference(hostile)
    for format_ in (citation.apa, citation.chicago):
        markup = format_(ref)
        assert isinstance(markup, Markup) and "<script>" not in markup
        assert hostile.split(" ")[0] in text_of(markup)
    bib = bibtexparser.parse_string(
        citation.bibtex(ref), append_middleware=[LatexDecodingMiddleware()]
    )
    assert not bib.failed_blocks
    assert bib.entries[0].fields_dict["title"].value == hostile
    [ris] = rispy.loads(citation.ris(_reference("Two\nlines")))
    assert ris["title"] == "Two lines"  # RIS is one line a value


# What the head says --------------------------------------------------------------------


def head_meta(tree: lxml.html.HtmlElement) -> dict[str, list[str]]:
    meta: dict[str, list[str]] = {}
    for element in tree.xpath("/html/head/meta[@name]"):
        meta.setdefault(element.get("name"), []).append(element.get("content"))
    return meta


@pytest.mark.slow
@pytest.mark.parametrize("language", list(EDITIONS))
def test_the_case_pages_head_tells_reference_managers_and_search_engines(
    addressed_site: Path, language: str
) -> None:
    want = expected(language)
    path = f"{EDITIONS[language][0]}cases/{CASE}/"
    tree = page(addressed_site, path)
    meta = head_meta(tree)
    assert meta["citation_title"] == [want["title"]]
    assert meta["citation_author"] == [want["organisation"]]
    assert meta["citation_publication_date"][0].startswith(f"{want['year']}/")
    assert meta["citation_technical_report_institution"] == ["Casebook"]  # Zotero: a report
    assert meta["citation_fulltext_html_url"] == [want["address"]]
    assert meta["citation_language"] == [language]
    assert len(meta["citation_keywords"]) == 6  # ODI's themes
    assert meta["citation_pdf_url"] == [want["address"] + "odi-mexico-a4.pdf"]  # the case PDF
    assert not tree.xpath("//body//*[@data-cb-head]")  # moved into the head, none left

    html = (addressed_site / path / "index.html").read_text(encoding="utf-8")
    data = extruct.extract(html, base_url=want["address"], syntaxes=["json-ld", "dublincore"])
    [dublin_core] = data["dublincore"]
    dc = {e["name"]: e["content"] for e in dublin_core["elements"] if e["name"].startswith("DC.")}
    assert (dc["DC.title"], dc["DC.creator"], dc["DC.identifier"]) == (
        want["title"], want["organisation"], want["address"],
    )  # fmt: skip
    assert dc["DC.date"].startswith(str(want["year"]))
    [report] = data["json-ld"]
    assert report["@type"] == "Report"
    assert (report["name"], report["author"]["name"], report["url"]) == (
        want["title"], want["organisation"], want["address"],
    )  # fmt: skip
    assert report["dateModified"].startswith(str(want["year"]))
    assert report["datePublished"] == want["first_published"].isoformat()
    assert report["publisher"] == {"@type": "Organization", "name": "Casebook", "url": SITE_URL}
    assert report["inLanguage"] == language


@pytest.mark.slow
def test_the_head_links_each_citation_file_from_the_hosts_root(addressed_site: Path) -> None:
    """Zotero's Linked Metadata translator follows only hrefs that start with '/'."""
    for language, (prefix, _, _) in EDITIONS.items():
        tree = page(addressed_site, f"{prefix}cases/{CASE}/")
        for kind in citation.FILE_KINDS:
            [href] = tree.xpath(
                f'/html/head/link[@rel="alternate"][@type="{kind.media_type}"]/@href'
            )
            assert href == f"/casebook/{prefix}cases/{CASE}/{CASE}.{kind.extension}", language
            assert (addressed_site / href.removeprefix("/casebook/")).is_file()


@pytest.mark.slow
def test_the_worksheet_page_is_a_learning_resource_for_its_audiences(
    addressed_site: Path,
) -> None:
    for language, (prefix, _, _) in EDITIONS.items():
        path = f"{prefix}worksheets/{CASE}/"
        resource = json_ld(addressed_site, path, "LearningResource")
        tree = page(addressed_site, path)
        parts = tree.xpath("//h2[@data-cb-part]")  # one part a declared audience
        roles = [a["educationalRole"] for a in resource["audience"]]
        assert roles == [" ".join(h.text_content().split()) for h in parts], language
        assert all(a["@type"] == "EducationalAudience" for a in resource["audience"])
        assert resource["isBasedOn"]["url"] == expected(language)["address"]
        assert resource["url"] == SITE_URL + path
        assert [p["url"] for p in resource["hasPart"]] == [
            f"{SITE_URL}{path}#{h.get('id')}" for h in parts
        ]


def test_json_ld_cannot_end_its_script_and_the_policy_leaves_it_alone() -> None:
    hostile = "</script><script>alert(1)</script><!-- & more"
    data = structured.json_ld({"@type": "Report", "name": hostile})
    assert "<" not in data and ">" not in data and "&" not in data
    scripts = site_policy(REPO / "overrides")
    html = harden(
        '<!doctype html><html><head><meta charset="utf-8"></head><body><p>x</p>\n'
        f'<div hidden data-cb-head>\n<script type="application/ld+json">{data}</script>\n</div>\n'
        "</body></html>",
        scripts,
        "cases/x/index.html",
    )
    [found] = extruct.extract(html, syntaxes=["json-ld"])["json-ld"]
    assert found["name"] == hostile  # whole, as data
    head = lxml.html.fromstring(html).xpath("/html/head/script/@type")
    assert head == ["application/ld+json"]
    assert scripts.hashes(html, "x") == []  # data, not script: the policy allows no hash for it


# The feed ------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("language", list(EDITIONS))
def test_each_editions_feed_lists_its_cases(addressed_site: Path, language: str) -> None:
    want = expected(language)
    prefix = EDITIONS[language][0]
    parsed = feedparser.parse((addressed_site / prefix / feed.FEED_PATH).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.language == language
    assert parsed.feed.link == f"{SITE_URL}{prefix}cases/"
    # The library's cases, newest review first, the ODI case among them.
    updated = [e.updated_parsed for e in parsed.entries]
    assert len(updated) > 1 and updated == sorted(updated, reverse=True)
    [entry] = [e for e in parsed.entries if e.id == want["address"]]
    assert (entry.title, entry.author, entry.link, entry.id) == (
        want["title"], want["organisation"], want["address"], want["address"],
    )  # fmt: skip
    assert entry.updated_parsed.tm_year == want["year"]
    assert len(entry.tags) == 6
    # Atom's published, from first_published: a reader tells a new case from a reviewed one.
    first = want["first_published"]
    assert entry.published_parsed[:3] == (first.year, first.month, first.day)
    assert entry.published_parsed <= entry.updated_parsed


@pytest.mark.slow
def test_every_page_links_its_editions_feed_and_the_library_shows_it(
    addressed_site: Path,
) -> None:
    pages = [p for p in addressed_site.rglob("index.html") if "admin" not in p.parts]
    assert len(pages) > 40
    for path in pages:
        where = path.relative_to(addressed_site).as_posix()
        prefix = next((p for p in ("es/", "fr/") if where.startswith(p)), "")
        tree = lxml.html.fromstring(path.read_bytes())
        [href] = tree.xpath('/html/head/link[@rel="alternate"][@type="application/atom+xml"]/@href')
        target = (path.parent / href).resolve()
        assert target == (addressed_site / prefix / feed.FEED_PATH).resolve(), where
    for prefix, _, _ in EDITIONS.values():
        library = page(addressed_site, f"{prefix}cases/")
        [link] = library.xpath('//a[@type="application/atom+xml"]/@href')
        assert link == "feed.xml"


def _project_cases(count: int) -> tuple[Renderer, list[Case]]:
    """The real library's case copied `count` times, each reviewed a day before the last."""
    library = check_project(Project(REPO)).library
    odi = next(case for case in library.published if case.id == CASE)
    cases = [
        Case(
            f"case-{n:02d}", odi.path,
            odi.meta.model_copy(update={"title": f"Case {n:02d}", "last_reviewed": dt.date(2026, 1, 31) - dt.timedelta(days=n)}),
            odi.intro, odi.sections,
        )
        for n in range(count)
    ]  # fmt: skip
    library.cases = cases
    return Renderer(library, library.languages.default), cases


def test_the_feed_keeps_to_the_most_recently_reviewed_cases() -> None:
    renderer, cases = _project_cases(feed.FEED_SIZE + 5)
    parsed = feedparser.parse(feed.atom(renderer, feed.recent(list(reversed(cases)))))
    assert not parsed.bozo
    assert [e.title for e in parsed.entries] == [f"Case {n:02d}" for n in range(feed.FEED_SIZE)]
    assert parsed.feed.updated_parsed[:3] == (2026, 1, 31)
    # Without a site_url the links are relative to the feed, which Atom resolves.
    assert parsed.entries[0].link == "case-00/"


def _retitled(case: Case, title: str) -> Case:
    meta = case.meta.model_copy(update={"title": title})
    return Case(case.id, case.path, meta, case.intro, case.sections)


def test_the_feeds_key_follows_only_the_cases_it_lists() -> None:
    _, cases = _project_cases(feed.FEED_SIZE + 1)
    listed = feed.recent(cases)
    assert cases[-1] not in listed  # the oldest
    before = feed_family.key(_planning(), listed)
    # Another edit to the oldest case leaves the feed as it was...
    edited = [*cases[:-1], _retitled(cases[-1], "Renamed")]
    assert feed_family.key(_planning(), feed.recent(edited)) == before
    # ...an edit to a listed one makes it again, with that case's citation files.
    edited = [_retitled(cases[0], "Renamed"), *cases[1:]]
    ctx = _planning()
    assert feed_family.key(ctx, feed.recent(edited)) != before
    assert citations.key(ctx, edited[0]) != citations.key(ctx, cases[0])
    assert citations.key(ctx, edited[1]) == citations.key(ctx, cases[1])


def _planning() -> PlanContext:
    """A family's context, for its keys only: the environment and the cases' digests."""
    return PlanContext(cast(Any, None), cast(Any, None), "environment", {})


# Language alternates -------------------------------------------------------------------


@pytest.mark.slow
def test_language_alternates_are_full_addresses(addressed_site: Path) -> None:
    for inner in (
        "",
        "cases/",
        f"cases/{CASE}/",
        f"worksheets/{CASE}/",
        "guidance/reading-a-case/",
    ):
        for prefix, _, _ in EDITIONS.values():
            tree = page(addressed_site, prefix + inner)
            alternates = dict(
                (link.get("hreflang"), link.get("href"))
                for link in tree.xpath("/html/head/link[@rel='alternate'][@hreflang]")
            )
            assert set(alternates) == {*EDITIONS, "x-default"}, prefix + inner
            for language, (other, _, _) in EDITIONS.items():
                assert alternates[language] == SITE_URL + other + inner
            assert alternates["x-default"] == SITE_URL + inner
            assert all(re.match(r"https://", href) for href in alternates.values())


@pytest.mark.slow
@pytest.mark.browser
def test_the_json_ld_is_data_the_policy_lets_be(
    built_site: Path, site_url: str, browser: Any
) -> None:
    """In Chromium, under the page's Content-Security-Policy: no violation, no error, and
    the JSON-LD reads as the Report it is."""
    page = browser.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective));"
    )
    for path in (f"cases/{CASE}/", f"es/worksheets/{CASE}/"):
        page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
        kinds = page.evaluate(
            "[...document.head.querySelectorAll('script[type=\"application/ld+json\"]')]"
            ".map(s => JSON.parse(s.textContent)['@type'])"
        )
        assert kinds == (["Report"] if path.startswith("cases/") else ["LearningResource"])
        assert page.evaluate("window.__violations") == [], path
    page.close()
    assert errors == []
