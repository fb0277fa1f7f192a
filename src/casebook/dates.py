"""Dates written as far as they are known: YYYY, YYYY-MM or YYYY-MM-DD, and real ones."""

from __future__ import annotations

import datetime as dt
import re

_PARTIAL = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def parse_partial(text: str) -> tuple[int, int | None, int | None] | None:
    """(year, month, day) with what is not given as None; None if it is no real date."""
    match = _PARTIAL.fullmatch(text.strip())
    if match is None:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError:
        return None
    return year, month, day


def partial_date(text: str) -> str:
    """A validator: the date as written, or a ValueError that says what to write."""
    if parse_partial(text) is None:
        raise ValueError(
            f"'{text}' is not a real date; write the year, the year and month, or the full "
            "date as YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2024, 2024-07 or 2024-07-31"
        )
    return text.strip()
