"""Who may see and do what in the jury's work on ideas (ARCHITECTURE.md §3).

The conflict-of-interest gate (R-JURY, seed 000): a jury member sees an idea's reference, title and
organisations first, declares, and only after declaring "no conflict" sees the idea and scores it.
Membership of the idea's organisation or of a named partner is a conflict the portal computes
itself (it holds even if the juror never declared, or declared "no conflict" before joining).
A conflicted juror sees nothing of the idea: views answer 404.

`selectors.jury_rows` is the twin of these predicates for lists (one query for many ideas).
"""

import rules

from applications.models import ApplicationStatus, IdeaStatus
from applications.permissions import is_application_lead_member, is_application_partner_contact
from cot_portal.accounts.permissions import (
    is_call_manager,
    is_jury_member,
    member_organisation_ids,
)

from . import rules as scoring_rules
from .models import (
    Advice,
    ApplicationConflict,
    DecisionOutcome,
    GovernmentDecision,
    IdeaConflict,
    JuryAssignment,
    JuryMember,
    ShortlistPublication,
)

JURY_STATUSES = (IdeaStatus.SUBMITTED, IdeaStatus.SHORTLISTED, IdeaStatus.NOT_SHORTLISTED)


def declared_conflict(user, idea) -> bool | None:
    """True/False as the juror declared about this idea, None when not declared yet."""
    if not user.is_authenticated or idea is None:
        return None
    return (
        IdeaConflict.objects.filter(idea=idea, juror=user)
        .values_list("has_conflict", flat=True)
        .first()
    )


@rules.predicate
def idea_in_jury_phase(user, idea):
    """Submitted ideas, also after the shortlist was published."""
    return idea is not None and idea.status in JURY_STATUSES


@rules.predicate
def idea_open_for_scoring(user, idea):
    """Scores change only until the shortlist is published (the idea is still `submitted`)."""
    return idea is not None and idea.status == IdeaStatus.SUBMITTED


@rules.predicate
def is_automatically_conflicted(user, idea):
    """A member of the idea's organisation or of a named partner organisation (R-JURY)."""
    if idea is None:
        return False
    own = member_organisation_ids(user)
    if not own:
        return False
    return scoring_rules.is_automatically_conflicted(
        own, idea.organisation_id, (p.organisation_id for p in idea.partners.all())
    )


@rules.predicate
def has_declared_no_conflict(user, idea):
    return declared_conflict(user, idea) is False


@rules.predicate
def has_declared_conflict(user, idea):
    return declared_conflict(user, idea) is True


@rules.predicate
def shortlist_not_published(user, call):
    return call is not None and not ShortlistPublication.objects.filter(call=call).exists()


is_unconflicted_juror = (
    is_jury_member & idea_in_jury_phase & ~is_automatically_conflicted & has_declared_no_conflict
)
may_declare = (
    is_jury_member & idea_in_jury_phase & ~is_automatically_conflicted & ~has_declared_conflict
)

# A jury member's list of ideas of a call (the call object is passed, or nothing).
rules.add_perm("scoring.view_jury_ideas", is_jury_member)
# The declaration page: reference, title, organisation and partners' names only.
rules.add_perm("scoring.declare_idea_conflict", may_declare)
# The idea itself, and the juror's own score sheet.
rules.add_perm("scoring.view_idea_for_jury", is_unconflicted_juror)
rules.add_perm("scoring.score_idea", is_unconflicted_juror & idea_open_for_scoring)
# The call manager: individual scores, consensus, decision; the shortlist of a call.
rules.add_perm("scoring.assess_idea", is_call_manager & idea_in_jury_phase)
rules.add_perm("scoring.decide_idea", is_call_manager & idea_open_for_scoring)
rules.add_perm("scoring.view_shortlist", is_call_manager)
rules.add_perm("scoring.publish_shortlist", is_call_manager & shortlist_not_published)


# --- Phase 2: the jury's work on full applications (issue 7) --------------------------------
#
# The same gate as for ideas, on the call's jury instead of the staff role: a member of the call's
# jury (JuryMember) who is assigned the application (JuryAssignment) sees its reference, title and
# organisations, declares, and only after "no conflict" sees the frozen submission and scores it.
# Membership of the lead applicant or of a partner organisation is an automatic conflict.
# `selectors_applications.jury_application_rows` is the list twin of these predicates.


def declared_application_conflict(user, application) -> bool | None:
    """True/False as the juror declared about this application, None when not declared yet."""
    if not user.is_authenticated or application is None:
        return None
    return (
        ApplicationConflict.objects.filter(application=application, juror=user)
        .values_list("has_conflict", flat=True)
        .first()
    )


@rules.predicate
def is_call_jury_member(user, call):
    return (
        user.is_authenticated
        and call is not None
        and JuryMember.objects.filter(call=call, user=user).exists()
    )


@rules.predicate
def is_assigned_juror(user, application):
    return (
        user.is_authenticated
        and application is not None
        and JuryAssignment.objects.filter(
            application=application,
            juror__user=user,
            juror__call_id=application.call_id,
        ).exists()
    )


@rules.predicate
def application_in_jury_phase(user, application):
    return application is not None and application.status == ApplicationStatus.ADMISSIBLE


@rules.predicate
def is_automatically_conflicted_for_application(user, application):
    """A member of the lead applicant or of any partner organisation (R-JURY)."""
    if application is None:
        return False
    own = member_organisation_ids(user)
    if not own:
        return False
    return scoring_rules.is_automatically_conflicted(
        own,
        application.organisation_id,
        (p.organisation_id for p in application.partners.all()),
    )


@rules.predicate
def has_declared_no_application_conflict(user, application):
    return declared_application_conflict(user, application) is False


@rules.predicate
def has_declared_application_conflict(user, application):
    return declared_application_conflict(user, application) is True


is_unconflicted_application_juror = (
    is_assigned_juror
    & application_in_jury_phase
    & ~is_automatically_conflicted_for_application
    & has_declared_no_application_conflict
)
may_declare_application = (
    is_assigned_juror
    & application_in_jury_phase
    & ~is_automatically_conflicted_for_application
    & ~has_declared_application_conflict
)

# A jury member's list of the applications of a call assigned to them (the call object is passed).
rules.add_perm("scoring.view_jury_applications", is_call_jury_member)
# The declaration page: reference, title, lead applicant and partners' names only.
rules.add_perm("scoring.declare_application_conflict", may_declare_application)
# The frozen submission, its PDF, and the juror's own score sheet.
rules.add_perm("scoring.view_application_for_jury", is_unconflicted_application_juror)
rules.add_perm("scoring.score_application", is_unconflicted_application_juror)
# The call manager: the jury of a call and the assignments; reopening a submitted sheet.
rules.add_perm("scoring.compose_jury", is_call_manager)
rules.add_perm("scoring.reopen_application_sheet", is_call_manager)


# --- Consensus, ranking, advice and decision: the call manager (issue 7, part 2) ------------
#
# The call manager works on every admissible application, unless they are themselves conflicted
# on it (declared, or a member of one of its organisations): then it is a 404 like for any juror.
# Once the Government's decision is recorded nothing of the jury's work changes any more.

DECIDED_STATUSES = (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)
# What the jury ranks: admissible applications, and those the Government decided on.
RANKED_STATUSES = (ApplicationStatus.ADMISSIBLE, *DECIDED_STATUSES)


@rules.predicate
def application_scored_or_decided(user, application):
    return application is not None and application.status in RANKED_STATUSES


@rules.predicate
def call_has_decision(user, call):
    return call is not None and GovernmentDecision.objects.filter(call=call).exists()


@rules.predicate
def application_call_has_decision(user, application):
    return application is not None and call_has_decision(user, application.call)


@rules.predicate
def call_has_advice(user, call):
    return call is not None and Advice.objects.filter(call=call).exists()


unconflicted_manager = (
    is_call_manager
    & ~is_automatically_conflicted_for_application
    & ~has_declared_application_conflict
)

# The consensus page of one application: members' scores, consensus, doubts, cut, thresholds.
rules.add_perm("scoring.view_consensus", unconflicted_manager & application_scored_or_decided)
rules.add_perm(
    "scoring.set_consensus",
    unconflicted_manager & application_in_jury_phase & ~application_call_has_decision,
)
# The ranking of a call, R-EXTRA adjustments, the advice and the Government's decision.
rules.add_perm("scoring.view_ranking", is_call_manager)
rules.add_perm("scoring.adjust_ranking", is_call_manager & ~call_has_decision)
rules.add_perm("scoring.freeze_advice", is_call_manager & ~call_has_decision)
rules.add_perm("scoring.record_decision", is_call_manager & call_has_advice & ~call_has_decision)
rules.add_perm("scoring.view_advice", is_call_manager)

# R-JURY-Q on the jury side: the unconflicted jurors of the application and the call manager see
# the thread and ask while it is in the jury phase.
may_see_questions = is_unconflicted_application_juror | (
    unconflicted_manager & application_scored_or_decided
)
rules.add_perm("scoring.view_jury_questions", may_see_questions)
rules.add_perm(
    "scoring.ask_jury_question",
    may_see_questions & application_in_jury_phase & ~application_call_has_decision,
)

# R-JURY-Q on the applicant's side: the lead applicant answers; partners read along. Neither sees
# who asked. The thread exists from admissibility on and stays readable after the decision.
applicant_reads_questions = (
    is_application_lead_member | is_application_partner_contact
) & application_scored_or_decided
rules.add_perm("scoring.view_questions_as_applicant", applicant_reads_questions)
rules.add_perm(
    "scoring.answer_jury_question",
    is_application_lead_member & application_in_jury_phase & ~application_call_has_decision,
)


# After the decision (R-LETTER): the applicant sees their letter and section scores, nothing else.
@rules.predicate
def application_has_decision_letter(user, application):
    return (
        application is not None
        and application.status in DECIDED_STATUSES
        and DecisionOutcome.objects.filter(application=application, letter__isnull=False).exists()
    )


rules.add_perm(
    "scoring.view_decision_as_applicant",
    (is_application_lead_member | is_application_partner_contact) & application_has_decision_letter,
)
