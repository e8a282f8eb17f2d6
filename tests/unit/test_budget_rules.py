"""The cost model's rules (SPEC.md §4, §9): R-RATE, R-MAX, R-OWN, R-BAL, R-ROLE as properties.

Pure: no database. Amounts are Decimal euros with cents, never float.
"""

from decimal import Decimal
from types import SimpleNamespace

from hypothesis import assume, example, given
from hypothesis import strategies as st

from applications import rules
from applications.services.budget import budget_overview, max_project_year

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

cents = st.integers(min_value=0, max_value=10**12).map(lambda c: Decimal(c) / 100)
small_cents = st.integers(min_value=0, max_value=5 * 10**8).map(lambda c: Decimal(c) / 100)
# a share with four decimals, as the call stores it (0.8000); never 0
rates = st.integers(min_value=1, max_value=10_000).map(lambda b: Decimal(b) / 10_000)
# any Decimal, also with more decimals than a cent (an exact product of rate × cost)
exact = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=6, allow_nan=False
)


def budget(total, requested, own=ZERO, income=ZERO, other=ZERO, cap=None, rate=None):
    return rules.Budget(
        total_cost=total,
        requested=requested,
        own_contribution=own,
        income=income,
        other_financing=other,
        cap=Decimal("2000000.00") if cap is None else cap,
        rate=Decimal("0.8000") if rate is None else rate,
    )


def by_rule(checks, rule):
    return [c for c in checks if c.rule == rule]


# --- §9 rounding -------------------------------------------------------------------------------


@given(exact)
@example(Decimal("0.009"))
@example(Decimal("-0.001"))
def test_floor_cent_never_rounds_up_and_loses_less_than_a_cent(amount):
    result = rules.floor_cent(amount)
    assert result <= amount
    assert amount - result < CENT
    assert result == result.quantize(CENT)


@given(cents, cents, cents, rates)
def test_max_support_never_exceeds_any_cap(total, income, cap, rate):
    """R-MAX, R-RATE: min(cap, floor_cent(rate × total), total − income), never negative."""
    result = rules.max_support(total, income, cap, rate)
    assert result >= ZERO
    assert result <= cap
    assert result <= rate * total  # the exact 80%, not a rounded one
    assert result <= max(ZERO, total - income)
    assert result == result.quantize(CENT)


@given(cents, cents, cents, rates)
def test_max_support_is_the_lowest_cap_so_nobody_loses_more_than_a_cent(total, income, cap, rate):
    """The rounding is never in the applicant's favour, and never costs them a cent or more."""
    result = rules.max_support(total, income, cap, rate)
    exact_lowest = max(ZERO, min(cap, rate * total, total - income))
    assert result <= exact_lowest
    assert exact_lowest - result < CENT


@given(
    total=st.integers(min_value=1, max_value=10**10).map(lambda c: Decimal(c) / 100),
    rate=rates,
)
def test_the_rate_cap_is_floored_to_the_cent(total, rate):
    result = rules.max_support(total, ZERO, Decimal("1e13"), rate)
    assert result == rules.floor_cent(rate * total)


def test_the_manual_s_example_rounds_down():
    # 80% of € 1.234,57 is € 987,656: the cap is € 987,65, not € 987,66
    assert rules.max_support(Decimal("1234.57"), ZERO, Decimal("2000000"), Decimal("0.8")) == (
        Decimal("987.65")
    )


# --- budget_checks -----------------------------------------------------------------------------


@given(cents, cents, cents, cents, cents, rates)
def test_r_bal_is_met_exactly_when_the_financing_equals_the_total_cost(
    total, requested, own, income, other, rate
):
    checks = rules.budget_checks(budget(total, requested, own, income, other, rate=rate))
    (balance,) = by_rule(checks, "R-BAL")
    financing = requested + own + income + other
    assert balance.ok == (financing == total and total > ZERO)


@given(
    total=st.integers(min_value=1, max_value=10**11).map(lambda c: Decimal(c) / 100),
    requested=cents,
    income=cents,
    rate=rates,
)
def test_r_bal_balanced_budgets_are_met(total, requested, income, rate):
    assume(requested + income <= total)
    own = total - requested - income
    (balance,) = by_rule(
        rules.budget_checks(budget(total, requested, own, income, rate=rate)), "R-BAL"
    )
    assert balance.ok


@given(cents, cents, cents, cents, rates)
def test_the_support_checks_pass_exactly_when_the_request_is_within_the_maximum(
    total, requested, income, cap, rate
):
    b = budget(total, requested, income=income, cap=cap, rate=rate)
    checks = rules.budget_checks(b)
    support_checks = by_rule(checks, "R-RATE") + by_rule(checks, "R-MAX")
    assert len(support_checks) == 3
    within = requested <= min(cap, rules.floor_cent(rate * total), total - income)
    assert all(c.ok for c in support_checks) == within
    if within:
        assert requested <= rules.max_support(total, income, cap, rate)


@given(cents, cents, rates)
def test_r_own_is_the_complement_of_the_floored_rate(total, own, rate):
    (check,) = by_rule(rules.budget_checks(budget(total, ZERO, own, rate=rate)), "R-OWN")
    assert check.ok == (own >= total - rules.floor_cent(rate * total))


def test_the_messages_carry_the_figures_in_belgian_notation():
    checks = rules.budget_checks(
        budget(Decimal("2000000.00"), Decimal("1650000.00"), own=Decimal("350000.00"))
    )
    rate_check = by_rule(checks, "R-RATE")[0]
    assert not rate_check.ok
    assert "€ 1.650.000,00" in rate_check.message
    assert "€ 1.600.000,00" in rate_check.message
    assert "80%" in rate_check.message


@given(st.lists(st.tuples(st.sampled_from(["deelnemer", "volger"]), small_cents), max_size=6))
def test_r_role_warns_about_participants_above_the_coordinator_and_followers_above_the_cap(
    others,
):
    coordinator = Decimal("100000.00")
    cap = Decimal("50000.00")
    budgets = [("Lead", "coordinator", coordinator)] + [
        (f"P{i}", role, amount) for i, (role, amount) in enumerate(others)
    ]
    warnings = rules.role_budget_warnings(budgets, cap)
    expected = sum(
        1
        for role, amount in others
        if (role == "deelnemer" and amount > coordinator) or (role == "volger" and amount > cap)
    )
    assert len(warnings) == expected
    assert all(w.warning and w.rule == "R-ROLE" for w in warnings)


# --- the overview the page and the live check show ---------------------------------------------


def test_max_project_year_rounds_the_duration_up_to_whole_years():
    assert [max_project_year(m) for m in (None, 0, 1, 12, 13, 36, 37, 200)] == [
        10,
        10,
        1,
        1,
        2,
        3,
        4,
        10,
    ]


class Related(list):
    def all(self):
        return self


def fake_application(partner_lines, requested=None, duration=36):
    """An application as the prefetch leaves it, without a database."""
    call = SimpleNamespace(
        max_support_per_project=Decimal("2000000.00"),
        max_support_rate=Decimal("0.8000"),
        follower_budget_cap=Decimal("50000.00"),
    )
    partners, lines = Related(), Related()
    for pk, (role, amounts) in enumerate(partner_lines, start=1):
        organisation = SimpleNamespace(name=f"Gemeente {pk}")
        partner = SimpleNamespace(
            pk=pk, role=role, organisation=organisation, get_role_display=lambda r=role: r
        )
        partners.append(partner)
        for i, (category, amount) in enumerate(amounts):
            lines.append(
                SimpleNamespace(
                    pk=pk * 1000 + i,
                    partner_id=pk,
                    partner=partner,
                    category=category,
                    year=1 + i % 4,
                    amount=amount,
                )
            )
    return SimpleNamespace(
        call=call,
        partners=partners,
        cost_lines=lines,
        duration_months=duration,
        requested_support=requested,
        own_contribution=ZERO,
        project_income=ZERO,
        other_financing=ZERO,
    )


categories = st.sampled_from(["personnel", "external", "investment", "other"])


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["coordinator", "deelnemer", "volger"]),
            st.lists(st.tuples(categories, small_cents), max_size=5),
        ),
        min_size=1,
        max_size=5,
    ),
    st.one_of(st.none(), small_cents),
    small_cents,
)
def test_the_overview_adds_up_per_partner_per_category_and_in_total(partners, requested, typed):
    application = fake_application(partners, requested)
    overview = budget_overview(application)
    everything = sum((a for _role, amounts in partners for _c, a in amounts), ZERO)
    assert overview.total_cost == everything
    assert sum((b.total for b in overview.partners), ZERO) == everything
    assert sum((t for _v, _l, t in overview.category_totals), ZERO) == everything
    for block in overview.partners:
        assert block.total == sum((c.total for c in block.categories), ZERO)
    assert overview.max_support == rules.max_support(
        everything, ZERO, Decimal("2000000.00"), Decimal("0.8000")
    )
    missing = [c for c in overview.checks if c.anchor == "id_requested_support"]
    assert bool(missing) == (requested is None)
    # a line being typed counts in the totals, not in the table
    live = budget_overview(application, pending=(1, typed))
    assert live.total_cost == everything + typed
    assert sum((b.total for b in live.partners), ZERO) == everything


def test_a_line_after_the_project_period_is_an_issue():
    application = fake_application([("coordinator", [("personnel", Decimal("10.00"))] * 4)])
    application.duration_months = 24  # years 1 and 2; the fake lines run to year 4
    overview = budget_overview(application)
    late = [c for c in overview.issues if "year" in c.message or "jaar" in c.message]
    assert len(late) == 2
