"""The full application (SPEC.md §4): R-SL-GATE, sections, R-SUBMIT, R-DL2, snapshot, receipt."""

import hashlib
import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from applications.completeness import section_states
from applications.models import Application, ApplicationStatus, Idea, Submission
from applications.selectors_applications import application_for_page
from applications.services import application as services
from applications.services.application_reminders import send_application_reminders
from applications.services.submission import canonical_json, submit_application
from cot_portal.accounts.models import StaffRole
from tests.factories import (
    IdeaFactory,
    OrganisationFactory,
    UserFactory,
    member_of,
    municipality,
    open_call,
)
from tests.factories_application import add_partners, complete, started_application

pytestmark = pytest.mark.django_db
ONE_MICROSECOND = timedelta(microseconds=1)


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.COT_REQUIRE_2FA = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True


def url(application, name="applications:application", **kwargs):
    return reverse(name, kwargs={"year": application.call.year, "slug": application.slug, **kwargs})


def test_r_sl_gate_only_a_shortlisted_idea_of_a_local_government_becomes_an_application():
    call = open_call()
    draft = IdeaFactory(call=call)
    with pytest.raises(services.ApplicationError):
        services.start_application(draft, user=draft.created_by)
    institution = OrganisationFactory(type="knowledge")
    their_idea = IdeaFactory(call=call, organisation=institution)
    Idea.objects.filter(pk=their_idea.pk).update(status="shortlisted")
    their_idea.refresh_from_db()
    with pytest.raises(services.ApplicationError):
        services.start_application(their_idea, user=their_idea.created_by)

    application, user = started_application(call)
    assert application.title == application.idea.title
    assert application.challenge == application.idea.challenge
    roles = sorted(application.partners.values_list("organisation__nis_code", "role"))
    assert roles == [("34022", "deelnemer"), ("44021", "coordinator")]
    assert services.start_application(application.idea, user=user) == application  # starting twice


def test_the_start_button_shows_only_on_a_shortlisted_idea(client):
    call = open_call()
    user = member_of(municipality("44021"))
    shortlisted = IdeaFactory(call=call, created_by=user)
    other = IdeaFactory(call=call, created_by=user)
    Idea.objects.filter(pk=shortlisted.pk).update(
        status="shortlisted", submitted_at=call.idea_deadline
    )
    Idea.objects.filter(pk=other.pk).update(
        status="not_shortlisted", submitted_at=call.idea_deadline
    )
    client.force_login(user)
    start = reverse("applications:start_application", args=[shortlisted.reference])
    assert (
        start
        in client.get(reverse("applications:idea", args=[shortlisted.reference])).content.decode()
    )
    page = client.get(reverse("applications:idea", args=[other.reference])).content.decode()
    assert "aanvraag-starten" not in page
    assert "shortlist" in page
    response = client.post(start)
    application = Application.objects.get(idea=shortlisted)
    assert response["Location"] == url(application)


def test_a_section_saves_and_a_stale_version_is_refused_without_losing_the_typed_text(client):
    application, user = started_application()
    colleague = member_of(application.organisation)
    autosave = url(application, "applications:application_autosave", section="project")

    client.force_login(colleague)
    client.post(
        autosave, {"version": 0, "title": application.title, "summary": "Versie van de collega"}
    )
    client.force_login(user)
    response = client.post(
        url(application, "applications:application_section", section="project"),
        {"version": 0, "title": application.title, "summary": "Mijn versie"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Mijn versie" in page
    application.refresh_from_db()
    assert application.summary == "Versie van de collega"

    client.post(autosave, {"version": 1, "title": application.title, "summary": "Samengevoegd"})
    application.refresh_from_db()
    assert application.summary == "Samengevoegd"
    assert application.section_version("project") == 2


def test_partner_contacts_read_everything_edit_their_own_part_and_cannot_submit(client):
    application, _lead = started_application()
    kortrijk = member_of(municipality("34022"))
    client.force_login(kortrijk)
    assert client.get(url(application)).status_code == 200
    assert (
        client.get(
            url(application, "applications:application_section", section="project")
        ).status_code
        == 200
    )
    autosave = url(application, "applications:application_autosave", section="project")
    assert client.post(autosave, {"version": 0, "title": "gekaapt"}).status_code == 404
    own = application.partners.get(organisation__nis_code="34022")
    lead_row = application.partners.get(role="coordinator")
    ok = client.post(
        url(application, "applications:application_partner", pk=own.pk),
        {
            f"p{own.pk}-contribution": "Wij leiden de kennisdeling.",
            f"p{own.pk}-contact_name": "Piet",
            f"p{own.pk}-contact_email": "piet@kortrijk.be",
            "version": 0,
        },
    )
    assert ok.status_code == 302
    assert (
        client.post(
            url(application, "applications:application_partner", pk=lead_row.pk), {}
        ).status_code
        == 404
    )
    own.refresh_from_db()
    assert own.contribution == "Wij leiden de kennisdeling."
    assert client.post(url(application, "applications:application_review")).status_code == 404
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.DRAFT


def test_other_municipalities_jurors_and_anonymous_visitors_never_see_an_application(client):
    application, _ = started_application()
    pages = [
        url(application),
        url(application, "applications:application_section", section="project"),
        url(application, "applications:application_review"),
    ]
    for outsider in (member_of(municipality("24062")), UserFactory(roles=[StaffRole.JURY_MEMBER])):
        client.force_login(outsider)
        for page in pages:
            assert client.get(page).status_code == 404
    client.logout()
    for page in pages:
        assert client.get(page).status_code == 404


def test_review_lists_every_missing_item_with_a_link(client):
    application, user = started_application()
    client.force_login(user)
    page = client.get(url(application, "applications:application_review")).content.decode()
    assert url(application, "applications:application_section", section="work_packages") in page
    assert "R-WP-KS" in page
    assert "#id_summary" in page


@pytest.mark.parametrize(("offset", "accepted"), [(-ONE_MICROSECOND, True), (timedelta(0), False)])
def test_r_dl2_at_the_exact_instant(offset, accepted):
    application, user = started_application()
    complete(application, user)
    with time_machine.travel(application.call.application_deadline + offset, tick=False):
        if accepted:
            submit_application(application, user=user)
        else:
            with pytest.raises(services.ApplicationError):
                submit_application(application, user=user)
    application.refresh_from_db()
    assert (application.status == ApplicationStatus.SUBMITTED) is accepted
    if not accepted:
        assert application.summary  # nothing entered was lost


def test_submission_freezes_a_snapshot_with_its_hash_pdf_and_receipt(
    client, django_capture_on_commit_callbacks
):
    application, user = started_application()
    complete(application, user)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(application, "applications:application_review"), follow=True)
    assert response.status_code == 200
    submission = Submission.objects.get(application=application)
    assert (
        hashlib.sha256(canonical_json(submission.content)).hexdigest() == submission.content_sha256
    )
    assert submission.content["budget"]["total_cost"] == "1000000.00"
    pdf = submission.pdf.read()
    assert hashlib.sha256(pdf).hexdigest() == submission.pdf_sha256
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert application.reference in text and "Kennisdeling" in text
    assert submission.receipt is not None
    receipt = mail.outbox[-1]
    assert [a[0] for a in receipt.attachments][1].endswith(f"-v{submission.number}.pdf")
    assert len(receipt.attachments) == 2

    # Afterwards the application is read-only, and the snapshot does not move with later data.
    autosave = url(application, "applications:application_autosave", section="project")
    assert client.post(autosave, {"version": 0, "title": "Nieuw"}).status_code == 404
    Application.objects.filter(pk=application.pk).update(summary="later gewijzigd")
    submission.refresh_from_db()
    assert submission.content["project"]["summary"] != "later gewijzigd"
    assert json.loads(canonical_json(submission.content))["reference"] == application.reference


def test_an_incomplete_or_double_submission_is_refused():
    application, user = started_application()
    with pytest.raises(services.ApplicationError):
        submit_application(application, user=user)
    complete(application, user)
    submit_application(application, user=user)
    with pytest.raises(services.ApplicationError):
        submit_application(application, user=user)
    assert Submission.objects.filter(application=application).count() == 1


def test_completeness_follows_the_rules():
    application, user = started_application()
    complete(application, user)
    from django.utils import timezone

    full = application_for_page(application.call.year, application.slug)
    states = section_states(full, timezone.localdate())
    assert all(state.complete for state in states.values()), {
        k: [c.message for c in v.issues] for k, v in states.items()
    }
    application.requested_support = application.requested_support + 1
    application.save()
    full = application_for_page(application.call.year, application.slug)
    budget = section_states(full, timezone.localdate())["budget"]
    assert {c.rule for c in budget.issues} >= {"R-RATE", "R-BAL"}


def test_uploads_that_are_not_what_they_claim_are_refused(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    application, user = started_application()
    client.force_login(user)
    upload = url(application, "applications:application_upload", section="policy")
    fake = SimpleUploadedFile(
        "akkoord.pdf", b"MZ\x90\x00 this is an executable", content_type="application/pdf"
    )
    response = client.post(
        upload,
        {"kind": "bestuursakkoord", "title": "Akkoord", "file": fake, "version": 0},
        follow=True,
    )
    assert application.attachments.count() == 0
    assert (
        "komt niet overeen" in response.content.decode()
        or "does not match" in response.content.decode()
    )
    real = SimpleUploadedFile("../../akkoord.pdf", b"%PDF-1.7 echt", content_type="application/pdf")
    client.post(upload, {"kind": "bestuursakkoord", "title": "", "file": real, "version": 0})
    attachment = application.attachments.get()
    assert ".." not in attachment.file.name
    download = reverse(
        "core:download",
        kwargs={
            "app_label": "applications",
            "model": "attachment",
            "pk": attachment.pk,
            "field": "file",
        },
    )
    assert client.get(download).status_code == 200
    client.force_login(member_of(municipality("24062")))
    assert client.get(download).status_code == 404


def test_reminders_before_r_dl2_warn_about_missing_co_creation_attendance():
    application, _ = started_application()
    call = application.call
    with time_machine.travel(call.application_deadline - timedelta(days=3), tick=False):
        assert send_application_reminders(call) == 1
        assert send_application_reminders(call) == 0
    assert len(mail.outbox) == 1
    assert "Kortrijk" in mail.outbox[0].body and "Gent" in mail.outbox[0].body


@pytest.mark.parametrize(
    "section", ["project", "partners", "work_packages", "procurement", "groups", "themes_kpis"]
)
def test_section_pages_do_not_grow_with_partners(client, django_assert_max_num_queries, section):
    application, user = started_application()
    complete(application, user)
    client.force_login(user)
    page = url(application, "applications:application_section", section=section)
    add_partners(application, 1)
    with django_assert_max_num_queries(40) as few:
        assert client.get(page).status_code == 200
    add_partners(application, 27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(page).status_code == 200


def test_an_emptied_amount_is_saved_as_zero_and_a_long_item_saves(client):
    application, user = started_application()
    client.force_login(user)
    autosave = url(application, "applications:application_autosave", section="budget")
    response = client.post(
        autosave, {"version": 0, "own_contribution": "", "project_income": "1.000,00"}
    )
    assert response.status_code == 200
    application.refresh_from_db()
    assert str(application.own_contribution) == "0.00"
    assert str(application.project_income) == "1000.00"
    services.add_item(
        application,
        "procurement",
        values={"description": "x" * 300, "estimated_value": 10, "procedure": "invoice"},
    )
    assert application.procurement_items.count() == 1


def test_a_refused_add_keeps_what_was_typed(client):
    application, user = started_application()
    client.force_login(user)
    add = url(application, "applications:application_add_item", section="procurement")
    response = client.post(
        add,
        {
            "version": 99,  # a colleague saved the section since this page was loaded
            "description": "Begeleiding van de marktverkenning",
            "estimated_value": "25.000,00",
            "procedure": "invoice",
        },
    )
    assert response.status_code == 200
    assert "Begeleiding van de marktverkenning" in response.content.decode()
    assert application.procurement_items.count() == 0


def test_a_refused_upload_leaves_no_file_behind(settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    application, user = started_application()
    upload = SimpleUploadedFile("akkoord.pdf", b"%PDF-1.7 echt")
    with pytest.raises(services.StaleSection):
        services.add_attachment(
            application, kind="bestuursakkoord", title="A", uploaded=upload, user=user, version=42
        )
    media = settings.MEDIA_ROOT / "applications"
    assert not media.exists() or not any(media.rglob("*.pdf"))
