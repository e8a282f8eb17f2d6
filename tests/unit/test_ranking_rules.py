"""The jury's pure rules for full applications (scoring/ranking.py): R-SCORE, R-THRESH, R-RANK,
R-DOUBT, the envelope walk, R-CUT (re-checked against R-RATE/R-MAX) and the tranche schedule."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from applications.rules import floor_cent
from scoring import ranking

D = Decimal
MAXIMA = {"A": D(30), "B": D(40), "C": D(30)}
STEP = D("0.5")
T0 = datetime(2025, 11, 14, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _dutch():
    with translation.override("nl"):
        yield


def candidate(
    id,
    a="20",
    b="30",
    c="20",
    *,
    minutes=0,
    doubtful=False,
    eligible=True,
    awarded="1000000",
):
    a, b, c = D(a), D(b), D(c)
    return ranking.Candidate(
        id=id,
        total=a + b + c,
        section_a=a,
        section_b=b,
        section_c=c,
        submitted_at=T0 + timedelta(minutes=minutes),
        doubtful=doubtful,
        eligible=eligible,
        awarded=D(awarded),
    )


def ids(candidates):
    return [c.id for c in candidates]


# --- R-SCORE ---------------------------------------------------------------------------------


def test_r_score_ten_subcriteria_in_three_sections_of_the_manual():
    assert ranking.SUBCRITERION_CODES == (
        "A1", "A2", "A3", "B1", "B2", "B3", "B4", "C1", "C2", "C3",
    )  # fmt: skip
    assert {s.section for s in ranking.SUBCRITERIA} == {"A", "B", "C"}
    with translation.override("en"):
        assert "Price" in str(ranking.SUBCRITERIA[6].label)
        assert str(ranking.SECTION_LABELS["B"]) == "Quality"


def test_r_score_default_maxima_give_ten_points_per_subcriterion():
    maxima = ranking.subcriterion_maxima(MAXIMA)
    assert set(maxima.values()) == {D(10)}
    assert ranking.total(maxima) == D(100)
    assert ranking.section_totals(maxima) == MAXIMA


def test_r_score_section_totals_and_total_ignore_missing_points():
    points = {"A1": D("7.5"), "A2": D("8"), "B1": D("10"), "B4": None, "C3": D("0.5")}
    assert ranking.section_totals(points) == {"A": D("15.5"), "B": D("10"), "C": D("0.5")}
    assert ranking.total(points) == D("26")
    assert ranking.section_totals({}) == {"A": D(0), "B": D(0), "C": D(0)}


def test_r_score_an_unknown_subcriterion_is_a_programming_error():
    with pytest.raises(ValueError):
        ranking.section_totals({"D1": D(5)})


@pytest.mark.parametrize("value", ["0", "0.5", "7.5", "10"])
def test_r_score_valid_points_on_the_step_between_0_and_10(value):
    assert ranking.valid_points(D(value), D(10), STEP) is None


@pytest.mark.parametrize("value", ["-0.5", "10.5", "7.3", "7.25"])
def test_r_score_invalid_points_name_the_maximum(value):
    message = ranking.valid_points(D(value), D(10), STEP)
    assert message is not None and "10" in message


def test_r_score_consensus_is_the_mean_half_up_to_one_decimal():
    assert ranking.consensus([D("7"), D("7.5")]) == D("7.3")  # 7,25 → 7,3
    assert ranking.consensus([D("6"), D("6"), D("6.5")]) == D("6.2")  # 6,1666…
    assert ranking.consensus([D("8")]) == D("8")
    assert ranking.consensus([]) is None


def test_r_score_spread_flag_only_strictly_above_the_share_of_the_maximum():
    assert ranking.spread_flag([D("3"), D("6.5")], D(10), D("0.30")) is True  # 3,5 > 3
    assert ranking.spread_flag([D("3"), D("6")], D(10), D("0.30")) is False  # 3 is not above 3
    assert ranking.spread_flag([D("0")], D(10), D("0.30")) is False
    assert ranking.spread_flag([], D(10), D("0.30")) is False


# --- R-THRESH --------------------------------------------------------------------------------


def test_r_thresh_exactly_half_of_every_section_and_60_percent_in_total_passes():
    result = ranking.eligibility({"A": D(15), "B": D(20), "C": D(25)}, MAXIMA, D("0.50"), D("0.60"))
    assert result.eligible is True and result.failed == []


def test_r_thresh_49_5_percent_of_a_section_fails_with_its_figures():
    # 19,8 of 40 is 49,5%: one tenth under the threshold of 20, said in Dutch with the figures.
    with translation.override("nl"):
        result = ranking.eligibility(
            {"A": D(30), "B": D("19.8"), "C": D(30)}, MAXIMA, D("0.50"), D("0.60")
        )
    assert result.eligible is False
    assert result.failed == ["Onderdeel B: 19,8 van 40 punten, minder dan 50% (20,0)."]


def test_r_thresh_the_message_in_english_carries_the_figures():
    with translation.override("en"):
        result = ranking.eligibility(
            {"A": D(15), "B": D(18), "C": D(15)}, MAXIMA, D("0.50"), D("0.60")
        )
    assert result.failed == [
        "Section B: 18,0 of 40 points, less than 50% (20,0).",
        "Total: 48,0 of 100 points, less than 60% (60,0).",
    ]


def test_r_thresh_every_section_passes_but_the_total_does_not():
    result = ranking.eligibility(
        {"A": D(15), "B": D(20), "C": D("24.9")}, MAXIMA, D("0.50"), D("0.60")
    )
    assert result.eligible is False
    assert len(result.failed) == 1 and "59,9" in result.failed[0] and "60,0" in result.failed[0]


def test_r_thresh_a_threshold_with_two_decimals_is_shown_unrounded():
    with translation.override("en"):
        result = ranking.eligibility(
            {"A": D("6.5"), "B": D(40), "C": D(30)},
            {"A": D(15), "B": D(40), "C": D(30)},
            D("0.45"),
            D("0.60"),
        )
    assert result.failed == ["Section A: 6,5 of 15 points, less than 45% (6,75)."]


def test_r_thresh_configured_maxima_and_shares_are_used():
    maxima = {"A": D(20), "B": D(50), "C": D(30)}
    assert ranking.eligibility({"A": D(8), "B": D(45), "C": D(30)}, maxima, D("0.40"), D("0.80"))
    result = ranking.eligibility({"A": D(8), "B": D(45), "C": D(26)}, maxima, D("0.40"), D("0.80"))
    assert result.eligible is False  # 79 of 100 < 80


# --- R-RANK, tie-breaks, R-DOUBT -------------------------------------------------------------


def test_r_rank_descending_total():
    ranked = ranking.rank([candidate(1, "15"), candidate(2, "25"), candidate(3, "20")])
    assert ids(ranked) == [2, 3, 1]


def test_r_rank_ties_go_to_section_b_then_a_then_c_then_earlier_submission():
    # All totals are 70.
    by_b = candidate("B", a="15", b="35", c="20", minutes=9)
    by_a = candidate("A", a="25", b="30", c="15", minutes=9)
    by_c = candidate("C", a="20", b="30", c="20", minutes=9)
    early = candidate("early", a="19", b="30", c="21", minutes=1)
    late = candidate("late", a="19", b="30", c="21", minutes=2)
    ranked = ranking.rank([late, early, by_c, by_a, by_b])
    assert ids(ranked) == ["B", "A", "C", "early", "late"]


def test_r_rank_section_b_decides_before_a_even_when_a_differs_more():
    higher_b = candidate(1, a="10", b="40", c="20")
    higher_a = candidate(2, a="30", b="39.5", c="0.5")
    assert ids(ranking.rank([higher_a, higher_b])) == [1, 2]


def test_r_doubt_doubtful_projects_go_to_the_bottom_whatever_their_score():
    best_doubtful = candidate("d1", "30", "40", "30", doubtful=True)
    worse_doubtful = candidate("d2", "25", "40", "30", doubtful=True)
    plain = [candidate(1, "15", "20", "15"), candidate(2, "20", "25", "20")]
    ranked = ranking.rank([worse_doubtful, best_doubtful, *plain])
    assert ids(ranked) == [2, 1, "d1", "d2"]


def test_r_rank_ineligible_projects_keep_their_place_by_score():
    ranked = ranking.rank([candidate(1, "10", "40", "30", eligible=False), candidate(2)])
    assert ids(ranked) == [1, 2]


# --- The envelope walk -----------------------------------------------------------------------


def test_envelope_one_funded_one_reserve_one_not_eligible():
    ranked = ranking.rank(
        [
            candidate("first", "28", awarded="2000000"),
            candidate("too-low", "14", "30", "28", eligible=False, awarded="500000"),
            candidate("second", "20", awarded="1500000"),
        ]
    )
    outcomes = ranking.walk_envelope(ranked, D("3000000"))
    assert [(o.id, o.outcome, o.rank, o.reserve_position) for o in outcomes] == [
        ("first", "funded", 1, None),
        ("too-low", "not_eligible", 2, None),
        ("second", "reserve", 3, 1),
    ]
    assert [o.remaining for o in outcomes] == [D("1000000"), D("1000000"), D("1000000")]


def test_envelope_a_project_that_fits_exactly_is_funded():
    outcomes = ranking.walk_envelope(
        [candidate(1, awarded="3000000"), candidate(2, awarded="2000000")], D("5000000")
    )
    assert [o.outcome for o in outcomes] == ["funded", "funded"]
    assert outcomes[-1].remaining == D(0)


def test_envelope_position_no_skipping_ahead_to_a_smaller_project():
    # After the first project, € 1.000.000 remains: the second (€ 1.500.000) does not fit, and
    # the third (€ 400.000) would, but goes on the reserve list behind the second.
    ranked = [
        candidate(1, "29", awarded="2000000"),
        candidate(2, "28", awarded="1500000"),
        candidate(3, "27", awarded="400000"),
        candidate(4, "26", eligible=False, awarded="100000"),
        candidate(5, "25", awarded="100000"),
    ]
    outcomes = ranking.walk_envelope(ranked, D("3000000"))
    assert [(o.outcome, o.reserve_position) for o in outcomes] == [
        ("funded", None),
        ("reserve", 1),
        ("reserve", 2),
        ("not_eligible", None),
        ("reserve", 3),
    ]
    assert outcomes[-1].remaining == D("1000000")


def test_envelope_an_ineligible_project_takes_no_money_and_does_not_start_the_reserve():
    ranked = [
        candidate(1, eligible=False, awarded="9000000"),
        candidate(2, awarded="1000000"),
    ]
    outcomes = ranking.walk_envelope(ranked, D("1000000"))
    assert [o.outcome for o in outcomes] == ["not_eligible", "funded"]


def test_envelope_doubtful_projects_are_funded_only_from_what_the_others_leave():
    ranked = ranking.rank(
        [candidate("doubt", "30", "40", "30", doubtful=True), candidate("plain", awarded="600000")]
    )
    outcomes = ranking.walk_envelope(ranked, D("1500000"))
    assert [(o.id, o.outcome) for o in outcomes] == [("plain", "funded"), ("doubt", "reserve")]


def test_envelope_refuses_negative_amounts():
    with pytest.raises(ValueError):
        ranking.walk_envelope([], D("-1"))
    with pytest.raises(ValueError):
        ranking.walk_envelope([candidate(1, awarded="-0.01")], D(10))


# --- R-CUT -----------------------------------------------------------------------------------


def test_r_cut_nothing_struck_gives_the_request_within_the_caps():
    awarded, checks = ranking.cut_award(D("1000000"), D("0"), D("800000"), D("2000000"), D("0.80"))
    assert awarded == D("800000")
    assert all(c.ok for c in checks)
    assert [c.rule for c in checks] == ["R-RATE", "R-RATE", "R-MAX", "R-CUT"]


def test_r_cut_striking_a_work_package_lowers_the_award_to_80_percent_of_the_rest():
    # € 1.000.000 total, € 800.000 asked; € 250.000 struck: 80% of € 750.000 = € 600.000.
    awarded, checks = ranking.cut_award(
        D("1000000"), D("0"), D("800000"), D("2000000"), D("0.80"), struck_costs=D("250000")
    )
    assert awarded == D("600000.00")
    rate = [c for c in checks if c.rule == "R-RATE"][0]
    assert rate.ok is False and rate.warning is True
    assert "€ 750.000,00" in rate.message and "€ 600.000,00" in rate.message
    assert "€ 250.000,00" in checks[0].message


def test_r_cut_a_reduction_comes_off_the_request():
    awarded, checks = ranking.cut_award(
        D("1000000"), D("0"), D("800000"), D("2000000"), D("0.80"), reduction=D("100000")
    )
    assert awarded == D("700000")
    assert all(c.ok for c in checks)
    assert "€ 100.000,00" in checks[0].message


def test_r_cut_income_and_the_per_project_maximum_still_apply():
    awarded, _ = ranking.cut_award(
        D("1000000"), D("300000"), D("800000"), D("2000000"), D("0.80"), struck_costs=D("100000")
    )
    assert awarded == D("600000")  # 900.000 − 300.000 income
    awarded, checks = ranking.cut_award(
        D("4000000"), D("0"), D("3200000"), D("2000000"), D("0.80"), reduction=D("200000")
    )
    assert awarded == D("2000000")
    assert [c.ok for c in checks if c.rule == "R-MAX"] == [False]


def test_r_cut_the_rate_cap_is_rounded_down_to_the_cent():
    awarded, _ = ranking.cut_award(
        D("1000.01"), D("0"), D("900"), D("2000000"), D("0.80"), struck_costs=D("0.02")
    )
    assert awarded == D("799.99")  # 80% of 999,99 = 799,992


def test_r_cut_overshooting_cuts_are_errors_and_award_nothing():
    awarded, checks = ranking.cut_award(
        D("1000"), D("0"), D("800"), D("2000"), D("0.80"), struck_costs=D("1200")
    )
    assert awarded == D(0)
    assert checks[0].ok is False and checks[0].warning is False
    awarded, checks = ranking.cut_award(
        D("1000"), D("0"), D("800"), D("2000"), D("0.80"), reduction=D("900")
    )
    assert awarded == D(0)
    assert checks[0].ok is False


def test_r_cut_negative_cuts_are_a_programming_error():
    with pytest.raises(ValueError):
        ranking.cut_award(D("1000"), D("0"), D("800"), D("2000"), D("0.80"), reduction=D("-1"))


# --- R-TR: the tranche schedule --------------------------------------------------------------


def test_r_tr_the_2025_schedule_40_30_30():
    assert ranking.tranche_schedule(D("1000000.00"), D("0.40"), D("0.30")) == (
        D("400000.00"),
        D("300000.00"),
        D("300000.00"),
    )


def test_r_tr_rounding_half_up_and_the_balance_in_tranche_3():
    # 40% of 1.234,57 = 493,828 → 493,83; 30% = 370,371 → 370,37; rest 370,37.
    assert ranking.tranche_schedule(D("1234.57"), D("0.40"), D("0.30")) == (
        D("493.83"),
        D("370.37"),
        D("370.37"),
    )
    # 40% of 0,05 = 0,02; 30% = 0,015 → 0,02; rest 0,01.
    assert ranking.tranche_schedule(D("0.05"), D("0.40"), D("0.30")) == (
        D("0.02"),
        D("0.02"),
        D("0.01"),
    )


@pytest.mark.parametrize(
    ("awarded", "share1", "share2"),
    [("-0.01", "0.4", "0.3"), ("10.001", "0.4", "0.3"), ("10", "0.5", "0.5"), ("10", "0", "0.3")],
)
def test_r_tr_refuses_what_a_call_cannot_hold(awarded, share1, share2):
    with pytest.raises(ValueError):
        ranking.tranche_schedule(D(awarded), D(share1), D(share2))


# --- Properties ------------------------------------------------------------------------------

cents = st.integers(0, 300_000_000).map(lambda n: D(n) / 100)
half_points = st.integers(0, 20).map(lambda n: STEP * n)  # 0 to 10 in steps of 0.5


@st.composite
def candidates(draw, min_size=0, max_size=12):
    result = []
    for number in range(draw(st.integers(min_size, max_size))):
        a = STEP * draw(st.integers(0, 60))
        b = STEP * draw(st.integers(0, 80))
        c = STEP * draw(st.integers(0, 60))
        result.append(
            ranking.Candidate(
                id=number,
                total=a + b + c,
                section_a=a,
                section_b=b,
                section_c=c,
                submitted_at=T0 + timedelta(minutes=draw(st.integers(0, 5))),
                doubtful=draw(st.booleans()),
                eligible=draw(st.booleans()),
                awarded=draw(cents),
            )
        )
    return result


@given(candidates(), cents)
def test_property_funded_awards_never_exceed_the_envelope(pool, envelope):
    outcomes = ranking.walk_envelope(ranking.rank(pool), envelope)
    funded = sum((o.candidate.awarded for o in outcomes if o.outcome == "funded"), D(0))
    assert funded <= envelope
    assert all(o.remaining >= 0 for o in outcomes)
    if outcomes:
        assert outcomes[-1].remaining == envelope - funded


@given(candidates(), cents)
def test_property_an_ineligible_project_is_never_funded(pool, envelope):
    for o in ranking.walk_envelope(ranking.rank(pool), envelope):
        assert (o.outcome == "not_eligible") == (not o.candidate.eligible)


@given(candidates(), cents)
def test_property_no_eligible_project_is_funded_after_the_first_reserve(pool, envelope):
    outcomes = ranking.walk_envelope(ranking.rank(pool), envelope)
    eligible = [o.outcome for o in outcomes if o.outcome != "not_eligible"]
    assert eligible == sorted(eligible)  # "funded" < "reserve": funded first, then reserve only
    reserve = [o.reserve_position for o in outcomes if o.outcome == "reserve"]
    assert reserve == list(range(1, len(reserve) + 1))
    assert [o.rank for o in outcomes] == list(range(1, len(outcomes) + 1))


@given(candidates(min_size=1))
def test_property_doubtful_projects_are_always_below_the_others(pool):
    ranked = ranking.rank(pool)
    flags = [c.doubtful for c in ranked]
    assert flags == sorted(flags)


@given(
    candidates(min_size=1),
    st.data(),
    st.sampled_from(["section_a", "section_b", "section_c"]),
    st.integers(0, 40).map(lambda n: STEP * n),
)
def test_property_raising_a_score_never_pushes_a_project_down(pool, data, section, raise_by):
    index = data.draw(st.integers(0, len(pool) - 1))
    before = ids(ranking.rank(pool)).index(index)
    old = pool[index]
    raised = ranking.Candidate(
        **{
            **old.__dict__,
            section: getattr(old, section) + raise_by,
            "total": old.total + raise_by,
        }
    )
    after = ids(ranking.rank([*pool[:index], raised, *pool[index + 1 :]])).index(index)
    assert after <= before


@given(st.lists(half_points, min_size=1, max_size=9))
def test_property_consensus_lies_between_the_lowest_and_highest_member(scores):
    result = ranking.consensus(scores)
    assert min(scores) <= result <= max(scores)
    assert result == result.quantize(D("0.1"))


@given(st.lists(st.integers(0, 100).map(lambda n: D(n) / 10), min_size=1, max_size=9))
def test_property_consensus_of_one_decimal_scores_stays_within_their_range(scores):
    result = ranking.consensus(scores)
    assert min(scores) <= result <= max(scores)


@given(
    st.fixed_dictionaries({s: st.integers(0, 80).map(lambda n: STEP * n) for s in "ABC"}),
    st.sampled_from(["0.40", "0.50", "0.55"]).map(D),
    st.sampled_from(["0.50", "0.60", "0.75"]).map(D),
)
def test_property_eligibility_is_exactly_the_thresholds(totals, section_share, total_share):
    result = ranking.eligibility(totals, MAXIMA, section_share, total_share)
    expected = all(totals[s] >= section_share * MAXIMA[s] for s in "ABC") and sum(
        totals.values()
    ) >= total_share * sum(MAXIMA.values())
    assert result.eligible is expected
    assert (result.failed == []) is expected


@given(
    cents,
    cents,
    cents,
    st.integers(1, 200_000_000).map(lambda n: D(n) / 100),
    st.integers(1, 100).map(lambda n: D(n) / 100),
    cents,
    cents,
)
def test_property_cut_award_never_exceeds_a_cap_nor_the_request(
    total_cost, income, requested, cap, rate, struck, reduction
):
    awarded, checks = ranking.cut_award(
        total_cost, income, requested, cap, rate, struck_costs=struck, reduction=reduction
    )
    reduced = total_cost - struck
    assert D(0) <= awarded <= requested
    assert awarded <= max(D(0), requested - reduction)
    assert awarded <= cap
    assert awarded <= max(D(0), floor_cent(rate * reduced))
    assert awarded <= max(D(0), reduced - income)
    assert checks[-1].rule == "R-CUT" and checks[-1].ok


@given(
    cents,
    st.integers(1, 9998).map(lambda n: D(n) / 10000),
    st.data(),
)
def test_property_tranches_sum_to_the_award_and_are_never_negative(awarded, share1, data):
    share2 = data.draw(st.integers(1, 9999 - int(share1 * 10000)).map(lambda n: D(n) / 10000))
    first, second, third = ranking.tranche_schedule(awarded, share1, share2)
    assert first + second + third == awarded
    assert first >= 0 and second >= 0 and third >= 0


# --- R-EXTRA: motivated adjustments -------------------------------------------------------------


def test_r_extra_an_adjusted_project_lands_on_its_position_and_the_rest_keep_their_order():
    ranked = [candidate(i, b=str(40 - i)) for i in range(1, 6)]
    moved = ranking.apply_adjustments(ranked, {4: 1})
    assert ids(moved) == [4, 1, 2, 3, 5]
    assert ids(ranking.apply_adjustments(ranked, {2: 99})) == [1, 3, 4, 5, 2]
    assert ids(ranking.apply_adjustments(ranked, {"unknown": 1})) == [1, 2, 3, 4, 5]


@given(
    count=st.integers(min_value=1, max_value=8),
    moves=st.dictionaries(st.integers(0, 7), st.integers(1, 10), max_size=4),
)
def test_r_extra_adjustments_only_reorder_and_never_fund_the_ineligible(count, moves):
    ranked = [
        candidate(i, b=str(40 - i), eligible=i % 3 != 0, awarded="100000") for i in range(count)
    ]
    moved = ranking.apply_adjustments(ranked, moves)
    assert sorted(ids(moved)) == sorted(ids(ranked))
    outcomes = ranking.walk_envelope(moved, Decimal("250000"))
    assert all(o.outcome != ranking.FUNDED for o in outcomes if not o.candidate.eligible)
    assert sum(o.candidate.awarded for o in outcomes if o.outcome == ranking.FUNDED) <= Decimal(
        "250000"
    )
