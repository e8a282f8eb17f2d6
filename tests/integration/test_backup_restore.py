"""The backup and its restore (README.md, "Backup and restore"; scripts/backup.sh, restore.sh).

Data is made through the services and committed (a transactional test): a submitted application
with its snapshot PDF and receipt letter (R-SUBMIT), the Government's decision with its letters
(R-LETTER), a grant whose first two tranches are paid (four-eyes, two ledger entries, R-TR).
The real backup script dumps the test database and tars MEDIA_ROOT; the real restore script
loads them into a FRESH database (createdb) and an empty folder. Then every table of the restored
database holds the same rows (count and a digest of every row, per table), the key fields of
the records are there, the ledger is still append-only, and every file has the same bytes.
"""

import hashlib
import os
import subprocess
import uuid
from pathlib import Path

import psycopg2
import psycopg2.errors
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from applications.models import Application, Submission
from applications.services.submission import submit_application
from cot_portal.letters.models import Letter
from payments import services_payments, services_tranches
from payments.models import Grant, LedgerEntry, Payment
from scoring import services_ranking
from scoring.models import Advice, DecisionOutcome, GovernmentDecision
from tests.factories_application import complete, started_application
from tests.factories_ranking import on_jury, ranking_call, submitted_sheet, uniform
from tests.factories_scoring import call_manager, juror
from tests.factories_world import KORTRIJK, LEUVEN, finance_officer, pdf, request_directly, tranche

# Committed data for pg_dump to see; the seeded municipalities come back after each flush.
COMMITTED = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
IBAN = "BE71096123456769"
SERVER = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.COT_REQUIRE_2FA = False
    return settings.MEDIA_ROOT


def _url(name: str) -> str:
    return f"postgresql://{SERVER['user']}@{SERVER['host']}:{SERVER['port']}/{name}"


@pytest.fixture
def fresh_database():
    """An empty database on the same server, dropped at the end."""
    name = f"cot_restore_{uuid.uuid4().hex[:12]}"
    args = ["-h", SERVER["host"], "-p", str(SERVER["port"]), "-U", SERVER["user"]]
    subprocess.run(["createdb", *args, name], check=True)
    try:
        yield name
    finally:
        subprocess.run(["dropdb", *args, "--if-exists", "--force", name], check=True)


def _submitted(call, lead_nis, partner_nis):
    """Started, filled and submitted through the services; the snapshot PDF and the receipt are
    rendered by the task after the commit (eager here), then the check declares it admissible."""
    application, lead = started_application(call=call, lead_nis=lead_nis, partner_nis=partner_nis)
    complete(application, lead)
    submit_application(application, user=lead)
    Application.objects.filter(pk=application.pk).update(status="admissible")
    application.refresh_from_db()
    return application, lead


def build_data():
    from cot_portal.accounts.groups import ensure_staff_groups
    from cot_portal.accounts.services import sync_local_governments

    # A transactional test that ran before this one emptied the municipalities and the groups.
    sync_local_governments()
    ensure_staff_groups()
    manager, jury = call_manager(), juror()
    finance, finance_2 = finance_officer(), finance_officer()
    call = ranking_call()
    on_jury(call, manager, jury)
    gent, gent_lead = _submitted(call, "44021", (KORTRIJK,))
    leuven, _ = _submitted(call, LEUVEN, (KORTRIJK,))
    for application in (gent, leuven):
        submitted_sheet(application, jury, uniform(9))
    services_ranking.freeze_advice(call=call, manager=manager)
    services_ranking.record_decision(
        call=call,
        decision_date=timezone.localdate(),
        decision_reference="VR 2025 1912 DOC.1234/1",
        manager=manager,
    )
    Grant.objects.filter(call=call).update(iban=IBAN)
    grant = Grant.objects.get(application=gent)
    services_tranches.set_actual_start(grant, timezone.localdate(), gent_lead)
    agreement = services_tranches.upload_agreement(grant, pdf("samenwerking.pdf"), gent_lead)
    services_tranches.check_agreement(agreement, True, "", manager)
    services_tranches.request_tranche(tranche(grant, 1), gent_lead)
    first = services_payments.propose_payment(tranche(grant, 1), finance, "Gecontroleerd.")
    services_payments.approve_payment(first, finance_2)
    request_directly(grant, 2, gent_lead)
    second = services_payments.propose_payment(tranche(grant, 2), finance, "Halfweg.")
    services_payments.approve_payment(second, finance_2)
    services_payments.export_sepa(finance)
    # A file that belongs to no record (an orphan) is backed up as well: the tar takes it all.
    Path(settings.MEDIA_ROOT, "losse-map").mkdir(parents=True)
    Path(settings.MEDIA_ROOT, "losse-map", "notitie.txt").write_bytes("één notitie\n".encode())
    return grant


def _tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    return [row[0] for row in cursor.fetchall()]


def _digest(cursor) -> dict:
    """Per table: the number of rows and an md5 of all of them, in a fixed order."""
    out = {}
    for table in _tables(cursor):
        cursor.execute(
            f"SELECT count(*), md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), '')) "  # noqa: S608
            f'FROM "{table}" t'
        )
        out[table] = cursor.fetchone()
    return out


def _files(folder: Path) -> dict:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _run(script, *args, env=None):
    result = subprocess.run(
        [str(SCRIPTS / script), *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )
    assert result.returncode == 0, f"{script}: {result.stderr}"
    return result.stdout.strip().splitlines()


@pytest.mark.django_db
def test_pg_dump_matches_the_server():
    """pg_dump refuses a newer server; the one on PATH is the server's major version or newer."""
    client = subprocess.run(["pg_dump", "--version"], capture_output=True, text=True, check=True)
    major = int(client.stdout.split()[2].split(".")[0])
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        server = int(cursor.fetchone()[0]) // 10000
    assert major >= server, (client.stdout, server)


@COMMITTED
def test_a_backup_restores_into_a_fresh_database_with_the_same_rows_and_files(
    media, fresh_database, tmp_path
):
    grant = build_data()
    submissions = list(Submission.objects.order_by("pk"))
    letters = list(Letter.objects.order_by("pk"))
    assert len(submissions) == 2 and all(s.pdf and s.pdf_sha256 and s.receipt for s in submissions)
    assert LedgerEntry.objects.filter(grant=grant).count() == 2
    assert Payment.objects.filter(status="released", batch__isnull=False).count() == 2
    # Receipts, the advice's own letter if any, and one decision letter per application.
    assert len(letters) >= 4 and DecisionOutcome.objects.filter(letter__isnull=False).count() == 2

    source_url = _url(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        before = _digest(cursor)
    files_before = _files(media)
    assert len(files_before) >= 10, files_before

    backup_root = tmp_path / "backups"
    lines = _run("backup.sh", backup_root, env={"DATABASE_URL": source_url, "MEDIA_ROOT": media})
    folder = Path(lines[-1])
    assert folder.parent == backup_root and folder.name.startswith("cot-portal-")
    assert sorted(p.name for p in folder.iterdir()) == [
        "MANIFEST",
        "SHA256SUMS",
        "database.dump",
        "media.tar.gz",
    ]
    assert not list(backup_root.glob("*.partial"))
    assert oct(folder.joinpath("database.dump").stat().st_mode)[-3:] == "600"

    # Whatever happens to the live data after the backup, the backup does not follow.
    Letter.objects.filter(pk=letters[0].pk).update(subject="na de backup gewijzigd")
    Path(media, submissions[0].pdf.name).write_bytes(b"overschreven")

    restored_media = tmp_path / "restored-media"
    _run("restore.sh", folder, _url(fresh_database), restored_media)

    restored = psycopg2.connect(**SERVER, dbname=fresh_database)
    try:
        with restored.cursor() as cursor:
            after = _digest(cursor)
            # Key fields of the records, read back by hand.
            cursor.execute(
                "SELECT number, content_sha256, pdf, pdf_sha256 FROM applications_submission "
                "ORDER BY id"
            )
            assert cursor.fetchall() == [
                (s.number, s.content_sha256, s.pdf.name, s.pdf_sha256) for s in submissions
            ]
            cursor.execute("SELECT subject, pdf, sha256 FROM letters_letter ORDER BY id")
            assert cursor.fetchall() == [(x.subject, x.pdf.name, x.sha256) for x in letters]
            cursor.execute("SELECT kind, amount, payment_id FROM payments_ledgerentry ORDER BY id")
            assert cursor.fetchall() == [
                (e.kind, e.amount, e.payment_id) for e in LedgerEntry.objects.order_by("pk")
            ]
            cursor.execute("SELECT decision_reference FROM scoring_governmentdecision")
            assert cursor.fetchall() == [("VR 2025 1912 DOC.1234/1",)]
            cursor.execute("SELECT sha256 FROM scoring_advice")
            assert cursor.fetchall() == [(Advice.objects.get().sha256,)]
            cursor.execute("SELECT count(*) FROM payments_payment WHERE status = 'released'")
            assert cursor.fetchone() == (2,)
            # The ledger's trigger came back with the data (payments/migrations/0002).
            with pytest.raises(psycopg2.errors.RaiseException, match="append-only"):
                cursor.execute("UPDATE payments_ledgerentry SET amount = 1")
            restored.rollback()
    finally:
        restored.close()

    assert after == before, {
        t: (before[t], after.get(t)) for t in before if before[t] != after.get(t)
    }
    assert GovernmentDecision._meta.db_table in after and after["payments_ledgerentry"][0] == 2
    assert sum(count for count, _ in after.values()) > 100

    # Every file with the same bytes, the orphan included; the snapshot PDFs and letters match
    # the sha256 their records keep.
    assert _files(restored_media) == files_before
    for s in submissions:
        data = Path(restored_media, s.pdf.name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == s.pdf_sha256
    for x in letters:
        data = Path(restored_media, x.pdf.name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == x.sha256


@pytest.mark.django_db
def test_restore_refuses_a_database_that_is_not_fresh(media, tmp_path, fresh_database):
    """Restoring over live data would mix two states: the script refuses before writing."""
    Path(media).mkdir(parents=True, exist_ok=True)
    Path(media, "a.txt").write_bytes(b"a")
    lines = _run(
        "backup.sh",
        tmp_path / "backups",
        env={"DATABASE_URL": _url(connection.settings_dict["NAME"]), "MEDIA_ROOT": media},
    )
    folder = Path(lines[-1])
    live = _url(connection.settings_dict["NAME"])
    result = subprocess.run(
        [str(SCRIPTS / "restore.sh"), folder, live, tmp_path / "m"], capture_output=True, text=True
    )
    assert result.returncode == 1 and "fresh" in result.stderr
    # A damaged dump is refused by its checksum, and nothing is written to the fresh database.
    with open(folder / "database.dump", "r+b") as fh:
        fh.seek(100)
        fh.write(b"XXXX")
    result = subprocess.run(
        [str(SCRIPTS / "restore.sh"), folder, _url(fresh_database), tmp_path / "m2"],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "FAILED" in result.stderr + result.stdout
    assert not (tmp_path / "m2").exists()
    fresh = psycopg2.connect(**SERVER, dbname=fresh_database)
    try:
        with fresh.cursor() as cursor:
            assert _tables(cursor) == []
    finally:
        fresh.close()
