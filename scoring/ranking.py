"""The jury's rules for full applications as pure functions on plain values (ARCHITECTURE.md §2).

Scoring (R-SCORE), thresholds (R-THRESH), ranking (R-RANK, R-DOUBT), the envelope walk (R-RANK
and the envelope position of SPEC.md §6), cuts (R-CUT, re-checked against R-RATE and R-MAX) and
the tranche schedule of the approval letter (R-TR, SPEC.md §9). Nothing here touches the
database: the services, forms and selectors pass plain values in.

R-EXTRA (portfolio diversity, non-centre municipalities) is a motivated adjustment by the call
manager and has no formula: a service that records one reorders the ranked list and passes that
list to `walk_envelope`, which walks whatever order it is given.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.rules import CENT, Check, floor_cent, max_support, round_half_up_cent
from scoring.rules import format_points, mean_points, points_error, spread_is_large

ZERO = Decimal("0")
ONE = Decimal("1")
ONE_DECIMAL = Decimal("0.1")

# --- R-SCORE: sections and sub-criteria -------------------------------------------------------

SECTIONS: tuple[str, ...] = ("A", "B", "C")
SECTION_LABELS = {
    "A": gettext_lazy("Fit with the call's objectives"),
    "B": gettext_lazy("Quality"),
    "C": gettext_lazy("Leverage"),
}


@dataclass(frozen=True)
class SubCriterion:
    code: str
    section: str
    label: str


# R-SCORE: the ten sub-criteria of the manual, in its order (SPEC.md §6).
SUBCRITERIA: tuple[SubCriterion, ...] = (
    SubCriterion("A1", "A", gettext_lazy("Needs and opportunities of local governments")),
    SubCriterion("A2", "A", gettext_lazy("Priority themes and quantified benefits")),
    SubCriterion("A3", "A", gettext_lazy("Quadruple-helix involvement, companies first")),
    SubCriterion("B1", "B", gettext_lazy("Relevance and feasibility of the work plan")),
    SubCriterion("B2", "B", gettext_lazy("External support and the provider's profile")),
    SubCriterion("B3", "B", gettext_lazy("Additionality to existing projects")),
    SubCriterion("B4", "B", gettext_lazy("Price versus potential value")),
    SubCriterion("C1", "C", gettext_lazy("Commitment to implement")),
    SubCriterion("C2", "C", gettext_lazy("Scalability to other cities and municipalities")),
    SubCriterion("C3", "C", gettext_lazy("Continuity after the project")),
)
SUBCRITERION_CODES: tuple[str, ...] = tuple(s.code for s in SUBCRITERIA)
SECTION_OF: dict[str, str] = {s.code: s.section for s in SUBCRITERIA}


def subcriterion_maxima(section_maxima: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """The maximum per sub-criterion code: the section's maximum shared evenly (R-SCORE).

    Position: every sub-criterion of a section weighs the same, so 30/40/30 gives 10 each. The
    division is exact; a section maximum that is not a multiple of (sub-criteria × step) leaves
    the section maximum out of reach, which the call's configuration should prevent.
    """
    counts = {section: 0 for section in SECTIONS}
    for s in SUBCRITERIA:
        counts[s.section] += 1
    return {s.code: Decimal(section_maxima[s.section]) / counts[s.section] for s in SUBCRITERIA}


def section_totals(points: Mapping[str, Decimal | None]) -> dict[str, Decimal]:
    """The sum per section A, B, C of the sub-criterion points given (R-SCORE).

    Sub-criteria without points count as nothing; an unknown code is a programming error.
    """
    unknown = set(points) - set(SUBCRITERION_CODES)
    if unknown:
        raise ValueError(f"Unknown sub-criteria: {', '.join(sorted(unknown))}.")
    totals = {section: ZERO for section in SECTIONS}
    for code, value in points.items():
        if value is not None:
            totals[SECTION_OF[code]] += value
    return totals


def total(points: Mapping[str, Decimal | None]) -> Decimal:
    """The total score: the sum of the three sections (R-SCORE, R-RANK)."""
    return sum(section_totals(points).values(), ZERO)


def valid_points(value: Decimal | None, maximum: Decimal, step: Decimal) -> str | None:
    """Why `value` is not a valid score for one sub-criterion, or None (R-SCORE).

    Position: 0 to the sub-criterion's maximum (10 by default) in steps of the call's step (0.5
    by default). `None` (not scored yet) is valid on a draft sheet.
    """
    return points_error(value, maximum, step)


def consensus(member_points: Sequence[Decimal]) -> Decimal | None:
    """The default consensus on one sub-criterion: the members' mean, half up to one decimal.

    R-SCORE position: the jury may override it with a written motivation (the service records
    that); None when no member scored. Scores of at most one decimal give a consensus between
    the lowest and the highest of them.
    """
    return mean_points(member_points)


def spread_flag(member_points: Sequence[Decimal], maximum: Decimal, share: Decimal) -> bool:
    """R-SCORE position: flag strong disagreement, max − min above `share` × the maximum.

    The flag is for the jury and the call manager; it never changes a score.
    """
    return spread_is_large(member_points, maximum, share)


# --- R-THRESH ---------------------------------------------------------------------------------


def format_score(value: Decimal) -> str:
    """`18,0`, `12,5`, `6,75`: a score or threshold with at least one decimal, never rounded."""
    if value == value.quantize(ONE_DECIMAL):
        shown = value.quantize(ONE_DECIMAL)
    else:
        shown = value.normalize()
    return formats.number_format(shown, use_l10n=True)


def format_share(share: Decimal) -> str:
    """`50%`, `52,5%`."""
    return f"{format_points(share * 100)}%"


@dataclass(frozen=True)
class Eligibility:
    """R-THRESH: whether a project may be funded, and why not, with the figures."""

    eligible: bool
    failed: list[str] = field(default_factory=list)


def eligibility(
    section_totals: Mapping[str, Decimal],
    section_maxima: Mapping[str, Decimal],
    section_share: Decimal,
    total_share: Decimal,
) -> Eligibility:
    """R-THRESH: at least `section_share` of each section's maximum (50%) and at least
    `total_share` of the sum of the maxima (60%) in total. "At least" includes the boundary,
    and the comparison is exact: 20 of 40 passes, 19,5 of 40 fails.
    """
    failed = []
    for section in SECTIONS:
        score = Decimal(section_totals[section])
        maximum = Decimal(section_maxima[section])
        minimum = section_share * maximum
        if score < minimum:
            failed.append(
                _(
                    "Section %(section)s: %(score)s of %(max)s points, less than %(share)s (%(min)s)."
                )
                % {
                    "section": section,
                    "score": format_score(score),
                    "max": format_points(maximum),
                    "share": format_share(section_share),
                    "min": format_score(minimum),
                }
            )
    score = sum((Decimal(section_totals[s]) for s in SECTIONS), ZERO)
    maximum = sum((Decimal(section_maxima[s]) for s in SECTIONS), ZERO)
    minimum = total_share * maximum
    if score < minimum:
        failed.append(
            _("Total: %(score)s of %(max)s points, less than %(share)s (%(min)s).")
            % {
                "score": format_score(score),
                "max": format_points(maximum),
                "share": format_share(total_share),
                "min": format_score(minimum),
            }
        )
    return Eligibility(eligible=not failed, failed=failed)


# --- R-RANK, R-DOUBT --------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One admissible application as the ranking sees it (consensus scores, awarded amount)."""

    id: int | str
    total: Decimal
    section_a: Decimal
    section_b: Decimal
    section_c: Decimal
    submitted_at: datetime
    doubtful: bool
    eligible: bool
    awarded: Decimal


def ranking_key(c: Candidate) -> tuple:
    """R-DOUBT first (doubtful last), then R-RANK: higher total, then the §6 tie-breaks."""
    return (c.doubtful, -c.total, -c.section_b, -c.section_a, -c.section_c, c.submitted_at)


def rank(candidates: Sequence[Candidate]) -> list[Candidate]:
    """R-RANK, R-DOUBT: descending total; ties go to the higher section B, then A, then C, then
    the earlier submission. Doubtful projects come after every other project, whatever their
    score, in the same order among themselves.

    Eligible and ineligible projects are ranked together by score; `walk_envelope` passes over
    the ineligible ones. Candidates equal on every key (the same submission instant) keep the
    order they were given in.
    """
    return sorted(candidates, key=ranking_key)


# --- R-EXTRA ---------------------------------------------------------------------------------


def apply_adjustments(ranked: Sequence[Candidate], positions: Mapping) -> list[Candidate]:
    """R-EXTRA: move each adjusted project to its recorded position (1 = top), in position order.

    `positions` maps a candidate id to its new position; a position past the end puts it last and
    an unknown id is ignored. The other projects keep their order. The result is what
    `walk_envelope` walks: an adjustment can move a project into or out of the money, never
    make an ineligible one fundable.
    """
    order = list(ranked)
    for candidate_id, position in sorted(positions.items(), key=lambda item: item[1]):
        moving = next((c for c in order if c.id == candidate_id), None)
        if moving is None:
            continue
        order.remove(moving)
        order.insert(min(position, len(order) + 1) - 1, moving)
    return order


# --- The envelope walk ------------------------------------------------------------------------

FUNDED = "funded"
RESERVE = "reserve"
NOT_ELIGIBLE = "not_eligible"


@dataclass(frozen=True)
class Outcome:
    """One line of the ranking with its envelope outcome.

    `rank` is the position in the ranking (1, 2, …, ineligible projects included);
    `reserve_position` is 1, 2, … on the reserve list, None otherwise; `remaining` is what is
    left of the envelope after this line (it changes only on a funded line).
    """

    candidate: Candidate
    outcome: str
    rank: int
    reserve_position: int | None
    remaining: Decimal

    @property
    def id(self):
        return self.candidate.id


def walk_envelope(ranked: Sequence[Candidate], envelope: Decimal) -> list[Outcome]:
    """R-RANK and the envelope position of SPEC.md §6: walk the ranking in the order given.

    An ineligible project (R-THRESH) is never funded and takes no money. An eligible project is
    funded when its awarded amount (after R-CUT) fits in what remains. The first eligible project
    that does not fit, and every eligible project after it, go on the reserve list in ranking
    order: a smaller project further down is never funded ahead of it. The call manager may then
    offer the remainder to the first reserve project with a motivated reduced amount (a service,
    not this walk).
    """
    if envelope < ZERO:
        raise ValueError("The envelope cannot be negative.")
    remaining = envelope
    outcomes = []
    reserve_count = 0
    for number, c in enumerate(ranked, start=1):
        if c.awarded < ZERO:
            raise ValueError(f"Candidate {c.id} has a negative awarded amount.")
        if not c.eligible:
            outcomes.append(Outcome(c, NOT_ELIGIBLE, number, None, remaining))
        elif reserve_count == 0 and c.awarded <= remaining:
            remaining -= c.awarded
            outcomes.append(Outcome(c, FUNDED, number, None, remaining))
        else:
            reserve_count += 1
            outcomes.append(Outcome(c, RESERVE, number, reserve_count, remaining))
    return outcomes


# --- R-CUT ------------------------------------------------------------------------------------


def award_amount(
    total_cost: Decimal,
    income: Decimal,
    requested: Decimal,
    cap: Decimal,
    rate: Decimal,
    struck_costs: Decimal = ZERO,
    reduction: Decimal = ZERO,
) -> Decimal:
    """R-CUT: the awarded amount alone, as `cut_award` computes it (without its checks).

    The ranking needs the amount of every application; the messages of `cut_award` are for the
    one application the call manager is cutting.
    """
    if struck_costs < ZERO or reduction < ZERO:
        raise ValueError("Struck costs and reductions cannot be negative.")
    asked = max(ZERO, requested - reduction)
    return max(ZERO, min(asked, max_support(total_cost - struck_costs, income, cap, rate)))


def cut_award(
    total_cost: Decimal,
    income: Decimal,
    requested: Decimal,
    cap: Decimal,
    rate: Decimal,
    struck_costs: Decimal = ZERO,
    reduction: Decimal = ZERO,
) -> tuple[Decimal, list[Check]]:
    """R-CUT: the awarded amount after the jury strikes work packages and/or reduces the budget.

    The struck costs leave the total cost; the reduction comes off the requested support. The
    result is re-checked against R-RATE and R-MAX on the reduced total cost (SPEC.md §9):
    awarded = min(requested − reduction, max_support(reduced total cost, income, cap, rate)),
    never below € 0 and never above the request. A cap that lowers the award is shown as a
    warning with its figures; struck costs above the total cost or a reduction above the request
    are errors.
    """
    from cot_portal.formatting import euro

    # The amount, and the ValueError on negative struck costs or reductions, come from one place.
    awarded = award_amount(total_cost, income, requested, cap, rate, struck_costs, reduction)
    checks: list[Check] = []
    reduced_total = total_cost - struck_costs
    if struck_costs > total_cost:
        checks.append(
            Check(
                "R-CUT",
                False,
                _("The struck costs (%(struck)s) are more than the total cost (%(total)s).")
                % {"struck": euro(struck_costs), "total": euro(total_cost)},
            )
        )
    elif struck_costs > ZERO:
        checks.append(
            Check(
                "R-CUT",
                True,
                _("Costs struck: %(struck)s; the total cost goes from %(total)s to %(reduced)s.")
                % {
                    "struck": euro(struck_costs),
                    "total": euro(total_cost),
                    "reduced": euro(reduced_total),
                },
            )
        )
    if reduction > requested:
        checks.append(
            Check(
                "R-CUT",
                False,
                _("The reduction (%(red)s) is more than the requested support (%(req)s).")
                % {"red": euro(reduction), "req": euro(requested)},
            )
        )
    elif reduction > ZERO:
        checks.append(
            Check(
                "R-CUT",
                True,
                _("Support reduced by %(red)s: from %(req)s to %(asked)s.")
                % {
                    "red": euro(reduction),
                    "req": euro(requested),
                    "asked": euro(requested - reduction),
                },
            )
        )
    asked = max(ZERO, requested - reduction)
    rate_amount = floor_cent(rate * reduced_total)
    net = reduced_total - income
    figures = {
        "asked": euro(asked),
        "rate": format_share(rate),
        "total": euro(reduced_total),
        "amount": euro(rate_amount),
        "net": euro(net),
        "cap": euro(cap),
    }
    within_rate, within_net, within_cap = asked <= rate_amount, asked <= net, asked <= cap
    if within_rate:
        message = _(
            "Support of %(asked)s is at most %(rate)s of the total cost %(total)s (%(amount)s)."
        )
    else:
        message = _(
            "Support of %(asked)s is more than %(rate)s of the total cost %(total)s (%(amount)s): "
            "the award is lowered."
        )
    checks.append(Check("R-RATE", within_rate, message % figures, warning=not within_rate))
    if within_net:
        message = _("Support of %(asked)s is at most the total cost minus income (%(net)s).")
    else:
        message = _(
            "Support of %(asked)s is more than the total cost minus income (%(net)s): the award is lowered."
        )
    checks.append(Check("R-RATE", within_net, message % figures, warning=not within_net))
    if within_cap:
        message = _("Support of %(asked)s is within the maximum of %(cap)s per project.")
    else:
        message = _(
            "Support of %(asked)s is more than the maximum of %(cap)s per project: the award is lowered."
        )
    checks.append(Check("R-MAX", within_cap, message % figures, warning=not within_cap))
    checks.append(
        Check(
            "R-CUT",
            True,
            _("Awarded amount: %(awarded)s (requested %(req)s).")
            % {"awarded": euro(awarded), "req": euro(requested)},
        )
    )
    return awarded, checks


# --- R-TR: the tranche schedule of the approval letter ----------------------------------------


def tranche_schedule(
    awarded: Decimal, share1: Decimal, share2: Decimal
) -> tuple[Decimal, Decimal, Decimal]:
    """R-TR, SPEC.md §9: tranche 1 = round_half_up(share1 × awarded), tranche 2 =
    round_half_up(share2 × awarded), tranche 3 = awarded − tranche 1 − tranche 2.

    The three always add up to the award exactly. With an award in whole cents and
    share1 + share2 < 1 (what a call allows) none of them is negative.
    """
    if awarded < ZERO or awarded != awarded.quantize(CENT):
        raise ValueError("The awarded amount is a number of whole cents, at least € 0.")
    if not (ZERO < share1 < ONE and ZERO < share2 < ONE and share1 + share2 < ONE):
        raise ValueError("Tranches 1 and 2 must leave a balance for tranche 3.")
    first = round_half_up_cent(share1 * awarded)
    second = round_half_up_cent(share2 * awarded)
    return first, second, awarded - first - second
