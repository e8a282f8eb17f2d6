"""Production settings pass Django's deployment checklist and keep their safeguards.

The settings module is read once per process, so each check runs in a subprocess with the
variables a production deployment sets (and COT_REQUIRE_2FA=0, which production must ignore).
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cot_portal"

READ_SETTINGS = """
import json
import django
from django.conf import settings
django.setup()
import cot_portal.urls  # swaps in the second-factor admin site
from django.contrib import admin
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "COT_REQUIRE_2FA": settings.COT_REQUIRE_2FA,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "SECURE_PROXY_SSL_HEADER": settings.SECURE_PROXY_SSL_HEADER,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "DATABASE_ENGINE": settings.DATABASES["default"]["ENGINE"],
    "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
    "STATICFILES_STORAGE": settings.STORAGES["staticfiles"]["BACKEND"],
    "CSP": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"],
    "ADMIN_SITE": admin.site.__class__.__name__,  # the class behind the lazy object
}))
"""


@pytest.fixture(scope="module")
def production_env(tmp_path_factory) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "COT_ALLOW_INSECURE_KEY",
            "CELERY_RESULT_BACKEND",
            "SECURE_SSL_REDIRECT",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
        and not key.startswith("SECURE_HSTS")
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(45),  # 60 characters
        ALLOWED_HOSTS="cityofthings.vlaio.be",
        DATABASE_URL=os.environ.get("DATABASE_URL", TEST_DATABASE_URL),
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        COT_REQUIRE_2FA="0",
        COT_VAR_DIR=str(tmp_path_factory.mktemp("production-var")),
        DJANGO_SETTINGS_MODULE="cot_portal.settings",
    )
    assert len(env["SECRET_KEY"]) == 60
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_check_deploy_reports_nothing(production_env):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output and "?: (" not in output, output


def test_production_settings_keep_their_safeguards(production_env):
    result = run(["-c", READ_SETTINGS], production_env)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)

    assert values["DEBUG"] is False
    assert values["COT_REQUIRE_2FA"] is True  # COT_REQUIRE_2FA=0 is ignored without DEBUG
    assert values["ADMIN_SITE"] == "SecondFactorAdminSite"  # django-otp's, read per request
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 365
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["ALLOWED_HOSTS"] == ["cityofthings.vlaio.be"]
    assert values["DATABASE_ENGINE"] == "django.db.backends.postgresql"
    assert values["CELERY_BROKER_URL"] == values["CELERY_RESULT_BACKEND"]
    assert values["STATICFILES_STORAGE"].startswith("whitenoise.storage.")

    csp = values["CSP"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert csp["frame-ancestors"] == ["'none'"]


def test_production_refuses_to_start_without_a_secret_key(production_env):
    env = {key: value for key, value in production_env.items() if key != "SECRET_KEY"}
    result = run(["-c", "import django; django.setup()"], env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
