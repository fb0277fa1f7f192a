"""The evidence-and-gap map: published cases counted by INSPIRE strategy and by setting.

After Campbell's evidence and gap maps of interventions to reduce violence against children:
one row per strategy, one column per setting, every term of both vocabularies shown, so that
a cell without a case reads as a gap. The axes are facets (casebook.pages.catalogue), so a case
counts in a cell exactly when the finder, filtered to that strategy and that setting, lists
it; `map_data` puts the same counts in the open data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from casebook.pages.catalogue import Facet
from casebook.sources.model import Case
from casebook.sources.vocabularies import Vocabularies

ROWS = "inspire"  # the facet (and vocabulary) of the map's rows
COLUMNS = "settings"  # the facet (and vocabulary) of its columns
MAP_URL = "map/"


@dataclass(frozen=True)
class EvidenceMap:
    rows: Facet
    columns: Facet
    row_values: list[str]  # every term, in the vocabulary's order
    column_values: list[str]
    cells: dict[tuple[str, str], list[str]]  # (row, column) -> ids of the cases in it

    def cases_in(self, row: str, column: str) -> list[str]:
        return self.cells.get((row, column), [])

    def finder_query(self, row: str, column: str) -> str:
        """The finder's query string for one cell, e.g. `inspire=x&settings=y`."""
        return f"{self.rows.finder_link(row)}&{self.columns.finder_link(column)}"


def evidence_map(
    cases: Sequence[Case], facet_list: list[Facet], vocabularies: Vocabularies
) -> EvidenceMap | None:
    """The map of these cases, or None when the project has no vocabulary for an axis."""
    by_id = {facet.id: facet for facet in facet_list}
    rows, columns = by_id.get(ROWS), by_id.get(COLUMNS)
    row_terms, column_terms = vocabularies.get(ROWS), vocabularies.get(COLUMNS)
    if rows is None or columns is None or row_terms is None or column_terms is None:
        return None
    cells: dict[tuple[str, str], list[str]] = {}
    for case in cases:
        for row in rows.values_of(case):
            for column in columns.values_of(case):
                cells.setdefault((row, column), []).append(case.id)
    return EvidenceMap(rows, columns, list(row_terms.terms), list(column_terms.terms), cells)


def map_data(found: EvidenceMap) -> dict[str, Any]:
    """The map as open data: every cell, gaps included, with its count and its cases."""
    return {
        "rows": found.rows.id,
        "columns": found.columns.id,
        "cells": [
            {
                found.rows.id: row,
                found.columns.id: column,
                "count": len(found.cases_in(row, column)),
                "cases": found.cases_in(row, column),
            }
            for row in found.row_values
            for column in found.column_values
        ],
    }


MAP_DATA_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "The evidence-and-gap map at /map/: published cases counted by the facet in 'rows' "
        "(each row) and the facet in 'columns' (each column); a count of 0 is a gap."
    ),
    "required": ["rows", "columns", "cells"],
    "properties": {
        "rows": {"type": "string", "description": "The facet of the map's rows."},
        "columns": {"type": "string", "description": "The facet of the map's columns."},
        "cells": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["count", "cases"],
                "properties": {
                    "count": {"type": "integer", "minimum": 0},
                    "cases": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}
