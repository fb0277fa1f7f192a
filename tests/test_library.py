"""The real library: each sourced case's facts against its file, the support services
(their sources, the research note's warnings), case pages showing their countries'
services, and the evidence-and-gap map, whose counts are the catalogue's."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from casebook.check.validate import check_project
from casebook.pages.evidencemap import evidence_map, map_data
from casebook.pages.render import Renderer
from casebook.sources.model import Case, Library
from casebook.sources.project import Project
from sitebuild import REPO


@pytest.fixture(scope="module")
def library() -> Library:
    result = check_project(Project(REPO), cache=False)
    assert not result.problems, [p.format() for p in result.problems]
    return result.library


def case(library: Library, case_id: str) -> Case:
    return next(c for c in library.cases if c.id == case_id)


def front_matter(case_id: str) -> dict[str, Any]:
    text = (REPO / "case_studies" / f"{case_id}.md").read_text(encoding="utf-8")
    data = yaml.safe_load(text.split("---\n")[1])
    assert isinstance(data, dict)
    return data


# --- each case's facts, as its sources give them ------------------------------------------

# id -> countries, and (figure or phrase, kind of evidence of the outcome that states it)
FACTS: dict[str, tuple[list[str], list[tuple[str, str]]]] = {
    "160-girls-kenya": (
        ["KE"],
        [
            ("prompt and effective investigations", "court-record"),
            ("6.5 out of 10", "organisation-account"),
            ("9.3", "organisation-account"),
            ("8.4", "organisation-account"),
            ("23% increase", "organisation-account"),
        ],
    ),
    "kuwaza-zanzibar": (["TZ"], [("from 69% to\n90%", "organisation-account")]),
    "good-school-toolkit-uganda": (
        ["UG"],
        [("by 42%", "randomised-trial"), ("more effective for male students", "randomised-trial")],
    ),
    "barnahus-iceland": (["IS"], [('"more than doubled"', "secondary-report")]),
    "stop-it-now-helplines": (["GB", "IE", "NL"], [("Two thirds", "external-evaluation")]),
    "project-lantern-philippines": (
        ["PH"],
        [("by 79% from 2006 to\n      2010", "external-evaluation")],
    ),
    "teddy-bear-clinic-south-africa": (
        ["ZA"],
        [
            ("declared invalid", "court-record"),
            ("kept the age of consent at 16", "official-record"),
        ],
    ),
    "time-bar-sexual-offences-south-africa": (
        ["ZA"],
        [("declared\n      unconstitutional", "court-record"), ("B 22b-2019", "official-record")],
    ),
}


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("case_id", sorted(FACTS))
def test_each_case_states_its_sourced_facts_with_their_evidence(
    library: Library, case_id: str
) -> None:
    countries, facts = FACTS[case_id]
    loaded = case(library, case_id)
    assert loaded.published
    assert loaded.meta.countries == countries
    assert loaded.meta.inspire, "every case names its INSPIRE strategies, for the map"
    for outcome in loaded.meta.outcomes:
        assert outcome.evidence, f"{case_id}: an outcome without its kind of evidence"
    for phrase, evidence in facts:
        stating = [o for o in loaded.meta.outcomes if words(phrase) in words(o.text)]
        assert stating, f"{case_id}: no outcome states {phrase!r}"
        assert {o.evidence for o in stating} == {evidence}, (case_id, phrase)


@pytest.mark.parametrize("case_id", sorted(FACTS))
def test_each_case_has_questions_for_every_audience_and_a_content_note_first(
    library: Library, case_id: str
) -> None:
    loaded = case(library, case_id)
    for audience in loaded.meta.audiences:
        assert len(loaded.questions[audience]) >= 3, (case_id, audience)
    keys = list(front_matter(case_id))
    assert keys.index("content_note") < keys.index("headline_facts")


def test_the_library_figures_quoted_in_the_cases_are_the_sources_figures() -> None:
    """Figures exactly as published: a few that a rewrite could easily round or change."""
    texts = {c: (REPO / "case_studies" / f"{c}.md").read_text(encoding="utf-8") for c in FACTS}
    assert "$2,006,575" in texts["160-girls-kenya"]
    barnahus = words(texts["barnahus-iceland"])
    for figure in ("369 cases involving 368 children", "49 (13%)", "216 cases (76.3%)", "80.4%"):
        assert figure in barnahus
    stop = words(texts["stop-it-now-helplines"])
    assert "2200 calls a month" in stop and '"more than 2,000"' in stop
    assert "7,190 children in 7 schools" in words(texts["good-school-toolkit-uganda"])
    assert "687 victims and arrested 263" in words(texts["project-lantern-philippines"])


def test_no_case_names_an_applicant_or_carries_a_url_with_a_name() -> None:
    """The research note's privacy rule for [2018] ZACC 16: no applicant's name, no URL
    with one in it (the Women's Legal Centre's statement is cited without its address)."""
    text = (REPO / "case_studies/time-bar-sexual-offences-south-africa.md").read_text("utf-8")
    assert "wlce.co.za" not in text and "-v-estate-" not in text


# --- support services ------------------------------------------------------------------------


def services() -> list[dict[str, Any]]:
    data = yaml.safe_load((REPO / "data/support_services.yml").read_text(encoding="utf-8"))
    return list(data["services"])


def test_every_support_entry_has_its_source_and_the_date_it_was_checked() -> None:
    for entry in services():
        assert str(entry["source"]).startswith(("https://", "http://")), entry["name"]
        assert entry["last_checked"], entry["name"]


# Numbers as helplines.md gives them, from its primary sources.
NUMBERS = {
    ("KE", "116"), ("TZ", "116"), ("UG", "116"), ("ZA", "116"), ("ZM", "116"), ("ZM", "933"),
    ("IS", "112"), ("IS", "1717"), ("PH", "#163"), ("GB", "0800 1111"), ("GB", "0808 800 5000"),
    ("GB", "0808 1000 900"), ("IE", "1800 66 66 66"), ("NL", "0800-2000"),
    ("US", "1-800-422-4453"), ("PK", "1121"), ("MX", "55 5533 5533"),
}  # fmt: skip
# Typos and retired numbers the note warns against.
NEVER = {"166", "993", "0800-221-00800", "0800 221 0800", "08000 555 55", "101", "88858",
         "0800111222", "01800 911-1119"}  # fmt: skip


def test_support_numbers_follow_the_research_note_and_its_warnings() -> None:
    listed = {(e["country"], str(e.get("phone"))) for e in services()}
    assert listed >= NUMBERS
    assert not {phone for _, phone in listed} & NEVER
    childhelp = next(e for e in services() if e["name"].startswith("Childhelp"))
    assert "NOT a line for reporting child abuse" in words(childhelp["for"])


def test_a_number_dialled_with_a_hash_keeps_it_in_its_call_link(built_site: Path) -> None:
    """'#' starts a link's fragment: unescaped, tel:#163 would dial nothing."""
    page = (built_site / "cases/project-lantern-philippines/index.html").read_text("utf-8")
    assert '<a href="tel:%23163">#163</a>' in page
    assert 'href="tel:#' not in page


def test_every_country_of_a_published_case_has_a_national_service(library: Library) -> None:
    national = {s.country for s in library.support.services}
    for published in library.published:
        assert set(published.meta.countries) <= national, published.id


@pytest.mark.parametrize("case_id", ["stop-it-now-helplines", "160-girls-kenya"])
def test_a_case_page_shows_each_of_its_countries_services(library: Library, case_id: str) -> None:
    loaded = case(library, case_id)
    page = Renderer(library, library.languages.default).case_page(loaded)
    for service in library.support.for_countries(list(loaded.meta.countries)):
        assert html.escape(service.name, quote=False) in page or service.name in page
        if service.phone:
            assert f"tel:{service.phone.replace(' ', '')}" in page
        assert str(service.source) in page


# --- the evidence-and-gap map ------------------------------------------------------------------


def cells_of(page: str) -> dict[tuple[str, str], int | None]:
    """(row label, column label) -> the count the map shows, None for a gap."""
    columns = re.findall(r'<th scope="col">(.*?)</th>', page)[1:]
    shown: dict[tuple[str, str], int | None] = {}
    for row, cells in re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', page):
        found = re.findall(r'<td class="cb-map__(count|gap)">(?:<a href="[^"]*">(\d+))?', cells)
        assert len(found) == len(columns)
        for column, (kind, count) in zip(columns, found, strict=True):
            shown[(html.unescape(row), html.unescape(column))] = (
                int(count) if kind == "count" else None
            )
    return shown


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_the_maps_counts_are_the_catalogues(library: Library, language: str) -> None:
    renderer = Renderer(library, library.languages.locales[language])
    from casebook.pages.catalogue import open_data

    found = renderer.evidence_map
    assert found is not None
    files = open_data(renderer.cases, renderer.facets, "", {"evidence_map": (map_data(found), {})})
    document = json.loads(files["catalogue.json"])
    from_records: Counter[tuple[str, str]] = Counter()
    for record in document["cases"]:
        for row in record["inspire"]:
            for column in record["settings"]:
                from_records[(row, column)] += 1
    assert sum(from_records.values()) > 0
    in_data = {(c["inspire"], c["settings"]): c["count"] for c in document["evidence_map"]["cells"]}
    assert {k: v for k, v in in_data.items() if v} == dict(from_records)
    shown = cells_of(renderer.map_page())
    rows, columns = found.rows, found.columns
    assert len(shown) == len(found.row_values) * len(found.column_values)
    for (row, column), count in in_data.items():
        assert shown[(rows.label_of(row), columns.label_of(column))] == (count or None)


def test_each_count_links_to_the_finder_filtered_to_its_cell(library: Library) -> None:
    renderer = Renderer(library, library.languages.default)
    page = renderer.map_page()
    link = re.search(r'<td class="cb-map__count"><a href="([^"]+)">(\d+)', page)
    assert link is not None
    assert re.fullmatch(r"\.\./cases/\?inspire=[a-z-]+&settings=[a-z-]+", html.unescape(link[1]))


def test_an_empty_cell_says_it_is_a_gap_and_the_map_needs_no_script(library: Library) -> None:
    page = Renderer(library, library.languages.default).map_page()
    assert '<td class="cb-map__gap">Gap</td>' in page
    assert "<script" not in page
    assert "<caption" in page and '<th scope="row">' in page


def test_a_library_without_a_map_vocabulary_has_no_map(library: Library) -> None:
    from casebook.sources.vocabularies import Vocabularies

    bare = Vocabularies({k: v for k, v in library.vocabularies.by_id.items() if k != "inspire"})
    renderer = Renderer(library, library.languages.default)
    assert evidence_map(renderer.cases, renderer.facets, bare) is None


def test_the_map_data_validates_against_the_catalogue_schema(library: Library) -> None:
    from casebook.pages.catalogue import open_data
    from casebook.pages.evidencemap import MAP_DATA_SCHEMA

    renderer = Renderer(library, library.languages.default)
    found = renderer.evidence_map
    assert found is not None
    files = open_data(
        renderer.cases, renderer.facets, "", {"evidence_map": (map_data(found), MAP_DATA_SCHEMA)}
    )
    jsonschema.validate(
        json.loads(files["catalogue.json"]), json.loads(files["catalogue.schema.json"])
    )


# --- related cases and the composer, across the real library -----------------------------------


def test_related_cases_across_the_real_library(library: Library) -> None:
    renderer = Renderer(library, library.languages.default)
    published = {c.id for c in library.published}
    assert len(published) >= 9
    for case_id in published:
        related = renderer.related_cases()[case_id]
        assert related, f"{case_id} has no related case in a library of {len(published)}"
        ids = [r.case.id for r in related]
        assert case_id not in ids and set(ids) <= published
        shared = [len(r.shared) for r in related]
        assert shared == sorted(shared, reverse=True)
    # The two South African court cases have the most in common with each other.
    teddy = renderer.related_cases()["teddy-bear-clinic-south-africa"]
    assert teddy[0].case.id == "time-bar-sexual-offences-south-africa"
    assert "South Africa" in teddy[0].shared_labels
    # A label two facets share ("Safe environments": a strategy and a theme) is shown once.
    odi = {r.case.id: r for r in renderer.related_cases()["odi-mexico"]}
    school = odi["good-school-toolkit-uganda"]
    named = [facet.label_of(value) for facet, value in school.shared]
    assert named.count("Safe environments") == 2
    assert school.shared_labels.count("Safe environments") == 1
    for related in renderer.related_cases().values():
        for r in related:
            assert len(r.shared_labels) == len(set(r.shared_labels))


def test_the_composer_has_every_cases_questions_and_every_countrys_services(
    library: Library,
) -> None:
    from casebook.pages.composer import case_data, session_data
    from casebook.sources.facilitation import load_facilitator_notes

    notes, _ = load_facilitator_notes(Project(REPO), "en")
    assert notes is not None
    renderer = Renderer(library, library.languages.default, notes=notes)
    session = session_data(renderer, library.support, notes)
    for published in library.published:
        data = case_data(renderer, published)
        assert set(data["audiences"]) == set(published.meta.audiences)
        assert all(len(questions) >= 3 for questions in data["audiences"].values())
        assert set(published.meta.countries) <= set(session["support"]["countries"])


@pytest.mark.parametrize("case_id", ["stop-it-now-helplines", "deafkidz-defenders"])
def test_a_printed_sheet_shows_each_of_its_countries_services(
    library: Library, case_id: str
) -> None:
    from casebook.pages.worksheets import case_sheet, print_html
    from casebook.sources.facilitation import load_facilitator_notes

    notes, _ = load_facilitator_notes(Project(REPO), "en")
    assert notes is not None
    renderer = Renderer(library, library.languages.default, notes=notes)
    loaded = case(library, case_id)
    audience = library.questions.audiences[loaded.meta.audiences[0]]
    sheet = case_sheet(renderer, library.support, notes, loaded, audience)
    printed = print_html(renderer, sheet, notes, "a4", False)
    for service in library.support.for_countries(list(loaded.meta.countries)):
        assert html.escape(service.name, quote=False) in printed
        if service.phone:
            assert html.escape(service.phone, quote=False) in printed


def test_a_case_not_yet_translated_shows_its_content_note_in_the_other_editions(
    library: Library,
) -> None:
    spanish = Renderer(library, library.languages.locales["es"])
    loaded = case(library, "160-girls-kenya")
    page = spanish.edition_case_page(loaded)
    assert "Aviso de contenido" in page
    assert html.escape(words(loaded.meta.content_note), quote=False) in words(page)
    assert page.index("Aviso de contenido") < page.index("data-cb-original")


@pytest.mark.parametrize("language", ["es", "fr"])
def test_a_case_not_yet_translated_shows_its_countries_services_in_the_readers_language(
    library: Library, language: str
) -> None:
    """A reader who follows no link still finds help: the link page lists the services."""
    renderer = Renderer(library, library.languages.locales[language])
    loaded = case(library, "barnahus-iceland")
    page = renderer.edition_case_page(loaded)
    services = library.support.for_countries(list(loaded.meta.countries))
    assert services
    for service in services:
        local = service.in_language(language)
        assert html.escape(words(local.hours), quote=False) in words(page), service.name
        if service.phone:
            assert f"tel:{service.phone.replace(' ', '')}" in page
    assert page.index("data-cb-original") < page.index('class="cb-services"')
    assert 'href="../../support/"' in page


@pytest.mark.parametrize(
    ("prefix", "label", "day"),
    [
        ("", "First published", "22 November 2026"),
        ("es/", "Primera publicación", "22 de noviembre de 2026"),
    ],
)
def test_a_case_page_says_when_it_was_first_published(
    built_site: Path, prefix: str, label: str, day: str
) -> None:
    page = (built_site / prefix / "cases/odi-mexico/index.html").read_text("utf-8")
    shown = f'<dt>{label}</dt><dd><time datetime="2026-11-22">{day}</time></dd>'
    assert shown in page
    assert page.index(shown) < page.index('<time datetime="2026-12-02">')  # then last reviewed
