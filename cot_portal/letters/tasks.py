from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .models import Letter
from .services import send_letter_now


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def send_letter(self, letter_id: int) -> bool:
    return send_letter_now(letter_id)


@shared_task
def send_unsent_letters() -> int:
    """Catch letters whose e-mail was not sent (worker down, mail server error)."""
    cutoff = timezone.now() - timedelta(minutes=2)
    ids = (
        Letter.objects.filter(sent_at__isnull=True, created_at__lt=cutoff, send_attempts__lt=10)
        .exclude(recipients=[])
        .values_list("pk", flat=True)
    )
    return sum(send_letter_now(pk) for pk in ids)
