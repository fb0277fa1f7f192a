"""Dates that are not dates: the check says what is wrong and, when it can tell, what to write."""

from __future__ import annotations

import pytest

from casebook.sources.dates import date_advice, partial_date


@pytest.mark.parametrize(
    ("written", "said"),
    [
        # In the right format but no such day: say which part is wrong, not "not a date".
        ("2026-11-31", "'2026-11-31' has no day 31 in November: November has 30 days"),
        ("2026-02-29", "'2026-02-29' has no day 29 in February: 2026 is not a leap year"),
        ("2026-04-31", "has no day 31 in April"),
        ("2026-13-05", "'2026-13-05' has no month 13"),
        ("2026-00-10", "has no month 0"),
        # Unambiguous other forms: the corrected date itself.
        ("2026-12-7", "'2026-12-7' is not written as YYYY-MM-DD; write 2026-12-07"),
        ("2026/12/07", "write 2026-12-07"),
        ("22/11/2026", "write 2026-11-22 (22 November 2026)"),
        ("31.12.2026", "write 2026-12-31 (31 December 2026)"),
        ("07/07/2026", "write 2026-07-07 (7 July 2026)"),
        ("2022-31-12", "written year-day-month: write 2022-12-31 (31 December 2022)"),
        # Day first or month first: both readings, never a guess.
        (
            "07/12/2026",
            "'07/12/2026' is ambiguous: it may be 7 December 2026 (2026-12-07) or "
            "12 July 2026 (2026-07-12); write the one you mean as YYYY-MM-DD",
        ),
        ("hello", "'hello' is not a date; write it as YYYY-MM-DD, e.g. 2026-11-22"),
        ("2026-11", "'2026-11' has no day; write the full date as YYYY-MM-DD"),
    ],
)
def test_a_full_date_that_is_not_one_is_explained(written: str, said: str) -> None:
    assert said in date_advice(written, partial=False)


def test_the_ambiguous_form_never_names_one_day_alone() -> None:
    message = date_advice("03/04/2025", partial=False)
    assert "2025-04-03" in message and "2025-03-04" in message and "ambiguous" in message


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("2024-7", "'2024-7' is not written as YYYY-MM; write 2024-07"),
        ("2024-11-31", "has no day 31 in November"),
        ("soon", "write it as YYYY, YYYY-MM or YYYY-MM-DD"),
    ],
)
def test_a_source_date_is_explained_too(written: str, said: str) -> None:
    with pytest.raises(ValueError) as raised:
        partial_date(written)
    assert said in str(raised.value)
