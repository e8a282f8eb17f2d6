"""The rules of execution and money as pure functions on plain values (SPEC.md §7, §9).

R-START, R-TR1, R-TR2, R-TR3 (the conditions of each tranche, shown with their figures), R-ELIG
(only costs inside the project period), R-SETTLE (final support, balance, recovery), R-STOP and
four-eyes. Nothing here touches the database: services and selectors pass values in.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from applications.rules import Check, add_months, floor_cent
from cot_portal.formatting import euro, short_date
from scoring.ranking import format_share, tranche_schedule

ZERO = Decimal("0")
CENT = Decimal("0.01")

__all__ = ["tranche_schedule"]


# --- Dates --------------------------------------------------------------------------------------


def latest_start(decision_date: date, months: int) -> date:
    """R-START: the project starts at the latest `months` (6) after the award decision."""
    return add_months(decision_date, months)


def halfway(start: date, end: date) -> date:
    """R-TR2: the day halfway through the project period (rounded down to whole days)."""
    return start + (end - start) // 2


def final_request_deadline(end: date, months: int) -> date:
    """R-TR3: tranche 3 is requested within `months` (3) after the project end."""
    return add_months(end, months)


def in_period(day: date, start: date, end: date) -> bool:
    """R-ELIG: a cost counts only when dated inside the approved project period (both ends in)."""
    return start <= day <= end


def period_error(day: date, start: date, end: date) -> str | None:
    """R-ELIG: why a cost line's date is refused, or None."""
    if day < start:
        return _(
            "Costs dated %(day)s fall before the project period (%(start)s – %(end)s) and are not eligible."
        ) % {"day": short_date(day), "start": short_date(start), "end": short_date(end)}
    if day > end:
        return _(
            "Costs dated %(day)s fall after the project period (%(start)s – %(end)s) and are not eligible."
        ) % {"day": short_date(day), "start": short_date(start), "end": short_date(end)}
    return None


def start_error(actual: date, earliest: date, latest: date) -> str | None:
    """R-START: the actual start lies between the submission (own risk) and the latest start."""
    if actual < earliest:
        return _("The project cannot start before the application was submitted (%(day)s).") % {
            "day": short_date(earliest)
        }
    if actual > latest:
        return _("The project must start by %(day)s at the latest (R-START).") % {
            "day": short_date(latest)
        }
    return None


# --- Tranche conditions -------------------------------------------------------------------------


def tranche1_checks(
    *,
    started_on: date | None,
    today: date,
    conditions: str,
    conditions_met: bool,
    agreement_accepted: bool,
    agreement_submitted: bool,
) -> list[Check]:
    """R-TR1: the project has started, the decision's conditions are met, and the signed
    cooperation agreement is delivered (R-COOP) and accepted by VLAIO."""
    checks = []
    if started_on is not None and started_on <= today:
        checks.append(
            Check(
                "R-START",
                True,
                _("The project started on %(day)s.") % {"day": short_date(started_on)},
            )
        )
    elif started_on is not None:
        checks.append(
            Check(
                "R-START",
                False,
                _("The project starts on %(day)s; request tranche 1 from that day.")
                % {"day": short_date(started_on)},
            )
        )
    else:
        checks.append(Check("R-START", False, _("Enter the actual start date of the project.")))
    if not conditions.strip():
        checks.append(Check("R-TR1", True, _("The decision sets no further conditions.")))
    elif conditions_met:
        checks.append(
            Check("R-TR1", True, _("VLAIO confirmed that the decision's conditions are met."))
        )
    else:
        checks.append(
            Check(
                "R-TR1",
                False,
                _(
                    "VLAIO has not yet confirmed that the decision's conditions are met: %(conditions)s"
                )
                % {"conditions": conditions.strip()},
            )
        )
    if agreement_accepted:
        checks.append(Check("R-COOP", True, _("The signed cooperation agreement is accepted.")))
    elif agreement_submitted:
        checks.append(
            Check(
                "R-COOP", False, _("The signed cooperation agreement is waiting for VLAIO's check.")
            )
        )
    else:
        checks.append(Check("R-COOP", False, _("Upload the signed cooperation agreement.")))
    return checks


def cost_share_check(reported: Decimal, approved_total: Decimal, minimum_share: Decimal) -> Check:
    """R-TR2: reported costs at least `minimum_share` (50%) of the approved total cost, with
    the figures ("reported costs € 410.000,00 = 41% of € 1.000.000,00; at least 50% needed")."""
    needed = minimum_share * approved_total
    share = (reported / approved_total) if approved_total > ZERO else ZERO
    figures = {
        "reported": euro(reported),
        "share": format_share(share.quantize(Decimal("0.001"))),
        "total": euro(approved_total),
        "minimum": format_share(minimum_share),
    }
    return Check(
        "R-TR2",
        reported >= needed,
        _("Reported costs %(reported)s = %(share)s of %(total)s; at least %(minimum)s needed.")
        % figures,
    )


def tranche2_checks(
    *,
    today: date,
    start: date,
    end: date,
    interim_report: str,
    reported_costs: Decimal,
    approved_total: Decimal,
    minimum_share: Decimal,
    tranche1_paid: bool,
) -> list[Check]:
    """R-TR2: at the earliest halfway through the project, an interim content report delivered,
    and at least 50% of the approved total cost reported. `interim_report` is "accepted",
    "submitted" or "" (none)."""
    middle = halfway(start, end)
    checks = [
        Check(
            "R-TR1",
            tranche1_paid,
            _("Tranche 1 is paid.") if tranche1_paid else _("Tranche 1 must be paid first."),
        ),
        Check(
            "R-TR2",
            today >= middle,
            (
                _("Halfway through the project since %(day)s.")
                if today >= middle
                else _("Tranche 2 can be requested from %(day)s, halfway through the project.")
            )
            % {"day": short_date(middle)},
        ),
    ]
    if interim_report:
        checks.append(Check("R-TR2", True, _("The interim content report is delivered.")))
    else:
        checks.append(Check("R-TR2", False, _("Deliver the interim content report.")))
    checks.append(cost_share_check(reported_costs, approved_total, minimum_share))
    return checks


def tranche3_checks(
    *,
    today: date,
    end: date,
    deadline: date,
    final_report: str,
    end_results: bool,
    tranche2_paid: bool,
) -> list[Check]:
    """R-TR3: after the project end, with the final content and financial report and the end
    results. A request after `deadline` (3 months after the end) may still be sent, but it is
    marked late for finance (`is_late`)."""
    checks = [
        Check(
            "R-TR2",
            tranche2_paid,
            _("Tranche 2 is paid.") if tranche2_paid else _("Tranche 2 must be paid first."),
        ),
        Check(
            "R-TR3",
            today > end,
            (
                _("The project ended on %(day)s.")
                if today > end
                else _("Tranche 3 can be requested after the project end (%(day)s).")
            )
            % {"day": short_date(end)},
        ),
    ]
    if final_report:
        checks.append(
            Check("R-TR3", True, _("The final content and financial report is delivered."))
        )
    else:
        checks.append(Check("R-TR3", False, _("Deliver the final content and financial report.")))
    checks.append(
        Check(
            "R-TR3",
            end_results,
            _("The end results are delivered (award report, framework agreement, playbook).")
            if end_results
            else _("Deliver the end results: award report, framework agreement and playbook."),
        )
    )
    if today > deadline:
        checks.append(
            Check(
                "R-TR3",
                True,
                _("Requested after the deadline of %(day)s: finance is told it is late.")
                % {"day": short_date(deadline)},
                warning=True,
            )
        )
    return checks


def is_late(today: date, deadline: date) -> bool:
    return today > deadline


def may_request(checks: list[Check]) -> bool:
    """A request is sent only when every condition is met (warnings do not block)."""
    return all(c.ok or c.warning for c in checks)


# --- R-SETTLE, R-STOP ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SettlementFigures:
    final_support: Decimal
    balance: Decimal  # final support − paid; negative means a recovery of -balance

    @property
    def recovery(self) -> Decimal:
        return -self.balance if self.balance < ZERO else ZERO

    @property
    def to_pay(self) -> Decimal:
        return self.balance if self.balance > ZERO else ZERO


def settle(
    *, awarded: Decimal, accepted_cost: Decimal, income: Decimal, paid: Decimal, rate: Decimal
) -> SettlementFigures:
    """R-SETTLE, SPEC.md §9: final = min(awarded, floor_cent(rate × accepted cost), accepted cost
    − income), never below € 0; balance = final − paid. A negative balance is a recovery of
    exactly that amount, so paid − recovered = final support."""
    if min(awarded, accepted_cost, income, paid) < ZERO:
        raise ValueError("Amounts cannot be negative.")
    final = max(ZERO, min(awarded, floor_cent(rate * accepted_cost), accepted_cost - income))
    return SettlementFigures(final_support=final, balance=final - paid)


def stop_repayment_error(repayment: Decimal, paid: Decimal) -> str | None:
    """R-STOP: what may be claimed back is between € 0 and what was paid."""
    if repayment < ZERO:
        return _("The repayment cannot be negative.")
    if repayment > paid:
        return _("The repayment (%(claim)s) cannot exceed what was paid (%(paid)s).") % {
            "claim": euro(repayment),
            "paid": euro(paid),
        }
    return None


def four_eyes_error(proposer_id: int, approver_id: int) -> str | None:
    """A payment is approved by a second, different finance officer."""
    if proposer_id == approver_id:
        return _("You proposed this payment; a second finance officer must approve it.")
    return None
