"""Reminders before R-DL2 for applications still in draft, once per application and reminder."""

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cot_portal.accounts.models import LOCAL_GOVERNMENT_TYPES
from cot_portal.accounts.selectors import organisation_emails
from cot_portal.formatting import short_datetime

from .. import rules
from ..models import Application, ApplicationStatus, Attendance, Call
from . import reminders

REMINDER_DAYS = (7, 1)


def partners_without_attendance(application: Application, attended_ids: set[int]) -> list[str]:
    """R-COCREATE: local governments of the partnership with no recorded session attendance."""
    return [
        p.organisation.name
        for p in application.partners.all()
        if p.organisation.type in LOCAL_GOVERNMENT_TYPES and p.organisation_id not in attended_ids
    ]


def send_application_reminders(call: Call, now=None) -> int:
    """7 days and 1 day before R-DL2; the reminder warns about missing co-creation attendance."""
    now = now or timezone.now()
    due = rules.due_reminders(now, call.application_deadline, REMINDER_DAYS)
    if not due:
        return 0
    attended = set(
        Attendance.objects.filter(session__call=call).values_list("organisation_id", flat=True)
    )
    drafts = (
        Application.objects.filter(call=call, status=ApplicationStatus.DRAFT)
        .select_related("organisation", "created_by", "call")
        .prefetch_related("partners__organisation", "organisation__memberships__user")
    )
    sent = 0
    for application in drafts:
        with transaction.atomic():
            new = reminders.claim_due("application-deadline", application.pk, due)
            if not new:
                continue
            recipients = organisation_emails(application.organisation, application.created_by)
            with translation.override("nl"):
                send_mail(
                    subject=_("Reminder: submit your application before %(deadline)s")
                    % {"deadline": short_datetime(call.application_deadline)},
                    message=render_to_string(
                        "applications/email/application_reminder.txt",
                        {
                            "application": application,
                            "missing_attendance": partners_without_attendance(
                                application, attended
                            ),
                        },
                    ),
                    from_email=None,
                    recipient_list=recipients,
                )
            sent += 1
    return sent
