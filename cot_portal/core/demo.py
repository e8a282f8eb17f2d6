"""Demo data for `make run`: the calls, organisations and one login per role, and (in
demo_lifecycle) a call at the jury's work and a decided call with grants, payments and end results.

Idempotent: running it again changes nothing that exists.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from applications.manual_2025 import CALL_2025
from applications.models import Call
from cot_portal.accounts.groups import ensure_staff_groups
from cot_portal.accounts.models import Membership, MembershipRole, Organisation, StaffRole, User
from cot_portal.accounts.services import sync_local_governments

from .demo_lifecycle import load_lifecycle

DEMO_PASSWORD = "CityOfThings-demo-2025"  # noqa: S105 - shown on purpose: demo only

# Jury members work only in the portal's jury pages; the back office is for these roles.
BACK_OFFICE_ROLES = {StaffRole.CALL_MANAGER, StaffRole.FINANCE_OFFICER}

DEMO_USERS = [
    # (email, first name, last name, staff role, organisation slug or NIS code, membership role)
    ("aanvrager@gent.demo", "An", "Aanvrager", None, "44021", MembershipRole.ADMIN),
    ("partner@kortrijk.demo", "Piet", "Partner", None, "34022", MembershipRole.CONTRIBUTOR),
    ("aanvrager@leuven.demo", "Lien", "Leuvens", None, "24062", MembershipRole.ADMIN),
    ("callmanager@vlaio.demo", "Carla", "Callmanager", StaffRole.CALL_MANAGER, "vlaio", None),
    ("jurylid@vlaio.demo", "Jan", "Jurylid", StaffRole.JURY_MEMBER, "vlaio", None),
    ("expert@jury.demo", "Eva", "Expert", StaffRole.JURY_MEMBER, None, None),
    ("financien@vlaio.demo", "Frank", "Financien", StaffRole.FINANCE_OFFICER, "vlaio", None),
    ("financien2@vlaio.demo", "Fien", "Financien", StaffRole.FINANCE_OFFICER, "vlaio", None),
]

ORGANISATION_DETAILS = {
    "44021": {"enterprise_number": "0207.451.227", "iban": "BE68539007547034"},
    # Demo accounts (valid check digits, not real ones): finance pays the demo grants to them.
    "24062": {"iban": "BE31091001234555"},  # Leuven
    "11002": {"iban": "BE30091002345611"},  # Antwerpen
    "31005": {"iban": "BE29091003456764"},  # Brugge
    "71072": {"iban": "BE28091004567820"},  # Hasselt
    "41002": {"iban": "BE27091005678973"},  # Aalst
}


def _brussels(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def open_call_values(now=None) -> dict:
    """A call whose idea phase is open now, so a newcomer can try the whole lifecycle."""
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    return {
        **CALL_2025,
        "year": today.year + 1,
        "title": f"Oproep City of Things {today.year + 1}",
        "idea_phase_opens": _brussels(today - timedelta(days=30), 0),
        "idea_deadline": _brussels(today + timedelta(days=21), 12),
        "application_deadline": _brussels(today + timedelta(days=90), 23, 59),
        "decision_date_estimated": today + timedelta(days=150),
    }


@transaction.atomic
def load_demo() -> list[tuple[str, str]]:
    """Create the demo world; returns (email, role description) per demo login."""
    sync_local_governments()
    ensure_staff_groups()
    vlaio, _ = Organisation.objects.get_or_create(
        slug="vlaio", defaults={"name": "VLAIO", "type": "funder"}
    )
    for nis, details in ORGANISATION_DETAILS.items():
        Organisation.objects.filter(nis_code=nis).update(**details)
    Call.objects.get_or_create(year=CALL_2025["year"], defaults=CALL_2025)
    open_values = open_call_values()
    Call.objects.get_or_create(year=open_values["year"], defaults=open_values)

    logins = []
    for email, first, last, staff_role, org_key, member_role in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email,
                DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                is_staff=staff_role in BACK_OFFICE_ROLES,
            )
        if staff_role:
            user.groups.add(Group.objects.get(name=staff_role.value))
        organisation = None
        if org_key:
            organisation = (
                vlaio if org_key == "vlaio" else Organisation.objects.get(nis_code=org_key)
            )
            if member_role:
                Membership.objects.get_or_create(
                    user=user, organisation=organisation, defaults={"role": member_role}
                )
        role = staff_role.label if staff_role else f"{organisation.name} ({member_role.label})"
        logins.append((email, str(role)))
    load_lifecycle()
    return logins
