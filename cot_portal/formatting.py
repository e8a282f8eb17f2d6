"""Belgian display formats for money and dates, in one place (SPEC.md §9)."""

from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel.numbers import parse_pattern
from django.utils import timezone

# babel's format_currency parses its pattern on every call; pages show hundreds of amounts, so
# the pattern and the locale are parsed once (the output is format_currency's, unchanged).
BELGIAN = Locale.parse("nl_BE")
EURO_PATTERN = parse_pattern("¤ #,##0.00")


def euro(amount: Decimal | int | None) -> str:
    """`€ 1.234.567,89` — Belgian notation, two decimals, never rounded silently."""
    if amount is None:
        return ""
    return EURO_PATTERN.apply(Decimal(amount), BELGIAN, currency="EUR", numbering_system="latn")


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
