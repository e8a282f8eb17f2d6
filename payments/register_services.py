"""Writes of the public register: end results and interest in reuse (issue 9, R-SHARE).

One function per intention; each runs in one transaction, locks what it changes, checks the
permission again (the views answer 404 before), and is recorded by simple_history. A refusal is
a `RegisterError` with a message for the user and, where it belongs to one, the form field.

    add_end_result(grant, kind=…, title=…, uploaded=…, offer=…, acknowledged=…, user=…)
    offer_end_result(result, acknowledged=…, user=…)     draft/refused → waiting for VLAIO
    remove_end_result(result, user=…)                    only while not offered or refused
    publish_end_result(result, user=…)                   the call manager approves → public
    refuse_end_result(result, note=…, user=…)            the call manager refuses, with a note
    register_reuse_interest(grant, organisation=…, message=…, user=…)   "wij willen dit ook"

Offering a result for publication needs the acknowledgement of the call's non-exclusive right of
use for VLAIO and the partners (SPEC.md §8); the database refuses a non-draft row without it.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applications.services.application import ApplicationError, check_upload, safe_filename
from cot_portal.accounts.models import LOCAL_GOVERNMENT_TYPES
from cot_portal.accounts.permissions import member_organisation_ids
from cot_portal.accounts.selectors import organisation_emails

from .errors import PaymentsError
from .models import EndResult, PublicationStatus, ResultKind, ReuseInterest
from .register_selectors import involved_organisation_ids
from .services_common import lock_grant, mail_after_commit, portal_link, require

TITLE_MAX = 200
TEXT_MAX = 10_000
MESSAGE_MAX = 2_000


class RegisterError(PaymentsError):
    """A refusal of the register's services: the sentence to show (already translated) and,
    maybe, its form field (payments/errors.py)."""


def _right_of_use_missing() -> RegisterError:
    return RegisterError(
        _(
            "Confirm that VLAIO and the partners may use this result (non-exclusive right of use) before you offer it for publication."
        ),
        field="acknowledged",
    )


def _already_interested(organisation) -> RegisterError:
    return RegisterError(
        _("%(organisation)s already registered its interest in this project.")
        % {"organisation": organisation.name},
        field="organisation",
    )


def _lock_result(result) -> EndResult:
    return (
        EndResult.objects.select_for_update(of=("self",))
        .select_related("grant__organisation", "grant__application")
        .get(pk=result.pk)
    )


# --- End results (the lead applicant) -----------------------------------------------------------


def _clean_text(value, limit: int, field: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise RegisterError(
            _("Keep this text under %(n)s characters.") % {"n": f"{limit:,}".replace(",", ".")},
            field=field,
        )
    return value


def add_end_result(
    grant,
    *,
    kind: str,
    title: str,
    description: str = "",
    lessons_good: str = "",
    lessons_bad: str = "",
    uploaded=None,
    offer: bool = False,
    acknowledged: bool = False,
    user,
) -> EndResult:
    """R-SHARE: the lead applicant adds an end result (playbook, model specification, framework
    agreement, lessons learned, other). Every kind but lessons learned needs its file; lessons
    learned need what went well or what did not. With `offer`, it goes to VLAIO for publication
    at once, which needs the acknowledgement of the non-exclusive right of use."""
    if kind not in ResultKind.values:
        raise RegisterError(_("Choose the kind of end result."), field="kind")
    title = _clean_text(title, TITLE_MAX, "title")
    if not title:
        raise RegisterError(_("Give the end result a title."), field="title")
    description = _clean_text(description, TEXT_MAX, "description")
    lessons_good = _clean_text(lessons_good, TEXT_MAX, "lessons_good")
    lessons_bad = _clean_text(lessons_bad, TEXT_MAX, "lessons_bad")
    if kind == ResultKind.LESSONS:
        if not (lessons_good or lessons_bad):
            raise RegisterError(
                _("Write what went well, what did not go well, or both."), field="lessons_good"
            )
    else:
        lessons_good = lessons_bad = ""
        if not uploaded:
            raise RegisterError(_("Upload the file of this end result."), field="file")
    if uploaded:
        try:
            check_upload(uploaded)
        except ApplicationError as error:
            raise RegisterError(str(error), field="file") from error
    if offer and not acknowledged:
        raise _right_of_use_missing()
    with transaction.atomic():
        locked = lock_grant(grant)
        require(user, "payments.manage_end_results", locked)
        now = timezone.now()
        result = EndResult(
            grant=locked,
            kind=kind,
            title=title,
            description=description,
            lessons_good=lessons_good,
            lessons_bad=lessons_bad,
            uploaded_by=user,
            uploaded_at=now,
        )
        if offer:
            result.status = PublicationStatus.REQUESTED
            result.right_of_use_acknowledged = True
            result.requested_at = now
        if uploaded:
            result.file.save(safe_filename(uploaded.name), uploaded, save=False)
        result._change_reason = result.status
        result.save()
        return result


def offer_end_result(result, *, acknowledged: bool, user) -> EndResult:
    """R-SHARE: offer an end result for publication, acknowledging the call's non-exclusive right
    of use. A refused result may be offered again (VLAIO's note stays in the history)."""
    if not acknowledged:
        raise _right_of_use_missing()
    with transaction.atomic():
        locked = _lock_result(result)
        require(user, "payments.change_endresult", locked)
        locked.status = PublicationStatus.REQUESTED
        locked.right_of_use_acknowledged = True
        locked.requested_at = timezone.now()
        locked.decided_by = None
        locked.decided_at = None
        locked._change_reason = "requested"
        locked.save()
        return locked


def remove_end_result(result, *, user) -> None:
    """The lead removes a result that is not offered (or was refused); its history remains."""
    with transaction.atomic():
        locked = _lock_result(result)
        require(user, "payments.change_endresult", locked)
        file = locked.file
        locked.delete()
        if file:
            name = file.name
            storage = file.storage
            transaction.on_commit(lambda: storage.delete(name))


# --- The call manager's decision ---------------------------------------------------------------


def _mail_lead_about(result, subject: str, lines: list[str], base_url: str) -> None:
    grant = result.grant
    link = portal_link(base_url, reverse("register:end_results", args=[grant.reference]))
    mail_after_commit(
        subject,
        [_("Hello,"), *lines, _("See your end results: %(link)s") % {"link": link}],
        organisation_emails(grant.organisation),
    )


def publish_end_result(result, *, user, base_url: str = "") -> EndResult:
    """R-SHARE: the call manager approves; the result appears in the public register."""
    with transaction.atomic():
        locked = _lock_result(result)
        require(user, "payments.decide_endresult", locked)
        locked.status = PublicationStatus.PUBLISHED
        locked.decided_by = user
        locked.decided_at = timezone.now()
        locked.note = ""
        locked._change_reason = "published"
        locked.save()
        with translation.override(settings.LANGUAGE_CODE):
            _mail_lead_about(
                locked,
                _("Your end result for %(reference)s is published")
                % {"reference": locked.grant.reference},
                [
                    _("VLAIO published “%(title)s” in the public register of funded projects.")
                    % {"title": locked.title}
                ],
                base_url,
            )
        return locked


def refuse_end_result(result, *, note: str, user, base_url: str = "") -> EndResult:
    """R-SHARE: the call manager refuses publication with a note for the lead applicant."""
    note = (note or "").strip()
    if not note:
        raise RegisterError(
            _("Explain to the lead applicant why the result is not published."), field="note"
        )
    note = _clean_text(note, TEXT_MAX, "note")
    with transaction.atomic():
        locked = _lock_result(result)
        require(user, "payments.decide_endresult", locked)
        locked.status = PublicationStatus.REFUSED
        locked.decided_by = user
        locked.decided_at = timezone.now()
        locked.note = note
        locked._change_reason = "refused"
        locked.save()
        with translation.override(settings.LANGUAGE_CODE):
            _mail_lead_about(
                locked,
                _("Your end result for %(reference)s is not published")
                % {"reference": locked.grant.reference},
                [
                    _("VLAIO did not publish “%(title)s”:") % {"title": locked.title},
                    note,
                    _("You may correct it and offer it again."),
                ],
                base_url,
            )
        return locked


# --- Interest in reuse ("wij willen dit ook") ---------------------------------------------------


def register_reuse_interest(
    grant, *, organisation, message: str = "", user, base_url: str = ""
) -> ReuseInterest:
    """R-SHARE: a city or municipality that is neither the lead nor a partner says it wants to
    reuse the project (join the framework agreement, buy the same). One per organisation."""
    message = _clean_text(message, MESSAGE_MAX, "message")
    if organisation is None:
        raise RegisterError(
            _("Choose the city or municipality you speak for."), field="organisation"
        )
    with transaction.atomic():
        locked = lock_grant(grant)
        require(user, "payments.register_reuse_interest", locked)
        if (
            organisation.pk not in member_organisation_ids(user)
            or organisation.type not in LOCAL_GOVERNMENT_TYPES
            or organisation.pk in involved_organisation_ids(locked)
        ):
            raise RegisterError(
                _("Choose a city or municipality you are a member of that is not in this project."),
                field="organisation",
            )
        if ReuseInterest.objects.filter(grant=locked, organisation=organisation).exists():
            raise _already_interested(organisation)
        try:
            with transaction.atomic():
                interest = ReuseInterest.objects.create(
                    grant=locked,
                    organisation=organisation,
                    contact=user,
                    message=message,
                    created_at=timezone.now(),
                )
        except IntegrityError as error:  # a colleague was a moment earlier
            raise _already_interested(organisation) from error
        with translation.override(settings.LANGUAGE_CODE):
            link = portal_link(base_url, reverse("register:end_results", args=[locked.reference]))
            lines = [
                _("Hello,"),
                _("%(organisation)s wants to reuse your project %(reference)s (%(title)s).")
                % {
                    "organisation": organisation.name,
                    "reference": locked.reference,
                    "title": locked.application.title,
                },
                _("Contact: %(name)s, %(email)s")
                % {"name": user.get_full_name() or user.email, "email": user.email},
            ]
            if message:
                lines.append(message)
            lines.append(_("See who is interested: %(link)s") % {"link": link})
            mail_after_commit(
                _("A municipality wants to reuse %(reference)s") % {"reference": locked.reference},
                lines,
                organisation_emails(locked.organisation),
            )
        return interest
