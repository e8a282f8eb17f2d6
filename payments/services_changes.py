"""Changes during execution (R-CHANGE): the lead applicant asks, the call manager decides.

An approved change updates the grant's baseline (end date, approved total cost) or its partners,
saved with a `_change_reason` that starts with "R-CHANGE" so the grant's history keeps the version
before and the version after. A partner who leaves is never deleted (its cost lines and the
submitted application refer to it): the departure is recorded on the grant's history and the
partner reports no costs dated after it.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applications.models import ApplicationPartner, PartnerRole
from cot_portal.accounts.models import PARTNER_TYPES, Organisation
from cot_portal.accounts.selectors import organisation_emails

from . import rules_costs
from .models import ChangeKind, ChangeRequest, ChangeStatus, Grant
from .selectors_costs import departure_dates
from .services_common import lock_grant
from .services_costs import Refused

JOINING_ROLES = (PartnerRole.PARTICIPANT, PartnerRole.FOLLOWER)


def _current_partner(grant, organisation_id) -> ApplicationPartner | None:
    """The organisation's partner row, unless it left by an approved change."""
    if organisation_id in departure_dates(grant.changes.all()):
        return None
    return (
        ApplicationPartner.objects.filter(
            application_id=grant.application_id, organisation_id=organisation_id
        )
        .select_related("organisation")
        .first()
    )


def _joining_error(grant, organisation, role) -> Refused | None:
    if organisation is None:
        return Refused(_("Choose the organisation that joins."), "organisation")
    if organisation.type not in PARTNER_TYPES:
        return Refused(
            _("%(name)s cannot be a partner: companies take part as subcontractors.")
            % {"name": organisation.name},
            "organisation",
        )
    if role not in JOINING_ROLES:
        return Refused(_("Choose the role of the new partner."), "role")
    if _current_partner(grant, organisation.pk) is not None:
        return Refused(
            _("%(name)s is already a partner of this project.") % {"name": organisation.name},
            "organisation",
        )
    return None


def _leaving_error(grant, partner) -> Refused | None:
    if partner is None or partner.application_id != grant.application_id:
        return Refused(_("Choose the partner that leaves."), "partner")
    if partner.role == PartnerRole.COORDINATOR or partner.organisation_id == grant.organisation_id:
        return Refused(
            _("The lead applicant cannot leave the project; VLAIO can stop the grant instead."),
            "partner",
        )
    if _current_partner(grant, partner.organisation_id) is None:
        return Refused(
            _("%(name)s has already left the project.") % {"name": partner.organisation.name},
            "partner",
        )
    return None


def _end_error(grant, end_date) -> Refused | None:
    if end_date is None:
        return Refused(_("Give the new end date."), "end_date")
    problem = rules_costs.later_end_error(
        end_date, grant.end_date, grant.start_date, grant.call.max_duration_months
    )
    return Refused(problem, "end_date") if problem else None


@transaction.atomic
def request_change(
    grant,
    *,
    kind: str,
    description: str,
    user,
    organisation=None,
    role: str = "",
    partner=None,
    approved_total_cost: Decimal | None = None,
    end_date: date | None = None,
) -> ChangeRequest:
    """R-CHANGE: the lead applicant asks VLAIO to approve a change, with what changes and why."""
    locked = lock_grant(grant.pk)
    if not user.has_perm("payments.request_change", locked):
        raise Refused(_("Only the lead applicant asks for changes, while the grant runs."))
    if kind not in ChangeKind.values:
        raise Refused(_("Choose the kind of change."), "kind")
    description = (description or "").strip()
    if not description:
        raise Refused(_("Describe what changes and why."), "description")
    if kind == ChangeKind.PARTNER_JOINS:
        problem = _joining_error(locked, organisation, role)
        proposed = {
            "organisation_id": organisation.pk if organisation else None,
            "organisation_name": organisation.name if organisation else "",
            "role": role,
        }
    elif kind == ChangeKind.PARTNER_LEAVES:
        problem = _leaving_error(locked, partner)
        proposed = {
            "partner_id": partner.pk if partner else None,
            "organisation_id": partner.organisation_id if partner else None,
            "organisation_name": partner.organisation.name if partner else "",
        }
    elif kind == ChangeKind.BUDGET_SHIFT:
        message = rules_costs.total_cost_error(approved_total_cost)
        problem = Refused(message, "approved_total_cost") if message else None
        proposed = (
            {"approved_total_cost": str(approved_total_cost)}
            if approved_total_cost is not None
            else {}
        )
    else:
        problem = _end_error(locked, end_date)
        proposed = {"end_date": end_date.isoformat() if end_date else None}
    if problem is not None:
        raise problem
    change = ChangeRequest(
        grant=locked,
        kind=kind,
        description=description,
        proposed=proposed,
        requested_by=user,
        requested_at=timezone.now(),
    )
    change._history_user = user
    change._change_reason = "R-CHANGE: requested"
    change.save()
    return change


def _save_grant(grant, user, reason: str) -> None:
    grant._history_user = user
    grant._change_reason = reason[:100]
    grant.save()


def _apply(change: ChangeRequest, grant: Grant, user) -> None:
    """R-CHANGE: the approved change updates the baseline; checks what may have changed since
    the request (another approved change) first."""
    proposed = change.proposed
    label = f"R-CHANGE {change.pk}"
    if change.kind == ChangeKind.LATER_END:
        end_date = date.fromisoformat(proposed["end_date"])
        problem = _end_error(grant, end_date)
        if problem is not None:
            raise Refused(problem.message)
        grant.end_date = end_date
        _save_grant(grant, user, f"{label}: later end date")
    elif change.kind == ChangeKind.BUDGET_SHIFT:
        if proposed.get("approved_total_cost"):
            grant.approved_total_cost = Decimal(proposed["approved_total_cost"])
        _save_grant(grant, user, f"{label}: budget shift")
    elif change.kind == ChangeKind.PARTNER_JOINS:
        organisation = Organisation.objects.filter(pk=proposed["organisation_id"]).first()
        problem = _joining_error(grant, organisation, proposed.get("role"))
        if problem is not None:
            raise Refused(problem.message)
        existing = ApplicationPartner.objects.filter(
            application_id=grant.application_id, organisation=organisation
        ).first()
        if existing is None:  # a partner that left and joins again keeps its row
            partner = ApplicationPartner(
                application_id=grant.application_id,
                organisation=organisation,
                role=proposed["role"],
            )
            partner._history_user = user
            partner._change_reason = f"{label}: joins the project"
            partner.save()
        _save_grant(grant, user, f"{label}: {organisation.name} joins")
    else:
        partner = (
            ApplicationPartner.objects.filter(pk=proposed.get("partner_id"))
            .select_related("organisation")
            .first()
        )
        problem = _leaving_error(grant, partner)
        if problem is not None:
            raise Refused(problem.message)
        _save_grant(grant, user, f"{label}: {partner.organisation.name} leaves")


@transaction.atomic
def decide_change(change, *, approve: bool, motivation: str, user, base_url: str = "") -> None:
    """R-CHANGE: the call manager approves or refuses a change, always with a motivation. An
    approval updates the grant's baseline in the same transaction; the lead is e-mailed."""
    grant = lock_grant(change.grant_id)  # the grant first, as every write of the costs area
    locked = ChangeRequest.objects.select_for_update().get(pk=change.pk, grant=grant)
    if not user.has_perm("payments.decide_change", grant):
        raise Refused(_("You cannot decide on changes of this grant."))
    if locked.status != ChangeStatus.REQUESTED:
        raise Refused(
            _("This change was decided already (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    motivation = (motivation or "").strip()
    if not motivation:
        raise Refused(
            _("Give the motivation of the decision: the applicant sees it."), "motivation"
        )
    if approve:
        _apply(locked, grant, user)
    locked.status = ChangeStatus.APPROVED if approve else ChangeStatus.REFUSED
    locked.motivation = motivation
    locked.decided_by = user
    locked.decided_at = timezone.now()
    locked._history_user = user
    locked._change_reason = "R-CHANGE: approved" if approve else "R-CHANGE: refused"
    locked.save()
    _mail_lead(grant, locked, base_url)


def _mail_lead(grant: Grant, change: ChangeRequest, base_url: str) -> None:
    recipients = organisation_emails(grant.organisation)
    if not recipients:
        return
    link = base_url.rstrip("/") + reverse("payments:changes", args=[grant.reference])
    with translation.override(settings.LANGUAGE_CODE):
        if change.status == ChangeStatus.APPROVED:
            subject = _("VLAIO approved the change to %(reference)s") % {
                "reference": grant.reference
            }
        else:
            subject = _("VLAIO refused the change to %(reference)s") % {
                "reference": grant.reference
            }
        body = "\n\n".join(
            [
                _("Hello,"),
                _('Your request "%(kind)s" for the project %(reference)s was decided: %(status)s.')
                % {
                    "kind": change.get_kind_display(),
                    "reference": grant.reference,
                    "status": change.get_status_display(),
                },
                _("Motivation: %(motivation)s") % {"motivation": change.motivation},
                _("See the changes and the project's history in the portal: %(link)s")
                % {"link": link},
                "VLAIO – City of Things",
            ]
        )
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients))
