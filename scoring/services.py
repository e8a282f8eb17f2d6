"""Every change in the jury's work on ideas, one function per intention (ARCHITECTURE.md §2).

Each runs in a transaction and locks what it changes. Views check the object permission first
(permissions.py); the services check again what must hold whatever the caller (a submitted sheet
stays as it is, a published shortlist stays published).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Call, Idea, IdeaStatus
from cot_portal.accounts.models import User
from cot_portal.accounts.permissions import member_organisation_ids
from cot_portal.letters.services import issue_letter

from . import rules
from .models import (
    IdeaAssessment,
    IdeaConflict,
    IdeaConsensus,
    IdeaCriterionScore,
    IdeaScoreSheet,
    SheetStatus,
    ShortlistPublication,
)
from .permissions import JURY_STATUSES


class ScoringError(ValidationError):
    """A refusal with a message for the user (in the user's language)."""


def write_sheet_rows(sheet, *, model, key_field, text_field, keys, values) -> None:
    """Write a juror's per-criterion rows: create, change or leave each, never blank a row.

    `values` maps a criterion key to (points, text); shared by idea and application sheets.
    """
    existing = {getattr(row, key_field): row for row in sheet.scores.all()}
    for key in keys:
        points, text = values.get(key, (None, ""))
        text = (text or "").strip()
        row = existing.get(key)
        if row is None:
            if points is None and not text:
                continue
            model.objects.create(sheet=sheet, points=points, **{key_field: key, text_field: text})
        elif row.points != points or getattr(row, text_field) != text:
            row.points = points
            setattr(row, text_field, text)
            row.save(update_fields=["points", text_field])


def _automatically_conflicted(idea: Idea, juror) -> bool:
    return rules.is_automatically_conflicted(
        member_organisation_ids(juror),
        idea.organisation_id,
        idea.partners.values_list("organisation_id", flat=True),
    )


# --- Conflicts of interest ------------------------------------------------------------------


def declare_idea_conflict(
    *, idea: Idea, juror, has_conflict: bool, reason: str = ""
) -> IdeaConflict:
    """Record a juror's declaration about an idea (R-JURY, seed 000).

    "No conflict" opens the idea for scoring. A conflict is final: it can be declared later,
    over an earlier "no conflict" (the juror's sheet then no longer counts), but never undone.
    A juror who is a member of the idea's organisation or of a partner cannot declare "no
    conflict": the portal records the conflict as automatic instead.
    """
    reason = (reason or "").strip()
    with transaction.atomic():
        Idea.objects.select_for_update().filter(pk=idea.pk).first()
        existing = IdeaConflict.objects.select_for_update().filter(idea=idea, juror=juror).first()
        automatic = _automatically_conflicted(idea, juror)
        if automatic and not has_conflict:
            has_conflict = True
            reason = _("Member of the idea's organisation or of a named partner.")
        if has_conflict and not reason:
            raise ScoringError(_("Say briefly why you have a conflict of interest."))
        if existing is None:
            return IdeaConflict.objects.create(
                idea=idea,
                juror=juror,
                has_conflict=has_conflict,
                reason=reason,
                automatic=automatic,
            )
        if existing.has_conflict or not has_conflict:
            return existing  # a conflict is final; "no conflict" twice changes nothing
        existing.has_conflict = True
        existing.reason = reason
        existing.automatic = automatic
        existing.save(update_fields=["has_conflict", "reason", "automatic"])
        return existing


# --- The juror's score sheet ----------------------------------------------------------------


@dataclass(frozen=True)
class CriterionInput:
    points: Decimal | None
    feedback: str = ""


def save_idea_sheet(
    *, idea: Idea, juror, scores: dict[int, CriterionInput], submit: bool = False
) -> IdeaScoreSheet:
    """Save a juror's scores for an idea as a draft (partial allowed) or submit them (R-SL).

    A submitted sheet is read-only. Points are checked against the call's maxima and step; a
    submission needs points on all six criteria. Raises ScoringError with
    {"points_<n>": message} errors, so a form can show them beside the fields.
    """
    maxima = rules.criterion_maxima(idea.call.shortlist_maxima)
    step = idea.call.score_step
    errors = {}
    for n in rules.CRITERION_NUMBERS:
        value = scores.get(n, CriterionInput(None))
        problem = rules.points_error(value.points, maxima[n], step)
        if problem:
            errors[f"points_{n}"] = problem
    if submit:
        for n in rules.missing_criteria(
            {n: scores.get(n, CriterionInput(None)).points for n in rules.CRITERION_NUMBERS}
        ):
            errors.setdefault(f"points_{n}", _("Give points for this criterion before you submit."))
    if errors:
        raise ScoringError(errors)
    with transaction.atomic():
        locked = Idea.objects.select_for_update().get(pk=idea.pk)
        if locked.status != IdeaStatus.SUBMITTED:
            raise ScoringError(_("The shortlist has been published; scores can no longer change."))
        if IdeaConflict.objects.filter(idea=idea, juror=juror, has_conflict=True).exists() or (
            _automatically_conflicted(idea, juror)
        ):
            raise PermissionDenied
        sheet, _created = IdeaScoreSheet.objects.select_for_update().get_or_create(
            idea=idea, juror=juror
        )
        if sheet.status == SheetStatus.SUBMITTED:
            raise ScoringError(_("You already submitted your scores for this idea."))
        write_sheet_rows(
            sheet,
            model=IdeaCriterionScore,
            key_field="criterion",
            text_field="feedback",
            keys=rules.CRITERION_NUMBERS,
            values={n: (v.points, v.feedback) for n, v in scores.items()},
        )
        if submit:
            sheet.status = SheetStatus.SUBMITTED
            sheet.submitted_at = timezone.now()
        sheet.save()
        return sheet


# --- The call manager's assessment ----------------------------------------------------------


def save_idea_assessment(
    *,
    idea: Idea,
    manager,
    consensus: dict[int, CriterionInput],
    general_feedback: str = "",
    improvement_track: str = "",
    shortlisted: bool | None = None,
) -> IdeaAssessment:
    """Set the consensus per criterion, the feedback and the shortlist decision (R-SL).

    Consensus points are required on all six criteria (the form proposes the jurors' mean);
    they lie between 0 and the maximum, with one decimal. Nothing changes after publication.
    """
    maxima = rules.criterion_maxima(idea.call.shortlist_maxima)
    errors = {}
    for n in rules.CRITERION_NUMBERS:
        problem = rules.consensus_points_error(
            consensus.get(n, CriterionInput(None)).points, maxima[n]
        )
        if problem:
            errors[f"points_{n}"] = problem
    if errors:
        raise ScoringError(errors)
    with transaction.atomic():
        locked = Idea.objects.select_for_update().get(pk=idea.pk)
        if (
            locked.status != IdeaStatus.SUBMITTED
            or ShortlistPublication.objects.filter(call_id=locked.call_id).exists()
        ):
            raise ScoringError(
                _("The shortlist has been published; the assessment can no longer change.")
            )
        assessment = IdeaAssessment.objects.select_for_update().filter(idea=idea).first()
        if assessment is None:
            assessment = IdeaAssessment(idea=idea)
        assessment.shortlisted = shortlisted
        assessment.general_feedback = (general_feedback or "").strip()
        assessment.improvement_track = (improvement_track or "").strip()
        assessment.updated_by = manager
        assessment.save()
        existing = {c.criterion: c for c in assessment.consensus.all()}
        for n in rules.CRITERION_NUMBERS:
            value = consensus[n]
            feedback = (value.feedback or "").strip()
            row = existing.get(n)
            if row is None:
                IdeaConsensus.objects.create(
                    assessment=assessment, criterion=n, points=value.points, feedback=feedback
                )
            elif row.points != value.points or row.feedback != feedback:
                row.points = value.points
                row.feedback = feedback
                row.save(update_fields=["points", "feedback"])
        return assessment


# --- Publishing the shortlist ---------------------------------------------------------------


def publish_shortlist(*, call: Call, manager) -> ShortlistPublication:
    """Publish a call's shortlist, once (R-SL-GATE).

    The call row is locked, so two managers clicking at once publish once. Every submitted idea
    needs a decision and a complete consensus; otherwise nothing changes and the message names
    the ideas that lack one. Each idea moves to shortlisted / not shortlisted through its FSM
    transition; the letters are rendered by a Celery task after the commit. Publishing again
    returns the existing publication and changes nothing.
    """
    from .tasks import issue_shortlist_letters

    with transaction.atomic():
        Call.objects.select_for_update().get(pk=call.pk)
        existing = ShortlistPublication.objects.filter(call=call).first()
        if existing is not None:
            return existing
        ideas = list(
            Idea.objects.select_for_update(of=("self",))
            .filter(call=call, status__in=JURY_STATUSES)
            .select_related("assessment")
            .order_by("reference")
        )
        if not ideas:
            raise ScoringError(_("This call has no submitted ideas to publish a shortlist for."))
        consensus_counts = dict(
            IdeaConsensus.objects.filter(assessment__idea__in=ideas)
            .values_list("assessment__idea_id")
            .annotate(n=Count("pk"))
        )
        decisions = {}
        for idea in ideas:
            assessment = getattr(idea, "assessment", None)
            complete = consensus_counts.get(idea.pk, 0) == len(rules.CRITERION_NUMBERS)
            decisions[idea.reference] = assessment.shortlisted if assessment and complete else None
        missing = rules.undecided(decisions)
        if missing:
            raise ScoringError(
                _("Every submitted idea needs a consensus score and a decision. Missing: %(refs)s.")
                % {"refs": ", ".join(missing)}
            )
        for idea in ideas:
            if idea.status != IdeaStatus.SUBMITTED:
                continue
            if idea.assessment.shortlisted:
                idea.mark_shortlisted()
            else:
                idea.mark_not_shortlisted()
            idea.save(update_fields=["status"])
        publication = ShortlistPublication.objects.create(call=call, published_by=manager)
        transaction.on_commit(lambda: issue_shortlist_letters.delay(call.pk))
        return publication


def shortlist_letter_recipients(idea: Idea) -> list[str]:
    """The members of the idea's organisation and the person who registered it."""
    emails = set(
        User.objects.filter(memberships__organisation_id=idea.organisation_id, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if idea.created_by.email:
        emails.add(idea.created_by.email)
    return sorted(emails)


def issue_shortlist_letter(idea_id: int, *, created_by=None):
    """Render and store the shortlist letter of one idea; skip it if it already has one (R-LETTER).

    Idempotent: the assessment row is locked, so a retried or duplicated task issues one letter.
    Returns the letter, or None when there was nothing to do.
    """
    from . import selectors

    with transaction.atomic():
        assessment = (
            IdeaAssessment.objects.select_for_update(of=("self",))
            .select_related("idea", "idea__call", "idea__organisation", "idea__created_by")
            .filter(idea_id=idea_id)
            .first()
        )
        if assessment is None or assessment.letter_id is not None:
            return None
        idea = assessment.idea
        if idea.status not in (IdeaStatus.SHORTLISTED, IdeaStatus.NOT_SHORTLISTED):
            return None
        summary = selectors.idea_summary(idea)
        shortlisted = idea.status == IdeaStatus.SHORTLISTED
        if shortlisted:
            subject = _("Your project idea %(reference)s is on the shortlist") % {
                "reference": idea.reference
            }
        else:
            subject = _("Your project idea %(reference)s is not on the shortlist") % {
                "reference": idea.reference
            }
        letter = issue_letter(
            kind="shortlist",
            subject=subject,
            template_name="scoring/letters/shortlist.html",
            context={
                "addressee": idea.organisation,
                "letter_date": timezone.now(),
                "reference": idea.reference,
                "idea": idea,
                "call": idea.call,
                "shortlisted": shortlisted,
                "summary": summary,
                "total_maximum": rules.total_points(
                    rules.criterion_maxima(idea.call.shortlist_maxima)
                ),
                "assessment": assessment,
            },
            organisation=idea.organisation,
            recipients=shortlist_letter_recipients(idea),
            body=subject,
            about=idea,
            created_by=created_by,
            filename=f"shortlist-{idea.reference}.pdf",
        )
        assessment.letter = letter
        assessment.save(update_fields=["letter"])
        return letter


def issue_shortlist_letters(call_id: int) -> int:
    """Issue every missing shortlist letter of a published call; returns how many were issued."""
    if not ShortlistPublication.objects.filter(call_id=call_id).exists():
        return 0
    idea_ids = IdeaAssessment.objects.filter(
        idea__call_id=call_id,
        letter__isnull=True,
        idea__status__in=(IdeaStatus.SHORTLISTED, IdeaStatus.NOT_SHORTLISTED),
    ).values_list("idea_id", flat=True)
    return sum(issue_shortlist_letter(pk) is not None for pk in list(idea_ids))
