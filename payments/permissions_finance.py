"""Permissions of the finance area (imported by payments/permissions.py): the check of a tranche
request, the proposal, the four-eyes approval and the SEPA export (issue 8; R-TR, four-eyes).

- Only a finance officer who is not a member of the beneficiary or of a partner of the grant
  (`is_unconflicted_finance`) sees a request or a payment and acts on it; for anyone else the
  page is a 404 and the service raises PermissionDenied.
- No money moves for a stopped grant (R-STOP). A settled grant still gets its balance paid
  (tranche 3, R-SETTLE), so "settled" does not block.
- Four-eyes (the approver is not the proposer) is not a permission: the proposer still sees the
  payment ("waiting for a colleague"); the service refuses with a message and PostgreSQL's
  check constraint refuses whatever the Python code does.
- The finance dashboard and the SEPA batches are for finance officers; a batch holds payments of
  many grants that two unconflicted colleagues already released, so exporting and downloading it
  is plain bookkeeping.
"""

import rules

from cot_portal.accounts.permissions import is_finance_officer

from .permissions import _grant_of, is_unconflicted_finance


@rules.predicate
def is_grant_not_stopped(user, obj):
    """R-STOP: no tranche is proposed or released once the support is stopped."""
    grant = _grant_of(obj)
    return grant is not None and grant.status != "stopped"


finance_acts = is_unconflicted_finance & is_grant_not_stopped

# The dashboard and the SEPA export (no object).
rules.add_perm("payments.view_finance", is_finance_officer)
rules.add_perm("payments.export_sepa", is_finance_officer)
# The check page of a TrancheRequest and its actions (the object is the request or tranche).
rules.add_perm("payments.check_tranche_request", is_unconflicted_finance)
rules.add_perm("payments.refuse_tranche_request", is_unconflicted_finance)
rules.add_perm("payments.propose_payment", finance_acts)
# The payment page and the second officer's decision (the object is the payment).
rules.add_perm("payments.view_payment", is_unconflicted_finance)
rules.add_perm("payments.approve_payment", finance_acts)
rules.add_perm("payments.reject_payment", is_unconflicted_finance)
# The pain.001 file, through core:download (cot_portal/core/files.py asks view_<model>).
rules.add_perm("payments.view_sepabatch", is_finance_officer)
