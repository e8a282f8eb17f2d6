"""The jury's pure rules for ideas (scoring/rules.py): R-SL, R-SL-GATE, R-JURY."""

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from scoring import rules

D = Decimal
MAXIMA_2025 = [20, 20, 20, 20, 10, 10]
STEP = D("0.5")


@pytest.fixture(autouse=True)
def _dutch():
    with translation.override("nl"):
        yield


def test_the_six_criteria_of_the_manual_in_order_with_the_2025_maxima():
    assert rules.CRITERION_NUMBERS == (1, 2, 3, 4, 5, 6)
    maxima = rules.criterion_maxima(MAXIMA_2025)
    assert maxima == {1: D(20), 2: D(20), 3: D(20), 4: D(20), 5: D(10), 6: D(10)}
    assert rules.total_points(maxima) == D(100)
    with translation.override("en"):
        assert "digitisation" in str(rules.SHORTLIST_CRITERIA[0].label)


@pytest.mark.parametrize(
    "configured", [[20, 20, 20], [20, 20, 20, 20, 10, 10, 5], [20, 20, 20, 20, 10, 0]]
)
def test_a_call_with_the_wrong_maxima_is_refused(configured):
    with pytest.raises(ValueError):
        rules.criterion_maxima(configured)


@pytest.mark.parametrize("points", ["0", "0.5", "12.5", "20", "19.5"])
def test_valid_points_lie_between_0_and_the_maximum_in_steps(points):
    assert rules.points_error(D(points), D(20), STEP) is None


def test_no_points_yet_is_valid_for_a_draft():
    assert rules.points_error(None, D(20), STEP) is None


@pytest.mark.parametrize("points", ["-0.5", "20.5", "25", "100"])
def test_points_outside_the_range_name_the_maximum(points):
    message = rules.points_error(D(points), D(20), STEP)
    assert message is not None and "20" in message


@pytest.mark.parametrize("points", ["12.3", "0.25", "7.75"])
def test_points_off_the_step_are_refused_with_the_step_and_maximum(points):
    message = rules.points_error(D(points), D(20), STEP)
    assert message is not None
    assert "0,5" in message and "20" in message


def test_a_step_of_one_refuses_halves():
    assert rules.points_error(D("3.5"), D(10), D(1)) is not None
    assert rules.points_error(D("3"), D(10), D(1)) is None


def test_consensus_may_be_a_mean_off_the_step_but_not_out_of_range():
    assert rules.consensus_points_error(D("12.3"), D(20)) is None
    assert rules.consensus_points_error(D("12.35"), D(20)) is not None
    assert "20" in rules.consensus_points_error(D("21"), D(20))
    assert rules.consensus_points_error(None, D(20)) is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,5", D("12.5")),
        ("12.5", D("12.5")),
        (" 7 ", D("7")),
        ("", None),
        ("  ", None),
        ("0,5", D("0.5")),
    ],
)
def test_points_are_typed_with_a_decimal_comma(text, expected):
    assert rules.parse_points(text) == expected


@pytest.mark.parametrize("text", ["twaalf", "1.234,5", "12,5,0", "NaN", "inf", "1e3x"])
def test_anything_else_is_not_a_number(text):
    with pytest.raises(ValueError):
        rules.parse_points(text)


def test_points_are_shown_the_belgian_way():
    assert rules.format_points(D("12.5")) == "12,5"
    assert rules.format_points(D("20.0")) == "20"
    assert rules.format_points(D("0.50")) == "0,5"
    with translation.override("en"):  # the English interface keeps Belgian formats
        assert rules.format_points(D("12.5")) == "12,5"


def test_the_mean_is_rounded_half_up_to_one_decimal():
    assert rules.mean_points([D("12"), D("12.5")]) == D("12.3")  # 12,25 → 12,3
    assert rules.mean_points([D("10"), D("10"), D("10.5")]) == D("10.2")  # 10,1666…
    assert rules.mean_points([D("0.5"), D("0")]) == D("0.3")  # 0,25 → 0,3
    assert rules.mean_points([]) is None


def test_means_per_criterion_ignore_missing_points():
    sheets = [
        {1: D("10"), 2: D("20"), 3: None},
        {1: D("15"), 2: D("19.5")},
    ]
    means = rules.criterion_means(sheets)
    assert means[1] == D("12.5")
    assert means[2] == D("19.8")  # 19,75 → 19,8
    assert means[3] is None and means[6] is None


def test_totals_and_complete_totals():
    complete = {1: D("10"), 2: D("10"), 3: D("10"), 4: D("10"), 5: D("5"), 6: D("5.5")}
    assert rules.total_points(complete) == D("50.5")
    assert rules.total_or_none(complete) == D("50.5")
    partial = {**complete, 6: None}
    assert rules.total_points(partial) == D("45")
    assert rules.total_or_none(partial) is None
    assert rules.missing_criteria(partial) == [6]
    assert rules.missing_criteria({}) == [1, 2, 3, 4, 5, 6]


def test_a_large_spread_is_flagged_above_the_share_of_the_maximum():
    assert rules.spread_is_large([D("4"), D("12")], D(20), D("0.30")) is True  # 8 > 6
    assert rules.spread_is_large([D("6"), D("12")], D(20), D("0.30")) is False  # 6 is not above 6
    assert rules.spread_is_large([D("0")], D(20), D("0.30")) is False


def test_membership_of_the_idea_organisation_or_a_partner_is_a_conflict():
    assert rules.is_automatically_conflicted({1}, 1, [2, 3]) is True
    assert rules.is_automatically_conflicted({3}, 1, [2, 3]) is True
    assert rules.is_automatically_conflicted({4}, 1, [2, 3]) is False
    assert rules.is_automatically_conflicted(set(), 1, [2, 3]) is False


def test_the_shortlist_waits_for_a_decision_on_every_idea():
    assert rules.undecided({"IDEE-2": None, "IDEE-1": True, "IDEE-3": False, "IDEE-0": None}) == [
        "IDEE-0",
        "IDEE-2",
    ]
    assert rules.undecided({"IDEE-1": True, "IDEE-2": False}) == []


# --- Properties ------------------------------------------------------------------------------


@st.composite
def criterion_scores(draw, maximum=20, step=STEP):
    """Valid points for one criterion: multiples of the step between 0 and the maximum."""
    steps = int(D(maximum) / step)
    return [step * draw(st.integers(0, steps)) for _ in range(draw(st.integers(1, 12)))]


@given(criterion_scores())
def test_the_mean_lies_between_the_lowest_and_the_highest_score(scores):
    mean = rules.mean_points(scores)
    assert min(scores) <= mean <= max(scores)
    assert mean == mean.quantize(D("0.1"))


@given(st.lists(st.integers(0, 200), min_size=1, max_size=10))
def test_the_mean_of_one_decimal_scores_stays_within_their_range(tenths):
    scores = [D(t) / 10 for t in tenths]
    mean = rules.mean_points(scores)
    assert min(scores) <= mean <= max(scores)


@given(
    st.lists(st.integers(1, 40), min_size=6, max_size=6),
    st.data(),
)
def test_a_total_of_valid_points_never_exceeds_the_sum_of_maxima(maxima_list, data):
    maxima = rules.criterion_maxima(maxima_list)
    points = {}
    for n, maximum in maxima.items():
        value = STEP * data.draw(st.integers(0, int(maximum / STEP)))
        assert rules.points_error(value, maximum, STEP) is None
        points[n] = value
    assert D(0) <= rules.total_points(points) <= rules.total_points(maxima)
    means = rules.criterion_means([points, points])
    assert rules.total_or_none(means) <= rules.total_points(maxima)


@given(st.decimals(min_value=-50, max_value=50, places=2))
def test_points_the_rule_accepts_are_in_range_and_on_the_step(value):
    if rules.points_error(value, D(20), STEP) is None:
        assert D(0) <= value <= D(20)
        assert value % STEP == 0


@given(st.integers(0, 40).map(lambda n: STEP * n))
def test_typed_points_survive_formatting_and_parsing(value):
    assert rules.parse_points(rules.format_points(value)) == value
