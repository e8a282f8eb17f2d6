import rules

from cot_portal.accounts.permissions import (
    is_call_manager,
    is_finance_officer,
    member_organisation_ids,
)


@rules.predicate
def is_addressee(user, letter):
    return letter is not None and letter.organisation_id in member_organisation_ids(user)


rules.add_perm("letters.view_letter", is_addressee | is_call_manager | is_finance_officer)
