"""Dates written as far as they are known: YYYY, YYYY-MM or YYYY-MM-DD, and real ones."""

from __future__ import annotations

import calendar
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
        raise ValueError(date_advice(text, partial=True))
    return text.strip()


# Dates as editors write them when they do not write YYYY-MM-DD: 7/12/2026, 7.12.2026, 2026/12/7.
_NUMBERS = re.compile(r"(\d{1,4})\s*([-/.])\s*(\d{1,2})(?:\s*\2\s*(\d{1,4}))?")
_FORMS = "YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2024, 2024-07 or 2024-07-31"
_FULL_FORM = "YYYY-MM-DD, e.g. 2026-11-22"


def _month_name(month: int) -> str:
    return calendar.month_name[month] if calendar.month_name[month] else str(month)


def _real(year: int, month: int, day: int) -> str | None:
    """YYYY-MM-DD when year-month-day is a real day, else None."""
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _spoken(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {_month_name(day.month)} {day.year}"


def _impossible(year: int, month: int, day: int | None, text: str) -> str:
    """Why year-month(-day), written in order, is no day: the month or the day that is wrong."""
    if year == 0:
        return f"'{text}' has year 0000; write the real year"
    if not 1 <= month <= 12:
        swapped = _real(year, day, month) if day is not None and 1 <= day <= 12 else None
        if swapped is not None:
            return (
                f"'{text}' has no month {month}; it seems to be written year-day-month: "
                f"write {swapped} ({_spoken(swapped)})"
            )
        return f"'{text}' has no month {month}; the month is 01 to 12, as in YYYY-MM-DD"
    assert day is not None
    if day == 0:
        return f"'{text}' has day 00; the day is 01 to 31, as in YYYY-MM-DD"
    last = calendar.monthrange(year, month)[1]
    if month == 2 and day == 29:
        return (
            f"'{text}' has no day 29 in February: {year} is not a leap year; "
            f"check the date (the last day of February {year} is {year}-02-28)"
        )
    return (
        f"'{text}' has no day {day} in {_month_name(month)}: {_month_name(month)} has {last} "
        f"days; check the date (its last day is {year}-{month:02d}-{last:02d})"
    )


def date_advice(text: str, *, partial: bool) -> str:
    """What is wrong with a date that is not one and, when it can be told, the date to write.

    `partial`: the field takes YYYY and YYYY-MM too (a source's date); otherwise only a full
    YYYY-MM-DD (last_reviewed). A form with the day first (07/12/2026) is ambiguous when both
    numbers could be the month: the message shows both days rather than guess.
    """
    written = text.strip()
    forms = _FORMS if partial else _FULL_FORM
    match = _NUMBERS.fullmatch(written)
    if match is None:
        return f"'{written}' is not a date; write it as {forms}"
    first, _separator, second, third = match.groups()
    if third is None:
        # Two numbers: a year and a month (2024-7).
        if len(first) != 4 or not 1 <= int(second) <= 12:
            return f"'{written}' is not a date; write it as {forms}"
        month_text = f"{int(first):04d}-{int(second):02d}"
        if partial:
            return f"'{written}' is not written as YYYY-MM; write {month_text}"
        return (
            f"'{written}' has no day; write the full date as YYYY-MM-DD, "
            f"e.g. {month_text}-01 for the first of the month"
        )
    if len(first) == 4:  # year first: year-month-day
        year, month, day = int(first), int(second), int(third)
        iso = _real(year, month, day)
        if iso is None:
            return _impossible(year, month, day, written)
        return f"'{written}' is not written as YYYY-MM-DD; write {iso}"
    if len(third) != 4:
        return f"'{written}' is not a date; write it as {forms}, with a four-digit year"
    year = int(third)
    day_first = _real(year, int(second), int(first))  # 07/12/2026: 7 December
    month_first = _real(year, int(first), int(second))  # 07/12/2026: 12 July
    if day_first and month_first and day_first != month_first:
        return (
            f"'{written}' is ambiguous: it may be {_spoken(day_first)} ({day_first}) or "
            f"{_spoken(month_first)} ({month_first}); write the one you mean as YYYY-MM-DD"
        )
    if day_first or month_first:
        iso = day_first or month_first
        assert iso is not None
        return f"'{written}' is not written as YYYY-MM-DD; write {iso} ({_spoken(iso)})"
    return f"'{written}' is no real day; write it as {forms}"
