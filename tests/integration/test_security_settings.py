"""The security settings, checked on real responses (issue 11, hardening).

What other files already prove is not repeated here:

- `check --deploy` without a warning, with production settings:
  test_deploy_check.py::test_check_deploy_reports_nothing;
- the production values (secure cookies, HSTS one year with subdomains, SSL redirect, the CSP's
  script-src without 'unsafe-inline', the second factor that cannot be switched off, the admin
  site behind django-otp): test_deploy_check.py::test_production_settings_keep_their_safeguards
  and test_login_and_security.py::test_the_second_factor_cannot_be_switched_off_for_production;
- login lockout (django-axes): test_login_and_security.py::test_repeated_failed_logins_lock_the_account;
- the second factor for call managers and finance officers:
  test_login_and_security.py::test_call_managers_and_finance_officers_must_confirm_a_second_factor;
- the staff session's shorter age: test_login_and_security.py::test_staff_sessions_expire_sooner_than_applicants;
- the admin only for staff with a confirmed second factor: test_url_matrix.py::
  test_every_admin_url_sends_everybody_without_a_second_factor_to_the_admin_login and
  test_the_admin_opens_for_staff_with_a_second_factor_only.

Added here: the headers and cookies on real responses (CSP, HSTS, Secure/HttpOnly/SameSite),
no inline script a CSP without 'unsafe-inline' would block, CSRF on a sample of POST views
(htmx included), a staff session that really ends, and Django's password validators on the
real password-setting form, in Dutch.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cot_portal.accounts.models import StaffRole
from tests.factories import PASSWORD, IdeaFactory, UserFactory, member_of, municipality, open_call
from tests.factories_world import finance_officer

pytestmark = pytest.mark.django_db

GENT = "44021"


@pytest.fixture
def people(settings):
    settings.COT_REQUIRE_2FA = False  # the pages themselves; the second factor is tested elsewhere
    gent = member_of(municipality(GENT))
    call = open_call()
    idea = IdeaFactory(call=call, organisation=gent.memberships.get().organisation, created_by=gent)
    return {
        "gent": gent,
        "manager": UserFactory(roles=[StaffRole.CALL_MANAGER]),
        "finance": finance_officer(),
        "call": call,
        "idea": idea,
    }


def _client(user=None, **kwargs) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


def _directives(header: str) -> dict:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


# --- Content Security Policy -------------------------------------------------------------------


def _pages(people):
    idea = people["idea"]
    return [
        (None, reverse("accounts:login")),
        (None, reverse("core:home")),
        (None, reverse("register:list")),
        (people["gent"], reverse("core:dashboard")),
        (people["gent"], reverse("applications:idea", args=[idea.reference])),  # htmx autosave
        (people["manager"], reverse("applications:session_create", args=[people["call"].year])),
        (people["finance"], reverse("payments:finance")),
    ]


def test_every_page_sends_a_csp_without_unsafe_inline_scripts(people):
    for user, url in _pages(people):
        response = _client(user).get(url)
        assert response.status_code == 200, url
        header = response.get("Content-Security-Policy")
        assert header, f"{url}: no Content-Security-Policy header"
        csp = _directives(header)
        assert csp["script-src"] == ["'self'"], (url, header)
        assert csp["default-src"] == ["'self'"], (url, header)
        assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
        for directive in ("script-src", "default-src", "style-src"):
            assert "'unsafe-inline'" not in csp[directive] and "'unsafe-eval'" not in csp[directive]


def test_no_page_relies_on_inline_script_that_the_csp_would_block(people):
    """An inline <script>, an on…= handler or a javascript: link would be silently dead under
    script-src 'self': the pages have none."""
    for user, url in _pages(people):
        html = _client(user).get(url).content.decode()
        inline = [tag for tag in re.findall(r"<script\b[^>]*>", html) if "src=" not in tag]
        assert not inline, (url, inline)
        handlers = re.findall(r"<[^>]+\son[a-z]+\s*=", html)
        assert not handlers, (url, handlers)
        assert "javascript:" not in html.lower(), url
        assert re.findall(r"<script\b[^>]*\bsrc=\"/static/", html), f"{url}: no script at all?"


# --- HTTPS: HSTS and cookies -----------------------------------------------------------------


def test_https_responses_carry_hsts_for_a_year_with_subdomains(client):
    response = client.get(reverse("accounts:login"), secure=True)
    hsts = response["Strict-Transport-Security"]
    age = int(re.search(r"max-age=(\d+)", hsts).group(1))
    assert age >= 60 * 60 * 24 * 365
    assert "includeSubDomains" in hsts and "preload" in hsts
    # Plain HTTP never gets it (a browser ignores it there, and it would pin a wrong host).
    assert "Strict-Transport-Security" not in client.get(reverse("accounts:login"))


def test_the_session_and_csrf_cookies_are_secure_httponly_and_samesite(client):
    user = member_of(municipality(GENT))
    page = client.get(reverse("accounts:login"), secure=True)
    csrf = page.cookies[django_settings.CSRF_COOKIE_NAME]
    response = client.post(
        reverse("accounts:login"),
        {"username": user.email, "password": PASSWORD},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies[django_settings.SESSION_COOKIE_NAME]
    for name, cookie in (("session", session), ("csrf", csrf)):
        assert cookie["secure"] is True, name
        assert cookie["httponly"] is True, name
        assert cookie["samesite"] == "Lax", name


# --- CSRF ----------------------------------------------------------------------------------------


def _token(client, url) -> str:
    """The token as the page gives it to htmx (base.html's hx-headers)."""
    html = client.get(url).content.decode()
    return re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', html).group(1)


def _posts(people):
    """A sample of POST views: (who, the page that gives the token, the POST, data, htmx)."""
    idea, year = people["idea"], people["call"].year
    idea_page = reverse("applications:idea", args=[idea.reference])
    return [
        (
            people["gent"],
            idea_page,
            reverse("applications:idea_autosave", args=[idea.reference]),
            {"title": "Slim parkeren, bijgewerkt", "version": idea.version},
            True,
        ),
        (people["gent"], idea_page, reverse("accounts:logout"), {}, False),
        (
            people["manager"],
            reverse("core:dashboard"),
            reverse("applications:session_create", args=[year]),
            {},
            False,
        ),
        (
            people["finance"],
            reverse("payments:finance"),
            reverse("payments:sepa_export"),
            {},
            False,
        ),
    ]


def test_every_sampled_post_is_refused_without_the_csrf_token(people):
    for user, _page, url, data, htmx in _posts(people):
        client = _client(user, enforce_csrf_checks=True)
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        response = client.post(url, data, **headers)
        assert response.status_code == 403, url
        assert "CSRF" in response.content.decode(), url


def test_every_sampled_post_is_accepted_with_the_token_header(people):
    """The same POSTs with the X-CSRFToken header that htmx sends (base.html)."""
    for user, page, url, data, htmx in _posts(people):
        client = _client(user, enforce_csrf_checks=True)
        token = _token(client, page)
        headers = {"HTTP_X_CSRFTOKEN": token}
        if htmx:
            headers["HTTP_HX_REQUEST"] = "true"
        response = client.post(url, data, **headers)
        assert response.status_code in (200, 302), (url, response.status_code)
    people["idea"].refresh_from_db()
    assert people["idea"].title == "Slim parkeren, bijgewerkt"  # the autosave went through


def test_a_token_from_another_session_is_refused(people):
    other = _client(people["gent"], enforce_csrf_checks=True)
    stolen = _token(other, reverse("core:dashboard"))
    client = _client(people["gent"], enforce_csrf_checks=True)
    idea = people["idea"]
    response = client.post(
        reverse("applications:idea_autosave", args=[idea.reference]),
        {"title": "Gekaapt", "version": idea.version},
        HTTP_X_CSRFTOKEN=stolen,
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403
    idea.refresh_from_db()
    assert idea.title != "Gekaapt"


# --- Sessions -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [StaffRole.CALL_MANAGER, StaffRole.FINANCE_OFFICER])
def test_a_staff_session_really_ends_after_its_age(settings, role):
    """Not only the age on the session (test_login_and_security.py): after it, the dashboard
    sends the person to the login, while an applicant logged in at the same time stays in."""
    settings.COT_REQUIRE_2FA = False
    staff = UserFactory(roles=[role])
    applicant = member_of(municipality(GENT))
    clients = {}
    for name, user in (("staff", staff), ("applicant", applicant)):
        client = Client()
        response = client.post(
            reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
        )
        assert response.status_code == 302
        clients[name] = client
    dashboard = reverse("core:dashboard")
    later = timezone.now() + timedelta(seconds=settings.COT_STAFF_SESSION_AGE - 60)
    with time_machine.travel(later):
        assert clients["staff"].get(dashboard).status_code == 200
    after = timezone.now() + timedelta(seconds=settings.COT_STAFF_SESSION_AGE + 60)
    with time_machine.travel(after):
        assert clients["staff"].get(dashboard)["Location"].startswith(reverse("accounts:login"))
        assert clients["applicant"].get(dashboard).status_code == 200


# --- Passwords --------------------------------------------------------------------------------------


def _set_password_url(client, user) -> str:
    """The link of the reset e-mail; Django swaps the token for a session value and redirects."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    response = client.get(reverse("accounts:password_reset_confirm", args=[uid, token]))
    assert response.status_code == 302
    return response["Location"]


@pytest.mark.parametrize(
    ("weak", "message"),
    [
        ("kort-1", "Dit wachtwoord is te kort. Het moet minstens 12 tekens bevatten."),
        ("729184650273", "Dit wachtwoord bevat alleen cijfers."),
        ("password1234", "Dit wachtwoord is te algemeen."),
    ],
)
def test_a_weak_password_is_refused_in_dutch_on_the_real_form(client, weak, message):
    user = member_of(municipality(GENT))
    url = _set_password_url(client, user)
    response = client.post(url, {"new_password1": weak, "new_password2": weak})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page, re.findall(r"<li>([^<]+)</li>", page)
    user.refresh_from_db()
    assert user.check_password(PASSWORD) and not user.check_password(weak)


def test_a_password_like_the_email_is_refused_and_a_strong_one_accepted(client):
    user = member_of(municipality(GENT), email="gerda.vandamme@gent.be")
    url = _set_password_url(client, user)
    similar = "gerda.vandamme"
    page = client.post(url, {"new_password1": similar, "new_password2": similar}).content.decode()
    assert "Het wachtwoord lijkt te veel op" in page
    strong = "Zeven-paarse-olifanten-dansen"
    response = client.post(url, {"new_password1": strong, "new_password2": strong})
    assert response["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(strong)
