"""Admissibility (SPEC.md §5): R-ADM, R-ADM-COMPLETE, the letter, and who sees what."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from applications.models import AdmissibilityCheck, Application, ApplicationStatus, Submission
from applications.services import admissibility as services
from applications.services.application import ApplicationError, save_section
from applications.services.submission import submit_application
from applications.tasks import completion_deadlines
from cot_portal.accounts.models import StaffRole
from tests.factories import UserFactory, member_of, municipality
from tests.factories_application import complete, started_application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.COT_REQUIRE_2FA = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def manager():
    return UserFactory(roles=[StaffRole.CALL_MANAGER])


@pytest.fixture
def submitted():
    application, user = started_application()
    complete(application, user)
    submit_application(application, user=user)
    application.refresh_from_db()
    return application, user


def url(application, name="applications:admissibility", **kwargs):
    return reverse(name, kwargs={"year": application.call.year, "slug": application.slug, **kwargs})


def checks(application):
    return {c.criterion: c for c in AdmissibilityCheck.objects.filter(application=application)}


def test_submission_computes_every_criterion_with_its_figures(submitted):
    application, _ = submitted
    found = checks(application)
    assert set(found) == {
        "on_time",
        "complete",
        "types",
        "duration",
        "start",
        "balanced",
        "cocreation",
    }
    assert all(found[c].computed_ok for c in found if c != "cocreation")
    assert not found["cocreation"].computed_ok  # R-COCREATE: Gent attended no session
    assert "Gent" in found["cocreation"].figures
    deadline = timezone.localtime(application.call.application_deadline).strftime("%d/%m/%Y %H:%M")
    assert deadline in found["on_time"].figures


def test_the_manager_overrides_only_with_a_note_and_decides(client, submitted, manager):
    application, _ = submitted
    cocreation = checks(application)["cocreation"]
    with pytest.raises(ApplicationError):
        services.confirm_criterion(cocreation, ok=True, note="", user=manager)
    with pytest.raises(ApplicationError):
        services.decide(application, admissible=True, user=manager)
    client.force_login(manager)
    client.post(
        url(application, "applications:admissibility_confirm", pk=cocreation.pk),
        {
            f"c{cocreation.pk}-verdict": "met",
            f"c{cocreation.pk}-note": "Aanwezig op sessie 2, lijst ontbrak.",
        },
    )
    decide_url = url(application, "applications:admissibility_decision")
    page = client.post(decide_url, {"admissible": "yes"}).content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED  # the first click only asks
    assert 'name="confirmed"' in page
    client.post(decide_url, {"admissible": "yes", "confirmed": "1"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ADMISSIBLE
    latest = checks(application)["cocreation"].history.latest()
    assert latest.history_user == manager and latest.confirmed_ok is True


def test_completion_reopens_only_the_named_sections_and_a_resubmission_keeps_the_first(
    client, submitted, manager, django_capture_on_commit_callbacks
):
    application, lead = submitted
    deadline = timezone.now() + timedelta(days=10)
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url(application, "applications:admissibility_completion"),
            {
                "sections": ["scalability"],
                "message": "Licht het businessmodel toe.",
                "deadline": timezone.localtime(deadline).strftime("%d/%m/%Y %H:%M"),
            },
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETION_REQUESTED
    assert "Licht het businessmodel toe." in mail.outbox[-1].body
    assert lead.email in mail.outbox[-1].to

    save_section(
        application, "scalability", values={"business_model": "Gedeelde licentie."}, version=None
    )
    with pytest.raises(ApplicationError):
        save_section(application, "project", values={"summary": "Stiekem gewijzigd"}, version=None)
    client.force_login(lead)
    page = client.get(
        url(application, "applications:application_section", section="project")
    ).content.decode()
    assert "hx-post=" not in page  # read-only
    page = client.get(
        url(application, "applications:application_section", section="scalability")
    ).content.decode()
    assert "hx-post=" in page

    client.post(url(application, "applications:application_review"))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    versions = list(Submission.objects.filter(application=application).order_by("number"))
    assert [s.number for s in versions] == [1, 2]
    assert versions[0].content["scalability"]["business_model"] != "Gedeelde licentie."
    assert versions[1].content["scalability"]["business_model"] == "Gedeelde licentie."
    completion = application.completion_requests.get()
    assert completion.answer == versions[1] and completion.requested_by == manager


def test_completion_reminder_two_days_before_once_and_overdue_goes_back_flagged(submitted, manager):
    application, _ = submitted
    deadline = timezone.now() + timedelta(days=5)
    services.request_completion(
        application, sections=["project"], message="Vul aan.", deadline=deadline, user=manager
    )
    mail.outbox.clear()
    with time_machine.travel(deadline - timedelta(days=1), tick=False):
        completion_deadlines()
        completion_deadlines()
    assert len(mail.outbox) == 1
    with time_machine.travel(deadline, tick=False):
        assert completion_deadlines() == 1
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.completion_requests.get().not_completed
    with pytest.raises(ApplicationError):
        save_section(application, "project", values={"summary": "te laat"}, version=None)


def test_not_admissible_sends_a_letter_with_the_reasons(
    client, submitted, manager, django_capture_on_commit_callbacks
):
    application, lead = submitted
    duration = checks(application)["duration"]
    with pytest.raises(ApplicationError):  # the letter needs a reason, not "it is met"
        services.confirm_criterion(
            duration, ok=False, note="Telt de opstartfase mee.", user=manager
        )
    services.confirm_criterion(
        duration,
        ok=False,
        note="Looptijd telt de opstartfase mee.",
        reason="Het project duurt 38 maanden, langer dan toegelaten.",
        user=manager,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(application, admissible=False, user=manager)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.NOT_ADMISSIBLE
    letter = application.admissibility_decision.letter
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.pdf.read())).pages)
    assert application.reference in text
    assert "R-DUR" in text
    assert "38 maanden" in " ".join(text.split())
    assert "opstartfase" not in text  # the internal note stays internal
    assert any(m.subject == letter.subject for m in mail.outbox)


def test_applicants_see_the_status_never_the_notes_nor_the_manager_pages(
    client, submitted, manager
):
    application, lead = submitted
    cocreation = checks(application)["cocreation"]
    services.confirm_criterion(cocreation, ok=False, note="GEHEIME NOTITIE", user=manager)
    kortrijk = member_of(municipality("34022"))
    for person in (
        lead,
        kortrijk,
        member_of(municipality("24062")),
        UserFactory(roles=[StaffRole.JURY_MEMBER]),
    ):
        client.force_login(person)
        assert client.get(url(application)).status_code == 404
        assert (
            client.get(
                reverse("applications:admissibility_overview", args=[application.call.year])
            ).status_code
            == 404
        )
        assert (
            client.post(
                url(application, "applications:admissibility_decision"), {"admissible": "yes"}
            ).status_code
            == 404
        )
    for person in (lead, kortrijk):
        client.force_login(person)
        page = client.get(url(application, "applications:application")).content.decode()
        assert "GEHEIME NOTITIE" not in page
        assert "ontvankelijk" in page.lower() or "admissib" in page.lower()


def test_partners_cannot_resubmit_a_completion(client, submitted, manager):
    application, _ = submitted
    services.request_completion(
        application,
        sections=["project"],
        message="Vul aan.",
        deadline=timezone.now() + timedelta(days=3),
        user=manager,
    )
    client.force_login(member_of(municipality("34022")))
    assert client.post(url(application, "applications:application_review")).status_code == 404
    assert (
        Application.objects.get(pk=application.pk).status == ApplicationStatus.COMPLETION_REQUESTED
    )


def test_the_overview_query_count_is_flat(client, manager, django_assert_max_num_queries):
    first, user = started_application()
    complete(first, user)
    submit_application(first, user=user)
    client.force_login(manager)
    page = reverse("applications:admissibility_overview", args=[first.call.year])
    with django_assert_max_num_queries(20) as few:
        client.get(page)
    for nis in ("24062", "11002", "12025"):
        other, other_user = started_application(call=first.call, lead_nis=nis)
        complete(other, other_user)
        submit_application(other, user=other_user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(page).status_code == 200
