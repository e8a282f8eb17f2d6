"""Jurors submitting their score sheets at the same moment lose nothing (PostgreSQL, threads).

R-SCORE (ten sub-criteria, points and motivation) and R-SL (six idea criteria): every juror's
points are stored on their own sheet, each sheet is submitted once (a double click is told it was
already submitted), the history records each submission once, and the consensus (the members'
mean, R-SCORE) reads every sheet. R-JURY: only unconflicted, assigned jurors score.
"""

from decimal import Decimal

import pytest

from applications.models import Application
from scoring import ranking, rules, selectors, services, services_applications
from scoring.models import (
    ApplicationCriterionScore,
    ApplicationScoreSheet,
    IdeaCriterionScore,
    IdeaScoreSheet,
    SheetStatus,
)
from scoring.selectors_ranking import application_summary
from scoring.services_applications import SubCriterionInput
from tests.concurrency.test_concurrent_saves import run_together
from tests.factories import open_call
from tests.factories_application import complete, started_application
from tests.factories_scoring import call_manager, declare, juror, scores, submitted_idea

pytestmark = pytest.mark.django_db(transaction=True)

JURORS = 6


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.COT_REQUIRE_2FA = False


def application_points(index: int) -> dict[str, Decimal]:
    """Different points per juror and sub-criterion (maximum 10, step 0.5), so a lost or swapped
    sheet changes the mean."""
    return {
        code: Decimal(str(((index * 3 + position) % 20) / 2))
        for position, code in enumerate(ranking.SUBCRITERION_CODES)
    }


def idea_points(index: int) -> list[str]:
    # Below every criterion's maximum (the default maxima are 20/20/20/20/10/10, step 0.5).
    return [str(Decimal(index + n) / 2) for n in range(6)]


@pytest.fixture
def admissible_application():
    manager = call_manager()
    application, user = started_application(lead_nis="44021", partner_nis=("34022",))
    complete(application, user)
    Application.objects.filter(pk=application.pk).update(status="admissible")
    application.refresh_from_db()
    jurors = [juror(email=f"jurylid{i}@vlaio.be") for i in range(JURORS)]
    for person in jurors:
        services_applications.add_jury_member(call=application.call, user=person, manager=manager)
    services_applications.assign_applications(call=application.call, manager=manager)
    for person in jurors:
        services_applications.declare_application_conflict(
            application=application, juror=person, has_conflict=False
        )
    return application, jurors


def application_sheet(application, person, index, *, submit=True):
    values = {
        code: SubCriterionInput(points, f"Motivatie {index} {code}")
        for code, points in application_points(index).items()
    }
    return lambda: services_applications.save_application_sheet(
        application=Application.objects.get(pk=application.pk),
        juror=person,
        scores=values,
        submit=submit,
    )


def test_r_score_jurors_submitting_application_sheets_at_once_lose_nothing(
    admissible_application,
):
    application, jurors = admissible_application
    # Half the jury saved a draft earlier (the submit then changes rows), half submit at once.
    for index in range(0, JURORS, 2):
        application_sheet(application, jurors[index], index, submit=False)()
    # Everyone submits at the same moment; juror 0 double-clicks.
    work = [application_sheet(application, p, i) for i, p in enumerate(jurors)]
    work.append(application_sheet(application, jurors[0], 0))
    results = run_together(*work)

    stored = [r for r in results if isinstance(r, ApplicationScoreSheet)]
    refused = [r for r in results if isinstance(r, services.ScoringError)]
    assert len(stored) == JURORS and len(refused) == 1, results
    assert {s.juror_id for s in stored} == {p.pk for p in jurors}

    sheets = ApplicationScoreSheet.objects.filter(application=application)
    assert sheets.count() == JURORS
    for index, person in enumerate(jurors):
        sheet = sheets.get(juror=person)
        assert sheet.status == SheetStatus.SUBMITTED and sheet.submitted_at is not None
        rows = dict(
            ApplicationCriterionScore.objects.filter(sheet=sheet).values_list("code", "points")
        )
        assert rows == application_points(index)
        # History: each sheet is submitted once; each row was written once (created, or created
        # as a draft and left as it was).
        submitted = sheet.history.filter(status=SheetStatus.SUBMITTED)
        assert submitted.count() == 1
        assert submitted.get().submitted_at == sheet.submitted_at
        created = ApplicationCriterionScore.history.filter(sheet_id=sheet.pk, history_type="+")
        assert created.count() == len(ranking.SUBCRITERION_CODES)

    # The consensus (R-SCORE: the mean of the members) reads all six sheets.
    summary = application_summary(application)
    assert len(summary.sheets) == JURORS
    for line in summary.lines:
        code = line.subcriterion.code
        expected = [application_points(i)[code] for i in range(JURORS)]
        assert sorted(m.points for m in line.members) == sorted(expected)
        assert line.consensus == ranking.consensus(expected)
    assert summary.complete


@pytest.fixture
def idea_with_jury():
    idea = submitted_idea(call=open_call())
    jurors = [juror(email=f"ideejury{i}@vlaio.be") for i in range(JURORS)]
    for person in jurors:
        declare(idea, person)
    return idea, jurors


def idea_sheet(idea, person, index, *, submit=True):
    values = scores(idea_points(index), f"Feedback {index}")
    return lambda: services.save_idea_sheet(
        idea=type(idea).objects.get(pk=idea.pk), juror=person, scores=values, submit=submit
    )


def test_r_sl_jurors_submitting_idea_sheets_at_once_lose_nothing(idea_with_jury):
    idea, jurors = idea_with_jury
    for index in range(1, JURORS, 2):
        idea_sheet(idea, jurors[index], index, submit=False)()
    work = [idea_sheet(idea, p, i) for i, p in enumerate(jurors)]
    work += [idea_sheet(idea, jurors[1], 1), idea_sheet(idea, jurors[1], 1)]  # a triple click
    results = run_together(*work)

    stored = [r for r in results if isinstance(r, IdeaScoreSheet)]
    refused = [r for r in results if isinstance(r, services.ScoringError)]
    assert len(stored) == JURORS and len(refused) == 2, results

    for index, person in enumerate(jurors):
        sheet = IdeaScoreSheet.objects.get(idea=idea, juror=person)
        assert sheet.status == SheetStatus.SUBMITTED
        rows = dict(
            IdeaCriterionScore.objects.filter(sheet=sheet).values_list("criterion", "points")
        )
        assert rows == {n: Decimal(p) for n, p in enumerate(idea_points(index), start=1)}
        assert sheet.history.filter(status=SheetStatus.SUBMITTED).count() == 1
        assert IdeaCriterionScore.history.filter(sheet_id=sheet.pk, history_type="+").count() == 6
    assert IdeaScoreSheet.objects.filter(idea=idea).count() == JURORS

    # The manager's overview (the proposed consensus is the jurors' mean, R-SL) reads every sheet.
    summary = selectors.idea_summary(idea)
    assert len(summary.sheets) == JURORS
    for criterion in summary.criteria:
        n = criterion.criterion.number
        expected = [Decimal(idea_points(i)[n - 1]) for i in range(JURORS)]
        assert sorted(criterion.scores) == sorted(expected)
        assert criterion.mean == rules.mean_points(expected)
