"""Settlement (R-SETTLE), recovery and the stop decision (R-STOP) — issue 8.

Who acts:
- **A finance officer settles** (`payments.settle_grant`: a finance officer who is not a member
  of the beneficiary or a partner). The settlement is a computation on the accepted costs that
  finance itself checked, and its balance is either the tranche-3 payment finance proposes or a
  recovery finance books; the call manager is not needed for it.
- **The call manager stops** (`payments.stop_grant`, unconflicted): a stop is a motivated
  decision on the project, not a computation.

Letters (R-LETTER; Dutch PDFs through `cot_portal.letters`, e-mailed once after the commit to
the lead applicant's members): a settlement always issues one letter of kind "settlement" with
the computation. When the balance is negative the same letter is the recovery letter (the
amount to pay back, VLAIO's account, the structured communication and the 30-day term): one
document carries the computation and the claim it leads to, so `Settlement.letter` and
`Recovery.letter` point to the same letter. A stop issues one letter of kind "stop", which
carries the repayment claim when there is one (then `Recovery.letter` is that letter). Letters
are "about" the grant, so the project page can list every letter of a grant.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cot_portal.accounts.selectors import organisation_emails
from cot_portal.formatting import euro
from cot_portal.letters.services import issue_letter

from . import rules
from .errors import PaymentsError
from .models import (
    CostStatementLine,
    Grant,
    GrantStatus,
    LedgerEntry,
    LedgerKind,
    Payment,
    PaymentStatus,
    Recovery,
    RecoveryReason,
    RequestStatus,
    Settlement,
    StopDecision,
    StopReason,
    Tranche,
    TrancheRequest,
    TrancheStatus,
)
from .rules_settlement import PAYMENT_TERM_DAYS, payment_due, structured_communication
from .selectors_settlement import paid_total, settlement_preview

ZERO = Decimal("0")


def vlaio_account() -> dict:
    """The bank account a beneficiary pays a recovery into (name, IBAN, BIC)."""
    return {
        "name": settings.COT_VLAIO_ACCOUNT_NAME,
        "iban": settings.COT_VLAIO_IBAN,
        "bic": settings.COT_VLAIO_BIC,
    }


def _locked_grant(grant) -> Grant:
    return (
        Grant.objects.select_for_update(of=("self",))
        .select_related("call", "organisation", "application", "application__created_by")
        .get(pk=grant.pk)
    )


def _recipients(grant) -> list[str]:
    return organisation_emails(grant.organisation, grant.application.created_by)


def _recovery_with_entry(*, grant, reason, amount, motivation, user, now, description) -> Recovery:
    """A `terugvordering` and its append-only ledger entry (R-SETTLE, R-STOP)."""
    recovery = Recovery.objects.create(
        grant=grant,
        reason=reason,
        amount=amount,
        motivation=motivation,
        created_by=user,
        created_at=now,
    )
    LedgerEntry.objects.create(
        grant=grant,
        kind=LedgerKind.RECOVERY,
        amount=amount,
        recovery=recovery,
        description=description[:300],
        created_by=user,
        created_at=now,
    )
    return recovery


def _recovery_context(recovery: Recovery, now) -> dict:
    return {
        "recovery": recovery,
        "account": vlaio_account(),
        "communication": structured_communication(recovery.pk),
        "due_date": payment_due(timezone.localdate(now)),
        "payment_term_days": PAYMENT_TERM_DAYS,
    }


def _issue_grant_letter(grant, kind, *, subject, context, recovery, body, user, now, filename):
    """The settlement or stop letter (template payments/letters/<kind>.html) to the lead
    applicant, with the grant's heading and, when there is one, the recovery's payment details."""
    context = {
        "addressee": grant.organisation,
        "letter_date": now,
        "reference": grant.reference,
        "grant": grant,
        "application": grant.application,
        "call": grant.call,
        **context,
    }
    if recovery is not None:
        context.update(_recovery_context(recovery, now))
    return issue_letter(
        kind=kind,
        subject=subject,
        template_name=f"payments/letters/{kind}.html",
        context=context,
        organisation=grant.organisation,
        recipients=_recipients(grant),
        body=body,
        about=grant,
        created_by=user,
        filename=filename,
    )


# --- R-SETTLE -----------------------------------------------------------------------------------


def settle_grant(grant, user) -> Settlement:
    """R-SETTLE: compute the final support of a grant, store it, and settle the grant.

    Allowed for an unconflicted finance officer when the grant is running, tranche 3 has been
    requested (R-TR3), no other tranche is still being paid and no cost line waits for its
    check (R-COSTS). final = min(awarded, floor_cent(rate × accepted cost), accepted cost −
    income); balance = final − paid (the ledger's payments). Then:

    - balance < 0: a Recovery of exactly −balance with its ledger entry; tranche 3 is cancelled;
    - balance = 0: tranche 3 is cancelled and its request accepted (nothing is left to pay);
    - balance > 0: tranche 3 stays requested; finance proposes its payment of the balance.

    The settlement letter (with the recovery when there is one) goes to the lead applicant.
    Raises PermissionDenied for anybody else and PaymentsError with the reasons when the grant
    cannot be settled now (e.g. it was settled already).
    """
    with transaction.atomic():
        grant = _locked_grant(grant)
        if not user.has_perm("payments.settle_grant", grant):
            raise PermissionDenied
        tranches = list(Tranche.objects.select_for_update().filter(grant=grant).order_by("number"))
        # Lock the cost lines: a line accepted or rejected meanwhile would change the sum.
        list(CostStatementLine.objects.select_for_update().filter(grant=grant).values_list("pk"))
        preview = settlement_preview(grant, tranches=tranches)
        if preview.blockers:
            raise PaymentsError(_("This grant cannot be settled now:"), problems=preview.blockers)
        return _record_settlement(grant, tranches, preview, user)


@translation.override("nl")
def _record_settlement(grant, tranches, preview, user) -> Settlement:
    """Store the settlement, its recovery and its letter (Dutch records and letter)."""
    now = timezone.now()
    figures = preview.figures
    settlement = Settlement.objects.create(
        grant=grant,
        accepted_cost=preview.accepted_cost,
        income=preview.income,
        final_support=figures.final_support,
        paid_before=preview.paid,
        balance=figures.balance,
        computed_by=user,
        computed_at=now,
    )
    grant.mark_settled()
    grant._change_reason = f"settled by {user.email}"
    grant.save()
    recovery = None
    if figures.balance < ZERO:
        recovery = _recovery_with_entry(
            grant=grant,
            reason=RecoveryReason.SETTLEMENT,
            amount=figures.recovery,
            motivation=_(
                "Final support %(final)s; paid %(paid)s; to pay back %(amount)s (R-SETTLE)."
            )
            % {
                "final": euro(figures.final_support),
                "paid": euro(preview.paid),
                "amount": euro(figures.recovery),
            },
            user=user,
            now=now,
            description=_("Recovery after the settlement of %(reference)s")
            % {"reference": grant.reference},
        )
    last = next(t for t in tranches if t.number == 3)
    if figures.balance <= ZERO:
        _close_final_tranche(last, user, now)
    letter = _issue_settlement_letter(grant, settlement, preview, recovery, user, now)
    settlement.letter = letter
    settlement.save(update_fields=["letter"])
    if recovery is not None:
        recovery.letter = letter
        recovery.save(update_fields=["letter"])
    return settlement


def _close_final_tranche(tranche: Tranche, user, now) -> None:
    """Nothing is left to pay: tranche 3 is cancelled, and its request (the final report and
    dossier) is accepted — the settlement was its answer."""
    for request in TrancheRequest.objects.select_for_update().filter(
        tranche=tranche, status=RequestStatus.SENT
    ):
        request.status = RequestStatus.ACCEPTED
        request.decided_by = user
        request.decided_at = now
        request.reason = _("Settled: the final support leaves nothing to pay for tranche 3.")
        request.save()
    tranche.mark_cancelled()
    tranche._change_reason = "settlement leaves nothing to pay"
    tranche.save()


def _issue_settlement_letter(grant, settlement, preview, recovery, user, now):
    reference = grant.reference
    if recovery is not None:
        subject = _("Settlement of %(reference)s and recovery of %(amount)s") % {
            "reference": reference,
            "amount": euro(recovery.amount),
        }
    else:
        subject = _("Settlement of your project %(reference)s") % {"reference": reference}
    context = {
        "settlement": settlement,
        "caps": preview.caps,
        "rate": preview.rate,
        "tranches": [row for row in preview.tranches if row.paid > ZERO],
        "final_request_months": grant.call.final_request_months,
    }
    return _issue_grant_letter(
        grant,
        "settlement",
        subject=subject,
        context=context,
        recovery=recovery,
        body=_(
            "Dear,\n\nAttached is the settlement of the project %(reference)s. For questions, "
            "contact us at cityofthings@vlaio.be, quoting the reference.\n\nThe City of Things team, VLAIO"
        )
        % {"reference": reference},
        user=user,
        now=now,
        filename=f"afrekening-{reference}.pdf",
    )


# --- R-STOP -------------------------------------------------------------------------------------


def stop_grant(grant, reason, motivation, repayment, manager) -> StopDecision:
    """R-STOP: the call manager stops the support with a motivation and may claim repayment.

    The repayment lies between € 0 and what was paid (`rules.stop_repayment_error`). Every
    tranche not yet paid is cancelled; a payment that was only proposed is rejected with a note
    and a request that waits for finance is refused, so nothing more is paid. A repayment above
    € 0 is a Recovery with its ledger entry. The stop letter (with the claim, if any) goes to the
    lead applicant. Raises PermissionDenied for anybody but an unconflicted call manager and
    PaymentsError (with the form field) for a refused input or a grant that no longer runs.
    """
    motivation = (motivation or "").strip()
    repayment = repayment if repayment is not None else ZERO
    with transaction.atomic():
        grant = _locked_grant(grant)
        if not manager.has_perm("payments.stop_grant", grant):
            raise PermissionDenied
        if grant.status != GrantStatus.ACTIVE:
            raise PaymentsError(
                _("The grant is %(status)s; only a running grant can be stopped.")
                % {"status": grant.get_status_display().lower()}
            )
        if reason not in StopReason.values:
            raise PaymentsError(_("Choose the reason of the stop."), field="reason")
        if not motivation:
            raise PaymentsError(_("Motivate the stop decision."), field="motivation")
        tranches = list(Tranche.objects.select_for_update().filter(grant=grant).order_by("number"))
        paid = paid_total(grant)
        problem = rules.stop_repayment_error(repayment, paid)
        if problem:
            raise PaymentsError(problem, field="repayment")
        return _record_stop(grant, tranches, reason, motivation, repayment, paid, manager)


@translation.override("nl")
def _record_stop(grant, tranches, reason, motivation, repayment, paid, manager) -> StopDecision:
    """Store the stop decision, cancel what is unpaid, claim the repayment, issue the letter."""
    now = timezone.now()
    decision = StopDecision.objects.create(
        grant=grant,
        reason=reason,
        motivation=motivation,
        repayment=repayment,
        decided_by=manager,
        decided_at=now,
    )
    grant.mark_stopped()
    grant._change_reason = f"stopped by {manager.email}"
    grant.save()
    cancelled = _cancel_unpaid_tranches(tranches, manager, now)
    recovery = None
    if repayment > ZERO:
        recovery = _recovery_with_entry(
            grant=grant,
            reason=RecoveryReason.STOP,
            amount=repayment,
            motivation=motivation,
            user=manager,
            now=now,
            description=_("Repayment claimed with the stop of %(reference)s")
            % {"reference": grant.reference},
        )
    letter = _issue_stop_letter(grant, decision, paid, cancelled, recovery, manager, now)
    if recovery is not None:
        recovery.letter = letter
        recovery.save(update_fields=["letter"])
    return decision


UNPAID = (TrancheStatus.OPEN, TrancheStatus.REQUESTED, TrancheStatus.PROPOSED)


def _cancel_unpaid_tranches(tranches, manager, now) -> list[Tranche]:
    note = _("Not paid: the support was stopped (R-STOP).")
    cancelled = []
    for tranche in tranches:
        if tranche.status not in UNPAID:
            continue
        for payment in Payment.objects.select_for_update().filter(
            tranche=tranche, status=PaymentStatus.PROPOSED
        ):
            payment.status = PaymentStatus.REJECTED
            payment.decided_at = now
            payment.note = f"{payment.note}\n{note}".strip()
            payment._change_reason = "support stopped"
            payment.save()
        for request in TrancheRequest.objects.select_for_update().filter(
            tranche=tranche, status=RequestStatus.SENT
        ):
            request.status = RequestStatus.REFUSED
            request.decided_by = manager
            request.decided_at = now
            request.reason = note
            request.save()
        tranche.mark_cancelled()
        tranche._change_reason = "support stopped"
        tranche.save()
        cancelled.append(tranche)
    return cancelled


def _issue_stop_letter(grant, decision, paid, cancelled, recovery, manager, now):
    reference = grant.reference
    subject = _("Stop of the support for %(reference)s") % {"reference": reference}
    return _issue_grant_letter(
        grant,
        "stop",
        subject=subject,
        context={"decision": decision, "paid": paid, "cancelled": cancelled},
        recovery=recovery,
        body=_(
            "Dear,\n\nAttached is VLAIO's decision to stop the support for the project "
            "%(reference)s. For questions, contact us at cityofthings@vlaio.be, quoting the "
            "reference.\n\nThe City of Things team, VLAIO"
        )
        % {"reference": reference},
        user=manager,
        now=now,
        filename=f"stopzetting-{reference}.pdf",
    )
