"""The call (`oproep`) and, in later issues, its ideas and applications."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from cot_portal.records import GuardedRecord

from . import rules

MONEY = {"max_digits": 14, "decimal_places": 2}
SHARE = {"max_digits": 5, "decimal_places": 4}


def share_field(label, default, help_text=""):
    return models.DecimalField(label, default=Decimal(default), help_text=help_text, **SHARE)


def default_shortlist_maxima():
    return [20, 20, 20, 20, 10, 10]


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
    decision_date = models.DateField(
        _("decision date of the Flemish Government"), null=True, blank=True
    )
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
    tranche_2_min_cost_share = share_field(_("costs incurred before tranche 2 (R-TR2)"), "0.50")
    final_request_months = models.PositiveSmallIntegerField(
        _("months after the end to request tranche 3 (R-TR3)"), default=3
    )
    # R-SCORE, R-THRESH
    section_a_max = models.DecimalField(
        _("maximum of section A"), default=30, max_digits=5, decimal_places=1
    )
    section_b_max = models.DecimalField(
        _("maximum of section B"), default=40, max_digits=5, decimal_places=1
    )
    section_c_max = models.DecimalField(
        _("maximum of section C"), default=30, max_digits=5, decimal_places=1
    )
    score_step = models.DecimalField(
        _("score step"),
        default=Decimal("0.5"),
        max_digits=3,
        decimal_places=2,
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
    # R-SL: shortlist criteria maxima (20/20/20/20/10/10 in 2025)
    shortlist_maxima = models.JSONField(
        _("maxima of the six shortlist criteria (R-SL)"), default=default_shortlist_maxima
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
        if (
            self.idea_phase_opens
            and self.idea_deadline
            and self.idea_phase_opens >= self.idea_deadline
        ):
            errors["idea_phase_opens"] = _("Idea registration must open before the idea deadline.")
        if errors:
            raise ValidationError(errors)

    @property
    def idea_phase_open(self) -> bool:
        return self.idea_phase_opens <= timezone.now() < self.idea_deadline

    @property
    def application_phase_open(self) -> bool:
        return self.idea_deadline <= timezone.now() < self.application_deadline


class ProtectedStateModel(models.Model):
    """A model whose protected FSM fields change only through transitions, yet can be reloaded.

    django-fsm's protection also refuses the assignment that refresh_from_db() makes; we drop
    the cached state first so a reload from the database is allowed.
    """

    class Meta:
        abstract = True

    def refresh_from_db(self, *args, **kwargs):
        fields = kwargs.get("fields")
        for field in self._meta.concrete_fields:
            if getattr(field, "protected", False) and (not fields or field.attname in fields):
                self.__dict__.pop(field.attname, None)
        super().refresh_from_db(*args, **kwargs)


class Theme(models.TextChoices):
    """The six smart-city dimensions of seed 003 (R-THEME)."""

    ECONOMY = "economy", _("Smart economy")
    PEOPLE = "people", _("Smart people")
    MOBILITY = "mobility", _("Smart mobility")
    ENVIRONMENT = "environment", _("Smart environment (leefomgeving)")
    LIVING = "living", _("Smart living")
    GOVERNANCE = "governance", _("Smart governance")


class PartnerRole(models.TextChoices):
    """R-ROLE: the lead is the coordinator; partners participate or follow."""

    COORDINATOR = "coordinator", _("Coordinator")
    PARTICIPANT = "deelnemer", _("Participant (deelnemer)")
    FOLLOWER = "volger", _("Follower (volger)")


class SessionKind(models.TextChoices):
    INFORMATION = "information", _("Information session")
    INSPIRATION = "inspiration", _("Inspiration session")


class CoCreationSession(models.Model):
    """An information or inspiration session of the co-creation track (R-COCREATE)."""

    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("call")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=SessionKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity (people)"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("co-creation session")
        verbose_name_plural = _("co-creation sessions")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            )
        ]

    def __str__(self):
        return self.title


class SessionRegistration(models.Model):
    """A person registers (for their organisation) to attend a session."""

    session = models.ForeignKey(
        CoCreationSession, on_delete=models.CASCADE, related_name="registrations"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="session_registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_registrations"
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("session registration")
        verbose_name_plural = _("session registrations")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="unique_session_registration")
        ]

    def __str__(self):
        return f"{self.user} → {self.session}"


class AttendanceSource(models.TextChoices):
    MANUAL = "manual", _("Recorded by hand")
    UPLOAD = "upload", _("Attendance list upload")


class Attendance(models.Model):
    """Who actually attended a session, for which organisation (R-COCREATE)."""

    session = models.ForeignKey(
        CoCreationSession, on_delete=models.CASCADE, related_name="attendances"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="attendances"
    )
    person_name = models.CharField(_("name"), max_length=200)
    person_email = models.EmailField(_("e-mail address"), blank=True)
    source = models.CharField(
        _("source"),
        max_length=10,
        choices=AttendanceSource.choices,
        default=AttendanceSource.MANUAL,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["organisation__name", "person_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "organisation", "person_name"], name="unique_attendance"
            )
        ]

    def __str__(self):
        return f"{self.person_name} ({self.organisation}) – {self.session}"


class IdeaStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SHORTLISTED = "shortlisted", _("On the shortlist")
    NOT_SHORTLISTED = "not_shortlisted", _("Not on the shortlist")
    NOT_SUBMITTED = "not_submitted", _("Not submitted before the deadline")


class Idea(ProtectedStateModel):
    """A project idea (`aanmelding projectidee`, SPEC.md §3). Text fields cover the six
    shortlist criteria of R-SL."""

    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="ideas", verbose_name=_("call")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="ideas",
        verbose_name=_("registering organisation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    status = FSMField(
        _("status"), default=IdeaStatus.DRAFT, choices=IdeaStatus.choices, protected=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=200)
    challenge = models.TextField(_("the challenge"), blank=True)
    solution = models.TextField(_("the data-based solution and its innovation"), blank=True)
    capacity_building = models.TextField(_("capacity building and knowledge retention"), blank=True)
    policy_alignment = models.TextField(_("alignment with local and Flemish policy"), blank=True)
    support_rollout = models.TextField(
        _("support and roll-out to other local governments"), blank=True
    )
    openness = models.TextField(_("openness and interoperability"), blank=True)
    work_packages = models.TextField(_("first work packages"), blank=True)
    budget_total = models.DecimalField(
        _("provisional total budget"), null=True, blank=True, **MONEY
    )
    budget_notes = models.TextField(_("provisional budget: explanation"), blank=True)
    themes = models.JSONField(_("themes"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    submitted_at = models.DateTimeField(_("received"), null=True, blank=True)
    receipt = models.ForeignKey(
        "letters.Letter", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("project idea")
        verbose_name_plural = _("project ideas")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["call", "status"])]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @transition(field=status, source=IdeaStatus.DRAFT, target=IdeaStatus.SUBMITTED)
    def mark_submitted(self):
        """Only services.submit_idea calls this, after the deadline check (R-DL1)."""

    @transition(field=status, source=IdeaStatus.DRAFT, target=IdeaStatus.NOT_SUBMITTED)
    def mark_not_submitted(self):
        """The idea phase closed (R-DL1) while this was still a draft."""

    @transition(field=status, source=IdeaStatus.SUBMITTED, target=IdeaStatus.SHORTLISTED)
    def mark_shortlisted(self):
        """The published shortlist includes this idea (R-SL-GATE)."""

    @transition(field=status, source=IdeaStatus.SUBMITTED, target=IdeaStatus.NOT_SHORTLISTED)
    def mark_not_shortlisted(self):
        """The published shortlist does not include this idea."""


class IdeaPartner(models.Model):
    """An intended partner of an idea with its role (R-ROLE)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="idea_partnerships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=20, choices=PartnerRole.choices[1:])
    contribution = models.CharField(_("contribution in a few words"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("intended partner")
        verbose_name_plural = _("intended partners")
        constraints = [
            models.UniqueConstraint(fields=["idea", "organisation"], name="unique_idea_partner")
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"


class ReminderSent(models.Model):
    """A reminder that went out, so a job that runs twice sends it once."""

    kind = models.CharField(max_length=60)
    object_key = models.CharField(max_length=60)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_key"], name="unique_reminder")
        ]

    def __str__(self):
        return f"{self.kind} {self.object_key}"


# --- Phase 2: the full application (SPEC.md §4) -------------------------------------------


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    COMPLETION_REQUESTED = "completion_requested", _("Completion requested")
    ADMISSIBLE = "admissible", _("Admissible")
    NOT_ADMISSIBLE = "not_admissible", _("Not admissible")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")


class ApplicationSection(models.TextChoices):
    """The sections of the application form, each its own page (R-APP)."""

    PROJECT = "project", _("Project and challenge")
    PARTNERS = "partners", _("Partners and roles")
    WORK_PACKAGES = "work_packages", _("Work packages")
    PROCUREMENT = "procurement", _("External support and procurement plan")
    POLICY = "policy", _("Policy commitment")
    SCALABILITY = "scalability", _("Scalability, roll-out and business model")
    GROUPS = "groups", _("Steering group and sounding-board group")
    THEMES_KPIS = "themes_kpis", _("Themes and KPIs")
    PLANNING = "planning", _("Planning")
    BUDGET = "budget", _("Cost model")
    ATTACHMENTS = "attachments", _("Attachments")


class Application(ProtectedStateModel):
    """A full application (`aanvraag`), started from a shortlisted idea (R-SL-GATE)."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    idea = models.OneToOneField(Idea, on_delete=models.PROTECT, related_name="application")
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("lead applicant"),
    )
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    slug = models.SlugField(_("address"), max_length=120)
    status = FSMField(
        _("status"),
        default=ApplicationStatus.DRAFT,
        choices=ApplicationStatus.choices,
        protected=True,
    )
    section_versions = models.JSONField(default=dict, blank=True)
    # Project and challenge
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    challenge = models.TextField(_("the challenge"), blank=True)
    solution = models.TextField(_("the data-based solution"), blank=True)
    # External support (B2)
    external_support = models.TextField(_("external support needed and why"), blank=True)
    provider_profile = models.TextField(_("profile of the provider"), blank=True)
    # Scalability, roll-out, business model
    scalability = models.TextField(_("scalability to other cities and municipalities"), blank=True)
    rollout = models.TextField(_("roll-out and continuity after the project"), blank=True)
    business_model = models.TextField(_("business model"), blank=True)
    # Policy commitment (uploads are attachments of kind policy_*)
    policy_commitment = models.TextField(_("commitment to implement"), blank=True)
    # Themes
    themes = models.JSONField(_("themes"), default=list, blank=True)
    # Planning
    start_date = models.DateField(_("planned start date"), null=True, blank=True)
    end_date = models.DateField(_("planned end date"), null=True, blank=True)
    # Budget beyond the cost lines
    own_contribution = models.DecimalField(_("own contribution"), default=Decimal("0.00"), **MONEY)
    project_income = models.DecimalField(_("project income"), default=Decimal("0.00"), **MONEY)
    other_financing = models.DecimalField(_("other financing"), default=Decimal("0.00"), **MONEY)
    requested_support = models.DecimalField(_("requested support"), null=True, blank=True, **MONEY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    submitted_at = models.DateTimeField(_("received"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["call", "slug"], name="unique_application_slug")
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def duration_months(self) -> int | None:
        """The calendar months the project period spans (R-DUR), from its start and end dates."""
        if not (self.start_date and self.end_date) or self.end_date < self.start_date:
            return None
        return rules.months_spanned(self.start_date, self.end_date)

    def section_version(self, section: str) -> int:
        return int(self.section_versions.get(section, 0))

    @transition(
        field=status,
        source=[ApplicationStatus.DRAFT, ApplicationStatus.COMPLETION_REQUESTED],
        target=ApplicationStatus.SUBMITTED,
    )
    def mark_submitted(self):
        """services.submission.submit_application: first submission or a completion (R-ADM-COMPLETE)."""

    @transition(
        field=status,
        source=ApplicationStatus.SUBMITTED,
        target=ApplicationStatus.COMPLETION_REQUESTED,
    )
    def mark_completion_requested(self):
        """VLAIO asks to complete named items during the admissibility check (R-ADM-COMPLETE)."""

    @transition(
        field=status,
        source=ApplicationStatus.COMPLETION_REQUESTED,
        target=ApplicationStatus.SUBMITTED,
    )
    def mark_completion_overdue(self):
        """The response deadline passed without an answer: back to the call manager."""

    @transition(
        field=status, source=ApplicationStatus.SUBMITTED, target=ApplicationStatus.ADMISSIBLE
    )
    def mark_admissible(self):
        """R-ADM: the call manager declared the application admissible; it goes to the jury."""

    @transition(
        field=status, source=ApplicationStatus.SUBMITTED, target=ApplicationStatus.NOT_ADMISSIBLE
    )
    def mark_not_admissible(self):
        """R-ADM: not admissible; the applicant gets a letter with the reasons and it goes no further."""

    @transition(
        field=status, source=ApplicationStatus.ADMISSIBLE, target=ApplicationStatus.APPROVED
    )
    def mark_approved(self):
        """The Government's decision funds it (R-RANK); the approval letter follows (R-LETTER)."""

    @transition(
        field=status, source=ApplicationStatus.ADMISSIBLE, target=ApplicationStatus.REJECTED
    )
    def mark_rejected(self):
        """The Government's decision does not fund it: threshold not met or envelope exhausted."""

    @property
    def open_completion(self):
        """The completion request the applicant is answering now, if any."""
        if self.status != ApplicationStatus.COMPLETION_REQUESTED:
            return None
        return next(
            (
                c
                for c in self.completion_requests.all()
                if c.answered_at is None and c.closed_at is None
            ),
            None,
        )

    def section_reopened(self, section: str) -> bool:
        completion = self.open_completion
        return completion is not None and section in completion.sections


class ApplicationPartner(models.Model):
    """A partner in the application with its role (R-ROLE); the lead is the coordinator."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="application_partnerships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=20, choices=PartnerRole.choices)
    contribution = models.TextField(_("contribution to the project"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "organisation"], name="unique_application_partner"
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(role="coordinator"),
                name="one_coordinator",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"


class WorkPackage(models.Model):
    """A work package of the work plan (R-APP); one must be knowledge sharing (R-WP-KS)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="work_packages"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    objectives = models.TextField(_("objectives"), blank=True)
    lead_partner = models.ForeignKey(
        ApplicationPartner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_work_packages",
        verbose_name=_("lead partner"),
    )
    start_month = models.PositiveSmallIntegerField(_("start month"))
    end_month = models.PositiveSmallIntegerField(_("end month"))
    deliverables = models.TextField(_("deliverables"), blank=True)
    knowledge_sharing = models.BooleanField(_("knowledge sharing and communication"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("work package")
        verbose_name_plural = _("work packages")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="unique_wp_number"),
            models.CheckConstraint(
                condition=models.Q(end_month__gte=models.F("start_month")),
                name="wp_end_after_start",
            ),
        ]

    def __str__(self):
        return f"WP{self.number} {self.title}"


class CostCategory(models.TextChoices):
    """R-BUDGET categories."""

    PERSONNEL = "personnel", _("Personnel (incl. overhead and operating costs)")
    EXTERNAL = "external", _("External services and subcontracting")
    INVESTMENT = "investment", _("Investments")
    OTHER = "other", _("Other costs")


class CostLine(models.Model):
    """One line of the cost model: a partner's cost in a category and project year (R-BUDGET)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="cost_lines"
    )
    partner = models.ForeignKey(
        ApplicationPartner,
        on_delete=models.CASCADE,
        related_name="cost_lines",
        verbose_name=_("partner"),
    )
    category = models.CharField(_("category"), max_length=20, choices=CostCategory.choices)
    year = models.PositiveSmallIntegerField(_("project year"), default=1)
    description = models.CharField(_("description"), max_length=300)
    amount = models.DecimalField(_("amount"), **MONEY)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cost line")
        verbose_name_plural = _("cost lines")
        ordering = ["partner_id", "category", "year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="cost_line_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=1, year__lte=10), name="cost_line_year_1_to_10"
            ),
        ]

    def __str__(self):
        return f"{self.partner} {self.get_category_display()} {self.amount}"


class ProcurementProcedure(models.TextChoices):
    """SPEC.md §10, from seed 000."""

    ACCEPTED_INVOICE = "invoice", _("Accepted invoice (consult several parties)")
    NEGOTIATED_NO_PUBLICATION = "negotiated", _("Negotiated procedure without prior publication")
    COMPETITIVE_NEGOTIATION = "competitive_negotiation", _("Competitive procedure with negotiation")
    SIMPLIFIED_NEGOTIATED = (
        "simplified_negotiated",
        _("Simplified negotiated procedure with publication"),
    )
    OPEN = "open", _("Open procedure")
    RESTRICTED = "restricted", _("Restricted procedure")
    COMPETITIVE_DIALOGUE = "competitive_dialogue", _("Competitive dialogue")
    INNOVATION_PARTNERSHIP = "innovation_partnership", _("Innovation partnership")


class ProcurementItem(models.Model):
    """A planned purchase from companies (SPEC.md §10)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="procurement_items"
    )
    description = models.CharField(_("what is bought"), max_length=300)
    estimated_value = models.DecimalField(_("estimated value excluding VAT"), **MONEY)
    procedure = models.CharField(
        _("planned procedure"), max_length=30, choices=ProcurementProcedure.choices
    )
    motivation = models.TextField(_("motivation of the procedure"), blank=True)
    prior_knowledge = models.BooleanField(
        _("a company that helped prepare may tender"), default=False
    )
    prior_knowledge_measures = models.TextField(
        _("measures against prior-knowledge advantage"), blank=True
    )
    framework_agreement = models.BooleanField(
        _("framework agreement (others can buy later)"), default=False
    )
    conditional_parts = models.BooleanField(_("fixed and conditional parts"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("planned purchase")
        verbose_name_plural = _("procurement plan")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(estimated_value__gte=0), name="procurement_value_not_negative"
            )
        ]

    def __str__(self):
        return self.description


class GroupKind(models.TextChoices):
    STEERING = "steering", _("Steering group")
    SOUNDING = "sounding", _("Sounding-board group")


class GroupMember(models.Model):
    """A member of the steering or sounding-board group (R-GROUPS)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="group_members"
    )
    group = models.CharField(_("group"), max_length=10, choices=GroupKind.choices)
    name = models.CharField(_("name"), max_length=200)
    organisation_name = models.CharField(_("organisation"), max_length=200)
    role = models.CharField(_("role in the group"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["group", "pk"]

    def __str__(self):
        return f"{self.name} ({self.get_group_display()})"


class KPI(models.Model):
    """A measurable indicator with baseline and target (R-KPI)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=50)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class AttachmentKind(models.TextChoices):
    BESTUURSAKKOORD = "bestuursakkoord", _("Bestuursakkoord")
    MEERJARENBEGROTING = "meerjarenbegroting", _("Meerjarenbegroting")
    OFFICIAL_DOCUMENT = "official", _("Other official document")
    OTHER = "other", _("Other attachment")


POLICY_KINDS = {
    AttachmentKind.BESTUURSAKKOORD,
    AttachmentKind.MEERJARENBEGROTING,
    AttachmentKind.OFFICIAL_DOCUMENT,
}


def attachment_path(instance, filename):
    return f"applications/{instance.application.reference}/{filename}"


class Attachment(models.Model):
    downloadable_file_fields = ("file",)

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=attachment_path)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["kind", "pk"]

    def __str__(self):
        return self.title


def snapshot_path(instance, filename):
    return f"submissions/{instance.application.reference}/{filename}"


class Submission(GuardedRecord, models.Model):
    """The frozen snapshot of a submitted application (R-SUBMIT): what the jury scores.

    Never edited or deleted (cot_portal/records.py): the PDF and the receipt are filled once,
    after the commit, by services.submission.render_submission_documents.
    """

    downloadable_file_fields = ("pdf",)
    record_frozen_fields = (
        "application",
        "number",
        "submitted_at",
        "submitted_by",
        "content",
        "content_sha256",
    )
    record_fill_once_fields = ("pdf", "pdf_sha256", "receipt")

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="submissions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    submitted_at = models.DateTimeField(_("received"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    content = models.JSONField(_("content"))
    content_sha256 = models.CharField(max_length=64)
    pdf = models.FileField(_("PDF"), upload_to=snapshot_path, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    receipt = models.ForeignKey(
        "letters.Letter", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "number"], name="unique_submission_number"
            )
        ]

    def __str__(self):
        return f"{self.application.reference} v{self.number}"


class AdmissibilityCriterion(models.TextChoices):
    """The criteria of SPEC.md §5 (R-ADM), plus the co-creation flag (R-COCREATE)."""

    ON_TIME = "on_time", _("Submitted on time (R-DL2)")
    COMPLETE = "complete", _("Application form and budget complete")
    TYPES = "types", _("Lead applicant and partners of the allowed types")
    DURATION = "duration", _("Duration within the maximum (R-DUR)")
    START = "start", _("Start date within the start window (R-START)")
    BALANCED = "balanced", _("Budget balanced and filled in (R-BAL)")
    COCREATION = "cocreation", _("Lead applicant took part in the co-creation track (R-COCREATE)")


class AdmissibilityCheck(models.Model):
    """One criterion of one application: what the portal computed and what VLAIO confirmed."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="admissibility_checks"
    )
    criterion = models.CharField(
        _("criterion"), max_length=20, choices=AdmissibilityCriterion.choices
    )
    computed_ok = models.BooleanField(_("met according to the portal"))
    figures = models.TextField(_("what it rests on"))
    confirmed_ok = models.BooleanField(_("met according to VLAIO"), null=True, blank=True)
    note = models.TextField(_("internal note"), blank=True)
    reason = models.TextField(_("reason for the applicant"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("admissibility check")
        verbose_name_plural = _("admissibility checks")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion"], name="unique_admissibility_criterion"
            )
        ]

    def __str__(self):
        return f"{self.application.reference} {self.criterion}"

    @property
    def ok(self) -> bool:
        """VLAIO's word where given, else the portal's computation."""
        return self.computed_ok if self.confirmed_ok is None else self.confirmed_ok

    @property
    def finding(self) -> str:
        """What the applicant reads in a letter: VLAIO's reason where given, else the figures."""
        return self.reason or self.figures


class CompletionRequest(models.Model):
    """R-ADM-COMPLETE: VLAIO asks to complete named sections by a response deadline."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="completion_requests"
    )
    sections = models.JSONField(_("sections to complete"))
    message = models.TextField(_("what to complete"))
    deadline = models.DateTimeField(_("respond before"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answer = models.ForeignKey(
        "Submission", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed without answer"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("completion request")
        verbose_name_plural = _("completion requests")
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.application.reference} ({self.requested_at:%d/%m/%Y})"

    @property
    def not_completed(self) -> bool:
        """Flag for the call manager: "niet vervolledigd"."""
        return self.closed_at is not None


class AdmissibilityDecision(models.Model):
    """The call manager's decision on admissibility (R-ADM), with its letter when negative."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="admissibility_decision"
    )
    admissible = models.BooleanField(_("admissible"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)
    letter = models.ForeignKey(
        "letters.Letter", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("admissibility decision")
        verbose_name_plural = _("admissibility decisions")

    def __str__(self):
        return (
            f"{self.application.reference}: {'admissible' if self.admissible else 'not admissible'}"
        )
