"""Reads of the co-creation track (R-COCREATE) for pages and dashboard panels.

Every function returns what a page needs in a fixed number of queries, whatever the number of
sessions, registrations or attendances (counts are subqueries, relations are joined).
Registrations and attendance of an organisation are only ever read for the organisations the
user acts for, or for a call manager.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from cot_portal.accounts.models import LOCAL_GOVERNMENT_TYPES, Organisation, OrganisationType
from cot_portal.accounts.permissions import member_organisation_ids

from .attendance_import import OrganisationRef
from .models import Attendance, Call, CoCreationSession, SessionRegistration
from .rules import is_full, places_left

# --- small pure helpers ------------------------------------------------------------------------


# --- calls and sessions ------------------------------------------------------------------------


def call_for_year(year: int) -> Call | None:
    return Call.objects.filter(year=year).first()


def _count(model, **filters):
    return Coalesce(
        Subquery(
            model.objects.filter(session=OuterRef("pk"), **filters)
            .order_by()
            .values("session")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _annotated_sessions(user) -> QuerySet[CoCreationSession]:
    """Sessions with registration and attendance counts, and whether `user` registered."""
    qs = CoCreationSession.objects.select_related("call").annotate(
        registration_count=_count(SessionRegistration),
        attendance_count=_count(Attendance),
    )
    if user is not None and user.is_authenticated:
        qs = qs.annotate(
            user_registered=Exists(
                SessionRegistration.objects.filter(session=OuterRef("pk"), user=user)
            )
        )
    else:
        qs = qs.annotate(user_registered=Value(False))
    return qs.order_by("starts_at", "pk")


def _with_places(sessions) -> list[CoCreationSession]:
    """Set `places_left` (None: no limit) and `is_full` on annotated sessions."""
    sessions = list(sessions)
    for session in sessions:
        session.places_left = places_left(session.capacity, session.registration_count)
        session.is_full = is_full(session.capacity, session.registration_count)
    return sessions


def sessions_for_call(call: Call, user) -> list[CoCreationSession]:
    return _with_places(_annotated_sessions(user).filter(call=call))


def session_for_call(call: Call, pk: int, user) -> CoCreationSession | None:
    found = _with_places(_annotated_sessions(user).filter(call=call, pk=pk))
    return found[0] if found else None


def upcoming_sessions(user, limit: int = 10) -> list[CoCreationSession]:
    """Sessions that have not ended yet of calls that are open: a call's co-creation track
    runs until its application deadline."""
    now = timezone.now()
    return _with_places(
        _annotated_sessions(user).filter(ends_at__gt=now, call__application_deadline__gt=now)[
            :limit
        ]
    )


# --- registrations and attendance --------------------------------------------------------------


def session_registrations(session: CoCreationSession) -> list[SessionRegistration]:
    """Every registration of a session: for the call manager only."""
    return list(
        session.registrations.select_related("organisation", "user").order_by(
            "organisation__name", "user__last_name", "user__first_name"
        )
    )


def own_registrations(session: CoCreationSession, user) -> list[SessionRegistration]:
    """Registrations of the organisations the user acts for (themselves and colleagues)."""
    ids = member_organisation_ids(user)
    if not ids:
        return []
    return list(
        session.registrations.filter(organisation_id__in=ids)
        .select_related("organisation", "user")
        .order_by("organisation__name", "user__last_name", "user__first_name")
    )


def session_attendances(session: CoCreationSession) -> list[Attendance]:
    """Everyone who attended a session: for the call manager only."""
    return list(session.attendances.select_related("organisation", "recorded_by"))


def organisation_attendances(
    user, *, call: Call | None = None, session: CoCreationSession | None = None
) -> list[Attendance]:
    """Attendance of the user's organisations: at one session, of one call, or of all open
    calls."""
    ids = member_organisation_ids(user)
    if not ids:
        return []
    qs = Attendance.objects.filter(organisation_id__in=ids).select_related(
        "session", "session__call", "organisation"
    )
    if session is not None:
        qs = qs.filter(session=session)
    elif call is not None:
        qs = qs.filter(session__call=call)
    else:
        qs = qs.filter(session__call__application_deadline__gt=timezone.now())
    return list(qs.order_by("organisation__name", "session__starts_at", "person_name"))


def attended_sessions_by_organisation(attendances: list[Attendance]) -> list[dict]:
    """[{organisation, sessions: [session, …]}]: each session once per organisation."""
    grouped: dict[int, dict] = {}
    for attendance in attendances:
        entry = grouped.setdefault(
            attendance.organisation_id,
            {"organisation": attendance.organisation, "sessions": [], "_seen": set()},
        )
        if attendance.session_id not in entry["_seen"]:
            entry["_seen"].add(attendance.session_id)
            entry["sessions"].append(attendance.session)
    return [
        {"organisation": e["organisation"], "sessions": e["sessions"]} for e in grouped.values()
    ]


def has_attended(call: Call, organisation_id: int) -> bool:
    """Did anyone of the organisation attend a session of the call? The admissibility check
    flags a lead applicant without attendance (R-COCREATE position)."""
    return Attendance.objects.filter(session__call=call, organisation_id=organisation_id).exists()


def attendance_keys(session: CoCreationSession) -> set[tuple[int, str]]:
    """(organisation id, case-folded name) of everyone already recorded for a session."""
    from .attendance_import import person_key

    return {
        person_key(org_id, name)
        for org_id, name in session.attendances.values_list("organisation_id", "person_name")
    }


# --- organisations -----------------------------------------------------------------------------


def attendance_organisations() -> QuerySet[Organisation]:
    """Organisations attendance can be recorded for: every active one except VLAIO itself."""
    return (
        Organisation.objects.filter(active=True)
        .exclude(type=OrganisationType.FUNDER)
        .order_by("name")
    )


def organisation_refs_for_import() -> list[OrganisationRef]:
    return [
        OrganisationRef(id=pk, name=name, nis_code=nis, enterprise_number=kbo)
        for pk, name, nis, kbo in attendance_organisations().values_list(
            "pk", "name", "nis_code", "enterprise_number"
        )
    ]


def local_governments() -> QuerySet[Organisation]:
    """Cities, municipalities and the VGC: the ones R-COCREATE obliges to attend."""
    return Organisation.objects.filter(type__in=LOCAL_GOVERNMENT_TYPES, active=True)


def local_governments_without_attendance(call: Call) -> QuerySet[Organisation]:
    """Local governments with no recorded attendance at any session of the call, by name.

    `registered` tells whether someone of the organisation registered for a session of the
    call (they may have registered and not come).
    """
    attended = Attendance.objects.filter(organisation=OuterRef("pk"), session__call=call)
    registered = SessionRegistration.objects.filter(organisation=OuterRef("pk"), session__call=call)
    return (
        local_governments()
        .filter(~Exists(attended))
        .annotate(registered=Exists(registered))
        .order_by("name", "pk")
    )


@dataclass(frozen=True)
class CallCoCreationSummary:
    call: Call
    session_count: int
    local_government_count: int
    attended_count: int

    @property
    def not_attended_count(self) -> int:
        return max(self.local_government_count - self.attended_count, 0)


def call_summaries(calls: QuerySet[Call] | None = None) -> list[CallCoCreationSummary]:
    """Per call: its sessions, and how many local governments attended none (two queries)."""
    total = local_governments().count()
    sessions = (
        CoCreationSession.objects.filter(call=OuterRef("pk"))
        .order_by()
        .values("call")
        .annotate(n=Count("pk"))
        .values("n")
    )
    attended_lg = Q(
        sessions__attendances__organisation__type__in=LOCAL_GOVERNMENT_TYPES,
        sessions__attendances__organisation__active=True,
    )
    qs = (calls if calls is not None else Call.objects.all()).annotate(
        session_count=Coalesce(Subquery(sessions, output_field=IntegerField()), Value(0)),
        attended_count=Count(
            "sessions__attendances__organisation", filter=attended_lg, distinct=True
        ),
    )
    return [
        CallCoCreationSummary(
            call=call,
            session_count=call.session_count,
            local_government_count=total,
            attended_count=call.attended_count,
        )
        for call in qs.order_by("-year")
    ]
