"""Hostile uploads, posted through the real views to every file field of the portal.

The fields (12): the application's attachments (policy section: bestuursakkoord, and the
attachments section), the cost model workbook (R-BUDGET), the co-creation attendance list
(R-COCREATE), the signed cooperation agreement (R-COOP), the interim content report (R-TR2), the
four files of the final report (report, award report, framework agreement, playbook; R-TR3),
the evidence of a cost line (R-COSTS) and an end result for the public register (R-SHARE).

The attacks: a renamed executable (ELF, MZ) called `.pdf`; a 100 MB PDF; an xlsx zip bomb (a
few hundred kB that unpacks to 200 MB); an xlsx with a link to another workbook plus formulas
(`=cmd|...`, `=HYPERLINK(...)`); and file names with `../`, an absolute path, NUL, a
right-to-left override, look-alike letters and 300 characters.

Each refusal must be in Dutch on the page, keep what else was typed in the form and store
nothing: no file under MEDIA_ROOT (tests/conftest.py gives every test its own folder) and no row
in any upload table. A name attack with real content may be stored, but only under a slugified
name inside its folder. What the portal does with formulas: the two imports (cost model,
attendance list) refuse a formula cell with its reference and never evaluate it
(openpyxl with data_only=False); a workbook stored as a document is kept byte for byte and never
opened by the portal, but a link to another workbook (how Excel stores DDE links) or macros are
refused everywhere.

The requests are built by hand (multipart written to a temporary file and streamed as
`wsgi.input`): the test client would cut the file name down to its basename and hold 100 MB in
memory several times.
"""

import html
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from applications import budget_xlsx
from applications.models import Application, Attachment, Attendance, CostLine
from applications.services.budget import line_data, partner_refs, stored_financing
from payments.models import ContentReport, CooperationAgreement, CostStatementLine, EndResult, Grant
from payments.services_grant import open_grant
from scoring.models import DecisionOutcome, DecisionReason, GovernmentDecision
from tests.factories import open_call
from tests.factories_application import complete, started_application
from tests.factories_cocreation import CoCreationSessionFactory
from tests.factories_ranking import ranking_call
from tests.factories_scoring import call_manager
from tests.factories_world import GENT, KORTRIJK, LEUVEN, module_world

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56 + b"this is a program"
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"This program cannot be run in DOS"
BIG = 100 * 1024 * 1024
BOMB_UNPACKED = 200 * 1024 * 1024
MB = 1024 * 1024
BOUNDARY = "----portal-upload-attack-7a1f"
SAFE_NAME = re.compile(
    r"^(applications|grants)/[A-Za-z0-9-]+/[a-z0-9-]+(_[A-Za-z0-9]{7})?\.[a-z0-9]{1,5}$"
)
UPLOAD_MODELS = (Attachment, Attendance, CostLine, CooperationAgreement, ContentReport)
UPLOAD_MODELS += (CostStatementLine, EndResult)


# --- hostile files ------------------------------------------------------------------------------


def _xlsx(rows, *, extra_parts=()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    if not extra_parts:
        return out.getvalue()
    merged = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(out.getvalue())) as source,
        zipfile.ZipFile(merged, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        for name, data in extra_parts:
            target.writestr(name, data)
    return merged.getvalue()


@cache
def zip_bomb() -> bytes:
    """A real xlsx whose first sheet is 200 MB of zeros, a few hundred kB on the wire. Written
    in 1 MB chunks, so building it never holds the 200 MB."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_xlsx([["Gent", "Jan"]]))) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                continue
            target.writestr(item, source.read(item.filename))
        with target.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/')
            chunk = b"0" * MB
            for _ in range(BOMB_UNPACKED // MB):
                sheet.write(chunk)
    return out.getvalue()


EXTERNAL_LINK = (
    b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<ddeLink ddeService="cmd" ddeTopic="/C calc"/></externalLink>'
)
FORMULAS = [
    ["Stad Gent", "=cmd|' /C calc'!A0", '=HYPERLINK("https://evil.example/", "klik")'],
    ["=1+1", "Jan Peeters", ""],
]


@cache
def linked_workbook() -> bytes:
    return _xlsx(FORMULAS, extra_parts=[("xl/externalLinks/externalLink1.xml", EXTERNAL_LINK)])


@cache
def formula_workbook() -> bytes:
    return _xlsx(FORMULAS)


# --- posting by hand ----------------------------------------------------------------------------


@dataclass
class Upload:
    field: str
    name: str
    content: bytes = b""
    size: int = 0  # > 0: `content` is the head, padded with spaces up to `size` bytes


def _quote(name: str) -> bytes:
    return name.replace("\\", "\\\\").replace('"', "%22").encode("utf-8")


def post(client, url, data: dict, uploads: list[Upload]):
    """POST multipart/form-data, streamed from a temporary file (never all in memory)."""
    with tempfile.TemporaryFile() as body:
        for name, value in data.items():
            body.write(f"--{BOUNDARY}\r\n".encode())
            body.write(f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
            body.write(str(value).encode("utf-8") + b"\r\n")
        for upload in uploads:
            body.write(f"--{BOUNDARY}\r\n".encode())
            body.write(
                f'Content-Disposition: form-data; name="{upload.field}"; filename="'.encode()
                + _quote(upload.name)
                + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
            )
            body.write(upload.content)
            left = upload.size - len(upload.content)
            padding = b" " * MB
            while left > 0:
                body.write(padding[: min(left, MB)])
                left -= MB
            body.write(b"\r\n")
        body.write(f"--{BOUNDARY}--\r\n".encode())
        length = body.tell()
        body.seek(0)
        return client.post(
            url,
            data=b"",
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
            **{
                "wsgi.input": body,
                "CONTENT_LENGTH": str(length),
                "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            },
        )


# --- the world: one grant, one draft application, one session -----------------------------------


@dataclass
class World:
    lead: object  # member of Gent: the grant's lead applicant
    applicant: object  # member of Leuven: a draft application
    manager: object
    grant: Grant
    application: object
    session: object
    kpis: list = field(default_factory=list)


def _build() -> World:
    """A running grant opened the way the Government's decision opens it (open_grant on an
    approved outcome; the decision's letters and PDFs are not what this module is about)."""
    manager = call_manager()
    call = ranking_call(envelope=Decimal("5000000.00"))
    funded, lead = started_application(call=call, lead_nis=GENT, partner_nis=(KORTRIJK,))
    complete(funded, lead)
    Application.objects.filter(pk=funded.pk).update(
        status="admissible", submitted_at=timezone.now() - timedelta(days=1)
    )
    decision = GovernmentDecision.objects.create(
        call=call,
        decision_date=timezone.localdate(),
        decision_reference="VR 1",
        recorded_by=manager,
        recorded_at=timezone.now(),
    )
    outcome = DecisionOutcome.objects.create(
        decision=decision,
        application=funded,
        approved=True,
        reason=DecisionReason.FUNDED,
        rank=1,
        requested=Decimal("800000.00"),
        awarded=Decimal("800000.00"),
        total_score=Decimal("90"),
    )
    grant = open_grant(outcome)
    application, applicant = started_application(
        call=open_call(year=2031, title="Oproep City of Things 2031"),
        lead_nis=LEUVEN,
        partner_nis=(KORTRIJK,),
    )
    session = CoCreationSessionFactory(call=call)
    return World(
        lead=lead,
        applicant=applicant,
        manager=manager,
        grant=grant,
        application=application,
        session=session,
        kpis=list(funded.kpis.all()),
    )


@pytest.fixture(scope="module")
def world_media(tmp_path_factory):
    return tmp_path_factory.mktemp("upload-attacks-world")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, world_media):
    with django_db_blocker.unblock(), module_world(world_media):
        yield _build()


@pytest.fixture(autouse=True)
def _dutch(settings):
    settings.COT_REQUIRE_2FA = False
    settings.LANGUAGE_CODE = "nl"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


# --- the fields ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One file field: who posts where, with which other fields, and what they must keep."""

    url: object  # (world) -> url
    user: str  # the World attribute of the person who may upload
    field: str  # the file field
    data: object  # (world) -> the other fields of the form
    kept: tuple = ()  # what was typed that the refused page must show again
    others: tuple = ()  # other required file fields of the same form (sent valid)


def _application_upload(section):
    return lambda w: reverse(
        "applications:application_upload",
        kwargs={"year": w.application.call.year, "slug": w.application.slug, "section": section},
    )


def _project(w):
    return reverse("payments:project", args=[w.grant.reference])


def _report(kind):
    def data(w):
        values = {
            "action": "report",
            "kind": kind,
            f"report-{kind}-summary": "Halfweg: sensoren geplaatst in Gent-Zuid",
        }
        for kpi in w.kpis:
            values[f"report-{kind}-kpi_{kpi.pk}"] = "7,5"
        return values

    return data


def _final(field_name):
    others = tuple(
        f"report-final-{n}"
        for n in ("file", "award_report", "framework_agreement", "playbook")
        if n != field_name
    )
    return Target(
        _project,
        "lead",
        f"report-final-{field_name}",
        _report("final"),
        ("Halfweg: sensoren geplaatst in Gent-Zuid", 'value="7,5"'),
        others,
    )


def _cost_line(w):
    partner = w.grant.application.partners.get(role="coordinator")
    return {
        "action": "add",
        "line-partner": partner.pk,
        "line-category": "personnel",
        "line-date": w.grant.start_date.strftime("%d/%m/%Y"),
        "line-description": "Factuur 2030/017 van Sensorbedrijf",
        "line-amount": "12.345,67",
    }


DOCUMENT_FIELDS = {
    "bestuursakkoord": Target(
        _application_upload("policy"),
        "applicant",
        "file",
        lambda w: {"kind": "bestuursakkoord", "title": "Akkoord 2025-2030 Leuven", "version": 0},
        ("Akkoord 2025-2030 Leuven",),
    ),
    "bijlage": Target(
        _application_upload("attachments"),
        "applicant",
        "file",
        lambda w: {"kind": "other", "title": "Marktverkenning sensoren", "version": 0},
        ("Marktverkenning sensoren",),
    ),
    "samenwerkingsovereenkomst": Target(
        _project, "lead", "agreement-file", lambda w: {"action": "agreement"}
    ),
    "tussentijds rapport": Target(
        _project,
        "lead",
        "report-interim-file",
        _report("interim"),
        ("Halfweg: sensoren geplaatst in Gent-Zuid",),
    ),
    "eindrapport": _final("file"),
    "gunningsverslag": _final("award_report"),
    "raamovereenkomst": _final("framework_agreement"),
    "draaiboek": _final("playbook"),
    "bewijsstuk kost": Target(
        lambda w: reverse("payments:cost_lines", args=[w.grant.reference]),
        "lead",
        "line-evidence",
        _cost_line,
        ("Factuur 2030/017 van Sensorbedrijf", "12.345,67"),
    ),
    "eindresultaat": Target(
        lambda w: reverse("register:end_results", args=[w.grant.reference]),
        "lead",
        "file",
        lambda w: {"kind": "playbook", "title": "Draaiboek slim parkeren voor gemeenten"},
        ("Draaiboek slim parkeren voor gemeenten",),
    ),
}


def budget_target():
    return Target(
        lambda w: reverse(
            "applications:application_budget_upload",
            kwargs={"year": w.application.call.year, "slug": w.application.slug},
        ),
        "applicant",
        "file",
        lambda w: {},
    )


def attendance_target():
    return Target(
        lambda w: reverse(
            "applications:attendance_upload", args=[w.session.call.year, w.session.pk]
        ),
        "manager",
        "file",
        lambda w: {},
    )


IMPORT_FIELDS = {"kostenmodel": budget_target(), "aanwezigheidslijst": attendance_target()}


# --- what was stored ----------------------------------------------------------------------------


def media_files() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def rows() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in UPLOAD_MODELS}


def errors_on(response) -> list[str]:
    """The error messages of a page (for a failing assertion's explanation)."""
    found = re.findall(
        r'class="[^"]*(?:invalid-feedback|alert|errorlist)[^"]*"[^>]*>(.*?)</',
        page_text(response),
        re.S,
    )
    return [" ".join(e.split()) for e in found]


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def send(client, world, target: Target, upload: Upload, follow=False):
    client.force_login(getattr(world, target.user))
    uploads = [upload] + [Upload(name, "geldig.pdf", PDF) for name in target.others]
    response = post(client, target.url(world), target.data(world), uploads)
    if follow and response.status_code == 302:
        response = client.get(response["Location"])
    return response


def assert_refused(response, message: str, target: Target, before: dict):
    text = page_text(response)
    assert response.status_code == 400, response.status_code
    assert message in text, text[:3000]
    for typed in target.kept:
        assert typed in text, typed
    assert media_files() == []
    assert rows() == before


# --- the document fields -----------------------------------------------------------------------

CONTENT = "De inhoud van het bestand komt niet overeen met de naam (.pdf)."
DOCUMENT_ATTACKS = {
    "elf als pdf": (Upload("", "factuur.pdf", ELF), CONTENT),
    "mz als pdf": (Upload("", "factuur.pdf", MZ), CONTENT),
    "pdf van 100 MB": (
        Upload("", "groot.pdf", PDF, size=BIG),
        "Het bestand is groter dan 20 MB. Laad een kleinere versie op.",
    ),
    "xlsx-zipbom": (
        Upload("", "begroting.xlsx", b""),
        "Het uitgepakte bestand is groter dan 100 MB. Dit is geen gewoon document.",
    ),
    "xlsx met koppeling en formules": (
        Upload("", "begroting.xlsx", b""),
        "Het Excelbestand bevat koppelingen naar andere Excelbestanden.",
    ),
    "zip vermomd als docx": (
        Upload("", "verslag.docx", b""),
        "De inhoud van het bestand komt niet overeen met de naam (.docx).",
    ),
    "exe-naam": (
        Upload("", "factuur.pdf.exe", PDF),
        "Laad een bestand op in een van deze formaten: PDF, Word (.docx)",
    ),
}


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.exe", MZ)
    return out.getvalue()


def _attack_upload(attack: str, field_name: str) -> Upload:
    upload, _message = DOCUMENT_ATTACKS[attack]
    content = {
        "xlsx-zipbom": zip_bomb,
        "xlsx met koppeling en formules": linked_workbook,
        "zip vermomd als docx": _plain_zip,
    }.get(attack)
    return Upload(field_name, upload.name, content() if content else upload.content, upload.size)


@pytest.mark.parametrize("target_name", DOCUMENT_FIELDS)
@pytest.mark.parametrize("attack", DOCUMENT_ATTACKS)
def test_a_hostile_document_is_refused_in_dutch_and_nothing_is_stored(
    client, world, target_name, attack
):
    """Every document field × every attack: refused beside the field, typed data kept,
    no file, no row (R-APP attachments, R-COOP, R-TR2, R-TR3, R-COSTS, R-SHARE)."""
    target = DOCUMENT_FIELDS[target_name]
    before = rows()
    response = send(client, world, target, _attack_upload(attack, target.field))
    assert_refused(response, DOCUMENT_ATTACKS[attack][1], target, before)


@pytest.mark.parametrize("target_name", DOCUMENT_FIELDS)
def test_the_same_form_with_a_real_pdf_is_stored(client, world, target_name):
    """The control of the test above: the same post with a real PDF stores file and row."""
    target = DOCUMENT_FIELDS[target_name]
    before = rows()
    response = send(client, world, target, Upload(target.field, "echt.pdf", PDF))
    assert response.status_code == 302, errors_on(response)
    assert len(media_files()) == 1 + len(target.others)
    assert sum(rows().values()) == sum(before.values()) + 1


HOSTILE_NAMES = {
    "pad omhoog": "../../../../etc/cron.d/akkoord.pdf",
    "absoluut pad": "/var/www/static/akkoord.pdf",
    "windows-pad": "C:\\Windows\\System32\\akkoord.pdf",
    "nul-teken": "akkoord\x00.pdf",
    "rechts-naar-links": "akkoord-\u202efdp.exe.pdf",
    "gelijkende letters": "\uff41\uff4b\uff4b\uff4f\uff4f\uff52\uff44 \u0430\u043a\u043a\u043e\u0440\u0434.pdf",
    "300 tekens": "a" * 296 + ".pdf",
}


@pytest.mark.parametrize("target_name", DOCUMENT_FIELDS)
@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_file_name_is_stored_slugified_inside_its_folder_or_refused(
    client, world, target_name, name
):
    target = DOCUMENT_FIELDS[target_name]
    before = rows()
    response = send(client, world, target, Upload(target.field, HOSTILE_NAMES[name], PDF))
    if response.status_code == 400:  # refused: in Dutch, nothing stored
        text = page_text(response)
        assert "bestandsnaam" in text and "100 tekens" in text, text[:3000]
        assert name == "300 tekens"  # only the 100-character limit of the attachment field
        assert media_files() == [] and rows() == before
        return
    assert response.status_code == 302, errors_on(response)
    root = Path(django_settings.MEDIA_ROOT).resolve()
    stored = media_files()
    assert len(stored) == 1 + len(target.others)
    for path in stored:
        relative = path.resolve().relative_to(root).as_posix()  # inside MEDIA_ROOT
        assert SAFE_NAME.match(relative), relative
        assert len(path.name) <= 100
    # Nothing escaped next to MEDIA_ROOT either.
    assert [p.name for p in root.parent.iterdir()] == [root.name]


def test_a_look_alike_extension_is_not_a_pdf(client, world):
    """`.рdf` with a Cyrillic р is not `.pdf`: refused by its extension."""
    target = DOCUMENT_FIELDS["bijlage"]
    before = rows()
    response = send(client, world, target, Upload("file", "akkoord.\u0440df", PDF))
    assert_refused(response, "Laad een bestand op in een van deze formaten", target, before)


def test_an_attachment_name_with_a_right_to_left_override_never_reaches_the_title(client, world):
    """Without a typed title the file name becomes the title: shown on the page, it must not
    carry the override that makes `fdp.exe` read as `exe.pdf`."""
    target = DOCUMENT_FIELDS["bijlage"]
    client.force_login(world.applicant)
    response = post(
        client,
        target.url(world),
        {"kind": "other", "title": "", "version": 0},
        [Upload("file", "factuur-\u202efdp.exe.pdf", PDF)],
    )
    assert response.status_code == 302
    title = Attachment.objects.get(application=world.application).title
    assert "\u202e" not in title and title.endswith(".pdf")


def test_a_workbook_with_formulas_is_stored_as_it_is_and_never_evaluated(client, world):
    """What the portal does with formulas in a document: nothing. The workbook (no external
    link) is stored byte for byte; the portal never opens it, so `=cmd|...` and
    `=HYPERLINK(...)` are never evaluated by the server."""
    target = DOCUMENT_FIELDS["bijlage"]
    content = formula_workbook()
    response = send(client, world, target, Upload("file", "formules.xlsx", content))
    assert response.status_code == 302
    (stored,) = media_files()
    assert stored.read_bytes() == content


def test_macros_in_a_document_are_refused(client, world):
    target = DOCUMENT_FIELDS["eindresultaat"]
    before = rows()
    macros = _xlsx([["x"]], extra_parts=[("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")])
    response = send(client, world, target, Upload("file", "draaiboek.xlsx", macros))
    assert_refused(response, "Het bestand bevat macro's.", target, before)


# --- the two imports ---------------------------------------------------------------------------

IMPORT_ATTACKS = {
    "kostenmodel": {
        "elf als pdf": (ELF, "factuur.pdf", "Laad het kostenmodel op als Excelbestand (.xlsx)."),
        "mz als xlsx": (MZ, "kostenmodel.xlsx", "Dit bestand is geen leesbaar Excelbestand"),
        "xlsx van 100 MB": (
            b"PK\x03\x04",
            "kostenmodel.xlsx",
            "Het bestand is groter dan 5 MB. Verwijder wat niet nodig is voor het kostenmodel.",
        ),
        "pdf van 100 MB": (PDF, "groot.pdf", "Laad het kostenmodel op als Excelbestand (.xlsx)."),
        "xlsx-zipbom": (
            zip_bomb,
            "kostenmodel.xlsx",
            "Het uitgepakte Excelbestand is groter dan 50 MB. Dit is geen gewoon kostenmodel.",
        ),
        "xlsx met koppeling en formules": (
            linked_workbook,
            "kostenmodel.xlsx",
            "Het Excelbestand bevat koppelingen naar andere Excelbestanden.",
        ),
    },
    "aanwezigheidslijst": {
        "elf als pdf": (
            ELF,
            "lijst.pdf",
            "Laad de aanwezigheidslijst op als Excelbestand (.xlsx) of als CSV-bestand (.csv).",
        ),
        "mz als xlsx": (MZ, "lijst.xlsx", "Dit bestand is geen leesbaar Excelbestand"),
        "xlsx van 100 MB": (
            b"PK\x03\x04",
            "lijst.xlsx",
            "Het bestand is groter dan 2 MB. Verdeel de aanwezigheidslijst",
        ),
        "pdf van 100 MB": (
            PDF,
            "groot.pdf",
            "Laad de aanwezigheidslijst op als Excelbestand (.xlsx) of als CSV-bestand (.csv).",
        ),
        "xlsx-zipbom": (
            zip_bomb,
            "lijst.xlsx",
            "Het uitgepakte Excelbestand is groter dan 50 MB. Verdeel de aanwezigheidslijst.",
        ),
        "xlsx met koppeling en formules": (
            linked_workbook,
            "lijst.xlsx",
            "Het Excelbestand bevat koppelingen naar andere Excelbestanden.",
        ),
    },
}
IMPORT_CASES = [(t, a) for t, attacks in IMPORT_ATTACKS.items() for a in attacks]


def _budget_state(application):
    application.refresh_from_db()
    return (
        list(application.cost_lines.values_list("pk", flat=True)),
        stored_financing(application),
    )


@pytest.mark.parametrize(("target_name", "attack"), IMPORT_CASES)
def test_a_hostile_workbook_is_refused_by_the_imports_and_nothing_changes(
    client, world, target_name, attack
):
    """R-BUDGET, R-COCREATE: the import refuses the file as a whole; no line, no attendance."""
    target = IMPORT_FIELDS[target_name]
    content, name, message = IMPORT_ATTACKS[target_name][attack]
    content = content() if callable(content) else content
    size = BIG if "100 MB" in attack else 0
    before, budget = rows(), _budget_state(world.application)
    response = send(client, world, target, Upload("file", name, content, size))
    assert response.status_code == 200  # the upload page again, with the error
    text = page_text(response)
    assert message in text, text[:3000]
    assert media_files() == []
    assert rows() == before
    assert _budget_state(world.application) == budget


def test_formulas_in_the_cost_model_are_refused_cell_by_cell_never_evaluated(client, world):
    """R-BUDGET: a formula cell is named with its reference and shown as text; nothing is
    imported (the formula is never evaluated: openpyxl reads it with data_only=False)."""
    application = world.application
    content = _cost_model(application, ["=cmd|' /C calc'!A0", '=HYPERLINK("x",1)'])
    before, budget = rows(), _budget_state(application)
    response = send(client, world, budget_target(), Upload("file", "kostenmodel.xlsx", content))
    text = page_text(response)
    assert "De cel bevat een formule (=cmd|' /C calc'!A0)" in text
    assert 'De cel bevat een formule (=HYPERLINK("x",1))' in text
    assert rows() == before and _budget_state(application) == budget


def test_formulas_in_the_attendance_list_are_refused_row_by_row(client, world):
    """R-COCREATE: a row with a formula is refused, nothing is imported."""
    before = rows()
    content = formula_workbook()
    response = send(client, world, attendance_target(), Upload("file", "lijst.xlsx", content))
    text = page_text(response)
    assert "De rij bevat een formule." in text
    assert rows() == before and media_files() == []


def _cost_model(application, extra_row=None) -> bytes:
    from openpyxl import load_workbook

    workbook = budget_xlsx.build_workbook(
        partners=partner_refs(application),
        lines=line_data(application),
        financing=stored_financing(application),
        max_year=3,
        title=application.title,
        reference=application.reference,
        cap=application.call.max_support_per_project,
        rate=application.call.max_support_rate,
    )
    book = load_workbook(io.BytesIO(workbook))
    sheet = book["Kostenmodel"]
    sheet.append([book["Lijsten"]["A2"].value, "Personeel", 1, *extra_row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_imports_accept_a_real_file(client, world):
    """The control: the same two forms import a plain file (the counts can move)."""
    before = rows()
    content = _xlsx([["Organisatie", "Naam", "E-mail"], ["Stad Gent", "Jan Peeters", ""]])
    response = send(client, world, attendance_target(), Upload("file", "lijst.xlsx", content))
    assert response.status_code == 302, errors_on(response)
    assert rows()["Attendance"] == before["Attendance"] + 1
    content = _cost_model(world.application, ["Projectleider", 1000])
    response = send(client, world, budget_target(), Upload("file", "kostenmodel.xlsx", content))
    assert response.status_code == 302, errors_on(response)
    assert rows()["CostLine"] == before["CostLine"] + 1
    assert media_files() == []  # the imports never keep the file
