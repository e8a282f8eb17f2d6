"""The jury's question thread to the applicant (R-JURY-Q).

During scoring VLAIO may ask the applicant for more information: a thread on the application,
answered by the lead applicant, visible to the unconflicted jury, kept beside (never inside) the
frozen submission. The applicant never sees who asked: the asker is "VLAIO".
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from applications.models import Application, Submission
from applications.services.submission import submit_application
from cot_portal.accounts.models import Membership
from scoring import services_applications
from scoring import services_questions as services
from scoring.models import GovernmentDecision, JuryQuestion
from scoring.services import ScoringError
from tests.factories import member_of, municipality
from tests.factories_application import complete, started_application
from tests.factories_ranking import submitted_admissible
from tests.factories_scoring import call_manager, juror
from tests.integration.test_application_jury import (
    GENT,
    KORTRIJK,
    LEUVEN,
    on_jury,
    text,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dutch_without_2fa")]


@pytest.fixture
def submitted():
    """Gent's application with Kortrijk as partner, submitted and admissible; Gent's user."""
    return submitted_admissible(lead_nis=GENT, partner_nis=(KORTRIJK,))


@pytest.fixture
def application(submitted):
    return submitted[0]


@pytest.fixture
def lead(submitted):
    return submitted[1]


@pytest.fixture
def manager():
    return call_manager()


@pytest.fixture
def asker(application, manager):
    """An assigned juror who declared no conflict, with a recognisable name and address."""
    person = juror(first_name="Jozefien", last_name="Vragensteller", email="jozefien@vlaio.test")
    on_jury(application, manager, person)
    services_applications.declare_application_conflict(
        application=application, juror=person, has_conflict=False
    )
    return person


@pytest.fixture
def partner_member(application):
    return member_of(municipality(KORTRIJK))


def jury_url(application):
    return reverse("scoring:jury_questions", args=[application.reference])


def applicant_url(application):
    return reverse("scoring_applicant:questions", args=[application.call.year, application.slug])


def ask(application, user, question="Hoe borgt u de data na het project?"):
    return services.ask_question(application=application, user=user, text=question)


def answer_post(question, answer):
    return {"question": question.pk, f"q{question.pk}-answer": answer}


def dutch(message: str) -> str:
    with translation.override("nl"):
        return gettext(message)


# --- The whole thread -----------------------------------------------------------------------


def test_a_juror_asks_the_lead_is_mailed_and_sees_vlaio_never_the_juror(
    client, application, lead, asker, partner_member, mailoutbox, django_capture_on_commit_callbacks
):
    """R-JURY-Q: the question reaches the lead organisation, signed by VLAIO."""
    client.force_login(asker)
    assert client.get(jury_url(application)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            jury_url(application), {"question": "Hoe borgt u de data na het project?"}
        )
    assert response.status_code == 302
    question = JuryQuestion.objects.get()
    assert question.asked_by == asker and question.answer == ""
    assert question.asked_at is not None

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert lead.email in mail.to
    assert asker.email not in mail.to and partner_member.email not in mail.to
    assert application.reference in mail.subject
    assert "Hoe borgt u de data na het project?" in mail.body
    assert applicant_url(application) in mail.body
    for secret in ("Jozefien", "Vragensteller", asker.email):
        assert secret not in mail.body and secret not in mail.subject

    client.force_login(lead)
    body = text(client.get(applicant_url(application)))
    assert "Hoe borgt u de data na het project?" in body
    assert "VLAIO" in body
    for secret in ("Jozefien", "Vragensteller", asker.email):
        assert secret not in body
    assert f'name="q{question.pk}-answer"' in body

    # The juror's own page names the asker; the application page counts the open question.
    client.force_login(asker)
    assert "Jozefien Vragensteller" in text(client.get(jury_url(application)))
    detail = text(
        client.get(reverse("scoring:jury_application_detail", args=[application.reference]))
    )
    assert jury_url(application) in detail
    assert "1 zonder antwoord" in detail or "1 without an answer" in detail


def test_the_lead_answers_and_the_juror_reads_it(
    client, application, lead, asker, mailoutbox, django_capture_on_commit_callbacks
):
    question = ask(application, asker)
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            applicant_url(application), answer_post(question, "Via een open datacontract.")
        )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.answer == "Via een open datacontract."
    assert question.answered_by == lead and question.answered_at is not None
    assert [m.to for m in mailoutbox] == [[asker.email]]
    assert jury_url(application) in mailoutbox[0].body

    client.force_login(asker)
    body = text(client.get(jury_url(application)))
    assert "Via een open datacontract." in body

    # The lead can change the answer until the decision; the history keeps the first text.
    client.force_login(lead)
    client.post(applicant_url(application), answer_post(question, "Via een datacontract met OSLO."))
    question.refresh_from_db()
    assert question.answer == "Via een datacontract met OSLO."
    assert "Via een open datacontract." in set(question.history.values_list("answer", flat=True))


def test_the_call_manager_sees_the_thread_and_asks_too(client, application, manager, asker):
    ask(application, asker)
    client.force_login(manager)
    response = client.post(jury_url(application), {"question": "Welke gemeenten volgen?"})
    assert response.status_code == 302
    assert JuryQuestion.objects.filter(asked_by=manager).exists()
    body = text(client.get(jury_url(application)))
    assert "Jozefien Vragensteller" in body and "Welke gemeenten volgen?" in body


# --- Who may do what ------------------------------------------------------------------------


def test_a_partner_reads_along_but_cannot_answer(client, application, asker, partner_member):
    question = ask(application, asker)
    client.force_login(partner_member)
    response = client.get(applicant_url(application))
    assert response.status_code == 200
    body = text(response)
    assert "Hoe borgt u de data na het project?" in body
    assert 'name="q' not in body  # no answer form
    assert "Jozefien" not in body
    assert client.post(applicant_url(application), answer_post(question, "Wij!")).status_code == 404
    with pytest.raises(PermissionDenied):
        services.answer_question(question=question, user=partner_member, text="Wij!")
    question.refresh_from_db()
    assert question.answer == ""


def test_the_applicant_cannot_reach_the_jury_thread_nor_ask(client, application, lead, asker):
    ask(application, asker)
    client.force_login(lead)
    assert client.get(jury_url(application)).status_code == 404
    assert client.post(jury_url(application), {"question": "Zelf?"}).status_code == 404
    with pytest.raises(PermissionDenied):
        ask(application, lead, "Zelf?")
    assert JuryQuestion.objects.count() == 1


def test_a_juror_who_declared_a_conflict_gets_404(client, application, manager):
    member = juror()
    on_jury(application, manager, member)
    services_applications.declare_application_conflict(
        application=application, juror=member, has_conflict=True, reason="Adviseur van Gent"
    )
    client.force_login(member)
    assert client.get(jury_url(application)).status_code == 404
    assert client.post(jury_url(application), {"question": "Mag ik?"}).status_code == 404
    with pytest.raises(PermissionDenied):
        ask(application, member)
    assert not JuryQuestion.objects.exists()


def test_a_juror_who_is_a_partner_member_is_conflicted_automatically(client, application, manager):
    member = juror()
    Membership.objects.create(user=member, organisation=municipality(KORTRIJK), role="reader")
    on_jury(application, manager, member)
    client.force_login(member)
    assert client.get(jury_url(application)).status_code == 404
    assert client.post(jury_url(application), {"question": "Mag ik?"}).status_code == 404


def test_an_undeclared_or_unassigned_juror_gets_404(client, application, manager):
    undeclared, outsider = juror(), juror()
    on_jury(application, manager, undeclared)
    for person in (undeclared, outsider):
        client.force_login(person)
        assert client.get(jury_url(application)).status_code == 404


def test_another_municipality_and_anonymous_get_404(client, application, asker):
    question = ask(application, asker)
    other = member_of(municipality(LEUVEN))
    client.force_login(other)
    assert client.get(applicant_url(application)).status_code == 404
    assert client.post(applicant_url(application), answer_post(question, "Wij")).status_code == 404
    assert client.get(jury_url(application)).status_code == 404
    client.logout()
    assert client.get(applicant_url(application)).status_code == 404
    assert client.get(jury_url(application)).status_code == 404
    question.refresh_from_db()
    assert question.answer == ""


def test_a_not_yet_admissible_application_has_no_thread(client, manager):
    application, user = started_application(lead_nis=GENT, partner_nis=(KORTRIJK,))
    complete(application, user)
    submit_application(application, user=user)
    application.refresh_from_db()
    assert application.status == "submitted"
    client.force_login(user)
    assert client.get(applicant_url(application)).status_code == 404
    overview = text(
        client.get(
            reverse("applications:application", args=[application.call.year, application.slug])
        )
    )
    assert applicant_url(application) not in overview
    client.force_login(manager)
    assert client.get(jury_url(application)).status_code == 404
    with pytest.raises(PermissionDenied):
        ask(application, manager)


def test_the_overview_links_to_the_thread_once_admissible(client, application, lead):
    overview = reverse("applications:application", args=[application.call.year, application.slug])
    client.force_login(lead)
    assert applicant_url(application) in text(client.get(overview))


def test_after_the_decision_the_thread_is_read_only(client, application, lead, asker, manager):
    question = ask(application, asker)
    services.answer_question(question=question, user=lead, text="Eerste antwoord.")
    GovernmentDecision.objects.create(
        call=application.call,
        decision_date=timezone.localdate(),
        decision_reference="VR 2030 0101 DOC.0001",
        recorded_by=manager,
        recorded_at=timezone.now(),
    )
    Application.objects.filter(pk=application.pk).update(status="approved")
    application.refresh_from_db()

    with pytest.raises(ScoringError):
        services.answer_question(question=question, user=lead, text="Later antwoord.")
    client.force_login(lead)
    response = client.get(applicant_url(application))
    assert response.status_code == 200
    assert "Eerste antwoord." in text(response) and 'name="q' not in text(response)
    assert (
        client.post(applicant_url(application), answer_post(question, "Later")).status_code == 302
    )
    question.refresh_from_db()
    assert question.answer == "Eerste antwoord."

    client.force_login(manager)
    response = client.get(jury_url(application))
    assert response.status_code == 200 and response.context["form"] is None
    with pytest.raises(ScoringError):
        ask(application, manager)


# --- Forms never lose work ------------------------------------------------------------------


def test_an_empty_question_gives_a_dutch_error(client, application, asker):
    client.force_login(asker)
    response = client.post(jury_url(application), {"question": "   "})
    assert response.status_code == 200
    expected = dutch("Write your question before you send it.")
    assert response.context["form"].errors["question"] == [expected]
    assert expected in text(response)
    assert not JuryQuestion.objects.exists()

    too_long = "Waarom? " * 700
    response = client.post(jury_url(application), {"question": too_long})
    assert response.status_code == 200
    assert "question" in response.context["form"].errors
    assert too_long.strip() in text(response)  # what was typed is shown again


def test_an_empty_answer_gives_a_dutch_error_and_keeps_the_other_input(
    client, application, lead, asker
):
    first = ask(application, asker, "Eerste vraag?")
    second = ask(application, asker, "Tweede vraag?")
    services.answer_question(question=first, user=lead, text="Het eerste antwoord.")
    client.force_login(lead)
    data = answer_post(second, "  ")
    response = client.post(applicant_url(application), data)
    assert response.status_code == 200
    expected = dutch("Write your answer before you send it.")
    assert expected in text(response)
    assert "Het eerste antwoord." in text(response)  # the other question keeps its answer
    second.refresh_from_db()
    assert second.answer == ""

    too_long = "Omdat. " * 800
    response = client.post(applicant_url(application), answer_post(second, too_long))
    assert response.status_code == 200
    assert too_long.strip() in text(response)
    second.refresh_from_db()
    assert second.answer == ""


def test_the_service_refuses_empty_text(application, lead, asker):
    with pytest.raises(ScoringError) as error:
        ask(application, asker, " \n ")
    assert set(error.value.message_dict) == {"question"}
    question = ask(application, asker)
    with pytest.raises(ScoringError) as error:
        services.answer_question(question=question, user=lead, text="")
    assert set(error.value.message_dict) == {"answer"}


# --- Beside the submission, constant queries ------------------------------------------------


def test_the_thread_never_enters_the_submission(application, lead, asker):
    before = list(Submission.objects.filter(application=application).values("content_sha256"))
    question = ask(application, asker, "Een vraag die niet in de snapshot mag staan?")
    services.answer_question(question=question, user=lead, text="Een antwoord buiten de snapshot.")
    submissions = list(Submission.objects.filter(application=application))
    assert [{"content_sha256": s.content_sha256} for s in submissions] == before
    for submission in submissions:
        frozen = str(submission.content)
        assert "niet in de snapshot" not in frozen and "buiten de snapshot" not in frozen
    # And a fresh snapshot of the application would not carry it either.
    from applications.selectors_applications import application_content, application_for_page

    fresh = str(application_content(application_for_page(application.call.year, application.slug)))
    assert "niet in de snapshot" not in fresh and "buiten de snapshot" not in fresh


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["lead", "juror"])
def test_the_pages_do_not_grow_with_the_questions(client, application, lead, asker, who):
    first = ask(application, asker, "Vraag 1?")
    services.answer_question(question=first, user=lead, text="Antwoord 1.")
    user, url = (
        (lead, applicant_url(application)) if who == "lead" else (asker, jury_url(application))
    )
    client.force_login(user)
    client.get(url)  # warm caches
    one = _queries(client, url)
    for n in range(2, 6):
        question = ask(application, asker, f"Vraag {n}?")
        if n % 2:
            services.answer_question(question=question, user=lead, text=f"Antwoord {n}.")
    assert JuryQuestion.objects.count() == 5
    five = _queries(client, url)
    assert five <= one
    body = text(client.get(url))
    assert all(f"Vraag {n}?" in body for n in range(1, 6))
