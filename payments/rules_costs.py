"""Pure rules of the costs area: changes during execution (R-CHANGE) and cost totals (R-COSTS).

No database: services, forms and selectors pass plain values in.
"""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from applications.rules import latest_end
from cot_portal.formatting import short_date

ZERO = Decimal("0")


def later_end_error(new_end: date, current_end: date, start: date, max_months: int) -> str | None:
    """R-CHANGE: a later end date lies after the current end and within the call's maximum
    duration (R-DUR, 36 months) counted from the start of the project period."""
    if new_end <= current_end:
        return _("The new end date must be later than the current end date (%(day)s).") % {
            "day": short_date(current_end)
        }
    last = latest_end(start, max_months)
    if new_end > last:
        return _(
            "The project may last at most %(months)s months: the end date can be %(day)s at the latest."
        ) % {"months": max_months, "day": short_date(last)}
    return None


def total_cost_error(amount: Decimal | None) -> str | None:
    """R-CHANGE: a new approved total cost, when given, is a positive amount."""
    if amount is not None and amount <= ZERO:
        return _("The approved total cost must be more than € 0,00.")
    return None


def share(part: Decimal, whole: Decimal) -> Decimal:
    """`part` as a share of `whole` (0 when there is no whole), to a tenth of a percent."""
    if whole <= ZERO:
        return ZERO
    return (part / whole).quantize(Decimal("0.001"))
