"""Settlement (R-SETTLE), recovery and the stop decision (R-STOP) — issue 8.

A real grant of € 800.000 (tranches € 320.000 / € 240.000 / € 240.000) opened by the
Government's decision; paid tranches are written directly (payments are the finance area's).
"""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from applications.models import CostCategory
from cot_portal.accounts.models import StaffRole
from cot_portal.letters.models import Letter
from cot_portal.letters.services import send_letter_now
from payments import services_settlement as services
from payments.errors import PaymentsError
from payments.models import (
    CostStatementLine,
    Grant,
    LedgerEntry,
    Payment,
    Recovery,
    Settlement,
    StopDecision,
    Tranche,
    TrancheRequest,
)
from payments.rules_settlement import payment_due, settlement_caps, structured_communication
from tests.factories import UserFactory, member_of, municipality
from tests.factories_ranking import decided_grant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dutch_without_2fa")]

PARTNER_NIS = "34022"
OTHER_NIS = "11002"


@pytest.fixture
def world():
    """A running grant of € 800.000 with its lead member, two finance officers and a manager."""
    decided = decided_grant()
    grant = decided.grant
    assert grant.awarded == Decimal("800000.00")
    return {
        "grant": grant,
        "lead": decided.lead,
        "manager": decided.manager,
        "finance": UserFactory(roles=[StaffRole.FINANCE_OFFICER]),
        "finance_2": UserFactory(roles=[StaffRole.FINANCE_OFFICER]),
    }


def pay(world, number) -> Payment:
    """Tranche `number` released by two finance officers and booked in the ledger."""
    grant = world["grant"]
    tranche = grant.tranches.get(number=number)
    now = timezone.now()
    payment = Payment.objects.create(
        tranche=tranche,
        amount=tranche.scheduled_amount,
        iban="BE68539007547034",
        status="released",
        proposed_by=world["finance"],
        proposed_at=now,
        approved_by=world["finance_2"],
        decided_at=now,
    )
    LedgerEntry.objects.create(
        grant=grant,
        kind="payment",
        amount=payment.amount,
        payment=payment,
        description=f"Schijf {number}",
        created_by=world["finance_2"],
        created_at=now,
    )
    Tranche.objects.filter(pk=tranche.pk).update(status="paid")
    return payment


def request_tranche(world, number) -> TrancheRequest:
    tranche = world["grant"].tranches.get(number=number)
    Tranche.objects.filter(pk=tranche.pk).update(status="requested")
    return TrancheRequest.objects.create(
        tranche=tranche, requested_by=world["lead"], requested_at=timezone.now()
    )


def cost_line(world, amount, status="accepted") -> CostStatementLine:
    grant = world["grant"]
    checked = status != "pending"
    return CostStatementLine.objects.create(
        grant=grant,
        partner=grant.application.partners.order_by("pk").first(),
        category=CostCategory.PERSONNEL,
        date=grant.start_date,
        description="Projectleider",
        amount=Decimal(amount),
        evidence="grants/bewijs.pdf",
        created_by=world["lead"],
        created_at=timezone.now(),
        status=status,
        checked_by=world["finance"] if checked else None,
        checked_at=timezone.now() if checked else None,
        reason="Geen bewijs." if status == "rejected" else "",
    )


def ready_to_settle(world, *accepted) -> Grant:
    """Tranches 1 (40%) and 2 (30%) paid, the final request sent, the given lines accepted."""
    pay(world, 1)
    pay(world, 2)
    request_tranche(world, 3)
    for amount in accepted:
        cost_line(world, amount)
    return world["grant"]


def pdf_text(letter) -> str:
    with letter.pdf.open("rb") as fh:
        data = fh.read()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.replace("\xa0", " ").split())


def page(response) -> str:
    return response.content.decode().replace("\xa0", " ")


def settlement_url(grant):
    return reverse("payments:settlement", kwargs={"reference": grant.reference})


def stop_url(grant):
    return reverse("payments:stop", kwargs={"reference": grant.reference})


# --- Pure rules ---------------------------------------------------------------------------------


def test_r_settle_caps_mark_the_lowest_and_round_down():
    caps = settlement_caps(
        awarded=Decimal("800000.00"),
        accepted_cost=Decimal("600000.01"),
        income=Decimal("50000.00"),
        rate=Decimal("0.80"),
    )
    assert [c.amount for c in caps] == [
        Decimal("800000.00"),
        Decimal("480000.00"),  # 480.000,008 rounded down to the cent
        Decimal("550000.01"),
    ]
    assert [c.binding for c in caps] == [False, True, False]


def test_recovery_structured_communication_and_term():
    assert structured_communication(1) == "+++000/0000/00101+++"
    assert structured_communication(97) == "+++000/0000/09797+++"  # remainder 0 → 97
    assert structured_communication(1234567890) == "+++123/4567/89002+++"
    from datetime import date

    assert payment_due(date(2029, 1, 15)) == date(2029, 2, 14)


# --- R-SETTLE -----------------------------------------------------------------------------------


def test_r_settle_recovery_of_exactly_80000_with_one_dutch_letter(
    world, client, django_capture_on_commit_callbacks, mailoutbox
):
    """Paid 40% + 30% of € 800.000 = € 560.000; accepted cost € 600.000 → final € 480.000 →
    € 80.000,00 recovered, booked once in the ledger, the letter stored and e-mailed once."""
    grant = ready_to_settle(world, "350000.00", "250000.00")
    cost_line(world, "99999.00", status="rejected")  # a rejected line does not count
    colleague = member_of(grant.organisation)
    client.force_login(world["finance"])
    preview = client.get(settlement_url(grant))
    assert preview.status_code == 200
    body = page(preview)
    assert "€ 600.000,00" in body and "€ 480.000,00" in body and "€ 80.000,00" in body
    assert "Settle the grant" in body or "Afrekenen" in body

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(settlement_url(grant), {"confirm": "on"})
    assert response.status_code == 302

    settlement = Settlement.objects.get(grant=grant)
    assert settlement.accepted_cost == Decimal("600000.00")
    assert settlement.final_support == Decimal("480000.00")
    assert settlement.paid_before == Decimal("560000.00")
    assert settlement.balance == Decimal("-80000.00")
    assert settlement.computed_by == world["finance"]
    grant.refresh_from_db()
    assert grant.status == "settled"

    recovery = Recovery.objects.get(grant=grant)
    assert recovery.reason == "settlement" and recovery.amount == Decimal("80000.00")
    entry = LedgerEntry.objects.get(grant=grant, kind="recovery")
    assert entry.amount == Decimal("80000.00") and entry.recovery == recovery
    assert LedgerEntry.objects.filter(grant=grant).count() == 3  # two payments, one recovery

    # Nothing is left to pay: tranche 3 is cancelled and its request answered.
    last = grant.tranches.get(number=3)
    assert last.status == "cancelled"
    assert last.requests.get().status == "accepted"

    # One letter: the settlement and the recovery, stored on both, e-mailed once.
    letter = settlement.letter
    assert letter is not None and recovery.letter == letter
    assert letter.kind == "settlement" and letter.organisation == grant.organisation
    assert Letter.objects.count() == 1 and letter.sent_at is not None
    text = pdf_text(letter)
    assert "€ 80.000,00" in text
    for figure in ("€ 600.000,00", "€ 480.000,00", "€ 560.000,00", "€ 320.000,00", "€ 240.000,00"):
        assert figure in text
    assert services.vlaio_account()["iban"] in text
    assert structured_communication(recovery.pk) in text
    assert grant.reference in text
    assert len(mailoutbox) == 1
    assert set(mailoutbox[0].to) == {world["lead"].email, colleague.email}
    assert mailoutbox[0].attachments[0][0] == letter.filename
    # A retried send does not send it again.
    assert send_letter_now(letter.pk) is False
    assert len(mailoutbox) == 1

    # The lead applicant sees the result and downloads the letter.
    client.force_login(world["lead"])
    shown = client.get(settlement_url(grant))
    assert shown.status_code == 200
    assert "€ 80.000,00" in page(shown)
    download = reverse("core:download", args=["letters", "letter", letter.pk, "pdf"])
    assert download in page(shown)
    assert client.get(download).status_code == 200


def test_r_settle_positive_balance_leaves_tranche_3_to_finance(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    """Accepted cost € 750.000 → final min(800.000, 600.000, 750.000) = € 600.000 → balance
    € 40.000 to pay as tranche 3 (finance proposes it); no recovery."""
    grant = ready_to_settle(world, "750000.00")
    with django_capture_on_commit_callbacks(execute=True):
        settlement = services.settle_grant(grant, world["finance"])
    assert settlement.final_support == Decimal("600000.00")
    assert settlement.balance == Decimal("40000.00")
    assert not Recovery.objects.exists()
    assert not LedgerEntry.objects.filter(kind="recovery").exists()
    last = grant.tranches.get(number=3)
    assert last.status == "requested" and last.requests.get().status == "sent"
    assert settlement.letter.kind == "settlement"
    text = pdf_text(settlement.letter)
    assert "€ 40.000,00" in text and "€ 600.000,00" in text
    assert len(mailoutbox) == 1


def test_r_settle_zero_balance_cancels_tranche_3(world):
    """Accepted cost € 700.000 → 80% = € 560.000 = what was paid: balance 0, tranche 3 cancelled
    and its request accepted."""
    grant = ready_to_settle(world, "700000.00")
    settlement = services.settle_grant(grant, world["finance"])
    assert settlement.balance == Decimal("0.00")
    last = grant.tranches.get(number=3)
    assert last.status == "cancelled"
    request = last.requests.get()
    assert request.status == "accepted" and request.decided_by == world["finance"]
    assert not Recovery.objects.exists()
    assert settlement.letter is not None


def test_r_settle_income_caps_the_final_support(world):
    grant = ready_to_settle(world, "600000.00")
    Grant.objects.filter(pk=grant.pk).update(income=Decimal("150000.00"))
    settlement = services.settle_grant(grant, world["finance"])
    # min(800.000, 480.000, 600.000 − 150.000 = 450.000) = 450.000; paid 560.000 → recover 110.000
    assert settlement.final_support == Decimal("450000.00")
    assert Recovery.objects.get().amount == Decimal("110000.00")


def test_r_settle_refused_while_a_cost_line_is_pending(world, client):
    grant = ready_to_settle(world, "600000.00")
    cost_line(world, "1000.00", status="pending")
    with pytest.raises(PaymentsError) as refused:
        services.settle_grant(grant, world["finance"])
    assert any("kostenregel" in p for p in refused.value.problems)
    assert not Settlement.objects.exists()
    grant.refresh_from_db()
    assert grant.status == "active"
    # The page says why and offers no button.
    client.force_login(world["finance"])
    body = page(client.get(settlement_url(grant)))
    assert "kostenregel" in body and 'name="confirm"' not in body


def test_r_settle_refused_before_the_final_request(world):
    pay(world, 1)
    pay(world, 2)
    cost_line(world, "600000.00")
    with pytest.raises(PaymentsError) as refused:
        services.settle_grant(world["grant"], world["finance"])
    assert any("Schijf 3" in p for p in refused.value.problems)
    assert not Settlement.objects.exists()


def test_r_settle_twice_is_refused_because_the_grant_is_settled(world, client):
    grant = ready_to_settle(world, "600000.00")
    services.settle_grant(grant, world["finance"])
    with pytest.raises(PaymentsError) as refused:
        services.settle_grant(grant, world["finance_2"])
    assert any("alleen een lopende subsidie" in p for p in refused.value.problems)
    client.force_login(world["finance_2"])
    response = client.post(settlement_url(grant), {"confirm": "on"})
    assert response.status_code == 400
    assert "alleen een lopende subsidie" in page(response)  # the reason, on the result page
    assert "€ 80.000,00" in page(response)
    assert Settlement.objects.count() == 1 and Recovery.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="recovery").count() == 1


def test_r_settle_unticked_confirmation_is_a_400_and_settles_nothing(world, client):
    grant = ready_to_settle(world, "600000.00")
    client.force_login(world["finance"])
    response = client.post(settlement_url(grant), {})
    assert response.status_code == 400
    assert "Tick the box" in page(response) or "Vink" in page(response)
    assert not Settlement.objects.exists()


# --- R-STOP -------------------------------------------------------------------------------------


def test_r_stop_repayment_above_what_was_paid_is_refused(world, client):
    grant = world["grant"]
    pay(world, 1)  # € 320.000 paid
    with pytest.raises(PaymentsError) as refused:
        services.stop_grant(
            grant,
            "misuse",
            "Middelen oneigenlijk gebruikt.",
            Decimal("320000.01"),
            world["manager"],
        )
    assert refused.value.field == "repayment"
    client.force_login(world["manager"])
    response = client.post(
        stop_url(grant),
        {
            "reason": "misuse",
            "motivation": "Middelen oneigenlijk gebruikt.",
            "repayment": "400.000,00",
            "confirm": "on",
        },
    )
    assert response.status_code == 400
    body = page(response)
    assert "€ 320.000,00" in body and "Middelen oneigenlijk gebruikt." in body
    assert 'value="400.000,00"' in body
    grant.refresh_from_db()
    assert grant.status == "active" and not StopDecision.objects.exists()


def test_r_stop_motivation_is_required(world, client):
    grant = world["grant"]
    with pytest.raises(PaymentsError) as refused:
        services.stop_grant(grant, "misuse", "  ", Decimal("0"), world["manager"])
    assert refused.value.field == "motivation"
    client.force_login(world["manager"])
    response = client.post(stop_url(grant), {"reason": "misuse", "repayment": "", "confirm": "on"})
    assert response.status_code == 400
    assert not StopDecision.objects.exists()


def test_r_stop_cancels_open_tranches_rejects_a_proposed_payment_and_claims_repayment(
    world, client, django_capture_on_commit_callbacks, mailoutbox
):
    grant = world["grant"]
    pay(world, 1)
    request = request_tranche(world, 2)
    tranche2 = grant.tranches.get(number=2)
    Tranche.objects.filter(pk=tranche2.pk).update(status="proposed")
    proposed = Payment.objects.create(
        tranche=tranche2,
        amount=tranche2.scheduled_amount,
        iban="BE68539007547034",
        proposed_by=world["finance"],
        proposed_at=timezone.now(),
    )
    client.force_login(world["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            stop_url(grant),
            {
                "reason": "not_carried_out",
                "motivation": "Het project werd na zes maanden stilgelegd.",
                "repayment": "100.000,00",
                "confirm": "on",
            },
        )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.status == "stopped"
    decision = StopDecision.objects.get(grant=grant)
    assert decision.repayment == Decimal("100000.00") and decision.decided_by == world["manager"]
    statuses = dict(grant.tranches.values_list("number", "status"))
    assert statuses == {1: "paid", 2: "cancelled", 3: "cancelled"}
    proposed.refresh_from_db()
    assert proposed.status == "rejected" and "R-STOP" in proposed.note
    request.refresh_from_db()
    assert request.status == "refused"
    recovery = Recovery.objects.get(grant=grant)
    assert recovery.reason == "stop" and recovery.amount == Decimal("100000.00")
    assert LedgerEntry.objects.get(kind="recovery").amount == Decimal("100000.00")
    letter = recovery.letter
    assert letter.kind == "stop" and letter.sent_at is not None
    text = pdf_text(letter)
    assert "€ 100.000,00" in text and "Het project werd na zes maanden stilgelegd." in text
    assert len(mailoutbox) == 1
    # Stopping again is refused; settling a stopped grant too.
    with pytest.raises(PaymentsError):
        services.stop_grant(grant, "misuse", "Nogmaals.", Decimal("0"), world["manager"])
    with pytest.raises(PaymentsError):
        services.settle_grant(grant, world["finance"])
    # The settlement page shows the stop and its letter to the lead applicant.
    client.force_login(world["lead"])
    body = page(client.get(settlement_url(grant)))
    assert "Het project werd na zes maanden stilgelegd." in body and "€ 100.000,00" in body


def test_r_stop_without_repayment_still_sends_the_stop_letter(world):
    grant = world["grant"]
    decision = services.stop_grant(
        grant, "no_results", "Onvoldoende resultaten.", None, world["manager"]
    )
    assert decision.repayment == Decimal("0")
    assert not Recovery.objects.exists() and not LedgerEntry.objects.exists()
    assert Letter.objects.get().kind == "stop"


# --- Who may see and do what --------------------------------------------------------------------


def test_permissions_of_the_settlement_and_stop_pages(world, client):
    grant = ready_to_settle(world, "600000.00")
    partner = member_of(municipality(PARTNER_NIS))
    other = member_of(municipality(OTHER_NIS))
    conflicted = member_of(grant.organisation, roles=[StaffRole.FINANCE_OFFICER])

    # Before the settlement: the partner reads the page (no figures yet) but cannot post.
    client.force_login(partner)
    response = client.get(settlement_url(grant))
    assert response.status_code == 200
    assert 'name="confirm"' not in page(response)
    assert client.post(settlement_url(grant), {"confirm": "on"}).status_code == 404
    assert client.get(stop_url(grant)).status_code == 404
    assert not Settlement.objects.exists()

    # Another municipality: 404, reading and posting.
    client.force_login(other)
    assert client.get(settlement_url(grant)).status_code == 404
    assert client.post(settlement_url(grant), {"confirm": "on"}).status_code == 404
    # A finance officer who is a member of the beneficiary is conflicted: settling is a 404 (they
    # read the page as a member of the lead applicant does, without the computation).
    client.force_login(conflicted)
    response = client.get(settlement_url(grant))
    assert response.status_code == 200 and 'name="confirm"' not in page(response)
    assert "€ 480.000,00" not in page(response)
    assert client.post(settlement_url(grant), {"confirm": "on"}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.settle_grant(grant, conflicted)
    client.logout()
    assert client.get(settlement_url(grant)).status_code == 404

    # The call manager reads and stops but does not settle; finance settles but does not stop.
    client.force_login(world["manager"])
    assert client.get(settlement_url(grant)).status_code == 200
    assert client.post(settlement_url(grant), {"confirm": "on"}).status_code == 404
    assert client.get(stop_url(grant)).status_code == 200
    client.force_login(world["finance"])
    assert client.get(stop_url(grant)).status_code == 404
    with pytest.raises(PermissionDenied):
        services.stop_grant(grant, "misuse", "Reden.", Decimal("0"), world["finance"])

    # After the settlement the partner sees the result.
    services.settle_grant(grant, world["finance"])
    client.force_login(partner)
    response = client.get(settlement_url(grant))
    assert response.status_code == 200 and "€ 80.000,00" in page(response)
    assert client.post(settlement_url(grant), {"confirm": "on"}).status_code == 404


def test_a_finance_officer_of_a_partner_is_conflicted_too(world, client):
    """A finance officer who belongs to a partner reads the partner's view and cannot settle
    (404); one who belongs to another municipality is not conflicted and sees the computation."""
    grant = ready_to_settle(world, "600000.00")
    partner_finance = member_of(municipality(PARTNER_NIS), roles=[StaffRole.FINANCE_OFFICER])
    client.force_login(partner_finance)
    response = client.get(settlement_url(grant))
    assert response.status_code == 200 and 'name="confirm"' not in page(response)
    assert client.post(settlement_url(grant), {"confirm": "on"}).status_code == 404
    outsider_finance = member_of(municipality(OTHER_NIS), roles=[StaffRole.FINANCE_OFFICER])
    client.force_login(outsider_finance)
    response = client.get(settlement_url(grant))
    assert response.status_code == 200 and 'name="confirm"' in page(response)


def test_the_settlement_page_query_count_does_not_grow_with_rows(world, client):
    grant = ready_to_settle(world, "100000.00", "100000.00")
    client.force_login(world["finance"])

    def queries() -> int:
        client.get(settlement_url(grant))  # warm caches (content types, sessions)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(settlement_url(grant)).status_code == 200
        return len(captured.captured_queries)

    small = queries()
    for _index in range(20):
        cost_line(world, "20000.00")
    cost_line(world, "5.00", status="rejected")
    assert queries() == small
    # After the settlement, with its letter and recovery, the page stays as cheap.
    services.settle_grant(grant, world["finance"])
    settled = queries()
    assert Letter.objects.count() == 1 and settled <= small


def test_the_project_page_links_to_the_settlement_and_the_manager_to_the_stop(world, client):
    grant = world["grant"]
    project = reverse("payments:project", args=[grant.reference])
    client.force_login(world["lead"])
    body = page(client.get(project))
    assert settlement_url(grant) in body and stop_url(grant) not in body
    client.force_login(world["manager"])
    body = page(client.get(project))
    assert settlement_url(grant) in body and stop_url(grant) in body


def test_a_stopped_grant_shows_no_settlement_computation_to_finance(world, client):
    grant = world["grant"]
    services.stop_grant(grant, "no_results", "Onvoldoende resultaten.", None, world["manager"])
    client.force_login(world["finance"])
    body = page(client.get(settlement_url(grant)))
    assert "Onvoldoende resultaten." in body and 'name="confirm"' not in body
    assert "R-SETTLE" not in body
    client.force_login(world["manager"])
    assert client.get(stop_url(grant)).status_code == 200
    response = client.post(
        stop_url(grant), {"reason": "misuse", "motivation": "Nog eens.", "confirm": "on"}
    )
    assert response.status_code == 400 and StopDecision.objects.count() == 1
