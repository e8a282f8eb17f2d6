"""The call (`oproep`) and, in later issues, its ideas and applications."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import rules

MONEY = {"max_digits": 14, "decimal_places": 2}
SHARE = {"max_digits": 5, "decimal_places": 4}


def share_field(label, default, help_text=""):
    return models.DecimalField(label, default=Decimal(default), help_text=help_text, **SHARE)


class Call(models.Model):
    """One yearly City of Things call; every rule value of SPEC.md §2 lives here."""

    year = models.PositiveIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    # R-ENV, R-MAX, R-RATE, R-OWN
    envelope = models.DecimalField(_("envelope (R-ENV)"), **MONEY)
    max_support_per_project = models.DecimalField(_("maximum support per project (R-MAX)"), **MONEY)
    max_support_rate = share_field(
        _("maximum support rate (R-RATE)"), "0.80", _("Share of the total project cost, e.g. 0.80.")
    )
    # R-DUR, R-DL1, R-DL2, R-START
    max_duration_months = models.PositiveSmallIntegerField(_("maximum duration in months (R-DUR)"))
    idea_phase_opens = models.DateTimeField(_("idea registration opens"))
    idea_deadline = models.DateTimeField(
        _("idea deadline (R-DL1)"), help_text=_("Submissions count when received before this.")
    )
    application_deadline = models.DateTimeField(
        _("application deadline (R-DL2)"),
        help_text=_("Submissions count when received before this."),
    )
    decision_date_estimated = models.DateField(_("expected decision date"))
    decision_date = models.DateField(_("decision date of the Flemish Government"), null=True, blank=True)
    start_window_months = models.PositiveSmallIntegerField(
        _("latest start, months after the decision (R-START)"), default=6
    )
    # R-MIN2
    min_local_governments = models.PositiveSmallIntegerField(
        _("minimum local governments (R-MIN2)"), default=2
    )
    # R-ROLE positions
    follower_budget_cap = models.DecimalField(
        _("follower budget above which a warning shows (R-ROLE)"),
        default=Decimal("50000.00"),
        **MONEY,
    )
    # R-TR
    tranche_1_share = share_field(_("tranche 1 share (R-TR1)"), "0.40")
    tranche_2_share = share_field(_("tranche 2 share (R-TR2)"), "0.30")
    tranche_2_min_cost_share = share_field(
        _("costs incurred before tranche 2 (R-TR2)"), "0.50"
    )
    final_request_months = models.PositiveSmallIntegerField(
        _("months after the end to request tranche 3 (R-TR3)"), default=3
    )
    # R-SCORE, R-THRESH
    section_a_max = models.DecimalField(_("maximum of section A"), default=30, max_digits=5, decimal_places=1)
    section_b_max = models.DecimalField(_("maximum of section B"), default=40, max_digits=5, decimal_places=1)
    section_c_max = models.DecimalField(_("maximum of section C"), default=30, max_digits=5, decimal_places=1)
    score_step = models.DecimalField(
        _("score step"), default=Decimal("0.5"), max_digits=3, decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    section_threshold_share = share_field(_("minimum per section (R-THRESH)"), "0.50")
    total_threshold_share = share_field(_("minimum in total (R-THRESH)"), "0.60")
    spread_flag_share = share_field(
        _("jury disagreement flagged above this share of the maximum"), "0.30"
    )
    # Procurement thresholds (SPEC.md §10), excluding VAT
    procurement_invoice_limit = models.DecimalField(
        _("accepted invoice below"), default=Decimal("30000.00"), **MONEY
    )
    procurement_negotiated_limit = models.DecimalField(
        _("negotiated procedure without publication below"), default=Decimal("144000.00"), **MONEY
    )
    procurement_european_limit = models.DecimalField(
        _("European threshold"), default=Decimal("221000.00"), **MONEY
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(idea_deadline__lt=models.F("application_deadline")),
                name="call_idea_deadline_before_application_deadline",
            ),
            models.CheckConstraint(
                condition=models.Q(max_support_per_project__lte=models.F("envelope")),
                name="call_max_support_within_envelope",
            ),
        ]

    def __str__(self):
        return self.title

    def configuration(self) -> rules.CallConfiguration:
        return rules.CallConfiguration(
            envelope=self.envelope or Decimal(0),
            max_support_per_project=self.max_support_per_project or Decimal(0),
            max_support_rate=self.max_support_rate,
            max_duration_months=self.max_duration_months or 0,
            idea_deadline=self.idea_deadline,
            application_deadline=self.application_deadline,
            start_window_months=self.start_window_months,
            min_local_governments=self.min_local_governments,
            tranche_1_share=self.tranche_1_share,
            tranche_2_share=self.tranche_2_share,
            section_threshold_share=self.section_threshold_share,
            total_threshold_share=self.total_threshold_share,
        )

    def clean(self):
        errors = rules.call_configuration_errors(self.configuration())
        if self.idea_phase_opens and self.idea_deadline and self.idea_phase_opens >= self.idea_deadline:
            errors["idea_phase_opens"] = _("Idea registration must open before the idea deadline.")
        if errors:
            raise ValidationError(errors)

    @property
    def idea_phase_open(self) -> bool:
        return self.idea_phase_opens <= timezone.now() < self.idea_deadline

    @property
    def application_phase_open(self) -> bool:
        return self.idea_deadline <= timezone.now() < self.application_deadline
