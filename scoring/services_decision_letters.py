"""The decision letters: approval or rejection, once the Government's decision is recorded.

R-LETTER (SPEC.md §6): a PDF in Dutch, stored with the dossier and e-mailed to the lead applicant.
An approval names the awarded amount, the project period, the latest start (R-START), the
conditions set by the decision and the tranche schedule with its amounts (R-TR, SPEC.md §9); a
rejection gives the scores per section and the reason: a threshold not met (R-THRESH) or the
envelope exhausted with the position on the reserve list.

`record_decision` queues `scoring.tasks.issue_decision_letters` after its commit; that task queues
one `issue_decision_letter` task per missing letter, so every process of the worker renders
letters. The catch-up runs `issue_decision_letters`, which issues only what is missing.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import ApplicationStatus
from applications.rules import add_months
from cot_portal.accounts.selectors import organisation_emails
from cot_portal.letters.services import issue_letter

from . import ranking
from .models import DecisionOutcome, DecisionReason, GovernmentDecision


def decision_letter_recipients(application) -> list[str]:
    """The members of the lead applicant's organisation and the person who started it."""
    return organisation_emails(application.organisation, application.created_by)


def section_rows(outcome: DecisionOutcome) -> list[dict]:
    """The section scores A, B, C as they stood in the advice, with their maxima (R-SCORE).

    Plain values for a letter or a page: `code`, `label`, `score`, `max` (Decimals or None).
    """
    rows = []
    for code in ranking.SECTIONS:
        values = (outcome.sections or {}).get(code) or {}
        rows.append(
            {
                "code": code,
                "label": ranking.SECTION_LABELS[code],
                "score": _decimal_or_none(values.get("score")),
                "max": _decimal_or_none(values.get("max")),
            }
        )
    return rows


def total_maximum(rows: list[dict]) -> Decimal | None:
    maxima = [row["max"] for row in rows]
    if any(m is None for m in maxima):
        return None
    return sum(maxima, Decimal("0"))


def _decimal_or_none(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def tranche_rows(outcome: DecisionOutcome) -> list[dict]:
    """R-TR: the three tranches of the award with their share and amount (SPEC.md §9).

    Tranche 1 and 2 are rounded half up to the cent; tranche 3 takes the remainder, so the three
    add up to the awarded amount exactly (`ranking.tranche_schedule`).
    """
    call = outcome.application.call
    amounts = ranking.tranche_schedule(outcome.awarded, call.tranche_1_share, call.tranche_2_share)
    shares = (
        call.tranche_1_share,
        call.tranche_2_share,
        Decimal("1") - call.tranche_1_share - call.tranche_2_share,
    )
    return [
        {"number": n, "share": ranking.format_share(share), "amount": amount}
        for n, (share, amount) in enumerate(zip(shares, amounts, strict=True), start=1)
    ]


def _approval_context(outcome: DecisionOutcome) -> dict:
    application = outcome.application
    call = application.call
    decision = outcome.decision
    end = application.end_date
    return {
        "tranches": tranche_rows(outcome),
        "reduced": outcome.requested != outcome.awarded,
        # R-START: at the latest `start_window_months` (6) months after the award.
        "latest_start": add_months(decision.decision_date, call.start_window_months),
        "start_window_months": call.start_window_months,
        "tranche_2_cost_share": ranking.format_share(call.tranche_2_min_cost_share),
        "final_request_months": call.final_request_months,
        # R-TR3: requested within `final_request_months` (3) months after the project end.
        "final_request_by": add_months(end, call.final_request_months) if end else None,
    }


def _rejection_context(outcome: DecisionOutcome) -> dict:
    rows = section_rows(outcome)
    call = outcome.application.call
    return {
        "section_share": ranking.format_share(call.section_threshold_share),
        "total_share": ranking.format_share(call.total_threshold_share),
        "sections": rows,
        "total_maximum": total_maximum(rows),
        "threshold": outcome.reason == DecisionReason.THRESHOLD,
        "reserve": outcome.reason == DecisionReason.RESERVE,
    }


def decision_letter(outcome: DecisionOutcome) -> tuple[str, str, dict]:
    """The subject, template and context of an outcome's letter: approval or rejection."""
    application = outcome.application
    reference = application.reference
    context = {
        "addressee": application.organisation,
        "letter_date": timezone.now(),
        "reference": reference,
        "application": application,
        "call": application.call,
        "decision": outcome.decision,
        "outcome": outcome,
    }
    if outcome.approved:
        subject = _("Your application %(reference)s is approved") % {"reference": reference}
        context.update(_approval_context(outcome))
        return subject, "scoring/letters/approval.html", {**context, "subject": subject}
    subject = _("Your application %(reference)s is not approved") % {"reference": reference}
    context.update(_rejection_context(outcome))
    return subject, "scoring/letters/rejection.html", {**context, "subject": subject}


def issue_decision_letter(outcome_id: int, *, created_by=None):
    """Render, store and e-mail the decision letter of one application (R-LETTER, R-TR).

    Idempotent: the outcome row is locked and an outcome that already has a letter is skipped,
    so a retried or duplicated task issues one letter (and `issue_letter` e-mails it once, after
    the commit). Returns the letter, or None when there was nothing to do.
    """
    with transaction.atomic():
        outcome = (
            DecisionOutcome.objects.select_for_update(of=("self",))
            .select_related(
                "decision",
                "application",
                "application__call",
                "application__organisation",
                "application__created_by",
            )
            .filter(pk=outcome_id)
            .first()
        )
        if outcome is None or outcome.letter_id is not None:
            return None
        application = outcome.application
        expected = ApplicationStatus.APPROVED if outcome.approved else ApplicationStatus.REJECTED
        if application.status != expected:
            return None
        subject, template_name, context = decision_letter(outcome)
        letter = issue_letter(
            kind="decision",
            subject=subject,
            template_name=template_name,
            context=context,
            organisation=application.organisation,
            recipients=decision_letter_recipients(application),
            body=subject,
            about=application,
            created_by=created_by,
            filename=f"beslissing-{application.reference}.pdf",
        )
        outcome.letter = letter
        outcome.save(update_fields=["letter"])
        return letter


def missing_decision_letters(call_id: int) -> list[int]:
    """The outcomes of a call's decision that have no letter yet (none without a decision)."""
    if not GovernmentDecision.objects.filter(call_id=call_id).exists():
        return []
    return list(
        DecisionOutcome.objects.filter(decision__call_id=call_id, letter__isnull=True)
        .order_by("rank")
        .values_list("pk", flat=True)
    )


def issue_decision_letters(call_id: int) -> int:
    """Issue every missing decision letter of a call's decision; returns how many were issued."""
    return sum(issue_decision_letter(pk) is not None for pk in missing_decision_letters(call_id))
