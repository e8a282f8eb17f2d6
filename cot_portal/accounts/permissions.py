"""Predicates about who someone is, shared by every app's object permissions.

Apps combine these into object permissions in their own permissions.py (ARCHITECTURE.md §3).
"""

import rules

from .models import StaffRole


@rules.predicate
def is_call_manager(user):
    return user.is_authenticated and user.has_staff_role(StaffRole.CALL_MANAGER)


@rules.predicate
def is_jury_member(user):
    return user.is_authenticated and user.has_staff_role(StaffRole.JURY_MEMBER)


@rules.predicate
def is_finance_officer(user):
    return user.is_authenticated and user.has_staff_role(StaffRole.FINANCE_OFFICER)


is_vlaio_staff = is_call_manager | is_jury_member | is_finance_officer


def member_organisation_ids(user) -> set[int]:
    """The organisations a user acts for (cached on the user object for one request)."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_member_organisation_ids", None)
    if cached is None:
        cached = set(user.memberships.values_list("organisation_id", flat=True))
        user._member_organisation_ids = cached
    return cached


@rules.predicate
def is_member_of_organisation(user, organisation):
    return organisation is not None and organisation.pk in member_organisation_ids(user)


@rules.predicate
def has_organisation(user):
    return bool(member_organisation_ids(user))


rules.add_perm("accounts.view_organisation", is_member_of_organisation | is_vlaio_staff)
