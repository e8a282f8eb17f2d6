"""Who may see and do what on grants and money (ARCHITECTURE.md §3, issue 8).

- The lead applicant's members see and act on their own grants; partners' members read them.
- Finance officers check and pay, except on a grant whose beneficiary (or a partner) they are a
  member of: then they cannot act on it (conflict of interest, four-eyes).
- The call manager checks agreements and reports, decides changes and stops.
An object you may not see answers 404. Area modules add their own permissions below this base.
"""

import rules

from cot_portal.accounts.permissions import (
    is_call_manager,
    is_finance_officer,
    member_organisation_ids,
)


def _grant_of(obj):
    """The grant behind a grant, tranche, payment, report, cost line, … (None for None)."""
    if obj is None:
        return None
    if hasattr(obj, "grant"):
        return obj.grant
    if hasattr(obj, "tranche"):
        return obj.tranche.grant
    return obj


@rules.predicate
def is_grant_lead_member(user, obj):
    grant = _grant_of(obj)
    return grant is not None and grant.organisation_id in member_organisation_ids(user)


@rules.predicate
def is_grant_partner_member(user, obj):
    grant = _grant_of(obj)
    if grant is None:
        return False
    own = member_organisation_ids(user)
    return bool(own) and grant.application.partners.filter(organisation_id__in=own).exists()


@rules.predicate
def is_grant_active(user, obj):
    grant = _grant_of(obj)
    return grant is not None and grant.status == "active"


is_grant_member = is_grant_lead_member | is_grant_partner_member
# A finance officer who belongs to the beneficiary or a partner never acts on that grant.
is_unconflicted_finance = is_finance_officer & ~is_grant_member
is_unconflicted_manager = is_call_manager & ~is_grant_member
# Who reads a grant and everything on it: its members, unconflicted finance and call managers.
may_read_grant = is_grant_member | is_unconflicted_finance | is_unconflicted_manager

rules.add_perm("payments.view_grant", may_read_grant)
rules.add_perm("payments.view_grant_list", is_finance_officer | is_call_manager)

# The areas' own permissions (each module adds its rules with the predicates above).
from . import (  # noqa: E402, F401
    permissions_costs,
    permissions_finance,
    permissions_grant,
    permissions_register,
    permissions_settlement,
)
