"""Changes during execution (issue 8; R-CHANGE): the lead asks, the call manager approves or
refuses with a motivation, and an approved change updates the grant's baseline with its history."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from applications.models import ApplicationPartner
from applications.rules import latest_end
from cot_portal.accounts.models import StaffRole
from payments import rules_costs, services_changes, services_costs
from payments.models import ChangeKind, ChangeRequest, ChangeStatus, Grant
from tests.factories import UserFactory, member_of, municipality
from tests.factories_scoring import call_manager
from tests.integration.test_cost_statements import granted, line

pytestmark = pytest.mark.django_db

LEAD_ELSEWHERE = "11002"  # a municipality that is not part of the project


@pytest.fixture
def world(settings):
    settings.COT_REQUIRE_2FA = False
    return granted()


def changes_url(grant):
    return reverse("payments:changes", args=[grant.reference])


def later_end(world, new_end, description="Vertraging bij de levering van de sensoren."):
    return {
        "action": "request",
        "change-kind": ChangeKind.LATER_END,
        "change-description": description,
        "change-end_date": new_end.strftime("%d/%m/%Y"),
    }


def test_a_later_end_beyond_the_maximum_duration_is_refused(client, world):
    """R-CHANGE, R-DUR: the new end is later than the current one and within 36 months."""
    grant = world.grant
    client.force_login(world.lead)
    maximum = latest_end(grant.start_date, grant.call.max_duration_months)
    assert grant.end_date == maximum  # the factory plans the full 36 months
    too_late = maximum + timedelta(days=1)
    response = client.post(changes_url(grant), later_end(world, too_late))
    assert response.status_code == 400
    form = response.context["request_form"]
    with translation.override("nl"):
        expected = rules_costs.later_end_error(
            too_late, grant.end_date, grant.start_date, grant.call.max_duration_months
        )
    assert form.errors["end_date"] == [expected]
    html = response.content.decode()
    assert "Vertraging bij de levering van de sensoren." in html
    assert f'value="{too_late.strftime("%d/%m/%Y")}"' in html
    # Not later than the current end: refused too.
    response = client.post(changes_url(grant), later_end(world, grant.end_date))
    assert response.status_code == 400 and response.context["request_form"].errors["end_date"]
    assert not ChangeRequest.objects.exists()


def test_an_approved_later_end_updates_the_grant_and_keeps_both_versions(
    client, world, settings, django_capture_on_commit_callbacks
):
    """R-CHANGE: the approval moves the end date; the grant's history has the old and the new
    version, and the page shows the change before → after."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    grant = world.grant
    old_end = grant.end_date - timedelta(days=90)
    grant.end_date = old_end  # a shorter plan than the maximum, recorded like any version
    grant.save()
    new_end = old_end + timedelta(days=60)
    client.force_login(world.lead)
    response = client.post(changes_url(grant), later_end(world, new_end))
    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    assert change.proposed == {"end_date": new_end.isoformat()}
    assert change.status == ChangeStatus.REQUESTED
    # The lead cannot decide; the manager can.
    decide = {
        "action": "decide",
        "change": change.pk,
        f"decide-{change.pk}-decision": "approve",
        f"decide-{change.pk}-motivation": "Aanvaardbare vertraging.",
    }
    assert client.post(changes_url(grant), decide).status_code == 404
    client.force_login(world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(changes_url(grant), decide)
    assert response.status_code == 302
    grant.refresh_from_db()
    change.refresh_from_db()
    assert grant.end_date == new_end
    assert change.status == ChangeStatus.APPROVED and change.decided_by == world.manager
    versions = list(grant.history.order_by("history_date", "history_id"))
    assert [v.end_date for v in versions[-2:]] == [old_end, new_end]
    assert versions[-1].history_change_reason == f"R-CHANGE {change.pk}: later end date"
    assert versions[-1].history_user == world.manager
    html = client.get(changes_url(grant)).content.decode()
    assert old_end.strftime("%d/%m/%Y") in html and new_end.strftime("%d/%m/%Y") in html
    assert "Aanvaardbare vertraging." in html
    assert len(mail.outbox) == 1 and grant.reference in mail.outbox[0].subject
    # R-ELIG follows the new baseline: a cost on the new last day is eligible now.
    assert line(world, day=new_end).date == new_end


def test_a_refusal_needs_a_motivation(client, world):
    grant = world.grant
    change = services_changes.request_change(
        grant,
        kind=ChangeKind.BUDGET_SHIFT,
        description="Personeel naar externe diensten.",
        approved_total_cost=Decimal("900000.00"),
        user=world.lead,
    )
    client.force_login(world.manager)
    refuse = {"action": "decide", "change": change.pk, f"decide-{change.pk}-decision": "refuse"}
    response = client.post(changes_url(grant), {**refuse, f"decide-{change.pk}-motivation": " "})
    assert response.status_code == 400
    assert response.context["changes"][0].decision_form.errors["motivation"]
    change.refresh_from_db()
    assert change.status == ChangeStatus.REQUESTED
    with pytest.raises(services_changes.Refused):
        services_changes.decide_change(change, approve=False, motivation="", user=world.manager)
    response = client.post(
        changes_url(grant), {**refuse, f"decide-{change.pk}-motivation": "Niet onderbouwd."}
    )
    assert response.status_code == 302
    change.refresh_from_db()
    grant.refresh_from_db()
    assert change.status == ChangeStatus.REFUSED and change.motivation == "Niet onderbouwd."
    assert grant.approved_total_cost == Decimal("1000000.00")  # unchanged
    # Decided once.
    with pytest.raises(services_changes.Refused):
        services_changes.decide_change(
            change, approve=True, motivation="Toch wel.", user=world.manager
        )


def test_an_approved_budget_shift_updates_the_approved_total_cost(world):
    change = services_changes.request_change(
        world.grant,
        kind=ChangeKind.BUDGET_SHIFT,
        description="Minder investeringen.",
        approved_total_cost=Decimal("950000.00"),
        user=world.lead,
    )
    services_changes.decide_change(change, approve=True, motivation="Akkoord.", user=world.manager)
    grant = Grant.objects.get()
    assert grant.approved_total_cost == Decimal("950000.00")
    before, after = grant.history.order_by("-history_date", "-history_id")[:2][::-1]
    assert (before.approved_total_cost, after.approved_total_cost) == (
        Decimal("1000000.00"),
        Decimal("950000.00"),
    )


def test_partners_join_and_leave_without_losing_cost_lines(client, world):
    """R-CHANGE: a joining partner gets a partner row; a leaving partner keeps its row (its
    cost lines refer to it), is marked as left, and reports no costs dated after leaving."""
    grant = world.grant
    earlier = line(world, partner=world.partner)
    joining = municipality(LEAD_ELSEWHERE)
    client.force_login(world.lead)
    response = client.post(
        changes_url(grant),
        {
            "action": "request",
            "change-kind": ChangeKind.PARTNER_JOINS,
            "change-description": "Een buurgemeente sluit aan.",
            "change-organisation": joining.pk,
            "change-role": "volger",
        },
    )
    assert response.status_code == 302
    # The lead cannot leave.
    response = client.post(
        changes_url(grant),
        {
            "action": "request",
            "change-kind": ChangeKind.PARTNER_LEAVES,
            "change-description": "Wij stoppen.",
            "change-partner": world.coordinator.pk,
        },
    )
    assert response.status_code == 400
    leave = services_changes.request_change(
        grant,
        kind=ChangeKind.PARTNER_LEAVES,
        description="Kortrijk stapt uit.",
        partner=world.partner,
        user=world.lead,
    )
    join = ChangeRequest.objects.get(kind=ChangeKind.PARTNER_JOINS)
    for change in (join, leave):
        services_changes.decide_change(
            change, approve=True, motivation="Akkoord.", user=world.manager
        )
    added = ApplicationPartner.objects.get(application=grant.application, organisation=joining)
    assert added.role == "volger"
    assert ApplicationPartner.objects.filter(pk=world.partner.pk).exists()
    earlier.refresh_from_db()
    assert earlier.partner_id == world.partner.pk
    grant.refresh_from_db()
    reasons = list(grant.history.values_list("history_change_reason", flat=True))
    assert f"R-CHANGE {leave.pk}: {world.partner.organisation.name} leaves" in reasons
    # Costs of the partner that left, dated after it left, are refused.
    with pytest.raises(services_costs.Refused) as refused:
        line(world, partner=world.partner, day=grant.end_date)
    assert refused.value.field == "date"
    # It can no longer leave twice; the new partner reports costs.
    with pytest.raises(services_changes.Refused):
        services_changes.request_change(
            grant,
            kind=ChangeKind.PARTNER_LEAVES,
            description="Nog eens.",
            partner=world.partner,
            user=world.lead,
        )
    assert line(world, partner=added).partner == added
    html = client.get(changes_url(grant)).content.decode()
    assert joining.name in html


def test_who_may_request_and_decide(client, world):
    """Partners read the changes; only the lead asks and only an unconflicted manager decides;
    another municipality gets a 404."""
    grant = world.grant
    new_end = grant.end_date - timedelta(days=1)  # content does not matter: refused before
    client.force_login(member_of(world.partner.organisation))
    assert client.get(changes_url(grant)).status_code == 200
    assert client.post(changes_url(grant), later_end(world, new_end)).status_code == 404
    client.force_login(member_of(municipality(LEAD_ELSEWHERE)))
    assert client.get(changes_url(grant)).status_code == 404
    change = services_changes.request_change(
        grant, kind=ChangeKind.BUDGET_SHIFT, description="Verschuiving.", user=world.lead
    )
    decide = {
        "action": "decide",
        "change": change.pk,
        f"decide-{change.pk}-decision": "approve",
        f"decide-{change.pk}-motivation": "Ok.",
    }
    client.force_login(UserFactory(roles=[StaffRole.FINANCE_OFFICER]))
    assert client.post(changes_url(grant), decide).status_code == 404
    conflicted = member_of(grant.organisation, roles=[StaffRole.CALL_MANAGER])
    client.force_login(conflicted)
    assert client.post(changes_url(grant), decide).status_code == 404
    client.force_login(call_manager())
    assert client.post(changes_url(grant), decide).status_code == 302
    assert ChangeRequest.objects.get().status == ChangeStatus.APPROVED
