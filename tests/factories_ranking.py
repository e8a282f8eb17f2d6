"""Admissible applications with submitted jury sheets, for the consensus, ranking and decision,
and the grant the decision opens.

Rows are written directly (the scoring services are tested on their own); each application has
the budget of `factories_application.complete`: total cost € 1.000.000, request € 800.000.
"""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.utils import timezone

from applications.models import Application
from applications.services.submission import submit_application
from payments.models import Grant
from scoring import services_ranking
from scoring.models import (
    ApplicationConflict,
    ApplicationCriterionScore,
    ApplicationScoreSheet,
    JuryAssignment,
    JuryMember,
    SheetStatus,
)
from scoring.ranking import SUBCRITERION_CODES
from tests.factories import open_call
from tests.factories_application import complete, started_application
from tests.factories_scoring import call_manager, juror

LEADS = ("44021", "11002", "31005", "71072", "12025", "41002")


def ranking_call(**overrides):
    values = {
        "envelope": Decimal("1700000.00"),
        "max_support_per_project": Decimal("1000000.00"),
    }
    values.update(overrides)
    return open_call(**values)


def uniform(points) -> dict[str, Decimal]:
    return {code: Decimal(str(points)) for code in SUBCRITERION_CODES}


def on_jury(call, manager, *users) -> list[JuryMember]:
    return [
        JuryMember.objects.get_or_create(call=call, user=u, defaults={"added_by": manager})[0]
        for u in users
    ]


def submitted_sheet(application, user, points: dict[str, Decimal], motivation="Goed onderbouwd."):
    member = JuryMember.objects.get(call=application.call, user=user)
    JuryAssignment.objects.get_or_create(application=application, juror=member)
    ApplicationConflict.objects.get_or_create(
        application=application, juror=user, defaults={"has_conflict": False}
    )
    sheet = ApplicationScoreSheet.objects.create(
        application=application,
        juror=user,
        status=SheetStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    ApplicationCriterionScore.objects.bulk_create(
        ApplicationCriterionScore(sheet=sheet, code=code, points=value, motivation=motivation)
        for code, value in points.items()
    )
    return sheet


def scored_application(call, lead_nis, jurors, points, *, partner_nis=("34022",), minutes=0):
    """An admissible application of `call` scored by every juror with `points` (a dict, or a
    list of dicts, one per juror). `minutes` orders the submission times (tie-breaks)."""
    application, user = started_application(call=call, lead_nis=lead_nis, partner_nis=partner_nis)
    complete(application, user)
    Application.objects.filter(pk=application.pk).update(
        status="admissible", submitted_at=timezone.now() - timedelta(days=1, minutes=-minutes)
    )
    application.refresh_from_db()
    per_juror = points if isinstance(points, list) else [points] * len(jurors)
    for juror_user, values in zip(jurors, per_juror, strict=True):
        submitted_sheet(application, juror_user, values)
    return application, user


def submitted_admissible(lead_nis=LEADS[0], partner_nis=("34022",)):
    """An application submitted through the service and admissible, with its lead's user. The
    snapshot PDF is rendered by a Celery task after the commit; a stand-in is enough here."""
    application, user = started_application(lead_nis=lead_nis, partner_nis=partner_nis)
    complete(application, user)
    submission = submit_application(application, user=user)
    submission.pdf.save("snapshot.pdf", ContentFile(b"%PDF-1.7 snapshot"), save=True)
    Application.objects.filter(pk=application.pk).update(status="admissible")
    application.refresh_from_db()
    return application, user


def decide_call(call, manager):
    """Freeze the advice and record the Government's decision ("VR 1", today)."""
    services_ranking.freeze_advice(call=call, manager=manager)
    return services_ranking.record_decision(
        call=call, decision_date=timezone.localdate(), decision_reference="VR 1", manager=manager
    )


def decided_grant() -> SimpleNamespace:
    """A grant opened by a recorded decision: Gent's application (partner Kortrijk), scored 9 on
    every sub-criterion by one juror, awarded € 800.000. Returns the grant, the lead's user, the
    call manager, the application, the call and its jurors."""
    manager = call_manager()
    jurors = [juror()]
    call = ranking_call()
    on_jury(call, manager, *jurors)
    application, lead = scored_application(call, LEADS[0], jurors, uniform(9))
    decide_call(call, manager)
    return SimpleNamespace(
        grant=Grant.objects.get(),
        lead=lead,
        manager=manager,
        application=application,
        call=call,
        jurors=jurors,
    )
