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


# --- Phase 2: the cost model (SPEC.md §4 and §9) -------------------------------------------

CENT = Decimal("0.01")


def floor_cent(amount: Decimal) -> Decimal:
    """Round down to the cent: a cap is never exceeded (SPEC.md §9)."""
    from decimal import ROUND_FLOOR

    return amount.quantize(CENT, rounding=ROUND_FLOOR)


def round_half_up_cent(amount: Decimal) -> Decimal:
    from decimal import ROUND_HALF_UP

    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def max_support(total_cost: Decimal, income: Decimal, cap: Decimal, rate: Decimal) -> Decimal:
    """R-RATE, R-MAX: min(cap, floor_cent(rate × total cost), total cost − income), never < 0."""
    return max(ZERO, min(cap, floor_cent(rate * total_cost), total_cost - income))


@dataclass(frozen=True)
class Check:
    """One rule's outcome, with the figures it rests on, in the user's language."""

    rule: str
    ok: bool
    message: str
    warning: bool = False  # a position shown to the user, not a hard error
    anchor: str = ""  # the id of the form field to fix, when there is one


@dataclass(frozen=True)
class Budget:
    total_cost: Decimal
    requested: Decimal
    own_contribution: Decimal
    income: Decimal
    other_financing: Decimal
    cap: Decimal
    rate: Decimal

    @property
    def max_support(self) -> Decimal:
        return max_support(self.total_cost, self.income, self.cap, self.rate)

    @property
    def financing(self) -> Decimal:
        return self.requested + self.own_contribution + self.income + self.other_financing


def budget_checks(b: Budget) -> list[Check]:
    """R-BUDGET, R-RATE, R-MAX, R-OWN, R-BAL with their figures."""
    from cot_portal.formatting import euro

    checks = []
    rate_pct = f"{(b.rate * 100).normalize():f}%"
    rate_amount = floor_cent(b.rate * b.total_cost)
    checks.append(
        Check(
            "R-BUDGET",
            b.total_cost > ZERO,
            _("Total project cost: %(total)s.") % {"total": euro(b.total_cost)}
            if b.total_cost > ZERO
            else _("The cost model has no costs yet."),
        )
    )
    if b.requested > rate_amount:
        msg = _(
            "Requested support %(req)s is more than %(rate)s of the total cost (%(amount)s)."
        ) % {
            "req": euro(b.requested),
            "rate": rate_pct,
            "amount": euro(rate_amount),
        }
        checks.append(Check("R-RATE", False, msg))
    else:
        checks.append(
            Check(
                "R-RATE",
                True,
                _("Requested support %(req)s is at most %(rate)s of the total cost (%(amount)s).")
                % {"req": euro(b.requested), "rate": rate_pct, "amount": euro(rate_amount)},
            )
        )
    net = b.total_cost - b.income
    checks.append(
        Check(
            "R-RATE",
            b.requested <= net,
            (
                _("Requested support %(req)s is at most the total cost minus income (%(net)s).")
                if b.requested <= net
                else _(
                    "Requested support %(req)s is more than the total cost minus income (%(net)s)."
                )
            )
            % {"req": euro(b.requested), "net": euro(net)},
        )
    )
    checks.append(
        Check(
            "R-MAX",
            b.requested <= b.cap,
            (
                _("Requested support %(req)s is within the maximum of %(cap)s per project.")
                if b.requested <= b.cap
                else _("Requested support %(req)s is more than the maximum of %(cap)s per project.")
            )
            % {"req": euro(b.requested), "cap": euro(b.cap)},
        )
    )
    minimum_own = b.total_cost - rate_amount
    own_pct = f"{((1 - b.rate) * 100).normalize():f}%"
    checks.append(
        Check(
            "R-OWN",
            b.own_contribution >= minimum_own,
            (
                _("Own contribution %(own)s is at least %(pct)s of the total cost (%(min)s).")
                if b.own_contribution >= minimum_own
                else _("Own contribution %(own)s is less than %(pct)s of the total cost (%(min)s).")
            )
            % {"own": euro(b.own_contribution), "pct": own_pct, "min": euro(minimum_own)},
        )
    )
    balanced = b.financing == b.total_cost
    checks.append(
        Check(
            "R-BAL",
            balanced and b.total_cost > ZERO,
            _("The budget is balanced: costs %(total)s = financing %(fin)s.")
            % {"total": euro(b.total_cost), "fin": euro(b.financing)}
            if balanced
            else _(
                "The budget is not balanced: costs %(total)s, financing %(fin)s (difference %(diff)s)."
            )
            % {
                "total": euro(b.total_cost),
                "fin": euro(b.financing),
                "diff": euro(b.total_cost - b.financing),
            },
        )
    )
    return checks


def role_budget_warnings(
    partner_budgets: list[tuple[str, str, Decimal]], follower_cap: Decimal
) -> list[Check]:
    """R-ROLE positions: a deelnemer budget above the coordinator's, a volger budget above the
    cap. Warnings, not errors. `partner_budgets` holds (name, role, budget)."""
    from cot_portal.formatting import euro

    coordinator = next((b for _name, role, b in partner_budgets if role == "coordinator"), ZERO)
    warnings = []
    for name, role, budget in partner_budgets:
        if role == "deelnemer" and budget > coordinator:
            warnings.append(
                Check(
                    "R-ROLE",
                    False,
                    _(
                        "Participant %(name)s has a larger budget (%(b)s) than the coordinator (%(c)s)."
                    )
                    % {"name": name, "b": euro(budget), "c": euro(coordinator)},
                    warning=True,
                )
            )
        if role == "volger" and budget > follower_cap:
            warnings.append(
                Check(
                    "R-ROLE",
                    False,
                    _(
                        "Follower %(name)s has a budget of %(b)s, more than the %(cap)s a follower usually gets."
                    )
                    % {"name": name, "b": euro(budget), "cap": euro(follower_cap)},
                    warning=True,
                )
            )
    return warnings


def minimum_local_governments_check(local_government_count: int, minimum: int) -> Check:
    """R-MIN2: the lead plus at least one other city, municipality or the VGC."""
    return Check(
        "R-MIN2",
        local_government_count >= minimum,
        _("%(n)s local governments take part; at least %(min)s are needed.")
        % {"n": local_government_count, "min": minimum},
    )


def add_months(day, months: int):
    from calendar import monthrange

    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, monthrange(year, month)[1]))


def months_spanned(start, end) -> int:
    """Calendar months a period [start, end] spans: 01/03/2026–28/02/2029 is 36 months,
    01/03/2026–01/03/2029 is 37."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months + (1 if end.day >= start.day else 0)


def latest_end(start, max_months: int):
    """The last day a project that starts on `start` may run (R-DUR)."""
    from datetime import timedelta

    return add_months(start, max_months) - timedelta(days=1)


def duration_check(start, end, maximum: int) -> Check:
    """R-DUR: the project period lasts at most the call's maximum (36 months), day-exact."""
    from cot_portal.formatting import short_date

    if not start or not end:
        return Check(
            "R-DUR", False, _("Fill in the planned start and end date."), anchor="id_end_date"
        )
    if end < start:
        return Check(
            "R-DUR", False, _("The end date lies before the start date."), anchor="id_end_date"
        )
    last = latest_end(start, maximum)
    figures = {
        "start": short_date(start),
        "end": short_date(end),
        "n": months_spanned(start, end),
        "max": maximum,
        "last": short_date(last),
    }
    if end > last:
        return Check(
            "R-DUR",
            False,
            _(
                "Project period %(start)s – %(end)s is longer than %(max)s months: it must end by %(last)s."
            )
            % figures,
            anchor="id_end_date",
        )
    return Check(
        "R-DUR",
        True,
        _("Project period %(start)s – %(end)s: %(n)s months, at most %(max)s.") % figures,
    )


def start_date_check(start, submission_day, decision_day, window_months: int) -> Check:
    """R-START: not before the submission date, not later than the decision + 6 months."""
    from cot_portal.formatting import short_date

    if start is None:
        return Check("R-START", False, _("Fill in the planned start date."))
    latest = add_months(decision_day, window_months)
    if start < submission_day:
        return Check(
            "R-START",
            False,
            _("Start %(start)s lies before the submission date %(sub)s.")
            % {"start": short_date(start), "sub": short_date(submission_day)},
        )
    if start > latest:
        return Check(
            "R-START",
            False,
            _("Start %(start)s is later than the decision %(dec)s + %(m)s months (%(latest)s).")
            % {
                "start": short_date(start),
                "dec": short_date(decision_day),
                "m": window_months,
                "latest": short_date(latest),
            },
        )
    return Check(
        "R-START",
        True,
        _("Start %(start)s lies between %(sub)s and %(latest)s.")
        % {
            "start": short_date(start),
            "sub": short_date(submission_day),
            "latest": short_date(latest),
        },
    )


def knowledge_sharing_check(has_knowledge_sharing_wp: bool) -> Check:
    """R-WP-KS: a dedicated knowledge-sharing and communication work package is mandatory."""
    return Check(
        "R-WP-KS",
        has_knowledge_sharing_wp,
        _("There is a knowledge-sharing and communication work package.")
        if has_knowledge_sharing_wp
        else _("Add a work package for knowledge sharing and communication: it is mandatory."),
    )


def suggested_procedure(
    value: Decimal, invoice_limit: Decimal, negotiated_limit: Decimal, european_limit: Decimal
) -> str:
    """SPEC.md §10: the simplest procedure the estimated value (excl. VAT) allows."""
    if value < invoice_limit:
        return "invoice"
    if value < negotiated_limit:
        return "negotiated"
    if value < european_limit:
        return "competitive_negotiation"
    return "open"


PROCEDURES_ALLOWED_FROM = {
    # procedure: the tiers (0 invoice, 1 negotiated, 2 below European, 3 above) where it is allowed
    "invoice": {0},
    "negotiated": {0, 1},
    "competitive_negotiation": {0, 1, 2, 3},
    "simplified_negotiated": {0, 1, 2},
    "open": {0, 1, 2, 3},
    "restricted": {0, 1, 2, 3},
    "competitive_dialogue": {3},
    "innovation_partnership": {3},
}
MOTIVATED_ABOVE_EUROPEAN = {
    "competitive_negotiation",
    "competitive_dialogue",
    "innovation_partnership",
}


def procedure_tier(
    value: Decimal, invoice_limit: Decimal, negotiated_limit: Decimal, european_limit: Decimal
) -> int:
    if value < invoice_limit:
        return 0
    if value < negotiated_limit:
        return 1
    if value < european_limit:
        return 2
    return 3


def procedure_allowed(
    procedure: str,
    value: Decimal,
    invoice_limit: Decimal,
    negotiated_limit: Decimal,
    european_limit: Decimal,
) -> bool:
    """SPEC.md §10: whether the chosen procedure may be used at this estimated value."""
    tier = procedure_tier(value, invoice_limit, negotiated_limit, european_limit)
    return tier in PROCEDURES_ALLOWED_FROM.get(procedure, set())


def start_application_refusal(
    *, idea_status: str, lead_is_local_government: bool, received_at: datetime, deadline: datetime
) -> str | None:
    """R-SL-GATE, R-IDEA-1, R-DL2: why an idea cannot become a full application, or None."""
    if idea_status != "shortlisted":
        return _("Only an idea on the shortlist can become a full application.")
    if not lead_is_local_government:
        return _(
            "Only a city, a municipality or the VGC can submit a full application. "
            "Ask the city or municipality that leads the project to start it."
        )
    if not received_in_time(received_at, deadline):
        return _("The deadline for applications has passed.")
    return None


# --- Co-creation sessions (R-COCREATE) ------------------------------------------------------


def places_left(capacity: int | None, registered: int) -> int | None:
    """Free places of a session; None when the session has no capacity limit."""
    if capacity is None:
        return None
    return max(capacity - registered, 0)


def is_full(capacity: int | None, registered: int) -> bool:
    """A session is full when its registrations reach its capacity (R-COCREATE position)."""
    return capacity is not None and registered >= capacity
