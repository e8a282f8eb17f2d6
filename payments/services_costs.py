"""Cost statements (R-COSTS, R-ELIG): the lead applicant reports lines, finance checks them.

Every function re-checks the permission on the locked row, records who did it in the history and
refuses with a `Refused` whose message is for the user (and `field` names the form field it is
about, when there is one).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import CostCategory
from applications.services.application import ApplicationError, check_upload, safe_filename
from cot_portal.formatting import short_date

from . import rules
from .errors import PaymentsError
from .models import CostStatementLine, LineStatus
from .selectors_costs import departure_dates
from .services_common import lock_grant


class Refused(PaymentsError):
    """A refusal about one field of the form (or the whole form when `field` is None)."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message, field=field)


def _lock_line(line) -> CostStatementLine:
    lock_grant(line.grant_id)
    return CostStatementLine.objects.select_for_update().select_related("grant").get(pk=line.pk)


@transaction.atomic
def add_cost_line(
    grant, *, partner, category, date, description, amount, evidence, user
) -> CostStatementLine:
    """R-COSTS: the lead applicant reports one incurred cost with its evidence. R-ELIG: a line
    dated outside the project period [start, end] is refused with the reason."""
    try:
        check_upload(evidence)
    except ApplicationError as error:
        raise Refused(str(error), "evidence") from error
    locked = lock_grant(grant.pk)
    if not user.has_perm("payments.add_cost_line", locked):
        raise Refused(_("Only the lead applicant reports costs, while the grant runs."))
    if partner is None or partner.application_id != locked.application_id:
        raise Refused(_("Choose one of the project's partners."), "partner")
    if category not in CostCategory.values:
        raise Refused(_("Choose a cost category."), "category")
    problem = rules.period_error(date, locked.start_date, locked.end_date)
    if problem:
        raise Refused(problem, "date")
    left_on = departure_dates(locked.changes.all()).get(partner.organisation_id)
    if left_on is not None and date > left_on:
        raise Refused(
            _(
                "%(partner)s left the project on %(day)s: only its costs up to that day can be reported."
            )
            % {"partner": partner.organisation.name, "day": short_date(left_on)},
            "date",
        )
    description = (description or "").strip()
    if not description:
        raise Refused(_("Describe the cost, e.g. the invoice number and supplier."), "description")
    if amount is None or amount <= 0:
        raise Refused(_("The amount must be more than € 0,00."), "amount")
    line = CostStatementLine(
        grant=locked,
        partner=partner,
        category=category,
        date=date,
        description=description,
        amount=amount,
        created_by=user,
        created_at=timezone.now(),
    )
    line.evidence.save(safe_filename(evidence.name), evidence, save=False)
    line._history_user = user
    line._change_reason = "R-COSTS: line reported"
    line.save()
    return line


@transaction.atomic
def withdraw_cost_line(line, *, user) -> None:
    """R-COSTS: the lead applicant withdraws a line that finance has not checked yet."""
    locked = _lock_line(line)
    if locked.status != LineStatus.PENDING:
        raise Refused(_("Finance has checked this line already; it can no longer be withdrawn."))
    if not user.has_perm("payments.withdraw_cost_line", locked):
        raise Refused(_("Only the lead applicant withdraws lines, while the grant runs."))
    evidence = locked.evidence
    storage, name = evidence.storage, evidence.name
    locked._history_user = user
    locked._change_reason = "R-COSTS: line withdrawn"
    locked.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _check(line: CostStatementLine, *, accept: bool, reason: str, user) -> None:
    line.status = LineStatus.ACCEPTED if accept else LineStatus.REJECTED
    line.reason = reason
    line.checked_by = user
    line.checked_at = timezone.now()
    line._history_user = user
    line._change_reason = "R-COSTS: accepted" if accept else "R-COSTS: rejected"
    line.save()


@transaction.atomic
def check_cost_line(line, *, accept: bool, reason: str, user) -> CostStatementLine:
    """R-COSTS: finance accepts a line, or rejects it with a reason the applicant sees."""
    locked = _lock_line(line)
    if not user.has_perm("payments.check_cost_line", locked):
        raise Refused(_("You cannot check the costs of this grant."))
    if locked.status != LineStatus.PENDING:
        raise Refused(
            _("This line was checked already (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    reason = (reason or "").strip()
    if not accept and not reason:
        raise Refused(_("Give the reason for the rejection: the applicant sees it."), "reason")
    _check(locked, accept=accept, reason=reason, user=user)
    return locked


@transaction.atomic
def accept_pending(grant, *, line_ids, user) -> int:
    """R-COSTS: finance accepts, at once, the lines it saw waiting for the check (`line_ids`).
    A line added or checked meanwhile is left as it is. Returns how many were accepted."""
    locked = lock_grant(grant.pk)
    if not user.has_perm("payments.check_cost_line", locked):
        raise Refused(_("You cannot check the costs of this grant."))
    lines = list(
        CostStatementLine.objects.select_for_update()
        .filter(grant=locked, pk__in=list(line_ids), status=LineStatus.PENDING)
        .order_by("pk")
    )
    if not lines:
        raise Refused(_("No line on the page is waiting for the check any more."))
    for line in lines:
        _check(line, accept=True, reason="", user=user)
    return len(lines)
