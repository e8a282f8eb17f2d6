"""Belgian display formats for money and dates, in one place (SPEC.md §9)."""

from datetime import date, datetime
from decimal import Decimal

from babel.numbers import format_currency
from django.utils import timezone


def euro(amount: Decimal | int | None) -> str:
    """`€ 1.234.567,89` — Belgian notation, two decimals, never rounded silently."""
    if amount is None:
        return ""
    return format_currency(Decimal(amount), "EUR", locale="nl_BE", format="¤ #,##0.00")


def short_date(value: date | datetime | None) -> str:
    """`14/11/2025`; an aware datetime is first shown in Europe/Brussels."""
    if not value or not hasattr(value, "strftime"):
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return value.strftime("%d/%m/%Y")


def short_datetime(value: datetime | None) -> str:
    """`14/11/2025 23:59` in Europe/Brussels."""
    if not value or not hasattr(value, "strftime"):
        return ""
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
