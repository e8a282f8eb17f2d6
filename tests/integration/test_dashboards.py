"""Each role's dashboard says what is there and what comes next."""

import pytest
from django.urls import reverse

from cot_portal.accounts.models import StaffRole
from cot_portal.core.tasks import record_heartbeat
from tests.factories import UserFactory, call_2025, member_of, municipality, open_call

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_2fa(settings):
    settings.COT_REQUIRE_2FA = False


def dashboard(client, user):
    client.force_login(user)
    return client.get(reverse("core:dashboard")).content.decode()


def test_the_applicant_sees_the_organisation_the_deadlines_in_brussels_time_and_no_staff_panels(
    client,
):
    call_2025()
    page = dashboard(client, member_of(municipality("44021")))
    assert "Gent" in page
    assert "08/09/2025 12:00" in page
    assert "14/11/2025 23:59" in page
    assert "€ 5.000.000,00" in page.replace("\xa0", " ")
    assert 'id="manager-heading"' not in page
    assert 'id="finance-heading"' not in page


def test_the_call_manager_sees_the_calls_with_edit_links_and_the_scheduler_status(client):
    call = call_2025()
    open_call()
    manager = UserFactory(roles=[StaffRole.CALL_MANAGER])
    page = dashboard(client, manager)
    assert reverse("admin:applications_call_change", args=[call.pk]) in page
    assert "Oproep City of Things 2030" in page
    assert 'id="manager-heading"' in page

    record_heartbeat("beat")
    assert "beat" in dashboard(client, manager)


def test_jury_and_finance_see_empty_states_that_say_what_comes_next(client):
    juror_page = dashboard(client, UserFactory(roles=[StaffRole.JURY_MEMBER]))
    assert 'id="jury-heading"' in juror_page and "empty-state" in juror_page
    finance_page = dashboard(client, UserFactory(roles=[StaffRole.FINANCE_OFFICER]))
    assert 'id="finance-heading"' in finance_page and "empty-state" in finance_page


def test_a_person_without_organisation_is_told_how_to_get_linked(client):
    page = dashboard(client, UserFactory())
    assert "empty-state" in page


def test_the_dashboard_needs_a_login(client):
    response = client.get(reverse("core:dashboard"))
    assert response["Location"].startswith(reverse("accounts:login"))


def test_dashboard_query_count_does_not_grow_with_letters(client, django_assert_max_num_queries):
    from django.core.files.base import ContentFile

    from cot_portal.letters.models import Letter

    gent = municipality("44021")
    user = member_of(gent)
    client.force_login(user)

    def add_letters(n):
        for i in range(n):
            letter = Letter(kind="test", subject=f"Brief {i}", organisation=gent, sha256="0" * 64)
            letter.pdf.save(f"b{i}.pdf", ContentFile(b"%PDF"), save=False)
            letter.save()

    add_letters(2)
    with django_assert_max_num_queries(25) as few:
        client.get(reverse("core:dashboard"))
    add_letters(18)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("core:dashboard")).content.decode()
    assert "Brief 17" in page
