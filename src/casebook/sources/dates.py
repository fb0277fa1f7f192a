"""Dates written as far as they are known: YYYY, YYYY-MM or YYYY-MM-DD, and real ones."""

from __future__ import annotations

import datetime as dt
import re

_PARTIAL = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")

# The same dates as one regular expression, for the web editor's form (a JavaScript RegExp,
# which the form tests before saving): a real year (not 0000), then optionally a month, then
# optionally a day that month has; 29 February only in a leap year.
_YEAR = r"(?!0000)\d{4}"
_MONTH_DAY = (
    r"(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])"  # any month: 1-28
    r"|(?:0[13-9]|1[0-2])-(?:29|30)"  # all but February: 29-30
    r"|(?:0[13578]|1[02])-31)"  # the long months: 31
)
_LEAP_YEAR = r"(?:\d\d(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)"
PARTIAL_DATE_PATTERN = (
    rf"^(?:{_YEAR}(?:-(?:0[1-9]|1[0-2]))?"
    rf"|{_YEAR}-{_MONTH_DAY}"
    rf"|(?!0000){_LEAP_YEAR}-02-29)$"
)


def parse_partial(text: str) -> tuple[int, int | None, int | None] | None:
    """(year, month, day) with what is not given as None; None if it is no real date."""
    match = _PARTIAL.fullmatch(text.strip())
    if match is None:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    try:
        # Month 00 or day 00 is no date: only what is not written stands for the first.
        dt.date(year, 1 if month is None else month, 1 if day is None else day)
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
