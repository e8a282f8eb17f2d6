"""Rules of the idea phase (SPEC.md §3): R-DL1, R-SL completeness, reminders."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from applications.rules import (
    IDEA_REQUIRED_FIELDS,
    due_reminders,
    idea_missing_fields,
    received_in_time,
)

BRUSSELS = ZoneInfo("Europe/Brussels")
DL1 = datetime(2025, 9, 8, 12, 0, tzinfo=BRUSSELS)
ONE_MICROSECOND = timedelta(microseconds=1)


def test_r_dl1_one_microsecond_before_the_deadline_counts():
    assert received_in_time(DL1 - ONE_MICROSECOND, DL1)


def test_r_dl1_the_deadline_itself_is_late():
    assert not received_in_time(DL1, DL1)


def test_r_dl1_the_instant_is_compared_whatever_the_zone_it_is_expressed_in():
    just_before_in_utc = datetime(2025, 9, 8, 9, 59, 59, 999999, tzinfo=ZoneInfo("UTC"))
    assert received_in_time(just_before_in_utc, DL1)
    assert not received_in_time(just_before_in_utc + ONE_MICROSECOND, DL1)


COMPLETE = {
    "title": "Slimme parkeersensoren",
    "challenge": "x",
    "solution": "x",
    "capacity_building": "x",
    "policy_alignment": "x",
    "support_rollout": "x",
    "openness": "x",
    "work_packages": "x",
    "budget_total": Decimal("100000.00"),
    "themes": ["mobility"],
}


def test_a_complete_idea_misses_nothing():
    assert idea_missing_fields(COMPLETE) == []


@given(st.sampled_from(IDEA_REQUIRED_FIELDS), st.sampled_from([None, "", "   \n", 0, []]))
def test_any_empty_required_field_is_reported(field, empty):
    values = {**COMPLETE, field: empty}
    if field == "budget_total" and empty in ("", "   \n", []):
        values[field] = None
    assert idea_missing_fields(values) == [field]


def test_a_budget_of_zero_is_not_a_provisional_budget():
    assert idea_missing_fields({**COMPLETE, "budget_total": Decimal("0.00")}) == ["budget_total"]


def test_reminders_7_and_1_days_before_are_due_in_their_windows_and_never_after_the_deadline():
    days = (7, 1)
    assert due_reminders(DL1 - timedelta(days=8), DL1, days) == []
    assert due_reminders(DL1 - timedelta(days=7), DL1, days) == [7]
    assert due_reminders(DL1 - timedelta(days=2), DL1, days) == [7]
    assert due_reminders(DL1 - timedelta(hours=23), DL1, days) == [7, 1]
    assert due_reminders(DL1, DL1, days) == []
