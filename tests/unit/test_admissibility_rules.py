"""R-DUR and R-START at their boundaries (SPEC.md §5, criteria 4 and 5)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from applications.rules import (
    add_months,
    duration_check,
    latest_end,
    months_spanned,
    start_date_check,
)

START = date(2026, 3, 1)


def test_r_dur_36_months_exactly_is_admissible():
    check = duration_check(START, date(2029, 2, 28), 36)
    assert check.ok
    assert "36" in check.message


def test_r_dur_36_months_and_one_day_is_not():
    check = duration_check(START, date(2029, 3, 1), 36)
    assert not check.ok
    assert "28/02/2029" in check.message  # says the last allowed day


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2026, 3, 1), date(2029, 2, 28), 36),
        (date(2026, 3, 1), date(2029, 3, 1), 37),
        (date(2026, 1, 31), date(2026, 2, 27), 1),
        (date(2026, 1, 15), date(2026, 1, 15), 1),
    ],
)
def test_months_spanned(start, end, months):
    assert months_spanned(start, end) == months


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31)), st.integers(1, 60))
def test_the_latest_end_is_always_admissible_and_the_day_after_never(start, maximum):
    last = latest_end(start, maximum)
    assert duration_check(start, last, maximum).ok
    assert not duration_check(start, date.fromordinal(last.toordinal() + 1), maximum).ok


DECISION = date(2026, 2, 15)


def test_r_start_on_the_day_of_submission_is_admissible():
    assert start_date_check(date(2025, 11, 14), date(2025, 11, 14), DECISION, 6).ok


def test_r_start_the_day_before_submission_is_not():
    check = start_date_check(date(2025, 11, 13), date(2025, 11, 14), DECISION, 6)
    assert not check.ok and "14/11/2025" in check.message


def test_r_start_decision_plus_six_months_is_the_last_day():
    assert start_date_check(date(2026, 8, 15), date(2025, 11, 14), DECISION, 6).ok
    late = start_date_check(date(2026, 8, 16), date(2025, 11, 14), DECISION, 6)
    assert not late.ok
    assert "15/02/2026" in late.message and "15/08/2026" in late.message


def test_add_months_keeps_the_end_of_short_months():
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
