"""Nothing internal ever reaches a public page or an export of the register (issue 9, R-SHARE).

One funded project carries every kind of internal text a dossier gathers on its way: jury
motivations and names, the consensus motivation, the cut's motivation, an internal
admissibility note, the decision's conditions, cost lines, IBANs, contact persons, steering
group members, reports and their notes, a stop motivation, VLAIO's notes on end results and the
results that are not published; the same call holds a draft and a rejected application. Each
text is a marker that must never show on the register's pages (anonymous or logged in as
another municipality) nor in its CSV, JSON or JSON-LD, and no file but a published one downloads.
"""

import json
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from applications.models import (
    AdmissibilityCheck,
    Application,
    ApplicationPartner,
    CostLine,
    GroupMember,
)
from cot_portal.accounts.models import Organisation, User
from payments.models import (
    ContentReport,
    CostStatementLine,
    Grant,
    PublicationStatus,
    ReuseInterest,
    StopDecision,
)
from payments.register_opendata import project_record
from scoring import services_ranking
from scoring.models import ApplicationCriterionScore, ConsensusOverride, JuryMember
from tests.factories import member_of, municipality
from tests.factories_application import started_application
from tests.factories_ranking import scored_application, uniform
from tests.factories_scoring import call_manager

from .test_register import KORTRIJK, PDF, decide, end_result, funded_projects

pytestmark = pytest.mark.django_db

IBAN_GRANT = "BE68539007547034"
IBAN_ORGANISATION = "BE71096123456769"
MARKERS = [
    "GEHEIM-ONTWERP",  # a draft application of the call
    "GEHEIM-AFGEWEZEN",  # an application the decision did not fund
    "GEHEIM-UITDAGING",  # the application's other texts: only title and summary are public
    "GEHEIM-BEDRIJFSMODEL",
    "GEHEIM-ONTVANKELIJKHEID",  # the call manager's internal admissibility note
    "GEHEIM-JURYMOTIVATIE",  # the jurors' motivations
    "Jurygeheimnaam",  # a juror's name
    "Managergeheimnaam",  # the call manager's name
    "GEHEIM-CONSENSUS",  # the consensus motivation
    "GEHEIM-KNIP",  # the motivation of the cut (JuryReview)
    "GEHEIM-VOORWAARDEN",  # the decision's conditions
    "GEHEIM-KOSTENLIJN",  # the application's cost lines
    "GEHEIM-KOSTENSTAAT",  # the cost statement lines of the execution
    "GEHEIM-CONTACTPERSOON",  # a partner's contact person
    "geheim-contact@example.be",
    "GEHEIM-BIJDRAGE",
    "GEHEIM-STUURGROEP",  # steering group members
    "GEHEIM-RAPPORT",  # the report's text and VLAIO's note on it
    "GEHEIM-RAPPORTNOTITIE",
    "GEHEIM-STOPMOTIVATIE",
    "GEHEIM-NOTITIE-GEPUBLICEERD",  # VLAIO's note on a published result
    "GEHEIM-VLAIO-NOTITIE",  # VLAIO's note on a refused result
    "GEHEIM-GEWEIGERD",  # results that are not published
    "GEHEIM-WACHTEND",
    "GEHEIM-CONCEPT",
    "GEHEIM-INTERESSEBERICHT",  # a municipality's message to the lead
    IBAN_GRANT,
    IBAN_ORGANISATION,
]
PUBLIC_RECORD_KEYS = {
    "reference",
    "title",
    "summary",
    "url",
    "call",
    "lead",
    "partners",
    "themes",
    "awarded",
    "currency",
    "start_date",
    "end_date",
    "status",
    "status_label",
    "decision_date",
    "kpis",
    "end_results",
}


@pytest.fixture
def world(settings):
    settings.COT_REQUIRE_2FA = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    manager = call_manager(first_name="Mia", last_name="Managergeheimnaam")

    def others(call, jurors):
        draft, _user = started_application(call=call, lead_nis="31005")
        Application.objects.filter(pk=draft.pk).update(title="GEHEIM-ONTWERP")
        rejected, _user = scored_application(call, "71072", jurors, uniform(2), minutes=5)
        Application.objects.filter(pk=rejected.pk).update(title="GEHEIM-AFGEWEZEN")

    applications, users, manager = funded_projects(1, manager=manager, extra=others, decided=False)
    application, lead_user = applications[0], users[0]
    call = application.call
    Application.objects.filter(pk=application.pk).update(
        challenge="GEHEIM-UITDAGING", business_model="GEHEIM-BEDRIJFSMODEL"
    )
    AdmissibilityCheck.objects.update_or_create(
        application=application,
        criterion="complete",
        defaults={
            "computed_ok": True,
            "figures": "Alles ingevuld.",
            "note": "GEHEIM-ONTVANKELIJKHEID",
            "confirmed_ok": True,
            "confirmed_by": manager,
            "confirmed_at": timezone.now(),
        },
    )
    ApplicationCriterionScore.objects.update(motivation="GEHEIM-JURYMOTIVATIE")
    User.objects.filter(pk__in=JuryMember.objects.values("user")).update(
        first_name="Jan", last_name="Jurygeheimnaam"
    )
    ConsensusOverride.objects.create(
        application=application,
        code="A1",
        points=Decimal("9"),
        motivation="GEHEIM-CONSENSUS",
        set_by=manager,
        set_at=timezone.now(),
    )
    services_ranking.save_cut(
        application=application,
        work_package_ids=[],
        struck_costs=Decimal("0"),
        reduction=Decimal("1000.00"),
        motivation="GEHEIM-KNIP",
        manager=manager,
    )
    CostLine.objects.filter(application=application).update(description="GEHEIM-KOSTENLIJN")
    GroupMember.objects.filter(application=application).update(name="GEHEIM-STUURGROEP")
    ApplicationPartner.objects.filter(application=application).update(
        contact_name="GEHEIM-CONTACTPERSOON",
        contact_email="geheim-contact@example.be",
        contribution="GEHEIM-BIJDRAGE",
    )
    decide(call, manager)

    grant = Grant.objects.get(application=application)
    Grant.objects.filter(pk=grant.pk).update(iban=IBAN_GRANT, conditions="GEHEIM-VOORWAARDEN")
    Organisation.objects.filter(pk=grant.organisation_id).update(iban=IBAN_ORGANISATION)
    grant.refresh_from_db()
    partner = grant.application.partners.get(organisation=municipality(KORTRIJK))
    line = CostStatementLine(
        grant=grant,
        partner=partner,
        category="personnel",
        date=grant.start_date,
        description="GEHEIM-KOSTENSTAAT",
        amount=Decimal("1234.56"),
        created_by=lead_user,
        created_at=timezone.now(),
    )
    line.evidence.save("factuur.pdf", ContentFile(PDF), save=False)
    line.save()
    kpi = grant.application.kpis.get()
    ContentReport.objects.create(
        grant=grant,
        kind="interim",
        summary="GEHEIM-RAPPORT",
        kpi_values={str(kpi.pk): "7"},
        file=ContentFile(PDF, name="rapport.pdf"),
        submitted_by=lead_user,
        submitted_at=timezone.now(),
        status="accepted",
        checked_by=manager,
        checked_at=timezone.now(),
        note="GEHEIM-RAPPORTNOTITIE",
    )
    StopDecision.objects.create(
        grant=grant,
        reason="no_results",
        motivation="GEHEIM-STOPMOTIVATIE",
        decided_by=manager,
        decided_at=timezone.now(),
    )
    published = end_result(
        grant,
        lead_user,
        title="Publiek draaiboek",
        note="GEHEIM-NOTITIE-GEPUBLICEERD",
        decided_by=manager,
        decided_at=timezone.now(),
    )
    hidden = [
        end_result(
            grant,
            lead_user,
            status=PublicationStatus.REFUSED,
            title="GEHEIM-GEWEIGERD",
            note="GEHEIM-VLAIO-NOTITIE",
        ),
        end_result(
            grant,
            lead_user,
            status=PublicationStatus.REQUESTED,
            kind="model_specification",
            title="Bestek",
            description="GEHEIM-WACHTEND",
        ),
        end_result(
            grant,
            lead_user,
            status=PublicationStatus.DRAFT,
            kind="lessons",
            title="GEHEIM-CONCEPT",
            lessons_bad="GEHEIM-CONCEPT",
        ),
    ]
    leuven = municipality("24062")
    other = member_of(leuven, first_name="Lies", last_name="Peeters")
    ReuseInterest.objects.create(
        grant=grant,
        organisation=leuven,
        contact=other,
        message="GEHEIM-INTERESSEBERICHT",
        created_at=timezone.now(),
    )
    return {
        "grant": grant,
        "published": published,
        "hidden": hidden,
        "cost_line": line,
        "report": ContentReport.objects.get(grant=grant),
        "other": other,
    }


def _public_urls(grant) -> list[str]:
    return [
        reverse("register:list"),
        reverse("register:list") + "?q=parkeer",
        reverse("register:list") + f"?gemeente={grant.organisation.slug}&resultaten=on",
        reverse("register:project", args=[grant.reference]),
        reverse("register:export_csv"),
        reverse("register:export_json"),
        reverse("register:export_jsonld"),
        reverse("register:context"),
    ]


def _assert_clean(body: str, where: str):
    leaked = [marker for marker in MARKERS if marker.lower() in body.lower()]
    assert not leaked, f"{where} shows {leaked}"
    assert "score" not in body.lower(), f"{where} mentions a score"


def test_no_internal_text_reaches_a_public_page_or_export_R_SHARE(client, world):
    grant = world["grant"]
    for who in ("anonymous", "another municipality"):
        if who != "anonymous":
            client.force_login(world["other"])
        for url in _public_urls(grant):
            response = client.get(url)
            assert response.status_code == 200, url
            _assert_clean(response.content.decode("utf-8"), f"{url} ({who})")
    # What is public is there: the project, its published result and the accepted KPI value.
    page = client.get(reverse("register:project", args=[grant.reference])).text
    assert grant.application.title in page and "Publiek draaiboek" in page
    assert grant.application.kpis.get().name in page


def test_only_a_published_result_downloads_R_SHARE(client, world):
    def download(obj, field):
        model = obj._meta.model_name
        return client.get(reverse("core:download", args=["payments", model, obj.pk, field]))

    for who in ("anonymous", "another municipality"):
        if who != "anonymous":
            client.force_login(world["other"])
        assert download(world["published"], "file").status_code == 200
        for result in world["hidden"]:
            if result.file:
                assert download(result, "file").status_code == 404, (result.title, who)
        assert download(world["cost_line"], "evidence").status_code == 404
        assert download(world["report"], "file").status_code == 404


def test_the_open_data_record_holds_only_the_listed_fields_R_SHARE(client, world):
    grant = world["grant"]
    record = project_record(grant, lambda path: f"http://testserver{path}")
    assert set(record) == PUBLIC_RECORD_KEYS
    assert set(record["lead"]) == {"name", "slug", "type", "nis_code", "enterprise_number"}
    assert all(
        set(p) == {"name", "slug", "type", "nis_code", "enterprise_number", "role", "role_label"}
        for p in record["partners"]
    )
    assert [r["title"] for r in record["end_results"]] == ["Publiek draaiboek"]
    assert set(record["end_results"][0]) == {
        "kind",
        "kind_label",
        "title",
        "description",
        "lessons_good",
        "lessons_bad",
        "file_url",
        "published_on",
    }
    exported = json.loads(client.get(reverse("register:export_json")).content)
    assert [p["reference"] for p in exported["projects"]] == [grant.reference]
    assert set(exported["projects"][0]) == PUBLIC_RECORD_KEYS
