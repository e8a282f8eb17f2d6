"""Permissions of the grant area: the project page, deliverables, tranche requests and the call
manager's checks (issue 8; R-TR, R-COOP, R-START, R-KPI). Imported by payments/permissions.py.

- The lead applicant's members act on an active grant: actual start, agreement, reports,
  tranche requests. Partners' members read.
- The call manager (not a member of the beneficiary or a partner) checks agreements and
  reports and confirms the decision's conditions.
- Finance (unconflicted) reads everything; the files follow the grant.
"""

import rules

from .permissions import (
    is_grant_active,
    is_grant_lead_member,
    is_unconflicted_manager,
    may_read_grant,
)

lead_acts = is_grant_lead_member & is_grant_active
manager_checks = is_unconflicted_manager & is_grant_active

# The lead applicant's intentions (R-START, R-COOP, R-TR2/R-TR3 reports, R-TR requests).
rules.add_perm("payments.set_actual_start", lead_acts)
rules.add_perm("payments.upload_agreement", lead_acts)
rules.add_perm("payments.submit_report", lead_acts)
rules.add_perm("payments.request_tranche", lead_acts)

# The call manager's checks.
rules.add_perm("payments.check_agreement", manager_checks)
rules.add_perm("payments.check_report", manager_checks)
rules.add_perm("payments.confirm_conditions", manager_checks)

# Files served by core:download (cot_portal/core/files.py asks `payments.view_<model>`).
rules.add_perm("payments.view_cooperationagreement", may_read_grant)
rules.add_perm("payments.view_contentreport", may_read_grant)
