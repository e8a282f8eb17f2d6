"""Execution and money: grants, tranches, cost statements, payments, settlement (SPEC.md §7, §9).

What must never happen is enforced in PostgreSQL as well as in Python: a tranche is paid at most
once (a unique payment per tranche, a unique ledger entry per payment), a payment is approved by a
second, different finance officer (a check constraint), a ledger entry is never changed or deleted
(the model refuses, and a database trigger refuses on PostgreSQL), and a payment sits in at most one
SEPA batch (a foreign key, set once).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from applications.models import MONEY, CostCategory, ProtectedStateModel
from cot_portal.records import GuardedRecord


def grant_file_path(instance, filename):
    grant = instance if isinstance(instance, Grant) else instance.grant
    return f"grants/{grant.reference}/{filename}"


# --- The grant ----------------------------------------------------------------------------------


class GrantStatus(models.TextChoices):
    ACTIVE = "active", _("Running")
    STOPPED = "stopped", _("Stopped")
    SETTLED = "settled", _("Settled")


class Grant(ProtectedStateModel):
    """The support awarded to one application by the Government's decision (R-TR, R-SETTLE).

    Opened by the `decision_recorded` signal of the scoring app. Its baseline (project period,
    approved total cost, income) changes only through an approved change request (R-CHANGE);
    the history keeps every version.
    """

    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="grant"
    )
    decision_outcome = models.OneToOneField(
        "scoring.DecisionOutcome", on_delete=models.PROTECT, related_name="grant"
    )
    call = models.ForeignKey("applications.Call", on_delete=models.PROTECT, related_name="grants")
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="grants",
        verbose_name=_("beneficiary (lead applicant)"),
    )
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    awarded = models.DecimalField(_("awarded amount"), **MONEY)
    decision_date = models.DateField(_("date of the decision"))
    conditions = models.TextField(_("conditions of the decision"), blank=True)
    # Baseline (R-CHANGE updates these)
    start_date = models.DateField(_("planned start date"))
    end_date = models.DateField(_("end date"))
    approved_total_cost = models.DecimalField(_("approved total cost"), **MONEY)
    income = models.DecimalField(_("project income"), default=0, **MONEY)
    # What the applicant and the call manager establish during execution
    latest_start = models.DateField(_("latest start date (R-START)"))
    actual_start_date = models.DateField(_("actual start date"), null=True, blank=True)
    conditions_met_at = models.DateTimeField(_("conditions confirmed"), null=True, blank=True)
    conditions_met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    iban = models.CharField(
        _("IBAN of the beneficiary"),
        max_length=34,
        blank=True,
        help_text=_("Copied from the organisation when the grant opens; payments go here."),
    )
    status = FSMField(
        _("status"), default=GrantStatus.ACTIVE, choices=GrantStatus.choices, protected=True
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(awarded__gt=0), name="grant_awarded_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="grant_period_order"
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.application.title}"

    @property
    def payee_iban(self) -> str:
        """The IBAN a payment goes to: the grant's, else the organisation's current one."""
        return self.iban or self.organisation.iban

    @transition(field=status, source=GrantStatus.ACTIVE, target=GrantStatus.STOPPED)
    def mark_stopped(self):
        """R-STOP: a motivated stop decision; no further tranches."""

    @transition(field=status, source=GrantStatus.ACTIVE, target=GrantStatus.SETTLED)
    def mark_settled(self):
        """R-SETTLE: the final support is computed; the balance is paid or recovered."""


class TrancheStatus(models.TextChoices):
    OPEN = "open", _("Not requested yet")
    REQUESTED = "requested", _("Requested")
    PROPOSED = "proposed", _("Proposed for payment")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class Tranche(ProtectedStateModel):
    """One of the three tranches of a grant (R-TR): 40% / 30% / the balance (SPEC.md §9)."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="tranches")
    number = models.PositiveSmallIntegerField(_("tranche"))
    scheduled_amount = models.DecimalField(_("scheduled amount"), **MONEY)
    status = FSMField(
        _("status"), default=TrancheStatus.OPEN, choices=TrancheStatus.choices, protected=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        ordering = ["grant", "number"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "number"], name="unique_tranche_number"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=3), name="tranche_one_to_three"
            ),
            models.CheckConstraint(
                condition=models.Q(scheduled_amount__gte=0), name="tranche_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.grant.reference} T{self.number}"

    @transition(field=status, source=TrancheStatus.OPEN, target=TrancheStatus.REQUESTED)
    def mark_requested(self):
        """The lead applicant sent a request whose conditions are met."""

    @transition(field=status, source=TrancheStatus.REQUESTED, target=TrancheStatus.OPEN)
    def mark_request_refused(self):
        """Finance refused the request with a reason; the applicant may request again."""

    @transition(field=status, source=TrancheStatus.REQUESTED, target=TrancheStatus.PROPOSED)
    def mark_proposed(self):
        """A finance officer checked the request and proposed the payment."""

    @transition(field=status, source=TrancheStatus.PROPOSED, target=TrancheStatus.REQUESTED)
    def mark_proposal_rejected(self):
        """The second finance officer did not approve; back to the check."""

    @transition(field=status, source=TrancheStatus.PROPOSED, target=TrancheStatus.PAID)
    def mark_paid(self):
        """A second, different finance officer approved: the payment is released."""

    @transition(
        field=status,
        source=[TrancheStatus.OPEN, TrancheStatus.REQUESTED, TrancheStatus.PROPOSED],
        target=TrancheStatus.CANCELLED,
    )
    def mark_cancelled(self):
        """R-STOP, or a settlement that leaves nothing to pay for this tranche."""


class RequestStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    REFUSED = "refused", _("Refused")
    ACCEPTED = "accepted", _("Accepted")


class TrancheRequest(models.Model):
    """A request for a tranche by the lead applicant, with its conditions as evaluated then."""

    tranche = models.ForeignKey(Tranche, on_delete=models.PROTECT, related_name="requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"))
    checks = models.JSONField(_("conditions as evaluated"), default=list)
    late = models.BooleanField(_("requested late"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.SENT
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tranche request")
        verbose_name_plural = _("tranche requests")
        ordering = ["requested_at", "pk"]
        constraints = [
            # At most one request per tranche waits for finance at any time.
            models.UniqueConstraint(
                fields=["tranche"],
                condition=models.Q(status="sent"),
                name="one_open_request_per_tranche",
            ),
        ]

    def __str__(self):
        return f"{self.tranche} request {self.requested_at:%Y-%m-%d}"


# --- What the applicant delivers --------------------------------------------------------------


class CheckStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for the check")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class CooperationAgreement(models.Model):
    """R-COOP: the signed cooperation agreement, uploaded by the lead and checked by VLAIO."""

    downloadable_file_fields = ("file",)

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="agreements")
    file = models.FileField(_("signed agreement"), upload_to=grant_file_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"))
    status = models.CharField(
        _("status"), max_length=10, choices=CheckStatus.choices, default=CheckStatus.SUBMITTED
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    note = models.TextField(_("note of the check"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cooperation agreement")
        verbose_name_plural = _("cooperation agreements")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"{self.grant.reference} agreement ({self.status})"


class ReportKind(models.TextChoices):
    INTERIM = "interim", _("Interim content report")
    FINAL = "final", _("Final content and financial report")


class ContentReport(models.Model):
    """An interim or final report (R-TR2, R-TR3) with the KPI values (R-KPI) and, for the final
    report, the end results: award report, framework agreement, playbook (R-SHARE)."""

    downloadable_file_fields = ("file", "award_report", "framework_agreement", "playbook")

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    summary = models.TextField(_("summary of the progress"))
    kpi_values = models.JSONField(_("KPI values"), default=dict, blank=True)
    file = models.FileField(_("report"), upload_to=grant_file_path)
    award_report = models.FileField(_("award report"), upload_to=grant_file_path, blank=True)
    framework_agreement = models.FileField(
        _("framework agreement"), upload_to=grant_file_path, blank=True
    )
    playbook = models.FileField(
        _("playbook for other municipalities"), upload_to=grant_file_path, blank=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"))
    status = models.CharField(
        _("status"), max_length=10, choices=CheckStatus.choices, default=CheckStatus.SUBMITTED
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    note = models.TextField(_("note of the check"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("content report")
        verbose_name_plural = _("content reports")
        ordering = ["submitted_at"]

    def __str__(self):
        return f"{self.grant.reference} {self.kind}"


class LineStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the check")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class CostStatementLine(models.Model):
    """R-COSTS: one incurred cost, per partner and category, with date, description and evidence.

    Only lines dated inside the project period are taken in (R-ELIG: the service refuses the
    others with the reason). Finance accepts or rejects each line with a reason; accepted cost
    is the sum of accepted lines.
    """

    downloadable_file_fields = ("evidence",)

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="cost_lines")
    partner = models.ForeignKey(
        "applications.ApplicationPartner",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("partner"),
    )
    category = models.CharField(_("category"), max_length=20, choices=CostCategory.choices)
    date = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=300)
    amount = models.DecimalField(_("amount"), **MONEY)
    evidence = models.FileField(_("evidence"), upload_to=grant_file_path)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("reported"))
    status = models.CharField(
        _("status"), max_length=10, choices=LineStatus.choices, default=LineStatus.PENDING
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cost statement line")
        verbose_name_plural = _("cost statement lines")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="cost_line_positive"),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(reason=""),
                name="rejected_line_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.grant.reference} {self.date} {self.amount}"


# --- Payments -----------------------------------------------------------------------------------


class PaymentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    REJECTED = "rejected", _("Not approved")
    RELEASED = "released", _("Released")


class SepaBatch(models.Model):
    """A SEPA credit-transfer file (pain.001) for the bank; each payment is in exactly one."""

    downloadable_file_fields = ("file",)

    message_id = models.CharField(_("message id"), max_length=35, unique=True)
    file = models.FileField(_("pain.001 file"), upload_to="sepa/%Y/")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    total = models.DecimalField(_("total"), **MONEY)
    count = models.PositiveIntegerField(_("number of payments"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("SEPA batch")
        verbose_name_plural = _("SEPA batches")
        ordering = ["-created_at"]

    def __str__(self):
        return self.message_id


class Payment(GuardedRecord, models.Model):
    """A payment of one tranche: proposed by one finance officer, approved by another (four-eyes).

    A tranche has at most one payment that is not rejected (a partial unique constraint), and the
    approver differs from the proposer (a check constraint): PostgreSQL refuses both, whatever
    the Python code does. Never deleted; once released or rejected only its SEPA batch is
    filled in, once (cot_portal/records.py).
    """

    record_frozen_fields = ("tranche", "amount", "iban", "proposed_by", "proposed_at")
    record_final_fields = ("status", "approved_by", "decided_at", "note")
    record_fill_once_fields = ("batch",)

    tranche = models.ForeignKey(Tranche, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount"), **MONEY)
    iban = models.CharField(_("IBAN"), max_length=34)
    status = models.CharField(
        _("status"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("approved or rejected"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    batch = models.ForeignKey(
        SepaBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["proposed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tranche"],
                condition=~models.Q(status="rejected"),
                name="one_live_payment_per_tranche",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_positive"),
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True)
                | ~models.Q(approved_by=models.F("proposed_by")),
                name="four_eyes",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="released") | models.Q(approved_by__isnull=False),
                name="released_is_approved",
            ),
            models.CheckConstraint(
                condition=models.Q(batch__isnull=True) | models.Q(status="released"),
                name="only_released_in_batch",
            ),
        ]

    def __str__(self):
        return f"{self.tranche} {self.amount} ({self.status})"

    def record_is_final(self) -> bool:
        return self.status in (PaymentStatus.RELEASED, PaymentStatus.REJECTED)


class LedgerKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    RECOVERY = "recovery", _("Recovery claimed")


class LedgerEntry(models.Model):
    """Append-only: every euro paid out or claimed back, with who and when.

    Never updated or deleted: `save` on an existing row and `delete` raise, and on PostgreSQL a
    trigger (migration 0002) refuses UPDATE and DELETE on the table. A payment has at most one
    entry (unique), so a retried release cannot book it twice.
    """

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(_("kind"), max_length=10, choices=LedgerKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entry"
    )
    recovery = models.OneToOneField(
        "Recovery", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entry"
    )
    description = models.CharField(_("description"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("booked"))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="ledger_positive"),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="payment", payment__isnull=False, recovery__isnull=True)
                    | models.Q(kind="recovery", recovery__isnull=False, payment__isnull=True)
                ),
                name="ledger_entry_has_its_source",
            ),
        ]

    def __str__(self):
        return f"{self.grant.reference} {self.kind} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("Ledger entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Ledger entries are append-only.")


# --- Settlement, recovery, stop ---------------------------------------------------------------


class Settlement(models.Model):
    """R-SETTLE: the final support from the accepted costs, and the balance paid or recovered."""

    grant = models.OneToOneField(Grant, on_delete=models.PROTECT, related_name="settlement")
    accepted_cost = models.DecimalField(_("accepted cost"), **MONEY)
    income = models.DecimalField(_("income"), **MONEY)
    final_support = models.DecimalField(_("final support"), **MONEY)
    paid_before = models.DecimalField(_("paid before the settlement"), **MONEY)
    balance = models.DecimalField(
        _("balance"), max_digits=14, decimal_places=2, help_text=_("Negative: to recover.")
    )
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    computed_at = models.DateTimeField(_("settled"))
    letter = models.OneToOneField(
        "letters.Letter", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance=models.F("final_support") - models.F("paid_before")),
                name="settlement_balance_reconciles",
            ),
        ]

    def __str__(self):
        return f"{self.grant.reference} settlement"


class RecoveryReason(models.TextChoices):
    SETTLEMENT = "settlement", _("Settlement: more was paid than the final support")
    STOP = "stop", _("Stop decision (R-STOP)")


class Recovery(models.Model):
    """A `terugvordering`: an amount the beneficiary must pay back, with its letter."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="recoveries")
    reason = models.CharField(_("reason"), max_length=12, choices=RecoveryReason.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    motivation = models.TextField(_("motivation"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("claimed"))
    letter = models.OneToOneField(
        "letters.Letter", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("recovery")
        verbose_name_plural = _("recoveries")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="recovery_positive"),
            models.UniqueConstraint(
                fields=["grant", "reason"], name="one_recovery_per_grant_and_reason"
            ),
        ]

    def __str__(self):
        return f"{self.grant.reference} recovery {self.amount}"


class StopReason(models.TextChoices):
    NOT_CONFORM = "not_conform", _("The project does not meet the call")
    MISUSE = "misuse", _("The support is misused")
    OBSTRUCTION = "obstruction", _("Control is obstructed")
    NOT_CARRIED_OUT = "not_carried_out", _("Not carried out or stopped early")
    NO_RESULTS = "no_results", _("Insufficient concrete results")


class StopDecision(models.Model):
    """R-STOP: VLAIO stops the support with a motivation, and may claim repayment."""

    grant = models.OneToOneField(Grant, on_delete=models.PROTECT, related_name="stop_decision")
    reason = models.CharField(_("reason"), max_length=20, choices=StopReason.choices)
    motivation = models.TextField(_("motivation"))
    repayment = models.DecimalField(_("repayment claimed"), default=0, **MONEY)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stop decision")
        verbose_name_plural = _("stop decisions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(repayment__gte=0), name="stop_repayment_not_negative"
            ),
            models.CheckConstraint(condition=~models.Q(motivation=""), name="stop_has_motivation"),
        ]

    def __str__(self):
        return f"{self.grant.reference} stopped"


# --- Changes during execution (R-CHANGE) ------------------------------------------------------


class ChangeKind(models.TextChoices):
    PARTNER_JOINS = "partner_joins", _("A partner joins")
    PARTNER_LEAVES = "partner_leaves", _("A partner leaves")
    BUDGET_SHIFT = "budget_shift", _("Budget shift between partners or categories")
    LATER_END = "later_end", _("A later end date")


class ChangeStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for VLAIO")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class ChangeRequest(models.Model):
    """R-CHANGE: a change the lead applicant asks VLAIO to approve.

    `proposed` holds the new values as plain JSON (e.g. {"end_date": "2029-06-30"} or
    {"organisation_id": 12, "role": "partner"}); an approved change updates the grant's
    baseline, whose history keeps both versions.
    """

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("kind of change"), max_length=20, choices=ChangeKind.choices)
    description = models.TextField(_("what changes and why"))
    proposed = models.JSONField(_("proposed values"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"))
    status = models.CharField(
        _("status"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    motivation = models.TextField(_("motivation of the decision"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="requested") | ~models.Q(motivation=""),
                name="change_decision_has_motivation",
            ),
        ]

    def __str__(self):
        return f"{self.grant.reference} {self.kind} ({self.status})"


# --- End results and the public register (issue 9, R-SHARE) -----------------------------------


class ResultKind(models.TextChoices):
    PLAYBOOK = "playbook", _("Playbook for other municipalities")
    MODEL_SPECIFICATION = "model_specification", _("Model specification (tender)")
    FRAMEWORK_AGREEMENT = "framework_agreement", _("Framework agreement")
    LESSONS = "lessons", _("Lessons learned")
    OTHER = "other", _("Other result")


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Not offered for publication")
    REQUESTED = "requested", _("Waiting for VLAIO's approval")
    PUBLISHED = "published", _("Published")
    REFUSED = "refused", _("Not published")


class EndResult(models.Model):
    """An end result of a funded project, offered for the public register (R-SHARE).

    The lead applicant uploads it and asks for publication, acknowledging the call's
    non-exclusive right of use; the call manager approves. Only published results are public.
    Lessons learned carry what went well and what did not.
    """

    downloadable_file_fields = ("file",)

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="end_results")
    kind = models.CharField(_("kind"), max_length=20, choices=ResultKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    lessons_good = models.TextField(_("what went well"), blank=True)
    lessons_bad = models.TextField(_("what did not go well"), blank=True)
    file = models.FileField(_("file"), upload_to=grant_file_path, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"))
    status = models.CharField(
        _("publication"),
        max_length=10,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
    )
    right_of_use_acknowledged = models.BooleanField(
        _("non-exclusive right of use acknowledged"), default=False
    )
    requested_at = models.DateTimeField(_("offered for publication"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.TextField(_("note of VLAIO"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("end result")
        verbose_name_plural = _("end results")
        ordering = ["kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(right_of_use_acknowledged=True),
                name="publication_needs_right_of_use",
            ),
        ]

    def __str__(self):
        return f"{self.grant.reference} {self.kind}: {self.title}"


class ReuseInterest(models.Model):
    """ "Wij willen dit ook": a municipality's interest in joining a project's framework agreement
    or group purchase (R-SHARE). The project's lead sees who is interested."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="reuse_interests")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="reuse_interests"
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("registered"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("interest in reuse")
        verbose_name_plural = _("interests in reuse")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["grant", "organisation"], name="one_interest_per_organisation"
            ),
        ]

    def __str__(self):
        return f"{self.organisation} → {self.grant.reference}"
