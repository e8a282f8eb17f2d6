"""What the lead applicant delivers during execution, the call manager's checks, and the tranche
requests (issue 8; R-START, R-COOP, R-TR1, R-TR2, R-TR3, R-KPI).

One function per intention; each runs in one transaction, locks what it changes, checks the
permission again (the views answer 404 before), records the change in the model's history and
queues its e-mail after the commit. A refusal is a `PaymentsError` with a message for the user.

    set_actual_start(grant, day, user)                       R-START
    upload_agreement(grant, uploaded, user)                  R-COOP (a new upload supersedes)
    check_agreement(agreement, accepted, note, manager)      the call manager accepts / refuses
    confirm_conditions(grant, manager)                       the decision's conditions are met
    submit_report(grant, kind, summary, kpi_values, ...)     interim / final report, R-KPI
    check_report(report, accepted, note, manager)
    request_tranche(tranche, user)                           R-TR: only when the conditions hold
"""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applications.services.application import ApplicationError, check_upload, safe_filename
from cot_portal.accounts.models import StaffRole
from cot_portal.accounts.selectors import organisation_emails
from cot_portal.formatting import euro, short_date

from . import conditions, rules
from .errors import PaymentsError
from .models import (
    CheckStatus,
    ContentReport,
    CooperationAgreement,
    Grant,
    ReportKind,
    Tranche,
    TrancheRequest,
    TrancheStatus,
)
from .services_common import lock_grant, mail_after_commit, portal_link, require

NOTE_MAX = 5000
SUMMARY_MAX = 20000


# --- Helpers ------------------------------------------------------------------------------------


def _checked_file(uploaded, field: str):
    """The upload, or a PaymentsError beside `field` (wrong type, size or content)."""
    try:
        check_upload(uploaded)
    except ApplicationError as error:
        raise PaymentsError(str(error), field=field) from error
    return uploaded


def _project_link(grant, base_url: str) -> str:
    return portal_link(base_url, reverse("payments:project", args=[grant.reference]))


def _mail_lead(grant, subject: str, lines: list[str], base_url: str) -> None:
    """The lead organisation's members, in the portal's language, with the project's link."""
    with translation.override(settings.LANGUAGE_CODE):
        link = _("See the project page: %(link)s") % {"link": _project_link(grant, base_url)}
        mail_after_commit(
            str(subject),
            [_("Hello,"), *map(str, lines), link],
            organisation_emails(grant.organisation),
        )


def finance_recipients(grant) -> list[str]:
    """The finance officers who may act on `grant`: not members of the beneficiary or a partner."""
    member_orgs = {grant.organisation_id} | set(
        grant.application.partners.values_list("organisation_id", flat=True)
    )
    emails = (
        get_user_model()
        .objects.filter(groups__name=StaffRole.FINANCE_OFFICER, is_active=True)
        .exclude(memberships__organisation_id__in=member_orgs)
        .values_list("email", flat=True)
        .distinct()
    )
    return sorted(e for e in emails if e)


def _note(note: str, accepted: bool, required: str) -> str:
    """The note of a check; `required` is the message when a refusal comes without one."""
    note = (note or "").strip()
    if not accepted and not note:
        raise PaymentsError(required, field="note")
    if len(note) > NOTE_MAX:
        raise PaymentsError(
            _("Keep the note under %(n)s characters.") % {"n": NOTE_MAX}, field="note"
        )
    return note


def _record_check(locked, newest, accepted: bool, note: str, manager, *, messages) -> None:
    """Save the call manager's check on a locked agreement or report: only a submitted one,
    only the newest of its kind, a refusal with a note. `messages` are the refusals
    (already checked, a newer one exists, a refusal without a note)."""
    already, newer, note_required = messages
    if locked.status != CheckStatus.SUBMITTED:
        raise PaymentsError(already)
    if newest is not None and newest.pk != locked.pk:
        raise PaymentsError(newer)
    locked.note = _note(note, accepted, note_required)
    locked.status = CheckStatus.ACCEPTED if accepted else CheckStatus.REFUSED
    locked.checked_by = manager
    locked.checked_at = timezone.now()
    locked._change_reason = locked.status
    locked.save()


# --- R-START ------------------------------------------------------------------------------------


def earliest_start(grant):
    """R-START: a project may start at its own risk from the submission of the application."""
    submitted = grant.application.submitted_at
    return timezone.localdate(submitted) if submitted else grant.decision_date


def set_actual_start(grant, day, user) -> Grant:
    """R-START: the lead applicant records the actual start, between the submission and the
    latest start (6 months after the award). Fixed once tranche 1 is requested."""
    with transaction.atomic():
        locked = lock_grant(grant)
        require(user, "payments.set_actual_start", locked)
        first = locked.tranches.get(number=1)
        if first.status != TrancheStatus.OPEN and locked.actual_start_date is not None:
            raise PaymentsError(
                _("The start date is fixed once tranche 1 is requested."), field="day"
            )
        problem = rules.start_error(day, earliest_start(locked), locked.latest_start)
        if problem:
            raise PaymentsError(problem, field="day")
        if locked.actual_start_date == day:
            return locked
        locked.actual_start_date = day
        locked._change_reason = f"actual start {day.isoformat()}"
        locked.save(update_fields=["actual_start_date"])
        return locked


# --- R-COOP -------------------------------------------------------------------------------------


def upload_agreement(grant, uploaded, user) -> CooperationAgreement:
    """R-COOP: the signed cooperation agreement. A new upload supersedes the earlier ones and
    waits for the call manager's check (status submitted)."""
    _checked_file(uploaded, "file")
    with transaction.atomic():
        locked = lock_grant(grant)
        require(user, "payments.upload_agreement", locked)
        agreement = CooperationAgreement(grant=locked, uploaded_by=user, uploaded_at=timezone.now())
        agreement.file.save(f"samenwerking-{safe_filename(uploaded.name)}", uploaded, save=False)
        agreement._change_reason = "uploaded"
        agreement.save()
        return agreement


def check_agreement(agreement, accepted: bool, note: str, manager, *, base_url: str = ""):
    """R-COOP: the call manager accepts the latest uploaded agreement, or refuses it with a
    note the applicant reads (e-mailed to the lead after the commit)."""
    with transaction.atomic():
        locked = (
            CooperationAgreement.objects.select_for_update(of=("self",))
            .select_related("grant__organisation", "grant__application", "grant__call")
            .get(pk=agreement.pk)
        )
        grant = locked.grant
        require(manager, "payments.check_agreement", grant)
        _record_check(
            locked,
            conditions.latest_agreement(grant),
            accepted,
            note,
            manager,
            messages=(
                _("This agreement was already checked."),
                _("A newer agreement was uploaded; check that one."),
                _("Explain why the agreement is refused: the applicant reads your note."),
            ),
        )
        with translation.override(settings.LANGUAGE_CODE):
            if accepted:
                subject = _("Your cooperation agreement for %(reference)s is accepted") % {
                    "reference": grant.reference
                }
                lines = [_("VLAIO accepted the signed cooperation agreement.")]
            else:
                subject = _("Your cooperation agreement for %(reference)s is refused") % {
                    "reference": grant.reference
                }
                lines = [
                    _("VLAIO refused the signed cooperation agreement. Upload a corrected one."),
                    locked.note,
                ]
            _mail_lead(grant, subject, lines, base_url)
        return locked


# --- The decision's conditions (R-TR1) ----------------------------------------------------------


def confirm_conditions(grant, manager) -> Grant:
    """R-TR1: the call manager confirms the conditions of the decision letter are met."""
    with transaction.atomic():
        locked = lock_grant(grant)
        require(manager, "payments.confirm_conditions", locked)
        if not (locked.conditions or "").strip():
            raise PaymentsError(_("The decision sets no conditions to confirm."))
        if locked.conditions_met_at is not None:
            raise PaymentsError(
                _("The conditions were already confirmed on %(day)s.")
                % {"day": short_date(locked.conditions_met_at)}
            )
        locked.conditions_met_at = timezone.now()
        locked.conditions_met_by = manager
        locked._change_reason = "conditions met"
        locked.save(update_fields=["conditions_met_at", "conditions_met_by"])
        return locked


# --- Reports (R-TR2, R-TR3, R-KPI) --------------------------------------------------------------


def _kpi_values(kpis, values: dict, *, final: bool) -> dict[str, str]:
    """R-KPI: the values keyed by the application's KPI ids (as text, for JSON). The final
    report is incomplete without a value for every KPI."""
    values = {str(key): value for key, value in (values or {}).items()}
    known = {str(k.pk): k for k in kpis}
    stored, missing = {}, []
    for key, kpi in known.items():
        value = values.get(key)
        if value is None or value == "":
            if final:
                missing.append(kpi.name)
            continue
        try:
            number = Decimal(value)
        except (InvalidOperation, TypeError, ValueError) as error:
            raise PaymentsError(
                _("The value of %(kpi)s is not a number.") % {"kpi": kpi.name},
                field=f"kpi_{key}",
            ) from error
        if not number.is_finite():
            raise PaymentsError(
                _("The value of %(kpi)s is not a number.") % {"kpi": kpi.name},
                field=f"kpi_{key}",
            )
        stored[key] = str(number)
    if missing:
        raise PaymentsError(
            _("The final report needs the value of every KPI (R-KPI). Still missing:"),
            problems=missing,
        )
    return stored


def submit_report(
    grant,
    kind: str,
    summary: str,
    kpi_values: dict,
    file,
    award_report,
    framework_agreement,
    playbook,
    user,
) -> ContentReport:
    """R-TR2 / R-TR3 / R-KPI: an interim or final content report, with the KPI values (keyed by
    the application's KPI ids, each a Decimal). The final report also needs the end results:
    award report, framework agreement and playbook. A new report of a kind supersedes the
    earlier ones and waits for the call manager's check."""
    if kind not in ReportKind.values:
        raise PaymentsError(_("Choose the interim or the final report."), field="kind")
    final = kind == ReportKind.FINAL
    summary = (summary or "").strip()
    if not summary:
        raise PaymentsError(_("Summarise the progress of the project."), field="summary")
    if len(summary) > SUMMARY_MAX:
        raise PaymentsError(
            _("Keep the summary under %(n)s characters.") % {"n": SUMMARY_MAX}, field="summary"
        )
    if not file:
        raise PaymentsError(_("Upload the report."), field="file")
    _checked_file(file, "file")
    ends = {
        "award_report": award_report,
        "framework_agreement": framework_agreement,
        "playbook": playbook,
    }
    if final:
        labels = {
            "award_report": _("Upload the award report."),
            "framework_agreement": _("Upload the framework agreement."),
            "playbook": _("Upload the playbook for other municipalities."),
        }
        for name, uploaded in ends.items():
            if not uploaded:
                raise PaymentsError(labels[name], field=name)
    for name, uploaded in ends.items():
        if uploaded:
            _checked_file(uploaded, name)
    with transaction.atomic():
        locked = lock_grant(grant)
        require(user, "payments.submit_report", locked)
        values = _kpi_values(list(locked.application.kpis.all()), kpi_values, final=final)
        report = ContentReport(
            grant=locked,
            kind=kind,
            summary=summary,
            kpi_values=values,
            submitted_by=user,
            submitted_at=timezone.now(),
        )
        prefix = "eindrapport" if final else "tussentijds-rapport"
        report.file.save(f"{prefix}-{safe_filename(file.name)}", file, save=False)
        for name, uploaded in ends.items():
            if uploaded:
                getattr(report, name).save(safe_filename(uploaded.name), uploaded, save=False)
        report._change_reason = "submitted"
        report.save()
        return report


def check_report(report, accepted: bool, note: str, manager, *, base_url: str = ""):
    """The call manager accepts the latest report of its kind, or refuses it with a note."""
    with transaction.atomic():
        locked = (
            ContentReport.objects.select_for_update(of=("self",))
            .select_related("grant__organisation", "grant__application", "grant__call")
            .get(pk=report.pk)
        )
        grant = locked.grant
        require(manager, "payments.check_report", grant)
        _record_check(
            locked,
            conditions.latest_reports(grant)[locked.kind],
            accepted,
            note,
            manager,
            messages=(
                _("This report was already checked."),
                _("A newer report of this kind was submitted; check that one."),
                _("Explain why the report is refused: the applicant reads your note."),
            ),
        )
        with translation.override(settings.LANGUAGE_CODE):
            label = ReportKind(locked.kind).label
            if accepted:
                subject = _("Your report for %(reference)s is accepted") % {
                    "reference": grant.reference
                }
                lines = [_("VLAIO accepted your report: %(kind)s.") % {"kind": label}]
            else:
                subject = _("Your report for %(reference)s is refused") % {
                    "reference": grant.reference
                }
                lines = [
                    _("VLAIO refused your report: %(kind)s. Submit a corrected one.")
                    % {"kind": label},
                    locked.note,
                ]
            _mail_lead(grant, subject, lines, base_url)
        return locked


# --- Tranche requests (R-TR) --------------------------------------------------------------------


def request_tranche(tranche, user, *, base_url: str = "") -> TrancheRequest:
    """R-TR1 / R-TR2 / R-TR3: the lead applicant requests a tranche.

    Refused, with the list of what is missing, unless every condition holds (`rules.may_request`;
    a warning does not block). The request keeps the conditions as evaluated now, as JSON; a
    tranche 3 request after the final-request deadline is marked late for finance. The finance
    officers who may act on the grant get an e-mail after the commit.
    """
    with transaction.atomic():
        locked = (
            Tranche.objects.select_for_update(of=("self",))
            .select_related("grant__call", "grant__application", "grant__organisation")
            .get(pk=tranche.pk)
        )
        grant = locked.grant
        require(user, "payments.request_tranche", grant)
        if locked.status != TrancheStatus.OPEN:
            raise PaymentsError(
                _("Tranche %(n)s is already requested (status: %(status)s).")
                % {"n": locked.number, "status": locked.get_status_display()}
            )
        today = timezone.localdate()
        checks = conditions.tranche_checks(locked, today)
        if not rules.may_request(checks):
            raise PaymentsError(
                _("Tranche %(n)s cannot be requested yet. Still missing:") % {"n": locked.number},
                problems=conditions.missing(checks),
            )
        late = locked.number == 3 and rules.is_late(today, conditions.final_deadline(grant))
        request = TrancheRequest.objects.create(
            tranche=locked,
            requested_by=user,
            requested_at=timezone.now(),
            checks=conditions.checks_as_json(checks),
            late=late,
        )
        locked.mark_requested()
        locked._change_reason = "requested"
        locked.save()
        _mail_finance(grant, locked, late, base_url, request)
        return request


def _mail_finance(grant, tranche, late: bool, base_url: str, request) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Tranche %(n)s of %(reference)s waits for your check") % {
            "n": tranche.number,
            "reference": grant.reference,
        }
        lines = [
            _("Hello,"),
            _(
                '%(organisation)s requests tranche %(n)s (%(amount)s) of "%(title)s" (%(reference)s).'
            )
            % {
                "organisation": grant.organisation.name,
                "n": tranche.number,
                "amount": euro(tranche.scheduled_amount),
                "title": grant.application.title,
                "reference": grant.reference,
            },
        ]
        if late:
            lines.append(
                _("The request came after the deadline of %(day)s.")
                % {"day": short_date(conditions.final_deadline(grant))}
            )
        check_path = reverse("payments:finance_request", args=[request.pk])
        lines.append(
            _("Check the request in the portal: %(link)s")
            % {"link": f"{base_url.rstrip('/')}{check_path}" if base_url else check_path}
        )
        mail_after_commit(str(subject), lines, finance_recipients(grant))
