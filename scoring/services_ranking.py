"""Every change in the consensus, the ranking, the advice and the decision of a call (issue 7).

One function per intention of the call manager. Each runs in a transaction, locks the call (so a
consensus, an adjustment, the advice and the decision cannot interleave), checks the object
permission again and records who and when (simple_history keeps before and after).
The rules are the pure functions of `ranking.py`; the figures come from `selectors_ranking`.
"""

import hashlib
import io
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationStatus, Call, WorkPackage
from cot_portal.letters.rendering import render_pdf
from cot_portal.spreadsheets import append_row

from . import ranking
from . import selectors_ranking as reads
from .models import (
    Advice,
    ConsensusOverride,
    DecisionOutcome,
    DecisionReason,
    GovernmentDecision,
    JuryReview,
    RankingAdjustment,
)
from .services import ScoringError
from .services_applications import call_maxima
from .signals import decision_recorded

ZERO = Decimal("0")


def _lock_call(call: Call) -> Call:
    return Call.objects.select_for_update().get(pk=call.pk)


def _lock(application: Application, manager, perm: str) -> Application:
    """Lock the call and the application, then check the permission on the fresh row."""
    _lock_call(application.call)
    fresh = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    if not manager.has_perm(perm, fresh):
        raise PermissionDenied
    return fresh


def _review(application: Application, manager) -> JuryReview:
    review = JuryReview.objects.filter(application=application).first()
    if review is None:
        review = JuryReview(application=application)
    review.updated_by = manager
    review.updated_at = timezone.now()
    return review


# --- Consensus per sub-criterion (R-SCORE) ----------------------------------------------------


def set_consensus(
    *, application: Application, code: str, points: Decimal, motivation: str, manager
) -> ConsensusOverride:
    """Override the members' mean on one sub-criterion with a written motivation (R-SCORE)."""
    with transaction.atomic():
        application = _lock(application, manager, "scoring.set_consensus")
        if code not in ranking.SUBCRITERION_CODES:
            raise ScoringError(_("Unknown sub-criterion %(code)s.") % {"code": code})
        maximum = call_maxima(application.call)[code]
        error = ranking.valid_points(points, maximum, application.call.score_step)
        if points is None:
            error = _("Give the consensus points.")
        if error:
            raise ScoringError(error)
        motivation = (motivation or "").strip()
        if not motivation:
            raise ScoringError(
                _(
                    "Explain why the consensus differs from the members' mean: the motivation is required."
                )
            )
        override, _created = ConsensusOverride.objects.update_or_create(
            application=application,
            code=code,
            defaults={
                "points": points,
                "motivation": motivation,
                "set_by": manager,
                "set_at": timezone.now(),
            },
        )
        return override


def clear_consensus(*, application: Application, code: str, manager) -> bool:
    """Return to the members' mean on one sub-criterion; the history keeps the override."""
    with transaction.atomic():
        application = _lock(application, manager, "scoring.set_consensus")
        override = ConsensusOverride.objects.filter(application=application, code=code).first()
        if override is None:
            return False
        override._change_reason = f"cleared by {manager.email}"
        override.delete()
        return True


# --- Serious doubts (R-DOUBT), the cut (R-CUT), conditions ------------------------------------


def set_doubt(*, application: Application, doubtful: bool, motivation: str, manager) -> JuryReview:
    """R-DOUBT: flag serious doubts about feasibility or quality (bottom of the ranking), or
    lift the flag. Flagging needs a motivation; lifting keeps the old one in the history."""
    with transaction.atomic():
        application = _lock(application, manager, "scoring.set_consensus")
        motivation = (motivation or "").strip()
        if doubtful and not motivation:
            raise ScoringError(
                _(
                    "Explain the serious doubts: a project is moved to the bottom of the ranking only with a motivation."
                )
            )
        review = _review(application, manager)
        review.doubtful = doubtful
        review.doubt_motivation = motivation if doubtful else ""
        review.save()
        return review


def cut_figures(
    summary: "reads.ApplicationSummary", struck_costs: Decimal, reduction: Decimal
) -> tuple[Decimal, list]:
    """R-CUT on this application's figures: the awarded amount and the checks to show."""
    application = summary.application
    call = application.call
    return ranking.cut_award(
        summary.total_cost,
        application.project_income,
        summary.requested,
        call.max_support_per_project,
        call.max_support_rate,
        struck_costs=struck_costs,
        reduction=reduction,
    )


def save_cut(
    *,
    application: Application,
    work_package_ids: list[int],
    struck_costs: Decimal,
    reduction: Decimal,
    motivation: str,
    manager,
) -> tuple[JuryReview, list]:
    """R-CUT: strike work packages (with the costs that leave with them) and/or reduce the
    support. The award is re-checked against R-RATE and R-MAX on the reduced budget and stored;
    an empty cut (nothing struck, nothing reduced) removes the cut and awards the request again.
    Returns the review and the checks of `ranking.cut_award` to show the manager.
    """
    with transaction.atomic():
        application = _lock(application, manager, "scoring.set_consensus")
        struck_costs = struck_costs or ZERO
        reduction = reduction or ZERO
        if struck_costs < ZERO or reduction < ZERO:
            raise ScoringError(_("Struck costs and reductions cannot be negative."))
        packages = list(
            WorkPackage.objects.filter(application=application, pk__in=work_package_ids or [])
        )
        if len(packages) != len(set(work_package_ids or [])):
            raise ScoringError(_("Choose work packages of this application only."))
        if packages and struck_costs == ZERO:
            raise ScoringError(
                _("Give the costs that leave the budget with the struck work packages.")
            )
        if struck_costs > ZERO and not packages:
            raise ScoringError(_("Tick the work packages whose costs are struck."))
        has_cut = struck_costs > ZERO or reduction > ZERO
        motivation = (motivation or "").strip()
        if has_cut and not motivation:
            raise ScoringError(_("Explain the cut: the motivation goes into the jury's advice."))
        summary = reads.application_summary(application)
        awarded, checks = cut_figures(summary, struck_costs, reduction)
        errors = [c.message for c in checks if not c.ok and not c.warning]
        if errors:
            raise ScoringError(" ".join(errors))
        review = _review(application, manager)
        review.struck_costs = struck_costs
        review.reduction = reduction
        review.cut_motivation = motivation if has_cut else ""
        review.awarded = awarded if has_cut else None
        review.save()
        review.struck_work_packages.set(packages)
        return review, checks


def save_conditions(*, application: Application, conditions: str, manager) -> JuryReview:
    """The conditions the approval letter will state (R-LETTER), for example a signed agreement."""
    with transaction.atomic():
        application = _lock(application, manager, "scoring.set_consensus")
        review = _review(application, manager)
        review.conditions = (conditions or "").strip()
        review.save()
        return review


# --- R-EXTRA ----------------------------------------------------------------------------------


def adjust_ranking(
    *, application: Application, position: int, motivation: str, manager
) -> RankingAdjustment:
    """R-EXTRA: move an application to another position with a motivation, never silently."""
    with transaction.atomic():
        call = _lock_call(application.call)
        if not manager.has_perm("scoring.adjust_ranking", call):
            raise PermissionDenied
        application = Application.objects.get(pk=application.pk)
        if application.call_id != call.pk or application.status != ApplicationStatus.ADMISSIBLE:
            raise ScoringError(_("Only admissible applications of this call are ranked."))
        motivation = (motivation or "").strip()
        if not motivation:
            raise ScoringError(
                _(
                    "Explain the adjustment (portfolio diversity, a fair share for non-centre municipalities, …)."
                )
            )
        if position is None or position < 1:
            raise ScoringError(_("The position is a whole number from 1."))
        adjustment, _created = RankingAdjustment.objects.update_or_create(
            application=application,
            defaults={
                "position": position,
                "motivation": motivation,
                "made_by": manager,
                "made_at": timezone.now(),
            },
        )
        return adjustment


def remove_adjustment(*, application: Application, manager) -> bool:
    with transaction.atomic():
        call = _lock_call(application.call)
        if not manager.has_perm("scoring.adjust_ranking", call):
            raise PermissionDenied
        adjustment = RankingAdjustment.objects.filter(application=application).first()
        if adjustment is None:
            return False
        adjustment.delete()
        return True


# --- The advice to the Government ---------------------------------------------------------------


def _decimal(value: Decimal) -> str:
    return f"{value:.2f}"


def _points(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def advice_rows(result: "reads.CallRanking") -> list[dict]:
    """The ranking as plain values: what the advice PDF, the xlsx and the decision read."""
    rows = []
    for line in result.lines:
        summary, outcome = line.summary, line.outcome
        review = summary.review
        sections = summary.sections
        eligibility = summary.eligibility
        failed = list(eligibility.failed)
        if not summary.complete:
            failed.insert(0, _("The consensus is not complete."))
        elif summary.awarded <= ZERO:
            failed.append(_("After the cut nothing is left to award."))
        rows.append(
            {
                "application_id": summary.application.pk,
                "reference": summary.application.reference,
                "title": summary.application.title,
                "organisation": summary.application.organisation.name,
                "rank": outcome.rank,
                "score_rank": line.score_rank,
                "sections": {
                    s: {
                        "score": _points(sections[s]),
                        "max": _points(summary.section_maxima[s]),
                    }
                    for s in ranking.SECTIONS
                },
                "total": _points(summary.total),
                "eligible": outcome.candidate.eligible,
                "failed": failed,
                "doubtful": summary.doubtful,
                "doubt_motivation": review.doubt_motivation if review else "",
                "requested": _decimal(summary.requested),
                "awarded": _decimal(summary.awarded),
                "cut_motivation": review.cut_motivation if review else "",
                "conditions": review.conditions if review else "",
                "outcome": outcome.outcome,
                "reserve_position": outcome.reserve_position,
                "remaining": _decimal(outcome.remaining),
                "adjustment": (
                    {
                        "position": summary.adjustment.position,
                        "motivation": summary.adjustment.motivation,
                    }
                    if summary.adjustment
                    else None
                ),
            }
        )
    return rows


def advice_workbook(call: Call, rows: list[dict], frozen_at) -> bytes:
    """The advice as an xlsx: one row per application, amounts and scores as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    outcome_labels = {
        ranking.FUNDED: _("Funded"),
        ranking.RESERVE: _("Reserve list"),
        ranking.NOT_ELIGIBLE: _("Not eligible"),
    }
    book = Workbook()
    sheet = book.active
    sheet.title = _("Advice")[:31]
    append_row(sheet, [_("%(call)s – advice to the Flemish Government") % {"call": call.title}])
    append_row(sheet, [_("Envelope"), call.envelope])
    append_row(sheet, [_("Frozen"), timezone.localtime(frozen_at).strftime("%d/%m/%Y %H:%M")])
    append_row(sheet, [])
    header = [
        _("Position"),
        _("Reference"),
        _("Title"),
        _("Lead applicant"),
        "A",
        "B",
        "C",
        _("Total"),
        _("Thresholds met"),
        _("Serious doubts"),
        _("Requested support"),
        _("Awarded amount"),
        _("Outcome"),
        _("Reserve position"),
        _("Adjustment (R-EXTRA)"),
        _("Motivation of the cut"),
    ]
    append_row(sheet, header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    header_row = sheet.max_row
    for row in rows:
        adjustment = row["adjustment"]
        append_row(
            sheet,
            [
                row["rank"],
                row["reference"],
                row["title"],
                row["organisation"],
                *(Decimal(row["sections"][s]["score"]) for s in ranking.SECTIONS),
                Decimal(row["total"]),
                _("yes") if row["eligible"] else " ".join(row["failed"]),
                row["doubt_motivation"] if row["doubtful"] else _("no"),
                Decimal(row["requested"]),
                Decimal(row["awarded"]),
                outcome_labels[row["outcome"]],
                row["reserve_position"],
                (
                    _("to position %(position)s: %(motivation)s")
                    % {
                        "position": adjustment["position"],
                        "motivation": adjustment["motivation"],
                    }
                    if adjustment
                    else ""
                ),
                row["cut_motivation"],
            ],
        )
        for column in (11, 12):
            sheet.cell(row=sheet.max_row, column=column).number_format = "#,##0.00 €"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    for letter, width in zip(
        "ABCDEFGHIJKLMNOP", (9, 16, 40, 28, 7, 7, 7, 8, 40, 30, 16, 16, 14, 10, 40, 40), strict=True
    ):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def freeze_advice(*, call: Call, manager) -> Advice:
    """Freeze the ranking as VLAIO's advice to the Government, with its PDF and xlsx.

    Refused while an application lacks a complete consensus. Freezing again (before the
    decision) replaces the advice; the history keeps the earlier one.
    """
    with transaction.atomic():
        call = _lock_call(call)
        if not manager.has_perm("scoring.freeze_advice", call):
            raise PermissionDenied
        with translation.override(settings.LANGUAGE_CODE):
            result = reads.call_ranking(call)
            if not result.lines:
                raise ScoringError(_("This call has no admissible applications to rank."))
            incomplete = [s.application.reference for s in result.incomplete]
            if incomplete:
                raise ScoringError(
                    _(
                        "The consensus is not complete for %(refs)s: the advice cannot be frozen yet."
                    )
                    % {"refs": ", ".join(incomplete)}
                )
            frozen_at = timezone.now()
            rows = advice_rows(result)
            pdf = render_pdf(
                "scoring/advice/advice_pdf.html",
                {
                    "call": call,
                    "rows": rows,
                    "envelope": call.envelope,
                    "funded_total": result.funded_total,
                    "remaining": result.remaining,
                    "frozen_at": frozen_at,
                    "frozen_by": manager,
                    "section_share": ranking.format_share(call.section_threshold_share),
                    "total_share": ranking.format_share(call.total_threshold_share),
                    "subject": _("Advice to the Flemish Government: %(call)s")
                    % {"call": call.title},
                },
            )
            xlsx = advice_workbook(call, rows, frozen_at)
        advice = Advice.objects.filter(call=call).first() or Advice(call=call)
        advice.envelope = call.envelope
        advice.rows = rows
        advice.frozen_by = manager
        advice.frozen_at = frozen_at
        advice.sha256 = hashlib.sha256(pdf).hexdigest()
        advice.pdf.save(f"advies-{call.year}.pdf", ContentFile(pdf), save=False)
        advice.xlsx.save(f"advies-{call.year}.xlsx", ContentFile(xlsx), save=False)
        advice.save()
        return advice


def decision_facts(rows: list[dict]) -> list[dict]:
    """The rows without their explanatory sentences (the threshold lines are derived from the
    scores, and a reworded translation must not make a frozen advice look changed)."""
    return [{k: v for k, v in row.items() if k != "failed"} for row in rows]


def advice_is_current(
    call: Call, advice: Advice, result: "reads.CallRanking | None" = None
) -> bool:
    """Whether the live ranking still gives the frozen advice: the same applications, scores,
    amounts, outcomes, adjustments, motivations and conditions (nothing changed since).

    `result` is the call's live ranking when the caller has built it already (the ranking page).
    """
    with translation.override(settings.LANGUAGE_CODE):
        live = advice_rows(result if result is not None else reads.call_ranking(call))
    return decision_facts(live) == decision_facts(advice.rows)


# --- The Government's decision ------------------------------------------------------------------


def record_decision(
    *, call: Call, decision_date: date, decision_reference: str, manager
) -> GovernmentDecision:
    """Record the Government's decision on the frozen advice, and its date (R-LETTER gate).

    The decision follows the advice line by line: funded applications are approved with their
    awarded amount, the others are rejected (threshold not met, or envelope exhausted with the
    reserve position). Refused when the ranking changed after the advice was frozen, when the
    date lies in the future or before the advice. `decision_recorded` is sent inside the
    transaction, so what the payments app opens is committed with the decision or not at all;
    the letters are rendered by a Celery task after the commit.
    """
    from .tasks import issue_decision_letters

    with transaction.atomic():
        call = _lock_call(call)
        if not manager.has_perm("scoring.record_decision", call):
            raise PermissionDenied
        advice = Advice.objects.get(call=call)
        today = timezone.localdate()
        if decision_date is None:
            raise ScoringError(_("Give the date of the Government's decision."))
        if decision_date > today:
            raise ScoringError(_("The date of the decision cannot lie in the future."))
        if decision_date < timezone.localdate(advice.frozen_at):
            raise ScoringError(_("The decision cannot predate the advice it decides on."))
        if not advice_is_current(call, advice):
            raise ScoringError(
                _(
                    "The ranking changed after the advice was frozen. Freeze the advice again and send that advice to the Government: the decision recorded here must be the decision on the advice it received."
                )
            )
        decision = GovernmentDecision.objects.create(
            call=call,
            decision_date=decision_date,
            decision_reference=(decision_reference or "").strip(),
            recorded_by=manager,
            recorded_at=timezone.now(),
        )
        applications = Application.objects.select_for_update().in_bulk(
            [row["application_id"] for row in advice.rows]
        )
        for row in advice.rows:
            application = applications[row["application_id"]]
            funded = row["outcome"] == ranking.FUNDED
            reason = {
                ranking.FUNDED: DecisionReason.FUNDED,
                ranking.RESERVE: DecisionReason.RESERVE,
                ranking.NOT_ELIGIBLE: DecisionReason.THRESHOLD,
            }[row["outcome"]]
            DecisionOutcome.objects.create(
                decision=decision,
                application=application,
                approved=funded,
                reason=reason,
                rank=row["rank"],
                reserve_position=row["reserve_position"],
                requested=Decimal(row["requested"]),
                awarded=Decimal(row["awarded"]) if funded else ZERO,
                total_score=Decimal(row["total"]),
                sections=row["sections"],
                failed=row["failed"],
                conditions=row["conditions"] if funded else "",
            )
            if funded:
                application.mark_approved()
            else:
                application.mark_rejected()
            application._change_reason = f"decision of {decision_date.isoformat()}"
            application.save()
        decision_recorded.send(sender=GovernmentDecision, call=call, decision=decision)
        transaction.on_commit(lambda: issue_decision_letters.delay(call.pk))
        return decision
