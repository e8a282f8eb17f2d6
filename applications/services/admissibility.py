"""The admissibility check (SPEC.md §5): computed criteria, VLAIO's confirmation, completion
requests (R-ADM-COMPLETE) and the decision with its letter."""

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cot_portal.accounts.selectors import organisation_emails
from cot_portal.formatting import short_datetime
from cot_portal.letters.services import issue_letter

from .. import admissibility, rules
from ..models import (
    AdmissibilityCheck,
    AdmissibilityCriterion,
    AdmissibilityDecision,
    Application,
    ApplicationSection,
    ApplicationStatus,
    Attendance,
    CompletionRequest,
)
from ..selectors_applications import application_for_page
from . import reminders
from .application import ApplicationError

COMPLETION_REMINDER_DAYS = (2,)


def lead_recipients(application) -> list[str]:
    return organisation_emails(application.organisation, application.created_by)


def record_checks(application: Application) -> list[AdmissibilityCheck]:
    """Compute every criterion of R-ADM for the submitted application and store the result.

    Run inside the submission's transaction. A confirmation by VLAIO stays when the computed
    result did not change; it is cleared (to be looked at again) when it did.
    """
    full = application_for_page(application.call.year, application.slug)
    first = full.submissions.order_by("number").first()
    attended = Attendance.objects.filter(
        session__call=full.call, organisation=full.organisation
    ).exists()
    results = admissibility.compute(
        full, first_received_at=first.submitted_at, lead_attended=attended
    )
    existing = {c.criterion: c for c in AdmissibilityCheck.objects.filter(application=application)}
    stored = []
    for result in results:
        check = existing.get(result.criterion) or AdmissibilityCheck(
            application=application, criterion=result.criterion
        )
        if check.pk and check.computed_ok != result.ok:
            check.confirmed_ok = None
            check.confirmed_by = None
            check.confirmed_at = None
        check.computed_ok = result.ok
        check.figures = result.figures
        check.save()
        stored.append(check)
    return stored


@transaction.atomic
def confirm_criterion(
    check: AdmissibilityCheck, *, ok: bool | None, note: str, user, reason: str = ""
) -> AdmissibilityCheck:
    """The call manager confirms or overrides one criterion, with a note (internal)."""
    check = AdmissibilityCheck.objects.select_for_update().get(pk=check.pk)
    if check.application.status not in (
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.COMPLETION_REQUESTED,
    ):
        raise ApplicationError(_("The admissibility of this application was already decided."))
    if ok is not None and ok != check.computed_ok and not note.strip():
        raise ApplicationError(_("Write a note when you override what the portal computed."))
    if ok is False and check.computed_ok and not reason.strip():
        raise ApplicationError(
            _(
                "Write the reason for the applicant: the letter cannot repeat the portal's finding that it is met."
            )
        )
    check.confirmed_ok = ok
    check.note = note.strip()
    check.reason = reason.strip()
    check.confirmed_by = user
    check.confirmed_at = timezone.now()
    check._change_reason = "confirmed" if ok == check.computed_ok else "overridden"
    check.save()
    return check


@transaction.atomic
def request_completion(
    application: Application, *, sections: list[str], message: str, deadline, user
) -> CompletionRequest:
    """R-ADM-COMPLETE: reopen only the named sections until `deadline`, and tell the applicant."""
    locked = (
        Application.objects.select_for_update()
        .select_related("call", "organisation", "created_by")
        .get(pk=application.pk)
    )
    if locked.status != ApplicationStatus.SUBMITTED:
        raise ApplicationError(
            _("Completion can only be asked for a submitted application that is not decided yet.")
        )
    valid = {s.value for s in ApplicationSection}
    sections = [s for s in sections if s in valid]
    if not sections:
        raise ApplicationError(_("Choose at least one section to complete."))
    if deadline <= timezone.now():
        raise ApplicationError(_("The response deadline must lie in the future."))
    completion = CompletionRequest.objects.create(
        application=locked,
        sections=sections,
        message=message.strip(),
        deadline=deadline,
        requested_by=user,
    )
    locked.mark_completion_requested()
    locked._change_reason = f"completion requested: {', '.join(sections)}"[:100]
    locked.save()
    labels = [ApplicationSection(s).label for s in sections]
    with translation.override("nl"):
        body = render_to_string(
            "applications/email/completion_request.txt",
            {"application": locked, "completion": completion, "labels": labels},
        )
        subject = _("Please complete your application %(reference)s") % {
            "reference": locked.reference
        }
    transaction.on_commit(lambda: send_mail(subject, body, None, lead_recipients(locked)))
    return completion


def answer_completion(locked: Application, submission, now) -> None:
    """Called by submit_application when the applicant answers a completion request."""
    completion = locked.open_completion
    if completion is None:
        return
    if now >= completion.deadline:
        raise ApplicationError(
            _("The deadline to complete was %(deadline)s. VLAIO will contact you.")
            % {"deadline": short_datetime(completion.deadline)}
        )
    completion.answered_at = now
    completion.answer = submission
    completion.save()


@transaction.atomic
def decide(application: Application, *, admissible: bool, user) -> AdmissibilityDecision:
    """R-ADM: admissible (to the jury) or not admissible (a letter with the reasons; the end)."""
    locked = (
        Application.objects.select_for_update()
        .select_related("call", "organisation", "created_by")
        .get(pk=application.pk)
    )
    if locked.status != ApplicationStatus.SUBMITTED:
        raise ApplicationError(
            _("Only a submitted application that is not decided yet can be decided on.")
        )
    checks = list(AdmissibilityCheck.objects.filter(application=locked))
    failed = [c for c in checks if not c.ok and c.criterion != AdmissibilityCriterion.COCREATION]
    cocreation_failed = [
        c for c in checks if c.criterion == AdmissibilityCriterion.COCREATION and not c.ok
    ]
    if admissible and (failed or cocreation_failed):
        raise ApplicationError(
            _(
                "Some criteria are not met. Confirm them as met (with a note) or decide that the application is not admissible."
            )
        )
    if not admissible and not (failed or cocreation_failed):
        raise ApplicationError(
            _(
                "Every criterion is met. Mark the criterion that is not met, with a note, before you decide it is not admissible."
            )
        )
    decision = AdmissibilityDecision.objects.create(
        application=locked, admissible=admissible, decided_by=user
    )
    if admissible:
        locked.mark_admissible()
    else:
        locked.mark_not_admissible()
        with translation.override("nl"):
            decision.letter = issue_letter(
                kind="not-admissible",
                subject=_("Your application %(reference)s is not admissible")
                % {"reference": locked.reference},
                template_name="applications/letters/not_admissible.html",
                context={
                    "application": locked,
                    "failed": [
                        (AdmissibilityCriterion(c.criterion).label, c.finding)
                        for c in failed + cocreation_failed
                    ],
                    "addressee": locked.organisation,
                    "letter_date": timezone.now(),
                    "reference": locked.reference,
                },
                organisation=locked.organisation,
                recipients=lead_recipients(locked),
                body=render_to_string(
                    "applications/email/not_admissible.txt", {"application": locked}
                ),
                about=locked,
                created_by=user,
                filename=f"niet-ontvankelijk-{locked.reference.lower()}.pdf",
            )
        decision.save(update_fields=["letter"])
    locked._change_reason = "admissible" if admissible else "not admissible"
    locked.save()
    return decision


def send_completion_reminders(now=None) -> int:
    """Remind the applicant 2 days before the completion deadline, once per request."""
    now = now or timezone.now()
    sent = 0
    open_requests = CompletionRequest.objects.filter(
        answered_at__isnull=True, closed_at__isnull=True, deadline__gt=now
    ).select_related("application__organisation", "application__created_by", "application__call")
    for completion in open_requests:
        if not rules.due_reminders(now, completion.deadline, COMPLETION_REMINDER_DAYS):
            continue
        with transaction.atomic():
            if not reminders.claim("completion-2d", completion.pk):
                continue
            application = completion.application
            with translation.override("nl"):
                send_mail(
                    _("Reminder: complete your application %(reference)s before %(deadline)s")
                    % {
                        "reference": application.reference,
                        "deadline": short_datetime(completion.deadline),
                    },
                    render_to_string(
                        "applications/email/completion_request.txt",
                        {
                            "application": application,
                            "completion": completion,
                            "labels": [ApplicationSection(s).label for s in completion.sections],
                            "reminder": True,
                        },
                    ),
                    None,
                    lead_recipients(application),
                )
            sent += 1
    return sent


def close_overdue_completions(now=None) -> int:
    """A completion request past its deadline without answer goes back to the call manager,
    flagged "niet vervolledigd"; the reopened sections close again."""
    now = now or timezone.now()
    closed = 0
    for pk in CompletionRequest.objects.filter(
        answered_at__isnull=True, closed_at__isnull=True, deadline__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            completion = CompletionRequest.objects.select_for_update().get(pk=pk)
            if completion.answered_at or completion.closed_at:
                continue
            application = Application.objects.select_for_update().get(pk=completion.application_id)
            completion.closed_at = now
            completion.save()
            if application.status == ApplicationStatus.COMPLETION_REQUESTED:
                application.mark_completion_overdue()
                application._change_reason = "completion not answered in time"
                application.save()
            closed += 1
    return closed
