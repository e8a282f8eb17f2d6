"""Reads for the jury's and the call manager's pages on full applications (issue 7).

Lists are built in a fixed number of queries, whatever the number of applications (the tests
assert this with `django_assert_max_num_queries`).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, Subquery

from applications.models import (
    Application,
    ApplicationPartner,
    ApplicationStatus,
    Call,
    Submission,
)
from cot_portal.accounts.permissions import member_organisation_ids

from . import ranking, rules
from .models import (
    ApplicationConflict,
    ApplicationCriterionScore,
    ApplicationScoreSheet,
    JuryAssignment,
    JuryMember,
    SheetStatus,
)
from .selectors import JuryState
from .services_applications import call_maxima


def _partners_prefetch():
    return Prefetch(
        "partners",
        queryset=ApplicationPartner.objects.select_related("organisation").order_by(
            "organisation__name"
        ),
    )


# --- The juror ------------------------------------------------------------------------------


@dataclass
class JuryApplicationRow:
    application: Application
    state: str
    automatic_conflict: bool = False

    @property
    def may_open(self) -> bool:
        return self.state in (JuryState.SCORE, JuryState.DRAFT, JuryState.SUBMITTED)


def _row(application: Application, own: set[int]) -> JuryApplicationRow:
    automatic = rules.is_automatically_conflicted(
        own, application.organisation_id, (p.organisation_id for p in application.partners.all())
    )
    if automatic or application.my_conflict is True:
        return JuryApplicationRow(application, JuryState.CONFLICT, automatic_conflict=automatic)
    if application.my_conflict is None:
        return JuryApplicationRow(application, JuryState.DECLARE)
    if application.my_sheet_status == SheetStatus.SUBMITTED:
        return JuryApplicationRow(application, JuryState.SUBMITTED)
    if application.my_sheet_status == SheetStatus.DRAFT:
        return JuryApplicationRow(application, JuryState.DRAFT)
    return JuryApplicationRow(application, JuryState.SCORE)


def jury_application_rows(call: Call, user) -> list[JuryApplicationRow]:
    """The admissible applications of a call assigned to this juror: the twin of permissions.py.

    Three queries: applications with the juror's declaration and sheet status, partners,
    memberships.
    """
    applications = (
        Application.objects.filter(
            call=call,
            status=ApplicationStatus.ADMISSIBLE,
            jury_assignments__juror__user=user,
            jury_assignments__juror__call=call,
        )
        .select_related("organisation")
        .prefetch_related(_partners_prefetch())
        .annotate(
            my_conflict=Subquery(
                ApplicationConflict.objects.filter(application=OuterRef("pk"), juror=user).values(
                    "has_conflict"
                )[:1]
            ),
            my_sheet_status=Subquery(
                ApplicationScoreSheet.objects.filter(application=OuterRef("pk"), juror=user).values(
                    "status"
                )[:1]
            ),
        )
        .order_by("reference")
    )
    own = member_organisation_ids(user)
    return [_row(application, own) for application in applications]


def application_by_reference(reference: str) -> Application | None:
    """One application with what its jury pages show (call, lead, partners)."""
    return (
        Application.objects.select_related("call", "organisation")
        .prefetch_related(_partners_prefetch())
        .filter(reference=reference)
        .first()
    )


def latest_submission(application: Application) -> Submission | None:
    """The frozen snapshot the jury scores: the latest one (after a completion, the newest)."""
    return Submission.objects.filter(application=application).order_by("-number").first()


def declaration_of(application: Application, juror) -> ApplicationConflict | None:
    return ApplicationConflict.objects.filter(application=application, juror=juror).first()


def sheet_of(application: Application, juror) -> ApplicationScoreSheet | None:
    return (
        ApplicationScoreSheet.objects.filter(application=application, juror=juror)
        .select_related("reopened_by")
        .prefetch_related(
            Prefetch("scores", queryset=ApplicationCriterionScore.objects.order_by("code"))
        )
        .first()
    )


def sheet_values(sheet: ApplicationScoreSheet | None) -> dict[str, tuple[Decimal | None, str]]:
    """{code: (points, motivation)} of a sheet (uses the prefetched scores)."""
    if sheet is None:
        return {}
    return {s.code: (s.points, s.motivation) for s in sheet.scores.all()}


@dataclass
class ScoreRow:
    criterion: ranking.SubCriterion
    maximum: Decimal
    points: Decimal | None
    motivation: str


def score_rows(call: Call, sheet: ApplicationScoreSheet | None) -> list[ScoreRow]:
    maxima = call_maxima(call)
    values = sheet_values(sheet)
    return [
        ScoreRow(c, maxima[c.code], *values.get(c.code, (None, ""))) for c in ranking.SUBCRITERIA
    ]


# --- The call manager -----------------------------------------------------------------------


def jury_members(call: Call) -> list[JuryMember]:
    return list(
        JuryMember.objects.filter(call=call)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def admissible_applications(call: Call) -> list[Application]:
    return list(
        Application.objects.filter(call=call, status=ApplicationStatus.ADMISSIBLE)
        .select_related("organisation")
        .order_by("reference")
    )


@dataclass
class AssignmentRow:
    application: Application
    jurors: list[JuryMember]


def assignment_rows(call: Call) -> list[AssignmentRow]:
    """Admissible applications with their assigned jurors (two queries)."""
    applications = (
        Application.objects.filter(call=call, status=ApplicationStatus.ADMISSIBLE)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "jury_assignments",
                queryset=JuryAssignment.objects.filter(juror__call=call).select_related(
                    "juror__user"
                ),
            )
        )
        .order_by("reference")
    )
    return [
        AssignmentRow(a, [assignment.juror for assignment in a.jury_assignments.all()])
        for a in applications
    ]


def submitted_sheets(call: Call) -> list[ApplicationScoreSheet]:
    """Submitted sheets of the call, for the manager's reopen buttons."""
    return list(
        ApplicationScoreSheet.objects.filter(application__call=call, status=SheetStatus.SUBMITTED)
        .select_related("application", "juror")
        .order_by("application__reference", "juror__last_name")
    )


def reopened_sheets(call: Call) -> list[ApplicationScoreSheet]:
    return list(
        ApplicationScoreSheet.objects.filter(application__call=call, reopened_at__isnull=False)
        .select_related("application", "juror", "reopened_by")
        .order_by("-reopened_at")
    )
