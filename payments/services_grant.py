"""Opening a grant when the Government's decision is recorded (issue 8, R-TR, R-START).

Connected to `scoring.signals.decision_recorded` in `PaymentsConfig.ready`. The signal is sent
inside the decision's transaction, so the grants are committed with the decision or not at all.
Opening is idempotent: a grant exists at most once per application (a unique key).
"""

from decimal import Decimal

from django.db import transaction

from applications.selectors_applications import total_cost

from . import rules
from .models import Grant, Tranche


def open_grant(outcome) -> Grant:
    """The grant of one approved DecisionOutcome, with its three tranches (SPEC.md §9)."""
    application = outcome.application
    call = application.call
    existing = Grant.objects.filter(application=application).first()
    if existing is not None:
        return existing
    review = getattr(application, "jury_review", None)
    struck = review.struck_costs if review is not None else Decimal("0")
    decision_date = outcome.decision.decision_date
    grant = Grant.objects.create(
        application=application,
        decision_outcome=outcome,
        call=call,
        organisation=application.organisation,
        reference=application.reference,
        awarded=outcome.awarded,
        decision_date=decision_date,
        conditions=outcome.conditions,
        start_date=application.start_date,
        end_date=application.end_date,
        approved_total_cost=total_cost(application) - struck,
        income=application.project_income,
        latest_start=rules.latest_start(decision_date, call.start_window_months),
        iban=application.organisation.iban or "",
    )
    amounts = rules.tranche_schedule(outcome.awarded, call.tranche_1_share, call.tranche_2_share)
    Tranche.objects.bulk_create(
        Tranche(grant=grant, number=number, scheduled_amount=amount)
        for number, amount in enumerate(amounts, start=1)
    )
    return grant


def open_grants_on_decision(sender, call, decision, **kwargs) -> list[Grant]:
    """Receiver of `decision_recorded`: a grant per approved application of the decision."""
    with transaction.atomic():
        return [
            open_grant(outcome)
            for outcome in decision.outcomes.filter(approved=True)
            .select_related("application__call", "application__organisation", "decision")
            .order_by("rank")
        ]
