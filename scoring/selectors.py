"""Reads for the jury's and the call manager's pages (ARCHITECTURE.md §2).

Every list is built in a fixed number of queries, whatever the number of ideas: the tests assert
this with `django_assert_max_num_queries`.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.utils.translation import gettext_lazy as _

from applications.models import Call, Idea, IdeaPartner, IdeaStatus, Theme
from cot_portal.accounts.models import Membership, StaffRole, User
from cot_portal.accounts.permissions import member_organisation_ids

from . import rules
from .models import (
    IdeaAssessment,
    IdeaConflict,
    IdeaConsensus,
    IdeaCriterionScore,
    IdeaScoreSheet,
    SheetStatus,
)
from .permissions import JURY_STATUSES


class JuryState:
    """Where a juror stands with one idea (the list's status column)."""

    DECLARE = "declare"
    CONFLICT = "conflict"
    SCORE = "score"
    DRAFT = "draft"
    SUBMITTED = "submitted"


def _partners_prefetch():
    return Prefetch(
        "partners",
        queryset=IdeaPartner.objects.select_related("organisation").order_by("organisation__name"),
    )


def call_by_year(year: int) -> Call | None:
    return Call.objects.select_related("shortlist_publication").filter(year=year).first()


# --- The juror ------------------------------------------------------------------------------


@dataclass
class JuryRow:
    idea: Idea
    state: str
    automatic_conflict: bool = False

    @property
    def may_open(self) -> bool:
        return self.state in (JuryState.SCORE, JuryState.DRAFT, JuryState.SUBMITTED)


def _with_my_declaration_and_sheet(queryset, user):
    return queryset.annotate(
        my_conflict=Subquery(
            IdeaConflict.objects.filter(idea=OuterRef("pk"), juror=user).values("has_conflict")[:1]
        ),
        my_sheet_status=Subquery(
            IdeaScoreSheet.objects.filter(idea=OuterRef("pk"), juror=user).values("status")[:1]
        ),
    )


def _jury_row(idea: Idea, own_organisation_ids: set[int]) -> JuryRow:
    automatic = rules.is_automatically_conflicted(
        own_organisation_ids, idea.organisation_id, (p.organisation_id for p in idea.partners.all())
    )
    if automatic or idea.my_conflict is True:
        return JuryRow(idea, JuryState.CONFLICT, automatic_conflict=automatic)
    if idea.my_conflict is None:
        return JuryRow(idea, JuryState.DECLARE)
    if idea.my_sheet_status == SheetStatus.SUBMITTED:
        return JuryRow(idea, JuryState.SUBMITTED)
    if idea.my_sheet_status == SheetStatus.DRAFT:
        return JuryRow(idea, JuryState.DRAFT)
    return JuryRow(idea, JuryState.SCORE)


def jury_rows(call: Call, user) -> list[JuryRow]:
    """The submitted ideas of a call as one juror sees them: the twin of permissions.py.

    Three queries: ideas with the juror's declaration and sheet status, partners, memberships.
    """
    ideas = _with_my_declaration_and_sheet(
        Idea.objects.filter(call=call, status__in=JURY_STATUSES)
        .select_related("organisation")
        .prefetch_related(_partners_prefetch())
        .order_by("reference"),
        user,
    )
    own = member_organisation_ids(user)
    return [_jury_row(idea, own) for idea in ideas]


def idea_by_reference(reference: str) -> Idea | None:
    """One idea with what its pages show (call, organisation, partners)."""
    return (
        Idea.objects.select_related("call", "organisation")
        .prefetch_related(_partners_prefetch())
        .filter(reference=reference)
        .first()
    )


def sheet_of(idea: Idea, juror) -> IdeaScoreSheet | None:
    return (
        IdeaScoreSheet.objects.filter(idea=idea, juror=juror)
        .prefetch_related(
            Prefetch("scores", queryset=IdeaCriterionScore.objects.order_by("criterion"))
        )
        .first()
    )


def sheet_values(sheet: IdeaScoreSheet | None) -> dict[int, tuple[Decimal | None, str]]:
    """{criterion: (points, feedback)} of a sheet (uses the prefetched scores)."""
    if sheet is None:
        return {}
    return {s.criterion: (s.points, s.feedback) for s in sheet.scores.all()}


def declaration_of(idea: Idea, juror) -> IdeaConflict | None:
    return IdeaConflict.objects.filter(idea=idea, juror=juror).first()


@dataclass
class IdeaSection:
    criterion: rules.Criterion | None
    fields: list[tuple[str, str]]


def idea_sections(idea: Idea) -> list[IdeaSection]:
    """What the jury reads, grouped by the shortlist criterion it informs (R-SL)."""
    meta = Idea._meta

    def pair(name):
        return (meta.get_field(name).verbose_name, getattr(idea, name))

    by_number = {c.number: c for c in rules.SHORTLIST_CRITERIA}
    return [
        IdeaSection(by_number[1], [pair("challenge"), pair("solution")]),
        IdeaSection(by_number[2], [pair("capacity_building")]),
        IdeaSection(by_number[3], [pair("policy_alignment")]),
        IdeaSection(by_number[4], [pair("support_rollout")]),
        IdeaSection(by_number[5], [pair("openness")]),
        IdeaSection(by_number[6], [pair("work_packages"), pair("budget_notes")]),
    ]


def theme_labels(idea: Idea) -> list[str]:
    labels = dict(Theme.choices)
    return [labels.get(value, value) for value in idea.themes or []]


# --- The call manager -----------------------------------------------------------------------


def counted_sheets():
    """Submitted sheets of jurors who are not conflicted (declared or automatic) (R-JURY).

    A juror who declares a conflict after scoring, or who joins the idea's organisation or a
    partner later, no longer counts in the mean.
    """
    declared = IdeaConflict.objects.filter(
        idea_id=OuterRef("idea_id"), juror_id=OuterRef("juror_id"), has_conflict=True
    )
    automatic = Membership.objects.filter(user_id=OuterRef("juror_id")).filter(
        Q(organisation_id=OuterRef("idea__organisation_id"))
        | Q(organisation__idea_partnerships__idea_id=OuterRef("idea_id"))
    )
    return (
        IdeaScoreSheet.objects.filter(status=SheetStatus.SUBMITTED)
        .exclude(Exists(declared))
        .exclude(Exists(automatic))
    )


def points_of(sheet: IdeaScoreSheet) -> dict[int, Decimal | None]:
    return {s.criterion: s.points for s in sheet.scores.all()}


@dataclass
class CriterionSummary:
    criterion: rules.Criterion
    maximum: Decimal
    scores: list[Decimal]
    mean: Decimal | None
    spread_flag: bool
    consensus_points: Decimal | None = None
    consensus_feedback: str = ""


@dataclass
class IdeaSummary:
    """An idea with the jury's submitted scores and the manager's assessment."""

    idea: Idea
    sheets: list[IdeaScoreSheet]
    criteria: list[CriterionSummary]
    assessment: IdeaAssessment | None
    mean_total: Decimal | None = None
    consensus_total: Decimal | None = None
    consensus_complete: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def decision(self) -> bool | None:
        return self.assessment.shortlisted if self.assessment else None

    @property
    def letter(self):
        return self.assessment.letter if self.assessment else None


def _summarise(idea: Idea, sheets: list[IdeaScoreSheet]) -> IdeaSummary:
    call = idea.call
    maxima = rules.criterion_maxima(call.shortlist_maxima)
    per_sheet = [points_of(s) for s in sheets]
    for sheet, values in zip(sheets, per_sheet, strict=True):
        sheet.row_points = [values.get(n) for n in rules.CRITERION_NUMBERS]
        sheet.total = rules.total_or_none(values)
    means = rules.criterion_means(per_sheet)
    assessment = getattr(idea, "assessment", None)
    consensus = {c.criterion: c for c in assessment.consensus.all()} if assessment else {}
    criteria = []
    for criterion in rules.SHORTLIST_CRITERIA:
        n = criterion.number
        scores = [p[n] for p in per_sheet if p.get(n) is not None]
        agreed = consensus.get(n)
        criteria.append(
            CriterionSummary(
                criterion=criterion,
                maximum=maxima[n],
                scores=scores,
                mean=means[n],
                spread_flag=rules.spread_is_large(scores, maxima[n], call.spread_flag_share),
                consensus_points=agreed.points if agreed else None,
                consensus_feedback=agreed.feedback if agreed else "",
            )
        )
    consensus_points = {c.criterion.number: c.consensus_points for c in criteria}
    return IdeaSummary(
        idea=idea,
        sheets=sheets,
        criteria=criteria,
        assessment=assessment,
        mean_total=rules.total_or_none(means),
        consensus_total=rules.total_or_none(consensus_points),
        consensus_complete=not rules.missing_criteria(consensus_points),
    )


def _ideas_with_scores(queryset):
    return queryset.select_related(
        "call", "organisation", "assessment", "assessment__letter"
    ).prefetch_related(
        Prefetch(
            "score_sheets",
            queryset=counted_sheets()
            .select_related("juror")
            .prefetch_related(
                Prefetch("scores", queryset=IdeaCriterionScore.objects.order_by("criterion"))
            )
            .order_by("juror__last_name", "juror__first_name", "juror__email"),
            to_attr="counted_sheets",
        ),
        Prefetch("assessment__consensus", queryset=IdeaConsensus.objects.order_by("criterion")),
    )


def shortlist_overview(call: Call) -> list[IdeaSummary]:
    """All submitted ideas of a call with mean totals, consensus totals and decisions.

    Five queries, whatever the number of ideas or jurors.
    """
    ideas = _ideas_with_scores(
        Idea.objects.filter(call=call, status__in=JURY_STATUSES).order_by("reference")
    )
    return [_summarise(idea, idea.counted_sheets) for idea in ideas]


def idea_summary(idea: Idea) -> IdeaSummary:
    """One idea with every counted sheet (per juror), means, spread flags and consensus."""
    fresh = _ideas_with_scores(Idea.objects.filter(pk=idea.pk)).get()
    return _summarise(fresh, fresh.counted_sheets)


@dataclass
class ConflictNote:
    juror: User
    automatic: bool
    reason: str = ""


def conflicts_of(idea: Idea) -> list[ConflictNote]:
    """Jurors who may not judge this idea: declared, and computed from memberships (R-JURY)."""
    declared = [
        ConflictNote(c.juror, c.automatic, c.reason)
        for c in IdeaConflict.objects.filter(idea=idea, has_conflict=True).select_related("juror")
    ]
    seen = {note.juror.pk for note in declared}
    organisation_ids = {idea.organisation_id, *(p.organisation_id for p in idea.partners.all())}
    automatic = (
        User.objects.filter(
            groups__name=StaffRole.JURY_MEMBER, memberships__organisation_id__in=organisation_ids
        )
        .exclude(pk__in=seen)
        .distinct()
    )
    return declared + [ConflictNote(user, True) for user in automatic]


# --- Dashboard panels -----------------------------------------------------------------------


@dataclass
class JuryPanelRow:
    call: Call
    to_declare: int = 0
    to_score: int = 0
    submitted: int = 0


def jury_panel(user) -> list[JuryPanelRow]:
    """Per call whose shortlist is not yet published: what this juror still has to do."""
    ideas = _with_my_declaration_and_sheet(
        Idea.objects.filter(status=IdeaStatus.SUBMITTED, call__shortlist_publication__isnull=True)
        .select_related("call")
        .prefetch_related("partners")
        .order_by("-call__year"),
        user,
    )
    own = member_organisation_ids(user)
    rows: dict[int, JuryPanelRow] = {}
    for idea in ideas:
        row = rows.setdefault(idea.call_id, JuryPanelRow(idea.call))
        state = _jury_row(idea, own).state
        if state == JuryState.DECLARE:
            row.to_declare += 1
        elif state in (JuryState.SCORE, JuryState.DRAFT):
            row.to_score += 1
        elif state == JuryState.SUBMITTED:
            row.submitted += 1
    return list(rows.values())


def manager_panel():
    """Per call with submitted ideas: submitted, scored, decided, and whether published."""
    in_jury = Q(ideas__status__in=JURY_STATUSES)
    return list(
        Call.objects.annotate(
            submitted_count=Count("ideas", filter=in_jury, distinct=True),
            scored_count=Count(
                "ideas",
                filter=in_jury & Q(ideas__score_sheets__status=SheetStatus.SUBMITTED),
                distinct=True,
            ),
            decided_count=Count(
                "ideas",
                filter=in_jury & Q(ideas__assessment__shortlisted__isnull=False),
                distinct=True,
            ),
        )
        .filter(submitted_count__gt=0)
        .select_related("shortlist_publication")
        .order_by("-year")
    )


DECISION_LABELS = {
    True: _("On the shortlist"),
    False: _("Not on the shortlist"),
    None: _("No decision yet"),
}
