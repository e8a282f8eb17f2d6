"""Reads for the settlement and stop pages (R-SETTLE, R-STOP).

A fixed number of queries per page, whatever the number of cost lines, payments or letters:
the sums are aggregated in PostgreSQL and the grant comes with what the page shows.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Sum
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from cot_portal.letters.models import Letter

from . import rules
from .models import (
    CostStatementLine,
    Grant,
    GrantStatus,
    LedgerEntry,
    LedgerKind,
    LineStatus,
    Recovery,
    TrancheStatus,
)
from .rules_settlement import Cap, settlement_caps
from .selectors_costs import accepted_cost

ZERO = Decimal("0")


def grant_by_reference(reference: str) -> Grant:
    """The grant with what the settlement and stop pages show (404 when unknown)."""
    return get_object_or_404(
        Grant.objects.select_related(
            "application",
            "application__created_by",
            "call",
            "organisation",
            "settlement",
            "settlement__letter",
            "settlement__computed_by",
            "stop_decision",
            "stop_decision__decided_by",
        ),
        reference=reference,
    )


def pending_cost_lines(grant) -> int:
    return CostStatementLine.objects.filter(grant=grant, status=LineStatus.PENDING).count()


def paid_by_tranche(grant) -> dict[int, Decimal]:
    """What the ledger booked as paid, per tranche number (only released payments are booked)."""
    rows = (
        LedgerEntry.objects.filter(grant=grant, kind=LedgerKind.PAYMENT)
        .values("payment__tranche__number")
        .annotate(total=Sum("amount"))
    )
    return {row["payment__tranche__number"]: row["total"] for row in rows}


def paid_total(grant) -> Decimal:
    """Every euro paid to the beneficiary so far: the ledger's payment entries."""
    total = LedgerEntry.objects.filter(grant=grant, kind=LedgerKind.PAYMENT).aggregate(
        total=Sum("amount")
    )["total"]
    return total or ZERO


@dataclass(frozen=True)
class PaidRow:
    number: int
    scheduled: Decimal
    paid: Decimal
    status: str
    status_label: str


@dataclass(frozen=True)
class SettlementPreview:
    """The computation of R-SETTLE with its figures, and what still blocks it (if anything)."""

    awarded: Decimal
    accepted_cost: Decimal
    income: Decimal
    rate: Decimal
    caps: list[Cap]
    tranches: list[PaidRow]
    paid: Decimal
    figures: rules.SettlementFigures
    blockers: list[str] = field(default_factory=list)

    @property
    def final_support(self) -> Decimal:
        return self.figures.final_support

    @property
    def balance(self) -> Decimal:
        return self.figures.balance

    @property
    def may_settle(self) -> bool:
        return not self.blockers


def settlement_blockers(grant, tranches, pending: int) -> list[str]:
    """Why the grant cannot be settled now: it must be running, tranche 3 requested (R-TR3), no
    other tranche still in payment, and every cost line checked (R-COSTS)."""
    blockers = []
    if grant.status != GrantStatus.ACTIVE:
        blockers.append(
            _("The grant is %(status)s; only a running grant is settled.")
            % {"status": grant.get_status_display().lower()}
        )
    by_number = {t.number: t for t in tranches}
    last = by_number.get(3)
    if last is None or last.status != TrancheStatus.REQUESTED:
        blockers.append(
            _(
                "Tranche 3 has not been requested: the settlement follows the final request with the final report (R-TR3)."
            )
        )
    for tranche in tranches:
        if tranche.number != 3 and tranche.status in (
            TrancheStatus.REQUESTED,
            TrancheStatus.PROPOSED,
        ):
            blockers.append(
                _("Tranche %(n)s is still being paid; finish or refuse its payment first.")
                % {"n": tranche.number}
            )
    if pending:
        blockers.append(
            _(
                "%(n)s cost line(s) still wait for the check; accept or reject every line before settling."
            )
            % {"n": pending}
        )
    return blockers


def _paid_rows(tranches, per_tranche: dict[int, Decimal]) -> list[PaidRow]:
    return [
        PaidRow(
            number=t.number,
            scheduled=t.scheduled_amount,
            paid=per_tranche.get(t.number, ZERO),
            status=t.status,
            status_label=t.get_status_display(),
        )
        for t in tranches
    ]


def settlement_preview(grant, tranches=None) -> SettlementPreview:
    """R-SETTLE as it would come out now, from the pure rule, with the blockers.

    `tranches`: the grant's tranches when the caller has them already (locked, in a service)."""
    tranches = list(grant.tranches.all()) if tranches is None else list(tranches)
    cost = accepted_cost(grant)
    per_tranche = paid_by_tranche(grant)
    paid = sum(per_tranche.values(), ZERO)
    rate = grant.call.max_support_rate
    figures = rules.settle(
        awarded=grant.awarded, accepted_cost=cost, income=grant.income, paid=paid, rate=rate
    )
    return SettlementPreview(
        awarded=grant.awarded,
        accepted_cost=cost,
        income=grant.income,
        rate=rate,
        caps=settlement_caps(
            awarded=grant.awarded, accepted_cost=cost, income=grant.income, rate=rate
        ),
        tranches=_paid_rows(tranches, per_tranche),
        paid=paid,
        figures=figures,
        blockers=settlement_blockers(grant, tranches, pending_cost_lines(grant)),
    )


def settlement_result(grant) -> SettlementPreview:
    """The stored settlement of a settled grant, in the same shape as the preview."""
    settlement = grant.settlement
    rate = grant.call.max_support_rate
    return SettlementPreview(
        awarded=grant.awarded,
        accepted_cost=settlement.accepted_cost,
        income=settlement.income,
        rate=rate,
        caps=settlement_caps(
            awarded=grant.awarded,
            accepted_cost=settlement.accepted_cost,
            income=settlement.income,
            rate=rate,
        ),
        tranches=_paid_rows(grant.tranches.all(), paid_by_tranche(grant)),
        paid=settlement.paid_before,
        figures=rules.SettlementFigures(
            final_support=settlement.final_support, balance=settlement.balance
        ),
    )


def grant_letters(grant, kinds=("settlement", "stop")) -> list:
    """The settlement and stop letters of a grant, newest first."""
    return list(
        Letter.objects.filter(
            content_type=ContentType.objects.get_for_model(Grant),
            object_id=grant.pk,
            kind__in=kinds,
        ).order_by("-created_at", "-pk")
    )


def recoveries(grant) -> list[Recovery]:
    return list(grant.recoveries.select_related("letter").order_by("created_at", "pk"))
