"""Every change in the jury's work on full applications, one function per intention (issue 7).

The same shape as services.py for ideas: each function runs in a transaction, locks what it
changes and checks again what must hold whatever the caller (the view checked the object
permission first). Point checks come from ranking.py (R-SCORE), the automatic conflict from
rules.py (R-JURY, seed 000).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationStatus, Call
from cot_portal.accounts.permissions import is_call_manager, member_organisation_ids

from . import ranking, rules
from .models import (
    ApplicationConflict,
    ApplicationCriterionScore,
    ApplicationScoreSheet,
    JuryAssignment,
    JuryKind,
    JuryMember,
    SheetStatus,
)
from .services import ScoringError, write_sheet_rows


def _require_manager(user):
    if not is_call_manager(user):
        raise PermissionDenied


def automatically_conflicted(application: Application, juror) -> bool:
    """A member of the lead applicant or of any partner organisation (R-JURY, seed 000)."""
    return rules.is_automatically_conflicted(
        member_organisation_ids(juror),
        application.organisation_id,
        application.partners.values_list("organisation_id", flat=True),
    )


def call_section_maxima(call: Call) -> dict[str, Decimal]:
    """The maximum per section A, B, C of this call (R-SCORE, 30/40/30 by default)."""
    return {"A": call.section_a_max, "B": call.section_b_max, "C": call.section_c_max}


def call_maxima(call: Call) -> dict[str, Decimal]:
    """The maximum per sub-criterion A1–C3 for this call's section maxima (R-SCORE)."""
    return ranking.subcriterion_maxima(call_section_maxima(call))


# --- The jury of a call (the call manager) --------------------------------------------------


def add_jury_member(*, call: Call, user, kind: str = JuryKind.STAFF, manager) -> JuryMember:
    """Put a person on the call's jury; adding someone twice changes nothing."""
    _require_manager(manager)
    if kind not in JuryKind.values:
        raise ScoringError(_("Choose VLAIO staff or external expert."))
    if not user.is_active:
        raise ScoringError(_("This account is not active."))
    with transaction.atomic():
        Call.objects.select_for_update().get(pk=call.pk)
        member, _created = JuryMember.objects.get_or_create(
            call=call, user=user, defaults={"kind": kind, "added_by": manager}
        )
        return member


def remove_jury_member(*, member: JuryMember, manager) -> None:
    """Take a person off the jury, with their assignments; refused once they scored."""
    _require_manager(manager)
    with transaction.atomic():
        locked = JuryMember.objects.select_for_update().filter(pk=member.pk).first()
        if locked is None:
            return
        if ApplicationScoreSheet.objects.filter(
            juror_id=locked.user_id, application__call_id=locked.call_id
        ).exists():
            raise ScoringError(
                _("%(name)s has already scored applications and stays on the jury.")
                % {"name": locked.user}
            )
        locked.delete()


def assign_applications(
    *,
    call: Call,
    manager,
    members: Iterable[JuryMember] | None = None,
    applications: Iterable[Application] | None = None,
) -> int:
    """Assign admissible applications of the call to jury members; returns how many are new.

    Without a choice: every admissible application to every member. Existing assignments stay.
    Members of another call and applications that are not admissible are refused.
    """
    _require_manager(manager)
    with transaction.atomic():
        Call.objects.select_for_update().get(pk=call.pk)
        member_qs = JuryMember.objects.filter(call=call)
        application_qs = Application.objects.filter(call=call, status=ApplicationStatus.ADMISSIBLE)
        if members is not None:
            wanted = {m.pk for m in members}
            member_qs = member_qs.filter(pk__in=wanted)
            if member_qs.count() != len(wanted):
                raise ScoringError(_("Choose members of this call's jury."))
        if applications is not None:
            wanted = {a.pk for a in applications}
            application_qs = application_qs.filter(pk__in=wanted)
            if application_qs.count() != len(wanted):
                raise ScoringError(_("Choose admissible applications of this call."))
        member_ids = list(member_qs.values_list("pk", flat=True))
        application_ids = list(application_qs.values_list("pk", flat=True))
        existing = set(
            JuryAssignment.objects.filter(
                juror_id__in=member_ids, application_id__in=application_ids
            ).values_list("application_id", "juror_id")
        )
        new = [
            JuryAssignment(application_id=a, juror_id=m)
            for a in application_ids
            for m in member_ids
            if (a, m) not in existing
        ]
        # bulk_create skips history; create one by one so every assignment is recorded.
        for assignment in new:
            assignment.save()
        return len(new)


# --- Conflicts of interest (the juror) ------------------------------------------------------


def declare_application_conflict(
    *, application: Application, juror, has_conflict: bool, reason: str = ""
) -> ApplicationConflict:
    """Record a juror's declaration about an application (R-JURY, seed 000).

    As for ideas: "no conflict" opens the application; a conflict is final and can be declared
    over an earlier "no conflict"; a member of the lead or of a partner is conflicted
    automatically, whatever they declare.
    """
    reason = (reason or "").strip()
    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=application.pk).first()
        existing = (
            ApplicationConflict.objects.select_for_update()
            .filter(application=application, juror=juror)
            .first()
        )
        automatic = automatically_conflicted(application, juror)
        if automatic and not has_conflict:
            has_conflict = True
            reason = _("Member of the lead applicant or of a partner organisation.")
        if has_conflict and not reason:
            raise ScoringError(_("Say briefly why you have a conflict of interest."))
        if existing is None:
            return ApplicationConflict.objects.create(
                application=application,
                juror=juror,
                has_conflict=has_conflict,
                reason=reason,
                automatic=automatic,
            )
        if existing.has_conflict or not has_conflict:
            return existing
        existing.has_conflict = True
        existing.reason = reason
        existing.automatic = automatic
        existing.save(update_fields=["has_conflict", "reason", "automatic"])
        return existing


# --- The juror's score sheet ----------------------------------------------------------------


@dataclass(frozen=True)
class SubCriterionInput:
    points: Decimal | None
    motivation: str = ""


def score_errors(
    call: Call, scores: Mapping[str, SubCriterionInput], *, submit: bool
) -> dict[str, str]:
    """{"points_A1": message, "motivation_A1": message} for what is wrong (R-SCORE)."""
    maxima = call_maxima(call)
    errors = {}
    for code in ranking.SUBCRITERION_CODES:
        value = scores.get(code, SubCriterionInput(None))
        problem = ranking.valid_points(value.points, maxima[code], call.score_step)
        if problem:
            errors[f"points_{code}"] = problem
        elif submit and value.points is None:
            errors[f"points_{code}"] = _("Give points for this sub-criterion before you submit.")
        if submit and not (value.motivation or "").strip():
            errors[f"motivation_{code}"] = _("Motivate your points before you submit.")
    return errors


def save_application_sheet(
    *,
    application: Application,
    juror,
    scores: Mapping[str, SubCriterionInput],
    submit: bool = False,
) -> ApplicationScoreSheet:
    """Save a juror's scores as a draft (partial allowed) or submit them (R-SCORE).

    A submission needs points and a motivation on all ten sub-criteria; a submitted sheet is
    read-only until the call manager reopens it. Raises ScoringError with field errors.
    """
    errors = score_errors(application.call, scores, submit=submit)
    if errors:
        raise ScoringError(errors)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != ApplicationStatus.ADMISSIBLE:
            raise ScoringError(_("This application can no longer be scored."))
        if (
            not JuryAssignment.objects.filter(
                application=locked, juror__user=juror, juror__call_id=locked.call_id
            ).exists()
            or ApplicationConflict.objects.filter(
                application=locked, juror=juror, has_conflict=True
            ).exists()
            or automatically_conflicted(locked, juror)
        ):
            raise PermissionDenied
        sheet, _created = ApplicationScoreSheet.objects.select_for_update().get_or_create(
            application=locked, juror=juror
        )
        if sheet.status == SheetStatus.SUBMITTED:
            raise ScoringError(_("You already submitted your scores for this application."))
        write_sheet_rows(
            sheet,
            model=ApplicationCriterionScore,
            key_field="code",
            text_field="motivation",
            keys=ranking.SUBCRITERION_CODES,
            values={code: (v.points, v.motivation) for code, v in scores.items()},
        )
        if submit:
            sheet.status = SheetStatus.SUBMITTED
            sheet.submitted_at = timezone.now()
        sheet.save()
        return sheet


def reopen_application_sheet(
    *, sheet: ApplicationScoreSheet, manager, reason: str = ""
) -> ApplicationScoreSheet:
    """The call manager reopens a submitted sheet; who and when are recorded on it."""
    _require_manager(manager)
    with transaction.atomic():
        locked = ApplicationScoreSheet.objects.select_for_update().get(pk=sheet.pk)
        if locked.status != SheetStatus.SUBMITTED:
            raise ScoringError(_("Only submitted scores can be reopened."))
        locked.status = SheetStatus.DRAFT
        locked.submitted_at = None
        locked.reopened_by = manager
        locked.reopened_at = timezone.now()
        locked._change_reason = (reason or "").strip()[:100] or None
        locked.save()
        return locked
