"""Form fields shared by every app: amounts typed the Belgian way."""

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class BelgianDecimalField(forms.DecimalField):
    """A number as people type it in Flanders: `7,5`, `1.234,5`, `1.234.567,89`, `12`.

    A lone `.` with two decimals after it (`1234.56`) is read as a decimal point too.
    """

    default_error_messages = {"invalid": _("Enter a number, e.g. 7,5.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = normalise_amount(value)
        return super().to_python(value)


class EuroField(BelgianDecimalField):
    """An amount in euros as people type it in Flanders: `1.234.567,89`, `1234567,89`, `€ 1.234`."""

    default_error_messages = {"invalid": _("Enter an amount in euros, e.g. 1.200.000,00.")}

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


POSTED_FIELDS = "_fields"


def _posted(form) -> set:
    return set(form.data.keys()) | set(filter(None, form.data.get(POSTED_FIELDS, "").split(",")))


def posted_errors(form) -> dict:
    """The errors of the fields actually sent (an autosave of one field is not refused for
    another it did not send)."""
    form.is_valid()
    posted = {name for name in form.fields if form.add_prefix(name) in _posted(form)}
    return {
        name: errors for name, errors in form.errors.items() if name in posted or name == "__all__"
    }


def posted_valid_values(form) -> dict:
    """The values of a bound form worth saving: valid, and actually sent.

    A field missing from the request is left alone (a partial autosave never blanks the
    rest). A page that sends a whole form names its fields in a hidden `_fields` input, so an
    unticked checkbox list still counts as "none chosen". One invalid field never loses the
    others.
    """
    form.is_valid()
    posted = _posted(form)
    return {
        name: value
        for name, value in form.cleaned_data.items()
        if name in posted and name not in form.errors and name != "version"
    }
