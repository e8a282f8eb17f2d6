"""The facts behind a tranche's conditions, gathered from the database (R-TR1, R-TR2, R-TR3).

`tranche_checks(tranche, today)` is what the project page, the tranche request and finance's
check all show: the pure rules of `payments.rules` applied to what the grant's rows say now.

    checks = tranche_checks(tranche, timezone.localdate())
    if rules.may_request(checks): ...

The facts are read through the grant's related managers, so a grant fetched with
`prefetch_related("agreements", "reports", "tranches")` costs one query more (the sum of the
reported costs) whatever the number of rows; `selectors_grant.project_page` does that.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from applications.rules import Check

from . import rules
from .models import CheckStatus, ReportKind, TrancheStatus
from .selectors_costs import reported_cost

END_RESULT_FIELDS = ("award_report", "framework_agreement", "playbook")


@dataclass(frozen=True)
class GrantFacts:
    """What the tranche rules need to know about one grant, as plain values."""

    started_on: date | None
    conditions: str
    conditions_met: bool
    agreement: str  # status of the latest agreement: "accepted", "submitted", "refused" or ""
    interim_report: str  # "accepted", "submitted" or "" (none, or the latest was refused)
    final_report: str  # idem
    end_results: bool  # the counted final report carries the three end-result files
    reported_costs: Decimal  # R-TR2: cost lines not rejected
    paid: frozenset[int]  # numbers of the tranches that are paid


def _latest(rows):
    return max(rows, key=lambda row: (row[0], row[1]), default=None)


def latest_agreement(grant):
    """R-COOP: the agreement that counts — the newest upload supersedes the earlier ones."""
    rows = [(a.uploaded_at, a.pk, a) for a in grant.agreements.all()]
    latest = _latest(rows)
    return latest[2] if latest else None


def latest_reports(grant) -> dict[str, object]:
    """The newest report of each kind (interim, final) — it supersedes the earlier ones."""
    found = {}
    for kind in ReportKind.values:
        latest = _latest([(r.submitted_at, r.pk, r) for r in grant.reports.all() if r.kind == kind])
        found[kind] = latest[2] if latest else None
    return found


def _delivered(report) -> str:
    if report is None or report.status == CheckStatus.REFUSED:
        return ""
    return report.status


def reported_costs(grant) -> Decimal:
    """R-TR2: the sum of the grant's cost statement lines that finance did not reject."""
    return reported_cost(grant)


def grant_facts(grant, *, costs: Decimal | None = None) -> GrantFacts:
    """The facts of `grant` now; pass `costs` when the caller already summed the cost lines."""
    agreement = latest_agreement(grant)
    reports = latest_reports(grant)
    final = reports[ReportKind.FINAL]
    final_status = _delivered(final)
    return GrantFacts(
        started_on=grant.actual_start_date,
        conditions=grant.conditions or "",
        conditions_met=grant.conditions_met_at is not None,
        agreement=agreement.status if agreement else "",
        interim_report=_delivered(reports[ReportKind.INTERIM]),
        final_report=final_status,
        end_results=bool(final_status) and all(getattr(final, f) for f in END_RESULT_FIELDS),
        reported_costs=reported_costs(grant) if costs is None else costs,
        paid=frozenset(t.number for t in grant.tranches.all() if t.status == TrancheStatus.PAID),
    )


def final_deadline(grant) -> date:
    """R-TR3: tranche 3 is requested within the call's months (3) after the project end."""
    return rules.final_request_deadline(grant.end_date, grant.call.final_request_months)


def tranche_dates(grant, number: int) -> tuple[date | None, date | None]:
    """(from, by) of a tranche request: T1 from the actual start, T2 from halfway through the
    project (R-TR2), T3 from the day after the end until the final-request deadline (R-TR3)."""
    if number == 1:
        return grant.actual_start_date, None
    if number == 2:
        return rules.halfway(grant.start_date, grant.end_date), None
    return grant.end_date + timedelta(days=1), final_deadline(grant)


def checks_for(number: int, grant, facts: GrantFacts, today: date) -> list[Check]:
    """R-TR1 / R-TR2 / R-TR3: the conditions of tranche `number` of `grant` from `facts`."""
    if number == 1:
        return rules.tranche1_checks(
            started_on=facts.started_on,
            today=today,
            conditions=facts.conditions,
            conditions_met=facts.conditions_met,
            agreement_accepted=facts.agreement == CheckStatus.ACCEPTED,
            agreement_submitted=facts.agreement == CheckStatus.SUBMITTED,
        )
    if number == 2:
        return rules.tranche2_checks(
            today=today,
            start=grant.start_date,
            end=grant.end_date,
            interim_report=facts.interim_report,
            reported_costs=facts.reported_costs,
            approved_total=grant.approved_total_cost,
            minimum_share=grant.call.tranche_2_min_cost_share,
            tranche1_paid=1 in facts.paid,
        )
    return rules.tranche3_checks(
        today=today,
        end=grant.end_date,
        deadline=final_deadline(grant),
        final_report=facts.final_report,
        end_results=facts.end_results,
        tranche2_paid=2 in facts.paid,
    )


def tranche_checks(tranche, today: date) -> list[Check]:
    """R-TR1/R-TR2/R-TR3: the conditions of `tranche` on `today`, with their figures.

    Reads the grant's start, confirmed conditions, latest agreement, reports, cost lines and
    paid tranches from the database. Finance calls this to show the conditions at check time.
    """
    grant = tranche.grant
    return checks_for(tranche.number, grant, grant_facts(grant), today)


def checks_as_json(checks: list[Check]) -> list[dict]:
    """The checks as stored on a TrancheRequest: [{rule, ok, message, warning}]."""
    return [
        {"rule": c.rule, "ok": bool(c.ok), "message": str(c.message), "warning": bool(c.warning)}
        for c in checks
    ]


def missing(checks: list[Check]) -> list[str]:
    """What still blocks a request: the messages of the conditions not met (no warnings)."""
    return [str(c.message) for c in checks if not (c.ok or c.warning)]
