"""The cost model as an Excel workbook: build it, and read it back with every cell checked.

Pure: no database. The caller passes the partners (`PartnerRef`) and the project's last year;
it gets bytes back (`build_workbook`) or the parsed lines, financing and cell errors
(`parse_workbook`). The service replaces the cost model only when there are no errors at all.

The workbook is a fixed Dutch template, because a municipal finance department fills it in and
sends it around; its sheet names, column titles and category labels are a file format, not UI
text, so they do not follow the user's language:

- "Kostenmodel": one row per cost line (Partner, Categorie, Projectjaar, Omschrijving,
  Bedrag (EUR)); title row bold and frozen; drop-down lists for partner and category;
- "Financiering": requested support, own contribution, project income, other financing;
- "Toelichting": how to fill it in, with this call's rule values;
- "Lijsten" (hidden): the values behind the drop-down lists (a list typed into the validation
  itself is limited to 255 characters and breaks on commas in names).

Reading is defensive: the file is refused before openpyxl sees it when it is not a zip (xlsx),
larger than 5 MB, unpacks to more than 50 MB (zip bomb), links to other workbooks or contains
macros. It is then read with `data_only=False`, so a formula is seen (and refused) instead of
its cached value being imported unnoticed. Error messages name the sheet and cell as Excel
shows them ("Kostenmodel!E7").
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from cot_portal.forms import normalise_amount
from cot_portal.spreadsheets import append_row

from . import uploads

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 5_000
# Rows read (blank ones included) after which reading stops: a sheet of a million formatted but
# empty rows must not keep the server busy.
MAX_ROWS_SCANNED = 10 * MAX_ROWS
MAX_DESCRIPTION = 300
MAX_AMOUNT = Decimal("999999999999.99")  # DecimalField(max_digits=14, decimal_places=2)
CENT = Decimal("0.01")
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls, or an xlsx protected with a password

LINES_SHEET = "Kostenmodel"
FINANCING_SHEET = "Financiering"
HELP_SHEET = "Toelichting"
LISTS_SHEET = "Lijsten"
HEADERS = ("Partner", "Categorie", "Projectjaar", "Omschrijving", "Bedrag (EUR)")
COLUMNS = "ABCDE"
AMOUNT_FORMAT = "#,##0.00"

CATEGORY_LABELS = {
    # CostCategory value: the Dutch label in the workbook
    "personnel": "Personeel (incl. overhead en werkingskosten)",
    "external": "Externe diensten en onderaanneming",
    "investment": "Investeringen",
    "other": "Andere kosten",
}
CATEGORY_ALIASES = {
    # also accepted when reading: the short Dutch word, the code and the English label
    "personnel": ("personeel", "personnel", "personnel (incl. overhead and operating costs)"),
    "external": (
        "externe diensten",
        "onderaanneming",
        "external",
        "external services and subcontracting",
    ),
    "investment": ("investering", "investment", "investments"),
    "other": ("andere", "overige kosten", "other", "other costs"),
}
FINANCING_LABELS = {
    # Application field: the Dutch label in column A of "Financiering"
    "requested_support": "Gevraagde steun",
    "own_contribution": "Eigen bijdrage",
    "project_income": "Projectinkomsten",
    "other_financing": "Andere financiering",
}


class BudgetFileRejected(Exception):
    """The file as a whole cannot be used: wrong type, too large, a zip bomb, external links."""

    def __init__(self, message, code: str):
        super().__init__(str(message))
        self.message = str(message)
        self.code = code


@dataclass(frozen=True)
class PartnerRef:
    id: int
    name: str


@dataclass(frozen=True)
class LineData:
    partner_id: int
    category: str
    year: int
    description: str
    amount: Decimal

    @property
    def key(self) -> tuple:
        return (self.partner_id, self.category, self.year, self.description, self.amount)


@dataclass(frozen=True)
class Financing:
    requested_support: Decimal | None
    own_contribution: Decimal
    project_income: Decimal
    other_financing: Decimal


@dataclass(frozen=True)
class CellError:
    sheet: str
    cell: str  # "E7", or "" when the problem is the sheet itself
    message: str

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class ParsedBudget:
    lines: list[LineData] = field(default_factory=list)
    financing: Financing | None = None
    errors: list[CellError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _key(text) -> str:
    return " ".join(str(text or "").split()).casefold()


def partner_labels(partners: list[PartnerRef]) -> dict[int, str]:
    """The label of each partner in the workbook: its name, made unique if two share one."""
    counts: dict[str, int] = {}
    for p in partners:
        counts[_key(p.name)] = counts.get(_key(p.name), 0) + 1
    return {
        p.id: p.name if counts[_key(p.name)] == 1 else f"{p.name} (nr. {p.id})" for p in partners
    }


# --- building ----------------------------------------------------------------------------------


def build_workbook(
    *,
    partners: list[PartnerRef],
    lines: list[LineData],
    financing: Financing,
    max_year: int,
    title: str = "",
    reference: str = "",
    cap: Decimal | None = None,
    rate: Decimal | None = None,
) -> bytes:
    """The cost model as xlsx bytes, pre-filled with the current lines and financing."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    labels = partner_labels(partners)
    bold = Font(bold=True)
    workbook = Workbook()
    workbook.properties.creator = "City of Things-portaal (VLAIO)"
    workbook.properties.title = f"Kostenmodel {reference} {title}".strip()

    sheet = workbook.active
    sheet.title = LINES_SHEET
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = bold
    sheet.freeze_panes = "A2"
    for letter, width in zip(COLUMNS, (40, 44, 13, 60, 18), strict=True):
        sheet.column_dimensions[letter].width = width
    for line in lines:
        append_row(
            sheet,
            (
                labels.get(line.partner_id, ""),
                CATEGORY_LABELS.get(line.category, line.category),
                line.year,
                line.description,
                line.amount,
            ),
        )
        sheet.cell(row=sheet.max_row, column=5).number_format = AMOUNT_FORMAT

    lists = workbook.create_sheet(LISTS_SHEET)
    lists.append(("Partners", "Categorieën"))
    partner_names = [labels[p.id] for p in partners]
    category_names = list(CATEGORY_LABELS.values())
    for i in range(max(len(partner_names), len(category_names))):
        append_row(  # an organisation's name is text, even one that starts with "="
            lists,
            (
                partner_names[i] if i < len(partner_names) else None,
                category_names[i] if i < len(category_names) else None,
            ),
        )
    lists.sheet_state = "hidden"

    last_row = MAX_ROWS + 1
    validations = [
        DataValidation(
            type="list",
            formula1=f"={LISTS_SHEET}!$A$2:$A${max(2, len(partner_names) + 1)}",
            allow_blank=True,
            error="Kies een partner uit de lijst.",
            errorTitle="Onbekende partner",
        ),
        DataValidation(
            type="list",
            formula1=f"={LISTS_SHEET}!$B$2:$B${len(category_names) + 1}",
            allow_blank=True,
            error="Kies een categorie uit de lijst.",
            errorTitle="Onbekende categorie",
        ),
        DataValidation(
            type="whole",
            operator="between",
            formula1="1",
            formula2=str(max_year),
            allow_blank=True,
            error=f"Een projectjaar van 1 tot {max_year}.",
            errorTitle="Projectjaar",
        ),
        DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            error="Een bedrag in euro van 0 of meer, met hoogstens twee decimalen.",
            errorTitle="Bedrag",
        ),
    ]
    for validation, letter in zip(validations, "ABCE", strict=True):
        validation.showErrorMessage = True
        validation.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(validation)
    # new rows typed in column E get the amount format too (a column style, not 5,000 cells)
    sheet.column_dimensions["E"].number_format = AMOUNT_FORMAT

    money = workbook.create_sheet(FINANCING_SHEET, 1)
    money.append(("Onderdeel", "Bedrag (EUR)"))
    for cell in money[1]:
        cell.font = bold
    money.freeze_panes = "A2"
    money.column_dimensions["A"].width = 28
    money.column_dimensions["B"].width = 18
    for name, label in FINANCING_LABELS.items():
        money.append((label, getattr(financing, name)))
        money.cell(row=money.max_row, column=2).number_format = AMOUNT_FORMAT
    amounts = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        error="Een bedrag in euro van 0 of meer, met hoogstens twee decimalen.",
        errorTitle="Bedrag",
    )
    amounts.add(f"B2:B{len(FINANCING_LABELS) + 1}")
    money.add_data_validation(amounts)

    help_sheet = workbook.create_sheet(HELP_SHEET, 2)
    help_sheet.column_dimensions["A"].width = 110
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, text in enumerate(_help_lines(labels, max_year, title, reference, cap, rate), start=1):
        cell = help_sheet.cell(row=i, column=1, value=text)
        cell.alignment = wrap
        if i == 1:
            cell.font = Font(bold=True, size=14)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _euro_nl(amount: Decimal) -> str:
    from cot_portal.formatting import euro

    return euro(amount)


def _help_lines(labels, max_year, title, reference, cap, rate) -> list[str]:
    rate_pct = f"{(rate * 100).normalize():f}%" if rate is not None else "80%"
    own_pct = f"{((1 - rate) * 100).normalize():f}%" if rate is not None else "20%"
    cap_text = _euro_nl(cap) if cap is not None else "het maximum van de oproep"
    years = f"1 tot {max_year}" if max_year > 1 else "1"
    return [
        f"Kostenmodel {reference} – {title}".strip(" –"),
        "Zo vult u dit kostenmodel in",
        (
            "1. Blad “Kostenmodel”: één rij per kost. Kies in kolom A de partner en in kolom B de "
            "categorie uit de keuzelijst. Vul het projectjaar in (" + years + "; jaar 1 zijn de "
            "eerste twaalf maanden vanaf de start), een omschrijving (verplicht, hoogstens "
            f"{MAX_DESCRIPTION} tekens) en het bedrag in euro."
        ),
        (
            "2. Bedragen zijn getallen met hoogstens twee cijfers na de komma, 0 of meer. Gebruik "
            "geen formules: typ het bedrag zelf, of kopieer en plak het als waarde. Een cel met "
            "een formule wordt geweigerd."
        ),
        "3. De categorieën:",
        "   • " + CATEGORY_LABELS["personnel"] + ": loonkosten van de eigen medewerkers, "
        "met overhead en werkingskosten.",
        "   • " + CATEGORY_LABELS["external"] + ": wat u aankoopt bij bedrijven. Een bedrijf is "
        "nooit partner, maar altijd onderaannemer.",
        "   • " + CATEGORY_LABELS["investment"] + ": sensoren, apparatuur en andere investeringen.",
        "   • " + CATEGORY_LABELS["other"] + ": wat in geen andere categorie past.",
        "4. De partners van deze aanvraag: " + "; ".join(labels.values()) + ".",
        (
            "5. Blad “Financiering”: vul de gevraagde steun, de eigen bijdrage, de "
            "projectinkomsten en de andere financiering in. Laat de titels in kolom A staan."
        ),
        (
            f"6. De regels van de oproep: de gevraagde steun is hoogstens {cap_text} per project, "
            f"hoogstens {rate_pct} van de totale kost en hoogstens de totale kost min de "
            f"projectinkomsten. De eigen bijdrage is minstens {own_pct} van de totale kost. De "
            "totale kost is gelijk aan de som van de gevraagde steun, de eigen bijdrage, de "
            "projectinkomsten en de andere financiering. Het portaal rekent dit na."
        ),
        (
            "7. Opladen vervangt alle kostenregels en de financiering in het portaal. Het portaal "
            "controleert eerst elke cel: vindt het één fout, dan verandert er niets en ziet u "
            "elke fout met het blad en de cel (bv. Kostenmodel!E7)."
        ),
        (
            "8. Verander de namen van de bladen en de kolomtitels niet en voeg geen kolommen in. "
            f"Hoogstens {MAX_ROWS} kostenregels; het bestand is hoogstens 5 MB groot en verwijst "
            "niet naar andere werkmappen."
        ),
    ]


# --- reading -----------------------------------------------------------------------------------


def check_name_and_size(filename: str, size: int) -> None:
    """Refuse by name and size, before the upload is read into memory."""
    if not (filename or "").lower().strip().endswith(".xlsx"):
        raise BudgetFileRejected(
            _("Upload the cost model as an Excel file (.xlsx)."), code="file_type"
        )
    if size > MAX_BYTES:
        raise BudgetFileRejected(
            _("The file is larger than 5 MB. Remove what the cost model does not need."),
            code="file_size",
        )
    if size == 0:
        raise BudgetFileRejected(_("The file is empty."), code="empty")


def check_file(filename: str, content: bytes) -> None:
    """Refuse a file that is not a plain, reasonably sized xlsx before openpyxl opens it."""
    check_name_and_size(filename, len(content))
    if content.startswith(OLE_MAGIC):
        raise BudgetFileRejected(
            _(
                "This is an old Excel file (.xls) or a workbook protected with a password. "
                "Save it in Excel as .xlsx without a password."
            ),
            code="not_xlsx",
        )
    try:
        uploads.check_magic(content[:8], ".xlsx")
        uploads.check_zip(io.BytesIO(content), ".xlsx", max_unpacked=MAX_UNPACKED_BYTES)
    except uploads.UploadRejected as exc:
        raise _rejected(exc.code) from exc


def _rejected(code: str) -> BudgetFileRejected:
    if code == "zip_bomb":
        return BudgetFileRejected(
            _("The Excel file unpacks to more than 50 MB. This is not a normal cost model."),
            code="zip_bomb",
        )
    if code == "external_links":
        return BudgetFileRejected(
            _(
                "The workbook links to other workbooks. Replace the links by their values "
                "(in Excel: Data > Edit Links > Break Link) and upload again."
            ),
            code="external_links",
        )
    if code == "macros":
        return BudgetFileRejected(
            _("The workbook contains macros. Save it as a plain .xlsx without macros."),
            code="macros",
        )
    return _not_xlsx()


def _not_xlsx() -> BudgetFileRejected:
    return BudgetFileRejected(
        _("This file is not a readable Excel file (.xlsx). Save it again in Excel as .xlsx."),
        code="not_xlsx",
    )


def parse_workbook(
    filename: str, content: bytes, *, partners: list[PartnerRef], max_year: int
) -> ParsedBudget:
    """Read and check every cell. Raises BudgetFileRejected for a file that cannot be used."""
    check_file(filename, content)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        raise _not_xlsx() from exc
    result = ParsedBudget()
    try:
        sheets = {_key(ws.title): ws for ws in workbook.worksheets}
        lines_sheet = sheets.get(_key(LINES_SHEET))
        money_sheet = sheets.get(_key(FINANCING_SHEET))
        for name, ws in ((LINES_SHEET, lines_sheet), (FINANCING_SHEET, money_sheet)):
            if ws is None:
                result.errors.append(
                    CellError(
                        name,
                        "",
                        _("The workbook has no sheet “%(name)s”. Download the template again.")
                        % {"name": name},
                    )
                )
        if lines_sheet is not None:
            _read_lines(lines_sheet, partners, max_year, result)
        if money_sheet is not None:
            result.financing = _read_financing(money_sheet, result)
    except BudgetFileRejected:
        raise
    except Exception as exc:  # a damaged sheet can fail while it is read
        raise _not_xlsx() from exc
    finally:
        workbook.close()
    if result.errors:
        result.lines = []
        result.financing = None
    return result


def _is_formula(cell) -> bool:
    value = cell.value
    if getattr(cell, "data_type", None) == "f":
        return True
    if isinstance(value, str):
        return value.lstrip().startswith("=")
    # ArrayFormula / DataTableFormula objects
    return value is not None and not isinstance(
        value, int | float | Decimal | str | bool | datetime | date | time
    )


def _formula_error(sheet: str, cell: str, value) -> CellError:
    return CellError(
        sheet,
        cell,
        _(
            "The cell contains a formula (%(formula)s). Type the value itself, or copy and "
            "paste it as a value."
        )
        % {"formula": str(value)[:60]},
    )


def _read_lines(ws, partners: list[PartnerRef], max_year: int, result: ParsedBudget) -> None:
    labels = partner_labels(partners)
    by_label = {_key(label): pid for pid, label in labels.items()}
    for p in partners:  # the plain name works too when it is unique
        by_label.setdefault(_key(p.name), p.id)
    categories = {_key(label): value for value, label in CATEGORY_LABELS.items()}
    for value, aliases in CATEGORY_ALIASES.items():
        for alias in aliases:
            categories.setdefault(_key(alias), value)

    rows = ws.iter_rows(min_row=1, max_col=len(COLUMNS))
    header = next(rows, ())
    header_values = [c.value for c in header] + [None] * (len(COLUMNS) - len(header))
    for letter, expected, value in zip(COLUMNS, HEADERS, header_values, strict=True):
        if _key(value) != _key(expected):
            result.errors.append(
                CellError(
                    LINES_SHEET,
                    f"{letter}1",
                    _("The column title must be “%(expected)s”. Do not move or insert columns.")
                    % {"expected": expected},
                )
            )
    count = 0
    for scanned, cells in enumerate(rows, start=2):
        if scanned > MAX_ROWS_SCANNED:
            raise _too_many_rows()
        cells = list(cells) + [None] * (len(COLUMNS) - len(cells))
        if all(c is None or _blank(c.value) for c in cells):
            continue
        count += 1
        if count > MAX_ROWS:
            raise _too_many_rows()
        row = next((c.row for c in cells if getattr(c, "row", None)), scanned)
        line = _read_line(row, cells, by_label, labels, categories, max_year, result)
        if line is not None:
            result.lines.append(line)


def _too_many_rows() -> BudgetFileRejected:
    return BudgetFileRejected(
        _("The cost model has more than %(max)s lines. Combine small costs into one line.")
        % {"max": MAX_ROWS},
        code="too_many_rows",
    )


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_line(row, cells, by_label, labels, categories, max_year, result) -> LineData | None:
    errors_before = len(result.errors)
    values = {}
    for letter, cell in zip(COLUMNS, cells, strict=True):
        ref = f"{letter}{row}"
        if cell is not None and _is_formula(cell):
            result.errors.append(_formula_error(LINES_SHEET, ref, cell.value))
            continue
        values[letter] = None if cell is None else cell.value
    if "A" in values:
        value = values["A"]
        if _blank(value):
            result.errors.append(CellError(LINES_SHEET, f"A{row}", _("The partner is missing.")))
        elif _key(value) not in by_label:
            result.errors.append(
                CellError(
                    LINES_SHEET,
                    f"A{row}",
                    _("Unknown partner “%(value)s”. Choose one of: %(choices)s.")
                    % {"value": str(value).strip(), "choices": "; ".join(labels.values())},
                )
            )
    if "B" in values:
        value = values["B"]
        if _blank(value):
            result.errors.append(CellError(LINES_SHEET, f"B{row}", _("The category is missing.")))
        elif _key(value) not in categories:
            result.errors.append(
                CellError(
                    LINES_SHEET,
                    f"B{row}",
                    _("Unknown category “%(value)s”. Choose one of: %(choices)s.")
                    % {"value": str(value).strip(), "choices": "; ".join(CATEGORY_LABELS.values())},
                )
            )
    year = None
    if "C" in values:
        year = _whole_number(values["C"])
        if _blank(values["C"]):
            result.errors.append(
                CellError(LINES_SHEET, f"C{row}", _("The project year is missing."))
            )
        elif year is None:
            result.errors.append(
                CellError(
                    LINES_SHEET,
                    f"C{row}",
                    _("The project year “%(value)s” is not a whole number.")
                    % {"value": values["C"]},
                )
            )
        elif not 1 <= year <= max_year:
            result.errors.append(
                CellError(
                    LINES_SHEET,
                    f"C{row}",
                    _("Project year %(year)s lies outside the project (year 1 to %(max)s).")
                    % {"year": year, "max": max_year},
                )
            )
    description = ""
    if "D" in values:
        value = values["D"]
        description = _text(value)
        if not description:
            result.errors.append(
                CellError(LINES_SHEET, f"D{row}", _("The description is missing."))
            )
        elif len(description) > MAX_DESCRIPTION:
            result.errors.append(
                CellError(
                    LINES_SHEET,
                    f"D{row}",
                    _("The description is longer than %(max)s characters.")
                    % {"max": MAX_DESCRIPTION},
                )
            )
    amount = None
    if "E" in values:
        if _blank(values["E"]):
            result.errors.append(CellError(LINES_SHEET, f"E{row}", _("The amount is missing.")))
        else:
            amount, problem = read_amount(values["E"])
            if problem:
                result.errors.append(CellError(LINES_SHEET, f"E{row}", problem))
    if len(result.errors) > errors_before:
        return None
    return LineData(
        partner_id=by_label[_key(values["A"])],
        category=categories[_key(values["B"])],
        year=year,
        description=description,
        amount=amount,
    )


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _whole_number(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def read_amount(value) -> tuple[Decimal | None, str]:
    """(amount, "") or (None, the reason in the user's language). Text like `1.234,56` counts."""
    not_a_number = _("“%(value)s” is not an amount in euros.") % {"value": str(value)[:60]}
    if isinstance(value, bool) or isinstance(value, datetime | date | time):
        return None, not_a_number
    if isinstance(value, int | float | Decimal):
        text = repr(value) if isinstance(value, float) else str(value)
    elif isinstance(value, str):
        text = normalise_amount(value)
    else:
        return None, not_a_number
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        return None, not_a_number
    if not amount.is_finite():
        return None, not_a_number
    if amount < 0:
        return None, _("The amount cannot be negative.")
    if amount > MAX_AMOUNT:
        return None, _("The amount is too large.")
    if amount != amount.quantize(CENT):
        return None, _("The amount has more than two decimals (%(value)s).") % {"value": text}
    return amount.quantize(CENT), ""


def _read_financing(ws, result: ParsedBudget) -> Financing | None:
    found: dict[str, Decimal | None] = {}
    labels = {_key(label): name for name, label in FINANCING_LABELS.items()}
    errors_before = len(result.errors)
    for scanned, cells in enumerate(ws.iter_rows(min_row=1, max_row=50, max_col=2), start=1):
        cells = list(cells) + [None] * (2 - len(cells))
        label_cell, value_cell = cells
        name = labels.get(_key(label_cell.value)) if label_cell is not None else None
        if name is None:
            continue
        row = next((c.row for c in cells if getattr(c, "row", None)), scanned)
        ref = f"B{row}"
        if name in found:
            result.errors.append(
                CellError(
                    FINANCING_SHEET,
                    f"A{row}",
                    _("“%(label)s” appears twice.") % {"label": FINANCING_LABELS[name]},
                )
            )
            continue
        value = None if value_cell is None else value_cell.value
        if value_cell is not None and _is_formula(value_cell):
            result.errors.append(_formula_error(FINANCING_SHEET, ref, value))
            found[name] = None
            continue
        if _blank(value):
            found[name] = None
            continue
        amount, problem = read_amount(value)
        if problem:
            result.errors.append(CellError(FINANCING_SHEET, ref, problem))
        found[name] = amount
    for name, label in FINANCING_LABELS.items():
        if name not in found:
            result.errors.append(
                CellError(
                    FINANCING_SHEET,
                    "",
                    _("The row “%(label)s” is missing in column A.") % {"label": label},
                )
            )
    if len(result.errors) > errors_before:
        return None
    zero = Decimal("0.00")
    return Financing(
        requested_support=found["requested_support"],
        own_contribution=found["own_contribution"] or zero,
        project_income=found["project_income"] or zero,
        other_financing=found["other_financing"] or zero,
    )
