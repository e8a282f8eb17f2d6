"""Finance's check, proposal, four-eyes release, ledger and SEPA export (issue 8; R-TR, R-SETTLE).

A tranche request is checked by an unconflicted finance officer, who refuses it with a reason or
proposes the payment; a second, different finance officer releases it (four-eyes, in Python and
in PostgreSQL), which books exactly one ledger entry; released payments go into exactly one
validated pain.001 file.
"""

import hashlib
import os
from decimal import Decimal

import pytest
import sepaxml
import xmlschema
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from cot_portal.accounts.models import Membership, StaffRole
from payments import services_payments as services
from payments.errors import PaymentsError
from payments.models import (
    Grant,
    LedgerEntry,
    Payment,
    SepaBatch,
    Settlement,
    Tranche,
    TrancheRequest,
)
from scoring import services_ranking
from tests.factories import UserFactory, member_of
from tests.factories_ranking import LEADS, on_jury, ranking_call, scored_application, uniform
from tests.factories_scoring import call_manager, juror

pytestmark = pytest.mark.django_db

IBAN = "BE71096123456769"
CHECKS = [
    {
        "rule": "R-START",
        "ok": True,
        "message": "Het project startte op 01/02/2026.",
        "warning": False,
    },
    {
        "rule": "R-COOP",
        "ok": True,
        "message": "De samenwerkingsovereenkomst is aanvaard.",
        "warning": False,
    },
]


@pytest.fixture(autouse=True)
def _setup(settings):
    """The messages are asserted in English (the source strings), whatever nl translates."""
    settings.COT_REQUIRE_2FA = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def grants(count=1) -> list[Grant]:
    """`count` grants opened by a recorded decision, each with a valid IBAN."""
    manager = call_manager()
    jurors = [juror()]
    call = ranking_call(envelope=Decimal("5000000.00"))
    on_jury(call, manager, *jurors)
    for index in range(count):
        scored_application(call, LEADS[index], jurors, uniform(9), minutes=index)
    services_ranking.freeze_advice(call=call, manager=manager)
    services_ranking.record_decision(
        call=call, decision_date=timezone.localdate(), decision_reference="VR 1", manager=manager
    )
    Grant.objects.filter(call=call).update(iban=IBAN)
    return list(Grant.objects.filter(call=call).order_by("pk"))


def finance_officer(**kwargs):
    return UserFactory(roles=[StaffRole.FINANCE_OFFICER], **kwargs)


def requested(grant, number=1, *, late=False) -> TrancheRequest:
    """The lead applicant's request, as payments.conditions.request_tranche leaves it."""
    tranche = grant.tranches.get(number=number)
    Tranche.objects.filter(pk=tranche.pk).update(status="requested")
    lead = grant.organisation.memberships.first().user
    return TrancheRequest.objects.create(
        tranche=tranche,
        requested_by=lead,
        requested_at=timezone.now(),
        checks=CHECKS,
        late=late,
    )


def tranche_of(request) -> Tranche:
    return Tranche.objects.get(pk=request.tranche_id)


@pytest.fixture
def grant():
    return grants(1)[0]


@pytest.fixture
def first():
    return finance_officer()


@pytest.fixture
def second():
    return finance_officer()


def released(grant, first, second, number=1) -> Payment:
    request = requested(grant, number)
    payment = services.propose_payment(tranche_of(request), first)
    return services.approve_payment(payment, second)


# --- Propose and release (four-eyes) -----------------------------------------------------------


def test_r_tr_propose_then_release_books_exactly_one_ledger_entry(grant, first, second):
    request = requested(grant)
    tranche = tranche_of(request)
    payment = services.propose_payment(tranche, first, note="Alles in orde.")
    tranche.refresh_from_db()
    request.refresh_from_db()
    assert payment.status == "proposed" and payment.amount == tranche.scheduled_amount
    assert payment.iban == IBAN and payment.note == "Alles in orde."
    assert tranche.status == "proposed"
    assert request.status == "accepted" and request.decided_by == first
    assert not LedgerEntry.objects.exists()

    services.approve_payment(payment, second)
    payment.refresh_from_db()
    tranche.refresh_from_db()
    assert payment.status == "released" and payment.approved_by == second
    assert payment.decided_at is not None
    assert tranche.status == "paid"
    entry = LedgerEntry.objects.get()
    assert entry.payment == payment and entry.kind == "payment" and entry.grant == grant
    assert entry.amount == tranche.scheduled_amount
    assert entry.description == f"Schijf 1 {grant.reference}"
    assert entry.created_by == second
    assert payment.history.count() == 2  # proposed, released: who and when, before and after


def test_r_tr_a_second_approval_is_refused_and_books_nothing(grant, first, second):
    payment = released(grant, first, second)
    for officer in (second, finance_officer()):
        with pytest.raises(services.AlreadyReleased) as refused:
            services.approve_payment(payment, officer)
        assert refused.value.payment.pk == payment.pk
        assert "already released" in refused.value.message
    assert LedgerEntry.objects.count() == 1
    assert Payment.objects.get().status == "released"


def test_four_eyes_the_proposer_cannot_approve_in_the_service_nor_in_postgresql(
    grant, first, second
):
    payment = services.propose_payment(tranche_of(requested(grant)), first)
    with pytest.raises(PaymentsError, match="second finance officer"):
        services.approve_payment(payment, first)
    with pytest.raises(PaymentsError, match="second finance officer"):
        services.reject_payment(payment, first, "Toch niet.")
    payment.refresh_from_db()
    assert payment.status == "proposed" and not LedgerEntry.objects.exists()
    # Whatever the Python code does, PostgreSQL refuses the proposer as approver.
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(
            status="released", approved_by=first, decided_at=timezone.now()
        )


def test_r_tr_a_tranche_is_proposed_once(grant, first, second):
    tranche = tranche_of(requested(grant))
    services.propose_payment(tranche, first)
    with pytest.raises(PaymentsError, match="already proposed"):
        services.propose_payment(tranche, second)
    assert Payment.objects.count() == 1


def test_r_tr_an_open_tranche_cannot_be_proposed(grant, first):
    with pytest.raises(PaymentsError, match="Only a requested tranche"):
        services.propose_payment(grant.tranches.get(number=1), first)


def test_rejection_sends_the_tranche_back_to_the_check(grant, first, second):
    request = requested(grant)
    payment = services.propose_payment(tranche_of(request), first)
    with pytest.raises(PaymentsError, match="Explain why"):
        services.reject_payment(payment, second, "  ")
    services.reject_payment(payment, second, "Het IBAN-attest ontbreekt.")
    payment.refresh_from_db()
    request.refresh_from_db()
    assert payment.status == "rejected" and payment.note == "Het IBAN-attest ontbreekt."
    assert tranche_of(request).status == "requested"
    assert request.status == "sent" and request.decided_by is None
    with pytest.raises(PaymentsError, match="not approved"):
        services.approve_payment(payment, second)
    # A new proposal is possible; the rejected one stays in the history.
    again = services.propose_payment(tranche_of(request), second)
    services.approve_payment(again, first)
    assert Payment.objects.filter(status="released").count() == 1
    assert LedgerEntry.objects.count() == 1


# --- Refusal of a request ----------------------------------------------------------------------


def test_r_tr_refusal_needs_a_reason_and_tells_the_lead(
    grant, first, mailoutbox, django_capture_on_commit_callbacks
):
    request = requested(grant)
    with pytest.raises(PaymentsError, match="reason"):
        services.refuse_request(request, " ", first)
    with django_capture_on_commit_callbacks(execute=True):
        services.refuse_request(request, "De overeenkomst is niet ondertekend.", first)
    request.refresh_from_db()
    assert request.status == "refused" and request.reason == "De overeenkomst is niet ondertekend."
    assert tranche_of(request).status == "open"  # the lead may request again
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert request.requested_by.email in mail.to
    assert "De overeenkomst is niet ondertekend." in mail.body and grant.reference in mail.subject
    with pytest.raises(PaymentsError, match="already handled"):
        services.refuse_request(request, "Nog eens.", first)


# --- IBAN and tranche 3 ------------------------------------------------------------------------


def test_an_invalid_iban_is_refused_with_a_message_for_finance(grant, first):
    tranche = tranche_of(requested(grant))
    Grant.objects.filter(pk=grant.pk).update(iban="BE00123456789")
    with pytest.raises(PaymentsError, match="not valid") as refused:
        services.propose_payment(tranche, first)
    assert "Have the correct IBAN set on the organisation" in refused.value.message
    Grant.objects.filter(pk=grant.pk).update(iban="")
    with pytest.raises(PaymentsError, match="has no IBAN"):
        services.propose_payment(tranche, first)
    assert not Payment.objects.exists() and tranche_of(tranche.requests.get()).status == "requested"
    # Once the organisation has an IBAN, it is copied onto the grant and used.
    type(grant.organisation).objects.filter(pk=grant.organisation_id).update(
        iban="BE68539007547034"
    )
    payment = services.propose_payment(tranche, first)
    assert payment.iban == "BE68539007547034"
    assert Grant.objects.get(pk=grant.pk).iban == "BE68539007547034"


def test_r_settle_tranche_3_pays_the_settlement_balance(grant, first, second):
    tranche = tranche_of(requested(grant, 3))
    with pytest.raises(PaymentsError, match="Settle the grant first"):
        services.propose_payment(tranche, first)
    settlement = Settlement.objects.create(
        grant=grant,
        accepted_cost=Decimal("900000.00"),
        income=Decimal("0.00"),
        final_support=Decimal("720000.00"),
        paid_before=Decimal("720000.00"),
        balance=Decimal("0.00"),
        computed_by=first,
        computed_at=timezone.now(),
    )
    with pytest.raises(PaymentsError, match="settle first"):
        services.propose_payment(tranche, first)
    Settlement.objects.filter(pk=settlement.pk).update(
        paid_before=Decimal("560000.00"), balance=Decimal("160000.00")
    )
    payment = services.propose_payment(tranche, first)
    assert payment.amount == Decimal("160000.00")
    services.approve_payment(payment, second)
    assert LedgerEntry.objects.get().amount == Decimal("160000.00")


# --- Conflicts of interest ---------------------------------------------------------------------


def test_a_finance_officer_of_the_beneficiary_sees_and_does_nothing(client, grant, first, second):
    insider = member_of(grant.organisation, roles=[StaffRole.FINANCE_OFFICER])
    request = requested(grant)
    client.force_login(insider)
    assert client.get(reverse("payments:finance_request", args=[request.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.propose_payment(tranche_of(request), insider)
    with pytest.raises(PermissionDenied):
        services.refuse_request(request, "Nee.", insider)
    payment = services.propose_payment(tranche_of(request), first)
    assert client.get(reverse("payments:finance_payment", args=[payment.pk])).status_code == 404
    response = client.post(
        reverse("payments:finance_payment", args=[payment.pk]),
        {"action": "approve", "approve-confirm": "on"},
    )
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        services.approve_payment(payment, insider)
    page = client.get(reverse("payments:finance")).content.decode()
    assert grant.reference not in page
    assert Payment.objects.get().status == "proposed" and not LedgerEntry.objects.exists()


def test_a_finance_officer_of_a_partner_cannot_act_either(client, grant, first):
    partner = grant.application.partners.exclude(organisation=grant.organisation).first()
    insider = finance_officer()
    Membership.objects.create(user=insider, organisation=partner.organisation, role="admin")
    request = requested(grant)
    client.force_login(insider)
    assert client.get(reverse("payments:finance_request", args=[request.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.propose_payment(tranche_of(request), insider)
    page = client.get(reverse("payments:finance")).content.decode()
    assert reverse("payments:finance_request", args=[request.pk]) not in page
    assert "a colleague checks it" in page


def test_people_without_the_finance_role_get_404(client, grant):
    request = requested(grant)
    for user in (call_manager(), request.requested_by):
        client.force_login(user)
        assert client.get(reverse("payments:finance")).status_code == 404
        assert client.get(reverse("payments:finance_request", args=[request.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("payments:finance_request", args=[request.pk])).status_code == 404


# --- SEPA --------------------------------------------------------------------------------------


def _schema():
    return xmlschema.XMLSchema(
        os.path.join(os.path.dirname(sepaxml.__file__), "schemas", "pain.001.001.03.xsd")
    )


def test_sepa_file_validates_and_holds_each_payment_once(client, first, second):
    one, two = grants(2)
    paid = [released(one, first, second, 1), released(two, first, second, 1)]
    batch = services.export_sepa(first)
    content = batch.file.open("rb").read()
    _schema().validate(content.decode())
    text = content.decode()
    assert batch.count == 2 and batch.total == sum(p.amount for p in paid)
    assert "<NbOfTxs>2</NbOfTxs>" in text
    assert batch.sha256 == hashlib.sha256(content).hexdigest()
    for payment in paid:
        grant = payment.tranche.grant
        assert text.count(f"<EndToEndId>{payment.pk}</EndToEndId>") == 1
        assert f"City of Things {grant.reference} schijf 1" in text
        assert f"{payment.amount:.2f}" in text
        assert Payment.objects.get(pk=payment.pk).batch == batch
    assert "<IBAN>BE71096123456769</IBAN>" in text

    # Nothing new: a clear refusal, no empty file.
    with pytest.raises(PaymentsError, match="nothing to export"):
        services.export_sepa(second)
    # A payment released later goes into the next file, the earlier ones do not.
    later = released(one, first, second, 2)
    next_batch = services.export_sepa(second)
    next_text = next_batch.file.open("rb").read().decode()
    assert next_batch.count == 1
    assert f"<EndToEndId>{later.pk}</EndToEndId>" in next_text
    for payment in paid:
        assert f"<EndToEndId>{payment.pk}</EndToEndId>" not in next_text
    assert SepaBatch.objects.count() == 2

    # The file is downloaded by finance only.
    url = reverse("core:download", args=["payments", "sepabatch", batch.pk, "file"])
    client.force_login(second)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == content
    client.force_login(one.organisation.memberships.first().user)
    assert client.get(url).status_code == 404


def test_sepa_export_through_the_page(client, grant, first, second):
    client.force_login(first)
    response = client.post(reverse("payments:sepa_export"), follow=True)
    assert "nothing to export" in response.content.decode()
    released(grant, first, second)
    response = client.post(reverse("payments:sepa_export"), follow=True)
    assert response.status_code == 200
    batch = SepaBatch.objects.get()
    page = response.content.decode()
    assert batch.message_id in page
    assert reverse("core:download", args=["payments", "sepabatch", batch.pk, "file"]) in page


# --- Pages -------------------------------------------------------------------------------------


def test_the_whole_flow_through_the_pages(client, grant, first, second):
    request = requested(grant, late=True)
    client.force_login(first)
    board = client.get(reverse("payments:finance")).content.decode()
    check_url = reverse("payments:finance_request", args=[request.pk])
    assert check_url in board and "Late" in board
    page = client.get(check_url).content.decode()
    assert grant.reference in page and "De samenwerkingsovereenkomst is aanvaard." in page
    assert "BE71 0961 2345 6769" in page
    # Forgetting the confirmation loses nothing typed.
    response = client.post(
        check_url, {"action": "propose", "propose-note": "Gecontroleerd door An."}
    )
    assert response.status_code == 400
    assert "Gecontroleerd door An." in response.content.decode()
    response = client.post(
        check_url,
        {"action": "propose", "propose-note": "Gecontroleerd door An.", "propose-confirm": "on"},
    )
    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("payments:finance_payment", args=[payment.pk])

    # The proposer waits for a colleague and has no approve button.
    own = client.get(response["Location"]).content.decode()
    assert "waiting for a colleague" in own
    assert 'value="approve"' not in own
    board = client.get(reverse("payments:finance")).content.decode()
    assert 'value="approve"' not in board
    response = client.post(
        reverse("payments:finance_payment", args=[payment.pk]),
        {"action": "approve", "approve-confirm": "on"},
    )
    assert response.status_code == 400  # refused by the service (four-eyes), explained
    assert "waiting for a colleague" in response.content.decode()
    assert Payment.objects.get().status == "proposed"

    client.force_login(second)
    page = client.get(reverse("payments:finance_payment", args=[payment.pk])).content.decode()
    assert 'value="approve"' in page and 'value="reject"' in page
    response = client.post(
        reverse("payments:finance_payment", args=[payment.pk]),
        {"action": "reject", "reject-note": ""},
    )
    assert response.status_code == 400
    response = client.post(
        reverse("payments:finance_payment", args=[payment.pk]),
        {"action": "approve", "approve-confirm": "on"},
    )
    assert response.status_code == 302
    assert Payment.objects.get().status == "released" and LedgerEntry.objects.count() == 1
    # A second click is told it was done, and books nothing.
    response = client.post(
        reverse("payments:finance_payment", args=[payment.pk]),
        {"action": "approve", "approve-confirm": "on"},
        follow=True,
    )
    assert response.status_code == 200 and LedgerEntry.objects.count() == 1
    board = client.get(reverse("payments:finance")).content.decode()
    assert grant.call.title in board


def test_an_invalid_iban_shows_on_the_check_page_and_keeps_the_note(client, grant, first):
    request = requested(grant)
    Grant.objects.filter(pk=grant.pk).update(iban="BE00123456789")
    client.force_login(first)
    url = reverse("payments:finance_request", args=[request.pk])
    assert "BE00123456789" in client.get(url).content.decode()
    response = client.post(
        url, {"action": "propose", "propose-note": "Mijn notitie", "propose-confirm": "on"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Mijn notitie" in page and "BE00123456789" in page
    assert not Payment.objects.exists()


def test_refusal_through_the_page(client, grant, first):
    request = requested(grant)
    client.force_login(first)
    url = reverse("payments:finance_request", args=[request.pk])
    assert client.post(url, {"action": "refuse", "refuse-reason": ""}).status_code == 400
    response = client.post(url, {"action": "refuse", "refuse-reason": "Rapport ontbreekt."})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "refused"
    page = client.get(url).content.decode()
    assert "Rapport ontbreekt." in page and 'value="propose"' not in page


def test_the_portal_dashboard_shows_the_finance_panel(client, grant, first):
    requested(grant)
    client.force_login(first)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert 'id="finance-heading"' in page and reverse("payments:finance") in page


def test_the_finance_page_costs_the_same_queries_with_1_or_5_requests(client, first, second):
    one, two, three = grants(3)

    def count():
        client.force_login(first)
        client.get(reverse("payments:finance"))  # warm caches (session, content types)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("payments:finance"))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    # Every list has a row: a request, a proposal, a payment, a SEPA file, a call.
    requested(one, 1)
    released(two, first, second, 1)
    services.export_sepa(first)
    services.propose_payment(tranche_of(requested(two, 2)), second)
    small = count()
    for grant, number in ((one, 2), (one, 3), (three, 1), (three, 2)):
        requested(grant, number)
    assert TrancheRequest.objects.filter(status="sent").count() == 5
    big = count()
    assert small == big, (small, big)
    assert small <= 20, small
