"""The call's rules as pure functions on plain values (ARCHITECTURE.md §2).

Each function cites the rule id of SPEC.md it implements. Nothing here touches the database.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

ZERO = Decimal("0")
ONE = Decimal("1")


@dataclass(frozen=True)
class CallConfiguration:
    """The values of a call that must hang together (SPEC.md §2)."""

    envelope: Decimal
    max_support_per_project: Decimal
    max_support_rate: Decimal
    max_duration_months: int
    idea_deadline: datetime | None
    application_deadline: datetime | None
    start_window_months: int
    min_local_governments: int
    tranche_1_share: Decimal
    tranche_2_share: Decimal
    section_threshold_share: Decimal
    total_threshold_share: Decimal


def call_configuration_errors(c: CallConfiguration) -> dict[str, str]:
    """Which values of a call contradict each other, as {field: message in the user's language}.

    R-ENV, R-MAX, R-RATE, R-DUR, R-DL1, R-DL2, R-START, R-MIN2, R-TR, R-THRESH.
    """
    errors: dict[str, str] = {}
    if c.envelope <= ZERO:
        errors["envelope"] = _("The envelope must be more than € 0.")
    if c.max_support_per_project <= ZERO:
        errors["max_support_per_project"] = _("The maximum support must be more than € 0.")
    elif c.envelope > ZERO and c.max_support_per_project > c.envelope:
        errors["max_support_per_project"] = _(
            "The maximum support per project cannot be larger than the envelope."
        )
    if not (ZERO < c.max_support_rate <= ONE):
        errors["max_support_rate"] = _("The support rate lies between 0% and 100%.")
    if c.max_duration_months < 1:
        errors["max_duration_months"] = _("The maximum duration is at least one month.")
    if c.idea_deadline and c.application_deadline and c.idea_deadline >= c.application_deadline:
        errors["application_deadline"] = _(
            "The application deadline must come after the idea deadline."
        )
    if c.start_window_months < 0:
        errors["start_window_months"] = _("The start window cannot be negative.")
    if c.min_local_governments < 1:
        errors["min_local_governments"] = _("At least one local government is needed.")
    for name, share in (
        ("tranche_1_share", c.tranche_1_share),
        ("tranche_2_share", c.tranche_2_share),
    ):
        if not (ZERO < share < ONE):
            errors[name] = _("A tranche share lies between 0% and 100%.")
    if (
        "tranche_1_share" not in errors
        and "tranche_2_share" not in errors
        and c.tranche_1_share + c.tranche_2_share >= ONE
    ):
        errors["tranche_2_share"] = _(
            "Tranches 1 and 2 together must leave a balance for tranche 3."
        )
    for name, share in (
        ("section_threshold_share", c.section_threshold_share),
        ("total_threshold_share", c.total_threshold_share),
    ):
        if not (ZERO <= share <= ONE):
            errors[name] = _("A threshold lies between 0% and 100%.")
    return errors


def received_in_time(received_at: datetime, deadline: datetime) -> bool:
    """R-DL1 / R-DL2: the server's receipt time counts, and only strictly before the deadline.

    "vóór 8 september 2025, 12 uur": a submission received at 12:00:00.000000 is late.
    """
    return received_at < deadline


IDEA_REQUIRED_FIELDS = (
    "title",
    "challenge",
    "solution",
    "capacity_building",
    "policy_alignment",
    "support_rollout",
    "openness",
    "work_packages",
    "budget_total",
    "themes",
)


def idea_missing_fields(values: dict) -> list[str]:
    """The fields an idea still needs before it can be submitted (R-SL: all six criteria).

    Text must contain more than white space; the provisional budget must be above € 0; at least
    one theme (R-THEME).
    """
    missing = []
    for name in IDEA_REQUIRED_FIELDS:
        value = values.get(name)
        if name == "budget_total":
            if value is None or value <= ZERO:
                missing.append(name)
        elif name == "themes":
            if not isinstance(value, list | tuple) or not value:
                missing.append(name)
        elif not (value or "").strip():
            missing.append(name)
    return missing


def due_reminders(now: datetime, deadline: datetime, days_before: tuple[int, ...]) -> list[int]:
    """Which reminders ("N days before the deadline") are due at `now`.

    A reminder is due from the moment it is N days before the deadline until the deadline; the
    caller records what it sent, so a job that runs twice sends each reminder once.
    """
    from datetime import timedelta

    if now >= deadline:
        return []
    return [days for days in days_before if now >= deadline - timedelta(days=days)]
