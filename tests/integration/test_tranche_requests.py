"""Tranche requests by the lead applicant (issue 8; R-TR, R-TR1, R-TR2, R-TR3, R-COOP).

A request is sent only when every condition holds; otherwise the page shows what is missing,
with the figures. The request keeps the conditions as evaluated, a late tranche 3 is flagged,
and the finance officers who may act on the grant are told by e-mail.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from cot_portal.accounts.models import Membership, StaffRole
from payments import conditions
from payments import services_tranches as services
from payments.errors import PaymentsError
from payments.models import (
    CheckStatus,
    CostStatementLine,
    Tranche,
    TrancheRequest,
    TrancheStatus,
)
from tests.factories import UserFactory, member_of, municipality
from tests.integration.test_grant_page import (
    PARTNER_NIS,
    PDF,
    awarded_world,
    pdf,
    post,
    project_url,
    text,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dutch_without_2fa")]

CONDITIONS = "Bezorg het ondertekende samenwerkingsakkoord met Kortrijk."


def at(day) -> datetime:
    """10:00 in Brussels on `day`, for time_machine."""
    return timezone.make_aware(datetime.combine(day, time(10)))


def dutch_missing(tranche, today) -> list[str]:
    with translation.override("nl"):
        return conditions.missing(conditions.tranche_checks(tranche, today))


def paid(grant, *numbers):
    Tranche.objects.filter(grant=grant, number__in=numbers).update(status=TrancheStatus.PAID)


def cost_line(world, amount, status="pending"):
    grant = world.grant
    partner = grant.application.partners.order_by("pk").first()
    return CostStatementLine.objects.create(
        grant=grant,
        partner=partner,
        category="personnel",
        date=grant.start_date,
        description="Loonkost projectleider",
        amount=Decimal(amount),
        evidence=f"grants/{grant.reference}/loon.pdf",
        created_by=world.lead,
        created_at=timezone.now(),
        status=status,
        reason="Geen bewijs." if status == "rejected" else "",
    )


def upload(name="bestand.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def deliver_interim(world):
    kpi = world.application.kpis.get()
    return services.submit_report(
        world.grant,
        "interim",
        "Halfweg.",
        {kpi.pk: Decimal("9")},
        upload(),
        None,
        None,
        None,
        world.lead,
    )


def deliver_final(world):
    kpi = world.application.kpis.get()
    return services.submit_report(
        world.grant,
        "final",
        "Afgerond.",
        {kpi.pk: Decimal("6.5")},
        upload("eind.pdf"),
        upload("gunning.pdf"),
        upload("raam.pdf"),
        upload("draaiboek.pdf"),
        world.lead,
    )


# --- R-TR1 --------------------------------------------------------------------------------------


def test_r_tr1_refused_with_what_is_missing_until_the_conditions_are_met_then_sent(
    client, django_capture_on_commit_callbacks
):
    world = awarded_world(conditions=CONDITIONS)
    grant, lead, manager = world.grant, world.lead, world.manager
    unconflicted = UserFactory(roles=[StaffRole.FINANCE_OFFICER], email="fin@vlaio.test")
    conflicted = UserFactory(roles=[StaffRole.FINANCE_OFFICER], email="fin-kortrijk@vlaio.test")
    Membership.objects.create(user=conflicted, organisation=municipality(PARTNER_NIS))
    first = grant.tranches.get(number=1)

    client.force_login(lead)
    page = text(client.get(project_url(grant)))
    assert 'disabled aria-describedby="missing-1"' in page
    missing = dutch_missing(first, timezone.localdate())
    assert len(missing) == 3  # start, conditions, agreement
    assert all(m in page for m in missing)

    refused = post(client, grant, "request", tranche="1")
    assert refused.status_code == 400
    body = text(refused)
    assert 'role="alert" id="request-1-error"' in body
    assert all(m in body for m in missing)
    assert not TrancheRequest.objects.exists() and mail.outbox == []

    # The lead starts and uploads; the manager accepts the agreement and confirms the conditions.
    post(client, grant, "start", **{"start-day": timezone.localdate().strftime("%d/%m/%Y")})
    client.post(project_url(grant), {"action": "agreement", "agreement-file": pdf()})
    still = post(client, grant, "request", tranche="1")
    assert still.status_code == 400
    first = Tranche.objects.select_related("grant").get(pk=first.pk)
    missing = dutch_missing(first, timezone.localdate())
    assert len(missing) == 2  # the conditions, and the agreement waits for VLAIO's check
    assert all(m in text(still) for m in missing)

    client.force_login(manager)
    agreement = grant.agreements.get()
    post(
        client,
        grant,
        "check-agreement",
        target=agreement.pk,
        **{"check-agreement-decision": "accept"},
    )
    assert post(client, grant, "confirm-conditions").status_code == 302
    grant.refresh_from_db()
    assert grant.conditions_met_by == manager and grant.conditions_met_at is not None
    mail.outbox.clear()

    client.force_login(lead)
    page = text(client.get(project_url(grant)))
    assert 'aria-describedby="missing-1"' not in page and "request-1-error" not in page
    with django_capture_on_commit_callbacks(execute=True):
        sent = post(client, grant, "request", tranche="1")
    assert sent.status_code == 302 and sent.url.endswith("#tranches")

    request = TrancheRequest.objects.get()
    first.refresh_from_db()
    assert first.status == TrancheStatus.REQUESTED
    assert request.requested_by == lead and not request.late and request.status == "sent"
    assert [c["rule"] for c in request.checks] == ["R-START", "R-TR1", "R-COOP"]
    assert all(c["ok"] and set(c) == {"rule", "ok", "message", "warning"} for c in request.checks)
    # Finance is told, but not the officer who belongs to a partner.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [unconflicted.email] and grant.reference in mail.outbox[0].subject
    # Finance is sent straight to the check page of this request.
    request = grant.tranches.get(number=1).requests.get()
    assert reverse("payments:finance_request", args=[request.pk]) in mail.outbox[0].body
    # The request shows in the history, and cannot be sent twice.
    assert "Schijf 1 aangevraagd." in text(client.get(project_url(grant)))
    again = post(client, grant, "request", tranche="1")
    assert again.status_code == 400 and TrancheRequest.objects.count() == 1


def test_r_tr1_confirming_the_conditions_twice_or_without_conditions_is_refused():
    world = awarded_world(conditions=CONDITIONS)
    services.confirm_conditions(world.grant, world.manager)
    with pytest.raises(PaymentsError):
        services.confirm_conditions(world.grant, world.manager)
    with pytest.raises(PermissionDenied):
        services.confirm_conditions(world.grant, world.lead)


# --- R-TR2 --------------------------------------------------------------------------------------


def test_r_tr2_refused_before_halfway_and_at_41_percent_with_the_figures_then_sent(client):
    world = awarded_world()
    grant, lead = world.grant, world.lead
    assert grant.approved_total_cost == Decimal("1000000.00")
    paid(grant, 1)
    deliver_interim(world)
    cost_line(world, "410000.00")
    cost_line(world, "200000.00", status="rejected")  # rejected lines do not count (R-TR2)
    halfway = conditions.tranche_dates(grant, 2)[0]

    client.force_login(lead)
    early = post(client, grant, "request", tranche="2")
    assert early.status_code == 400
    body = text(early)
    assert halfway.strftime("%d/%m/%Y") in body
    assert "€ 410.000,00" in body and "41%" in body and "€ 1.000.000,00" in body and "50%" in body

    with time_machine.travel(at(halfway + timedelta(days=1)), tick=False):
        client.force_login(lead)
        second = Tranche.objects.get(grant=grant, number=2)
        missing = dutch_missing(second, timezone.localdate())
        assert len(missing) == 1 and "€ 410.000,00" in missing[0] and "41%" in missing[0]
        low = post(client, grant, "request", tranche="2")
        assert low.status_code == 400 and missing[0] in text(low)
        assert halfway.strftime("%d/%m/%Y") not in missing[0]

        cost_line(world, "90000.00")  # 500.000 = 50%
        sent = post(client, grant, "request", tranche="2")
        assert sent.status_code == 302
    request = TrancheRequest.objects.get()
    assert request.tranche.number == 2 and not request.late
    assert any("500.000,00" in c["message"] for c in request.checks)


# --- R-TR3 --------------------------------------------------------------------------------------


@pytest.mark.parametrize("late", [False, True])
def test_r_tr3_a_request_after_the_deadline_is_sent_and_flagged_late(
    client, late, django_capture_on_commit_callbacks
):
    world = awarded_world()
    grant, lead = world.grant, world.lead
    finance = UserFactory(roles=[StaffRole.FINANCE_OFFICER], email="fin@vlaio.test")
    paid(grant, 1, 2)
    _start, deadline = conditions.tranche_dates(grant, 3)
    day = deadline + timedelta(days=10) if late else grant.end_date + timedelta(days=5)

    with time_machine.travel(at(day), tick=False):
        client.force_login(lead)
        early = post(client, grant, "request", tranche="3")
        assert early.status_code == 400  # no final report, no end results
        deliver_final(world)
        with django_capture_on_commit_callbacks(execute=True):
            sent = post(client, grant, "request", tranche="3")
        assert sent.status_code == 302
        page = text(client.get(project_url(grant)))

    request = TrancheRequest.objects.get()
    assert request.late is late
    assert any(c["warning"] for c in request.checks) is late
    assert ("Schijf 3 aangevraagd na de deadline." in page) is late
    message = mail.outbox[-1]
    assert message.to == [finance.email]
    assert (deadline.strftime("%d/%m/%Y") in message.body) is late


def test_r_tr3_the_final_report_needs_the_end_results_and_every_kpi():
    world = awarded_world()
    kpi = world.application.kpis.get()
    with pytest.raises(PaymentsError) as missing_playbook:
        services.submit_report(
            world.grant,
            "final",
            "Afgerond.",
            {kpi.pk: Decimal("6")},
            upload(),
            upload(),
            upload(),
            None,
            world.lead,
        )
    assert missing_playbook.value.field == "playbook"
    with pytest.raises(PaymentsError) as missing_kpi:
        services.submit_report(
            world.grant,
            "final",
            "Afgerond.",
            {},
            upload(),
            upload(),
            upload(),
            upload(),
            world.lead,
        )
    assert missing_kpi.value.problems == [kpi.name]
    assert not world.grant.reports.exists()


# --- The facts behind the checks ----------------------------------------------------------------


def test_r_tr_tranche_checks_read_the_latest_agreement_and_reports_and_unrejected_costs(
    django_capture_on_commit_callbacks,
):
    world = awarded_world()
    grant, lead, manager = world.grant, world.lead, world.manager
    facts = conditions.grant_facts(grant)
    assert facts.agreement == "" and facts.reported_costs == Decimal("0.00")

    first = services.upload_agreement(grant, upload(), lead)
    services.check_agreement(first, True, "", manager)
    assert conditions.grant_facts(grant).agreement == CheckStatus.ACCEPTED
    second = services.upload_agreement(grant, upload("v2.pdf"), lead)
    assert conditions.grant_facts(grant).agreement == CheckStatus.SUBMITTED  # superseded
    with pytest.raises(PaymentsError):
        services.check_agreement(first, False, "Te laat.", manager)  # already checked
    with pytest.raises(PaymentsError) as no_note:
        services.check_agreement(second, False, "  ", manager)
    assert no_note.value.field == "note"
    with django_capture_on_commit_callbacks(execute=True):
        services.check_agreement(second, False, "Handtekening van Kortrijk ontbreekt.", manager)
    assert conditions.grant_facts(grant).agreement == CheckStatus.REFUSED

    report = deliver_interim(world)
    assert conditions.grant_facts(grant).interim_report == CheckStatus.SUBMITTED
    services.check_report(report, False, "Onvolledig.", manager)
    assert conditions.grant_facts(grant).interim_report == ""

    cost_line(world, "100.00")
    cost_line(world, "50.00", status="accepted")
    cost_line(world, "999.00", status="rejected")
    assert conditions.reported_costs(grant) == Decimal("150.00")

    # The lead is e-mailed the refusal with the note and the project page.
    refusal = mail.outbox[-1]
    assert "Handtekening van Kortrijk ontbreekt." in refusal.body
    assert project_url(grant) in refusal.body and lead.email in refusal.to


def test_r_tr_only_the_lead_requests_and_only_on_an_active_grant():
    world = awarded_world()
    partner = member_of(municipality(PARTNER_NIS))
    tranche = world.grant.tranches.get(number=1)
    with pytest.raises(PermissionDenied):
        services.request_tranche(tranche, partner)
    with pytest.raises(PaymentsError) as refused:
        services.request_tranche(tranche, world.lead)
    assert refused.value.problems == dutch_missing(tranche, timezone.localdate())
    assert len(refused.value.problems) == 2  # no start, no agreement (no conditions set)
    with pytest.raises(PermissionDenied):
        services.set_actual_start(world.grant, timezone.localdate(), partner)
    # A stopped grant takes no more requests or deliverables (R-STOP).
    from payments.models import Grant

    Grant.objects.filter(pk=world.grant.pk).update(status="stopped")
    tranche.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.request_tranche(tranche, world.lead)
    with pytest.raises(PermissionDenied):
        services.upload_agreement(world.grant, upload(), world.lead)
