"""Issuing a letter: render it, store it with its hash, and queue the e-mail that carries it."""

import hashlib

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from .models import Letter
from .rendering import render_pdf


def issue_letter(
    *,
    kind: str,
    subject: str,
    template_name: str,
    context: dict,
    organisation=None,
    recipients: list[str] | None = None,
    body: str = "",
    about=None,
    created_by=None,
    filename: str | None = None,
    enclosures: list[str] | None = None,
) -> Letter:
    """Render and store a letter; its e-mail is sent by a Celery task after the commit."""
    pdf = render_pdf(template_name, {**context, "subject": subject})
    letter = Letter(
        kind=kind,
        subject=subject,
        organisation=organisation,
        recipients=sorted(set(recipients or [])),
        body=body,
        sha256=hashlib.sha256(pdf).hexdigest(),
        created_by=created_by,
        enclosures=list(enclosures or []),
    )
    if about is not None:
        letter.content_type = ContentType.objects.get_for_model(about)
        letter.object_id = about.pk
    name = filename or f"{slugify(subject)[:80] or kind}.pdf"
    letter.pdf.save(name, ContentFile(pdf), save=False)
    letter.save()
    if letter.recipients:
        from .tasks import send_letter

        transaction.on_commit(lambda: send_letter.delay(letter.pk))
    return letter


def send_letter_now(letter_id: int) -> bool:
    """E-mail a stored letter once. Returns True when this call sent it.

    The row is locked while sending, so two workers (or a retried task) cannot both send it.
    """
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=letter_id)
        if letter.sent_at is not None or not letter.recipients:
            return False
        letter.send_attempts += 1
        message = EmailMessage(
            subject=letter.subject,
            body=letter.body or letter.subject,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=letter.recipients,
        )
        with letter.pdf.open("rb") as fh:
            message.attach(letter.filename, fh.read(), "application/pdf")
        for name in letter.enclosures:
            with default_storage.open(name, "rb") as fh:
                message.attach(name.rsplit("/", 1)[-1], fh.read(), "application/pdf")
        try:
            message.send()
        except OSError as exc:
            letter.last_error = str(exc)[:2000]
            letter.save(update_fields=["send_attempts", "last_error"])
            return False
        letter.sent_at = timezone.now()
        letter.last_error = ""
        letter.save(update_fields=["send_attempts", "last_error", "sent_at"])
        return True
