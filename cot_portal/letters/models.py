"""A letter is a stored PDF plus the record of the e-mail that carried it."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cot_portal.records import GuardedRecord


class Letter(GuardedRecord, models.Model):
    """A letter as it was issued: never edited or deleted (cot_portal/records.py); only the
    record of its e-mail (sent, attempts, last error) moves on."""

    downloadable_file_fields = ("pdf",)
    record_frozen_fields = (
        "kind",
        "subject",
        "organisation",
        "recipients",
        "body",
        "pdf",
        "sha256",
        "enclosures",
        "content_type",
        "object_id",
        "created_by",
        "created_at",
    )

    kind = models.SlugField(_("kind"), max_length=40)
    subject = models.CharField(_("subject"), max_length=255)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="letters",
        verbose_name=_("addressed to"),
        null=True,
        blank=True,
    )
    recipients = models.JSONField(_("e-mail recipients"), default=list, blank=True)
    body = models.TextField(_("e-mail text"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to="letters/%Y/%m/")
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)
    enclosures = models.JSONField(
        _("enclosures"), default=list, blank=True, help_text=_("Stored files sent with the e-mail.")
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    sent_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    send_attempts = models.PositiveSmallIntegerField(_("send attempts"), default=0)
    last_error = models.TextField(_("last sending error"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return self.subject

    @property
    def filename(self) -> str:
        return self.pdf.name.rsplit("/", 1)[-1]
