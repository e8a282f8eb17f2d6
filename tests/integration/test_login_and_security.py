"""Login in Dutch, the second factor for call managers and finance officers, lockout, sessions."""

import base64
import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cot_portal.accounts.models import StaffRole
from tests.factories import PASSWORD, UserFactory, member_of, municipality

pytestmark = pytest.mark.django_db
LOGIN = "/account/aanmelden/"


def login(client, user, password=PASSWORD, follow=True):
    return client.post(LOGIN, {"username": user.email, "password": password}, follow=follow)


def test_the_login_page_is_in_dutch_by_default(client):
    page = client.get(LOGIN).content.decode()
    assert '<html lang="nl">' in page
    assert "Aanmelden" in page
    assert "E-mailadres" in page


def test_a_wrong_password_says_so_in_dutch_and_keeps_the_email(client):
    user = member_of(municipality("44021"))
    page = login(client, user, password="fout").content.decode()
    assert "komen niet overeen" in page
    assert user.email in page


def test_an_overlong_e_mail_address_is_a_dutch_form_error_and_no_failed_attempt(client):
    """An address longer than any account's (254) is refused by the form, before a failed
    login reaches django-axes, whose record holds 255 characters (it was a server error)."""
    from axes.models import AccessAttempt

    address = "x" * 300 + "@gemeente.be"
    response = client.post(LOGIN, {"username": address, "password": "fout"})
    assert response.status_code == 200
    assert "niet meer dan 254 tekens" in response.content.decode()
    assert not AccessAttempt.objects.exists()


def test_an_applicant_lands_on_the_dashboard_without_a_second_factor(client):
    user = member_of(municipality("44021"))
    response = login(client, user)
    assert response.redirect_chain[-1][0] == reverse("core:dashboard")
    assert "Gent" in response.content.decode()


@pytest.mark.parametrize("role", [StaffRole.CALL_MANAGER, StaffRole.FINANCE_OFFICER])
def test_call_managers_and_finance_officers_must_confirm_a_second_factor(client, role):
    user = UserFactory(roles=[role])
    response = login(client, user)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:second_factor"))
    # Every page, including the back office, sends them back until they confirm.
    for url in (reverse("core:dashboard"), "/beheer/"):
        assert client.get(url)["Location"].startswith(reverse("accounts:second_factor"))

    page = client.get(reverse("accounts:second_factor")).content.decode()
    key = re.search(r"<code>([A-Z2-7]+)</code>", page).group(1)
    assert client.post(reverse("accounts:second_factor"), {"token": "000000"}).status_code == 200
    # After a wrong code django-otp throttles the next try for a moment, as for a person.
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        token = f"{totp(base64.b32decode(key)):06d}"
        response = client.post(reverse("accounts:second_factor"), {"token": token})
    assert response["Location"] == reverse("core:dashboard")
    assert client.get(reverse("core:dashboard")).status_code == 200
    assert TOTPDevice.objects.get(user=user).confirmed


def test_a_wrong_code_is_explained_in_dutch(client):
    user = UserFactory(roles=[StaffRole.CALL_MANAGER])
    login(client, user)
    client.get(reverse("accounts:second_factor"))
    page = client.post(reverse("accounts:second_factor"), {"token": "12345a"}).content.decode()
    assert "niet juist" in page


def test_the_second_factor_cannot_be_switched_off_for_production(settings):
    from cot_portal import settings as portal_settings

    assert portal_settings.DEBUG is False
    assert settings.COT_REQUIRE_2FA is True


def test_repeated_failed_logins_lock_the_account(client, settings):
    user = member_of(municipality("44021"))
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, user, password="fout", follow=False)
    response = login(client, user)  # even the right password is refused now
    assert response.status_code == 429
    assert "tijdelijk geblokkeerd" in response.content.decode()


def test_staff_sessions_expire_sooner_than_applicants(client, settings):
    settings.COT_REQUIRE_2FA = False
    staff = UserFactory(roles=[StaffRole.JURY_MEMBER])
    login(client, staff)
    assert client.session.get_expiry_age() == settings.COT_STAFF_SESSION_AGE
    client.logout()
    applicant = member_of(municipality("44021"))
    login(client, applicant)
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_english_can_be_chosen(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": LOGIN}, follow=True)
    assert '<html lang="en">' in response.content.decode()
    assert "Log in" in response.content.decode()


def test_password_reset_mail_is_in_dutch_and_does_not_reveal_accounts(client, mailoutbox):
    user = member_of(municipality("44021"))
    for email in (user.email, "onbekend@example.be"):
        response = client.post(reverse("accounts:password_reset"), {"email": email}, follow=True)
        assert "Kijk in uw mailbox" in response.content.decode()
    assert len(mailoutbox) == 1
    assert "nieuw wachtwoord" in mailoutbox[0].subject.lower()


def test_logout_is_a_post_and_ends_the_session(client):
    user = member_of(municipality("44021"))
    login(client, user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("core:dashboard"))["Location"].startswith(LOGIN)
