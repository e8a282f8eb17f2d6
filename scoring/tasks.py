"""Celery tasks of the jury: thin, idempotent wrappers around services (ARCHITECTURE.md §2)."""

from celery import shared_task

from . import services, services_decision_letters
from .models import GovernmentDecision, ShortlistPublication


def _or_retry(task, work, *args):
    """Run `work(*args)`; any failure (rendering, storage, database) asks Celery for a retry."""
    try:
        return work(*args)
    except Exception as exc:
        raise task.retry(exc=exc) from exc


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def issue_shortlist_letters(self, call_id: int) -> int:
    """Render the shortlist letter of every idea of a published call that has none yet (R-LETTER).

    Queued after the publication commits; running it twice issues no second letter, so a retry
    after a failure (a rendering or storage error) continues where it stopped.
    """
    return _or_retry(self, services.issue_shortlist_letters, call_id)


@shared_task
def issue_missing_shortlist_letters() -> int:
    """Catch-up for every published call (a worker that was down at publication time)."""
    call_ids = ShortlistPublication.objects.values_list("call_id", flat=True)
    return sum(services.issue_shortlist_letters(pk) for pk in list(call_ids))


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def issue_decision_letters(self, call_id: int) -> int:
    """Queue the approval or rejection letter of every application of a decided call that has
    none yet (R-LETTER, with the tranche schedule of R-TR): one task per letter, so the batch of
    a call is shared by every process of the worker. Returns how many letters were queued.

    Queued by `record_decision` after its commit; running it twice issues no second letter (each
    letter task locks its outcome and skips one that has a letter).
    """
    outcome_ids = _or_retry(self, services_decision_letters.missing_decision_letters, call_id)
    for outcome_id in outcome_ids:
        issue_decision_letter.delay(outcome_id)
    return len(outcome_ids)


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def issue_decision_letter(self, outcome_id: int) -> bool:
    """Render, store and e-mail one decision letter; a retry after a failure is safe."""
    return _or_retry(self, services_decision_letters.issue_decision_letter, outcome_id) is not None


@shared_task
def issue_missing_decision_letters() -> int:
    """Catch-up for every recorded decision (a worker that was down when it was recorded)."""
    call_ids = GovernmentDecision.objects.values_list("call_id", flat=True)
    return sum(services_decision_letters.issue_decision_letters(pk) for pk in list(call_ids))
