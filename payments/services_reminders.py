"""The scheduled jobs of execution (issue 8): reminders to the lead applicant and overdue flags
to the call managers (R-START, R-TR2, R-TR3).

Each message goes out once per grant and kind, however often the daily job runs: the reminder
is claimed in `applications.models.ReminderSent` (kind, object key) inside the transaction that
sends it, as `applications/services/reminders.py` does, so a failed send is claimed again the
next day. The object key holds the date the reminder is about, so a grant whose baseline changes
(R-CHANGE: a later end date) is reminded again for its new date.

- `remind_latest_start`: 30 days before the latest start (R-START), while no actual start is
  entered.
- `tell_tranche2_requestable`: from halfway through the project, while tranche 2 is open (R-TR2).
- `remind_final_request`: from the end of the project until the deadline 3 months later, while
  tranche 3 is open (R-TR3: the final report and the request are due).
- `flag_overdue`: to every active call manager who is not a member of the beneficiary or a
  partner, one e-mail per item: the latest start passed without a start, the final-request
  deadline passed without a request of tranche 3.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applications.services import reminders
from cot_portal.accounts.models import StaffRole
from cot_portal.accounts.selectors import organisation_emails
from cot_portal.formatting import euro, short_date
from scoring.ranking import format_share

from . import rules
from .models import Grant, GrantStatus, TrancheStatus

START_REMINDER_DAYS = 30
SIGNATURE = "VLAIO – City of Things"


def _running_grants():
    return (
        Grant.objects.filter(status=GrantStatus.ACTIVE)
        .select_related("application", "application__created_by", "organisation", "call")
        .prefetch_related("organisation__memberships__user", "tranches")
        .order_by("pk")
    )


def _lead_emails(grant) -> list[str]:
    return organisation_emails(grant.organisation, grant.application.created_by)


def _key(grant, day) -> str:
    return f"{grant.pk}:{day.isoformat()}"


def _send_once(kind: str, key: str, subject: str, lines: list[str], recipients: list[str]) -> bool:
    """Claim reminder `kind` for `key` and send it, in one transaction; False if it went out
    already or has nobody to go to."""
    if not recipients:
        return False
    with transaction.atomic():
        if not reminders.claim(kind, key):
            return False
        send_mail(
            subject=subject,
            message="\n\n".join([_("Hello,"), *lines, SIGNATURE]),
            from_email=None,
            recipient_list=recipients,
        )
    return True


def _project(grant) -> dict:
    return {"title": grant.application.title, "reference": grant.reference}


# --- To the lead applicant ----------------------------------------------------------------------


def remind_latest_start(today=None) -> int:
    """R-START: 30 days before the latest start, when no actual start date is entered yet."""
    today = today or timezone.localdate()
    grants = _running_grants().filter(
        actual_start_date__isnull=True,
        latest_start__gte=today,
        latest_start__lte=today + timedelta(days=START_REMINDER_DAYS),
    )
    sent = 0
    with translation.override("nl"):
        for grant in grants:
            values = {**_project(grant), "day": short_date(grant.latest_start)}
            sent += _send_once(
                "grant-latest-start",
                _key(grant, grant.latest_start),
                _("Reminder: project %(reference)s must start by %(day)s") % values,
                [
                    _(
                        'The project "%(title)s" (%(reference)s) must start by %(day)s at the latest, '
                        "6 months after the award of the support (R-START)."
                    )
                    % values,
                    _(
                        "Enter the actual start date on the project page in the portal: the first "
                        "tranche is requested once the project has started, the conditions of the "
                        "decision are met and the signed cooperation agreement is delivered."
                    ),
                ],
                _lead_emails(grant),
            )
    return sent


def tell_tranche2_requestable(today=None) -> int:
    """R-TR2: from halfway through the project, tranche 2 may be requested (while it is open)."""
    today = today or timezone.localdate()
    grants = _running_grants().filter(
        start_date__lte=today, tranches__number=2, tranches__status=TrancheStatus.OPEN
    )
    sent = 0
    with translation.override("nl"):
        for grant in grants:
            middle = rules.halfway(grant.start_date, grant.end_date)
            if today < middle:
                continue
            tranche = next(t for t in grant.tranches.all() if t.number == 2)
            values = {
                **_project(grant),
                "day": short_date(middle),
                "amount": euro(tranche.scheduled_amount),
                "share": format_share(grant.call.tranche_2_min_cost_share),
            }
            sent += _send_once(
                "grant-tranche2-requestable",
                _key(grant, middle),
                _("Project %(reference)s: tranche 2 can be requested") % values,
                [
                    _(
                        'The project "%(title)s" (%(reference)s) is halfway since %(day)s: tranche 2 '
                        "(%(amount)s) can now be requested in the portal."
                    )
                    % values,
                    _(
                        "Tranche 2 needs the interim content report and reported costs of at least "
                        "%(share)s of the approved total cost (R-TR2)."
                    )
                    % values,
                ],
                _lead_emails(grant),
            )
    return sent


def remind_final_request(today=None) -> int:
    """R-TR3: once the project has ended, the final report and the request of tranche 3 are due
    within 3 months; one reminder while tranche 3 is open and the deadline has not passed."""
    today = today or timezone.localdate()
    grants = _running_grants().filter(
        end_date__lte=today, tranches__number=3, tranches__status=TrancheStatus.OPEN
    )
    sent = 0
    with translation.override("nl"):
        for grant in grants:
            deadline = rules.final_request_deadline(grant.end_date, grant.call.final_request_months)
            if today > deadline:
                continue
            values = {
                **_project(grant),
                "end": short_date(grant.end_date),
                "day": short_date(deadline),
                "months": grant.call.final_request_months,
            }
            sent += _send_once(
                "grant-final-request",
                _key(grant, grant.end_date),
                _("Project %(reference)s: final report and tranche 3 due by %(day)s") % values,
                [
                    _(
                        'The project "%(title)s" (%(reference)s) ended on %(end)s. Request tranche 3 '
                        "in the portal within %(months)s months, by %(day)s at the latest (R-TR3)."
                    )
                    % values,
                    _(
                        "Add the final content and financial report, all evidence of income and "
                        "costs, and the end results: award report, framework agreement and playbook. "
                        "VLAIO then settles the support on the accepted costs."
                    ),
                ],
                _lead_emails(grant),
            )
    return sent


# --- To the call managers -----------------------------------------------------------------------


def call_manager_emails(grant) -> list[str]:
    """Every active call manager, except members of the grant's beneficiary or partners."""
    involved = {grant.organisation_id} | set(
        grant.application.partners.values_list("organisation_id", flat=True)
    )
    return sorted(
        get_user_model()
        .objects.filter(is_active=True, groups__name=StaffRole.CALL_MANAGER)
        .exclude(memberships__organisation_id__in=involved)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def flag_overdue(today=None) -> int:
    """Tell the call managers, once per item: the latest start passed with no start entered
    (R-START), or the final-request deadline passed with tranche 3 not requested (R-TR3)."""
    today = today or timezone.localdate()
    sent = 0
    with translation.override("nl"):
        for grant in _running_grants().filter(
            actual_start_date__isnull=True, latest_start__lt=today
        ):
            values = {**_project(grant), "day": short_date(grant.latest_start)}
            sent += _send_once(
                "grant-start-overdue",
                _key(grant, grant.latest_start),
                _("Overdue: project %(reference)s has not started (latest start %(day)s)") % values,
                [
                    _(
                        'The project "%(title)s" (%(reference)s) had to start by %(day)s (R-START), '
                        "but no actual start date is entered."
                    )
                    % values,
                    _(
                        "Check with the lead applicant; a project that is not carried out may be "
                        "stopped (R-STOP)."
                    ),
                ],
                call_manager_emails(grant),
            )
        for grant in _running_grants().filter(
            end_date__lt=today, tranches__number=3, tranches__status=TrancheStatus.OPEN
        ):
            deadline = rules.final_request_deadline(grant.end_date, grant.call.final_request_months)
            if today <= deadline:
                continue
            values = {**_project(grant), "day": short_date(deadline)}
            sent += _send_once(
                "grant-final-request-overdue",
                _key(grant, deadline),
                _("Overdue: project %(reference)s did not request tranche 3 (deadline %(day)s)")
                % values,
                [
                    _(
                        'The final request of the project "%(title)s" (%(reference)s) was due by '
                        "%(day)s (R-TR3); tranche 3 has not been requested."
                    )
                    % values,
                    _("Check with the lead applicant before the support is settled or stopped."),
                ],
                call_manager_emails(grant),
            )
    return sent


def run_daily(today=None) -> dict[str, int]:
    """Every job of execution for one day; returns how many messages each sent."""
    today = today or timezone.localdate()
    return {
        "latest_start": remind_latest_start(today),
        "tranche2": tell_tranche2_requestable(today),
        "final_request": remind_final_request(today),
        "overdue": flag_overdue(today),
    }
