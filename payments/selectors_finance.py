"""Reads of the finance area: the finance dashboard, the check of one request, one payment.

Every list is filtered by the selector twin of `is_unconflicted_finance`: a finance officer never
sees the requests and payments of a grant whose beneficiary or partner they are a member of.
The lists load their rows with select_related, so a page costs the same number of queries with
one request or with a hundred (tests/integration/test_payments.py asserts it).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from applications.models import Call
from cot_portal.accounts.permissions import member_organisation_ids

from .models import (
    Grant,
    LedgerEntry,
    LedgerKind,
    Payment,
    PaymentStatus,
    RequestStatus,
    SepaBatch,
    Tranche,
    TrancheRequest,
    TrancheStatus,
)

ZERO = Decimal("0.00")
RECENT = 10


def without_conflicts(queryset, officer, grant_path: str = ""):
    """The twin of `is_unconflicted_finance` for a list: drop the rows of grants whose
    beneficiary or partner `officer` is a member of. `grant_path` leads from the row to its
    grant ("tranche__grant__" for a request or a payment, "" for a grant)."""
    own = member_organisation_ids(officer)
    if not own:
        return queryset
    return queryset.exclude(**{f"{grant_path}organisation_id__in": own}).exclude(
        **{f"{grant_path}application__partners__organisation_id__in": own}
    )


# --- The dashboard -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CallTotals:
    """One call's money against its envelope. `remaining` is the envelope minus what the
    Government's decision awarded; paid and recovered are the ledger's cash movements."""

    call: Call
    envelope: Decimal
    awarded: Decimal
    paid: Decimal
    recovered: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.envelope - self.awarded

    @property
    def net_paid(self) -> Decimal:
        return self.paid - self.recovered


@dataclass
class FinanceDashboard:
    to_check: list[TrancheRequest]
    conflicted: int  # requests left to colleagues: the officer belongs to the grant
    awaiting_approval: list[Payment]  # each with `own`: proposed by this officer
    recently_paid: list[Payment]
    batches: list[SepaBatch]
    ready_count: int
    ready_total: Decimal
    calls: list[CallTotals] = field(default_factory=list)

    @property
    def late_count(self) -> int:
        return sum(1 for r in self.to_check if r.late)


def _requests_to_check():
    return TrancheRequest.objects.filter(
        status=RequestStatus.SENT, tranche__status=TrancheStatus.REQUESTED
    )


def _sum(queryset, group: str, column: str):
    """A correlated subquery: the sum of `column` over `queryset` grouped by `group`."""
    return Coalesce(
        Subquery(queryset.order_by().values(group).annotate(total=Sum(column)).values("total")[:1]),
        Value(ZERO),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def call_totals() -> list[CallTotals]:
    """Per call with grants: envelope, awarded, paid, recovered (one query)."""
    ledger = LedgerEntry.objects.filter(grant__call=OuterRef("pk"))
    calls = (
        Call.objects.filter(pk__in=Grant.objects.values("call_id"))
        .annotate(
            awarded_total=_sum(Grant.objects.filter(call=OuterRef("pk")), "call", "awarded"),
            paid_total=_sum(ledger.filter(kind=LedgerKind.PAYMENT), "grant__call", "amount"),
            recovered_total=_sum(ledger.filter(kind=LedgerKind.RECOVERY), "grant__call", "amount"),
        )
        .order_by("-year")
    )
    return [
        CallTotals(
            call=c,
            envelope=c.envelope or ZERO,
            awarded=c.awarded_total,
            paid=c.paid_total,
            recovered=c.recovered_total,
        )
        for c in calls
    ]


def finance_dashboard(officer) -> FinanceDashboard:
    """What awaits a check, a second approval and the SEPA export, what was paid lately, and
    each call's money against its envelope — in a fixed number of queries."""
    requests = _requests_to_check()
    to_check = list(
        without_conflicts(requests, officer, "tranche__grant__")
        .select_related(
            "tranche__grant__organisation", "tranche__grant__application", "requested_by"
        )
        .order_by("requested_at", "pk")
    )
    conflicted = requests.count() - len(to_check)
    awaiting = list(
        without_conflicts(
            Payment.objects.filter(status=PaymentStatus.PROPOSED), officer, "tranche__grant__"
        )
        .select_related("tranche__grant__organisation", "proposed_by")
        .order_by("proposed_at", "pk")
    )
    for payment in awaiting:
        payment.own = payment.proposed_by_id == officer.pk
    paid = list(
        without_conflicts(
            Payment.objects.filter(status=PaymentStatus.RELEASED), officer, "tranche__grant__"
        )
        .select_related("tranche__grant__organisation", "approved_by", "batch")
        .order_by("-decided_at", "-pk")[:RECENT]
    )
    ready = Payment.objects.filter(status=PaymentStatus.RELEASED, batch__isnull=True).aggregate(
        count=Count("pk"), total=Coalesce(Sum("amount"), ZERO)
    )
    return FinanceDashboard(
        to_check=to_check,
        conflicted=conflicted,
        awaiting_approval=awaiting,
        recently_paid=paid,
        batches=list(
            SepaBatch.objects.select_related("created_by").order_by("-created_at")[:RECENT]
        ),
        ready_count=ready["count"],
        ready_total=ready["total"],
        calls=call_totals(),
    )


@dataclass(frozen=True)
class FinancePanel:
    """The counts on the finance officer's portal dashboard."""

    any_grants: bool
    to_check: int
    late: int
    to_approve: int  # proposed by a colleague, waiting for this officer's second pair of eyes
    own_waiting: int  # proposed by this officer, waiting for a colleague
    ready_count: int


def finance_panel(officer) -> FinancePanel:
    """Counts for the dashboard panel (four queries whatever the number of rows)."""
    requests = without_conflicts(_requests_to_check(), officer, "tranche__grant__").aggregate(
        total=Count("pk"), late=Count("pk", filter=Q(late=True))
    )
    proposed = without_conflicts(
        Payment.objects.filter(status=PaymentStatus.PROPOSED), officer, "tranche__grant__"
    ).aggregate(
        own=Count("pk", filter=Q(proposed_by=officer)),
        others=Count("pk", filter=~Q(proposed_by=officer)),
    )
    return FinancePanel(
        any_grants=Grant.objects.exists(),
        to_check=requests["total"],
        late=requests["late"],
        to_approve=proposed["others"],
        own_waiting=proposed["own"],
        ready_count=Payment.objects.filter(
            status=PaymentStatus.RELEASED, batch__isnull=True
        ).count(),
    )


# --- One request, one payment ------------------------------------------------------------------


def request_by_pk(pk: int) -> TrancheRequest | None:
    return (
        TrancheRequest.objects.select_related(
            "tranche__grant__organisation",
            "tranche__grant__call",
            "tranche__grant__application",
            "requested_by",
            "decided_by",
        )
        .filter(pk=pk)
        .first()
    )


def payment_by_pk(pk: int) -> Payment | None:
    return (
        Payment.objects.select_related(
            "tranche__grant__organisation",
            "tranche__grant__call",
            "tranche__grant__application",
            "proposed_by",
            "approved_by",
            "batch",
        )
        .filter(pk=pk)
        .first()
    )


@dataclass
class StoredCheck:
    """A condition as the applicant's request stored it (TrancheRequest.checks)."""

    rule: str
    ok: bool
    message: str
    warning: bool = False


def stored_checks(request: TrancheRequest) -> list[StoredCheck]:
    rows = request.checks if isinstance(request.checks, list) else []
    return [
        StoredCheck(
            rule=str(row.get("rule", "")),
            ok=bool(row.get("ok")),
            message=str(row.get("message", "")),
            warning=bool(row.get("warning", False)),
        )
        for row in rows
        if isinstance(row, dict)
    ]


def current_checks(tranche: Tranche, today: date) -> list | None:
    """The conditions as they stand today (payments.conditions), or None when that module is
    not there."""
    try:
        from . import conditions
    except ImportError:
        return None
    return conditions.tranche_checks(tranche, today)


def cost_overview(grant):
    """The cost-statement totals (payments.selectors_costs), or None when that module is not
    there."""
    try:
        from . import selectors_costs
    except ImportError:
        return None
    return selectors_costs.cost_overview(grant)


def tranche_history(tranche: Tranche) -> tuple[list[TrancheRequest], list[Payment]]:
    """Every request and every payment of a tranche, oldest first."""
    requests = list(
        tranche.requests.select_related("requested_by", "decided_by").order_by("requested_at")
    )
    payments = list(
        tranche.payments.select_related("proposed_by", "approved_by", "batch").order_by(
            "proposed_at", "pk"
        )
    )
    return requests, payments


def latest_request(tranche: Tranche) -> TrancheRequest | None:
    return tranche.requests.order_by("-requested_at", "-pk").first()


def grant_tranches(grant: Grant) -> list[Tranche]:
    return list(grant.tranches.order_by("number"))


def grant_money(grant: Grant) -> dict[str, Decimal]:
    """Paid and recovered on one grant, from the ledger."""
    totals = grant.ledger.aggregate(
        paid=Coalesce(Sum("amount", filter=Q(kind=LedgerKind.PAYMENT)), ZERO),
        recovered=Coalesce(Sum("amount", filter=Q(kind=LedgerKind.RECOVERY)), ZERO),
    )
    return totals
