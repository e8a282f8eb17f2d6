"""Call managers configure a call in the back office, with validation (SPEC.md §2)."""

import pytest
from django.db import IntegrityError
from django.urls import reverse

from applications.models import Call
from cot_portal.accounts.models import StaffRole
from tests.factories import UserFactory, call_2025, member_of, municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client, settings):
    settings.COT_REQUIRE_2FA = False
    manager = UserFactory(roles=[StaffRole.CALL_MANAGER])
    client.force_login(manager)
    client.manager = manager
    return client


def form_data(call):
    data = {}
    for field in call._meta.concrete_fields:
        if field.name in {"id"}:
            continue
        value = getattr(call, field.attname)
        if value is None:
            value = ""
        elif hasattr(value, "strftime") and hasattr(value, "hour"):
            local = value.astimezone(call.idea_deadline.tzinfo)
            data[f"{field.name}_0"] = local.strftime("%d/%m/%Y")
            data[f"{field.name}_1"] = local.strftime("%H:%M:%S")
            continue
        elif hasattr(value, "strftime"):
            value = value.strftime("%d/%m/%Y")
        data[field.name] = (
            str(value).replace(".", ",") if "Decimal" in type(value).__name__ else value
        )
    return data


def test_a_call_manager_changes_a_rule_value_and_history_records_who(manager_client):
    call = call_2025()
    url = reverse("admin:applications_call_change", args=[call.pk])
    data = form_data(call) | {"envelope": "6000000,00"}
    response = manager_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    call.refresh_from_db()
    assert str(call.envelope) == "6000000.00"
    latest = call.history.latest()
    assert latest.history_user == manager_client.manager
    assert str(latest.prev_record.envelope) == "5000000.00"


def test_an_inconsistent_call_is_refused_with_a_dutch_message_and_nothing_changes(manager_client):
    call = call_2025()
    url = reverse("admin:applications_call_change", args=[call.pk])
    data = form_data(call) | {
        "application_deadline_0": "01/09/2025",
        "application_deadline_1": "12:00:00",
        "envelope": "7000000,00",
    }
    response = manager_client.post(url, data)
    assert response.status_code == 200
    assert "moet na de deadline voor projectideeën liggen" in response.content.decode()
    call.refresh_from_db()
    assert str(call.envelope) == "5000000.00"


def test_the_database_itself_refuses_deadlines_in_the_wrong_order():
    call = call_2025()
    call.application_deadline = call.idea_deadline
    with pytest.raises(IntegrityError):
        call.save()


def test_applicants_and_jurors_cannot_reach_the_back_office(client, settings):
    settings.COT_REQUIRE_2FA = False
    call = call_2025()
    url = reverse("admin:applications_call_change", args=[call.pk])
    for user in (member_of(municipality("44021")), UserFactory(roles=[StaffRole.JURY_MEMBER])):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code in (302, 403, 404)
        assert Call.objects.get(pk=call.pk).envelope == call.envelope
