"""Factories for the co-creation track (R-COCREATE): sessions, registrations, attendance."""

from datetime import timedelta

import factory
from django.utils import timezone

from applications.models import (
    Attendance,
    AttendanceSource,
    Call,
    CoCreationSession,
    SessionKind,
    SessionRegistration,
)
from tests.factories import UserFactory, open_call


def _latest_call() -> Call:
    return Call.objects.order_by("-year").first() or open_call()


class CoCreationSessionFactory(factory.django.DjangoModelFactory):
    """A session a week from now, two hours long, on site, for 30 people."""

    class Meta:
        model = CoCreationSession

    call = factory.LazyFunction(_latest_call)
    kind = SessionKind.INFORMATION
    title = factory.Sequence(lambda n: f"Infosessie slimme stad {n}")
    description = "Toelichting bij de oproep en de co-creatietrajecten."
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    location = "VLAIO, Koning Albert II-laan 35, 1030 Brussel"
    online_url = ""
    capacity = 30


def registration(session, user, organisation=None) -> SessionRegistration:
    """Register a member for a session (first organisation of the user by default)."""
    if organisation is None:
        organisation = user.memberships.select_related("organisation").first().organisation
    return SessionRegistration.objects.create(session=session, organisation=organisation, user=user)


def attendance(
    session, organisation, person_name="Jan Peeters", recorded_by=None, **kw
) -> Attendance:
    return Attendance.objects.create(
        session=session,
        organisation=organisation,
        person_name=person_name,
        person_email=kw.pop("person_email", ""),
        source=kw.pop("source", AttendanceSource.MANUAL),
        recorded_by=recorded_by or UserFactory(),
        **kw,
    )
