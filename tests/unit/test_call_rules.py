"""The call's configuration must hang together (SPEC.md §2: R-ENV, R-MAX, R-RATE, R-DL1, R-DL2, R-TR)."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from applications.manual_2025 import CALL_2025
from applications.rules import CallConfiguration, call_configuration_errors

MANUAL = CallConfiguration(
    envelope=CALL_2025["envelope"],
    max_support_per_project=CALL_2025["max_support_per_project"],
    max_support_rate=CALL_2025["max_support_rate"],
    max_duration_months=CALL_2025["max_duration_months"],
    idea_deadline=CALL_2025["idea_deadline"],
    application_deadline=CALL_2025["application_deadline"],
    start_window_months=CALL_2025["start_window_months"],
    min_local_governments=CALL_2025["min_local_governments"],
    tranche_1_share=CALL_2025["tranche_1_share"],
    tranche_2_share=CALL_2025["tranche_2_share"],
    section_threshold_share=CALL_2025["section_threshold_share"],
    total_threshold_share=CALL_2025["total_threshold_share"],
)


def test_the_2025_manual_is_a_consistent_call():
    assert call_configuration_errors(MANUAL) == {}


def test_the_2025_values_match_the_manual():
    assert MANUAL.envelope == Decimal("5000000.00")  # R-ENV
    assert MANUAL.max_support_per_project == Decimal("2000000.00")  # R-MAX
    assert MANUAL.max_support_rate == Decimal("0.80")  # R-RATE
    assert MANUAL.max_duration_months == 36  # R-DUR
    deadline = MANUAL.idea_deadline
    assert (deadline.day, deadline.month, deadline.hour, str(deadline.tzinfo)) == (
        8,
        9,
        12,
        "Europe/Brussels",
    )  # R-DL1
    app = MANUAL.application_deadline
    assert (app.day, app.month, app.hour, app.minute) == (14, 11, 23, 59)  # R-DL2
    assert (MANUAL.tranche_1_share, MANUAL.tranche_2_share) == (Decimal("0.40"), Decimal("0.30"))


def test_application_deadline_before_idea_deadline_is_refused_in_dutch():
    wrong = replace(MANUAL, application_deadline=MANUAL.idea_deadline - timedelta(minutes=1))
    with translation.override("nl"):
        errors = call_configuration_errors(wrong)
    assert errors["application_deadline"] == (
        "De deadline voor aanvragen moet na de deadline voor projectideeën liggen."
    )


def test_max_support_above_the_envelope_is_refused():
    wrong = replace(MANUAL, max_support_per_project=MANUAL.envelope + Decimal("0.01"))
    assert set(call_configuration_errors(wrong)) == {"max_support_per_project"}


def test_tranches_one_and_two_must_leave_a_balance():
    wrong = replace(MANUAL, tranche_1_share=Decimal("0.70"), tranche_2_share=Decimal("0.30"))
    assert set(call_configuration_errors(wrong)) == {"tranche_2_share"}


@given(
    rate=st.decimals(min_value=-1, max_value=2, places=4),
    t1=st.decimals(min_value=-1, max_value=2, places=4),
    t2=st.decimals(min_value=-1, max_value=2, places=4),
)
def test_shares_are_accepted_exactly_when_they_make_sense(rate, t1, t2):
    errors = call_configuration_errors(
        replace(MANUAL, max_support_rate=rate, tranche_1_share=t1, tranche_2_share=t2)
    )
    rate_ok = Decimal(0) < rate <= 1
    tranches_ok = Decimal(0) < t1 < 1 and Decimal(0) < t2 < 1 and t1 + t2 < 1
    assert ("max_support_rate" not in errors) == rate_ok
    assert ("tranche_1_share" not in errors and "tranche_2_share" not in errors) == tranches_ok
