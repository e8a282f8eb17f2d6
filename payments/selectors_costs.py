"""Reads of the costs area: cost statement lines and their totals (R-COSTS, R-ELIG), changes
during execution and the grant's baseline history (R-CHANGE).

Other areas call `accepted_cost(grant)` (tranche 3, settlement) and `reported_cost(grant)`
(tranche 2's 50% condition). The pages' reads load every row they show in a fixed number of
queries, whatever the number of lines.
"""

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from applications.models import ApplicationPartner, CostCategory, PartnerRole
from applications.rules import latest_end
from cot_portal.formatting import euro, short_date, short_datetime
from cot_portal.spreadsheets import append_row
from scoring.ranking import format_share

from . import rules_costs
from .models import (
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    CostStatementLine,
    Grant,
    LineStatus,
)

ZERO = Decimal("0.00")
BASELINE_FIELDS = ("start_date", "end_date", "approved_total_cost", "income")


# --- What other areas use -----------------------------------------------------------------------


def _sum(queryset) -> Decimal:
    return queryset.aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]


def accepted_cost(grant) -> Decimal:
    """R-COSTS: the accepted cost of a grant, the sum of the lines finance accepted."""
    return _sum(CostStatementLine.objects.filter(grant=grant, status=LineStatus.ACCEPTED))


def reported_cost(grant) -> Decimal:
    """R-COSTS, R-TR2: the reported cost of a grant, every line that is not rejected (waiting
    for the check or accepted)."""
    return _sum(CostStatementLine.objects.filter(grant=grant).exclude(status=LineStatus.REJECTED))


# --- The grant -----------------------------------------------------------------------------------


def grant_by_reference(reference: str) -> Grant | None:
    return (
        Grant.objects.select_related("call", "organisation", "application")
        .filter(reference=reference)
        .first()
    )


def departure_dates(changes) -> dict:
    """R-CHANGE: the organisations that left the project by an approved change (and did not
    join again later), each with the day its departure was approved. `changes` are the grant's
    change requests, in any order."""
    departed: dict = {}
    approved = [
        c
        for c in changes
        if c.status == ChangeStatus.APPROVED
        and c.kind in (ChangeKind.PARTNER_JOINS, ChangeKind.PARTNER_LEAVES)
    ]
    for change in sorted(approved, key=lambda c: (c.decided_at, c.pk)):
        organisation_id = change.proposed.get("organisation_id")
        if change.kind == ChangeKind.PARTNER_LEAVES:
            departed[organisation_id] = timezone.localdate(change.decided_at)
        else:
            departed.pop(organisation_id, None)
    return departed


def grant_partners(grant, changes=None) -> list[ApplicationPartner]:
    """The application's partners, lead first, each with `left_on`: the day it left the project
    by an approved change, or None (R-CHANGE)."""
    if changes is None:
        changes = list(grant.changes.all())
    departed = departure_dates(changes)
    partners = sorted(
        ApplicationPartner.objects.filter(application_id=grant.application_id).select_related(
            "organisation"
        ),
        key=lambda p: (p.role != PartnerRole.COORDINATOR, p.pk),
    )
    for partner in partners:
        partner.left_on = departed.get(partner.organisation_id)
    return partners


# --- Cost statements -----------------------------------------------------------------------------


@dataclass
class Totals:
    """Reported (not rejected), accepted, pending and rejected amounts of a group of lines."""

    label: str = ""
    reported: Decimal = ZERO
    accepted: Decimal = ZERO
    pending: Decimal = ZERO
    rejected: Decimal = ZERO
    count: int = 0

    def add(self, line) -> None:
        self.count += 1
        if line.status == LineStatus.ACCEPTED:
            self.accepted += line.amount
            self.reported += line.amount
        elif line.status == LineStatus.PENDING:
            self.pending += line.amount
            self.reported += line.amount
        else:
            self.rejected += line.amount


@dataclass
class CostOverview:
    """Everything the cost page shows: the lines, totals per partner and per category, and the
    shares of the approved total cost."""

    lines: list
    partners: list
    per_partner: list[Totals]
    per_category: list[Totals]
    total: Totals
    approved_total_cost: Decimal
    pending_ids: list[int] = field(default_factory=list)

    @property
    def reported_share(self) -> Decimal:
        return rules_costs.share(self.total.reported, self.approved_total_cost)

    @property
    def accepted_share(self) -> Decimal:
        return rules_costs.share(self.total.accepted, self.approved_total_cost)

    @property
    def reported_share_text(self) -> str:
        return format_share(self.reported_share)

    @property
    def accepted_share_text(self) -> str:
        return format_share(self.accepted_share)


def cost_lines(grant):
    return (
        CostStatementLine.objects.filter(grant=grant)
        .select_related("partner__organisation", "created_by", "checked_by")
        .order_by("date", "pk")
    )


def cost_overview(grant, partners=None) -> CostOverview:
    """R-COSTS: the grant's lines with their totals, in three queries whatever their number."""
    lines = list(cost_lines(grant))
    if partners is None:
        partners = grant_partners(grant)
    by_partner = {p.pk: Totals(label=p.organisation.name) for p in partners}
    by_category = {value: Totals(label=label) for value, label in CostCategory.choices}
    total = Totals()
    for line in lines:
        by_partner.setdefault(line.partner_id, Totals(label=line.partner.organisation.name)).add(
            line
        )
        by_category.setdefault(line.category, Totals(label=line.category)).add(line)
        total.add(line)
    return CostOverview(
        lines=lines,
        partners=partners,
        per_partner=list(by_partner.values()),
        per_category=list(by_category.values()),
        total=total,
        approved_total_cost=grant.approved_total_cost,
        pending_ids=[line.pk for line in lines if line.status == LineStatus.PENDING],
    )


# --- Changes (R-CHANGE) --------------------------------------------------------------------------


def proposed_summary(change: ChangeRequest) -> str:
    """What a change proposes, in words, e.g. "New end date: 30/06/2029"."""
    proposed = change.proposed or {}
    if change.kind == ChangeKind.LATER_END and proposed.get("end_date"):
        return gettext("New end date: %(day)s") % {
            "day": short_date(date.fromisoformat(proposed["end_date"]))
        }
    if change.kind == ChangeKind.BUDGET_SHIFT:
        if proposed.get("approved_total_cost"):
            return gettext("New approved total cost: %(amount)s") % {
                "amount": euro(Decimal(proposed["approved_total_cost"]))
            }
        return gettext("The approved total cost stays the same.")
    if change.kind == ChangeKind.PARTNER_JOINS:
        return gettext("%(name)s joins as %(role)s") % {
            "name": proposed.get("organisation_name", ""),
            "role": PartnerRole(proposed["role"]).label if proposed.get("role") else "",
        }
    if change.kind == ChangeKind.PARTNER_LEAVES:
        return gettext("%(name)s leaves the project") % {
            "name": proposed.get("organisation_name", "")
        }
    return ""


def change_requests(grant) -> list[ChangeRequest]:
    """R-CHANGE: the grant's change requests, newest first, each with its `summary`."""
    changes = list(
        ChangeRequest.objects.filter(grant=grant)
        .select_related("requested_by", "decided_by")
        .order_by("-requested_at", "-pk")
    )
    for change in changes:
        change.summary = proposed_summary(change)
    return changes


@dataclass(frozen=True)
class BaselineChange:
    """One version of the grant's baseline next to the one before it (R-CHANGE)."""

    when: object
    who: object
    reason: str
    changes: list  # (field label, before, after, kind) tuples; kind is "date" or "money"


def baseline_history(grant) -> list[BaselineChange]:
    """R-CHANGE: every version of the grant's baseline with what changed, newest first. A
    version without a baseline difference (e.g. a partner who left) shows with its reason."""
    records = list(grant.history.select_related("history_user").order_by("history_date", "pk"))
    labels = {name: Grant._meta.get_field(name).verbose_name for name in BASELINE_FIELDS}
    kinds = {
        "start_date": "date",
        "end_date": "date",
        "approved_total_cost": "money",
        "income": "money",
    }
    versions = []
    for before, after in zip(records, records[1:], strict=False):
        changes = [
            (labels[name], getattr(before, name), getattr(after, name), kinds[name])
            for name in BASELINE_FIELDS
            if getattr(before, name) != getattr(after, name)
        ]
        reason = after.history_change_reason or ""
        if changes or reason.startswith("R-CHANGE"):
            versions.append(
                BaselineChange(
                    when=after.history_date, who=after.history_user, reason=reason, changes=changes
                )
            )
    versions.reverse()
    return versions


def latest_possible_end(grant):
    """R-CHANGE, R-DUR: the latest end date a later-end change may ask for."""
    return latest_end(grant.start_date, grant.call.max_duration_months)


# --- Export --------------------------------------------------------------------------------------


def cost_lines_workbook(grant) -> bytes:
    """R-COSTS: the grant's lines as an xlsx for finance: one row per line, amounts as numbers,
    dates as dates, with the check and its reason."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = gettext("Cost lines")[:31]
    append_row(sheet, [f"{grant.reference} – {grant.application.title}"])
    append_row(
        sheet,
        [
            gettext("Project period"),
            f"{short_date(grant.start_date)} – {short_date(grant.end_date)}",
        ],
    )
    append_row(sheet, [gettext("Approved total cost"), grant.approved_total_cost])
    sheet.cell(row=sheet.max_row, column=2).number_format = "#,##0.00 €"
    append_row(sheet, [])
    append_row(
        sheet,
        [
            gettext("Date"),
            gettext("Partner"),
            gettext("Category"),
            gettext("Description"),
            gettext("Amount"),
            gettext("Status"),
            gettext("Reason"),
            gettext("Reported by"),
            gettext("Reported"),
            gettext("Checked by"),
            gettext("Checked"),
            gettext("Evidence"),
        ],
    )
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    header_row = sheet.max_row
    for line in cost_lines(grant):
        append_row(
            sheet,
            [
                line.date,
                line.partner.organisation.name,
                line.get_category_display(),
                line.description,
                line.amount,
                line.get_status_display(),
                line.reason,
                str(line.created_by),
                short_datetime(line.created_at),
                str(line.checked_by) if line.checked_by else "",
                short_datetime(line.checked_at),
                line.evidence.name.rsplit("/", 1)[-1],
            ],
        )
        sheet.cell(row=sheet.max_row, column=1).number_format = "DD/MM/YYYY"
        sheet.cell(row=sheet.max_row, column=5).number_format = "#,##0.00 €"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    for letter, width in zip(
        "ABCDEFGHIJKL", (12, 30, 28, 40, 14, 18, 40, 24, 17, 24, 17, 30), strict=True
    ):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
