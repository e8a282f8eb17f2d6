"""Jury work. Phase 1: conflicts of interest, idea scores, consensus and the shortlist."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from applications.models import MONEY
from cot_portal.records import GuardedRecord

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


# --- Consensus, doubts, cuts and the ranking (issue 7, part 2) ------------------------------


class ConsensusOverride(models.Model):
    """The call manager's consensus on one sub-criterion, replacing the members' mean (R-SCORE).

    Without a row the consensus is the mean of the submitted, unconflicted sheets; a row sets the
    points with a written motivation. Deleting the row returns to the mean (kept in history).
    """

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="consensus_overrides"
    )
    code = models.CharField(
        _("sub-criterion"), max_length=2, choices=[(c, c) for c in SUBCRITERION_CODES]
    )
    points = models.DecimalField(_("consensus points"), **POINTS)
    motivation = models.TextField(_("motivation"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(_("set"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consensus score")
        verbose_name_plural = _("consensus scores")
        constraints = [
            models.UniqueConstraint(fields=["application", "code"], name="unique_consensus_code"),
            models.CheckConstraint(
                condition=models.Q(points__gte=0), name="consensus_points_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.application.reference} {self.code}: {self.points}"


class JuryReview(models.Model):
    """The jury's conclusions on one application beyond its scores.

    Serious doubts (R-DOUBT) put it at the bottom of the ranking; a cut (R-CUT) strikes work
    packages (with the costs that leave with them) and/or reduces the support, giving the awarded
    amount the envelope consumes; conditions go into the approval letter (R-LETTER).
    """

    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="jury_review"
    )
    doubtful = models.BooleanField(_("serious doubts"), default=False)
    doubt_motivation = models.TextField(_("motivation of the doubts"), blank=True)
    struck_work_packages = models.ManyToManyField(
        "applications.WorkPackage",
        blank=True,
        related_name="+",
        verbose_name=_("struck work packages"),
    )
    struck_costs = models.DecimalField(_("costs of the struck work packages"), default=0, **MONEY)
    reduction = models.DecimalField(_("reduction of the support"), default=0, **MONEY)
    cut_motivation = models.TextField(_("motivation of the cut"), blank=True)
    awarded = models.DecimalField(
        _("awarded amount"),
        null=True,
        blank=True,
        help_text=_("Set when a cut is saved; without a cut the requested support is awarded."),
        **MONEY,
    )
    conditions = models.TextField(_("conditions for the approval letter"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("last changed"))
    history = HistoricalRecords(m2m_fields=[struck_work_packages])

    class Meta:
        verbose_name = _("jury review")
        verbose_name_plural = _("jury reviews")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(doubtful=False) | ~models.Q(doubt_motivation=""),
                name="doubt_has_motivation",
            ),
            models.CheckConstraint(
                condition=models.Q(struck_costs__gte=0) & models.Q(reduction__gte=0),
                name="cut_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.application.reference}: review"


class RankingAdjustment(models.Model):
    """R-EXTRA: a motivated move of one application to another place in the ranking.

    Portfolio diversity and a fair share for non-centre municipalities have no formula; the call
    manager records the new position and why, and the ranking page shows it on the line.
    """

    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="ranking_adjustment"
    )
    position = models.PositiveSmallIntegerField(_("new position"))
    motivation = models.TextField(_("motivation"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(_("made"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ranking adjustment")
        verbose_name_plural = _("ranking adjustments")
        constraints = [
            models.CheckConstraint(condition=models.Q(position__gte=1), name="position_from_one"),
            models.CheckConstraint(
                condition=~models.Q(motivation=""), name="adjustment_has_motivation"
            ),
        ]

    def __str__(self):
        return f"{self.application.reference} → {self.position}"


class JuryQuestion(models.Model):
    """R-JURY-Q: a question of VLAIO to the applicant during scoring, beside the submission.

    Visible to the unconflicted jury and to the lead applicant, who answers it. The applicant never
    sees who asked (VLAIO asks).
    """

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="jury_questions"
    )
    question = models.TextField(_("question"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField(_("asked"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("jury question")
        verbose_name_plural = _("jury questions")
        ordering = ["asked_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answer="") | models.Q(answered_at__isnull=False),
                name="answer_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.application.reference}: {self.question[:40]}"


class Advice(GuardedRecord, models.Model):
    """VLAIO's advice to the Flemish Government: the ranking of a call frozen at one moment.

    `rows` keeps every line as plain values (see services_ranking.advice_rows); the PDF and the
    xlsx are rendered from them. Freezing again before the decision replaces them (history keeps
    the earlier advice); once the decision is recorded the advice no longer changes, and it is
    never deleted (cot_portal/records.py).
    """

    downloadable_file_fields = ("pdf", "xlsx")
    record_frozen_fields = ("call",)
    record_final_fields = ("envelope", "rows", "pdf", "xlsx", "sha256", "frozen_by", "frozen_at")

    call = models.OneToOneField(
        "applications.Call", on_delete=models.PROTECT, related_name="advice"
    )
    envelope = models.DecimalField(_("envelope"), **MONEY)
    rows = models.JSONField(_("ranking"), default=list)
    pdf = models.FileField(_("advice (PDF)"), upload_to="advice/%Y/")
    xlsx = models.FileField(_("advice (xlsx)"), upload_to="advice/%Y/")
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    frozen_at = models.DateTimeField(_("frozen"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("advice to the Government")
        verbose_name_plural = _("advice to the Government")

    def __str__(self):
        return f"{self.call}: advice"

    def record_is_final(self) -> bool:
        return GovernmentDecision.objects.filter(call_id=self.call_id).exists()


class GovernmentDecision(GuardedRecord, models.Model):
    """The Flemish Government's decision on a call's advice, with its date (R-LETTER gate).

    Never edited or deleted once recorded (cot_portal/records.py).
    """

    record_frozen_fields = (
        "call",
        "decision_date",
        "decision_reference",
        "recorded_by",
        "recorded_at",
    )

    call = models.OneToOneField(
        "applications.Call", on_delete=models.PROTECT, related_name="government_decision"
    )
    decision_date = models.DateField(_("date of the decision"))
    decision_reference = models.CharField(
        _("reference of the decision"), max_length=100, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Government decision")
        verbose_name_plural = _("Government decisions")

    def __str__(self):
        return f"{self.call}: {self.decision_date}"


class DecisionReason(models.TextChoices):
    FUNDED = "funded", _("Funded")
    THRESHOLD = "threshold", _("Threshold not met")
    RESERVE = "reserve", _("Envelope exhausted (reserve list)")


class DecisionOutcome(GuardedRecord, models.Model):
    """What the decision means for one application, and its letter (R-LETTER).

    Approved with the awarded amount and the tranche schedule, or rejected with the section
    scores and the reason. `sections` keeps {"A": {"score": "22.5", "max": "30"}, …} and `failed`
    the threshold lines that failed (R-THRESH), both as they stood in the advice. Never edited
    or deleted; the letter is attached once (cot_portal/records.py).
    """

    record_frozen_fields = (
        "decision",
        "application",
        "approved",
        "reason",
        "rank",
        "reserve_position",
        "requested",
        "awarded",
        "total_score",
        "sections",
        "failed",
        "conditions",
    )
    record_fill_once_fields = ("letter",)

    decision = models.ForeignKey(
        GovernmentDecision, on_delete=models.PROTECT, related_name="outcomes"
    )
    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="decision_outcome"
    )
    approved = models.BooleanField(_("approved"))
    reason = models.CharField(_("reason"), max_length=10, choices=DecisionReason.choices)
    rank = models.PositiveSmallIntegerField(_("position in the ranking"))
    reserve_position = models.PositiveSmallIntegerField(
        _("reserve position"), null=True, blank=True
    )
    requested = models.DecimalField(_("requested support"), **MONEY)
    awarded = models.DecimalField(_("awarded amount"), default=0, **MONEY)
    total_score = models.DecimalField(_("total score"), **POINTS)
    sections = models.JSONField(_("section scores"), default=dict)
    failed = models.JSONField(_("thresholds not met"), default=list, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    letter = models.OneToOneField(
        "letters.Letter", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("decision per application")
        verbose_name_plural = _("decisions per application")
        ordering = ["rank"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(approved=False, awarded=0)
                | models.Q(approved=True, reason="funded", awarded__gt=0),
                name="approved_has_award",
            ),
        ]

    def __str__(self):
        return f"{self.application.reference}: {self.reason}"
