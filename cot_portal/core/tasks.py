from celery import shared_task
from django.db.models import F
from django.utils import timezone

from .models import TaskHeartbeat


@shared_task
def record_heartbeat(name: str = "beat") -> str:
    """Record that the worker ran a scheduled job; returns the time it recorded."""
    now = timezone.now()
    updated = TaskHeartbeat.objects.filter(name=name).update(last_run=now, runs=F("runs") + 1)
    if not updated:
        TaskHeartbeat.objects.get_or_create(name=name, defaults={"last_run": now, "runs": 1})
    return now.isoformat()
