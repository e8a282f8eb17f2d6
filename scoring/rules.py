"""The jury's rules for ideas as pure functions on plain values (ARCHITECTURE.md §2).

Each function cites the rule id of SPEC.md it implements (R-SL, R-SL-GATE, R-JURY). Nothing here
touches the database: the services, forms and selectors pass plain values in.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ZERO = Decimal("0")
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class Criterion:
    number: int
    label: str
    short_label: str


# R-SL: the six shortlist criteria of the manual, in its order. Maxima and step come from the call.
SHORTLIST_CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        1,
        gettext_lazy(
            "A data-driven, innovative solution for a complex challenge with local impact "
            "(not mere digitisation of processes)"
        ),
        gettext_lazy("Data-driven innovation"),
    ),
    Criterion(
        2,
        gettext_lazy(
            "For and by local governments: capacity building and knowledge retention within "
            "the organisation"
        ),
        gettext_lazy("For and by local governments"),
    ),
    Criterion(
        3,
        gettext_lazy("Alignment of local and Flemish policy"),
        gettext_lazy("Policy alignment"),
    ),
    Criterion(
        4,
        gettext_lazy(
            "Broad support, with roll-out to a large group of Flemish local governments as the "
            "final goal"
        ),
        gettext_lazy("Support and roll-out"),
    ),
    Criterion(
        5,
        gettext_lazy("Openness and interoperability principles of the Flemish government"),
        gettext_lazy("Openness and interoperability"),
    ),
    Criterion(
        6,
        gettext_lazy("First thoughts on work packages and a provisional project budget"),
        gettext_lazy("Work packages and budget"),
    ),
)
CRITERION_NUMBERS: tuple[int, ...] = tuple(c.number for c in SHORTLIST_CRITERIA)


def criterion_maxima(configured: Sequence) -> dict[int, Decimal]:
    """The maximum per criterion number from the call's `shortlist_maxima` list (R-SL).

    The call stores six numbers (20/20/20/20/10/10 in 2025); anything else is a configuration
    error that must not be scored against silently.
    """
    if len(configured) != len(SHORTLIST_CRITERIA):
        raise ValueError(
            f"A call needs {len(SHORTLIST_CRITERIA)} shortlist maxima, not {len(configured)}."
        )
    maxima = {}
    for number, value in zip(CRITERION_NUMBERS, configured, strict=True):
        maximum = Decimal(str(value))
        if maximum <= ZERO:
            raise ValueError("A shortlist maximum must be more than 0.")
        maxima[number] = maximum
    return maxima


def format_points(value: Decimal) -> str:
    """`12,5` or `20`: points in the portal's Belgian number format (cot_portal/formats)."""
    return formats.number_format(normalise_points(value), use_l10n=True)


def normalise_points(value: Decimal) -> Decimal:
    """`20.0` → `20`, `12.50` → `12.5`: points without trailing zeros, never in exponent form."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def is_multiple_of_step(points: Decimal, step: Decimal) -> bool:
    """Whether `points` is a whole number of score steps (R-SL, step 0.5 in 2025)."""
    if step <= ZERO:
        return True
    return points % step == ZERO


def points_error(points: Decimal | None, maximum: Decimal, step: Decimal) -> str | None:
    """Why `points` is not a valid score for a criterion with this maximum, or None (R-SL).

    Valid points lie between 0 and the maximum, are a multiple of the call's step and have at
    most one decimal (what the sheet stores). `None` (not scored yet) is valid here; whether a
    sheet is complete is `missing_criteria`.
    """
    if points is None:
        return None
    if not points.is_finite():
        return _("Enter a number.")
    if points < ZERO or points > maximum:
        return _("Give between 0 and %(maximum)s points.") % {"maximum": format_points(maximum)}
    if not is_multiple_of_step(points, step) or points != points.quantize(ONE_DECIMAL):
        return _("Give points in steps of %(step)s (between 0 and %(maximum)s).") % {
            "step": format_points(step),
            "maximum": format_points(maximum),
        }
    return None


def consensus_points_error(points: Decimal | None, maximum: Decimal) -> str | None:
    """Why `points` is not a valid consensus score, or None (R-SL).

    The consensus defaults to the jurors' mean, rounded to one decimal, which need not be a
    multiple of the step; so the consensus is checked on its range and on one decimal only.
    """
    if points is None:
        return _("Enter the consensus score.")
    if not points.is_finite():
        return _("Enter a number.")
    if points < ZERO or points > maximum:
        return _("Give between 0 and %(maximum)s points.") % {"maximum": format_points(maximum)}
    if points != points.quantize(ONE_DECIMAL):
        return _("Give the points with at most one decimal.")
    return None


def parse_points(text: str) -> Decimal | None:
    """`"12,5"`, `"12.5"`, `" 12 "` → Decimal; empty → None; anything else → ValueError.

    Belgian users type a decimal comma; a point is accepted too. Thousands separators make no
    sense for points of at most a few dozen and are refused.
    """
    cleaned = (text or "").strip().replace("\u00a0", "").replace(" ", "")
    if not cleaned:
        return None
    if cleaned.count(",") + cleaned.count(".") > 1:
        raise ValueError(text)
    try:
        value = Decimal(cleaned.replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not value.is_finite():
        raise ValueError(text)
    return value


def missing_criteria(points: Mapping[int, Decimal | None]) -> list[int]:
    """The criterion numbers without points: a sheet is submitted only when this is empty (R-SL)."""
    return [n for n in CRITERION_NUMBERS if points.get(n) is None]


def round_half_up(value: Decimal) -> Decimal:
    """One decimal, half up: 12,25 → 12,3 (the jury's mean is shown as the manual's points)."""
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def mean_points(values: Iterable[Decimal]) -> Decimal | None:
    """The mean of submitted scores for one criterion, half up to one decimal; None if none (R-SL).

    Only scores of submitted sheets of unconflicted jurors are passed in (R-JURY).
    """
    values = list(values)
    if not values:
        return None
    return round_half_up(sum(values, ZERO) / len(values))


def criterion_means(sheets: Iterable[Mapping[int, Decimal | None]]) -> dict[int, Decimal | None]:
    """The mean per criterion over several sheets (each {criterion: points}) (R-SL)."""
    sheets = list(sheets)
    return {n: mean_points(s[n] for s in sheets if s.get(n) is not None) for n in CRITERION_NUMBERS}


def total_points(points: Mapping[int, Decimal | None] | Iterable[Decimal | None]) -> Decimal:
    """The sum of the points given, ignoring criteria without points (R-SL: at most 100 in 2025)."""
    values = points.values() if isinstance(points, Mapping) else points
    return sum((v for v in values if v is not None), ZERO)


def total_or_none(points: Mapping[int, Decimal | None]) -> Decimal | None:
    """The total when every criterion has points, else None (an incomplete total misleads)."""
    if missing_criteria(points):
        return None
    return total_points(points)


def spread_is_large(values: Iterable[Decimal], maximum: Decimal, share: Decimal) -> bool:
    """Whether jurors disagree strongly on one criterion: max − min above `share` × maximum.

    The call's `spread_flag_share` (SPEC.md §6 position, applied to ideas as well): flagged for
    the call manager, never decisive.
    """
    values = list(values)
    if len(values) < 2:
        return False
    return max(values) - min(values) > share * maximum


def is_automatically_conflicted(
    juror_organisation_ids: Iterable[int],
    idea_organisation_id: int,
    partner_organisation_ids: Iterable[int],
) -> bool:
    """A juror who acts for the idea's organisation or a named partner may not judge it (R-JURY).

    Seed 000: whoever benefits directly or indirectly may not take part. The portal knows the
    juror's memberships, so this conflict holds whether or not the juror declared it.
    """
    own = set(juror_organisation_ids)
    return bool(own) and (idea_organisation_id in own or bool(own & set(partner_organisation_ids)))


def undecided(decisions: Mapping[str, bool | None]) -> list[str]:
    """The references of ideas without a shortlist decision, sorted (R-SL-GATE).

    The shortlist is published only when every submitted idea has a yes or a no.
    """
    return sorted(ref for ref, decision in decisions.items() if decision is None)
