"""Finance's work on a tranche: check the request, propose, approve (four-eyes), book, export.

One function per intention of a finance officer (issue 8; R-TR, R-SETTLE, four-eyes). Each
runs in one transaction, locks the rows it changes in a fixed order — grant, tranche, payment —
so two areas or two officers never deadlock, re-reads the state under the lock, re-checks the
object permission and records who did it (simple_history keeps before and after).

Paying twice is impossible three times over: the row locks serialise concurrent clicks, the
state is re-checked under the lock, and PostgreSQL refuses a second live payment per tranche, a
second ledger entry per payment and an approver who is the proposer.

A second approval of a payment that is already released is refused with `AlreadyReleased`
(a `PaymentsError` carrying the released `payment`): a person who double-clicks is told who
released it and when, and a retried background task catches `AlreadyReleased` and treats it as
done — either way nothing is booked again.
"""

import schwifty
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cot_portal.accounts.selectors import organisation_emails
from cot_portal.formatting import euro, short_datetime

from . import rules, sepa
from .errors import PaymentsError
from .models import (
    Grant,
    GrantStatus,
    LedgerEntry,
    LedgerKind,
    Payment,
    PaymentStatus,
    RequestStatus,
    SepaBatch,
    Settlement,
    Tranche,
    TrancheRequest,
    TrancheStatus,
)


class AlreadyReleased(PaymentsError):
    """The payment was released before (a double click, a colleague, a retried task)."""

    def __init__(self, payment: Payment):
        super().__init__(
            _("This payment was already released by %(who)s on %(when)s; nothing was booked again.")
            % {"who": payment.approved_by, "when": short_datetime(payment.decided_at)}
        )
        self.payment = payment


# --- Locks ---------------------------------------------------------------------------------------


def _lock_tranche(tranche_id: int) -> Tranche:
    """Lock the grant, then the tranche (the order every payments service keeps)."""
    grant_id = Tranche.objects.values_list("grant_id", flat=True).get(pk=tranche_id)
    grant = (
        Grant.objects.select_for_update(of=("self",))
        .select_related("organisation", "application", "call")
        .get(pk=grant_id)
    )
    tranche = Tranche.objects.select_for_update().get(pk=tranche_id)
    tranche.grant = grant
    return tranche


def _lock_payment(payment: Payment) -> Payment:
    tranche = _lock_tranche(payment.tranche_id)
    locked = (
        Payment.objects.select_for_update(of=("self",))
        .select_related("proposed_by", "approved_by")
        .get(pk=payment.pk)
    )
    locked.tranche = tranche
    return locked


def _history(obj, user, reason: str):
    obj._history_user = user
    obj._change_reason = reason[:100]
    return obj


def _stopped_error(grant: Grant) -> None:
    if grant.status == GrantStatus.STOPPED:
        raise PaymentsError(_("The support of this grant was stopped (R-STOP): nothing is paid."))


# --- Tranche requests ----------------------------------------------------------------------------


def refuse_request(request: TrancheRequest, reason: str, officer) -> TrancheRequest:
    """R-TR: finance refuses a tranche request with a reason. The tranche opens again so the
    lead applicant can request it once the reason is resolved; the lead's members are e-mailed."""
    reason = (reason or "").strip()
    with transaction.atomic():
        tranche = _lock_tranche(request.tranche_id)
        locked = (
            TrancheRequest.objects.select_for_update(of=("self",))
            .select_related("requested_by")
            .get(pk=request.pk)
        )
        locked.tranche = tranche
        if not officer.has_perm("payments.refuse_tranche_request", locked):
            raise PermissionDenied
        if not reason:
            raise PaymentsError(
                _("Give the reason of the refusal: the applicant reads it."), field="reason"
            )
        if locked.status != RequestStatus.SENT or tranche.status != TrancheStatus.REQUESTED:
            raise PaymentsError(
                _("This request was already handled (%(status)s).")
                % {"status": locked.get_status_display()}
            )
        now = timezone.now()
        locked.status = RequestStatus.REFUSED
        locked.reason = reason
        locked.decided_by = officer
        locked.decided_at = now
        _history(locked, officer, "request refused").save()
        tranche.mark_request_refused()
        _history(tranche, officer, "request refused").save()
        _mail_refusal(locked, tranche)
        return locked


def _mail_refusal(request: TrancheRequest, tranche: Tranche) -> None:
    grant = tranche.grant
    recipients = organisation_emails(grant.organisation, request.requested_by)
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your request for tranche %(number)s of %(reference)s is refused") % {
            "number": tranche.number,
            "reference": grant.reference,
        }
        body = "\n\n".join(
            [
                _("Hello,"),
                _(
                    'VLAIO checked your request for tranche %(number)s of "%(title)s" (%(reference)s) and cannot pay it yet, for this reason:'
                )
                % {
                    "number": tranche.number,
                    "title": grant.application.title,
                    "reference": grant.reference,
                },
                request.reason,
                _(
                    "When this is resolved, request the tranche again on the project page in the portal."
                ),
                "VLAIO – City of Things",
            ]
        )
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients))


# --- Proposal ------------------------------------------------------------------------------------


def valid_iban(value: str) -> str | None:
    """The compact IBAN, or None when it is missing or invalid (schwifty)."""
    try:
        return schwifty.IBAN(value or "").compact
    except ValueError:
        return None


def iban_error(grant: Grant) -> str | None:
    """Why `grant` cannot be paid to its IBAN, or None."""
    value = grant.payee_iban
    if valid_iban(value):
        return None
    if not value:
        return _(
            "%(organisation)s has no IBAN. Have it set on the organisation before proposing the payment."
        ) % {"organisation": grant.organisation.name}
    return _(
        "The IBAN %(iban)s is not valid. Have the correct IBAN set on the organisation %(organisation)s before proposing the payment."
    ) % {"iban": value, "organisation": grant.organisation.name}


def amount_to_pay(tranche: Tranche) -> tuple[object, str | None]:
    """(amount, None) or (None, why not): tranches 1 and 2 pay their scheduled amount (40% /
    30%, SPEC.md §9); tranche 3 pays the settlement's balance (R-SETTLE), once settled."""
    if tranche.number in (1, 2):
        return tranche.scheduled_amount, None
    settlement = Settlement.objects.filter(grant_id=tranche.grant_id).first()
    if settlement is None:
        return None, _(
            "Settle the grant first: tranche 3 pays the balance of the settlement (R-SETTLE)."
        )
    if settlement.balance <= 0:
        return None, _(
            "The settlement leaves no balance to pay (%(balance)s): settle first, and recover what was paid too much (R-SETTLE)."
        ) % {"balance": euro(settlement.balance)}
    return settlement.balance, None


def propose_payment(tranche: Tranche, officer, note: str = "") -> Payment:
    """R-TR: a finance officer checked a requested tranche and proposes its payment; a second,
    different finance officer must approve it (four-eyes). The open request is accepted.

    The IBAN is the grant's (copied from the organisation when the grant opened); when the grant
    has none yet, the organisation's current IBAN is copied onto the grant. A missing or invalid
    IBAN is refused with a message telling finance to have it set on the organisation."""
    with transaction.atomic():
        tranche = _lock_tranche(tranche.pk)
        grant = tranche.grant
        if not officer.has_perm("payments.check_tranche_request", tranche):
            raise PermissionDenied
        _stopped_error(grant)
        if not officer.has_perm("payments.propose_payment", tranche):
            raise PermissionDenied
        if tranche.status != TrancheStatus.REQUESTED:
            raise PaymentsError(_state_message(tranche))
        amount, problem = amount_to_pay(tranche)
        if problem:
            raise PaymentsError(problem)
        problem = iban_error(grant)
        if problem:
            raise PaymentsError(problem)
        iban = valid_iban(grant.payee_iban)
        if grant.iban != iban:
            grant.iban = iban
            _history(grant, officer, "IBAN taken from the organisation").save(
                update_fields=["iban"]
            )
        now = timezone.now()
        payment = Payment(
            tranche=tranche,
            amount=amount,
            iban=iban,
            proposed_by=officer,
            proposed_at=now,
            note=(note or "").strip(),
        )
        try:
            with transaction.atomic():
                _history(payment, officer, "proposed").save()
        except IntegrityError as error:  # the partial unique key: one live payment per tranche
            raise PaymentsError(_state_message(tranche)) from error
        tranche.mark_proposed()
        _history(tranche, officer, "payment proposed").save()
        for request in TrancheRequest.objects.select_for_update().filter(
            tranche=tranche, status=RequestStatus.SENT
        ):
            request.status = RequestStatus.ACCEPTED
            request.decided_by = officer
            request.decided_at = now
            _history(request, officer, "payment proposed").save()
        return payment


def _state_message(tranche: Tranche) -> str:
    if tranche.status == TrancheStatus.PROPOSED:
        return _(
            "A payment of this tranche is already proposed; it waits for a second finance officer."
        )
    if tranche.status == TrancheStatus.PAID:
        return _("This tranche is already paid.")
    if tranche.status == TrancheStatus.CANCELLED:
        return _("This tranche is cancelled.")
    return _("Only a requested tranche can be proposed for payment.")


# --- The second finance officer: release (four-eyes) or reject ----------------------------------


def approve_payment(payment: Payment, officer) -> Payment:
    """Four-eyes: a second, different finance officer releases the proposed payment. The tranche
    becomes paid and the ledger books the payment once, all in one transaction under the row
    locks, so 20 simultaneous clicks or a retried task release it exactly once.

    Raises AlreadyReleased (with `.payment`) when it was released before, PaymentsError for the
    proposer or a rejected proposal, PermissionDenied for a conflicted officer (R-TR)."""
    with transaction.atomic():
        locked = _lock_payment(payment)
        tranche = locked.tranche
        if not officer.has_perm("payments.view_payment", locked):
            raise PermissionDenied
        _stopped_error(tranche.grant)
        if not officer.has_perm("payments.approve_payment", locked):
            raise PermissionDenied
        if locked.status == PaymentStatus.RELEASED:
            raise AlreadyReleased(locked)
        if locked.status == PaymentStatus.REJECTED:
            raise PaymentsError(
                _("This proposal was not approved; the tranche went back to the check.")
            )
        problem = rules.four_eyes_error(locked.proposed_by_id, officer.pk)
        if problem:
            raise PaymentsError(problem)
        if tranche.status != TrancheStatus.PROPOSED:
            raise PaymentsError(_state_message(tranche))
        now = timezone.now()
        locked.status = PaymentStatus.RELEASED
        locked.approved_by = officer
        locked.decided_at = now
        _history(locked, officer, "released").save()
        tranche.mark_paid()
        _history(tranche, officer, "paid").save()
        LedgerEntry.objects.create(
            grant=tranche.grant,
            kind=LedgerKind.PAYMENT,
            amount=locked.amount,
            payment=locked,
            description=f"Schijf {tranche.number} {tranche.grant.reference}",
            created_by=officer,
            created_at=now,
        )
        return locked


def reject_payment(payment: Payment, officer, note: str) -> Payment:
    """The second finance officer does not approve the proposal, with a reason: the payment is
    rejected (the history keeps it), the tranche goes back to "requested" and its request waits
    for the check again. Four-eyes: the proposer cannot decide on their own proposal."""
    note = (note or "").strip()
    with transaction.atomic():
        locked = _lock_payment(payment)
        tranche = locked.tranche
        if not officer.has_perm("payments.reject_payment", locked):
            raise PermissionDenied
        if locked.status != PaymentStatus.PROPOSED:
            if locked.status == PaymentStatus.RELEASED:
                raise AlreadyReleased(locked)
            raise PaymentsError(_("This proposal was already not approved."))
        problem = rules.four_eyes_error(locked.proposed_by_id, officer.pk)
        if problem:
            raise PaymentsError(problem)
        if not note:
            raise PaymentsError(
                _("Explain why the payment is not approved: your colleague reads it."),
                field="note",
            )
        now = timezone.now()
        locked.status = PaymentStatus.REJECTED
        locked.approved_by = officer
        locked.decided_at = now
        locked.note = note
        _history(locked, officer, "not approved").save()
        tranche.mark_proposal_rejected()
        _history(tranche, officer, "proposal not approved").save()
        request = (
            TrancheRequest.objects.select_for_update()
            .filter(tranche=tranche, status=RequestStatus.ACCEPTED)
            .order_by("-requested_at", "-pk")
            .first()
        )
        if request is not None and not tranche.requests.filter(status=RequestStatus.SENT).exists():
            request.status = RequestStatus.SENT
            request.decided_by = None
            request.decided_at = None
            _history(request, officer, "back to the check").save()
        return locked


# --- SEPA export ---------------------------------------------------------------------------------


def export_sepa(officer) -> SepaBatch:
    """Every released payment that is in no batch yet goes into one new pain.001 file.

    The payments are locked (FOR UPDATE re-checks "no batch yet" after a concurrent export
    commits), so a payment is in exactly one batch even when two officers export at once; the
    second then finds nothing to export. The file is validated against the schema and stored
    with its SHA-256, total and count."""
    if not officer.has_perm("payments.export_sepa"):
        raise PermissionDenied
    with transaction.atomic():
        payments = list(
            Payment.objects.select_for_update(of=("self",))
            .filter(status=PaymentStatus.RELEASED, batch__isnull=True)
            .select_related("tranche__grant__organisation")
            .order_by("decided_at", "pk")
        )
        if not payments:
            raise PaymentsError(
                _("There is nothing to export: every released payment is already in a SEPA file.")
            )
        made = sepa.build(
            [
                sepa.Transfer(
                    end_to_end_id=str(p.pk),
                    name=p.tranche.grant.organisation.name,
                    iban=p.iban,
                    amount=p.amount,
                    remittance=sepa.remittance(p.tranche.grant.reference, p.tranche.number),
                )
                for p in payments
            ],
            timezone.localdate(),
        )
        batch = SepaBatch(
            message_id=made.message_id,
            sha256=made.sha256,
            total=made.total,
            count=made.count,
            created_by=officer,
            created_at=timezone.now(),
        )
        batch.file.save(f"{made.message_id}.xml", ContentFile(made.content), save=False)
        _history(batch, officer, "exported").save()
        for payment in payments:
            payment.batch = batch
            _history(payment, officer, f"in SEPA file {made.message_id}").save(
                update_fields=["batch"]
            )
        return batch
