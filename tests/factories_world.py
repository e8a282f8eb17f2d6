"""Builders shared by the module-scoped permission worlds.

tests/integration/test_jury_permissions.py, test_money_permissions.py and test_url_matrix.py each
build one world for their module, through the real services, inside a transaction that is
rolled back at the end (`module_world`); every test runs in its own savepoint on top of it.
"""

from contextlib import contextmanager
from decimal import Decimal

from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from applications.models import Application, PartnerRole
from applications.services.submission import submit_application
from cot_portal.accounts.models import StaffRole
from payments import register_services, services_changes, services_costs, services_tranches
from payments import services_payments as payments
from payments.models import Tranche, TrancheRequest
from tests.factories import UserFactory
from tests.factories_application import complete, started_application

GENT, KORTRIJK, LEUVEN, ANTWERPEN = "44021", "34022", "24062", "11002"
PDF = b"%PDF-1.7\n% document\n%%EOF\n"
DRAFT_TITLE = "Concept: aanbestedingsdossier in opmaak"
OFFERED_TITLE = "Aangeboden: bestek sensoren, nog niet goedgekeurd"
PUBLISHED_TITLE = "Gepubliceerd: draaiboek slim parkeren"


@contextmanager
def module_world(media):
    """The settings of a module's world, and the transaction it lives in (rolled back).

    The overrides stay in force for the module's tests; each test's own fixtures set MEDIA_ROOT
    back to `media` (tests/conftest.py gives every test its own folder).
    """
    with override_settings(
        MEDIA_ROOT=media,
        LANGUAGE_CODE="nl",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        COT_REQUIRE_2FA=False,
        # Nobody logs in with a password here (force_login): hashing them is waste.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        STORAGES={  # as tests/conftest.py: no manifest for the PDFs' stylesheets
            **django_settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def pdf(name="document.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def finance_officer(**kwargs):
    return UserFactory(roles=[StaffRole.FINANCE_OFFICER], **kwargs)


# --- Applications ------------------------------------------------------------------------------


def admissible(call, lead_nis, partner_nis=(KORTRIJK,), user=None):
    """A submitted application of `call` (with a snapshot PDF), made admissible."""
    application, lead = started_application(
        call=call, lead_nis=lead_nis, partner_nis=partner_nis, user=user
    )
    complete(application, lead)
    submission = submit_application(application, user=lead)
    submission.pdf.save("snapshot.pdf", ContentFile(b"%PDF-1.7 snapshot"), save=True)
    Application.objects.filter(pk=application.pk).update(status="admissible")
    application.refresh_from_db()
    return application, lead, submission


# --- Grants --------------------------------------------------------------------------------------


def tranche(grant, number) -> Tranche:
    return Tranche.objects.get(grant=grant, number=number)


def request_directly(grant, number, lead) -> TrancheRequest:
    """The lead's request for a tranche the calendar does not allow yet (test_payments.py)."""
    requested = tranche(grant, number)
    Tranche.objects.filter(pk=requested.pk).update(status="requested")
    return TrancheRequest.objects.create(
        tranche=requested, requested_by=lead, requested_at=timezone.now(), checks=[]
    )


def coordinator(grant):
    return grant.application.partners.get(role=PartnerRole.COORDINATOR)


def cost_line(grant, amount, lead):
    return services_costs.add_cost_line(
        grant,
        partner=coordinator(grant),
        category="personnel",
        date=grant.start_date,
        description="Projectleider, factuur 2030/001",
        amount=Decimal(amount),
        evidence=pdf("factuur.pdf"),
        user=lead,
    )


def run_grant(grant, people) -> dict:
    """Start, agreement accepted, tranche 1 requested through the service and proposed by the
    first finance officer; then a newer agreement, an interim report, a cost line, a change and
    tranche 2's request, all waiting for someone; three end results (a draft, one offered, one
    published). `people` names the lead, the manager and the finance officer."""
    lead, manager, finance = people["lead"], people["manager"], people["finance"]
    services_tranches.set_actual_start(grant, timezone.localdate(), lead)
    first = services_tranches.upload_agreement(grant, pdf("samenwerking.pdf"), lead)
    services_tranches.check_agreement(first, True, "", manager)
    services_tranches.request_tranche(tranche(grant, 1), lead)
    proposed = payments.propose_payment(tranche(grant, 1), finance, "Gecontroleerd.")
    agreement = services_tranches.upload_agreement(grant, pdf("samenwerking-v2.pdf"), lead)
    report = services_tranches.submit_report(
        grant, "interim", "Halfweg.", {}, pdf("rapport.pdf"), None, None, None, lead
    )
    line = cost_line(grant, "1000.00", lead)
    change = services_changes.request_change(
        grant,
        kind="budget_shift",
        description="Meer personeel, minder externe diensten.",
        approved_total_cost=Decimal("950000.00"),
        user=lead,
    )
    open_request = request_directly(grant, 2, lead)

    def result(title, offer):
        return register_services.add_end_result(
            grant,
            kind="playbook",
            title=title,
            uploaded=pdf("draaiboek.pdf"),
            offer=offer,
            acknowledged=offer,
            user=lead,
        )

    draft = result(DRAFT_TITLE, offer=False)
    offered = result(OFFERED_TITLE, offer=True)
    published = register_services.publish_end_result(
        result(PUBLISHED_TITLE, offer=True), user=manager
    )
    return {
        "agreement": agreement,
        "report": report,
        "line": line,
        "change": change,
        "open_request": open_request,
        "proposed": proposed,
        "draft": draft,
        "offered": offered,
        "published": published,
    }
