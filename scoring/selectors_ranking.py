"""Reads for the consensus, the ranking and the advice of a call's full applications (issue 7).

One application's consensus page and the whole call's ranking are built from the same summary,
in a fixed number of queries whatever the number of applications, jurors or sheets: the tests
assert it. The rules themselves (mean, spread, thresholds, ranking, envelope walk, cut) are the
pure functions of `ranking.py`; this module only gathers their inputs.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery, Sum

from applications.models import Application, Call, WorkPackage
from cot_portal.accounts.models import Membership

from . import ranking
from .models import (
    Advice,
    ApplicationConflict,
    ApplicationCriterionScore,
    ApplicationScoreSheet,
    ConsensusOverride,
    DecisionOutcome,
    GovernmentDecision,
    JuryMember,
    JuryReview,
    RankingAdjustment,
    SheetStatus,
)
from .permissions import RANKED_STATUSES
from .services_applications import call_section_maxima

ZERO = Decimal("0")


def counted_application_sheets():
    """Submitted sheets of jurors who are not conflicted, declared or automatic (R-JURY).

    A juror who declares a conflict after scoring, or joins the lead applicant or a partner
    later, no longer counts in the mean and does not appear in the consensus.
    """
    declared = ApplicationConflict.objects.filter(
        application_id=OuterRef("application_id"), juror_id=OuterRef("juror_id"), has_conflict=True
    )
    automatic = Membership.objects.filter(user_id=OuterRef("juror_id")).filter(
        Q(organisation_id=OuterRef("application__organisation_id"))
        | Q(organisation__application_partnerships__application_id=OuterRef("application_id"))
    )
    return (
        ApplicationScoreSheet.objects.filter(status=SheetStatus.SUBMITTED)
        .exclude(Exists(declared))
        .exclude(Exists(automatic))
    )


@dataclass
class MemberScore:
    juror: object
    points: Decimal | None
    motivation: str


@dataclass
class SubCriterionLine:
    """One sub-criterion of one application: the members' scores, mean, flag and consensus."""

    subcriterion: ranking.SubCriterion
    maximum: Decimal
    members: list[MemberScore]
    mean: Decimal | None
    spread: bool
    override: ConsensusOverride | None

    @property
    def consensus(self) -> Decimal | None:
        return self.override.points if self.override else self.mean


@dataclass
class ApplicationSummary:
    """An admissible application as the consensus page and the ranking see it."""

    application: Application
    lines: list[SubCriterionLine]
    sheets: list[ApplicationScoreSheet]
    section_maxima: dict[str, Decimal]
    review: JuryReview | None
    adjustment: RankingAdjustment | None
    total_cost: Decimal
    extra: dict = field(default_factory=dict)

    @property
    def consensus_points(self) -> dict[str, Decimal | None]:
        return {line.subcriterion.code: line.consensus for line in self.lines}

    @property
    def complete(self) -> bool:
        """Every sub-criterion has a consensus (a mean of at least one sheet, or an override)."""
        return all(line.consensus is not None for line in self.lines)

    @property
    def sections(self) -> dict[str, Decimal]:
        return ranking.section_totals(self.consensus_points)

    @property
    def total(self) -> Decimal:
        return ranking.total(self.consensus_points)

    @property
    def eligibility(self) -> ranking.Eligibility:
        call = self.application.call
        return ranking.eligibility(
            self.sections,
            self.section_maxima,
            call.section_threshold_share,
            call.total_threshold_share,
        )

    @property
    def doubtful(self) -> bool:
        return bool(self.review and self.review.doubtful)

    @property
    def requested(self) -> Decimal:
        return self.application.requested_support or ZERO

    @cached_property
    def awarded(self) -> Decimal:
        """R-CUT: the amount after the jury's cut; without a cut, the request within the caps."""
        if self.review is not None and self.review.awarded is not None:
            return self.review.awarded
        call = self.application.call
        return ranking.award_amount(
            self.total_cost,
            self.application.project_income,
            self.requested,
            call.max_support_per_project,
            call.max_support_rate,
        )

    @property
    def spread_count(self) -> int:
        return sum(1 for line in self.lines if line.spread)

    @property
    def overridden_count(self) -> int:
        return sum(1 for line in self.lines if line.override is not None)

    def candidate(self) -> ranking.Candidate:
        """The application as `ranking.rank` and `walk_envelope` take it.

        An incomplete consensus is not eligible: without every sub-criterion the thresholds
        cannot be met, and the ranking page says which applications still lack scores. Nor is
        an application the cut leaves nothing to award.
        """
        sections = self.sections
        return ranking.Candidate(
            id=self.application.pk,
            total=self.total,
            section_a=sections["A"],
            section_b=sections["B"],
            section_c=sections["C"],
            submitted_at=self.application.submitted_at,
            doubtful=self.doubtful,
            eligible=self.complete and self.eligibility.eligible and self.awarded > ZERO,
            awarded=self.awarded,
        )


def _with_jury_work(queryset):
    return queryset.select_related(
        "call", "organisation", "jury_review", "ranking_adjustment", "ranking_adjustment__made_by"
    ).prefetch_related(
        Prefetch(
            "score_sheets",
            queryset=counted_application_sheets()
            .select_related("juror")
            .order_by("juror__last_name", "juror__first_name", "juror__email"),
            to_attr="counted_sheets",
        ),
        Prefetch(
            "consensus_overrides",
            queryset=ConsensusOverride.objects.select_related("set_by"),
            to_attr="overrides",
        ),
        Prefetch(
            "jury_review__struck_work_packages",
            queryset=WorkPackage.objects.order_by("number"),
        ),
    )


@dataclass(frozen=True)
class ScoreValue:
    points: Decimal | None
    motivation: str


def _scores_by_sheet(applications) -> dict[int, dict[str, ScoreValue]]:
    """{sheet id: {code: points and motivation}} of the counted sheets, in one query.

    Plain values rather than model instances: a call's ranking reads ten scores of every juror
    of every application (350,000 for 5,000 applications × 7 jurors), and building a model
    instance per score took most of the ranking's time.
    """
    by_sheet: dict[int, dict[str, ScoreValue]] = {
        sheet.pk: {} for application in applications for sheet in application.counted_sheets
    }
    rows = ApplicationCriterionScore.objects.filter(sheet_id__in=list(by_sheet)).values_list(
        "sheet_id", "code", "points", "motivation"
    )
    for sheet_id, code, points, motivation in rows:
        by_sheet[sheet_id][code] = ScoreValue(points, motivation)
    return by_sheet


def _summarise(application: Application, total_cost: Decimal, scores) -> ApplicationSummary:
    call = application.call
    maxima = call_section_maxima(call)
    sub_maxima = ranking.subcriterion_maxima(maxima)
    sheets = application.counted_sheets
    per_sheet = [scores[sheet.pk] for sheet in sheets]
    overrides = {o.code: o for o in application.overrides}
    lines = []
    for sub in ranking.SUBCRITERIA:
        members = []
        for sheet, scores in zip(sheets, per_sheet, strict=True):
            score = scores.get(sub.code)
            members.append(
                MemberScore(
                    sheet.juror,
                    score.points if score else None,
                    score.motivation if score else "",
                )
            )
        points = [m.points for m in members if m.points is not None]
        lines.append(
            SubCriterionLine(
                subcriterion=sub,
                maximum=sub_maxima[sub.code],
                members=members,
                mean=ranking.consensus(points),
                spread=ranking.spread_flag(points, sub_maxima[sub.code], call.spread_flag_share),
                override=overrides.get(sub.code),
            )
        )
    return ApplicationSummary(
        application=application,
        lines=lines,
        sheets=sheets,
        section_maxima=maxima,
        review=getattr(application, "jury_review", None),
        adjustment=getattr(application, "ranking_adjustment", None),
        total_cost=total_cost,
    )


def _total_costs(application_ids) -> dict[int, Decimal]:
    rows = (
        Application.objects.filter(pk__in=application_ids)
        .annotate(cost=Sum("cost_lines__amount"))
        .values_list("pk", "cost")
    )
    return {pk: cost or Decimal("0.00") for pk, cost in rows}


def application_summary(application: Application) -> ApplicationSummary:
    """One application with its counted sheets, consensus, review and cost (constant queries)."""
    fresh = _with_jury_work(Application.objects.filter(pk=application.pk)).get()
    return _summarise(fresh, _total_costs([fresh.pk])[fresh.pk], _scores_by_sheet([fresh]))


def call_summaries(call: Call) -> list[ApplicationSummary]:
    """Every application of the call the jury ranks (admissible, or decided), by reference."""
    applications = list(
        _with_jury_work(Application.objects.filter(call=call, status__in=RANKED_STATUSES)).order_by(
            "reference"
        )
    )
    costs = _total_costs([a.pk for a in applications])
    scores = _scores_by_sheet(applications)
    return [_summarise(a, costs[a.pk], scores) for a in applications]


@dataclass
class RankingLine:
    summary: ApplicationSummary
    outcome: ranking.Outcome
    score_rank: int


@dataclass
class CallRanking:
    call: Call
    envelope: Decimal
    lines: list[RankingLine]

    @property
    def funded_total(self) -> Decimal:
        return sum(
            (
                line.outcome.candidate.awarded
                for line in self.lines
                if line.outcome.outcome == ranking.FUNDED
            ),
            ZERO,
        )

    @property
    def remaining(self) -> Decimal:
        return self.envelope - self.funded_total

    @property
    def incomplete(self) -> list[ApplicationSummary]:
        return [line.summary for line in self.lines if not line.summary.complete]


def call_ranking(call: Call) -> CallRanking:
    """R-RANK, R-DOUBT, R-EXTRA and the envelope walk over the call's applications."""
    summaries = {s.application.pk: s for s in call_summaries(call)}
    ranked = ranking.rank([s.candidate() for s in summaries.values()])
    score_rank = {c.id: n for n, c in enumerate(ranked, start=1)}
    positions = {pk: s.adjustment.position for pk, s in summaries.items() if s.adjustment}
    walked = ranking.walk_envelope(ranking.apply_adjustments(ranked, positions), call.envelope)
    return CallRanking(
        call=call,
        envelope=call.envelope,
        lines=[RankingLine(summaries[o.id], o, score_rank[o.id]) for o in walked],
    )


def advice_and_decision(call: Call) -> tuple[Advice | None, GovernmentDecision | None, list]:
    """The call's frozen advice, the Government's decision and its outcomes in ranking order."""
    advice = Advice.objects.filter(call=call).select_related("frozen_by").first()
    decision = GovernmentDecision.objects.filter(call=call).select_related("recorded_by").first()
    outcomes = (
        list(
            DecisionOutcome.objects.filter(decision=decision)
            .select_related("application", "letter")
            .order_by("rank")
        )
        if decision
        else []
    )
    return advice, decision, outcomes


# --- Dashboard panels ---------------------------------------------------------------------------


def manager_application_panel() -> list[Call]:
    """Per call with applications in the jury phase or decided: counts, advice and decision."""
    return list(
        Call.objects.annotate(
            ranked_count=Count(
                "applications",
                filter=Q(applications__status__in=RANKED_STATUSES),
                distinct=True,
            ),
            sheet_count=Count(
                "applications__score_sheets",
                filter=Q(applications__score_sheets__status=SheetStatus.SUBMITTED),
                distinct=True,
            ),
        )
        .filter(ranked_count__gt=0)
        .select_related("advice", "government_decision")
        .order_by("-year")
    )


def juror_application_panel(user) -> list[JuryMember]:
    """The calls whose jury this person sits on, with assigned and submitted counts."""
    if not user.is_authenticated:
        return []
    submitted = (
        ApplicationScoreSheet.objects.filter(
            juror=user, application__call=OuterRef("call"), status=SheetStatus.SUBMITTED
        )
        .values("juror")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return list(
        JuryMember.objects.filter(user=user)
        .select_related("call")
        .annotate(
            assigned_count=Count("assignments", distinct=True),
            submitted_count=Subquery(submitted),
        )
        .order_by("-call__year")
    )
