"""Every write of the co-creation track (R-COCREATE): sessions, registrations, attendance.

Each function is one user intention, runs in `transaction.atomic`, and locks the session row it
changes, so capacity and the attendance list stay right under concurrent clicks. History is
recorded by django-simple-history; each write names who did it and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from cot_portal.accounts.permissions import member_organisation_ids

from .. import rules
from .. import selectors_cocreation as selectors
from ..attendance_import import (
    RowError,
    normalise_person_name,
    parse_attendance_file,
    person_key,
)
from ..models import (
    Attendance,
    AttendanceSource,
    Call,
    CoCreationSession,
    SessionRegistration,
)

SESSION_FIELDS = (
    "title",
    "kind",
    "description",
    "starts_at",
    "ends_at",
    "location",
    "online_url",
    "capacity",
)


class CoCreationError(Exception):
    """A refusal the person can act on; `message` is translated."""

    code = "cocreation"
    default_message = _("This is not possible.")

    def __init__(self, message=None):
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))


class SessionFull(CoCreationError):
    code = "full"
    default_message = _("This session is full. You can no longer register for it.")


class RegistrationClosed(CoCreationError):
    code = "closed"
    default_message = _("This session has already started; registration is closed.")


class AlreadyRegistered(CoCreationError):
    code = "already_registered"
    default_message = _("You are already registered for this session.")


class NotRegistered(CoCreationError):
    code = "not_registered"
    default_message = _("You were not registered for this session.")


class DuplicateAttendance(CoCreationError):
    code = "duplicate_attendance"
    default_message = _("This person is already recorded as present for this organisation.")


def _save(instance, *, by, reason: str) -> None:
    instance._change_reason = reason
    if by is not None:
        instance._history_user = by
    instance.save()


def _delete(instance, *, by, reason: str) -> None:
    instance._change_reason = reason
    if by is not None:
        instance._history_user = by
    instance.delete()


def _locked(session: CoCreationSession) -> CoCreationSession:
    return CoCreationSession.objects.select_for_update().get(pk=session.pk)


# --- sessions ----------------------------------------------------------------------------------


@transaction.atomic
def create_session(*, call: Call, by, **values) -> CoCreationSession:
    """A call manager plans an information or inspiration session."""
    session = CoCreationSession(call=call, **{k: values.get(k) for k in SESSION_FIELDS})
    session.description = session.description or ""
    session.location = session.location or ""
    session.online_url = session.online_url or ""
    session.full_clean()
    _save(session, by=by, reason="session planned")
    return session


@transaction.atomic
def update_session(*, session: CoCreationSession, by, **values) -> CoCreationSession:
    """A call manager changes a session. The capacity cannot drop below the registrations."""
    session = _locked(session)
    for name in SESSION_FIELDS:
        if name in values:
            value = values[name]
            if name in {"description", "location", "online_url"}:
                value = value or ""
            setattr(session, name, value)
    registered = session.registrations.count()
    if session.capacity is not None and session.capacity < registered:
        raise ValidationError(
            {
                "capacity": _(
                    "%(count)s people have already registered; the capacity cannot be lower."
                )
                % {"count": registered}
            }
        )
    session.full_clean()
    _save(session, by=by, reason="session changed")
    return session


# --- registrations -----------------------------------------------------------------------------


@transaction.atomic
def register_for_session(*, session: CoCreationSession, organisation, user) -> SessionRegistration:
    """A member registers themselves, for their organisation. Refused when the session is full
    (registrations reach the capacity), has started, or the user is already registered."""
    if organisation.pk not in member_organisation_ids(user):
        raise PermissionDenied
    session = _locked(session)
    if session.starts_at <= timezone.now():
        raise RegistrationClosed
    if session.registrations.filter(user=user).exists():
        raise AlreadyRegistered
    if rules.is_full(session.capacity, session.registrations.count()):
        raise SessionFull
    registration = SessionRegistration(session=session, organisation=organisation, user=user)
    _save(registration, by=user, reason="registered for the session")
    return registration


@transaction.atomic
def cancel_registration(*, session: CoCreationSession, user) -> None:
    """A member cancels their own registration, up to the start of the session."""
    session = _locked(session)
    registration = session.registrations.filter(user=user).first()
    if registration is None:
        raise NotRegistered
    if session.starts_at <= timezone.now():
        raise RegistrationClosed(_("This session has already started; you can no longer cancel."))
    _delete(registration, by=user, reason="registration cancelled")


# --- attendance --------------------------------------------------------------------------------


@transaction.atomic
def record_attendance(
    *,
    session: CoCreationSession,
    organisation,
    person_name: str,
    person_email: str = "",
    by,
) -> Attendance:
    """A call manager records by hand that a person attended for an organisation."""
    session = _locked(session)
    person_name = normalise_person_name(person_name)
    if person_key(organisation.pk, person_name) in selectors.attendance_keys(session):
        raise DuplicateAttendance
    attendance = Attendance(
        session=session,
        organisation=organisation,
        person_name=person_name,
        person_email=(person_email or "").strip(),
        source=AttendanceSource.MANUAL,
        recorded_by=by,
    )
    try:
        with transaction.atomic():
            _save(attendance, by=by, reason="attendance recorded by hand")
    except IntegrityError as exc:  # the unique constraint, should a check above be bypassed
        raise DuplicateAttendance from exc
    return attendance


@transaction.atomic
def remove_attendance(*, attendance: Attendance, by) -> None:
    """A call manager removes an attendance recorded by mistake (history keeps it)."""
    _locked(attendance.session)
    _delete(attendance, by=by, reason="attendance removed")


@dataclass
class AttendanceImportReport:
    created: int = 0
    already_recorded: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_attendance_list(
    *, session: CoCreationSession, filename: str, content: bytes, by
) -> AttendanceImportReport:
    """Import an attendance list (xlsx or csv), all or nothing.

    Every row is checked first; with any bad row nothing is imported and the report lists the
    errors. People already recorded for the session (same organisation and name) are skipped,
    so importing the same list again adds nothing. Raises AttendanceFileRejected when the file
    itself cannot be used.
    """
    result = parse_attendance_file(filename, content, selectors.organisation_refs_for_import())
    if not result.ok:
        return AttendanceImportReport(errors=result.errors)
    with transaction.atomic():
        session = _locked(session)
        existing = selectors.attendance_keys(session)
        new = [
            Attendance(
                session=session,
                organisation_id=row.organisation_id,
                person_name=row.person_name,
                person_email=row.person_email,
                source=AttendanceSource.UPLOAD,
                recorded_by=by,
            )
            for row in result.rows
            if person_key(row.organisation_id, row.person_name) not in existing
        ]
        bulk_create_with_history(
            new,
            Attendance,
            batch_size=500,
            default_user=by,
            default_change_reason=f"attendance list {filename[:80]}",
        )
    return AttendanceImportReport(created=len(new), already_recorded=len(result.rows) - len(new))
