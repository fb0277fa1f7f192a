"""The open-data catalogue (JSON, CSV, JSON Schema), facet counts and related cases."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema
import pytest
import yaml

from casebook.check.validate import check_project
from casebook.pages.catalogue import (
    CSV_SEPARATOR,
    Facet,
    case_record,
    catalogue_schema,
    facets,
    open_data,
    related_cases,
)
from casebook.pages.render import Renderer
from casebook.sources.model import Case, Library
from casebook.sources.project import Project
from library_fixture import DRAFTS, FIXTURE_CASES, PUBLISHED, built_project
from sitebuild import builds_site

MAX_RECORD_BYTES = 1536


@pytest.fixture(scope="module")
@builds_site
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_project(tmp_path_factory.mktemp("catalogue"))


@pytest.fixture(scope="module")
def site(root: Path) -> Path:
    return root / "site"


@pytest.fixture(scope="module")
def library(root: Path) -> Library:
    result = check_project(Project(root))
    assert not result.errors
    return result.library


@pytest.fixture(scope="module")
def document(site: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((site / "catalogue.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def schema(site: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((site / "catalogue.schema.json").read_text(encoding="utf-8"))
    return data


def by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {record["id"]: record for record in document["cases"]}


# catalogue.json ---------------------------------------------------------------------------


def test_every_published_case_is_in_the_catalogue_by_title(document: dict[str, Any]) -> None:
    records = document["cases"]
    assert sorted(r["id"] for r in records) == sorted(PUBLISHED)
    titles = [r["title"] for r in records]
    assert titles == sorted(titles, key=str.lower)


def test_drafts_appear_nowhere_in_the_open_data(site: Path) -> None:
    for name in ("catalogue.json", "catalogue.csv"):
        text = (site / name).read_text(encoding="utf-8")
        for draft in DRAFTS:
            assert draft not in text
            assert FIXTURE_CASES[draft]["title"] not in text
    document = json.loads((site / "catalogue.json").read_text(encoding="utf-8"))
    countries = next(f for f in document["facets"] if f["id"] == "countries")
    assert "FR" not in {v["id"] for v in countries["values"]}  # only the draft is French


def test_a_record_holds_the_case_metadata(document: dict[str, Any]) -> None:
    odi = by_id(document)["odi-mexico"]
    assert odi["url"] == "cases/odi-mexico/"
    assert odi["title"] == "Uncovering organised sexual abuse of children in schools in Mexico"
    assert odi["organisation"] == "Oficina de Defensoría de los Derechos de la Infancia (ODI)"
    assert odi["language"] == "en"
    assert (odi["start"], odi["end"]) == (2017, 2024)
    assert odi["last_reviewed"] == "2026-12-02"
    assert odi["countries"] == ["MX"]
    assert odi["regions"] == ["latin-america-caribbean"]
    assert odi["settings"] == ["schools", "early-childhood"]
    assert odi["knowledge_types"] == ["practice-based"]
    assert odi["evidence_types"] == [
        "case-files",
        "court-experience",
        "childrens-testimony",
        "family-reports",
    ]
    assert "strategic-litigation" in odi["themes"]
    assert odi["audiences"] == ["practitioners", "lawyers-advocates-policy", "overall"]
    ongoing = by_id(document)["uk-online-safety"]
    assert (ongoing["start"], ongoing["end"]) == (2019, None)
    assert by_id(document)["east-africa-community"]["regions"] == ["sub-saharan-africa"]


def test_the_odi_record_stays_small(document: dict[str, Any]) -> None:
    odi = by_id(document)["odi-mexico"]
    size = len(json.dumps(odi, ensure_ascii=False, separators=(",", ":")).encode())
    assert size < MAX_RECORD_BYTES, f"the ODI record is {size} bytes"


def test_facets_come_from_the_vocabularies_with_labels(
    document: dict[str, Any], library: Library, root: Path
) -> None:
    facet_list = facets(library.vocabularies)
    assert [f["id"] for f in document["facets"]] == [f.id for f in facet_list]
    block = {f["id"]: f for f in document["facets"]}
    assert block["countries"]["label"] == "Country"
    assert block["countries"]["values"] == [
        {"id": "KE", "label": "Kenya"},
        {"id": "MX", "label": "Mexico"},
        {"id": "UG", "label": "Uganda"},
        {"id": "GB", "label": "United Kingdom"},
    ]
    themes_file = yaml.safe_load((root / "vocabularies" / "themes.yml").read_text())
    assert block["themes"]["label"] == themes_file["label"]
    labels = {t["id"]: t["label"] for t in themes_file["terms"]}
    for value in block["themes"]["values"]:
        assert value["label"] == labels[value["id"]]
    # Only values that published cases use, each once.
    used = {t for record in document["cases"] for t in record["themes"]}
    assert {v["id"] for v in block["themes"]["values"]} == used


# JSON Schema ------------------------------------------------------------------------------


def test_the_catalogue_names_and_matches_its_published_schema(
    site: Path, document: dict[str, Any], schema: dict[str, Any]
) -> None:
    assert document["$schema"] == "catalogue.schema.json"
    assert (site / document["$schema"]).is_file()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = [e.message for e in validator.iter_errors(document)]
    assert errors == []


def test_the_schema_rejects_a_broken_record(
    document: dict[str, Any], schema: dict[str, Any]
) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    broken = json.loads(json.dumps(document))
    record = broken["cases"][0]
    del record["title"]
    record["countries"] = "MX"
    record["colour"] = "red"
    messages = " ".join(e.message for e in validator.iter_errors(broken))
    assert "'title' is a required property" in messages
    assert "is not of type 'array'" in messages
    assert "Additional properties" in messages


def test_the_schema_has_a_property_for_every_facet(library: Library) -> None:
    facet_list = facets(library.vocabularies)
    schema = catalogue_schema(facet_list, "https://example.org/catalogue.schema.json")
    assert schema["$id"] == "https://example.org/catalogue.schema.json"
    properties = schema["$defs"]["case"]["properties"]
    for facet in facet_list:
        assert properties[facet.id]["type"] == "array"
    record = case_record(library.published[0], facet_list)
    assert set(record) == set(properties) == set(schema["$defs"]["case"]["required"])


def test_with_a_site_url_the_schema_is_named_by_its_address(library: Library) -> None:
    facet_list = facets(library.vocabularies)
    files = open_data(library.published, facet_list, "https://cases.example.org/")
    document = json.loads(files["catalogue.json"])
    schema = json.loads(files["catalogue.schema.json"])
    assert document["$schema"] == schema["$id"] == "https://cases.example.org/catalogue.schema.json"
    jsonschema.Draft202012Validator(schema).validate(document)


# CSV --------------------------------------------------------------------------------------


def test_the_csv_has_one_row_per_case_with_joined_lists(
    site: Path, document: dict[str, Any]
) -> None:
    text = (site / "catalogue.csv").read_text(encoding="utf-8")
    assert not text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in rows] == [r["id"] for r in document["cases"]]
    assert list(rows[0]) == list(document["cases"][0])
    records = by_id(document)
    for row in rows:
        record = records[row["id"]]
        for column, value in record.items():
            if isinstance(value, list):
                assert row[column] == CSV_SEPARATOR.join(value)
            else:
                assert row[column] == ("" if value is None else str(value))
    odi = next(r for r in rows if r["id"] == "odi-mexico")
    assert odi["settings"] == "schools; early-childhood"
    assert odi["organisation"] == "Oficina de Defensoría de los Derechos de la Infancia (ODI)"
    assert next(r for r in rows if r["id"] == "uk-online-safety")["end"] == ""


# Facet counts -----------------------------------------------------------------------------


def test_facet_counts_on_the_fixture_library(library: Library) -> None:
    published = library.published
    counts = {f.id: f.counts(published) for f in facets(library.vocabularies)}
    assert counts["countries"] == {"MX": 2, "GB": 1, "KE": 1, "UG": 1}
    assert counts["regions"]["latin-america-caribbean"] == 2
    assert counts["regions"]["sub-saharan-africa"] == 1  # one case, two countries: counted once
    assert counts["settings"]["schools"] == 2
    assert counts["settings"]["residential-care"] == 1
    assert counts["forms_of_violence"]["physical-violence"] == 2
    assert counts["themes"]["reporting-and-disclosure"] == 2
    assert counts["themes"]["strategic-litigation"] == 2
    assert counts["audiences"]["practitioners"] == 3
    assert counts["knowledge_types"] == {"practice-based": 2, "research": 1, "lived-experience": 1}


def test_browse_pages_stay_and_the_library_links_to_them(site: Path) -> None:
    library_page = (site / "cases" / "index.html").read_text(encoding="utf-8")
    assert 'href="../browse/"' in library_page
    assert (site / "browse" / "countries" / "mx" / "index.html").is_file()
    page = (site / "browse" / "countries" / "mx" / "index.html").read_text(encoding="utf-8")
    assert "2 cases" in page


def test_quick_facts_open_the_finder_filtered(site: Path) -> None:
    page = (site / "cases" / "odi-mexico" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="\.\./\?countries=mx"[^>]*>Mexico</a>', page)
    assert re.search(
        r'<a href="\.\./\?themes=strategic-litigation"[^>]*>Strategic litigation</a>', page
    )
    assert "../../browse/countries/mx/" not in page


def test_the_library_page_lists_every_card_without_javascript(site: Path) -> None:
    page = (site / "cases" / "index.html").read_text(encoding="utf-8")
    for case_id in PUBLISHED:
        assert f'data-case-id="{case_id}"' in page
    for case_id in DRAFTS:
        assert case_id not in page
    assert 'data-catalogue="../catalogue.json"' in page
    assert 'aria-live="polite"' in page
    assert '<script src="../assets/finder.js" defer></script>' in page


# Related cases ----------------------------------------------------------------------------


def test_related_cases_are_ranked_by_shared_facet_values(library: Library) -> None:
    facet_list = facets(library.vocabularies)
    related = related_cases(library.published, facet_list)
    odi = related["odi-mexico"]
    assert [r.case.id for r in odi] == [
        "mx-residential-care",
        "uk-online-safety",
        "east-africa-community",
    ]
    # Each fixture case keeps ODI's three INSPIRE strategies and its reach: values every
    # published case has, which relate each case to all the others alike, are not listed.
    assert [len(r.shared) for r in odi] == [8, 5, 4]
    everywhere = set.intersection(
        *({(f.id, v) for f in facet_list for v in f.values_of(c)} for c in library.published)
    )
    assert len(everywhere) == 4
    assert not {(f.id, v) for rs in related.values() for r in rs for f, v in r.shared} & everywhere
    assert odi[0].shared_labels[:2] == ["Mexico", "Latin America and the Caribbean"]
    assert all(r.case.published for rs in related.values() for r in rs)


def test_a_case_page_lists_its_related_cases_before_the_questions(site: Path) -> None:
    page = (site / "cases" / "odi-mexico" / "index.html").read_text(encoding="utf-8")
    related = page.index('id="related-cases"')
    assert related < page.index('id="reflective-questions"')
    section = page[related : page.index('id="reflective-questions"')]
    order = [section.index(f'href="../{c}/"') for c in ("mx-residential-care", "uk-online-safety")]
    assert order == sorted(order)
    assert "8 in common: Mexico" in section  # values every case has are not listed


def test_a_case_with_nothing_in_common_says_so(library: Library) -> None:
    odi = next(c for c in library.published if c.id == "odi-mexico")
    alone = Library([odi], library.vocabularies, library.questions, languages=library.languages)
    page = Renderer(alone, library.languages.default).case_page(odi)
    assert "## Related cases {#related-cases}" in page
    assert "No other case in the library has anything in common with this one yet." in page


def fake_cases(values: dict[str, list[str]]) -> tuple[list[Case], list[Facet]]:
    """Stand-ins with only what related_cases reads: an id, a title and facet values."""
    cases: list[Any] = [
        SimpleNamespace(id=case_id, meta=SimpleNamespace(title=title), values=tags)
        for case_id, (title, *tags) in ((k, v) for k, v in values.items())
    ]
    facet = Facet("tags", "Tag", lambda c: c.values, str)
    return cases, [facet]


def test_related_ties_go_by_title_and_stop_at_five() -> None:
    cases, facet_list = fake_cases(
        {
            "a": ["Alpha", "x", "y"],
            "zulu": ["Zulu", "x", "y"],
            "echo": ["Echo", "x"],
            "bravo": ["bravo", "x"],
            "delta": ["Delta", "x"],
            "charlie": ["Charlie", "x"],
            "foxtrot": ["Foxtrot", "x"],
            "lonely": ["Lonely", "z"],
        }
    )
    related = related_cases(cases, facet_list)
    assert [r.case.id for r in related["a"]] == ["zulu", "bravo", "charlie", "delta", "echo"]
    assert related["lonely"] == []
    assert related["zulu"][0].shared_labels == ["x", "y"]


def test_related_cases_stay_fast_for_a_thousand_cases() -> None:
    import random

    rng = random.Random(7)
    pools = {"country": 60, "setting": 8, "theme": 8, "audience": 3, "evidence": 6}
    values = {
        f"case-{i}": [
            f"Case {rng.random()}",
            *(f"{name}-{rng.randrange(size)}" for name, size in pools.items() for _ in range(2)),
        ]
        for i in range(1000)
    }
    cases, facet_list = fake_cases(values)
    started = time.perf_counter()
    related = related_cases(cases, facet_list)
    elapsed = time.perf_counter() - started
    assert len(related) == 1000
    assert all(len(r) == 5 for r in related.values())
    assert elapsed < 5, f"related cases took {elapsed:.1f}s for 1,000 cases"
