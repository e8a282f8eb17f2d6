import rules

from cot_portal.accounts.permissions import is_call_manager

rules.add_perm("applications.change_call", is_call_manager)
