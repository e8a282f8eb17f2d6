"""Permissions of the costs area (imported by payments/permissions.py): cost statements
(R-COSTS, R-ELIG) and changes during execution (R-CHANGE).

- The lead applicant's members add and withdraw cost lines and request changes while the grant
  runs; the partners' members read both pages.
- A finance officer checks the lines, unless they belong to the beneficiary or a partner.
- The call manager decides on changes (unless they belong to the beneficiary or a partner) and
  reads the cost statements.
"""

import rules

from .permissions import (
    _grant_of,
    is_grant_active,
    is_grant_lead_member,
    is_unconflicted_finance,
    is_unconflicted_manager,
    may_read_grant,
)


@rules.predicate
def is_line_pending(user, line):
    return line is not None and getattr(line, "status", None) == "pending"


@rules.predicate
def is_grant_not_settled(user, obj):
    """Finance still checks lines of a stopped grant (its repayment), not of a settled one."""
    grant = _grant_of(obj)
    return grant is not None and grant.status != "settled"


# Cost statements (R-COSTS, R-ELIG); the object is the grant, or a line for the line rules.
rules.add_perm("payments.view_cost_lines", may_read_grant)
rules.add_perm("payments.add_cost_line", is_grant_lead_member & is_grant_active)
rules.add_perm(
    "payments.withdraw_cost_line", is_grant_lead_member & is_grant_active & is_line_pending
)
rules.add_perm("payments.check_cost_line", is_unconflicted_finance & is_grant_not_settled)
rules.add_perm("payments.export_cost_lines", is_unconflicted_finance | is_unconflicted_manager)
# The evidence of a line, downloaded through core:download.
rules.add_perm("payments.view_coststatementline", may_read_grant)

# Changes during execution (R-CHANGE); the object is the grant.
rules.add_perm("payments.view_changes", may_read_grant)
rules.add_perm("payments.request_change", is_grant_lead_member & is_grant_active)
rules.add_perm("payments.decide_change", is_unconflicted_manager & is_grant_active)
