"""Writes of the full application (SPEC.md §4): start, sections, partners, lists, attachments.

Every section carries its own version. A save names the version it was loaded at; if a
colleague saved that section since, nothing is written and the caller keeps what was typed.
"""

import hashlib

from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cot_portal.accounts.models import LOCAL_GOVERNMENT_TYPES, PARTNER_TYPES

from .. import rules, uploads
from ..models import (
    KPI,
    Application,
    ApplicationPartner,
    ApplicationSection,
    ApplicationStatus,
    Attachment,
    GroupMember,
    Idea,
    PartnerRole,
    ProcurementItem,
    WorkPackage,
)

SECTION_FIELDS = {
    ApplicationSection.PROJECT: ("title", "summary", "challenge", "solution"),
    ApplicationSection.PROCUREMENT: ("external_support", "provider_profile"),
    ApplicationSection.POLICY: ("policy_commitment",),
    ApplicationSection.SCALABILITY: ("scalability", "rollout", "business_model"),
    ApplicationSection.THEMES_KPIS: ("themes",),
    ApplicationSection.PLANNING: ("start_date", "end_date"),
    ApplicationSection.BUDGET: (
        "requested_support",
        "own_contribution",
        "project_income",
        "other_financing",
    ),
}
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# A document unpacks to a few times its size; a zip bomb to thousands of times.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
ALLOWED_UPLOADS = uploads.MAGIC  # extension: the bytes the file must start with


class ApplicationError(Exception):
    """A refusal with a message for the user, in their language."""


class StaleSection(ApplicationError):
    def __init__(self, message, current):
        super().__init__(message)
        self.current = current


def _lock(application, section: str | None = None) -> Application:
    """Lock the application for a change to `section`: a draft, or a section VLAIO reopened."""
    locked = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    if locked.status == ApplicationStatus.DRAFT:
        return locked
    if section is not None and locked.section_reopened(section):
        return locked
    raise ApplicationError(_("This application was submitted and can no longer be changed."))


def _bump(application: Application, section: str) -> None:
    versions = dict(application.section_versions)
    versions[section] = int(versions.get(section, 0)) + 1
    application.section_versions = versions


def _check_version(application: Application, section: str, version: int | None) -> None:
    if version is not None and application.section_version(section) != version:
        raise StaleSection(
            _(
                "A colleague saved this section in the meantime. Your input is still in the form: compare and save again."
            ),
            current=application,
        )


def _touch(application: Application, section: str, version: int | None, reason: str) -> None:
    _check_version(application, section, version)
    _bump(application, section)
    application._change_reason = reason[:100]  # simple_history keeps at most 100 characters
    application.save()


def _unique_slug(call, organisation, title) -> str:
    base = slugify(f"{organisation.slug}-{title}")[:100] or "aanvraag"
    slug, n = base, 2
    while Application.objects.filter(call=call, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def start_application(idea: Idea, *, user, now=None) -> Application:
    """R-SL-GATE: a shortlisted idea of a city, municipality or the VGC becomes an application.

    The idea's texts, themes and partners are copied; the lead becomes the coordinator.
    Starting twice returns the same application.
    """
    idea = Idea.objects.select_for_update().select_related("call", "organisation").get(pk=idea.pk)
    existing = Application.objects.filter(idea=idea).first()
    if existing is not None:
        return existing
    refusal = rules.start_application_refusal(
        idea_status=idea.status,
        lead_is_local_government=idea.organisation.type in LOCAL_GOVERNMENT_TYPES,
        received_at=now or timezone.now(),
        deadline=idea.call.application_deadline,
    )
    if refusal:
        raise ApplicationError(refusal)
    number = Application.objects.filter(call=idea.call).count() + 1
    application = Application.objects.create(
        call=idea.call,
        idea=idea,
        organisation=idea.organisation,
        reference=f"AANVR-{idea.call.year}-{number:04d}",
        slug=_unique_slug(idea.call, idea.organisation, idea.title),
        title=idea.title,
        challenge=idea.challenge,
        solution=idea.solution,
        themes=list(idea.themes),
        created_by=user,
    )
    ApplicationPartner.objects.create(
        application=application, organisation=idea.organisation, role=PartnerRole.COORDINATOR
    )
    for partner in idea.partners.select_related("organisation"):
        ApplicationPartner.objects.create(
            application=application,
            organisation=partner.organisation,
            role=partner.role,
            contribution=partner.contribution,
        )
    return application


@transaction.atomic
def save_section(
    application: Application, section: str, *, values: dict, version: int | None
) -> Application:
    """Save the given fields of one section (autosave or the save button)."""
    locked = _lock(application, section)
    allowed = SECTION_FIELDS[ApplicationSection(section)]
    changed = {
        name: value
        for name, value in values.items()
        if name in allowed and getattr(locked, name) != value
    }
    if not changed:
        return locked  # the same values as stored: no conflict, nothing to write
    _check_version(locked, section, version)
    for name, value in changed.items():
        setattr(locked, name, value)
    _touch(locked, section, None, f"{section}: {', '.join(changed)}")
    return locked


# --- partners ------------------------------------------------------------------------------


@transaction.atomic
def add_partner(
    application,
    *,
    organisation,
    role,
    contribution="",
    contact_name="",
    contact_email="",
    version=None,
):
    locked = _lock(application, ApplicationSection.PARTNERS)
    if role == PartnerRole.COORDINATOR:
        raise ApplicationError(
            _(
                "The lead applicant is the coordinator; add the other partners as participant or follower."
            )
        )
    if organisation.type not in PARTNER_TYPES:
        raise ApplicationError(
            _("%(name)s cannot be a partner: companies take part as subcontractors.")
            % {"name": organisation.name}
        )
    try:
        with transaction.atomic():
            partner = ApplicationPartner.objects.create(
                application=locked,
                organisation=organisation,
                role=role,
                contribution=contribution,
                contact_name=contact_name,
                contact_email=contact_email,
            )
    except IntegrityError as exc:
        raise ApplicationError(
            _("%(name)s is already a partner of this application.") % {"name": organisation.name}
        ) from exc
    _touch(locked, ApplicationSection.PARTNERS, version, f"partner added: {organisation.name}")
    return partner


@transaction.atomic
def update_partner(
    partner: ApplicationPartner, *, values: dict, version=None
) -> ApplicationPartner:
    """The lead, or the partner's own contacts, describe the partner's part."""
    locked = _lock(partner.application, ApplicationSection.PARTNERS)
    partner = ApplicationPartner.objects.select_for_update().get(pk=partner.pk)
    for name in ("contribution", "contact_name", "contact_email"):
        if name in values:
            setattr(partner, name, values[name])
    if (
        "role" in values
        and partner.role != PartnerRole.COORDINATOR
        and values["role"] != PartnerRole.COORDINATOR
    ):
        partner.role = values["role"]
    partner.save()
    _touch(
        locked, ApplicationSection.PARTNERS, version, f"partner changed: {partner.organisation_id}"
    )
    return partner


@transaction.atomic
def remove_partner(partner: ApplicationPartner, *, version=None) -> None:
    locked = _lock(partner.application, ApplicationSection.PARTNERS)
    if partner.role == PartnerRole.COORDINATOR:
        raise ApplicationError(_("The coordinator cannot be removed."))
    try:
        with transaction.atomic():
            partner.delete()
    except ProtectedError as exc:
        raise ApplicationError(
            _("%(name)s leads a work package: give that work package another lead partner first.")
            % {"name": partner.organisation.name}
        ) from exc
    _touch(locked, ApplicationSection.PARTNERS, version, "partner removed")


# --- simple lists: work packages, procurement items, group members, KPIs ---------------------

LIST_MODELS = {
    ApplicationSection.WORK_PACKAGES: WorkPackage,
    ApplicationSection.PROCUREMENT: ProcurementItem,
    ApplicationSection.GROUPS: GroupMember,
    ApplicationSection.THEMES_KPIS: KPI,
}


@transaction.atomic
def add_item(application, section: str, *, values: dict, version=None):
    locked = _lock(application, section)
    model = LIST_MODELS[ApplicationSection(section)]
    if model is WorkPackage and "number" not in values:
        values = {
            **values,
            "number": (
                locked.work_packages.order_by("-number").values_list("number", flat=True).first()
                or 0
            )
            + 1,
        }
    item = model.objects.create(application=locked, **values)
    _touch(locked, section, version, f"{section}: added {item}")
    return item


@transaction.atomic
def update_item(item, section: str, *, values: dict, version=None):
    locked = _lock(item.application, section)
    for name, value in values.items():
        setattr(item, name, value)
    item.save()
    _touch(locked, section, version, f"{section}: changed {item}")
    return item


@transaction.atomic
def delete_item(item, section: str, *, version=None) -> None:
    locked = _lock(item.application, section)
    item.delete()
    _touch(locked, section, version, f"{section}: removed {item}")


# --- attachments ---------------------------------------------------------------------------


def check_upload(uploaded) -> None:
    """Refuse what is not the document it claims to be (content, not only the name).

    The one check of every document upload (attachments, agreement, reports, cost evidence,
    end results): the name's extension, the size (before reading), the first bytes, and for a
    .docx/.xlsx/.odt the zip's directory (applications/uploads.py: no zip bomb, no macros, no
    links to other workbooks). Formulas in an accepted workbook are stored as they are: the
    portal never opens or evaluates a stored document.
    """
    extension = uploads.extension_of(uploaded.name)
    if extension not in ALLOWED_UPLOADS:
        raise ApplicationError(
            _("Upload a PDF, Word (.docx), OpenDocument (.odt), Excel (.xlsx), PNG or JPEG file.")
        )
    if uploaded.size > MAX_UPLOAD_BYTES:
        raise ApplicationError(_("The file is larger than 20 MB. Upload a smaller version."))
    if not uploaded.size:
        raise ApplicationError(_("The file is empty."))
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    try:
        uploads.check_magic(head, extension)
        if extension in uploads.ZIP_PARTS:
            uploads.check_zip(uploaded, extension, max_unpacked=MAX_UNPACKED_BYTES)
    except uploads.UploadRejected as exc:
        raise ApplicationError(_upload_message(exc.code, extension)) from exc


def _upload_message(code: str, extension: str) -> str:
    if code == "zip_bomb":
        return _("The file unpacks to more than 100 MB. This is not a normal document.")
    if code == "macros":
        return _("The file contains macros. Save it without macros and upload it again.")
    if code == "external_links":
        return _(
            "The workbook links to other workbooks. Replace the links by their values "
            "(in Excel: Data > Edit Links > Break Link) and upload again."
        )
    return _("The file's content does not match its name (%(ext)s). Upload the real document.") % {
        "ext": extension
    }


def safe_filename(name: str) -> str:
    stem, _dot, ext = name.rpartition(".")
    return f"{slugify(stem)[:80] or 'bijlage'}.{slugify(ext)[:5] or 'bin'}"


@transaction.atomic
def add_attachment(
    application,
    *,
    kind: str,
    title: str,
    uploaded,
    user,
    version=None,
    section=ApplicationSection.ATTACHMENTS,
) -> Attachment:
    check_upload(uploaded)
    locked = _lock(application, section)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    _check_version(locked, section, version)  # before the file is written: no orphan files
    attachment = Attachment(
        application=locked,
        kind=kind,
        title=(title.strip() or uploaded.name)[:200],
        sha256=digest.hexdigest(),
        size=uploaded.size,
        uploaded_by=user,
    )
    attachment.file.save(safe_filename(uploaded.name), uploaded, save=False)
    attachment.save()
    _touch(locked, section, version, f"attachment added: {attachment.title}")
    return attachment


@transaction.atomic
def delete_attachment(
    attachment: Attachment, *, version=None, section=ApplicationSection.ATTACHMENTS
) -> None:
    locked = _lock(attachment.application, section)
    attachment.file.delete(save=False)
    attachment.delete()
    _touch(locked, section, version, "attachment removed")
