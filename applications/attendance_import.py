"""Reading and checking an attendance list of a co-creation session (R-COCREATE).

Pure: no database. The caller passes the organisations that may appear in the list
(`OrganisationRef`), and gets back parsed rows and row errors. The service imports only when
there are no errors at all (all-or-nothing).

The list has three columns, in this order: organisation (its name, NIS code or KBO number),
the person's name, and the person's e-mail address (optional). An optional first row with
column titles ("Organisatie; Naam; E-mail") is skipped. Accepted files:

- `.xlsx`, refused when it is a zip bomb, holds macros or links to other workbooks
  (applications/uploads.py), then read with openpyxl in read-only mode and *with* formulas
  (`data_only=False`), so a formula is seen and refused instead of its cached value being
  imported unnoticed;
- `.csv` in UTF-8 (with or without the BOM Excel writes), separated by `;` (Belgian Excel) or `,`;
  a value starting with "=" counts as a formula there too.

Row numbers in errors are the row numbers the person sees in Excel (the title row is row 1).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from . import uploads

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5_000
# A 2 MB xlsx can unpack to gigabytes; refuse before openpyxl reads it.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# Rows read (blank ones included) after which reading stops, so a sheet of a million formatted
# but empty rows cannot keep the server busy.
MAX_ROWS_SCANNED = 10 * MAX_ROWS
MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 254
EXTENSIONS = (".xlsx", ".csv")

HEADER_WORDS = {
    "organisatie",
    "organisation",
    "organization",
    "bestuur",
    "lokaal bestuur",
    "gemeente",
    "naam",
    "name",
    "deelnemer",
    "persoon",
    "e-mail",
    "email",
    "e-mailadres",
    "emailadres",
    "mailadres",
    "mail",
}
# "Stad Gent", "Gemeente Zele", "Lokaal bestuur Ronse": tried without the prefix too.
NAME_PREFIXES = (
    "stadsbestuur ",
    "gemeentebestuur ",
    "lokaal bestuur ",
    "stad ",
    "gemeente ",
)


class AttendanceFileRejected(Exception):
    """The file as a whole cannot be read: wrong type, too large, too many rows, unreadable."""

    def __init__(self, message, code: str):
        super().__init__(str(message))
        self.message = message
        self.code = code


@dataclass(frozen=True)
class OrganisationRef:
    """What the parser needs to know about an organisation."""

    id: int
    name: str
    nis_code: str = ""
    enterprise_number: str = ""


@dataclass(frozen=True)
class SheetRow:
    """One non-blank row of the file, as text, with its row number in the file."""

    number: int
    cells: tuple[str, str, str]
    has_formula: bool = False


@dataclass(frozen=True)
class ParsedAttendance:
    row: int
    organisation_id: int
    organisation_name: str
    person_name: str
    person_email: str


@dataclass(frozen=True)
class RowError:
    row: int
    code: str
    message: str


@dataclass
class AttendanceParseResult:
    rows: list[ParsedAttendance] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- the file ----------------------------------------------------------------------------------


def check_upload(filename: str, size: int) -> str:
    """Refuse a file by its name and size before reading it; returns the extension."""
    extension = uploads.extension_of(filename)
    if extension not in EXTENSIONS:
        raise AttendanceFileRejected(
            _("Upload the attendance list as an Excel file (.xlsx) or a CSV file (.csv)."),
            code="file_type",
        )
    if size > MAX_BYTES:
        raise AttendanceFileRejected(
            _("The file is larger than 2 MB. Split the attendance list into smaller files."),
            code="file_size",
        )
    if size == 0:
        raise AttendanceFileRejected(_("The file is empty."), code="empty")
    return extension


def read_attendance_file(filename: str, content: bytes) -> list[SheetRow]:
    """The non-blank rows of an xlsx or csv attendance list, header included.

    Raises AttendanceFileRejected when the file cannot be used at all.
    """
    extension = check_upload(filename, len(content))
    if extension == ".xlsx":
        rows = _read_xlsx(content)
    else:
        rows = _read_csv(content)
    if not rows:
        raise AttendanceFileRejected(_("The file contains no rows."), code="empty")
    return rows


def _too_many_rows() -> AttendanceFileRejected:
    return AttendanceFileRejected(
        _("The list has more than %(max)s rows. Split it into smaller files.") % {"max": MAX_ROWS},
        code="too_many_rows",
    )


def _read_xlsx(content: bytes) -> list[SheetRow]:
    # Imported here: only xlsx uploads need openpyxl.
    from openpyxl import load_workbook

    not_xlsx = AttendanceFileRejected(
        _(
            "This file is not a readable Excel file (.xlsx). Save it again in Excel as .xlsx or CSV."
        ),
        code="not_xlsx",
    )
    try:
        uploads.check_magic(content[:8], ".xlsx")
        uploads.check_zip(io.BytesIO(content), ".xlsx", max_unpacked=MAX_UNPACKED_BYTES)
    except uploads.UploadRejected as exc:
        if exc.code == "zip_bomb":
            raise AttendanceFileRejected(
                _("The Excel file unpacks to more than 50 MB. Split the attendance list."),
                code="file_size",
            ) from exc
        if exc.code == "external_links":
            raise AttendanceFileRejected(
                _(
                    "The workbook links to other workbooks. Replace the links by their values "
                    "(in Excel: Data > Edit Links > Break Link) and upload again."
                ),
                code="external_links",
            ) from exc
        if exc.code == "macros":
            raise AttendanceFileRejected(
                _("The workbook contains macros. Save it as a plain .xlsx without macros."),
                code="macros",
            ) from exc
        raise not_xlsx from exc
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        raise not_xlsx from exc
    try:
        if not workbook.worksheets:
            raise AttendanceFileRejected(_("The file contains no rows."), code="empty")
        sheet = workbook.worksheets[0]
        rows: list[SheetRow] = []
        for scanned, cells in enumerate(sheet.iter_rows(max_col=3), start=1):
            if scanned > MAX_ROWS_SCANNED:
                raise _too_many_rows()
            number = next((c.row for c in cells if getattr(c, "row", None)), scanned)
            values = [_cell_text(cell.value) for cell in cells]
            values += [""] * (3 - len(values))
            if any(values):
                has_formula = any(cell.data_type == "f" for cell in cells)
                rows.append(SheetRow(number, (values[0], values[1], values[2]), has_formula))
                if len(rows) > MAX_ROWS + 1:  # + 1: the title row
                    raise _too_many_rows()
    finally:
        workbook.close()
    return rows


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        # A NIS code or KBO number typed as a number: 44021.0 -> "44021".
        return str(int(value))
    return str(value).strip()


def _read_csv(content: bytes) -> list[SheetRow]:
    if b"\x00" in content[:4096]:
        raise AttendanceFileRejected(
            _('This file is not a text (CSV) file. Save it in Excel as "CSV UTF-8".'),
            code="not_csv",
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AttendanceFileRejected(
            _(
                'The CSV file is not in UTF-8. In Excel, choose "Save as" and the type '
                '"CSV UTF-8 (comma delimited)".'
            ),
            code="encoding",
        ) from exc
    delimiter = _delimiter(text)
    rows: list[SheetRow] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for scanned, record in enumerate(reader, start=1):
            if scanned > MAX_ROWS_SCANNED:
                raise _too_many_rows()
            values = [v.strip() for v in record[:3]]
            values += [""] * (3 - len(values))
            if any(values):
                # The record number is the row Excel shows (a quoted value may span lines).
                # A value starting with "=" is a formula to Excel: refused like one, so it never
                # reaches a later export (CSV injection).
                has_formula = any(v.startswith("=") for v in values)
                rows.append(SheetRow(scanned, (values[0], values[1], values[2]), has_formula))
                if len(rows) > MAX_ROWS + 1:
                    raise _too_many_rows()
    except csv.Error as exc:
        raise AttendanceFileRejected(
            _("The CSV file cannot be read: %(reason)s") % {"reason": exc}, code="not_csv"
        ) from exc
    return rows


def _delimiter(text: str) -> str:
    """`;` (Belgian Excel) or `,`: whichever splits the first non-blank line into more cells."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: len(next(csv.reader([first], delimiter=d), [])) for d in (";", ",")}
    return "," if counts[","] > counts[";"] else ";"


# --- the rows ----------------------------------------------------------------------------------


def normalise_person_name(value: str) -> str:
    """Trim and collapse white space: "  Jan   Peeters " -> "Jan Peeters"."""
    return " ".join((value or "").split())


def person_key(organisation_id: int, person_name: str) -> tuple[int, str]:
    """Two rows are the same attendance when organisation and name match, ignoring case."""
    return organisation_id, normalise_person_name(person_name).casefold()


def _name_key(value: str) -> str:
    text = unicodedata.normalize("NFKC", value or "").casefold()
    return " ".join(text.replace("\u2011", "-").split())


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def _kbo_key(value: str) -> str:
    """A KBO number as ten digits: "BE 0207.451.227", "207451227" -> "0207451227"."""
    digits = _digits(value)
    if len(digits) == 9:
        digits = "0" + digits
    return digits if len(digits) == 10 else ""


class OrganisationIndex:
    """Looks up an organisation by name (with or without "Stad"/"Gemeente"), NIS code or KBO."""

    def __init__(self, organisations):
        self.by_name: dict[str, list[OrganisationRef]] = {}
        self.by_nis: dict[str, OrganisationRef] = {}
        self.by_kbo: dict[str, OrganisationRef] = {}
        for org in organisations:
            self.by_name.setdefault(_name_key(org.name), []).append(org)
            if org.nis_code:
                self.by_nis[org.nis_code] = org
            kbo = _kbo_key(org.enterprise_number)
            if kbo:
                self.by_kbo[kbo] = org

    def find(self, value: str) -> tuple[OrganisationRef | None, str]:
        """(organisation, "") or (None, error code: "unknown_organisation"/"ambiguous_organisation")."""
        text = (value or "").strip()
        compact = re.sub(r"[\s.]", "", text).upper().removeprefix("BE")
        if re.fullmatch(r"\d{5}", compact) and compact in self.by_nis:
            return self.by_nis[compact], ""
        if re.fullmatch(r"\d{9,10}", compact) and _kbo_key(compact) in self.by_kbo:
            return self.by_kbo[_kbo_key(compact)], ""
        key = _name_key(text)
        candidates = self.by_name.get(key)
        if not candidates:
            for prefix in NAME_PREFIXES:
                if key.startswith(prefix):
                    candidates = self.by_name.get(key.removeprefix(prefix).strip())
                    break
        if not candidates:
            return None, "unknown_organisation"
        if len(candidates) > 1:
            return None, "ambiguous_organisation"
        return candidates[0], ""


def is_header(row: SheetRow) -> bool:
    """A title row: its first cell, or two of its cells, are column titles such as
    "Organisatie", "Naam", "E-mail"."""
    if any("@" in c for c in row.cells):
        return False
    titles = [_name_key(c).rstrip(":").strip() in HEADER_WORDS for c in row.cells]
    return titles[0] or sum(titles) >= 2


def validate_attendance_rows(rows: list[SheetRow], organisations) -> AttendanceParseResult:
    """Check every row; return the parsed rows and, per bad row, its number and reason."""
    index = (
        organisations
        if isinstance(organisations, OrganisationIndex)
        else OrganisationIndex(organisations)
    )
    result = AttendanceParseResult()
    if rows and is_header(rows[0]):
        rows = rows[1:]
    if len(rows) > MAX_ROWS:
        raise _too_many_rows()
    if not rows:
        raise AttendanceFileRejected(_("The file contains no attendance rows."), code="empty")
    seen: dict[tuple[int, str], int] = {}
    for row in rows:
        organisation_text, name_text, email_text = row.cells
        if row.has_formula:
            result.errors.append(
                RowError(
                    row.number,
                    "formula",
                    _(
                        "The row contains a formula. Replace formulas by their values and upload again."
                    ),
                )
            )
            continue
        errors_before = len(result.errors)
        organisation = None
        if not organisation_text:
            result.errors.append(
                RowError(row.number, "missing_organisation", _("The organisation is missing."))
            )
        else:
            organisation, problem = index.find(organisation_text)
            if problem == "ambiguous_organisation":
                result.errors.append(
                    RowError(
                        row.number,
                        problem,
                        _(
                            "More than one organisation is called “%(value)s”. Use its NIS code "
                            "or KBO number."
                        )
                        % {"value": organisation_text},
                    )
                )
            elif problem:
                result.errors.append(
                    RowError(
                        row.number,
                        problem,
                        _(
                            "Unknown organisation “%(value)s”. Use the name as it is in the "
                            "portal, the NIS code or the KBO number."
                        )
                        % {"value": organisation_text},
                    )
                )
        person_name = normalise_person_name(name_text)
        if not person_name:
            result.errors.append(RowError(row.number, "missing_name", _("The name is missing.")))
        elif len(person_name) > MAX_NAME_LENGTH:
            result.errors.append(
                RowError(
                    row.number,
                    "name_too_long",
                    _("The name is longer than %(max)s characters.") % {"max": MAX_NAME_LENGTH},
                )
            )
        person_email = (email_text or "").strip()
        if person_email and not _valid_email(person_email):
            result.errors.append(
                RowError(
                    row.number,
                    "invalid_email",
                    _("“%(value)s” is not a valid e-mail address.") % {"value": person_email},
                )
            )
        if len(result.errors) > errors_before or organisation is None:
            continue
        key = person_key(organisation.id, person_name)
        if key in seen:
            result.errors.append(
                RowError(
                    row.number,
                    "duplicate",
                    _("This person of this organisation is already on row %(row)s.")
                    % {"row": seen[key]},
                )
            )
            continue
        seen[key] = row.number
        result.rows.append(
            ParsedAttendance(
                row=row.number,
                organisation_id=organisation.id,
                organisation_name=organisation.name,
                person_name=person_name,
                person_email=person_email,
            )
        )
    return result


def _valid_email(value: str) -> bool:
    if len(value) > MAX_EMAIL_LENGTH:
        return False
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def parse_attendance_file(filename: str, content: bytes, organisations) -> AttendanceParseResult:
    """Read and check an attendance list. Raises AttendanceFileRejected for an unusable file."""
    return validate_attendance_rows(read_attendance_file(filename, content), organisations)
