"""The cost model workbook (R-BUDGET): build → parse round trip, every cell checked with its
sheet and cell named, formulas refused, and unsafe files refused before openpyxl opens them."""

import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from applications import budget_xlsx as bx

GENT = bx.PartnerRef(1, "Stad Gent")
KORTRIJK = bx.PartnerRef(2, "Stad Kortrijk")
PARTNERS = [GENT, KORTRIJK]
LINES = [
    bx.LineData(1, "personnel", 1, "Projectleider", Decimal("1234.56")),
    bx.LineData(1, "external", 2, "Begeleiding aanbesteding", Decimal("100000.00")),
    bx.LineData(2, "investment", 3, "Sensoren", Decimal("0.10")),
    bx.LineData(2, "other", 1, "Zaalhuur", Decimal("999999999999.99")),
]
FINANCING = bx.Financing(
    requested_support=Decimal("800000.00"),
    own_contribution=Decimal("200000.50"),
    project_income=Decimal("0.00"),
    other_financing=Decimal("12.34"),
)


def workbook_bytes(lines=LINES, financing=FINANCING, partners=PARTNERS, max_year=3) -> bytes:
    return bx.build_workbook(
        partners=partners,
        lines=lines,
        financing=financing,
        max_year=max_year,
        title="Slimme parkeersensoren",
        reference="AANVR-2030-0001",
        cap=Decimal("2000000.00"),
        rate=Decimal("0.8000"),
    )


def edited(content: bytes, change) -> bytes:
    """Open the workbook as a person would in Excel, change it, save it."""
    workbook = load_workbook(io.BytesIO(content))
    change(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def parse(content: bytes, max_year=3):
    return bx.parse_workbook("kostenmodel.xlsx", content, partners=PARTNERS, max_year=max_year)


def where(result) -> list[str]:
    return [e.where for e in result.errors]


# --- the round trip ----------------------------------------------------------------------------


def test_build_then_parse_gives_back_the_same_lines_and_financing():
    result = parse(workbook_bytes())
    assert result.ok, [str(e) for e in result.errors]
    assert result.lines == LINES
    assert result.financing == FINANCING


def test_an_empty_cost_model_round_trips_and_blank_requested_support_stays_blank():
    financing = bx.Financing(None, Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    result = parse(workbook_bytes(lines=[], financing=financing))
    assert result.ok
    assert result.lines == []
    assert result.financing == financing


def test_the_workbook_is_laid_out_for_a_finance_department():
    workbook = load_workbook(io.BytesIO(workbook_bytes()))
    assert workbook.sheetnames[:3] == ["Kostenmodel", "Financiering", "Toelichting"]
    assert workbook["Lijsten"].sheet_state == "hidden"
    sheet = workbook["Kostenmodel"]
    assert [c.value for c in sheet[1]] == [
        "Partner",
        "Categorie",
        "Projectjaar",
        "Omschrijving",
        "Bedrag (EUR)",
    ]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[2]] == [
        "Stad Gent",
        "Personeel (incl. overhead en werkingskosten)",
        1,
        "Projectleider",
        1234.56,
    ]
    assert isinstance(sheet["E2"].value, int | float)  # a number, not text
    assert sheet["E2"].number_format == "#,##0.00"
    validated = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert validated["A2:A5001"].type == "list"
    assert validated["A2:A5001"].formula1 == "=Lijsten!$A$2:$A$3"
    assert validated["B2:B5001"].formula1 == "=Lijsten!$B$2:$B$5"
    assert (validated["C2:C5001"].formula1, validated["C2:C5001"].formula2) == ("1", "3")
    assert [c.value for c in workbook["Lijsten"]["A"]][1:3] == ["Stad Gent", "Stad Kortrijk"]
    money = workbook["Financiering"]
    assert [(r[0].value, r[1].value) for r in money.iter_rows(min_row=2)] == [
        ("Gevraagde steun", 800000),
        ("Eigen bijdrage", 200000.5),
        ("Projectinkomsten", 0),
        ("Andere financiering", 12.34),
    ]
    assert money["B2"].number_format == "#,##0.00"
    help_text = "\n".join(c.value or "" for c in workbook["Toelichting"]["A"])
    assert "Zo vult u dit kostenmodel in" in help_text
    assert "€ 2.000.000,00" in help_text and "80%" in help_text and "20%" in help_text
    assert "Stad Gent; Stad Kortrijk" in help_text


def test_partners_with_the_same_name_get_distinct_labels():
    twins = [bx.PartnerRef(7, "Gemeente X"), bx.PartnerRef(8, "Gemeente X")]
    lines = [bx.LineData(8, "other", 1, "Drukwerk", Decimal("5.00"))]
    content = workbook_bytes(lines=lines, partners=twins)
    result = bx.parse_workbook("k.xlsx", content, partners=twins, max_year=3)
    assert result.ok and result.lines == lines


def test_a_person_may_type_amounts_and_labels_loosely():
    def change(workbook):
        sheet = workbook["Kostenmodel"]
        sheet.append(["  stad   gent ", "Personeel", "2", " Analist ", "1.234,50"])
        sheet.append(["Stad Kortrijk", "investment", 3.0, 2024, 7])
        sheet.append([None, None, None, None, None])  # blank rows are skipped
        sheet.append(["Stad Kortrijk", "Andere kosten", 1, "Catering", "€ 99"])

    result = parse(edited(workbook_bytes(lines=[]), change))
    assert result.ok, [str(e) for e in result.errors]
    assert result.lines == [
        bx.LineData(1, "personnel", 2, "Analist", Decimal("1234.50")),
        bx.LineData(2, "investment", 3, "2024", Decimal("7.00")),
        bx.LineData(2, "other", 1, "Catering", Decimal("99.00")),
    ]


# --- every cell checked, with sheet and cell --------------------------------------------------


def test_every_bad_cell_is_named_with_its_sheet_and_cell():
    def change(workbook):
        sheet = workbook["Kostenmodel"]
        rows = [
            ["Stad Brugge", "Personeel", 1, "Onbekende partner", 10],  # row 2
            ["Stad Gent", "Reiskosten", 1, "Onbekende categorie", 10],  # row 3
            ["Stad Gent", "Personeel", 4, "Na het project", 10],  # row 4
            ["Stad Gent", "Personeel", 0, "Voor het project", 10],  # row 5
            ["Stad Gent", "Personeel", 1.5, "Half jaar", 10],  # row 6
            ["Stad Gent", "Personeel", 1, "   ", 10],  # row 7
            ["Stad Gent", "Personeel", 1, "Geen getal", "veel"],  # row 8
            ["Stad Gent", "Personeel", 1, "Negatief", -5],  # row 9
            ["Stad Gent", "Personeel", 1, "Drie decimalen", 10.125],  # row 10
            ["Stad Gent", "Personeel", 1, "Geen bedrag", None],  # row 11
            ["Stad Gent", "Personeel", 1, "Waar", True],  # row 12
            ["Stad Gent", "Personeel", 1, "x" * 301, 1],  # row 13
            [None, None, 1, "Zonder partner en categorie", 1],  # row 14
        ]
        for row in rows:
            sheet.append(row)
        workbook["Financiering"]["B3"] = "de helft"

    result = parse(edited(workbook_bytes(lines=[]), change))
    assert not result.ok
    assert where(result) == [
        "Kostenmodel!A2",
        "Kostenmodel!B3",
        "Kostenmodel!C4",
        "Kostenmodel!C5",
        "Kostenmodel!C6",
        "Kostenmodel!D7",
        "Kostenmodel!E8",
        "Kostenmodel!E9",
        "Kostenmodel!E10",
        "Kostenmodel!E11",
        "Kostenmodel!E12",
        "Kostenmodel!D13",
        "Kostenmodel!A14",
        "Kostenmodel!B14",
        "Financiering!B3",
    ]
    messages = {e.where: e.message for e in result.errors}
    assert "Stad Brugge" in messages["Kostenmodel!A2"] and "Stad Gent" in messages["Kostenmodel!A2"]
    assert "4" in messages["Kostenmodel!C4"] and "3" in messages["Kostenmodel!C4"]
    assert "veel" in messages["Kostenmodel!E8"]
    assert "10.125" in messages["Kostenmodel!E10"]
    assert str(result.errors[0]).startswith("Kostenmodel!A2: ")
    # nothing half-read is handed on
    assert result.lines == [] and result.financing is None


def test_formulas_are_refused_where_a_value_is_expected():
    def change(workbook):
        sheet = workbook["Kostenmodel"]
        sheet["E2"] = "=1000+234.56"
        sheet["C3"] = "=1+1"
        workbook["Financiering"]["B2"] = "=SUM(Kostenmodel!E2:E5)*0.8"

    result = parse(edited(workbook_bytes(), change))
    assert where(result) == ["Kostenmodel!E2", "Kostenmodel!C3", "Financiering!B2"]
    assert "=1000+234.56" in result.errors[0].message


def test_a_moved_column_or_a_missing_sheet_is_reported():
    def change(workbook):
        workbook["Kostenmodel"]["E1"] = "Bedrag"
        del workbook["Financiering"]

    result = parse(edited(workbook_bytes(), change))
    assert where(result) == ["Financiering", "Kostenmodel!E1"]


def test_a_missing_financing_row_is_reported():
    def change(workbook):
        workbook["Financiering"]["A4"] = "Inkomsten"

    result = parse(edited(workbook_bytes(), change))
    assert where(result) == ["Financiering"]
    assert "Projectinkomsten" in result.errors[0].message


# --- files refused as a whole ------------------------------------------------------------------


def rejected(filename, content) -> str:
    with pytest.raises(bx.BudgetFileRejected) as caught:
        bx.parse_workbook(filename, content, partners=PARTNERS, max_year=3)
    return caught.value.code


def test_only_a_real_xlsx_is_read():
    assert rejected("kostenmodel.pdf", workbook_bytes()) == "file_type"
    assert rejected("kostenmodel.xlsx", b"") == "empty"
    assert rejected("kostenmodel.xlsx", b"%PDF-1.7 not a workbook") == "not_xlsx"
    assert rejected("kostenmodel.xlsx", bx.OLE_MAGIC + b"\x00" * 100) == "not_xlsx"
    assert rejected("kostenmodel.xlsx", b"PK\x03\x04 broken zip") == "not_xlsx"
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    assert rejected("kostenmodel.xlsx", plain_zip.getvalue()) == "not_xlsx"


def test_a_file_over_5_mb_is_refused_before_it_is_read():
    assert rejected("kostenmodel.xlsx", b"PK\x03\x04" + b"\x00" * bx.MAX_BYTES) == "file_size"
    with pytest.raises(bx.BudgetFileRejected):
        bx.check_name_and_size("kostenmodel.xlsx", bx.MAX_BYTES + 1)


def with_member(content: bytes, name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr(name, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_by_its_unpacked_size():
    bomb = with_member(workbook_bytes(), "xl/media/padding.bin", b"\x00" * (51 * 1024 * 1024))
    assert len(bomb) < bx.MAX_BYTES  # small on the wire
    assert rejected("kostenmodel.xlsx", bomb) == "zip_bomb"


def test_a_workbook_with_external_links_or_macros_is_refused():
    linked = with_member(workbook_bytes(), "xl/externalLinks/externalLink1.xml", b"<externalLink/>")
    assert rejected("kostenmodel.xlsx", linked) == "external_links"
    macros = with_member(workbook_bytes(), "xl/vbaProject.bin", b"\x00")
    assert rejected("kostenmodel.xlsx", macros) == "macros"


def test_more_than_5000_lines_are_refused():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Kostenmodel"
    sheet.append(bx.HEADERS)
    for i in range(bx.MAX_ROWS + 1):
        sheet.append(["Stad Gent", "Personeel", 1, f"Regel {i}", 1])
    money = workbook.create_sheet("Financiering")
    for label in bx.FINANCING_LABELS.values():
        money.append([label, 0])
    out = io.BytesIO()
    workbook.save(out)
    assert rejected("kostenmodel.xlsx", out.getvalue()) == "too_many_rows"


def test_read_amount_accepts_cents_and_refuses_the_rest():
    assert bx.read_amount(1234.56) == (Decimal("1234.56"), "")
    assert bx.read_amount(7) == (Decimal("7.00"), "")
    assert bx.read_amount("1.234.567,89") == (Decimal("1234567.89"), "")
    for bad in ("abc", -0.01, 0.001, float("inf"), True, "1e400", 10**13):
        amount, problem = bx.read_amount(bad)
        assert amount is None and problem, bad
