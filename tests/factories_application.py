"""A full application for tests: started from a shortlisted idea, optionally complete."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from applications.models import (
    KPI,
    ApplicationPartner,
    Attachment,
    CostLine,
    GroupMember,
    Idea,
    ProcurementItem,
    WorkPackage,
)
from applications.rules import latest_end
from applications.services.application import start_application
from tests.factories import IdeaFactory, idea_partner, member_of, municipality, open_call


def started_application(call=None, lead_nis="44021", partner_nis=("34022",), user=None):
    call = call or open_call()
    lead = municipality(lead_nis)
    user = user or member_of(lead)
    idea = IdeaFactory(call=call, organisation=lead, created_by=user)
    for nis in partner_nis:
        idea_partner(idea, municipality(nis))
    Idea.objects.filter(pk=idea.pk).update(status="shortlisted")
    idea.refresh_from_db()
    return start_application(idea, user=user), user


def complete(application, user):
    """Fill every section so the application can be submitted (a budget of € 1.000.000)."""
    call = application.call
    application.summary = "Een open parkeerplatform voor Vlaamse steden."
    application.external_support = "Marktverkenning en begeleiding van de aanbesteding."
    application.provider_profile = "Een bureau met ervaring in innovatief aanbesteden."
    application.policy_commitment = "Opgenomen in het bestuursakkoord 2025-2030."
    application.scalability = "Elke gemeente kan via het raamcontract aansluiten."
    application.rollout = "De stad neemt de exploitatie over na het project."
    application.business_model = "Licentievrij, gedeelde hostingkost per gemeente."
    application.start_date = timezone.localdate(call.application_deadline) + timedelta(days=1)
    application.end_date = latest_end(application.start_date, 36)
    application.requested_support = Decimal("800000.00")
    application.own_contribution = Decimal("200000.00")
    application.save()
    lead, partner = list(application.partners.order_by("pk"))[:2]
    WorkPackage.objects.create(
        application=application,
        number=1,
        title="Analyse",
        lead_partner=lead,
        start_month=1,
        end_month=12,
    )
    WorkPackage.objects.create(
        application=application,
        number=2,
        title="Kennisdeling",
        lead_partner=partner,
        start_month=1,
        end_month=36,
        knowledge_sharing=True,
    )
    CostLine.objects.create(
        application=application,
        partner=lead,
        category="personnel",
        year=1,
        description="Projectleider",
        amount=Decimal("500000.00"),
    )
    CostLine.objects.create(
        application=application,
        partner=lead,
        category="external",
        year=2,
        description="Begeleiding",
        amount=Decimal("100000.00"),
    )
    CostLine.objects.create(
        application=application,
        partner=partner,
        category="personnel",
        year=1,
        description="Analist",
        amount=Decimal("400000.00"),
    )
    ProcurementItem.objects.create(
        application=application,
        description="Begeleiding aanbesteding",
        estimated_value=Decimal("100000.00"),
        procedure="negotiated",
    )
    GroupMember.objects.create(
        application=application,
        group="steering",
        name="Anna Peeters",
        organisation_name="Stad Gent",
    )
    KPI.objects.create(
        application=application,
        name="Zoektijd parkeren",
        unit="minuten",
        baseline=Decimal("12"),
        target=Decimal("6"),
    )
    attachment = Attachment(
        application=application,
        kind="bestuursakkoord",
        title="Bestuursakkoord",
        sha256="0" * 64,
        size=10,
        uploaded_by=user,
    )
    from django.core.files.base import ContentFile

    attachment.file.save("bestuursakkoord.pdf", ContentFile(b"%PDF-1.7 akkoord"), save=False)
    attachment.save()
    return application


def add_partners(application, count):
    from cot_portal.accounts.models import Organisation

    taken = set(application.partners.values_list("organisation_id", flat=True))
    for org in Organisation.objects.filter(type="municipality").exclude(pk__in=taken)[:count]:
        ApplicationPartner.objects.create(application=application, organisation=org, role="volger")
