"""User text in the xlsx and CSV files the portal writes stays text (cot_portal/spreadsheets.py)."""

import io
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from cot_portal.spreadsheets import FORMULA_STARTS, append_row, csv_text

HOSTILE = ['=HYPERLINK("http://example.com","Klik")', "=cmd|' /C calc'!A0", "=1+1"]


def _round_trip(rows):
    book = Workbook()
    for row in rows:
        append_row(book.active, row)
    out = io.BytesIO()
    book.save(out)
    return load_workbook(io.BytesIO(out.getvalue())).active


def test_a_formula_typed_by_a_user_is_written_as_text():
    sheet = _round_trip([[text, Decimal("1234.56"), date(2025, 11, 14)] for text in HOSTILE])
    for row, text in zip(sheet.iter_rows(), HOSTILE, strict=True):
        assert row[0].value == text and row[0].data_type == "s"
        assert row[1].value == 1234.56 and row[1].data_type == "n"  # amounts stay numbers
        assert row[2].value.date() == date(2025, 11, 14)  # dates stay dates


def test_openpyxl_alone_would_have_written_a_formula():
    """The reason for append_row: without it the same string is a formula."""
    book = Workbook()
    book.active.append([HOSTILE[0]])
    assert book.active["A1"].data_type == "f"


@given(st.text())
def test_csv_text_neutralises_every_formula_start_and_leaves_the_rest(text):
    result = csv_text(text)
    if text.startswith(FORMULA_STARTS):
        assert result == "'" + text
    else:
        assert result == text


@given(st.one_of(st.integers(), st.decimals(allow_nan=False), st.dates(), st.none()))
def test_csv_text_leaves_numbers_and_dates_alone(value):
    assert csv_text(value) == value


def test_the_cost_model_keeps_a_hostile_partner_name_text_on_every_sheet():
    """The partner list behind the cost model's drop-down is written with append_row too."""
    from applications.budget_xlsx import (
        LINES_SHEET,
        LISTS_SHEET,
        Financing,
        LineData,
        PartnerRef,
        build_workbook,
    )

    name = HOSTILE[1]
    content = build_workbook(
        partners=[PartnerRef(1, name)],
        lines=[LineData(1, "personnel", 1, "Projectleider", Decimal("1000.00"))],
        financing=Financing(Decimal("800.00"), Decimal("200.00"), Decimal("0"), Decimal("0")),
        max_year=3,
    )
    book = load_workbook(io.BytesIO(content))
    for cell in (book[LISTS_SHEET]["A2"], book[LINES_SHEET]["A2"]):
        assert cell.value == name and cell.data_type == "s"
