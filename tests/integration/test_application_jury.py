"""The jury's work on full applications (issue 7, first part): jury, assignments, conflict gate,
score sheets on the ten sub-criteria A1–C3, reopening.

R-JURY (conflicts of interest, seed 000), R-SCORE (sub-criteria, maxima, step, motivation).
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Application
from applications.services.submission import submit_application
from cot_portal.accounts.models import Membership, Organisation
from scoring import services_applications as services
from scoring.models import (
    ApplicationConflict,
    ApplicationScoreSheet,
    JuryAssignment,
    SheetStatus,
)
from scoring.ranking import SUBCRITERION_CODES
from tests.factories import member_of, municipality
from tests.factories_application import complete, started_application
from tests.factories_scoring import call_manager, juror

pytestmark = pytest.mark.django_db

GENT, KORTRIJK, LEUVEN = "44021", "34022", "24062"


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.COT_REQUIRE_2FA = False
    settings.LANGUAGE_CODE = "nl"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def admissible(application):
    Application.objects.filter(pk=application.pk).update(status="admissible")
    application.refresh_from_db()
    return application


@pytest.fixture
def submitted():
    """Gent's application with Kortrijk as partner, submitted and admissible."""
    application, user = started_application(lead_nis=GENT, partner_nis=(KORTRIJK,))
    complete(application, user)
    submission = submit_application(application, user=user)
    # The snapshot PDF is rendered by a Celery task after the commit; a stand-in is enough here.
    submission.pdf.save("snapshot.pdf", ContentFile(b"%PDF-1.7 snapshot"), save=True)
    return admissible(application), user


@pytest.fixture
def application(submitted):
    return submitted[0]


@pytest.fixture
def manager():
    return call_manager()


def on_jury(application, manager, *users):
    members = [
        services.add_jury_member(call=application.call, user=u, manager=manager) for u in users
    ]
    services.assign_applications(call=application.call, manager=manager)
    return members


def urls(application):
    ref, year = application.reference, application.call.year
    return {
        "list": reverse("scoring:jury_application_list", args=[year]),
        "detail": reverse("scoring:jury_application_detail", args=[ref]),
        "declare": reverse("scoring:jury_application_declare", args=[ref]),
        "pdf": reverse("scoring:jury_application_pdf", args=[ref]),
        "jury": reverse("scoring:jury_compose", args=[year]),
    }


def text(response) -> str:
    return response.content.decode().replace("\xa0", " ")


def score_post(points=None, action="save", motivation="Goed onderbouwd."):
    points = points or ["8"] * 10
    data = {"action": action}
    for code, value in zip(SUBCRITERION_CODES, points, strict=True):
        data[f"points_{code}"] = value
        data[f"motivation_{code}"] = f"{motivation} ({code})" if motivation else ""
    return data


# --- Composing the jury and assigning -------------------------------------------------------


def test_the_manager_composes_the_jury_and_assigns_every_admissible_application(
    client, application, manager
):
    expert = juror(email="expert@example.be")
    other = juror()
    draft, _user = started_application(call=application.call, lead_nis=LEUVEN)
    client.force_login(manager)
    page = urls(application)["jury"]
    assert client.get(page).status_code == 200
    for person, kind in ((expert, "external"), (other, "staff")):
        response = client.post(page, {"action": "add", "add-email": person.email, "add-kind": kind})
        assert response.status_code == 302
    assert client.post(page, {"action": "assign"}).status_code == 302
    assigned = set(JuryAssignment.objects.values_list("application_id", "juror__user_id"))
    assert assigned == {(application.pk, expert.pk), (application.pk, other.pk)}
    assert draft.pk not in {a for a, _u in assigned}
    body = text(client.get(page))
    assert application.reference in body and "expert@example.be" in body

    # Removing a member takes their assignments with them.
    member = expert.jury_memberships.get()
    client.post(page, {"action": "remove", "member": member.pk})
    assert not JuryAssignment.objects.filter(juror__user=expert).exists()


def test_only_the_call_manager_reaches_the_jury_page(client, application, submitted):
    page = urls(application)["jury"]
    for person in (juror(), submitted[1]):
        client.force_login(person)
        assert client.get(page).status_code == 404
        assert client.post(page, {"action": "assign"}).status_code == 404
    assert not JuryAssignment.objects.exists()


# --- The conflict-of-interest gate ----------------------------------------------------------


def test_the_gate_declare_before_seeing_the_application(client, application, manager):
    member = juror()
    on_jury(application, manager, member)
    client.force_login(member)
    body = text(client.get(urls(application)["list"]))
    assert application.reference in body and urls(application)["declare"] in body

    response = client.get(urls(application)["detail"])
    assert response.status_code == 302 and response.url == urls(application)["declare"]
    # Scoring without a declaration is refused as if the application did not exist.
    assert client.post(urls(application)["detail"], score_post()).status_code == 404
    assert client.get(urls(application)["pdf"]).status_code == 404
    assert not ApplicationScoreSheet.objects.exists()

    declare = text(client.get(urls(application)["declare"]))
    assert "Gent" in declare and "Kortrijk" in declare
    assert "Een open parkeerplatform" not in declare  # no content before the declaration

    response = client.post(urls(application)["declare"], {"declaration": "no"})
    assert response.status_code == 302 and response.url == urls(application)["detail"]
    body = text(client.get(urls(application)["detail"]))
    assert "Een open parkeerplatform" in body  # the frozen submission's content
    assert "Begeleiding aanbesteding" in body  # the procurement plan beside B2
    assert urls(application)["pdf"] in body
    assert client.get(urls(application)["pdf"]).status_code == 200


def test_a_declared_conflict_closes_every_jury_page(client, application, manager):
    member = juror()
    on_jury(application, manager, member)
    client.force_login(member)
    response = client.post(
        urls(application)["declare"], {"declaration": "yes", "reason": "Adviseur van Gent"}
    )
    assert response.status_code == 302
    for name in ("detail", "declare", "pdf"):
        assert client.get(urls(application)[name]).status_code == 404
    assert client.post(urls(application)["detail"], score_post()).status_code == 404


def test_a_member_of_a_partner_is_conflicted_automatically(client, application, manager):
    member = juror()
    Membership.objects.create(user=member, organisation=municipality(KORTRIJK), role="reader")
    on_jury(application, manager, member)
    client.force_login(member)
    # Without any declaration the portal already treats the partner's member as conflicted.
    for name in ("detail", "declare", "pdf"):
        assert client.get(urls(application)[name]).status_code == 404
    assert client.post(urls(application)["declare"], {"declaration": "no"}).status_code == 404
    assert client.post(urls(application)["detail"], score_post()).status_code == 404
    body = text(client.get(urls(application)["list"]))
    assert application.reference in body and urls(application)["detail"] not in body
    # A "no conflict" that reaches the service is recorded as the automatic conflict instead.
    services.declare_application_conflict(application=application, juror=member, has_conflict=False)
    conflict = ApplicationConflict.objects.get(juror=member)
    assert conflict.has_conflict and conflict.automatic
    with pytest.raises(PermissionDenied):
        services.save_application_sheet(
            application=application,
            juror=member,
            scores={c: services.SubCriterionInput(Decimal("5")) for c in SUBCRITERION_CODES},
        )


def test_a_juror_who_is_not_assigned_sees_nothing(client, application, manager):
    assigned, outsider = juror(), juror()
    on_jury(application, manager, assigned)
    services.add_jury_member(call=application.call, user=outsider, manager=manager)
    client.force_login(outsider)
    assert application.reference not in text(client.get(urls(application)["list"]))
    for name in ("detail", "declare"):
        assert client.get(urls(application)[name]).status_code == 404


def test_applicants_other_municipalities_and_anonymous_get_404(client, submitted, manager):
    application, applicant = submitted
    on_jury(application, manager, juror())
    other = member_of(municipality(LEUVEN))
    for person in (applicant, other):
        client.force_login(person)
        assert client.get(urls(application)["list"]).status_code == 404
        for name in ("detail", "declare", "pdf"):
            assert client.get(urls(application)[name]).status_code == 404
        assert client.post(urls(application)["detail"], score_post()).status_code == 404
        assert client.post(urls(application)["declare"], {"declaration": "no"}).status_code == 404
    client.logout()
    for name in ("detail", "declare", "pdf"):
        assert client.get(urls(application)[name]).status_code == 404
    assert not ApplicationConflict.objects.exists()


# --- Score sheets ---------------------------------------------------------------------------


def test_draft_then_submit_then_read_only(client, application, manager):
    member = juror()
    on_jury(application, manager, member)
    client.force_login(member)
    client.post(urls(application)["declare"], {"declaration": "no"})

    partial = score_post(points=["8", "7,5", "", "", "", "", "", "", "", ""], motivation="")
    response = client.post(urls(application)["detail"], partial)
    assert response.status_code == 302
    sheet = ApplicationScoreSheet.objects.get(juror=member)
    assert sheet.status == SheetStatus.DRAFT
    assert {s.code: s.points for s in sheet.scores.all()} == {
        "A1": Decimal("8"),
        "A2": Decimal("7.5"),
    }

    # Submitting needs points and a motivation on all ten.
    missing = score_post(action="submit")
    missing["motivation_C3"] = ""
    response = client.post(urls(application)["detail"], missing)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"motivation_C3"}
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.DRAFT

    response = client.post(urls(application)["detail"], score_post(action="submit"))
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED and sheet.submitted_at is not None
    assert sheet.scores.count() == 10

    body = text(client.get(urls(application)["detail"]))
    assert 'name="points_A1"' not in body
    client.post(urls(application)["detail"], score_post(points=["1"] * 10, action="submit"))
    assert set(sheet.scores.values_list("points", flat=True)) == {Decimal("8")}


def test_invalid_points_keep_what_was_typed_with_an_error(client, application, manager):
    member = juror()
    on_jury(application, manager, member)
    client.force_login(member)
    client.post(urls(application)["declare"], {"declaration": "no"})
    data = score_post(points=["8", "7,3", "11", "abc", "6", "6", "6", "6", "6", "6"])
    response = client.post(urls(application)["detail"], data)
    assert response.status_code == 200
    body = text(response)
    assert 'value="7,3"' in body and 'value="11"' in body and 'value="abc"' in body
    assert "Goed onderbouwd. (B4)" in body
    assert response.context["form"].errors.keys() >= {"points_A2", "points_A3", "points_B1"}
    assert not ApplicationScoreSheet.objects.exists()


def test_the_manager_reopens_a_submitted_sheet_and_it_is_recorded(client, application, manager):
    member = juror()
    on_jury(application, manager, member)
    client.force_login(member)
    client.post(urls(application)["declare"], {"declaration": "no"})
    client.post(urls(application)["detail"], score_post(action="submit"))
    sheet = ApplicationScoreSheet.objects.get(juror=member)

    # A juror cannot reopen.
    assert (
        client.post(urls(application)["jury"], {"action": "reopen", "sheet": sheet.pk}).status_code
        == 404
    )

    client.force_login(manager)
    response = client.post(urls(application)["jury"], {"action": "reopen", "sheet": sheet.pk})
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.DRAFT
    assert sheet.reopened_by == manager and sheet.reopened_at is not None
    assert sheet.history.filter(reopened_by=manager).exists()
    assert client.get(urls(application)["jury"]).context["reopened_sheets"] == [sheet]

    client.force_login(member)
    body = text(client.get(urls(application)["detail"]))
    assert 'name="points_A1"' in body
    response = client.post(
        urls(application)["detail"], score_post(points=["9"] * 10, action="submit")
    )
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED
    assert set(sheet.scores.values_list("points", flat=True)) == {Decimal("9")}


def test_the_service_refuses_points_outside_the_call_maxima(application, manager):
    member = juror()
    on_jury(application, manager, member)
    services.declare_application_conflict(application=application, juror=member, has_conflict=False)
    scores = {
        code: services.SubCriterionInput(Decimal("10.5"), "Te veel") for code in SUBCRITERION_CODES
    }
    with pytest.raises(services.ScoringError) as error:
        services.save_application_sheet(application=application, juror=member, scores=scores)
    assert set(error.value.message_dict) == {f"points_{c}" for c in SUBCRITERION_CODES}


# --- Query count ----------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_jurors_list_does_not_grow_with_the_applications(
    client, manager, django_assert_max_num_queries
):
    leads = list(
        Organisation.objects.filter(type="municipality")
        .exclude(nis_code__in=(GENT, KORTRIJK))
        .order_by("nis_code")
        .values_list("nis_code", flat=True)[:10]
    )
    first, _user = started_application(lead_nis=leads[0])
    call = first.call
    applications = [admissible(first)]
    for nis in leads[1:3]:
        applications.append(admissible(started_application(call=call, lead_nis=nis)[0]))
    member = juror()
    on_jury(first, manager, member)
    for a in applications[:2]:
        services.declare_application_conflict(application=a, juror=member, has_conflict=False)
    url = urls(first)["list"]
    client.force_login(member)
    client.get(url)  # warm caches
    few = _queries(client, url)
    for nis in leads[3:10]:
        applications.append(admissible(started_application(call=call, lead_nis=nis)[0]))
    services.assign_applications(call=call, manager=manager)
    for a in applications[3:6]:
        services.declare_application_conflict(application=a, juror=member, has_conflict=False)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    body = text(response)
    assert all(a.reference in body for a in applications)
