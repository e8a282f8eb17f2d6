"""KBO numbers (python-stdnum), IBANs (schwifty) and NIS codes, with Dutch messages."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cot_portal.accounts.validators import (
    normalise_enterprise_number,
    normalise_iban,
    validate_nis_code,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0207451227", "0207.451.227"),
        ("BE 0207.451.227", "0207.451.227"),
        ("0207 451 227", "0207.451.227"),
    ],
)
def test_enterprise_numbers_are_stored_in_one_notation(typed, stored):
    assert normalise_enterprise_number(typed) == stored


@pytest.mark.parametrize("typed", ["0207.451.228", "12345", "abc", "0207.451.2271"])
def test_a_wrong_enterprise_number_is_explained_in_dutch(typed):
    with translation.override("nl"), pytest.raises(ValidationError) as caught:
        normalise_enterprise_number(typed)
    message = caught.value.messages[0]
    assert "geen geldig ondernemingsnummer (KBO)" in message
    assert typed in message


def test_ibans_are_stored_compact_and_wrong_ones_are_explained_in_dutch():
    assert normalise_iban("be68 5390 0754 7034") == "BE68539007547034"
    with translation.override("nl"), pytest.raises(ValidationError) as caught:
        normalise_iban("BE68 5390 0754 7035")
    assert "geen geldige IBAN" in caught.value.messages[0]


@pytest.mark.parametrize("code", ["4402", "440211", "4402a", ""])
def test_a_nis_code_has_five_digits(code):
    with translation.override("nl"), pytest.raises(ValidationError) as caught:
        validate_nis_code(code)
    assert "geen geldige NIS-code" in caught.value.messages[0]


def test_a_real_nis_code_passes():
    validate_nis_code("44021")
