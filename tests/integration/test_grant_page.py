"""The project page: what the lead applicant delivers and the call manager checks (issue 8;
R-START, R-COOP, R-KPI, R-TR). Journeys through Django's client, on a real grant opened by the
Government's decision; who may see and do what (404 otherwise); a constant query count.
"""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from cot_portal.accounts.models import StaffRole
from payments import rules
from payments.models import (
    CheckStatus,
    ContentReport,
    CooperationAgreement,
    Grant,
    TrancheRequest,
)
from tests.factories import UserFactory, member_of, municipality
from tests.factories_ranking import decided_grant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dutch_without_2fa")]

PARTNER_NIS = "34022"  # Kortrijk, the partner of scored_application
OTHER_NIS = "11002"  # Antwerpen, not in the project
PDF = b"%PDF-1.7 test document"


def awarded_world(conditions: str = "") -> SimpleNamespace:
    """A grant opened by a recorded decision: Gent leads, Kortrijk is the partner."""
    world = decided_grant()
    if conditions:
        Grant.objects.filter(pk=world.grant.pk).update(conditions=conditions)
        world.grant.refresh_from_db()
    return world


@pytest.fixture
def world():
    return awarded_world()


def project_url(grant) -> str:
    return reverse("payments:project", args=[grant.reference])


def text(response) -> str:
    return response.content.decode().replace("\xa0", " ")


def pdf(name="document.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def post(client, grant, action, **data):
    return client.post(project_url(grant), {"action": action, **data})


def dutch(message_function, *args, **kwargs) -> str:
    with translation.override("nl"):
        return str(message_function(*args, **kwargs))


# --- R-START ------------------------------------------------------------------------------------


def test_r_start_the_lead_sets_the_actual_start_and_bad_dates_keep_the_input(client, world):
    grant, lead = world.grant, world.lead
    client.force_login(lead)
    page = client.get(project_url(grant))
    assert page.status_code == 200
    body = text(page)
    assert grant.reference in body and "€ 800.000,00" in body  # the awarded amount
    assert grant.latest_start.strftime("%d/%m/%Y") in body

    bad = post(client, grant, "start", **{"start-day": "31/02/2026"})
    assert bad.status_code == 400
    assert "Vul een datum in als dd/mm/jjjj" in text(bad)  # the Dutch message
    assert 'value="31/02/2026"' in text(bad)  # what was typed stays

    too_late = grant.latest_start + timedelta(days=1)
    typed = too_late.strftime("%d/%m/%Y")
    refused = post(client, grant, "start", **{"start-day": typed})
    assert refused.status_code == 400
    expected = dutch(
        rules.start_error,
        too_late,
        timezone.localdate(world.application.submitted_at),
        grant.latest_start,
    )
    assert expected in text(refused) and f'value="{typed}"' in text(refused)
    grant.refresh_from_db()
    assert grant.actual_start_date is None

    today = timezone.localdate()
    done = post(client, grant, "start", **{"start-day": today.strftime("%d/%m/%Y")})
    assert done.status_code == 302 and done.url.endswith("#start")
    grant.refresh_from_db()
    assert grant.actual_start_date == today
    assert grant.history.filter(actual_start_date=today).exists()
    assert today.strftime("%d/%m/%Y") in text(client.get(project_url(grant)))


# --- R-COOP -------------------------------------------------------------------------------------


def test_r_coop_upload_refuses_a_wrong_type_and_the_manager_checks(client, world):
    grant, lead, manager = world.grant, world.lead, world.manager
    client.force_login(lead)
    wrong = client.post(
        project_url(grant),
        {"action": "agreement", "agreement-file": SimpleUploadedFile("akkoord.exe", b"MZ\x90")},
    )
    assert wrong.status_code == 400
    assert "Laad een bestand op in een van deze formaten" in text(wrong)
    fake = client.post(
        project_url(grant),
        {"action": "agreement", "agreement-file": SimpleUploadedFile("akkoord.pdf", b"MZ\x90")},
    )
    assert fake.status_code == 400 and not CooperationAgreement.objects.exists()

    ok = client.post(project_url(grant), {"action": "agreement", "agreement-file": pdf()})
    assert ok.status_code == 302
    agreement = CooperationAgreement.objects.get()
    assert agreement.status == CheckStatus.SUBMITTED and agreement.uploaded_by == lead
    # The lead downloads it; the lead cannot check it.
    download = reverse(
        "core:download", args=["payments", "cooperationagreement", agreement.pk, "file"]
    )
    assert client.get(download).status_code == 200
    assert (
        post(
            client,
            grant,
            "check-agreement",
            target=agreement.pk,
            **{"check-agreement-decision": "accept"},
        ).status_code
        == 404
    )

    client.force_login(manager)
    page = text(client.get(project_url(grant)))
    assert 'name="check-agreement-decision"' in page
    no_note = post(
        client,
        grant,
        "check-agreement",
        target=agreement.pk,
        **{"check-agreement-decision": "refuse"},
    )
    assert no_note.status_code == 400
    agreement.refresh_from_db()
    assert agreement.status == CheckStatus.SUBMITTED
    accepted = post(
        client,
        grant,
        "check-agreement",
        target=agreement.pk,
        **{"check-agreement-decision": "accept"},
    )
    assert accepted.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == CheckStatus.ACCEPTED and agreement.checked_by == manager
    assert client.get(download).status_code == 200

    # A new upload supersedes the accepted one and waits for a check again.
    client.force_login(lead)
    client.post(project_url(grant), {"action": "agreement", "agreement-file": pdf("v2.pdf")})
    newest = CooperationAgreement.objects.order_by("-uploaded_at", "-pk").first()
    assert newest.status == CheckStatus.SUBMITTED and newest.pk != agreement.pk
    body = text(client.get(project_url(grant)))
    assert "waiting for VLAIO's check" in body or "wacht" in body.lower()


def test_r_kpi_interim_report_with_values_and_the_final_report_needs_everything(client, world):
    grant, lead = world.grant, world.lead
    kpi = world.application.kpis.get()
    client.force_login(lead)
    page = text(client.get(project_url(grant)))
    assert f'name="report-interim-kpi_{kpi.pk}"' in page and "minuten" in page

    bad = client.post(
        project_url(grant),
        {
            "action": "report",
            "kind": "interim",
            "report-interim-summary": "Halfweg: sensoren geplaatst.",
            "report-interim-file": pdf("tussentijds.pdf"),
            f"report-interim-kpi_{kpi.pk}": "acht",
        },
    )
    assert bad.status_code == 400 and "Halfweg: sensoren geplaatst." in text(bad)
    interim = client.post(
        project_url(grant),
        {
            "action": "report",
            "kind": "interim",
            "report-interim-summary": "Halfweg: sensoren geplaatst.",
            "report-interim-file": pdf("tussentijds.pdf"),
            f"report-interim-kpi_{kpi.pk}": "8,5",
        },
    )
    assert interim.status_code == 302
    report = ContentReport.objects.get()
    assert report.kind == "interim" and report.kpi_values == {str(kpi.pk): "8.5"}
    assert "8,5" in text(client.get(project_url(grant)))

    # The final report without the KPI value and the end results is refused, field by field.
    final = client.post(
        project_url(grant),
        {
            "action": "report",
            "kind": "final",
            "report-final-summary": "Project afgerond.",
            "report-final-file": pdf("eind.pdf"),
        },
    )
    assert final.status_code == 400
    assert ContentReport.objects.count() == 1
    assert "Project afgerond." in text(final)


# --- Who sees what ------------------------------------------------------------------------------


def test_r_tr_a_partner_reads_but_cannot_act(client, world):
    grant = world.grant
    partner = member_of(municipality(PARTNER_NIS))
    client.force_login(partner)
    page = client.get(project_url(grant))
    assert page.status_code == 200
    assert 'name="action" value="request"' not in text(page)
    assert post(client, grant, "start", **{"start-day": "01/01/2030"}).status_code == 404
    assert post(client, grant, "request", tranche="1").status_code == 404
    assert (
        client.post(
            project_url(grant), {"action": "agreement", "agreement-file": pdf()}
        ).status_code
        == 404
    )
    assert not CooperationAgreement.objects.exists()
    assert grant.reference in text(client.get(reverse("payments:projects")))


def test_r_tr_another_municipality_sees_nothing(client, world):
    grant = world.grant
    stranger = member_of(municipality(OTHER_NIS))
    client.force_login(stranger)
    assert client.get(project_url(grant)).status_code == 404
    assert post(client, grant, "request", tranche="1").status_code == 404
    assert grant.reference not in text(client.get(reverse("payments:projects")))
    client.logout()
    assert client.get(project_url(grant)).status_code == 404


def test_r_tr_a_finance_officer_in_the_lead_organisation_cannot_act_through_the_finance_role(
    client, world
):
    """A finance officer who belongs to the beneficiary sees the project only as a member of
    it: no check of VLAIO's, no finance view; every such action answers 404."""
    grant = world.grant
    officer = UserFactory(roles=[StaffRole.FINANCE_OFFICER])
    from cot_portal.accounts.models import Membership

    Membership.objects.create(user=officer, organisation=grant.organisation, role="reader")
    client.force_login(world.lead)
    client.post(project_url(grant), {"action": "agreement", "agreement-file": pdf()})
    agreement = CooperationAgreement.objects.get()
    client.force_login(officer)
    page = text(client.get(project_url(grant)))
    assert 'name="check-agreement-decision"' not in page
    assert (
        post(
            client,
            grant,
            "check-agreement",
            target=agreement.pk,
            **{"check-agreement-decision": "accept"},
        ).status_code
        == 404
    )
    assert post(client, grant, "confirm-conditions").status_code == 404
    # A finance officer of another organisation reads it, and acts on nothing here either.
    outsider = UserFactory(roles=[StaffRole.FINANCE_OFFICER])
    client.force_login(outsider)
    assert client.get(project_url(grant)).status_code == 200
    assert post(client, grant, "request", tranche="1").status_code == 404
    assert (
        client.get(
            reverse(
                "core:download", args=["payments", "cooperationagreement", agreement.pk, "file"]
            )
        ).status_code
        == 200
    )
    # A finance officer who is a member of another municipality: the conflict is per grant.
    other = UserFactory(roles=[StaffRole.FINANCE_OFFICER])
    Membership.objects.create(user=other, organisation=municipality(OTHER_NIS), role="reader")
    client.force_login(other)
    assert client.get(project_url(grant)).status_code == 200


def test_r_tr_the_dashboard_lists_my_projects(client, world):
    client.force_login(world.lead)
    body = text(client.get(reverse("core:dashboard")))
    assert project_url(world.grant) in body
    stranger = member_of(municipality(OTHER_NIS))
    client.force_login(stranger)
    assert project_url(world.grant) not in text(client.get(reverse("core:dashboard")))


# --- Query count --------------------------------------------------------------------------------


def _add_rows(grant, lead, manager, count):
    now = timezone.now()
    tranche = grant.tranches.get(number=1)
    for n in range(count):
        CooperationAgreement.objects.create(
            grant=grant,
            file=f"grants/{grant.reference}/a{n}.pdf",
            uploaded_by=lead,
            uploaded_at=now + timedelta(minutes=n),
            status=CheckStatus.REFUSED,
            checked_by=manager,
            checked_at=now + timedelta(minutes=n, seconds=30),
            note=f"Handtekening {n} ontbreekt.",
        )
        ContentReport.objects.create(
            grant=grant,
            kind="interim",
            summary=f"Rapport {n}",
            kpi_values={},
            file=f"grants/{grant.reference}/r{n}.pdf",
            submitted_by=lead,
            submitted_at=now + timedelta(minutes=n),
        )
        TrancheRequest.objects.create(
            tranche=tranche,
            requested_by=lead,
            requested_at=now + timedelta(minutes=n),
            checks=[{"rule": "R-TR1", "ok": True, "message": "ok", "warning": False}],
            status="refused",
            decided_by=manager,
            decided_at=now + timedelta(minutes=n, seconds=40),
            reason=f"Reden {n}",
        )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["lead", "manager"])
def test_r_tr_the_project_page_does_not_grow_with_its_rows(client, world, who):
    grant = world.grant
    user = world.lead if who == "lead" else world.manager
    client.force_login(user)
    url = project_url(grant)
    _add_rows(grant, world.lead, world.manager, 1)
    client.get(url)  # warm caches
    one = _queries(client, url)
    _add_rows(grant, world.lead, world.manager, 4)
    assert ContentReport.objects.count() == 5 and TrancheRequest.objects.count() == 5
    five = _queries(client, url)
    assert five <= one
    body = text(client.get(url))
    assert all(f"Reden {n}" in body for n in range(4))
    assert Decimal(grant.awarded) > 0
