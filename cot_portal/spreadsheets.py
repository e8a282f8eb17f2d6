"""User text in the spreadsheets and CSV files the portal writes is data, never a formula.

openpyxl stores any string that starts with "=" as a formula, and Excel or LibreOffice treat a
CSV cell that starts with "=", "+", "-" or "@" as one too (OWASP "CSV injection"). A title such
as `=HYPERLINK("http://…")` typed by an applicant must reach finance's spreadsheet as text.
"""

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def append_row(sheet, values: Iterable) -> None:
    """`sheet.append(values)`, with every string kept as text (openpyxl would make "=…" a
    formula). Numbers, dates and Decimals stay what they are."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def csv_text(value):
    """A CSV cell that a spreadsheet would read as a formula gets a leading apostrophe, which
    spreadsheets show as text; anything else (numbers, dates, ordinary text) is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
