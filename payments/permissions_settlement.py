"""Permissions of the settlement area (imported by payments/permissions.py): settlement
(R-SETTLE), recovery and the stop decision (R-STOP).

- Everybody who may read the grant reads its settlement page: the lead applicant's and the
  partners' members (the result, once settled), unconflicted finance officers and call managers
  (the computation before it too).
- A finance officer who is not a member of the beneficiary or a partner settles.
- A call manager who is not a member of the beneficiary or a partner stops.

These say *who* may act; *whether the grant allows it now* (running, tranche 3 requested, no
cost line pending, …) is checked by the service, which answers with the reasons, so a second
click on "settle" is told the grant is settled already instead of getting a 404.
"""

import rules

from .permissions import is_unconflicted_finance, is_unconflicted_manager, may_read_grant

rules.add_perm("payments.view_settlement", may_read_grant)
# Staff see the computation (with figures) before the grant is settled.
rules.add_perm("payments.preview_settlement", is_unconflicted_finance | is_unconflicted_manager)
rules.add_perm("payments.settle_grant", is_unconflicted_finance)
rules.add_perm("payments.stop_grant", is_unconflicted_manager)
