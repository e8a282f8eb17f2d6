import pytest


@pytest.fixture(autouse=True)
def _local_governments(django_db_blocker, settings):
    """Transactional tests empty the database; put the Statbel municipalities back first."""
    from cot_portal.accounts.services import sync_local_governments

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_db_blocker.unblock():
        sync_local_governments()
