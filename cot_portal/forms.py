"""Form fields shared by every app: amounts typed the Belgian way."""

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class EuroField(forms.DecimalField):
    """An amount in euros as people type it in Flanders: `1.234.567,89`, `1234567,89`, `€ 1.234`.

    A lone `.` with two decimals after it (`1234.56`) is read as a decimal point too.
    """

    default_error_messages = {"invalid": _("Enter an amount in euros, e.g. 1.200.000,00.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = normalise_amount(value)
        return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
        return value


def normalise_amount(text: str) -> str:
    """`€ 1.234.567,89` → `1234567.89`; anything unreadable is returned for the field to refuse."""
    cleaned = text.replace("€", "").replace("\xa0", "").replace(" ", "").strip()
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+", cleaned):
        cleaned = cleaned.replace(".", "")
    return cleaned
