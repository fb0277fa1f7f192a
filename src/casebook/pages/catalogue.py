"""The finder's data: facets, counts, related cases and the open-data catalogue.

Facets are derived from the vocabulary files: every vocabulary that controls a top-level
front-matter field becomes a facet, plus country (named through pycountry) and region.
Nothing here names a facet or a term: add a vocabulary file and it becomes a facet of the
finder, a column of the CSV and a property of the JSON Schema.

The open data is three files at the site's root: `catalogue.json` (the finder's data
source: the facets with their labels, then one small record per published case),
`catalogue.csv` (one row per case, list fields joined with "; ") and
`catalogue.schema.json` (the JSON Schema that `catalogue.json` names in `$schema`).
"""

from __future__ import annotations

import csv
import heapq
import io
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pycountry

from casebook.sources.i18n import Locale
from casebook.sources.model import Case
from casebook.sources.vocabularies import SLUG_PATTERN, Vocabularies, Vocabulary

CATALOGUE_FILE = "catalogue.json"
CSV_FILE = "catalogue.csv"
SCHEMA_FILE = "catalogue.schema.json"
CSV_SEPARATOR = "; "
RELATED_LIMIT = 5


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


@dataclass(frozen=True)
class Facet:
    id: str  # used in URLs: /browse/<id>/<value>/
    label: str
    values_of: Callable[[Case], list[str]]
    label_of: Callable[[str], str]

    def counts(self, cases: Iterable[Case]) -> Counter[str]:
        counter: Counter[str] = Counter()
        for case in cases:
            counter.update(dict.fromkeys(self.values_of(case), 1))
        return counter

    def used_values(self, cases: Iterable[Case]) -> list[str]:
        """The values at least one case has, in the order of their labels."""
        return sorted(self.counts(cases), key=lambda v: (self.label_of(v).casefold(), v))

    def finder_link(self, value: str) -> str:
        """The query string that opens the finder filtered to one value, e.g. `countries=mx`."""
        return f"{self.id}={value.lower()}"


def facets(vocabularies: Vocabularies, locale: Locale | None = None) -> list[Facet]:
    """The facets, labelled in the locale's language (the vocabulary files' own without one)."""

    def named(vocabulary: Vocabulary) -> tuple[str, Callable[[str], str]]:
        if locale is None:
            return vocabulary.label, vocabulary.label_of
        return (
            locale.vocabulary_label(vocabulary.id, vocabulary.label),
            lambda term: locale.term(vocabulary.id, term, vocabulary.label_of(term)),
        )

    found = [
        Facet(
            "countries",
            locale.t("country_facet") if locale else "Country",
            lambda c: list(c.meta.countries),
            locale.country if locale else country_name,
        ),
    ]
    regions = vocabularies.get("regions")
    if regions is not None:
        label, label_of = named(regions)
        found.append(
            Facet(
                "regions",
                label,
                lambda c: sorted({r for r in map(vocabularies.region_of, c.meta.countries) if r}),
                label_of,
            )
        )
    for vocabulary in vocabularies.controlling():
        field = vocabulary.field
        if field is None or "." in field:
            continue
        label, label_of = named(vocabulary)
        found.append(Facet(vocabulary.id, label, _getter(field), label_of))
    return found


def _getter(field: str) -> Callable[[Case], list[str]]:
    def values(case: Case) -> list[str]:
        value = getattr(case.meta, field)
        if value is None:  # an optional field left out
            return []
        return list(value) if isinstance(value, list) else [value]

    return values


def case_record(case: Case, facet_list: list[Facet]) -> dict[str, Any]:
    """One case's catalogue entry: small, flat and free of HTML."""
    meta = case.meta
    record: dict[str, Any] = {
        "id": case.id,
        "url": f"cases/{case.id}/",
        "title": meta.title,
        "summary": meta.summary,
        "organisation": meta.organisation.display_name,
        "language": meta.language,
        "start": meta.period.start,
        "end": meta.period.end,
        "last_reviewed": meta.last_reviewed.isoformat(),
    }
    for facet in facet_list:
        record[facet.id] = facet.values_of(case)
    return record


# The fields every record has before its facets, in the order of the CSV's columns.
RECORD_FIELDS: dict[str, dict[str, Any]] = {
    "id": {
        "type": "string",
        "pattern": SLUG_PATTERN,
        "description": "The case's id: its file name in case_studies/.",
    },
    "url": {
        "type": "string",
        "pattern": "^cases/[^/]+/$",
        "description": "The case's page, relative to the site's root.",
    },
    "title": {"type": "string", "minLength": 1},
    "summary": {"type": "string", "minLength": 1},
    "organisation": {
        "type": "string",
        "minLength": 1,
        "description": "The organisation's name, with its short name in brackets.",
    },
    "language": {"type": "string", "pattern": "^[a-z]{2}$", "description": "ISO 639-1."},
    "start": {"type": "integer", "description": "The first year the case covers."},
    "end": {
        "type": ["integer", "null"],
        "description": "The last year the case covers; null while the work continues.",
    },
    "last_reviewed": {
        "type": "string",
        "format": "date",
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        "description": "When an editor last checked the case.",
    },
}


def catalogue(
    cases: Sequence[Case],
    facet_list: list[Facet],
    schema_url: str = SCHEMA_FILE,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The whole `catalogue.json`: its schema, the facets with their labels, the cases, and
    `extra`'s blocks (the evidence map), after them."""
    return {
        "$schema": schema_url,
        "facets": facet_block(cases, facet_list),
        "cases": [case_record(case, facet_list) for case in cases],
        **(extra or {}),
    }


def facet_block(cases: Sequence[Case], facet_list: list[Facet]) -> list[dict[str, Any]]:
    """Each facet's id, label and the labels of the values that published cases use."""
    return [
        {
            "id": facet.id,
            "label": facet.label,
            "values": [{"id": v, "label": facet.label_of(v)} for v in facet.used_values(cases)],
        }
        for facet in facet_list
    ]


def catalogue_schema(
    facet_list: list[Facet],
    schema_id: str | None = None,
    extra: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The JSON Schema of `catalogue.json`, with one property per facet, and the schema of
    each of `extra`'s blocks."""
    values = {
        "type": "array",
        "items": {"type": "string", "minLength": 1},
        "uniqueItems": True,
    }
    record = dict(RECORD_FIELDS)
    for facet in facet_list:
        record[facet.id] = {
            **values,
            "description": f"{facet.label}: value ids, labelled in the facet '{facet.id}'.",
        }
    schema: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    if schema_id:
        schema["$id"] = schema_id
    schema.update(
        {
            "title": "Casebook catalogue",
            "description": (
                "Every published case study's metadata, and the facets the case finder "
                "filters by, with labels for their values."
            ),
            "type": "object",
            "required": ["facets", "cases"],
            "additionalProperties": False,
            "properties": {
                "$schema": {"type": "string", "description": "Where this schema is published."},
                "facets": {
                    "type": "array",
                    "items": {"$ref": "#/$defs/facet"},
                    "description": "In the order the finder shows them.",
                },
                "cases": {
                    "type": "array",
                    "items": {"$ref": "#/$defs/case"},
                    "description": "Published cases, by title.",
                },
                **(extra or {}),
            },
            "$defs": {
                "facet": {
                    "type": "object",
                    "required": ["id", "label", "values"],
                    "additionalProperties": False,
                    "properties": {
                        "id": {
                            "enum": [f.id for f in facet_list],
                            "description": "The name of the case property that holds its values.",
                        },
                        "label": {"type": "string", "minLength": 1},
                        "values": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["id", "label"],
                                "additionalProperties": False,
                                "properties": {
                                    "id": {"type": "string", "minLength": 1},
                                    "label": {"type": "string", "minLength": 1},
                                },
                            },
                        },
                    },
                },
                "case": {
                    "type": "object",
                    "required": list(record),
                    "additionalProperties": False,
                    "properties": record,
                },
            },
        }
    )
    return schema


def catalogue_csv(cases: Sequence[Case], facet_list: list[Facet]) -> str:
    """One row per case; list fields joined with "; "; an ongoing case's end is empty."""
    columns = [*RECORD_FIELDS, *(f.id for f in facet_list)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for case in cases:
        record = case_record(case, facet_list)
        writer.writerow(
            [
                CSV_SEPARATOR.join(value)
                if isinstance(value := record[column], list)
                else ("" if value is None else value)
                for column in columns
            ]
        )
    return out.getvalue()


def open_data(
    cases: Sequence[Case],
    facet_list: list[Facet],
    site_url: str = "",
    extra: dict[str, tuple[dict[str, Any], dict[str, Any]]] | None = None,
) -> dict[str, bytes]:
    """The open-data files, by their path from the site's root; `extra` adds blocks to
    `catalogue.json`, each as (its data, its JSON Schema)."""
    schema_url = f"{site_url.rstrip('/')}/{SCHEMA_FILE}" if site_url else SCHEMA_FILE
    blocks = extra or {}
    document = catalogue(cases, facet_list, schema_url, {k: v[0] for k, v in blocks.items()})
    schema = catalogue_schema(
        facet_list, schema_url if site_url else None, {k: v[1] for k, v in blocks.items()}
    )
    return {
        CATALOGUE_FILE: json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode(),
        CSV_FILE: catalogue_csv(cases, facet_list).encode(),
        SCHEMA_FILE: (json.dumps(schema, ensure_ascii=False, indent=2) + "\n").encode(),
    }


# Related cases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Related:
    """Another case, and the facet values it shares with the case it is related to."""

    case: Case
    shared: list[tuple[Facet, str]]

    @property
    def shared_labels(self) -> list[str]:
        """Each label once: two facets may name a value alike (the INSPIRE strategy and the
        theme "Safe environments"), and a reader sees the words, not the facets."""
        return list(dict.fromkeys(facet.label_of(value) for facet, value in self.shared))


def related_cases(
    cases: Sequence[Case], facet_list: list[Facet], limit: int = RELATED_LIMIT
) -> dict[str, list[Related]]:
    """Up to `limit` related cases for every case, most shared facet values first; values
    that every case has are left out.

    Ties go by title. An inverted index from each facet value to the cases that have it
    means a case is compared only with the cases it shares something with, and the
    counting itself runs inside `Counter.update`.
    """
    order = sorted(range(len(cases)), key=lambda i: (cases[i].meta.title.casefold(), cases[i].id))
    rank = {index: position for position, index in enumerate(order)}
    keys: list[list[tuple[int, str]]] = []
    index: defaultdict[tuple[int, str], list[int]] = defaultdict(list)
    for i, case in enumerate(cases):
        own = [
            (f, v)
            for f, facet in enumerate(facet_list)
            for v in dict.fromkeys(facet.values_of(case))
        ]
        keys.append(own)
        for key in own:
            index[key].append(i)
    # A value every case has ("practice-based knowledge") relates each case to all the
    # others alike: it changes no ranking, and a card that lists it says nothing.
    if len(cases) > 2:
        keys = [[key for key in own if len(index[key]) < len(cases)] for own in keys]
    found: dict[str, list[Related]] = {}
    for i, case in enumerate(cases):
        scores: Counter[int] = Counter()
        for key in keys[i]:
            scores.update(index[key])
        del scores[i]
        best = heapq.nsmallest(limit, scores.items(), key=lambda item: (-item[1], rank[item[0]]))
        related = []
        for j, _ in best:
            theirs = set(keys[j])
            shared = [(facet_list[f], v) for f, v in keys[i] if (f, v) in theirs]
            related.append(Related(cases[j], shared))
        found[case.id] = related
    return found
