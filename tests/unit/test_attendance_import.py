"""The attendance list parser (R-COCREATE): pure, no database."""

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from applications.attendance_import import (
    MAX_BYTES,
    MAX_ROWS,
    AttendanceFileRejected,
    OrganisationIndex,
    OrganisationRef,
    SheetRow,
    check_upload,
    is_header,
    normalise_person_name,
    parse_attendance_file,
    read_attendance_file,
    validate_attendance_rows,
)

GENT = OrganisationRef(id=1, name="Gent", nis_code="44021", enterprise_number="0207.451.227")
LEUVEN = OrganisationRef(id=2, name="Leuven", nis_code="24062")
IMEC = OrganisationRef(id=3, name="imec", enterprise_number="0425.260.668")
ORGS = [GENT, LEUVEN, IMEC]


def csv_bytes(text: str, bom: bool = False) -> bytes:
    data = text.encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def codes(result):
    return [(e.row, e.code) for e in result.errors]


def test_a_good_semicolon_csv_with_header_is_parsed_with_excel_row_numbers():
    content = csv_bytes(
        "Organisatie;Naam;E-mail\n"
        "Gent;Jan Peeters;jan.peeters@stad.gent\n"
        "24062;  An   Janssens ;\n"
        "0425.260.668;Piet De Smet;piet@imec.be\n"
    )
    result = parse_attendance_file("aanwezigen.csv", content, ORGS)
    assert result.ok, result.errors
    assert [(r.row, r.organisation_id, r.person_name, r.person_email) for r in result.rows] == [
        (2, 1, "Jan Peeters", "jan.peeters@stad.gent"),
        (3, 2, "An Janssens", ""),
        (4, 3, "Piet De Smet", "piet@imec.be"),
    ]


def test_a_comma_csv_with_bom_and_crlf_without_header_is_parsed():
    content = csv_bytes(
        '"Stad Gent",Jan Peeters,jan@gent.be\r\nBE0207451227,Els Maes,\r\n', bom=True
    )
    result = parse_attendance_file("lijst.CSV", content, ORGS)
    assert result.ok, result.errors
    assert [(r.row, r.organisation_id, r.person_name) for r in result.rows] == [
        (1, 1, "Jan Peeters"),
        (2, 1, "Els Maes"),
    ]


def test_a_semicolon_csv_keeps_commas_inside_names():
    content = csv_bytes("Organisatie;Naam;E-mail\nGent;Peeters, Jan;\n")
    result = parse_attendance_file("lijst.csv", content, ORGS)
    assert result.ok
    assert result.rows[0].person_name == "Peeters, Jan"


def test_a_good_xlsx_built_in_memory_is_parsed_and_numbers_become_codes():
    content = xlsx_bytes(
        [
            ("Organisatie", "Naam", "E-mail"),
            ("Gent", "Jan Peeters", "jan@gent.be"),
            (24062, "An Janssens", None),  # a NIS code typed as a number
            (None, None, None),  # a blank row is skipped, numbering goes on
            (425260668, "Piet De Smet", "piet@imec.be"),  # KBO without its leading zero
        ]
    )
    result = parse_attendance_file("aanwezigen.xlsx", content, ORGS)
    assert result.ok, result.errors
    assert [(r.row, r.organisation_id) for r in result.rows] == [(2, 1), (3, 2), (5, 3)]


def test_a_formula_cell_is_refused_with_its_row_number():
    content = xlsx_bytes(
        [
            ("Organisatie", "Naam", "E-mail"),
            ("Gent", "Jan Peeters", "jan@gent.be"),
            ("Leuven", '=CONCATENATE("An"," ","Janssens")', None),
        ]
    )
    result = parse_attendance_file("aanwezigen.xlsx", content, ORGS)
    assert codes(result) == [(3, "formula")]


def test_a_csv_value_that_excel_would_run_as_a_formula_is_refused():
    content = csv_bytes('Gent;Jan Peeters;\nLeuven;=HYPERLINK("http://x.example");\n')
    result = parse_attendance_file("lijst.csv", content, ORGS)
    assert codes(result) == [(2, "formula")]


def test_bad_rows_are_reported_with_their_row_number_and_reason():
    content = csv_bytes(
        "Organisatie;Naam;E-mail\n"
        "Gent;Jan Peeters;jan@gent.be\n"
        "Atlantis;Iemand;\n"
        "Leuven;;an@leuven.be\n"
        "Gent;Els Maes;geen-adres\n"
        ";Zonder Organisatie;\n"
    )
    result = parse_attendance_file("lijst.csv", content, ORGS)
    assert codes(result) == [
        (3, "unknown_organisation"),
        (4, "missing_name"),
        (5, "invalid_email"),
        (6, "missing_organisation"),
    ]
    assert "Atlantis" in str(result.errors[0].message)
    assert [r.row for r in result.rows] == [2]


def test_a_duplicate_row_is_reported_against_the_first_one_ignoring_case_and_spaces():
    content = csv_bytes("Gent;Jan Peeters;\n44021;jan  PEETERS;\nLeuven;Jan Peeters;\n")
    result = parse_attendance_file("lijst.csv", content, ORGS)
    assert codes(result) == [(2, "duplicate")]
    assert "1" in str(result.errors[0].message)


def test_an_ambiguous_name_asks_for_the_nis_code():
    orgs = [*ORGS, OrganisationRef(id=9, name="Gent", nis_code="")]
    result = parse_attendance_file("lijst.csv", csv_bytes("Gent;Jan;\n44021;An;\n"), orgs)
    assert codes(result) == [(1, "ambiguous_organisation")]


@pytest.mark.parametrize(
    ("filename", "content", "code"),
    [
        ("lijst.xls", b"whatever", "file_type"),
        ("lijst.pdf", b"%PDF-1.7", "file_type"),
        ("lijst", b"Gent;Jan;", "file_type"),
        ("lijst.csv", b"", "empty"),
        ("lijst.csv", b"Gent;Jan;\n".ljust(MAX_BYTES + 1, b" "), "file_size"),
        ("lijst.csv", "Gent;Jos\xe9;\n".encode("latin-1"), "encoding"),
        ("lijst.xlsx", b"Organisatie;Naam;E-mail\n", "not_xlsx"),
        ("lijst.csv", xlsx_bytes([("Gent", "Jan", "")]), "not_csv"),
        ("lijst.csv", b"Organisatie;Naam;E-mail\n", "empty"),
    ],
)
def test_unusable_files_are_refused_as_a_whole(filename, content, code):
    with pytest.raises(AttendanceFileRejected) as excinfo:
        parse_attendance_file(filename, content, ORGS)
    assert excinfo.value.code == code
    assert str(excinfo.value.message)


def test_more_than_the_maximum_number_of_rows_is_refused():
    lines = "".join(f"Gent;Persoon {n};\n" for n in range(MAX_ROWS + 1))
    with pytest.raises(AttendanceFileRejected) as excinfo:
        parse_attendance_file("lijst.csv", lines.encode(), ORGS)
    assert excinfo.value.code == "too_many_rows"


def test_exactly_the_maximum_number_of_rows_with_a_header_is_accepted():
    lines = "Organisatie;Naam;E-mail\n" + "".join(f"Gent;Persoon {n};\n" for n in range(MAX_ROWS))
    result = parse_attendance_file("lijst.csv", lines.encode(), ORGS)
    assert result.ok and len(result.rows) == MAX_ROWS


def test_an_xlsx_sheet_over_the_maximum_is_refused():
    rows = [("Gent", f"Persoon {n}", None) for n in range(MAX_ROWS + 2)]
    with pytest.raises(AttendanceFileRejected) as excinfo:
        read_attendance_file("lijst.xlsx", xlsx_bytes(rows))
    assert excinfo.value.code == "too_many_rows"


def test_check_upload_accepts_both_extensions_in_any_case():
    assert check_upload("Lijst.XLSX", 10) == ".xlsx"
    assert check_upload("lijst.csv", 10) == ".csv"


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (("Organisatie", "Naam", "E-mail"), True),
        (("Organisation", "Name", "Email"), True),
        (("Gemeente", "", ""), True),
        (("Bestuur", "Naam deelnemer", "Mail:"), True),
        (("Gent", "Jan Peeters", "jan@gent.be"), False),
        (("Gent", "Naam", "E-mail@x.be"), False),
    ],
)
def test_header_detection(cells, expected):
    assert is_header(SheetRow(1, cells)) is expected


@pytest.mark.parametrize(
    "value",
    [
        "Gent",
        "gent",
        " GENT ",
        "Stad Gent",
        "stadsbestuur Gent",
        "44021",
        "0207.451.227",
        "BE 0207 451 227",
        "207451227",
    ],
)
def test_an_organisation_is_found_by_name_prefix_nis_or_kbo(value):
    organisation, problem = OrganisationIndex(ORGS).find(value)
    assert (organisation, problem) == (GENT, "")


@given(st.lists(st.text(alphabet="abcdefgh ,;\"'\n\t@.-", max_size=30), min_size=1, max_size=20))
def test_every_row_is_either_imported_or_reported_exactly_once(names):
    rows = [SheetRow(n + 2, ("Gent", name, "")) for n, name in enumerate(names)]
    result = validate_attendance_rows(rows, ORGS)
    numbers = [e.row for e in result.errors] + [r.row for r in result.rows]
    assert sorted(numbers) == [r.number for r in rows]
    assert all(
        r.person_name and r.person_name == normalise_person_name(r.person_name) for r in result.rows
    )
    assert {e.row for e in result.errors if e.code == "missing_name"} == {
        r.number for r in rows if not r.cells[1].split()
    }
