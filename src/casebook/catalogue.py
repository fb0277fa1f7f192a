"""The finder's data: facets, counts and one catalogue record per published case.

Facets are derived from the vocabulary files: every vocabulary that controls a top-level
front-matter field becomes a facet, plus country (named through pycountry) and region.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pycountry

from casebook.model import Case
from casebook.vocabularies import Vocabularies


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


def facets(vocabularies: Vocabularies) -> list[Facet]:
    found = [
        Facet("countries", "Country", lambda c: list(c.meta.countries), country_name),
    ]
    regions = vocabularies.get("regions")
    if regions is not None:
        found.append(
            Facet(
                "regions",
                regions.label,
                lambda c: sorted({r for r in map(vocabularies.region_of, c.meta.countries) if r}),
                regions.label_of,
            )
        )
    for vocabulary in vocabularies.controlling():
        field = vocabulary.field
        if field is None or "." in field:
            continue
        found.append(Facet(vocabulary.id, vocabulary.label, _getter(field), vocabulary.label_of))
    return found


def _getter(field: str) -> Callable[[Case], list[str]]:
    def values(case: Case) -> list[str]:
        value = getattr(case.meta, field)
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
