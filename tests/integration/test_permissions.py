"""Object permissions per role, and the one permission-checked file download (ARCHITECTURE.md §3)."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from cot_portal.accounts.models import StaffRole
from cot_portal.core.files import download_url
from cot_portal.letters.models import Letter
from tests.factories import UserFactory, member_of, municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def settings_without_2fa(settings):
    settings.COT_REQUIRE_2FA = False
    return settings


@pytest.fixture
def gent_letter():
    letter = Letter(kind="test", subject="Brief aan Gent", organisation=municipality("44021"))
    letter.pdf.save("brief-gent.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    letter.sha256 = "0" * 64
    letter.save()
    return letter


def test_role_predicates(gent_letter):
    gent_user = member_of(municipality("44021"))
    leuven_user = member_of(municipality("24062"))
    manager = UserFactory(roles=[StaffRole.CALL_MANAGER])
    juror = UserFactory(roles=[StaffRole.JURY_MEMBER])
    finance = UserFactory(roles=[StaffRole.FINANCE_OFFICER])

    assert gent_user.has_perm("letters.view_letter", gent_letter)
    assert not leuven_user.has_perm("letters.view_letter", gent_letter)
    assert manager.has_perm("letters.view_letter", gent_letter)
    assert finance.has_perm("letters.view_letter", gent_letter)
    assert not juror.has_perm("letters.view_letter", gent_letter)

    assert manager.has_perm("applications.change_call")
    assert not juror.has_perm("applications.change_call")
    assert not gent_user.has_perm("applications.change_call")

    gent = municipality("44021")
    assert gent_user.has_perm("accounts.view_organisation", gent)
    assert not leuven_user.has_perm("accounts.view_organisation", gent)


@pytest.mark.parametrize(
    ("who", "status"),
    [("gent", 200), ("leuven", 404), ("juror", 404), ("manager", 200), ("anonymous", 404)],
)
def test_a_letter_downloads_only_for_those_allowed_and_is_404_for_the_rest(
    client, settings_without_2fa, gent_letter, who, status
):
    users = {
        "gent": lambda: member_of(municipality("44021")),
        "leuven": lambda: member_of(municipality("24062")),
        "juror": lambda: UserFactory(roles=[StaffRole.JURY_MEMBER]),
        "manager": lambda: UserFactory(roles=[StaffRole.CALL_MANAGER]),
        "anonymous": lambda: None,
    }
    user = users[who]()
    if user:
        client.force_login(user)
    response = client.get(download_url(gent_letter, "pdf"))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == b"%PDF-1.7 test"
        assert response["Cache-Control"] == "private, no-store"


def test_download_of_a_field_that_is_not_declared_downloadable_is_404(
    client, settings_without_2fa, gent_letter
):
    client.force_login(UserFactory(roles=[StaffRole.CALL_MANAGER]))
    url = reverse(
        "core:download",
        kwargs={"app_label": "letters", "model": "letter", "pk": gent_letter.pk, "field": "body"},
    )
    assert client.get(url).status_code == 404
    url = reverse(
        "core:download",
        kwargs={"app_label": "accounts", "model": "user", "pk": 1, "field": "password"},
    )
    assert client.get(url).status_code == 404


def test_media_files_have_no_public_url(client, gent_letter):
    assert client.get("/media/" + gent_letter.pdf.name).status_code == 404
