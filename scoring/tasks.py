"""Celery tasks of the jury: thin, idempotent wrappers around services (ARCHITECTURE.md §2)."""

from celery import shared_task

from . import services
from .models import ShortlistPublication


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def issue_shortlist_letters(self, call_id: int) -> int:
    """Render the shortlist letter of every idea of a published call that has none yet (R-LETTER).

    Queued after the publication commits; running it twice issues no second letter, so a retry
    after a failure (a rendering or storage error) continues where it stopped.
    """
    try:
        return services.issue_shortlist_letters(call_id)
    except Exception as exc:
        raise self.retry(exc=exc) from exc


@shared_task
def issue_missing_shortlist_letters() -> int:
    """Catch-up for every published call (a worker that was down at publication time)."""
    call_ids = ShortlistPublication.objects.values_list("call_id", flat=True)
    return sum(services.issue_shortlist_letters(pk) for pk in list(call_ids))
