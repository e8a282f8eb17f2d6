"""Who may see and change calls, sessions and ideas (applicant side).

The jury's access to ideas is decided in scoring/permissions.py (conflict-of-interest gate).
"""

import rules

from cot_portal.accounts.permissions import (
    has_organisation,
    is_call_manager,
    member_organisation_ids,
)

from .models import IdeaStatus


@rules.predicate
def is_idea_member(user, idea):
    """A member of the organisation that registered the idea."""
    return idea is not None and idea.organisation_id in member_organisation_ids(user)


@rules.predicate
def is_idea_partner_contact(user, idea):
    """A member of an organisation named as intended partner (reads only)."""
    if idea is None:
        return False
    ids = member_organisation_ids(user)
    return bool(ids) and any(p.organisation_id in ids for p in idea.partners.all())


@rules.predicate
def idea_is_draft(user, idea):
    """A draft of a call whose idea deadline has not passed (R-DL1): after it, nothing changes."""
    from django.utils import timezone

    return (
        idea is not None
        and idea.status == IdeaStatus.DRAFT
        and timezone.now() < idea.call.idea_deadline
    )


rules.add_perm("applications.change_call", is_call_manager)
rules.add_perm("applications.add_idea", has_organisation)
rules.add_perm("applications.view_idea", is_idea_member | is_idea_partner_contact | is_call_manager)
rules.add_perm("applications.change_idea", is_idea_member & idea_is_draft)
rules.add_perm("applications.submit_idea", is_idea_member & idea_is_draft)
rules.add_perm("applications.manage_sessions", is_call_manager)
rules.add_perm("applications.register_for_session", has_organisation)


# --- Full applications -----------------------------------------------------------------------


@rules.predicate
def is_application_lead_member(user, application):
    """A member of the lead applicant (coordinator)."""
    return application is not None and application.organisation_id in member_organisation_ids(user)


@rules.predicate
def is_application_partner_contact(user, application):
    """A member of a partner organisation: reads everything, edits its own partner part."""
    if application is None:
        return False
    ids = member_organisation_ids(user)
    return bool(ids) and any(p.organisation_id in ids for p in application.partners.all())


@rules.predicate
def application_is_open(user, application):
    """A draft, or a submitted application VLAIO asked to complete (some sections reopen:
    views and services check which, with Application.section_reopened)."""
    return application is not None and application.status in ("draft", "completion_requested")


rules.add_perm(
    "applications.view_application",
    is_application_lead_member | is_application_partner_contact | is_call_manager,
)
rules.add_perm("applications.change_application", is_application_lead_member & application_is_open)
rules.add_perm(
    "applications.change_own_partner_part",
    (is_application_lead_member | is_application_partner_contact) & application_is_open,
)
rules.add_perm("applications.submit_application", is_application_lead_member & application_is_open)


@rules.predicate
def may_see_attachment(user, attachment):
    return attachment is not None and user.has_perm(
        "applications.view_application", attachment.application
    )


@rules.predicate
def may_see_submission(user, submission):
    return submission is not None and user.has_perm(
        "applications.view_application", submission.application
    )


rules.add_perm("applications.view_attachment", may_see_attachment)
rules.add_perm("applications.view_submission", may_see_submission)

rules.add_perm("applications.check_admissibility", is_call_manager)
