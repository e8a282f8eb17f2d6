"""Validators for Belgian identifiers, with messages in the user's language.

The checks themselves are python-stdnum's (KBO/BCE enterprise number) and schwifty's (IBAN);
this module only turns their exceptions into Django validation errors.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.be import vat as be_enterprise_number
from stdnum.exceptions import ValidationError as StdnumError

NIS_CODE = re.compile(r"^\d{5}$")

# Django 5.2's MinimumLengthValidator says "%d" where its Dutch catalogue still has
# "%(min_length)d", so a short password was refused in English. locale/nl carries the Dutch;
# this mention keeps makemessages from dropping it.
PASSWORD_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    12,
)


def normalise_enterprise_number(value: str) -> str:
    """Return a KBO number as 0123.456.789, or raise ValidationError."""
    try:
        compact = be_enterprise_number.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("%(value)s is not a valid enterprise number (KBO), such as 0207.451.227."),
            code="invalid_kbo",
            params={"value": value},
        ) from exc
    return f"{compact[:4]}.{compact[4:7]}.{compact[7:]}"


def validate_enterprise_number(value: str) -> None:
    normalise_enterprise_number(value)


def normalise_iban(value: str) -> str:
    """Return an IBAN in its compact form, or raise ValidationError."""
    try:
        return IBAN(value).compact
    except SchwiftyException as exc:
        raise ValidationError(
            _("%(value)s is not a valid IBAN, such as BE68 5390 0754 7034."),
            code="invalid_iban",
            params={"value": value},
        ) from exc


def validate_iban(value: str) -> None:
    normalise_iban(value)


def validate_nis_code(value: str) -> None:
    """A REFNIS code of a municipality is five digits (Statbel)."""
    if not NIS_CODE.match(value or ""):
        raise ValidationError(
            _("%(value)s is not a valid NIS code: it has five digits, such as 44021."),
            code="invalid_nis",
            params={"value": value},
        )
