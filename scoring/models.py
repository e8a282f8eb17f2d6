"""Jury work. Phase 1: conflicts of interest, idea scores, consensus and the shortlist."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .ranking import SUBCRITERION_CODES

POINTS = {"max_digits": 5, "decimal_places": 1}


class IdeaConflict(models.Model):
    """A juror's declaration about one idea (seed 000: who benefits may not take part)."""

    idea = models.ForeignKey(
        "applications.Idea", on_delete=models.CASCADE, related_name="conflicts"
    )
    juror = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_conflicts"
    )
    has_conflict = models.BooleanField(_("conflict of interest"))
    reason = models.TextField(_("reason"), blank=True)
    automatic = models.BooleanField(
        _("set by the portal"),
        default=False,
        help_text=_("The juror is a member of the idea's organisation or of a named partner."),
    )
    declared_at = models.DateTimeField(_("declared"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("conflict declaration (idea)")
        verbose_name_plural = _("conflict declarations (ideas)")
        constraints = [
            models.UniqueConstraint(fields=["idea", "juror"], name="unique_idea_conflict")
        ]

    def __str__(self):
        return f"{self.juror} – {self.idea}: {'conflict' if self.has_conflict else 'no conflict'}"


class SheetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class IdeaScoreSheet(models.Model):
    """One juror's scores for one idea, on the six shortlist criteria (R-SL)."""

    idea = models.ForeignKey(
        "applications.Idea", on_delete=models.CASCADE, related_name="score_sheets"
    )
    juror = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="idea_score_sheets"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SheetStatus.choices, default=SheetStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("idea score sheet")
        verbose_name_plural = _("idea score sheets")
        constraints = [models.UniqueConstraint(fields=["idea", "juror"], name="unique_idea_sheet")]

    def __str__(self):
        return f"{self.juror} – {self.idea} ({self.status})"


class IdeaCriterionScore(models.Model):
    """Points and feedback for one criterion on a juror's sheet."""

    sheet = models.ForeignKey(IdeaScoreSheet, on_delete=models.CASCADE, related_name="scores")
    criterion = models.PositiveSmallIntegerField(_("criterion"))
    points = models.DecimalField(_("points"), null=True, blank=True, **POINTS)
    feedback = models.TextField(_("feedback"), blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="unique_sheet_criterion"),
            models.CheckConstraint(
                condition=models.Q(criterion__gte=1, criterion__lte=6), name="idea_criterion_1_to_6"
            ),
            models.CheckConstraint(
                condition=models.Q(points__gte=0) | models.Q(points__isnull=True),
                name="idea_points_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.sheet} #{self.criterion}: {self.points}"


class IdeaAssessment(models.Model):
    """The call manager's conclusion on an idea: consensus, feedback, shortlist decision."""

    idea = models.OneToOneField(
        "applications.Idea", on_delete=models.CASCADE, related_name="assessment"
    )
    shortlisted = models.BooleanField(_("on the shortlist"), null=True, blank=True)
    improvement_track = models.TextField(_("improvement track"), blank=True)
    general_feedback = models.TextField(_("general feedback"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    letter = models.ForeignKey(
        "letters.Letter", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("idea assessment")
        verbose_name_plural = _("idea assessments")

    def __str__(self):
        return f"{self.idea}"


class IdeaConsensus(models.Model):
    """The consensus score and feedback for one criterion (default: the jurors' mean)."""

    assessment = models.ForeignKey(
        IdeaAssessment, on_delete=models.CASCADE, related_name="consensus"
    )
    criterion = models.PositiveSmallIntegerField(_("criterion"))
    points = models.DecimalField(_("points"), **POINTS)
    feedback = models.TextField(_("feedback to the applicant"), blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="unique_consensus_criterion"
            )
        ]

    def __str__(self):
        return f"{self.assessment} #{self.criterion}: {self.points}"


class ShortlistPublication(models.Model):
    """The moment a call's shortlist was published; at most once per call."""

    call = models.OneToOneField(
        "applications.Call", on_delete=models.PROTECT, related_name="shortlist_publication"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    history = HistoricalRecords()

    def __str__(self):
        return f"{self.call} ({self.published_at:%d/%m/%Y})"


# --- Phase 2: the jury's work on full applications (issue 7) --------------------------------


class JuryKind(models.TextChoices):
    STAFF = "staff", _("VLAIO staff")
    EXTERNAL = "external", _("External expert")


class JuryMember(models.Model):
    """A person on the jury of one call (R-JURY), composed by the call manager."""

    call = models.ForeignKey(
        "applications.Call", on_delete=models.CASCADE, related_name="jury_members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jury_memberships"
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=JuryKind.choices, default=JuryKind.STAFF
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("jury member")
        verbose_name_plural = _("jury members")
        constraints = [
            models.UniqueConstraint(fields=["call", "user"], name="unique_jury_member"),
        ]

    def __str__(self):
        return f"{self.user} – {self.call} ({self.get_kind_display()})"


class JuryAssignment(models.Model):
    """An admissible application a jury member is asked to score."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="jury_assignments"
    )
    juror = models.ForeignKey(JuryMember, on_delete=models.CASCADE, related_name="assignments")
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("jury assignment")
        verbose_name_plural = _("jury assignments")
        constraints = [
            models.UniqueConstraint(fields=["application", "juror"], name="unique_jury_assignment")
        ]

    def __str__(self):
        return f"{self.juror.user} – {self.application.reference}"


class ApplicationConflict(models.Model):
    """A juror's declaration about one application (seed 000: who benefits may not take part)."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="conflicts"
    )
    juror = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="application_conflicts"
    )
    has_conflict = models.BooleanField(_("conflict of interest"))
    reason = models.TextField(_("reason"), blank=True)
    automatic = models.BooleanField(
        _("set by the portal"),
        default=False,
        help_text=_("The juror is a member of the lead applicant or of a partner organisation."),
    )
    declared_at = models.DateTimeField(_("declared"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("conflict declaration (application)")
        verbose_name_plural = _("conflict declarations (applications)")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "juror"], name="unique_application_conflict"
            )
        ]

    def __str__(self):
        state = "conflict" if self.has_conflict else "no conflict"
        return f"{self.juror} – {self.application.reference}: {state}"


class ApplicationScoreSheet(models.Model):
    """One juror's scores for one application on the ten sub-criteria (R-SCORE)."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="score_sheets"
    )
    juror = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="application_score_sheets"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SheetStatus.choices, default=SheetStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reopened by"),
    )
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("application score sheet")
        verbose_name_plural = _("application score sheets")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "juror"], name="unique_application_sheet"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=SheetStatus.SUBMITTED)
                | models.Q(submitted_at__isnull=False),
                name="application_sheet_submitted_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.juror} – {self.application.reference} ({self.status})"


class ApplicationCriterionScore(models.Model):
    """Points and motivation for one sub-criterion (A1–C3) on a juror's sheet."""

    sheet = models.ForeignKey(
        ApplicationScoreSheet, on_delete=models.CASCADE, related_name="scores"
    )
    code = models.CharField(
        _("sub-criterion"), max_length=2, choices=[(c, c) for c in SUBCRITERION_CODES]
    )
    points = models.DecimalField(_("points"), null=True, blank=True, **POINTS)
    motivation = models.TextField(_("motivation"), blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sheet", "code"], name="unique_sheet_subcriterion"),
            models.CheckConstraint(
                condition=models.Q(code__in=SUBCRITERION_CODES), name="application_code_a1_to_c3"
            ),
            models.CheckConstraint(
                condition=models.Q(points__gte=0) | models.Q(points__isnull=True),
                name="application_points_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.sheet} {self.code}: {self.points}"
