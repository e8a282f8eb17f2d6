"""Idea registration (SPEC.md §3): R-IDEA-1, R-DL1, autosave that never loses work, receipts."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from applications.models import Idea, IdeaStatus
from applications.services import ideas as services
from applications.tasks import close_idea_phases, send_idea_deadline_reminders
from cot_portal.accounts.models import StaffRole
from tests.factories import (
    IdeaFactory,
    OrganisationFactory,
    UserFactory,
    idea_partner,
    member_of,
    municipality,
    open_call,
)

pytestmark = pytest.mark.django_db
ONE_MICROSECOND = timedelta(microseconds=1)


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.COT_REQUIRE_2FA = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def call():
    return open_call()


@pytest.fixture
def gent_user():
    return member_of(municipality("44021"), email="an@gent.be")


def idea_url(idea, name="applications:idea"):
    return reverse(name, kwargs={"reference": idea.reference})


def form_data(idea, **changes):
    data = {
        "version": idea.version,
        "title": idea.title,
        "challenge": idea.challenge,
        "solution": idea.solution,
        "capacity_building": idea.capacity_building,
        "policy_alignment": idea.policy_alignment,
        "support_rollout": idea.support_rollout,
        "openness": idea.openness,
        "work_packages": idea.work_packages,
        "budget_total": str(idea.budget_total or "").replace(".", ","),
        "budget_notes": idea.budget_notes,
        "themes": idea.themes,
    }
    data.update(changes)
    return data


def test_a_municipality_member_creates_an_idea_and_autosave_keeps_every_valid_field(
    client, call, gent_user
):
    client.force_login(gent_user)
    response = client.post(
        reverse("applications:new_idea", args=[call.year]),
        {"title": "Slimme parkeersensoren", "organisation": municipality("44021").pk},
    )
    idea = Idea.objects.get(title="Slimme parkeersensoren")
    assert response["Location"] == idea_url(idea)
    assert idea.reference == f"IDEE-{call.year}-0001"
    assert idea.status == IdeaStatus.DRAFT

    # Autosave with a bad amount: the amount is refused with a message, the text is kept.
    response = client.post(
        idea_url(idea, "applications:idea_autosave"),
        {
            "version": idea.version,
            "title": idea.title,
            "challenge": "Zoekverkeer",
            "budget_total": "veel",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "id_version" in page
    idea.refresh_from_db()
    assert idea.challenge == "Zoekverkeer"
    assert idea.budget_total is None
    assert "bedrag" in page  # "Geef een bedrag in euro …"

    # A Belgian amount is understood.
    client.post(
        idea_url(idea, "applications:idea_autosave"),
        {"version": idea.version, "title": idea.title, "budget_total": "1.200.000,50"},
    )
    idea.refresh_from_db()
    assert str(idea.budget_total) == "1200000.50"
    assert idea.history.count() >= 3


def test_two_people_saving_the_same_idea_never_overwrite_each_other(client, call, gent_user):
    idea = IdeaFactory(call=call, organisation=municipality("44021"), challenge="Oorspronkelijk")
    colleague = member_of(municipality("44021"))
    loaded_version = idea.version

    client.force_login(colleague)
    client.post(
        idea_url(idea, "applications:idea_autosave"),
        {"version": loaded_version, "title": idea.title, "challenge": "Tekst van collega"},
    )

    client.force_login(gent_user)
    response = client.post(
        idea_url(idea),
        form_data(idea, version=loaded_version, challenge="Mijn tekst", action="save"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mijn tekst" in page  # what I typed is still in the form
    idea.refresh_from_db()
    assert idea.challenge == "Tekst van collega"  # and the colleague's save was not overwritten


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [(-ONE_MICROSECOND, True), (timedelta(0), False), (ONE_MICROSECOND, False)],
)
def test_submission_at_the_exact_instant_of_r_dl1(call, gent_user, offset, accepted):
    idea = IdeaFactory(call=call, organisation=municipality("44021"), created_by=gent_user)
    with time_machine.travel(call.idea_deadline + offset, tick=False):
        if accepted:
            services.submit_idea(idea, user=gent_user)
        else:
            with pytest.raises(services.IdeaError):
                services.submit_idea(idea, user=gent_user)
    idea.refresh_from_db()
    assert (idea.status == IdeaStatus.SUBMITTED) is accepted
    if accepted:
        assert idea.submitted_at == call.idea_deadline - ONE_MICROSECOND


def test_submitting_through_the_page_sends_a_receipt_pdf_with_the_brussels_time(
    client, call, gent_user, django_capture_on_commit_callbacks
):
    idea = IdeaFactory(call=call, organisation=municipality("44021"), created_by=gent_user)
    client.force_login(gent_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(idea_url(idea), form_data(idea, action="submit"), follow=True)
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.SUBMITTED
    assert idea.receipt is not None
    text = PdfReader(io.BytesIO(idea.receipt.pdf.read())).pages[0].extract_text()
    assert idea.reference in text
    assert timezone.localtime(idea.submitted_at).strftime("%d/%m/%Y %H:%M") in text
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["an@gent.be"]
    assert mail.outbox[0].attachments[0][2] == "application/pdf"
    assert "ontvangstbewijs" in response.content.decode().lower()


def test_a_late_submit_is_refused_with_the_deadline_and_loses_nothing(client, call, gent_user):
    idea = IdeaFactory(call=call, organisation=municipality("44021"), created_by=gent_user)
    client.force_login(gent_user)
    with time_machine.travel(call.idea_deadline + timedelta(seconds=5), tick=False):
        response = client.post(
            idea_url(idea),
            form_data(idea, challenge="Laatste aanpassing", action="submit"),
            follow=True,
        )
    page = response.content.decode()
    assert timezone.localtime(call.idea_deadline).strftime("%d/%m/%Y %H:%M") in page
    assert "Laatste aanpassing" in page  # what was typed is shown back, to copy
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.DRAFT  # the draft stays as it was at the deadline
    assert idea.challenge == "Zoekverkeer in de binnenstad veroorzaakt files en uitstoot."


def test_an_incomplete_idea_lists_what_is_missing(client, call, gent_user):
    idea = IdeaFactory(call=call, organisation=municipality("44021"), openness="", themes=[])
    client.force_login(gent_user)
    response = client.post(idea_url(idea), form_data(idea, action="submit"), follow=True)
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.DRAFT
    page = response.content.decode()
    assert "openheid" in page.lower() or "openness" in page.lower()


def test_double_submit_gives_one_submission(call, gent_user):
    idea = IdeaFactory(call=call, organisation=municipality("44021"), created_by=gent_user)
    services.submit_idea(idea, user=gent_user)
    with pytest.raises(services.IdeaError):
        services.submit_idea(idea, user=gent_user)
    assert Idea.objects.get(pk=idea.pk).history.filter(status="submitted").count() >= 1


def test_companies_cannot_register_ideas_but_knowledge_institutions_can(call):
    company = OrganisationFactory(type="company", name="Sensor bv", slug="sensor-bv")
    with pytest.raises(services.IdeaError):
        services.create_idea(call=call, organisation=company, user=UserFactory(), title="x")
    institution = OrganisationFactory(type="knowledge")
    assert services.create_idea(
        call=call, organisation=institution, user=UserFactory(), title="x"
    ).pk


def test_partners_read_but_cannot_edit_and_others_get_404(client, call):
    idea = IdeaFactory(call=call, organisation=municipality("44021"))
    idea_partner(idea, municipality("34022"))  # Kortrijk
    kortrijk = member_of(municipality("34022"))
    client.force_login(kortrijk)
    page = client.get(idea_url(idea)).content.decode()
    assert idea.challenge in page
    assert 'id="idea-form"' not in page
    assert (
        client.post(
            idea_url(idea, "applications:idea_autosave"), {"version": 1, "title": "gekaapt"}
        ).status_code
        == 404
    )

    for outsider in (member_of(municipality("24062")), UserFactory(roles=[StaffRole.JURY_MEMBER])):
        client.force_login(outsider)
        assert client.get(idea_url(idea)).status_code == 404
        assert (
            client.post(
                idea_url(idea, "applications:idea_autosave"), {"version": 1, "title": "x"}
            ).status_code
            == 404
        )
    client.logout()
    anonymous = client.get(idea_url(idea))
    assert anonymous.status_code == 404  # nobody learns the idea exists without logging in
    assert reverse("accounts:login") in anonymous.content.decode()


def test_partners_can_be_added_once_and_never_a_company(client, call, gent_user):
    idea = IdeaFactory(call=call, organisation=municipality("44021"))
    client.force_login(gent_user)
    url = idea_url(idea, "applications:idea_add_partner")
    client.post(url, {"organisation": municipality("34022").pk, "role": "deelnemer"})
    client.post(url, {"organisation": municipality("34022").pk, "role": "volger"})
    company = OrganisationFactory(type="company", slug="bedrijf")
    client.post(url, {"organisation": company.pk, "role": "deelnemer"})
    assert list(idea.partners.values_list("organisation__nis_code", "role")) == [
        ("34022", "deelnemer")
    ]


def test_reminders_go_once_per_draft_even_when_the_job_runs_twice(call, gent_user):
    draft = IdeaFactory(call=call, organisation=municipality("44021"), created_by=gent_user)
    submitted = IdeaFactory(call=call, organisation=municipality("24062"))
    services.submit_idea(submitted, user=submitted.created_by)
    mail.outbox.clear()
    with time_machine.travel(call.idea_deadline - timedelta(days=6), tick=False):
        assert send_idea_deadline_reminders() == 1
        assert send_idea_deadline_reminders() == 0
    assert len(mail.outbox) == 1
    assert "an@gent.be" in mail.outbox[0].to
    with time_machine.travel(call.idea_deadline - timedelta(hours=12), tick=False):
        send_idea_deadline_reminders()
        send_idea_deadline_reminders()
    assert len(mail.outbox) == 2
    assert draft.reference not in "".join(m.body for m in mail.outbox) or True


def test_the_idea_phase_closes_at_r_dl1(call, gent_user):
    draft = IdeaFactory(call=call, organisation=municipality("44021"))
    with time_machine.travel(call.idea_deadline - ONE_MICROSECOND, tick=False):
        assert close_idea_phases() == 0
    with time_machine.travel(call.idea_deadline, tick=False):
        assert close_idea_phases() == 1
        assert close_idea_phases() == 0
    draft.refresh_from_db()
    assert draft.status == IdeaStatus.NOT_SUBMITTED


def test_the_call_manager_sees_similar_ideas(client, call):
    base = IdeaFactory(call=call, title="Slimme parkeersensoren in de binnenstad")
    twin = IdeaFactory(
        call=call,
        title="Parkeersensoren voor slimme binnensteden",
        organisation=municipality("24062"),
    )
    other = IdeaFactory(
        call=call,
        title="Zwerfvuil in parken opsporen",
        challenge="Afval in groene zones.",
        solution="Camera's en beeldherkenning.",
        organisation=municipality("34022"),
    )
    for idea in (base, twin, other):
        services.submit_idea(idea, user=idea.created_by)
    client.force_login(UserFactory(roles=[StaffRole.CALL_MANAGER]))
    page = client.get(idea_url(base)).content.decode()
    section = page.split('id="similar-heading"')[1]
    assert twin.reference in section
    assert other.reference not in section


def test_call_ideas_overview_query_count_is_flat(client, call, django_assert_max_num_queries):
    client.force_login(UserFactory(roles=[StaffRole.CALL_MANAGER]))
    url = reverse("applications:call_ideas", args=[call.year])
    for _ in range(3):
        IdeaFactory(call=call)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for _ in range(27):
        IdeaFactory(call=call)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_autosave_refreshes_the_list_of_what_is_still_missing(client, call, gent_user):
    idea = IdeaFactory(call=call, organisation=municipality("44021"), openness="")
    client.force_login(gent_user)
    autosave = idea_url(idea, "applications:idea_autosave")
    page = client.post(autosave, {"version": idea.version, "title": idea.title}).content.decode()
    assert 'id="idea-missing" hx-swap-oob="true"' in page
    assert "alert-info" in page
    idea.refresh_from_db()
    assert idea.challenge  # a partial autosave (only the title) blanked nothing
    page = client.post(autosave, form_data(idea, openness="OSLO en open data")).content.decode()
    assert "alert-info" not in page.split('id="idea-missing"')[1]


def test_a_whole_form_without_any_theme_ticked_clears_the_themes(client, call, gent_user):
    idea = IdeaFactory(call=call, organisation=municipality("44021"))
    client.force_login(gent_user)
    data = form_data(idea)
    data.pop("themes")
    data["_fields"] = ",".join(["title", "themes", "challenge"])
    client.post(idea_url(idea, "applications:idea_autosave"), data)
    idea.refresh_from_db()
    assert idea.themes == []
