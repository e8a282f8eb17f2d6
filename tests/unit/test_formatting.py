"""Belgian display formats (SPEC.md §9): `€ 1.234.567,89` and `14/11/2025 23:59`."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cot_portal.formatting import euro, short_date, short_datetime


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("1234567.89"), "€ 1.234.567,89"),
        (Decimal("5000000"), "€ 5.000.000,00"),
        (Decimal("0.5"), "€ 0,50"),
        (Decimal("-1650.00"), "-€ 1.650,00"),
        (0, "€ 0,00"),
    ],
)
def test_euro_amounts_use_belgian_notation(amount, shown):
    assert euro(amount).replace("\xa0", " ") == shown


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2))
def test_euro_shows_every_cent_exactly(amount):
    """Whatever the amount, the digits shown are the amount's own: nothing is rounded away."""
    shown = euro(amount)
    digits = shown.replace("€", "").replace(".", "").replace(",", ".").strip()
    assert Decimal(digits) == amount


def test_deadlines_are_shown_in_brussels_time_whatever_their_stored_zone():
    deadline_utc = datetime(2025, 11, 14, 22, 59, tzinfo=ZoneInfo("UTC"))
    assert short_datetime(deadline_utc) == "14/11/2025 23:59"
    assert short_date(deadline_utc) == "14/11/2025"
    assert short_date(date(2026, 2, 1)) == "01/02/2026"


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1.200.000,50", Decimal("1200000.50")),
        ("€ 1.234", Decimal("1234")),
        ("1234,5", Decimal("1234.5")),
        ("1234.56", Decimal("1234.56")),
        (" 12 500,00 ", Decimal("12500.00")),
    ],
)
def test_amounts_are_read_the_way_people_type_them_in_flanders(typed, value):
    from cot_portal.forms import EuroField

    assert EuroField().clean(typed) == value


def test_an_unreadable_amount_is_refused():
    from django.core.exceptions import ValidationError

    from cot_portal.forms import EuroField

    with pytest.raises(ValidationError):
        EuroField().clean("veel geld")
