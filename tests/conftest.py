import os

import pytest
from django.conf import settings
from hypothesis import settings as hypothesis_settings

# Timing is not what the properties assert: on a loaded 2-core CI runner an example may take
# longer than hypothesis' default 200 ms deadline, which would fail a correct rule at random.
hypothesis_settings.register_profile("portal", deadline=None)
# `make test` (and so CI) draws the same examples every run: a red build then means a change
# broke something, never a new random draw. `make hunt` draws new ones, many more of them, to
# find what the fixed draw does not reach (README, "Hunting for bad input").
hypothesis_settings.register_profile(
    "ci", parent=hypothesis_settings.get_profile("portal"), derandomize=True
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "portal"))


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded and generated files of a test go to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def mailoutbox_backend(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def dutch_without_2fa(settings):
    """Pages in Dutch, no second factor asked, e-mail kept in memory. A module opts in with
    `pytestmark = [..., pytest.mark.usefixtures("dutch_without_2fa")]`."""
    settings.COT_REQUIRE_2FA = False
    settings.LANGUAGE_CODE = "nl"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def pytest_report_header(config):
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"database: {engine}"


@pytest.fixture(autouse=True)
def _plain_http_and_static(settings):
    """Tests run with production settings (DEBUG off) but over plain HTTP, without a manifest."""
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def pytest_configure(config):
    """In-process tests run Celery tasks eagerly (the real worker is tested in subprocesses:
    tests/integration/test_embedded_default.py), and a failing task fails its test."""
    from cot_portal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
