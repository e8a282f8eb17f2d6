"""The Celery application. Broker and backend come from settings (Redis or filesystem)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cot_portal.settings")

app = Celery("cot_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "heartbeat": {"task": "cot_portal.core.tasks.record_heartbeat", "schedule": 60.0},
    "idea-deadline-reminders": {
        "task": "applications.tasks.send_idea_deadline_reminders",
        "schedule": crontab(minute="*/15"),
    },
    "application-deadline-reminders": {
        "task": "applications.tasks.send_application_deadline_reminders",
        "schedule": crontab(minute="*/15"),
    },
    "missing-submission-receipts": {
        "task": "applications.tasks.render_missing_submissions",
        "schedule": crontab(minute="*/5"),
    },
    "completion-deadlines": {"task": "applications.tasks.completion_deadlines", "schedule": 300.0},
    "close-idea-phases": {"task": "applications.tasks.close_idea_phases", "schedule": 60.0},
    "shortlist-letters-catch-up": {
        "task": "scoring.tasks.issue_missing_shortlist_letters",
        "schedule": crontab(minute="*/5"),
    },
    "decision-letters-catch-up": {
        "task": "scoring.tasks.issue_missing_decision_letters",
        "schedule": crontab(minute="*/5"),
    },
    "execution-reminders": {
        "task": "payments.tasks.send_execution_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "execution-overdue-flags": {
        "task": "payments.tasks.flag_overdue_grants",
        "schedule": crontab(hour=7, minute=15),
    },
    "send-queued-letters": {
        "task": "cot_portal.letters.tasks.send_unsent_letters",
        "schedule": crontab(minute="*/5"),
    },
}
