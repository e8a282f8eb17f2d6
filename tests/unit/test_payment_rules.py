"""The rules of execution and money (payments/rules.py): R-START, R-TR1/2/3, R-ELIG, R-SETTLE,
R-STOP and four-eyes, as pure functions."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from payments import rules

D = Decimal
cents = st.integers(min_value=0, max_value=300_000_000).map(lambda n: D(n) / 100)


@pytest.fixture(autouse=True)
def _dutch():
    with translation.override("nl"):
        yield


def test_r_start_six_months_after_the_decision():
    assert rules.latest_start(date(2026, 1, 15), 6) == date(2026, 7, 15)
    assert rules.latest_start(date(2026, 8, 31), 6) == date(2027, 2, 28)


def test_r_tr2_halfway_and_r_tr3_deadline():
    assert rules.halfway(date(2026, 3, 1), date(2029, 2, 28)) == date(2027, 8, 30)
    assert rules.final_request_deadline(date(2029, 2, 28), 3) == date(2029, 5, 28)


def test_r_elig_both_ends_of_the_period_count_and_outside_is_refused_with_the_dates():
    start, end = date(2026, 3, 1), date(2029, 2, 28)
    assert rules.in_period(start, start, end) and rules.in_period(end, start, end)
    assert rules.period_error(date(2026, 2, 28), start, end) is not None
    message = rules.period_error(date(2029, 3, 1), start, end)
    assert "01/03/2029" in message and "28/02/2029" in message
    assert rules.period_error(date(2027, 1, 1), start, end) is None


def test_r_start_between_submission_and_the_latest_start():
    assert rules.start_error(date(2026, 1, 1), date(2026, 1, 2), date(2026, 7, 1))
    assert rules.start_error(date(2026, 7, 2), date(2026, 1, 2), date(2026, 7, 1))
    assert rules.start_error(date(2026, 7, 1), date(2026, 1, 2), date(2026, 7, 1)) is None


def test_r_tr1_every_condition_with_what_is_missing():
    checks = rules.tranche1_checks(
        started_on=None,
        today=date(2026, 4, 1),
        conditions="Lever het samenwerkingsakkoord met partner X.",
        conditions_met=False,
        agreement_accepted=False,
        agreement_submitted=True,
    )
    assert [c.ok for c in checks] == [False, False, False]
    assert not rules.may_request(checks)
    assert "samenwerkingsakkoord met partner X" in checks[1].message
    checks = rules.tranche1_checks(
        started_on=date(2026, 3, 1),
        today=date(2026, 4, 1),
        conditions="",
        conditions_met=False,
        agreement_accepted=True,
        agreement_submitted=True,
    )
    assert rules.may_request(checks)


def test_r_tr2_the_cost_share_is_shown_with_its_figures():
    check = rules.cost_share_check(D("410000.00"), D("1000000.00"), D("0.50"))
    assert not check.ok
    for figure in ("€ 410.000,00", "41%", "€ 1.000.000,00", "50%"):
        assert figure in check.message
    assert rules.cost_share_check(D("500000.00"), D("1000000.00"), D("0.50")).ok


def test_r_tr2_not_before_halfway():
    kwargs = dict(
        start=date(2026, 3, 1),
        end=date(2029, 2, 28),
        interim_report="accepted",
        reported_costs=D("600000"),
        approved_total=D("1000000"),
        minimum_share=D("0.5"),
        tranche1_paid=True,
    )
    assert not rules.may_request(rules.tranche2_checks(today=date(2027, 8, 29), **kwargs))
    assert rules.may_request(rules.tranche2_checks(today=date(2027, 8, 30), **kwargs))


def test_r_tr3_a_late_request_is_allowed_but_flagged():
    kwargs = dict(
        end=date(2029, 2, 28),
        deadline=date(2029, 5, 28),
        final_report="submitted",
        end_results=True,
        tranche2_paid=True,
    )
    on_time = rules.tranche3_checks(today=date(2029, 5, 28), **kwargs)
    late = rules.tranche3_checks(today=date(2029, 5, 29), **kwargs)
    assert rules.may_request(on_time) and rules.may_request(late)
    assert not any(c.warning for c in on_time)
    assert any(c.warning for c in late) and rules.is_late(date(2029, 5, 29), date(2029, 5, 28))


def test_r_settle_the_three_caps():
    # Accepted cost below the plan: 80% of 700.000 = 560.000 < awarded 800.000.
    figures = rules.settle(
        awarded=D("800000"),
        accepted_cost=D("700000"),
        income=D("0"),
        paid=D("560000"),
        rate=D("0.8"),
    )
    assert figures.final_support == D("560000.00") and figures.balance == D("0.00")
    # Income caps it: 700.000 − 200.000 = 500.000; 560.000 paid gives a recovery of 60.000.
    figures = rules.settle(
        awarded=D("800000"),
        accepted_cost=D("700000"),
        income=D("200000"),
        paid=D("560000"),
        rate=D("0.8"),
    )
    assert figures.final_support == D("500000.00")
    assert figures.recovery == D("60000.00") and figures.to_pay == D("0")
    # 80% of 333,33 is 266,664: rounded down to 266,66.
    figures = rules.settle(
        awarded=D("1000"), accepted_cost=D("333.33"), income=D("0"), paid=D("0"), rate=D("0.8")
    )
    assert figures.final_support == D("266.66")


@given(awarded=cents, accepted=cents, income=cents, paid=cents)
def test_property_paid_and_recovered_reconcile_with_the_final_support(
    awarded, accepted, income, paid
):
    figures = rules.settle(
        awarded=awarded, accepted_cost=accepted, income=income, paid=paid, rate=D("0.8")
    )
    assert D("0") <= figures.final_support <= awarded
    assert paid + figures.to_pay - figures.recovery == figures.final_support
    assert figures.to_pay == 0 or figures.recovery == 0
    assert figures.final_support == figures.final_support.quantize(D("0.01"))


@given(awarded=cents.filter(lambda a: a > 0))
def test_property_the_tranches_sum_exactly_to_the_award(awarded):
    t1, t2, t3 = rules.tranche_schedule(awarded, D("0.40"), D("0.30"))
    assert t1 + t2 + t3 == awarded and min(t1, t2, t3) >= 0


def test_r_stop_repayment_within_what_was_paid():
    assert rules.stop_repayment_error(D("100"), D("50"))
    assert rules.stop_repayment_error(D("-1"), D("50"))
    assert rules.stop_repayment_error(D("50"), D("50")) is None


def test_four_eyes():
    assert rules.four_eyes_error(7, 7)
    assert rules.four_eyes_error(7, 8) is None
