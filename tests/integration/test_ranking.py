"""Consensus, doubts, cuts, the ranking against the envelope, the advice and the decision (issue 7).

R-SCORE (consensus = mean unless overridden with a motivation; spread flag), R-JURY (a conflicted
member is not in the consensus), R-THRESH, R-DOUBT, R-CUT (re-checked against R-RATE/R-MAX),
R-RANK and the envelope walk, R-EXTRA (motivated, never silent), the advice (PDF + xlsx) and the
Government's decision (the R-LETTER gate, `decision_recorded`).
"""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from applications.models import Application
from cot_portal.accounts.models import Membership
from scoring import selectors_ranking as reads
from scoring import services_ranking as services
from scoring.models import (
    Advice,
    ApplicationConflict,
    ConsensusOverride,
    DecisionOutcome,
    GovernmentDecision,
    JuryReview,
)
from scoring.services import ScoringError
from scoring.signals import decision_recorded
from tests.factories import member_of, municipality
from tests.factories_ranking import (
    LEADS,
    on_jury,
    ranking_call,
    scored_application,
    uniform,
)
from tests.factories_scoring import call_manager, juror

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dutch_without_2fa")]


@pytest.fixture
def manager():
    return call_manager(first_name="Mona", last_name="Manager")


@pytest.fixture
def jurors(manager):
    return [
        juror(first_name="Jan", last_name="Jurylid"),
        juror(first_name="Els", last_name="Expert"),
    ]


@pytest.fixture
def call(manager, jurors):
    call = ranking_call()
    on_jury(call, manager, *jurors)
    return call


def consensus_url(application):
    return reverse("scoring:consensus", args=[application.reference])


def ranking_url(call):
    return reverse("scoring:ranking", args=[call.year])


# --- Consensus per sub-criterion (R-SCORE, R-JURY) ----------------------------------------------


def test_consensus_is_the_mean_and_a_large_spread_is_flagged(call, jurors, manager, client):
    points_jan = uniform(8)
    points_els = uniform(8)
    points_jan["A1"], points_els["A1"] = Decimal("2"), Decimal("9")  # spread 7 of 10 > 30%
    points_els["B1"] = Decimal("7.5")
    application, _user = scored_application(call, LEADS[0], jurors, [points_jan, points_els])
    summary = reads.application_summary(application)
    lines = {line.subcriterion.code: line for line in summary.lines}
    assert lines["A1"].consensus == Decimal("5.5")
    assert lines["A1"].spread is True
    assert lines["B1"].consensus == Decimal("7.8")  # (8 + 7,5) / 2 half up to one decimal
    assert lines["B1"].spread is False
    client.force_login(manager)
    page = client.get(consensus_url(application)).content.decode()
    assert "Grote onenigheid" in page or "Large disagreement" in page
    assert "Jan Jurylid" in page and "Els Expert" in page


def test_override_needs_a_motivation_and_keeps_what_was_typed(call, jurors, manager, client):
    application, _user = scored_application(call, LEADS[0], jurors, uniform(6))
    client.force_login(manager)
    response = client.post(
        consensus_url(application),
        {
            "action": "consensus",
            "consensus-code": "B2",
            "consensus-points": "8,5",
            "consensus-motivation": "",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="8,5"' in page
    assert not ConsensusOverride.objects.exists()
    response = client.post(
        consensus_url(application),
        {
            "action": "consensus",
            "consensus-code": "B2",
            "consensus-points": "8,5",
            "consensus-motivation": "Sterk aanbestedingsplan.",
        },
    )
    assert response.status_code == 302
    override = ConsensusOverride.objects.get(application=application, code="B2")
    assert override.points == Decimal("8.5") and override.set_by == manager
    assert reads.application_summary(application).total == Decimal("62.5")
    # Back to the mean; the history keeps the override.
    client.post(consensus_url(application), {"action": "clear", "code": "B2"})
    assert not ConsensusOverride.objects.exists()
    assert ConsensusOverride.history.filter(code="B2").count() == 2
    assert reads.application_summary(application).total == Decimal("60")


def test_override_points_follow_the_step_and_maximum(call, jurors, manager):
    application, _user = scored_application(call, LEADS[0], jurors, uniform(6))
    with pytest.raises(ScoringError):
        services.set_consensus(
            application=application,
            code="A1",
            points=Decimal("10.5"),
            motivation="x",
            manager=manager,
        )
    with pytest.raises(ScoringError):
        services.set_consensus(
            application=application,
            code="A1",
            points=Decimal("7.3"),
            motivation="x",
            manager=manager,
        )


def test_a_conflicted_member_is_not_in_the_consensus(call, jurors, manager, client):
    application, _user = scored_application(call, LEADS[0], jurors, [uniform(9), uniform(3)])
    # Els declares a conflict after scoring: her sheet no longer counts and her name is gone.
    ApplicationConflict.objects.filter(application=application, juror=jurors[1]).update(
        has_conflict=True, reason="Mijn partner werkt bij de stad."
    )
    summary = reads.application_summary(application)
    assert summary.total == Decimal("90")
    client.force_login(manager)
    page = client.get(consensus_url(application)).content.decode()
    assert "Els Expert" not in page
    # Jan joins a partner organisation: automatically conflicted, no sheet counts any more.
    Membership.objects.create(user=jurors[0], organisation=municipality("34022"), role="member")
    assert reads.application_summary(application).complete is False


# --- Thresholds, doubts, cuts -----------------------------------------------------------------


def test_the_page_says_which_threshold_failed(call, jurors, manager, client):
    points = uniform(8)
    for code in ("A1", "A2", "A3"):
        points[code] = Decimal("4")  # A: 12 of 30, under 50%
    application, _user = scored_application(call, LEADS[0], jurors, points)
    eligibility = reads.application_summary(application).eligibility
    assert not eligibility.eligible
    assert len(eligibility.failed) == 1 and "A" in eligibility.failed[0]
    client.force_login(manager)
    page = client.get(consensus_url(application)).content.decode()
    assert eligibility.failed[0] in page


def test_doubts_need_a_motivation(call, jurors, manager):
    application, _user = scored_application(call, LEADS[0], jurors, uniform(9))
    with pytest.raises(ScoringError):
        services.set_doubt(application=application, doubtful=True, motivation="  ", manager=manager)
    review = services.set_doubt(
        application=application, doubtful=True, motivation="Planning onhaalbaar.", manager=manager
    )
    assert review.doubtful and review.history.count() == 1


def test_a_cut_is_rechecked_against_the_rate_and_the_cap(call, jurors, manager, client):
    application, _user = scored_application(call, LEADS[0], jurors, uniform(8))
    wp = application.work_packages.order_by("number").first()
    # Reduce the support: 800.000 − 100.000.
    review, _checks = services.save_cut(
        application=application,
        work_package_ids=[],
        struck_costs=Decimal("0"),
        reduction=Decimal("100000"),
        motivation="Communicatiebudget te ruim.",
        manager=manager,
    )
    assert review.awarded == Decimal("700000.00")
    # Strike WP1 with € 500.000 of costs: 80% of 500.000 caps the award at 400.000 (R-RATE).
    review, checks = services.save_cut(
        application=application,
        work_package_ids=[wp.pk],
        struck_costs=Decimal("500000"),
        reduction=Decimal("0"),
        motivation="WP1 overlapt met een lopend project.",
        manager=manager,
    )
    assert review.awarded == Decimal("400000.00")
    assert any(c.rule == "R-RATE" and c.warning for c in checks)
    assert list(review.struck_work_packages.all()) == [wp]
    # A reduction above the request is refused; nothing changes.
    with pytest.raises(ScoringError):
        services.save_cut(
            application=application,
            work_package_ids=[],
            struck_costs=Decimal("0"),
            reduction=Decimal("900000"),
            motivation="Te veel.",
            manager=manager,
        )
    assert JuryReview.objects.get(application=application).awarded == Decimal("400000.00")
    # The form: a cut without motivation keeps the typed amount.
    client.force_login(manager)
    response = client.post(
        consensus_url(application),
        {"action": "cut", "cut-reduction": "12.345,67", "cut-motivation": ""},
    )
    assert response.status_code == 400
    assert "12.345,67" in response.content.decode()


# --- Ranking, envelope, R-EXTRA ----------------------------------------------------------------


@pytest.fixture
def five(call, jurors, manager):
    """Five applications against an envelope of € 1.700.000 (each requests € 800.000)."""
    low_a = uniform(8)
    for code in ("A1", "A2", "A3"):
        low_a[code] = Decimal("3")
    apps = {
        "top": scored_application(call, LEADS[0], jurors, uniform(9), minutes=1)[0],
        "second": scored_application(call, LEADS[1], jurors, uniform(8), minutes=2)[0],
        "third": scored_application(call, LEADS[2], jurors, uniform(7.5), minutes=3)[0],
        "below": scored_application(call, LEADS[3], jurors, low_a, minutes=4)[0],
        "doubt": scored_application(call, LEADS[4], jurors, uniform(9.5), minutes=5)[0],
    }
    services.set_doubt(
        application=apps["doubt"],
        doubtful=True,
        motivation="Haalbaarheid twijfelachtig.",
        manager=manager,
    )
    return apps


def outcomes_by_reference(call):
    return {
        line.summary.application.reference: line.outcome for line in reads.call_ranking(call).lines
    }


def test_the_envelope_walk_funds_reserves_and_excludes(call, five, manager):
    outcomes = outcomes_by_reference(call)
    ref = {k: a.reference for k, a in five.items()}
    assert outcomes[ref["top"]].outcome == "funded" and outcomes[ref["top"]].rank == 1
    assert outcomes[ref["second"]].outcome == "funded"
    assert (
        outcomes[ref["third"]].outcome == "reserve" and outcomes[ref["third"]].reserve_position == 1
    )
    assert outcomes[ref["below"]].outcome == "not_eligible"
    assert outcomes[ref["doubt"]].rank == 5  # R-DOUBT: last, despite the highest score
    result = reads.call_ranking(call)
    assert result.funded_total == Decimal("1600000.00") <= result.envelope


def test_a_cut_can_bring_the_first_reserve_into_the_envelope(call, five, manager):
    services.save_cut(
        application=five["third"],
        work_package_ids=[],
        struck_costs=Decimal("0"),
        reduction=Decimal("700000"),
        motivation="Restbudget, beperkte scope.",
        manager=manager,
    )
    outcomes = outcomes_by_reference(call)
    assert outcomes[five["third"].reference].outcome == "funded"
    assert reads.call_ranking(call).remaining == Decimal("0.00")


def test_an_adjustment_needs_a_motivation_and_is_shown(call, five, manager, client):
    client.force_login(manager)
    response = client.post(
        ranking_url(call),
        {
            "action": "adjust",
            "adjust-application": five["third"].pk,
            "adjust-position": "1",
            "adjust-motivation": "",
        },
    )
    assert response.status_code == 400
    assert not Application.objects.filter(ranking_adjustment__isnull=False).exists()
    response = client.post(
        ranking_url(call),
        {
            "action": "adjust",
            "adjust-application": five["third"].pk,
            "adjust-position": "1",
            "adjust-motivation": "Enige project van een niet-centrumgemeente.",
        },
    )
    assert response.status_code == 302
    outcomes = outcomes_by_reference(call)
    assert outcomes[five["third"].reference].rank == 1
    assert outcomes[five["third"].reference].outcome == "funded"
    assert outcomes[five["second"].reference].outcome == "reserve"
    page = client.get(ranking_url(call)).content.decode()
    assert "Enige project van een niet-centrumgemeente." in page


def test_the_ranking_page_query_count_does_not_grow(call, jurors, manager, client):
    client.force_login(manager)
    scored_application(call, LEADS[0], jurors, uniform(8))
    with CaptureQueriesContext(connection) as few:
        assert client.get(ranking_url(call)).status_code == 200
    for nis in LEADS[1:5]:
        scored_application(call, nis, jurors, uniform(7))
    with CaptureQueriesContext(connection) as many:
        assert client.get(ranking_url(call)).status_code == 200
    assert len(many) == len(few)


def test_the_consensus_page_query_count_does_not_grow_with_jurors(call, jurors, manager, client):
    client.force_login(manager)
    application, _user = scored_application(call, LEADS[0], jurors, uniform(8))
    with CaptureQueriesContext(connection) as few:
        client.get(consensus_url(application))
    extra = [juror() for _n in range(3)]
    on_jury(call, manager, *extra)
    from tests.factories_ranking import submitted_sheet

    for user in extra:
        submitted_sheet(application, user, uniform(6))
    with CaptureQueriesContext(connection) as many:
        client.get(consensus_url(application))
    assert len(many) == len(few)


# --- Advice and decision ----------------------------------------------------------------------


def test_the_advice_is_refused_while_a_consensus_is_incomplete(call, jurors, manager):
    scored_application(call, LEADS[0], jurors, uniform(8))
    partial = {code: value for code, value in uniform(8).items() if code != "C3"}
    scored_application(call, LEADS[1], jurors, partial)
    with pytest.raises(ScoringError, match="niet volledig|not complete"):
        services.freeze_advice(call=call, manager=manager)
    assert not Advice.objects.exists()


def test_the_advice_pdf_and_xlsx_hold_the_ranking(call, five, manager, client):
    advice = services.freeze_advice(call=call, manager=manager)
    assert advice.pdf.read(5) == b"%PDF-"
    book = load_workbook(io.BytesIO(advice.xlsx.open("rb").read()))
    rows = [
        r
        for r in book.active.iter_rows(values_only=True)
        if r and r[1] in {a.reference for a in five.values()}
    ]
    assert [r[1] for r in rows][:2] == [five["top"].reference, five["second"].reference]
    assert rows[0][11] == Decimal("800000.00") or float(rows[0][11]) == 800000.0
    client.force_login(manager)
    url = reverse("core:download", args=["scoring", "advice", advice.pk, "xlsx"])
    assert client.get(url).status_code == 200
    client.force_login(juror())
    assert client.get(url).status_code == 404


def test_the_decision_follows_the_advice_and_opens_the_letters(
    call, five, manager, django_capture_on_commit_callbacks
):
    services.freeze_advice(call=call, manager=manager)
    received = []

    def listener(sender, call, decision, **kwargs):
        received.append(decision)

    decision_recorded.connect(listener)
    try:
        # Refused while the ranking differs from the frozen advice.
        services.set_doubt(
            application=five["second"], doubtful=True, motivation="Nieuwe twijfel.", manager=manager
        )
        with pytest.raises(ScoringError):
            services.record_decision(
                call=call,
                decision_date=timezone.localdate(),
                decision_reference="",
                manager=manager,
            )
        services.set_doubt(
            application=five["second"], doubtful=False, motivation="", manager=manager
        )
        with pytest.raises(ScoringError):
            services.record_decision(
                call=call,
                decision_date=timezone.localdate() + timedelta(days=1),
                decision_reference="",
                manager=manager,
            )
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            decision = services.record_decision(
                call=call,
                decision_date=timezone.localdate(),
                decision_reference="VR 2026 1211 DOC.0123",
                manager=manager,
            )
    finally:
        decision_recorded.disconnect(listener)
    assert received == [decision]
    assert callbacks  # the letters task is queued after the commit
    outcomes = {o.application_id: o for o in DecisionOutcome.objects.filter(decision=decision)}
    assert outcomes[five["top"].pk].approved and outcomes[five["top"].pk].awarded == Decimal(
        "800000.00"
    )
    assert (
        outcomes[five["third"].pk].reason == "reserve"
        and outcomes[five["third"].pk].reserve_position == 1
    )
    assert outcomes[five["below"].pk].reason == "threshold" and outcomes[five["below"].pk].failed
    statuses = dict(Application.objects.filter(call=call).values_list("pk", "status"))
    assert statuses[five["top"].pk] == "approved" and statuses[five["below"].pk] == "rejected"
    # Nothing of the jury's work changes any more.
    with pytest.raises(PermissionDenied):
        services.set_consensus(
            application=five["top"], code="A1", points=Decimal("5"), motivation="x", manager=manager
        )
    with pytest.raises(PermissionDenied):
        services.freeze_advice(call=call, manager=manager)
    assert GovernmentDecision.objects.count() == 1


# --- Who may see the manager's pages (R-JURY, 404 never 403) ------------------------------------


def test_only_an_unconflicted_call_manager_sees_consensus_and_ranking(
    call, jurors, manager, client
):
    application, applicant = scored_application(call, LEADS[0], jurors, uniform(8))
    other = member_of(municipality("24062"))
    for user in (jurors[0], applicant, other):
        client.force_login(user)
        assert client.get(consensus_url(application)).status_code == 404
        assert client.get(ranking_url(call)).status_code == 404
    client.force_login(manager)
    assert client.get(consensus_url(application)).status_code == 200
    ApplicationConflict.objects.create(
        application=application, juror=manager, has_conflict=True, reason="Familie bij de stad."
    )
    assert client.get(consensus_url(application)).status_code == 404


def test_the_dashboards_lead_to_the_jury_work(call, jurors, manager, client):
    application, _user = scored_application(call, LEADS[0], jurors, uniform(8))
    client.force_login(manager)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert ranking_url(call) in page
    assert reverse("scoring:jury_compose", args=[call.year]) in page
    client.force_login(jurors[0])
    page = client.get(reverse("core:dashboard")).content.decode()
    assert reverse("scoring:jury_application_list", args=[call.year]) in page
    assert "1 van 1" in page or "1 of 1" in page
