"""A tranche is paid once, whatever happens at the same moment (issue 8; R-TR, four-eyes).

Real threads on PostgreSQL, each with its own database connection, released together by a
barrier: 20 approvals of one proposed payment release it once and book one ledger entry (the
others are told it was already released); 20 proposals of one requested tranche make one live
payment; two SEPA exports at once put each payment in exactly one file.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from cot_portal.accounts.models import StaffRole
from payments import services_payments as services
from payments.errors import PaymentsError
from payments.models import Grant, LedgerEntry, Payment, SepaBatch, Tranche, TrancheRequest
from scoring import services_ranking
from tests.factories import UserFactory
from tests.factories_ranking import LEADS, on_jury, ranking_call, scored_application, uniform
from tests.factories_scoring import call_manager, juror

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20


def run_together(*functions):
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def runner(index, function):
        try:
            barrier.wait(timeout=30)
            results[index] = function()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def grant(settings):
    settings.COT_REQUIRE_2FA = False
    manager = call_manager()
    jurors = [juror()]
    call = ranking_call(envelope=Decimal("5000000.00"))
    on_jury(call, manager, *jurors)
    scored_application(call, LEADS[0], jurors, uniform(9))
    scored_application(call, LEADS[1], jurors, uniform(8), minutes=1)
    services_ranking.freeze_advice(call=call, manager=manager)
    services_ranking.record_decision(
        call=call, decision_date=timezone.localdate(), decision_reference="VR 1", manager=manager
    )
    Grant.objects.update(iban="BE71096123456769")
    return Grant.objects.order_by("pk").first()


def officers(count):
    return [UserFactory(roles=[StaffRole.FINANCE_OFFICER]) for _index in range(count)]


def requested(grant, number=1) -> Tranche:
    tranche = grant.tranches.get(number=number)
    Tranche.objects.filter(pk=tranche.pk).update(status="requested")
    TrancheRequest.objects.create(
        tranche=tranche,
        requested_by=grant.organisation.memberships.first().user,
        requested_at=timezone.now(),
        checks=[],
    )
    return tranche


def test_r_tr_twenty_approvals_at_once_release_the_payment_once(grant):
    proposer, *approvers = officers(1 + 4)
    payment = services.propose_payment(requested(grant), proposer)

    def approve(officer):
        return lambda: services.approve_payment(Payment.objects.get(pk=payment.pk), officer)

    # Four colleagues click five times each, all at the same moment.
    results = run_together(*(approve(approvers[i % len(approvers)]) for i in range(THREADS)))
    winners = [r for r in results if isinstance(r, Payment)]
    refused = [r for r in results if isinstance(r, services.AlreadyReleased)]
    assert len(winners) == 1 and len(refused) == THREADS - 1, results
    assert Payment.objects.filter(status="released").count() == 1
    assert LedgerEntry.objects.count() == 1
    assert LedgerEntry.objects.get().payment_id == payment.pk
    assert Tranche.objects.get(pk=payment.tranche_id).status == "paid"


def test_r_tr_twenty_proposals_at_once_make_one_live_payment(grant):
    tranche = requested(grant)
    people = officers(4)

    def propose(officer):
        return lambda: services.propose_payment(Tranche.objects.get(pk=tranche.pk), officer)

    results = run_together(*(propose(people[i % len(people)]) for i in range(THREADS)))
    winners = [r for r in results if isinstance(r, Payment)]
    refused = [r for r in results if isinstance(r, PaymentsError)]
    assert len(winners) == 1 and len(refused) == THREADS - 1, results
    assert Payment.objects.exclude(status="rejected").count() == 1
    assert Tranche.objects.get(pk=tranche.pk).status == "proposed"
    assert TrancheRequest.objects.get().status == "accepted"


def test_two_sepa_exports_at_once_put_each_payment_in_one_file(grant):
    proposer, approver = officers(2)
    other = Grant.objects.exclude(pk=grant.pk).get()
    for target in (grant, other):
        payment = services.propose_payment(requested(target), proposer)
        services.approve_payment(payment, approver)

    results = run_together(
        lambda: services.export_sepa(proposer), lambda: services.export_sepa(approver)
    )
    batches = [r for r in results if isinstance(r, SepaBatch)]
    refused = [r for r in results if isinstance(r, PaymentsError)]
    assert len(batches) == 1 and len(refused) == 1, results
    assert SepaBatch.objects.count() == 1
    assert Payment.objects.filter(batch=batches[0]).count() == 2
    assert not Payment.objects.filter(status="released", batch__isnull=True).exists()
