"""The SEPA credit-transfer file (pain.001.001.03) for the bank, made with `sepaxml`.

No database here: `services_payments.export_sepa` locks the payments, passes them in as
`Transfer` values and stores the file. VLAIO is the debtor; its name, IBAN and BIC are the settings
COT_VLAIO_ACCOUNT_NAME, COT_VLAIO_IBAN and COT_VLAIO_BIC (environment, with demo defaults so a
development portal makes a valid file; the same account receives recoveries).

Amounts go to sepaxml in cents (integers), as it expects; every file is validated against the
pain.001.001.03 XML schema (`export(validate=True)`, xmlschema) before it is stored.
"""

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import schwifty
from django.conf import settings
from django.utils.translation import gettext as _
from sepaxml import SepaTransfer
from sepaxml.validation import ValidationError as SepaValidationError

from .errors import PaymentsError

SCHEMA = "pain.001.001.03"
DEMO_DEBTOR_NAME = "Agentschap Innoveren en Ondernemen"
DEMO_DEBTOR_IBAN = "BE71096123456769"


@dataclass(frozen=True)
class Transfer:
    """One credit transfer: end-to-end id (the payment id), creditor, IBAN, amount, remittance."""

    end_to_end_id: str
    name: str
    iban: str
    amount: Decimal
    remittance: str


@dataclass(frozen=True)
class SepaFile:
    message_id: str
    content: bytes
    sha256: str
    total: Decimal
    count: int


def debtor() -> dict:
    """VLAIO as the debtor of every transfer, from the settings (with demo defaults)."""
    config = {
        "name": getattr(settings, "COT_VLAIO_ACCOUNT_NAME", "") or DEMO_DEBTOR_NAME,
        "IBAN": schwifty.IBAN(getattr(settings, "COT_VLAIO_IBAN", "") or DEMO_DEBTOR_IBAN).compact,
        "batch": True,
        "currency": "EUR",
    }
    bic = getattr(settings, "COT_VLAIO_BIC", "")
    if bic:
        config["BIC"] = bic
    return config


def cents(amount: Decimal) -> int:
    """€ 1.234,56 → 123456; refuses anything that is not a whole number of cents."""
    value = amount * 100
    if value != value.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of cents.")
    return int(value)


def remittance(reference: str, number: int) -> str:
    """What the beneficiary reads on its statement: "City of Things <reference> schijf N"."""
    return f"City of Things {reference} schijf {number}"


def build(transfers: list[Transfer], execution_date: date) -> SepaFile:
    """One pain.001 file with every transfer in one batch, validated against the schema.

    Raises PaymentsError when a creditor IBAN is invalid or the file does not validate, so
    the caller's transaction rolls back and no payment is marked as exported.
    """
    if not transfers:
        raise ValueError("A SEPA file needs at least one transfer.")
    document = SepaTransfer(debtor(), schema=SCHEMA, clean=True)
    for transfer in transfers:
        try:
            iban = schwifty.IBAN(transfer.iban).compact
        except ValueError as error:
            raise PaymentsError(
                _("Payment %(id)s: %(iban)s is not a valid IBAN; nothing was exported.")
                % {"id": transfer.end_to_end_id, "iban": transfer.iban or "—"}
            ) from error
        document.add_payment(
            {
                "name": transfer.name,
                "IBAN": iban,
                "amount": cents(transfer.amount),
                "execution_date": execution_date,
                "description": transfer.remittance,
                "endtoend_id": transfer.end_to_end_id,
            }
        )
    try:
        content = document.export(validate=True)
    except SepaValidationError as error:
        raise PaymentsError(
            _("The SEPA file does not validate against the pain.001 schema; nothing was exported.")
            + f" ({error.__cause__ or error})"
        ) from error
    return SepaFile(
        message_id=document.msg_id,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        total=sum((t.amount for t in transfers), Decimal("0.00")),
        count=len(transfers),
    )
