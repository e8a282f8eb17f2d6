"""Writes of the idea phase (SPEC.md §3): create, autosave, partners, submit, close, remind."""

from dataclasses import dataclass, field

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cot_portal.accounts.models import PARTNER_TYPES, Organisation, OrganisationType
from cot_portal.accounts.selectors import organisation_emails
from cot_portal.formatting import short_datetime
from cot_portal.letters.services import issue_letter

from .. import rules
from ..models import Call, Idea, IdeaPartner, IdeaStatus
from . import reminders

IDEA_CREATOR_TYPES = PARTNER_TYPES  # R-IDEA-1: anyone eligible as lead applicant or partner
EDITABLE_FIELDS = (
    "title",
    "challenge",
    "solution",
    "capacity_building",
    "policy_alignment",
    "support_rollout",
    "openness",
    "work_packages",
    "budget_total",
    "budget_notes",
    "themes",
)
REMINDER_DAYS = (7, 1)


class IdeaError(Exception):
    """A refusal with a message for the user, in their language."""


class StaleVersion(IdeaError):
    """Someone else saved the idea since this person loaded it."""

    def __init__(self, message, current):
        super().__init__(message)
        self.current = current


@dataclass
class SaveResult:
    idea: Idea
    changed: list[str] = field(default_factory=list)


def may_register_ideas(organisation: Organisation) -> bool:
    return organisation.type in IDEA_CREATOR_TYPES


@transaction.atomic
def create_idea(*, call: Call, organisation: Organisation, user, title: str) -> Idea:
    """Start a draft idea for `organisation` in `call` (R-IDEA-1), while the idea phase is open."""
    if not may_register_ideas(organisation):
        raise IdeaError(
            _(
                "Only cities, municipalities, the VGC and the partner types of the call can register an idea."
            )
        )
    call = Call.objects.select_for_update().get(pk=call.pk)
    if not call.idea_phase_open:
        raise IdeaError(
            _("Ideas for %(call)s are accepted only when received before %(deadline)s.")
            % {"call": call.title, "deadline": short_datetime(call.idea_deadline)}
        )
    number = Idea.objects.filter(call=call).count() + 1
    while Idea.objects.filter(reference=f"IDEE-{call.year}-{number:04d}").exists():
        number += 1
    return Idea.objects.create(
        call=call,
        organisation=organisation,
        created_by=user,
        reference=f"IDEE-{call.year}-{number:04d}",
        title=title.strip(),
    )


@transaction.atomic
def save_idea(idea: Idea, *, user, values: dict, version: int) -> SaveResult:
    """Save the fields in `values` (autosave or the save button), if nobody saved in between.

    A stale `version` raises StaleVersion and changes nothing, so two people never silently
    overwrite each other; the caller keeps what this person typed and shows what changed.
    """
    locked = Idea.objects.select_for_update().get(pk=idea.pk)
    if locked.status != IdeaStatus.DRAFT:
        raise IdeaError(_("This idea was submitted and can no longer be changed."))
    changed = [
        name for name in EDITABLE_FIELDS if name in values and values[name] != getattr(locked, name)
    ]
    if not changed:
        # Nothing differs from what is stored (e.g. the autosave of the same text won the race
        # against the save button): that is no conflict.
        return SaveResult(locked, [])
    if locked.version != version:
        raise StaleVersion(
            _(
                "A colleague saved this idea in the meantime. Your text is still in the form: "
                "compare and save again."
            ),
            current=locked,
        )
    for name in changed:
        setattr(locked, name, values[name])
    locked.version += 1
    locked._change_reason = "autosave"
    locked.save()
    return SaveResult(locked, changed)


@transaction.atomic
def add_partner(
    idea: Idea, *, organisation: Organisation, role: str, contribution: str = ""
) -> IdeaPartner:
    locked = Idea.objects.select_for_update().get(pk=idea.pk)
    if locked.status != IdeaStatus.DRAFT:
        raise IdeaError(_("This idea was submitted and can no longer be changed."))
    if organisation.pk == locked.organisation_id:
        raise IdeaError(_("Your own organisation is the coordinator; add the other partners here."))
    if organisation.type not in PARTNER_TYPES:
        raise IdeaError(
            _("%(name)s cannot be a partner: companies take part as subcontractors.")
            % {"name": organisation.name}
        )
    try:
        with transaction.atomic():
            partner = IdeaPartner.objects.create(
                idea=locked, organisation=organisation, role=role, contribution=contribution
            )
    except IntegrityError as exc:
        raise IdeaError(
            _("%(name)s is already a partner of this idea.") % {"name": organisation.name}
        ) from exc
    Idea.objects.filter(pk=locked.pk).update(version=locked.version + 1)
    return partner


@transaction.atomic
def remove_partner(partner: IdeaPartner) -> None:
    locked = Idea.objects.select_for_update().get(pk=partner.idea_id)
    if locked.status != IdeaStatus.DRAFT:
        raise IdeaError(_("This idea was submitted and can no longer be changed."))
    partner.delete()
    Idea.objects.filter(pk=locked.pk).update(version=locked.version + 1)


def idea_recipients(idea: Idea) -> list[str]:
    return organisation_emails(idea.organisation, idea.created_by)


def submit_idea(idea: Idea, *, user, now=None) -> Idea:
    """Submit an idea: strictly before R-DL1 by the server's receipt time, complete (R-SL).

    The receipt time is taken when the request holds the lock, so two clicks give one
    submission. A refusal changes nothing: the draft stays as it was.
    """
    with transaction.atomic():
        locked = (
            Idea.objects.select_for_update().select_related("call", "organisation").get(pk=idea.pk)
        )
        received_at = now or timezone.now()
        if locked.status != IdeaStatus.DRAFT:
            raise IdeaError(
                _("This idea was already submitted on %(when)s.")
                % {"when": short_datetime(locked.submitted_at)}
            )
        if not rules.received_in_time(received_at, locked.call.idea_deadline):
            raise IdeaError(
                _(
                    "The deadline for ideas was %(deadline)s. Your submission arrived at %(received)s and "
                    "cannot be accepted. Your draft is kept."
                )
                % {
                    "deadline": short_datetime(locked.call.idea_deadline),
                    "received": short_datetime(received_at),
                }
            )
        missing = rules.idea_missing_fields(
            {name: getattr(locked, name) for name in rules.IDEA_REQUIRED_FIELDS}
        )
        if missing:
            labels = ", ".join(str(Idea._meta.get_field(name).verbose_name) for name in missing)
            raise IdeaError(
                _("Complete these parts before you submit: %(fields)s.") % {"fields": labels}
            )
        locked.mark_submitted()
        locked.submitted_at = received_at
        locked._change_reason = "submitted"
        locked.save()
        with translation.override("nl"):
            locked.receipt = issue_letter(
                kind="idea-receipt",
                subject=_("Receipt of your project idea %(reference)s")
                % {"reference": locked.reference},
                template_name="applications/letters/idea_receipt.html",
                context={
                    "idea": locked,
                    "addressee": locked.organisation,
                    "letter_date": received_at,
                    "reference": locked.reference,
                },
                organisation=locked.organisation,
                recipients=idea_recipients(locked),
                body=render_to_string("applications/email/idea_receipt.txt", {"idea": locked}),
                about=locked,
                created_by=user,
                filename=f"ontvangstbewijs-{locked.reference.lower()}.pdf",
            )
        locked.save(update_fields=["receipt"])
    return locked


def close_idea_phase(call: Call, now=None) -> int:
    """At R-DL1, drafts that were not submitted become "not submitted". Safe to run often."""
    now = now or timezone.now()
    if now < call.idea_deadline:
        return 0
    closed = 0
    for pk in Idea.objects.filter(call=call, status=IdeaStatus.DRAFT).values_list("pk", flat=True):
        with transaction.atomic():
            idea = Idea.objects.select_for_update().get(pk=pk)
            if idea.status != IdeaStatus.DRAFT:
                continue
            idea.mark_not_submitted()
            idea._change_reason = "idea phase closed"
            idea.save()
            closed += 1
    return closed


def send_idea_reminders(call: Call, now=None) -> int:
    """Remind organisations with a draft idea 7 days and 1 day before R-DL1, once per draft.

    The reminder is recorded in the same transaction as it is sent, so a job that runs twice
    (or concurrently) sends it once. If the job missed the 7-day window, only the nearest
    reminder goes out.
    """
    now = now or timezone.now()
    due = rules.due_reminders(now, call.idea_deadline, REMINDER_DAYS)
    if not due:
        return 0
    sent = 0
    drafts = Idea.objects.filter(call=call, status=IdeaStatus.DRAFT).select_related(
        "organisation", "created_by", "call"
    )
    for idea in drafts:
        with transaction.atomic():
            new = reminders.claim_due("idea-deadline", idea.pk, due)
            if not new:
                continue
            with translation.override("nl"):
                send_mail(
                    subject=_("Reminder: submit your project idea before %(deadline)s")
                    % {"deadline": short_datetime(call.idea_deadline)},
                    message=render_to_string(
                        "applications/email/idea_reminder.txt", {"idea": idea, "days": min(new)}
                    ),
                    from_email=None,
                    recipient_list=idea_recipients(idea),
                )
            sent += 1
    return sent


def organisations_for_idea_creation(user):
    return Organisation.objects.filter(
        memberships__user=user, type__in=[t.value for t in IDEA_CREATOR_TYPES]
    ).exclude(type=OrganisationType.COMPANY)
