"""The decision letters and the applicant's decision page (issue 7).

R-LETTER: approval (awarded amount, project period, R-START, conditions, tranche schedule) or
rejection (section scores and the reason: threshold not met or reserve list), as a stored PDF
e-mailed once to the lead applicant. R-TR / SPEC.md §9: the three tranches add up to the award.
"""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from applications.models import Application
from applications.rules import add_months
from cot_portal.letters.models import Letter
from scoring import services_applications, tasks
from scoring import services_decision_letters as services
from scoring.models import DecisionOutcome, GovernmentDecision
from tests.factories import UserFactory, member_of, municipality
from tests.factories_ranking import submitted_admissible
from tests.factories_scoring import call_manager, juror

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dutch_without_2fa")]

GENT, KORTRIJK, LEUVEN = "44021", "34022", "24062"

SECTIONS = {
    "A": {"score": "22.5", "max": "30"},
    "B": {"score": "30", "max": "40"},
    "C": {"score": "21", "max": "30"},
}


DECIDED_ON = date(2026, 3, 20)


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def manager():
    return call_manager()


@pytest.fixture
def submitted(manager):
    """Gent's application with Kortrijk as partner, submitted and admissible, with a jury."""
    application, user = submitted_admissible(lead_nis=GENT, partner_nis=(KORTRIJK,))
    expert = juror(first_name="Hieronymus", last_name="Jurylid")
    services_applications.add_jury_member(call=application.call, user=expert, manager=manager)
    services_applications.assign_applications(call=application.call, manager=manager)
    return application, user, expert


@pytest.fixture
def application(submitted):
    return submitted[0]


@pytest.fixture
def lead(submitted):
    return submitted[1]


def decide(application, manager, *, approved, reference="VR 2025 1234 DOC.0567/1", **fields):
    """Record the decision rows directly, as `record_decision` would leave them."""
    decision, created = GovernmentDecision.objects.get_or_create(
        call=application.call,
        defaults={
            "decision_date": DECIDED_ON,
            "decision_reference": reference,
            "recorded_by": manager,
            "recorded_at": timezone.now(),
        },
    )
    values = {
        "decision": decision,
        "application": application,
        "approved": approved,
        "reason": "funded" if approved else "threshold",
        "rank": 1,
        "requested": Decimal("800000.00"),
        "awarded": Decimal("0"),
        "total_score": Decimal("73.5"),
        "sections": SECTIONS,
        **fields,
    }
    outcome = DecisionOutcome.objects.create(**values)
    Application.objects.filter(pk=application.pk).update(
        status="approved" if approved else "rejected"
    )
    application.refresh_from_db()
    return outcome


def run_batch(application, django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return tasks.issue_decision_letters.delay(application.call_id).get()


def pdf_text(letter) -> str:
    with letter.pdf.open("rb") as fh:
        data = fh.read()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())  # lines wrap anywhere in a PDF


def text(response) -> str:
    return response.content.decode().replace("\xa0", " ")


def decision_url(application):
    return reverse("scoring_applicant:decision", args=[application.call.year, application.slug])


# --- The letters ---------------------------------------------------------------------------


def test_the_approval_letter_is_stored_and_mailed_once_to_the_lead(
    application, lead, manager, django_capture_on_commit_callbacks, mailoutbox
):
    colleague = member_of(municipality(GENT), email="collega@gent.example")
    outcome = decide(
        application,
        manager,
        approved=True,
        requested=Decimal("120000.00"),
        awarded=Decimal("120000.00"),
        conditions="Bezorg het ondertekende samenwerkingsakkoord met Kortrijk.",
    )
    assert run_batch(application, django_capture_on_commit_callbacks) == 1

    outcome.refresh_from_db()
    letter = outcome.letter
    assert letter.kind == "decision" and letter.about == application
    assert letter.organisation == application.organisation
    assert letter.filename == f"beslissing-{application.reference}.pdf"
    assert set(letter.recipients) == {lead.email, colleague.email}
    assert letter.sent_at is not None
    assert len(mailoutbox) == 1
    assert set(mailoutbox[0].to) == {lead.email, colleague.email}
    assert mailoutbox[0].attachments[0][0] == letter.filename

    # Line breaks in the PDF text fall where the layout puts them: compare on single spaces.
    content = " ".join(pdf_text(letter).split())
    assert "€ 120.000,00" in content
    # R-TR: 40% / 30% / 30% of the award.
    assert "€ 48.000,00" in content and content.count("€ 36.000,00") == 2
    assert "Bezorg het ondertekende samenwerkingsakkoord met Kortrijk." in content
    assert "20/03/2026" in content and "VR 2025 1234 DOC.0567/1" in content
    # R-START: at the latest 6 months after the award; R-TR3: within 3 months after the end.
    assert "20/09/2026" in content
    assert f"{add_months(application.end_date, 3):%d/%m/%Y}" in content
    html = rendered(outcome)
    assert "must start at the latest 6 months after the award" in html
    assert "signed cooperation agreement" in html and "at least 50% of the costs" in html
    assert "Requested amount" not in html  # nothing was cut
    period = f"{application.start_date:%d/%m/%Y}"
    assert period in content and f"{application.end_date:%d/%m/%Y}" in content
    assert application.reference in content
    assert "Hieronymus" not in content

    # The batch and the catch-up run again issue nothing, mail nothing.
    assert run_batch(application, django_capture_on_commit_callbacks) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.issue_missing_decision_letters() == 0
        assert services.issue_decision_letter(outcome.pk) is None
    assert Letter.objects.filter(kind="decision").count() == 1
    assert len(mailoutbox) == 1


def test_the_tranches_add_up_to_a_reduced_award(
    application, manager, django_capture_on_commit_callbacks
):
    outcome = decide(
        application,
        manager,
        approved=True,
        requested=Decimal("150000.00"),
        awarded=Decimal("123456.79"),
    )
    rows = services.tranche_rows(outcome)
    amounts = [row["amount"] for row in rows]
    assert amounts == [Decimal("49382.72"), Decimal("37037.04"), Decimal("37037.03")]
    assert sum(amounts) == outcome.awarded
    assert [row["share"] for row in rows] == ["40%", "30%", "30%"]

    run_batch(application, django_capture_on_commit_callbacks)
    outcome.refresh_from_db()
    content = pdf_text(outcome.letter)
    assert "€ 123.456,79" in content and "€ 150.000,00" in content
    for amount in ("€ 49.382,72", "€ 37.037,04", "€ 37.037,03"):
        assert amount in content


def test_the_rejection_letter_names_the_failed_threshold_and_the_section_scores(
    application, manager, django_capture_on_commit_callbacks, mailoutbox
):
    failed = "Sectie B: 18,0 van 40 punten, minder dan 50% (20,0)."
    outcome = decide(
        application,
        manager,
        approved=False,
        reason="threshold",
        total_score=Decimal("61.5"),
        sections={**SECTIONS, "B": {"score": "18", "max": "40"}},
        failed=[failed],
    )
    run_batch(application, django_capture_on_commit_callbacks)
    outcome.refresh_from_db()
    content = pdf_text(outcome.letter)
    assert failed in content
    assert "22,5 / 30" in content and "18 / 40" in content and "21 / 30" in content
    assert "61,5 / 100" in content
    assert "€" not in content  # no award, no tranches
    html = rendered(outcome)
    assert "at least 50% of the points on each of sections A, B and C" in html
    assert "at least 60% in total" in html and "reserve list" not in html
    assert len(mailoutbox) == 1


def rendered(outcome, language="en") -> str:
    """The letter's HTML in one language: its wording, independent of the Dutch catalogue."""
    subject, template_name, context = services.decision_letter(outcome)
    with translation.override(language):
        html = render_to_string(template_name, context)
    return " ".join(html.replace("\xa0", " ").split())


def test_the_rejection_letter_names_the_reserve_position(
    application, manager, django_capture_on_commit_callbacks
):
    outcome = decide(
        application,
        manager,
        approved=False,
        reason="reserve",
        rank=7,
        reserve_position=2,
    )
    run_batch(application, django_capture_on_commit_callbacks)
    outcome.refresh_from_db()
    content = pdf_text(outcome.letter)
    assert "22,5 / 30" in content and "73,5 / 100" in content
    # "u staat op plaats 2 van de reservelijst"; the rank among the others stays internal.
    html = rendered(outcome)
    assert "You are at place 2 of the reserve list." in html
    assert "budget of the call was exhausted" in html
    assert "threshold" not in html.replace("meets the thresholds", "")
    assert " 7 " not in html and ">7<" not in html


def test_the_catch_up_issues_what_a_stopped_worker_left(
    application, manager, django_capture_on_commit_callbacks, mailoutbox
):
    outcome = decide(
        application, manager, approved=True, requested=Decimal("1000"), awarded=Decimal("1000")
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.issue_missing_decision_letters() == 1
        assert tasks.issue_missing_decision_letters() == 0
    outcome.refresh_from_db()
    assert outcome.letter is not None
    assert len(mailoutbox) == 1


def test_no_letter_without_a_decision_or_while_the_status_lags(application, manager):
    assert services.issue_decision_letters(application.call_id) == 0
    outcome = decide(
        application, manager, approved=True, requested=Decimal("1000"), awarded=Decimal("1000")
    )
    Application.objects.filter(pk=application.pk).update(status="admissible")
    assert services.issue_decision_letter(outcome.pk) is None
    assert not Letter.objects.filter(kind="decision").exists()


# --- The applicant's decision page ---------------------------------------------------------


def test_lead_and_partner_see_the_decision_once_the_letter_exists(
    client, submitted, manager, django_capture_on_commit_callbacks
):
    application, lead_user, expert = submitted
    partner = member_of(municipality(KORTRIJK))
    outcome = decide(
        application,
        manager,
        approved=True,
        rank=3,
        requested=Decimal("150000.00"),
        awarded=Decimal("120000.00"),
    )
    url = decision_url(application)

    # Before the letter: nobody sees the page (and the overview's link leads to a 404 for now).
    for user in (lead_user, partner):
        client.force_login(user)
        assert client.get(url).status_code == 404

    run_batch(application, django_capture_on_commit_callbacks)
    outcome.refresh_from_db()
    download = reverse("core:download", args=["letters", "letter", outcome.letter.pk, "pdf"])

    client.force_login(lead_user)
    response = client.get(url)
    assert response.status_code == 200
    body = text(response)
    assert "€ 120.000,00" in body and "€ 150.000,00" in body
    assert "22,5 / 30" in body and "30 / 40" in body and "21 / 30" in body
    assert "73,5 / 100" in body
    assert download in body
    assert client.get(download).status_code == 200
    assert expert.first_name not in body and expert.last_name not in body
    # The overview links to the page.
    overview = reverse("applications:application", args=[application.call.year, application.slug])
    assert url in text(client.get(overview))

    client.force_login(partner)
    response = client.get(url)
    assert response.status_code == 200
    assert "€ 120.000,00" in text(response)
    assert expert.last_name not in text(response)
    # The letter is addressed to the lead applicant (letters.view_letter): a partner reads the
    # outcome here but gets no link to a file it may not download.
    assert download not in text(response)
    assert client.get(download).status_code == 404


def test_the_rejected_applicant_sees_the_reason_and_no_rank(
    client, application, lead, manager, django_capture_on_commit_callbacks
):
    decide(
        application,
        manager,
        approved=False,
        reason="reserve",
        rank=9,
        reserve_position=4,
    )
    run_batch(application, django_capture_on_commit_callbacks)
    client.force_login(lead)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(decision_url(application))
    assert response.status_code == 200
    body = " ".join(text(response).split())
    assert "Your application is not approved." in body
    assert "You are at place 4 of the reserve list." in body
    assert "€" not in body
    assert ">9<" not in body and " 9 " not in body  # the rank stays internal


def test_others_get_a_404(client, submitted, manager, django_capture_on_commit_callbacks):
    application, lead_user, expert = submitted
    decide(application, manager, approved=True, requested=Decimal("1000"), awarded=Decimal("1000"))
    run_batch(application, django_capture_on_commit_callbacks)
    url = decision_url(application)
    assert client.get(url).status_code == 404  # anonymous
    for user in (member_of(municipality(LEUVEN)), expert, manager, UserFactory()):
        client.force_login(user)
        assert client.get(url).status_code == 404
    # An application of another call year or slug does not exist either.
    client.force_login(lead_user)
    assert client.get(url.replace(application.slug, "bestaat-niet")).status_code == 404
