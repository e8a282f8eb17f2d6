"""Reads of the grant area: the list of projects and the project page (issue 8; R-TR).

Each read fetches its rows with select_related / prefetch_related, so the number of queries does
not grow with the number of tranches, requests, agreements, reports or payments.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.rules import Check
from cot_portal.accounts.permissions import member_organisation_ids
from cot_portal.formatting import euro, short_date

from . import conditions, rules
from .models import (
    CheckStatus,
    ContentReport,
    CooperationAgreement,
    Grant,
    Payment,
    PaymentStatus,
    ReportKind,
    RequestStatus,
    Tranche,
    TrancheRequest,
    TrancheStatus,
)

# --- Lists --------------------------------------------------------------------------------------


def _grants():
    return (
        Grant.objects.select_related("application", "call", "organisation")
        .prefetch_related(Prefetch("tranches", queryset=Tranche.objects.order_by("number")))
        .order_by("-decision_date", "reference")
    )


def own_grants(user):
    """The grants of the organisations `user` is a member of: lead applicant or partner."""
    orgs = member_organisation_ids(user)
    if not orgs:
        return Grant.objects.none()
    ids = Grant.objects.filter(
        Q(organisation_id__in=orgs) | Q(application__partners__organisation_id__in=orgs)
    ).values("pk")
    return _grants().filter(pk__in=ids)


def grants_for_user(user):
    """The project list: every grant for finance and the call manager, else the user's own."""
    if user.has_perm("payments.view_grant_list"):
        return _grants()
    return own_grants(user)


# --- The project page ---------------------------------------------------------------------------


@dataclass
class TrancheRow:
    """One line of the tranche schedule: its amount, status and what it still needs."""

    tranche: Tranche
    checks: list[Check]
    may_request: bool
    missing: list[str]
    available_from: date | None
    deadline: date | None
    requests: list[TrancheRequest]
    paid: Payment | None

    @property
    def is_open(self) -> bool:
        return self.tranche.status == TrancheStatus.OPEN

    @property
    def last_request(self) -> TrancheRequest | None:
        return self.requests[-1] if self.requests else None


@dataclass(frozen=True)
class Event:
    """One line of the project's history."""

    when: datetime
    text: str
    who: object = None
    note: str = ""
    date_only: bool = False  # a day without a time (the decision)


@dataclass
class ProjectPage:
    grant: Grant
    facts: conditions.GrantFacts
    today: date
    rows: list[TrancheRow]
    agreements: list[CooperationAgreement]
    latest_agreement: CooperationAgreement | None
    reports: dict[str, list[ContentReport]]
    latest_reports: dict[str, ContentReport | None]
    kpis: list = field(default_factory=list)
    history: list[Event] = field(default_factory=list)

    @property
    def halfway(self) -> date:
        return rules.halfway(self.grant.start_date, self.grant.end_date)

    @property
    def final_deadline(self) -> date:
        return conditions.final_deadline(self.grant)

    @property
    def conditions_pending(self) -> bool:
        return bool(self.grant.conditions.strip()) and self.grant.conditions_met_at is None

    @property
    def start_fixed(self) -> bool:
        """R-START: the start date no longer changes once tranche 1 is requested."""
        return self.grant.actual_start_date is not None and not self.rows[0].is_open


def grant_for_page(reference: str) -> Grant:
    """The grant with everything its page shows, in a fixed number of queries (or DoesNotExist)."""
    return (
        Grant.objects.select_related(
            "application", "call", "organisation", "conditions_met_by", "decision_outcome"
        )
        .prefetch_related(
            Prefetch(
                "tranches",
                queryset=Tranche.objects.order_by("number").prefetch_related(
                    Prefetch(
                        "requests",
                        queryset=TrancheRequest.objects.select_related(
                            "requested_by", "decided_by"
                        ).order_by("requested_at", "pk"),
                    ),
                    Prefetch(
                        "payments",
                        queryset=Payment.objects.select_related("approved_by").order_by(
                            "proposed_at", "pk"
                        ),
                    ),
                ),
            ),
            Prefetch(
                "agreements",
                queryset=CooperationAgreement.objects.select_related(
                    "uploaded_by", "checked_by"
                ).order_by("uploaded_at", "pk"),
            ),
            Prefetch(
                "reports",
                queryset=ContentReport.objects.select_related(
                    "submitted_by", "checked_by"
                ).order_by("submitted_at", "pk"),
            ),
            "application__kpis",
        )
        .get(reference=reference)
    )


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _history(grant: Grant, rows: list[TrancheRow], agreements, reports) -> list[Event]:
    """What happened, oldest first: decision, start, checks, uploads, requests, payments."""
    events = [
        Event(
            _at(grant.decision_date),
            _("The Flemish Government awarded %(amount)s.") % {"amount": euro(grant.awarded)},
            date_only=True,
        )
    ]
    previous_start = None
    for record in grant.history.select_related("history_user").order_by(
        "history_date", "history_id"
    ):
        if record.actual_start_date != previous_start and record.actual_start_date is not None:
            events.append(
                Event(
                    record.history_date,
                    _("Actual start date set to %(day)s.")
                    % {"day": short_date(record.actual_start_date)},
                    record.history_user,
                )
            )
        previous_start = record.actual_start_date
    if grant.conditions_met_at:
        events.append(
            Event(
                grant.conditions_met_at,
                _("VLAIO confirmed that the decision's conditions are met."),
                grant.conditions_met_by,
            )
        )
    for agreement in agreements:
        events.append(
            Event(
                agreement.uploaded_at,
                _("Signed cooperation agreement uploaded."),
                agreement.uploaded_by,
            )
        )
        if agreement.checked_at:
            events.append(
                Event(
                    agreement.checked_at,
                    _("Cooperation agreement accepted.")
                    if agreement.status == CheckStatus.ACCEPTED
                    else _("Cooperation agreement refused."),
                    agreement.checked_by,
                    agreement.note,
                )
            )
    for report in reports:
        label = ReportKind(report.kind).label
        events.append(
            Event(
                report.submitted_at,
                _("Submitted: %(kind)s.") % {"kind": label},
                report.submitted_by,
            )
        )
        if report.checked_at:
            events.append(
                Event(
                    report.checked_at,
                    (
                        _("Accepted: %(kind)s.")
                        if report.status == CheckStatus.ACCEPTED
                        else _("Refused: %(kind)s.")
                    )
                    % {"kind": label},
                    report.checked_by,
                    report.note,
                )
            )
    for row in rows:
        number = row.tranche.number
        for request in row.requests:
            events.append(
                Event(
                    request.requested_at,
                    (
                        _("Tranche %(n)s requested after the deadline.")
                        if request.late
                        else _("Tranche %(n)s requested.")
                    )
                    % {"n": number},
                    request.requested_by,
                )
            )
            if request.decided_at and request.status == RequestStatus.REFUSED:
                events.append(
                    Event(
                        request.decided_at,
                        _("The request for tranche %(n)s was refused.") % {"n": number},
                        request.decided_by,
                        request.reason,
                    )
                )
            elif request.decided_at and request.status == RequestStatus.ACCEPTED:
                events.append(
                    Event(
                        request.decided_at,
                        _("The request for tranche %(n)s was accepted.") % {"n": number},
                        request.decided_by,
                    )
                )
        if row.paid is not None and row.paid.decided_at:
            events.append(
                Event(
                    row.paid.decided_at,
                    _("Tranche %(n)s paid: %(amount)s.")
                    % {"n": number, "amount": euro(row.paid.amount)},
                )
            )
    return sorted(events, key=lambda e: e.when)


def kpi_rows(kpis, values: dict) -> list[tuple]:
    """R-KPI: (kpi, reported value or None) per KPI of the application, in its order."""
    rows = []
    for kpi in kpis:
        raw = (values or {}).get(str(kpi.pk))
        rows.append((kpi, Decimal(raw) if raw not in (None, "") else None))
    return rows


def project_page(grant: Grant, today: date) -> ProjectPage:
    """Everything the project page shows, from a grant fetched by `grant_for_page`."""
    facts = conditions.grant_facts(grant)
    rows = []
    for tranche in grant.tranches.all():
        checks = conditions.checks_for(tranche.number, grant, facts, today)
        available_from, deadline = conditions.tranche_dates(grant, tranche.number)
        paid = next((p for p in tranche.payments.all() if p.status == PaymentStatus.RELEASED), None)
        rows.append(
            TrancheRow(
                tranche=tranche,
                checks=checks,
                may_request=rules.may_request(checks),
                missing=conditions.missing(checks),
                available_from=available_from,
                deadline=deadline,
                requests=list(tranche.requests.all()),
                paid=paid,
            )
        )
    agreements = list(grant.agreements.all())
    reports = list(grant.reports.all())
    kpis = list(grant.application.kpis.all())
    for report in reports:
        report.kpi_rows = kpi_rows(kpis, report.kpi_values)
    by_kind = {kind: [r for r in reports if r.kind == kind] for kind in ReportKind.values}
    return ProjectPage(
        grant=grant,
        facts=facts,
        today=today,
        rows=rows,
        agreements=agreements,
        latest_agreement=conditions.latest_agreement(grant),
        reports=by_kind,
        latest_reports=conditions.latest_reports(grant),
        kpis=kpis,
        history=_history(grant, rows, agreements, reports),
    )
