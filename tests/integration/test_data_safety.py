"""Stored records cannot be edited or deleted: not in the admin, not through a view, not through
the model (issue 11, hardening: data safety; R-SUBMIT, R-LETTER, R-TR).

The records: submitted snapshots (applications.Submission with its PDF, and a submitted idea with
its receipt), letters with their PDFs, payments once released or rejected, ledger entries, the
Government's decision and its outcomes, and the advice once decided on.

1. The admin, as a superuser with a confirmed second factor (COT_REQUIRE_2FA on): the change
   page of a registered record shows no input, a POST to it, to its history's "revert" form, to
   its delete page and to the changelist's bulk delete changes nothing, and its add page is
   refused; an unregistered record has no admin page at all.
2. Every portal view (the URL patterns of the project, each with the arguments of
   tests/integration/test_url_matrix.py's table): POSTed to by every role that gets through
   (call manager, finance officers, the lead applicant, …) with each action its page offers and
   data aimed at the records, and again with each of its object arguments pointed at each record.
   Afterwards every record has the same fields, and every file the same bytes (sha256).
3. The model: `save()` of a changed record and `delete()` raise (cot_portal/records.py); the
   ledger also refuses UPDATE and DELETE in PostgreSQL (payments/migrations/0002).

The world is test_url_matrix's (built once for the module through the real services, inside a
transaction rolled back at the end; each test in its own savepoint).
"""

import hashlib
import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import NoReverseMatch, resolve, reverse

from applications.models import Idea, IdeaStatus, Submission
from cot_portal.letters.models import Letter
from cot_portal.records import RecordChangeRefused
from payments.models import LedgerEntry, Payment
from scoring.models import Advice, DecisionOutcome, GovernmentDecision
from tests.factories import UserFactory
from tests.factories_world import module_world
from tests.integration import test_url_matrix as matrix

pytestmark = pytest.mark.django_db

# The records, and per record the fields that may still move along their service's steps
# (a letter's e-mail record; a payment still proposed is approved or rejected by finance).
RECORDS = (Submission, Letter, Payment, LedgerEntry, GovernmentDecision, DecisionOutcome, Advice)
LETTER_DELIVERY = {"sent_at", "send_attempts", "last_error"}
IDEA_SNAPSHOT = (
    "call_id",
    "organisation_id",
    "reference",
    "title",
    "challenge",
    "solution",
    "capacity_building",
    "policy_alignment",
    "support_rollout",
    "openness",
    "work_packages",
    "budget_total",
    "budget_notes",
    "themes",
    "submitted_at",
    "receipt_id",
)


# --- The world ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock(), module_world(tmp_path_factory.mktemp("safety-media")):
        world = matrix._build_world()
        superuser = UserFactory(is_staff=True, is_superuser=True, email="root@vlaio.be")
        world.users["superuser"] = superuser
        yield world


@pytest.fixture(autouse=True)
def _media_in_tmp(world):
    """The world's files stay where module_world put them (as in test_url_matrix)."""


def _value(obj, field):
    value = getattr(obj, field.attname)
    return value.name if hasattr(value, "storage") else value


def _guarded_fields(obj) -> dict:
    """The fields of a record that must not change any more."""
    fields = [f for f in obj._meta.concrete_fields if not f.primary_key]
    if isinstance(obj, Letter):
        fields = [f for f in fields if f.name not in LETTER_DELIVERY]
    if isinstance(obj, Payment) and not obj.record_is_final():
        fields = [f for f in fields if f.name in obj.record_frozen_fields]
    return {f.attname: _value(obj, f) for f in fields}


def _files(obj) -> dict:
    out = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if hasattr(value, "storage") and value.name:
            with value.storage.open(value.name, "rb") as fh:
                out[value.name] = hashlib.sha256(fh.read()).hexdigest()
    return out


def state() -> dict:
    """Every record's guarded fields and every file's sha256, keyed by model and pk."""
    rows, files = {}, {}
    for model in RECORDS:
        for obj in model._default_manager.order_by("pk"):
            if isinstance(obj, Advice) and not obj.record_is_final():
                continue  # an advice before the decision is frozen again, by design
            rows[(model._meta.label, obj.pk)] = _guarded_fields(obj)
            files.update(_files(obj))
    for idea in Idea.objects.exclude(status=IdeaStatus.DRAFT).order_by("pk"):
        rows[("applications.Idea", idea.pk)] = {k: getattr(idea, k) for k in IDEA_SNAPSHOT}
    return {"rows": rows, "files": files}


def assert_unchanged(before, where=""):
    after = state()
    gone = sorted(set(before["rows"]) - set(after["rows"]))
    assert not gone, f"{where}: records gone: {gone}"
    changed = {
        key: {
            name: (value, after["rows"][key][name])
            for name, value in fields.items()
            if after["rows"][key][name] != value
        }
        for key, fields in before["rows"].items()
    }
    changed = {key: diff for key, diff in changed.items() if diff}
    assert not changed, f"{where}: records changed: {changed}"
    files = {name: after["files"].get(name) for name in before["files"]}
    assert files == before["files"], f"{where}: files changed"


def test_the_world_holds_every_kind_of_record(world):
    """Otherwise the tests below would guard nothing."""
    before = state()
    kinds = {label for label, _pk in before["rows"]}
    assert kinds == {m._meta.label for m in RECORDS} | {"applications.Idea"}, kinds
    assert Payment.objects.filter(status="released").exists()
    assert Payment.objects.filter(status="proposed").exists()
    assert Advice.objects.get(pk=world.advice.pk).record_is_final()
    # Snapshot PDF, letters, the advice's PDF and xlsx: files with bytes to compare.
    assert len(before["files"]) >= 5, before["files"]
    assert world.submission.pdf.name in before["files"]
    assert world.letter.pdf.name in before["files"]


# --- 1. The admin --------------------------------------------------------------------------------


def _admin_client(world, settings) -> Client:
    settings.COT_REQUIRE_2FA = True
    client = Client()
    matrix._verified(client, world.users["superuser"])
    assert client.get(reverse("admin:index")).status_code == 200
    return client


def _admin_url(model, view, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _example(model):
    return model._default_manager.order_by("pk").first()


REGISTERED = [m for m in RECORDS if m in admin.site._registry]
UNREGISTERED = [m for m in RECORDS if m not in admin.site._registry]


def test_the_records_registered_in_the_admin_are_known():
    """A record newly registered in the admin must be covered by the read-only tests below."""
    assert REGISTERED == [Letter]


@pytest.mark.parametrize("model", UNREGISTERED, ids=lambda m: m._meta.label)
def test_an_unregistered_record_has_no_admin_page(world, settings, model):
    client = _admin_client(world, settings)
    obj = _example(model)
    before = state()
    for view in ("changelist", "add"):
        with pytest.raises(NoReverseMatch):
            _admin_url(model, view)
    base = f"/beheer/{model._meta.app_label}/{model._meta.model_name}/"
    for url in (base, f"{base}add/", f"{base}{obj.pk}/change/", f"{base}{obj.pk}/delete/"):
        assert client.get(url).status_code == 404, url
        response = client.post(url, {"post": "yes", "amount": "1.00"})
        assert response.status_code == 404, url
    assert_unchanged(before, model._meta.label)


def _inputs(page: str) -> set:
    """Names of the form fields a page offers (the admin's own hidden ones left out)."""
    names = set(re.findall(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"', page))
    return names - {"csrfmiddlewaretoken", "_save", "_continue", "_addanother"}


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_the_admin_shows_a_record_read_only_and_refuses_every_change(world, settings, model):
    client = _admin_client(world, settings)
    obj = _example(model)
    change = _admin_url(model, "change", obj.pk)
    page = client.get(change)
    assert page.status_code == 200
    html = page.content.decode()
    assert str(obj) in html or obj.subject in html
    assert not _inputs(html), f"the change page offers inputs: {_inputs(html)}"
    assert 'name="_save"' not in html

    before = state()
    data = {
        "subject": "Gewijzigd onderwerp",
        "kind": "vervalst",
        "body": "Andere tekst",
        "sha256": "0" * 64,
        "recipients": '["aanvaller@example.com"]',
        "enclosures": "[]",
        "organisation": str(world.letter.organisation_id),
        "send_attempts": "0",
        "pdf": SimpleUploadedFile("ander.pdf", b"%PDF-1.7 vervalst", "application/pdf"),
        "_save": "Opslaan",
    }
    assert client.post(change, data).status_code in (302, 403)
    assert_unchanged(before, "POST change")

    # simple_history's "revert" form: a POST to a version of the record.
    version = obj.history.order_by("history_id").first()
    revert = _admin_url(model, "simple_history", obj.pk, version.history_id)
    assert client.get(revert).status_code in (200, 403)
    data["pdf"] = SimpleUploadedFile("ander.pdf", b"%PDF-1.7 vervalst", "application/pdf")
    assert client.post(revert, data).status_code == 403
    assert_unchanged(before, "POST revert")

    delete = _admin_url(model, "delete", obj.pk)
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert_unchanged(before, "POST delete")

    changelist = _admin_url(model, "changelist")
    listing = client.get(changelist).content.decode()
    assert 'value="delete_selected"' not in listing
    pks = [str(pk) for pk in model._default_manager.values_list("pk", flat=True)]
    for confirm in ({}, {"post": "yes"}):
        response = client.post(
            changelist,
            {"action": "delete_selected", "_selected_action": pks, "index": "0", **confirm},
        )
        assert response.status_code in (200, 302, 403)
    assert_unchanged(before, "bulk delete")
    assert model._default_manager.count() == len(pks)

    add = _admin_url(model, "add")
    assert client.get(add).status_code == 403
    assert client.post(add, data).status_code == 403
    assert model._default_manager.count() == len(pks)


def test_deleting_an_owner_in_the_admin_leaves_the_records(world, settings):
    """The organisation a letter is addressed to and the person who submitted are PROTECTed:
    the admin refuses to delete them, so nothing of theirs goes with them."""
    client = _admin_client(world, settings)
    before = state()
    targets = (
        (world.letter.organisation, "accounts", "organisation"),
        (world.submission.submitted_by, "accounts", "user"),
        (world.decided, "applications", "call"),
    )
    for obj, app, name in targets:
        url = reverse(f"admin:{app}_{name}_delete", args=[obj.pk])
        response = client.post(url, {"post": "yes"})
        assert response.status_code == 200, url  # "cannot be deleted": the protected objects
        assert type(obj)._default_manager.filter(pk=obj.pk).exists()
    assert_unchanged(before, "deleting owners")


# --- 2. Every portal view ------------------------------------------------------------------------

PORTAL_ROLES = ("manager", "finance", "finance_2", "gent", "partner", "leuven", "juror")
ID_NAMES = (
    "pk",
    "id",
    "target",
    "object_id",
    "submission",
    "letter",
    "payment",
    "entry",
    "ledger",
    "decision",
    "outcome",
    "advice",
    "tranche",
    "sheet",
    "member",
    "application",
    "version",
)
FILE_NAMES = ("file", "pdf", "evidence", "upload", "attachment", "xlsx")


def _targets(world) -> dict:
    """The records the data aims at, by name."""
    released = Payment.objects.filter(status="released").order_by("pk").first()
    return {
        "submission": world.submission,
        "letter": world.letter,
        "payment": released,
        "proposed": world.money["proposed"],
        "entry": LedgerEntry.objects.order_by("pk").first(),
        "decision": GovernmentDecision.objects.get(call=world.decided),
        "outcome": DecisionOutcome.objects.get(application=world.approved),
        "advice": world.advice,
    }


def _hostile(targets, action=None) -> dict:
    """Form data aimed at the records: each record's name carries its pk, the generic names
    (pk, id, target, …) the released payment's; amounts, statuses, dates and files to match."""
    data = dict.fromkeys(ID_NAMES, str(targets["payment"].pk))
    data.update({name: str(obj.pk) for name, obj in targets.items()})
    data.update(
        {
            "amount": "1.00",
            "awarded": "1.00",
            "status": "released",
            "approved": "on",
            "confirmed": "on",
            "admissible": "on",
            "decision_date": "2000-01-01",
            "decision_reference": "vervalst",
            "subject": "vervalst",
            "title": "vervalst",
            "content": "{}",
            "sha256": "0" * 64,
            "note": "vervalst",
            "reason": "vervalst",
            "text": "vervalst",
            "iban": "BE68539007547034",
            "post": "yes",
            "delete": "1",
        }
    )
    for name in FILE_NAMES:
        data[name] = SimpleUploadedFile(f"{name}.pdf", b"%PDF-1.7 vervalst", "application/pdf")
    if action:
        data["action"] = action
    return data


def _actions(page: str) -> list:
    """The actions the page's forms offer (the buttons' name="action" values)."""
    found = re.findall(r'name="action"[^>]*value="([^"{]+)"', page)
    found += re.findall(r'value="([^"{]+)"[^>]*name="action"', page)
    return sorted(set(found))


def _read(response) -> bytes:
    """The body of a response, a file's included (read to the end, which closes it)."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _variants(url, targets) -> list:
    """The URL, and the URL with each object argument (pk, …_pk) set to each record's pk."""
    match = resolve(url)
    urls = [url]
    for kwarg in [k for k in match.kwargs if k == "pk" or k.endswith("_pk")]:
        for obj in targets.values():
            try:
                urls.append(reverse(match.view_name, kwargs={**match.kwargs, kwarg: obj.pk}))
            except NoReverseMatch:
                pass
    return sorted(set(urls))


def _roles(row) -> list:
    return [r for r in PORTAL_ROLES if row.expected(r) not in ("404", "login")]


VIEWS = sorted(key for key in matrix.ROWS if _roles(matrix.ROWS[key]))


@pytest.mark.parametrize("key", VIEWS)
def test_no_portal_view_changes_a_record(world, key):
    """Every role that gets through POSTs the page's own actions and the data aimed at the
    records, to the view and to the view with each object argument set to each record's pk.
    What the views may legitimately do meanwhile (a proposed payment approved, a new letter)
    is allowed; what existed as a record stays as it was."""
    row = matrix.ROWS[key]
    url = matrix._url(key, world)
    targets = _targets(world)
    before = state()
    posts = 0
    for role in _roles(row):
        client = Client(raise_request_exception=False)
        matrix._login(client, world, role)
        headers = {"HTTP_HX_REQUEST": "true"} if row.htmx else {}
        page = _read(client.get(url, **headers))
        actions = _actions(page.decode(errors="replace"))
        for address in _variants(url, targets):
            for action in [None, *actions]:
                with transaction.atomic():  # a refused request leaves the test's transaction usable
                    response = client.post(address, _hostile(targets, action), **headers)
                    _read(response)
                posts += 1
                assert response.status_code != 500, f"POST {address} {action} ({role}): 500"
    assert posts
    assert_unchanged(before, key)


# --- 3. The model --------------------------------------------------------------------------------


def _change(obj):
    """Change one guarded field of `obj` in memory, as an edit would."""
    if isinstance(obj, Submission):
        obj.content = {"title": "vervalst"}
    elif isinstance(obj, Letter):
        obj.subject = "vervalst"
    elif isinstance(obj, Payment):
        obj.amount = obj.amount + Decimal("1.00")
    elif isinstance(obj, LedgerEntry):
        obj.amount = obj.amount + Decimal("1.00")
    elif isinstance(obj, GovernmentDecision):
        obj.decision_reference = "vervalst"
    elif isinstance(obj, DecisionOutcome):
        obj.awarded = obj.awarded + Decimal("1.00")
    elif isinstance(obj, Advice):
        obj.rows = []


@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m._meta.label)
def test_the_model_refuses_to_change_or_delete_a_record(world, model):
    obj = _example(model)
    before = state()
    _change(obj)
    with pytest.raises((RecordChangeRefused, ValueError)):
        obj.save()
    with pytest.raises((RecordChangeRefused, ValueError)):
        obj.delete()
    assert_unchanged(before, model._meta.label)


def test_the_service_steps_of_a_record_still_pass(world):
    """What the guard lets through: the e-mail record of a letter, a payment's decision while it
    is proposed, a submission's PDF filled once (render_submission_documents) — and no more."""
    letter = Letter.objects.get(pk=world.letter.pk)
    letter.send_attempts += 1
    letter.save(update_fields=["send_attempts"])
    proposed = Payment.objects.get(pk=world.money["proposed"].pk)
    proposed.note = "Gecontroleerd, in orde."
    proposed.save()
    released = Payment.objects.filter(status="released").first()
    released.note = "achteraf gewijzigd"
    with pytest.raises(RecordChangeRefused, match="note"):
        released.save()
    submission = Submission.objects.get(pk=world.submission.pk)
    Submission.objects.filter(pk=submission.pk).update(pdf="", pdf_sha256="")
    submission.refresh_from_db()
    submission.pdf.save("snapshot-v1.pdf", ContentFile(b"%PDF-1.7 snapshot"), save=False)
    submission.pdf_sha256 = "a" * 64
    submission.save(update_fields=["pdf", "pdf_sha256"])
    submission.pdf.save("snapshot-v2.pdf", ContentFile(b"%PDF-1.7 anders"), save=False)
    with pytest.raises(RecordChangeRefused, match="pdf"):
        submission.save(update_fields=["pdf"])


@pytest.mark.parametrize("operation", ["update", "delete"])
def test_postgresql_refuses_update_and_delete_of_the_ledger(world, operation):
    """The trigger of payments/migrations/0002: even a QuerySet, which skips the model's
    save() and delete(), cannot change or remove a ledger entry."""
    entries = LedgerEntry.objects.all()
    count = entries.count()
    assert count
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        if operation == "update":
            entries.update(amount=Decimal("0.01"))
        else:
            entries.delete()
    assert LedgerEntry.objects.count() == count
