"""Pure rules of the settlement and the recovery letter (R-SETTLE, R-STOP; SPEC.md §7, §9).

`payments.rules.settle` computes the final support; this module explains it: the three caps
with the one that binds (shown in the settlement page and letter), the payment term of a
recovery and its Belgian structured communication. Nothing here touches the database.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from applications.rules import floor_cent
from scoring.ranking import format_share

ZERO = Decimal("0")
PAYMENT_TERM_DAYS = 30


@dataclass(frozen=True)
class Cap:
    """One of the three caps of the final support, with its amount and whether it binds."""

    code: str  # "awarded" | "rate" | "net"
    label: str
    amount: Decimal
    binding: bool = False


def settlement_caps(
    *, awarded: Decimal, accepted_cost: Decimal, income: Decimal, rate: Decimal
) -> list[Cap]:
    """R-SETTLE, SPEC.md §9: final = min(awarded, floor_cent(rate × accepted cost), accepted cost
    − income). The first cap with the lowest amount is marked binding (the final support is that
    amount, or € 0 when accepted cost − income is negative)."""
    caps = [
        Cap("awarded", _("Awarded amount"), awarded),
        Cap(
            "rate",
            _("%(rate)s of the accepted cost (rounded down to the cent)")
            % {"rate": format_share(rate)},
            floor_cent(rate * accepted_cost),
        ),
        Cap("net", _("Accepted cost minus income"), accepted_cost - income),
    ]
    lowest = min(cap.amount for cap in caps)
    binding = next(i for i, cap in enumerate(caps) if cap.amount == lowest)
    return [
        Cap(cap.code, cap.label, cap.amount, binding=(i == binding)) for i, cap in enumerate(caps)
    ]


def payment_due(day: date, days: int = PAYMENT_TERM_DAYS) -> date:
    """A recovery is paid back within `days` (30) calendar days of the letter."""
    return day + timedelta(days=days)


def structured_communication(number: int) -> str:
    """The Belgian structured communication (`+++000/0001/23456+++`) of a recovery, so VLAIO's
    bank matches the repayment: ten digits and a check of two (their remainder by 97, 97 for 0)."""
    if number < 0 or number >= 10**10:
        raise ValueError("A structured communication holds ten digits.")
    check = number % 97 or 97
    digits = f"{number:010d}{check:02d}"
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"
