"""Permissions of the public register and its end results (issue 9, R-SHARE).
Imported at the end of payments/permissions.py.

- Anybody, logged in or not, reads the register and downloads a *published* end result.
- The lead applicant's members upload end results, offer them for publication and see who is
  interested in reuse; the partners' members read their project's results (not yet public).
- The call manager, when not a member of the lead or a partner, approves or refuses publication.
- A member of a city or municipality that is neither the lead nor a partner may say "wij willen
  dit ook" (one interest per organisation, the database enforces it).
"""

import rules

from cot_portal.accounts.permissions import is_call_manager

from .permissions import is_grant_lead_member, is_grant_member, is_unconflicted_manager


@rules.predicate
def end_result_is_published(user, result):
    return result is not None and getattr(result, "status", None) == "published"


@rules.predicate
def end_result_is_open(user, result):
    """Not offered (draft) or refused: the lead may still change, offer or remove it."""
    return result is not None and getattr(result, "status", None) in ("draft", "refused")


@rules.predicate
def end_result_is_requested(user, result):
    return result is not None and getattr(result, "status", None) == "requested"


@rules.predicate
def may_register_interest(user, grant):
    """A member of a local government that is neither the lead nor a partner of `grant`."""
    from .register_selectors import interest_organisations

    return grant is not None and user.is_authenticated and bool(interest_organisations(user, grant))


# Files served by core:download (cot_portal/core/files.py asks `payments.view_endresult`).
rules.add_perm(
    "payments.view_endresult", end_result_is_published | is_grant_member | is_call_manager
)

# The lead applicant's end results (object: the grant, or the end result).
rules.add_perm("payments.manage_end_results", is_grant_lead_member)
rules.add_perm("payments.change_endresult", is_grant_lead_member & end_result_is_open)
rules.add_perm("payments.view_reuse_interests", is_grant_lead_member)

# The call manager's review: the list (no object), then each decision (object: the end result).
rules.add_perm("payments.review_end_results", is_call_manager)
rules.add_perm("payments.decide_endresult", is_unconflicted_manager & end_result_is_requested)

# "Wij willen dit ook" (object: the grant).
rules.add_perm("payments.register_reuse_interest", may_register_interest)
