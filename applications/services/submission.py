"""Submitting a full application (R-SUBMIT, R-DL2): one immutable snapshot with a receipt.

The receipt time is the request's, taken under the application's row lock, so a double click
makes one submission. The content is frozen as JSON with its SHA-256 in the same transaction;
the PDF of that JSON and the receipt letter are rendered right after the commit by Celery, so a
deadline burst is receipted at once.
"""

import hashlib
import json

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cot_portal.accounts.selectors import organisation_emails
from cot_portal.formatting import short_datetime
from cot_portal.letters.rendering import render_pdf
from cot_portal.letters.services import issue_letter

from .. import rules
from ..completeness import missing_items
from ..models import Application, ApplicationStatus, Submission
from ..selectors_applications import application_content, application_for_page
from .admissibility import answer_completion, record_checks
from .application import ApplicationError


def canonical_json(content: dict) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def submit_application(application: Application, *, user, now=None) -> Submission:
    """R-SUBMIT: only the lead's members; complete; strictly before R-DL2."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        received_at = now or timezone.now()
        completing = locked.status == ApplicationStatus.COMPLETION_REQUESTED
        if locked.status != ApplicationStatus.DRAFT and not completing:
            raise ApplicationError(_("This application was already submitted."))
        if not user.has_perm("applications.submit_application", locked):
            raise ApplicationError(_("Only the lead applicant can submit the application."))
        full = application_for_page(locked.call.year, locked.slug)
        if not completing and not rules.received_in_time(
            received_at, full.call.application_deadline
        ):
            raise ApplicationError(
                _(
                    "The deadline for applications was %(deadline)s. Your submission arrived at %(received)s and "
                    "cannot be accepted. Everything you entered is kept."
                )
                % {
                    "deadline": short_datetime(full.call.application_deadline),
                    "received": short_datetime(received_at),
                }
            )
        missing = missing_items(full, timezone.localdate(received_at))
        if missing:
            raise ApplicationError(
                _(
                    "The application is not complete yet: %(n)s items need your attention. The review page lists them."
                )
                % {"n": len(missing)}
            )
        content = application_content(full)
        data = canonical_json(content)
        submission = Submission.objects.create(
            application=locked,
            number=locked.submissions.count() + 1,
            submitted_at=received_at,
            submitted_by=user,
            content=content,
            content_sha256=hashlib.sha256(data).hexdigest(),
        )
        if completing:
            answer_completion(locked, submission, received_at)  # R-ADM-COMPLETE
        locked.mark_submitted()
        locked.submitted_at = received_at
        locked._change_reason = f"submitted (snapshot {submission.number})"
        locked.save()
        record_checks(locked)  # R-ADM: computed at every submission
        from ..tasks import render_submission

        transaction.on_commit(lambda: render_submission.delay(submission.pk))
    return submission


def render_submission_documents(submission_id: int) -> Submission:
    """Render the snapshot PDF and the receipt letter once (idempotent: a retry does nothing)."""
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update()
            .select_related("application__organisation", "application__call", "submitted_by")
            .get(pk=submission_id)
        )
        if submission.receipt_id:
            return submission
        application = submission.application
        if not submission.pdf:
            pdf = render_pdf(
                "applications/letters/submission_snapshot.html",
                {
                    "submission": submission,
                    "content": submission.content,
                    "application": application,
                    "addressee": application.organisation,
                    "letter_date": submission.submitted_at,
                    "reference": f"{application.reference} v{submission.number}",
                    "subject": f"{application.reference} – {application.title}",
                },
            )
            submission.pdf.save(
                f"{application.reference.lower()}-v{submission.number}.pdf",
                ContentFile(pdf),
                save=False,
            )
            submission.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
            submission.save(update_fields=["pdf", "pdf_sha256"])
        recipients = organisation_emails(application.organisation, submission.submitted_by)
        with translation.override("nl"):
            submission.receipt = issue_letter(
                kind="application-receipt",
                subject=_("Receipt of your application %(reference)s")
                % {"reference": application.reference},
                template_name="applications/letters/application_receipt.html",
                context={
                    "submission": submission,
                    "application": application,
                    "addressee": application.organisation,
                    "letter_date": submission.submitted_at,
                    "reference": application.reference,
                },
                organisation=application.organisation,
                recipients=recipients,
                body=render_to_string(
                    "applications/email/application_receipt.txt", {"submission": submission}
                ),
                about=submission,
                created_by=submission.submitted_by,
                filename=f"ontvangstbewijs-{application.reference.lower()}-v{submission.number}.pdf",
                enclosures=[submission.pdf.name],
            )
        submission.save(update_fields=["receipt"])
    return submission
