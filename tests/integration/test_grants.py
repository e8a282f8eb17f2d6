"""A grant opens when the Government's decision is recorded (issue 8; R-TR, R-START, SPEC.md §9)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from payments.models import Grant, LedgerEntry
from payments.services_grant import open_grant
from scoring import services_ranking
from tests.factories_ranking import (
    LEADS,
    decide_call,
    decided_grant,
    on_jury,
    ranking_call,
    scored_application,
    uniform,
)
from tests.factories_scoring import call_manager, juror

pytestmark = pytest.mark.django_db


def test_the_decision_opens_a_grant_per_approved_application(settings):
    settings.COT_REQUIRE_2FA = False
    manager = call_manager()
    jurors = [juror(), juror()]
    call = ranking_call(envelope=Decimal("1000000.00"))
    on_jury(call, manager, *jurors)
    funded, _user = scored_application(call, LEADS[0], jurors, uniform(9))
    reserve, _user = scored_application(call, LEADS[1], jurors, uniform(8))
    wp = funded.work_packages.order_by("number").first()
    services_ranking.save_cut(
        application=funded,
        work_package_ids=[wp.pk],
        struck_costs=Decimal("123456.79"),
        reduction=Decimal("0"),
        motivation="WP1 valt weg.",
        manager=manager,
    )
    decision = decide_call(call, manager)
    grant = Grant.objects.get()
    assert grant.application == funded and not Grant.objects.filter(application=reserve).exists()
    # 80% of (1.000.000 − 123.456,79) = 701.234,568 → 701.234,56 (rounded down, SPEC.md §9).
    assert grant.awarded == Decimal("701234.56")
    assert grant.approved_total_cost == Decimal("876543.21")
    amounts = [t.scheduled_amount for t in grant.tranches.order_by("number")]
    assert amounts == [Decimal("280493.82"), Decimal("210370.37"), Decimal("210370.37")]
    assert sum(amounts) == grant.awarded
    assert grant.latest_start.month == (decision.decision_date.month + 5) % 12 + 1
    # Opening again changes nothing.
    assert open_grant(grant.decision_outcome) == grant
    assert Grant.objects.count() == 1 and grant.tranches.count() == 3


def test_the_ledger_is_append_only_in_postgresql(settings):
    """Even a raw UPDATE or DELETE is refused by the trigger, whatever the Python code does."""
    from django.db import connection

    from payments.models import Payment

    if connection.vendor != "postgresql":
        pytest.fail("The money tests run on PostgreSQL (make test sets DATABASE_URL).")
    tranche = decided_grant().grant.tranches.get(number=1)
    first, second = call_manager(), call_manager()
    payment = Payment.objects.create(
        tranche=tranche,
        amount=tranche.scheduled_amount,
        iban="BE68539007547034",
        status="released",
        proposed_by=first,
        proposed_at=timezone.now(),
        approved_by=second,
        decided_at=timezone.now(),
    )
    entry = LedgerEntry.objects.create(
        grant=tranche.grant,
        kind="payment",
        amount=payment.amount,
        payment=payment,
        description="Schijf 1",
        created_by=second,
        created_at=timezone.now(),
    )
    for statement in (
        "UPDATE payments_ledgerentry SET amount = 1",
        "DELETE FROM payments_ledgerentry",
    ):
        with pytest.raises(Exception, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    # A payment is booked once: a second entry for it is refused by the unique key.
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            grant=tranche.grant,
            kind="payment",
            amount=payment.amount,
            payment=payment,
            description="Nog eens",
            created_by=second,
            created_at=timezone.now(),
        )
    # Four-eyes in the database: the proposer cannot be the approver.
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(approved_by=first)
