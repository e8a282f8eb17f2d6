"""Scheduled jobs of the applications app: thin, idempotent wrappers around services."""

import logging

from celery import shared_task
from django.utils import timezone

from .models import Call
from .services import ideas

logger = logging.getLogger(__name__)


@shared_task
def send_idea_deadline_reminders() -> int:
    now = timezone.now()
    calls = Call.objects.filter(idea_deadline__gt=now)
    return sum(ideas.send_idea_reminders(call, now) for call in calls)


@shared_task
def close_idea_phases() -> int:
    now = timezone.now()
    return sum(
        ideas.close_idea_phase(call, now) for call in Call.objects.filter(idea_deadline__lte=now)
    )


@shared_task(bind=True, max_retries=5, default_retry_delay=30, acks_late=True)
def render_submission(self, submission_id: int) -> int:
    """Snapshot PDF and receipt of a submitted application; safe to run twice.

    Queued once, after the submission's commit; a failure (WeasyPrint, storage) is retried
    here, and `render_missing_submissions` catches up what still has no receipt.
    """
    from .services.submission import render_submission_documents

    try:
        return render_submission_documents(submission_id).pk
    except Exception as exc:
        raise self.retry(exc=exc) from exc


@shared_task
def render_missing_submissions() -> int:
    """Catch-up (beat, every 5 minutes) for submissions still without their snapshot PDF and
    receipt: a render whose retries ran out, or a worker that was down (R-SUBMIT). Rendering is
    idempotent under the submission's row lock, so a render in flight is never doubled."""
    from .models import Submission
    from .services.submission import render_submission_documents

    rendered = 0
    for pk in list(Submission.objects.filter(receipt__isnull=True).values_list("pk", flat=True)):
        try:
            rendered += bool(render_submission_documents(pk).receipt_id)
        except Exception:  # one submission that cannot render must not hold up the others
            logger.exception("Submission %s: snapshot PDF and receipt still fail", pk)
    return rendered


@shared_task
def send_application_deadline_reminders() -> int:
    from .services.application_reminders import send_application_reminders

    now = timezone.now()
    return sum(
        send_application_reminders(call, now)
        for call in Call.objects.filter(application_deadline__gt=now)
    )


@shared_task
def completion_deadlines() -> int:
    """Remind 2 days before a completion deadline; flag requests that were not answered."""
    from .services.admissibility import close_overdue_completions, send_completion_reminders

    now = timezone.now()
    return send_completion_reminders(now) + close_overdue_completions(now)
