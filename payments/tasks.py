"""Scheduled jobs of execution (issue 8): thin, idempotent wrappers around services.

Run daily by Celery beat (cot_portal/celery.py); running one twice sends nothing twice
(`services_reminders` claims each message in `ReminderSent`).
"""

from celery import shared_task

from . import services_reminders


@shared_task
def send_execution_reminders() -> int:
    """R-START, R-TR2, R-TR3: the lead applicant's reminders of the day."""
    return (
        services_reminders.remind_latest_start()
        + services_reminders.tell_tranche2_requestable()
        + services_reminders.remind_final_request()
    )


@shared_task
def flag_overdue_grants() -> int:
    """R-START, R-TR3: overdue starts and final requests, flagged to the call managers."""
    return services_reminders.flag_overdue()
