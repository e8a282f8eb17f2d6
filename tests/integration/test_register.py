"""The public register of funded projects, end results, reuse interest and open data (issue 9;
R-SHARE, R-THEME, R-KPI, R-OSLO).

Grants are opened the real way: scored applications, the frozen advice and the Government's
decision (scoring.services_ranking); end results and reports are written directly where the
test is about what the register shows, and through the services where it is about the flow.
"""

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
import rdflib
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from rdflib.namespace import DCTERMS, RDF, SKOS

from applications.models import Application
from cot_portal.accounts.models import Organisation
from payments import register_services as services
from payments import register_views
from payments.models import (
    ContentReport,
    EndResult,
    Grant,
    PublicationStatus,
    ReuseInterest,
)
from payments.register_opendata import CONTEXT_PATH, CSV_COLUMNS
from scoring import services_ranking
from tests.factories import member_of, municipality
from tests.factories_ranking import LEADS, on_jury, ranking_call, scored_application, uniform
from tests.factories_scoring import call_manager, juror

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% draaiboek voor andere gemeenten\n%%EOF\n"
KORTRIJK = "34022"  # the partner of every application of factories_ranking
SUBSIDIE = rdflib.Namespace("http://data.vlaanderen.be/ns/subsidie#")
TRANSACTIE = rdflib.Namespace("https://data.vlaanderen.be/ns/transactie#")
M8G = rdflib.Namespace("http://data.europa.eu/m8g/")
ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
SCHEMA = rdflib.Namespace("http://schema.org/")
ADMS = rdflib.Namespace("http://www.w3.org/ns/adms#")
XSD_DECIMAL = rdflib.URIRef("http://www.w3.org/2001/XMLSchema#decimal")
XSD_DATE = rdflib.URIRef("http://www.w3.org/2001/XMLSchema#date")


# --- building funded projects -------------------------------------------------------------------


def lead_codes(count: int) -> list[str]:
    """NIS codes of distinct lead municipalities (never the partner Kortrijk)."""
    codes = [code for code in LEADS if code != KORTRIJK]
    if count > len(codes):
        codes += list(
            Organisation.objects.filter(type="municipality")
            .exclude(nis_code__in=[*codes, KORTRIJK])
            .order_by("nis_code")
            .values_list("nis_code", flat=True)[: count - len(codes)]
        )
    return codes[:count]


def decide(call, manager):
    services_ranking.freeze_advice(call=call, manager=manager)
    return services_ranking.record_decision(
        call=call, decision_date=timezone.localdate(), decision_reference="VR 1", manager=manager
    )


def funded_projects(count=1, *, year=2030, manager=None, extra=None, decided=True):
    """`count` funded projects of one call (each € 800.000 awarded), through the decision.

    `extra(call, jurors)` may add applications that are not funded before the decision.
    Returns (grants in lead order, lead users, manager); with decided=False, the applications.
    """
    manager = manager or call_manager()
    jurors = [juror()]
    call = ranking_call(
        year=year,
        title=f"Oproep City of Things {year}",
        envelope=Decimal("1000000.00") * max(count, 1),
    )
    on_jury(call, manager, *jurors)
    applications, users = [], []
    for number, code in enumerate(lead_codes(count)):
        application, user = scored_application(call, code, jurors, uniform(9), minutes=number)
        applications.append(application)
        users.append(user)
    if extra:
        extra(call, jurors)
    if not decided:
        return applications, users, manager
    decide(call, manager)
    grants = [Grant.objects.get(application=a) for a in applications]
    return grants, users, manager


def set_application(grant, **values):
    Application.objects.filter(pk=grant.application_id).update(**values)
    grant.application.refresh_from_db()


def end_result(grant, user, *, status=PublicationStatus.PUBLISHED, kind="playbook", **values):
    result = EndResult(
        grant=grant,
        kind=kind,
        title=values.pop("title", "Draaiboek slim parkeren"),
        uploaded_by=user,
        uploaded_at=timezone.now(),
        status=status,
        right_of_use_acknowledged=status != PublicationStatus.DRAFT,
        **values,
    )
    if kind != "lessons":
        result.file.save("draaiboek.pdf", ContentFile(PDF), save=False)
    result.save()
    return result


def pdf_upload(name="draaiboek.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def t(text: str) -> str:
    """The Dutch text the portal shows for an English source string."""
    with translation.override("nl"):
        return gettext(text)


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.COT_REQUIRE_2FA = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Dozens of test people: a fast hasher (their passwords are never typed here).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- the list, search and filters ---------------------------------------------------------------


def test_the_register_is_public_and_shows_only_funded_projects_after_the_decision_R_SHARE(client):
    def not_funded(call, jurors):
        low, _user = scored_application(call, "12025", jurors, uniform(2), minutes=9)
        Application.objects.filter(pk=low.pk).update(title="Te zwak project")

    applications, _users, manager = funded_projects(1, extra=not_funded, decided=False)
    funded = applications[0]
    # Before the Government's decision nothing of the application is public.
    response = client.get(reverse("register:list"))
    assert response.status_code == 200
    assert funded.title not in response.text and response.context["count"] == 0
    assert client.get(f"/register/projecten/{funded.reference}/").status_code == 404

    decide(funded.call, manager)
    response = client.get(reverse("register:list"))
    assert response.status_code == 200 and response.context["count"] == 1
    assert funded.title in response.text and "Te zwak project" not in response.text
    grant = Grant.objects.get()
    assert client.get(reverse("register:project", args=[grant.reference])).status_code == 200
    rejected = Application.objects.get(title="Te zwak project")
    assert client.get(f"/register/projecten/{rejected.reference}/").status_code == 404
    # The register is in the site's navigation for everybody.
    home = client.get(reverse("accounts:login"))
    assert reverse("register:list") in home.text


def test_search_uses_dutch_full_text_and_the_filters_combine_R_SHARE_R_THEME(client):
    grants, users, manager = funded_projects(3)
    parking, air, water = grants
    set_application(
        parking,
        title="Slimme parkeersensoren in de binnenstad",
        summary="Vrije parkeerplaatsen in real time.",
        themes=["mobility"],
    )
    set_application(
        air,
        title="Luchtkwaliteit meten op schoolroutes",
        summary="Sensoren aan scholen.",
        themes=["environment", "people"],
    )
    set_application(
        water, title="Digitale tweeling van de waterlopen", summary="", themes=["environment"]
    )
    later, _users, _manager = funded_projects(1, year=2031, manager=manager)
    set_application(later[0], title="Parkeren voor deelwagens", themes=["mobility"])
    Grant.objects.filter(pk=water.pk).update(status="stopped")
    end_result(air, users[1])
    end_result(water, users[2], status=PublicationStatus.REQUESTED)  # not public: no filter hit

    def found(**params):
        response = client.get(reverse("register:list"), params)
        assert response.status_code == 200, response.context["form"].errors
        return {row["grant"].reference for row in response.context["rows"]}

    # Dutch stemming: "parkeersensor" finds "parkeersensoren"; the summary is searched too.
    assert found(q="parkeersensor") == {parking.reference}
    assert found(q="Vrije parkeerplaatsen") == {parking.reference}
    assert found(q=parking.organisation.name) >= {parking.reference}
    assert found(q=air.reference) == {air.reference}
    assert found(jaar="2031") == {later[0].reference}
    assert found(jaar="2030") == {parking.reference, air.reference, water.reference}
    assert found(thema="environment") == {air.reference, water.reference}
    assert found(thema="mobility", jaar="2030") == {parking.reference}
    assert found(gemeente=air.organisation.slug) == {air.reference}
    kortrijk = municipality(KORTRIJK)
    assert found(gemeente=kortrijk.slug) == {g.reference for g in [*grants, *later]}
    assert found(status="stopped") == {water.reference}
    assert found(status="active", jaar="2030") == {parking.reference, air.reference}
    assert found(resultaten="on") == {air.reference}
    assert found(q="sensoren", thema="environment") == {air.reference}
    # The labels of the themes come from the application's Theme choices (R-THEME).
    page = client.get(reverse("register:list"), {"thema": "environment"}).text
    assert t("Smart environment (leefomgeving)") in page


def test_a_bad_filter_says_what_is_wrong_and_keeps_the_rest_R_SHARE(client):
    grants, _users, _manager = funded_projects(1)
    response = client.get(reverse("register:list"), {"jaar": "1999", "q": "parkeer"})
    assert response.status_code == 400
    assert response.context["form"].errors["jaar"]
    assert 'value="parkeer"' in response.text  # what was typed stays
    response = client.get(reverse("register:list"), {"status": "lost", "thema": "nonsense"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"status", "thema"}
    assert response.context["count"] == 1


def test_the_list_is_paginated_R_SHARE(client, monkeypatch):
    grants, _users, _manager = funded_projects(3)
    monkeypatch.setattr(register_views, "PAGE_SIZE", 2)
    first = client.get(reverse("register:list"), {"jaar": "2030"})
    assert len(first.context["rows"]) == 2 and first.context["page"].paginator.num_pages == 2
    assert "jaar=2030&amp;pagina=2" in first.text
    second = client.get(reverse("register:list"), {"jaar": "2030", "pagina": "2"})
    seen = {r["grant"].reference for r in first.context["rows"]} | {
        r["grant"].reference for r in second.context["rows"]
    }
    assert seen == {g.reference for g in grants}


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("register:list"))
    assert response.status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_2_and_20_projects_R_SHARE(client):
    grants, users, manager = funded_projects(2)
    for grant, user in zip(grants, users, strict=True):
        end_result(grant, user)
    small = _list_queries(client)
    assert client.get(reverse("register:list")).context["count"] == 2
    more, more_users, _manager = funded_projects(18, year=2031, manager=manager)
    for grant, user in zip(more, more_users, strict=True):
        end_result(grant, user)
    response = client.get(reverse("register:list"))
    assert response.context["count"] == 20 and len(response.context["rows"]) == 20
    assert _list_queries(client) == small
    # The exports too: their query count does not grow with the projects.
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("register:export_jsonld"))
    assert len(queries) <= small + 4


# --- a project's page ---------------------------------------------------------------------------


def test_the_project_page_shows_the_public_facts_and_the_latest_accepted_kpi_R_KPI(client):
    grants, users, _manager = funded_projects(1)
    grant, lead_user = grants[0], users[0]
    set_application(grant, themes=["mobility", "governance"])
    url = reverse("register:project", args=[grant.reference])
    kpi = grant.application.kpis.get()

    page = client.get(url).text
    assert grant.application.title in page and grant.organisation.name in page
    assert "Kortrijk" in page and t("Smart mobility") in page and t("Smart governance") in page
    assert "800.000,00" in page  # the awarded amount, Belgian notation
    assert grant.start_date.strftime("%d/%m/%Y") in page
    assert kpi.name in page and "minuten" in page
    assert t("not reported yet") in page

    def report(value, status, minutes):
        ContentReport.objects.create(
            grant=grant,
            kind="interim",
            summary="Tussentijds",
            kpi_values={str(kpi.pk): value},
            file=ContentFile(PDF, name="rapport.pdf"),
            submitted_by=lead_user,
            submitted_at=timezone.now() - timedelta(minutes=minutes),
            status=status,
        )

    report("9.5", "accepted", 30)
    report("8.25", "accepted", 20)
    report("1", "submitted", 10)  # newer, but not accepted: not public
    response = client.get(url)
    rows = response.context["kpis"]
    assert [r.latest for r in rows] == [Decimal("8.25")]
    assert "8,25" in response.text and t("not reported yet") not in response.text


def test_published_results_are_public_with_their_file_the_others_are_not_R_SHARE(client):
    grants, users, _manager = funded_projects(1)
    grant, lead_user = grants[0], users[0]
    playbook = end_result(
        grant, lead_user, title="Draaiboek sensoren", description="Stap voor stap."
    )
    lessons = end_result(
        grant,
        lead_user,
        kind="lessons",
        title="Lessen",
        lessons_good="De raamovereenkomst werkte.",
        lessons_bad="De dataset kwam te laat.",
    )
    waiting = end_result(grant, lead_user, status=PublicationStatus.REQUESTED, title="Bestek")
    page = client.get(reverse("register:project", args=[grant.reference])).text
    assert "Draaiboek sensoren" in page and "Stap voor stap." in page
    assert "De raamovereenkomst werkte." in page and "De dataset kwam te laat." in page
    assert "Bestek" not in page and lessons.title in page
    download = reverse("core:download", args=["payments", "endresult", playbook.pk, "file"])
    assert download in page
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    hidden = reverse("core:download", args=["payments", "endresult", waiting.pk, "file"])
    assert client.get(hidden).status_code == 404


# --- the lead's end results and the call manager's decision -------------------------------------


def test_the_lead_uploads_and_offers_results_with_the_right_of_use_R_SHARE(client):
    grants, users, _manager = funded_projects(1)
    grant, lead_user = grants[0], users[0]
    url = reverse("register:end_results", args=[grant.reference])
    assert client.get(url).status_code == 404  # anonymous
    partner_user = member_of(municipality(KORTRIJK))
    client.force_login(partner_user)
    assert client.get(url).status_code == 404  # a partner reads, the lead manages
    client.force_login(lead_user)
    assert client.get(url).status_code == 200

    # Offered without acknowledging the right of use: refused, nothing typed is lost.
    response = client.post(
        url,
        {
            "kind": "playbook",
            "title": "Draaiboek",
            "description": "Zo doe je het.",
            "offer": "on",
            "file": pdf_upload(),
        },
    )
    assert response.status_code == 400
    assert "Zo doe je het." in response.text
    assert response.context["form"].errors["acknowledged"]
    assert not EndResult.objects.exists()
    # A file that is not what it says.
    response = client.post(
        url, {"kind": "playbook", "title": "Draaiboek", "file": pdf_upload(content=b"MZ nope")}
    )
    assert response.status_code == 400 and response.context["form"].errors["file"]
    # A playbook needs its file; lessons learned need their text.
    response = client.post(url, {"kind": "playbook", "title": "Draaiboek"})
    assert response.status_code == 400 and response.context["form"].errors["file"]
    response = client.post(url, {"kind": "lessons", "title": "Lessen"})
    assert response.status_code == 400 and response.context["form"].errors["lessons_good"]

    response = client.post(
        url,
        {
            "kind": "playbook",
            "title": "Draaiboek",
            "offer": "on",
            "acknowledged": "on",
            "file": pdf_upload(),
        },
    )
    assert response.status_code == 302
    playbook = EndResult.objects.get(kind="playbook")
    assert playbook.status == "requested" and playbook.right_of_use_acknowledged
    assert playbook.file.name.endswith(".pdf") and playbook.uploaded_by == lead_user
    response = client.post(
        url, {"kind": "lessons", "title": "Lessen", "lessons_bad": "Te laat gestart."}
    )
    assert response.status_code == 302
    lessons = EndResult.objects.get(kind="lessons")
    assert lessons.status == "draft" and not lessons.file

    offer = reverse("register:offer_result", args=[grant.reference, lessons.pk])
    response = client.post(offer, {})
    assert response.status_code == 400
    row = next(r for r in response.context["rows"] if r["result"] == lessons)
    assert row["offer_form"].errors["acknowledged"]
    assert client.post(offer, {f"r{lessons.pk}-acknowledged": "on"}).status_code == 302
    lessons.refresh_from_db()
    assert lessons.status == "requested" and lessons.right_of_use_acknowledged
    # Once offered, it cannot be offered or removed again by the lead.
    remove = reverse("register:remove_result", args=[grant.reference, lessons.pk])
    assert client.post(remove).status_code == 404
    # The database refuses an offered result without the acknowledgement.
    with pytest.raises(IntegrityError), transaction.atomic():
        EndResult.objects.filter(pk=lessons.pk).update(right_of_use_acknowledged=False)


def test_the_call_manager_publishes_or_refuses_with_a_note_R_SHARE(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    grants, users, manager = funded_projects(1)
    grant, lead_user = grants[0], users[0]
    playbook = end_result(grant, lead_user, status=PublicationStatus.REQUESTED, title="Draaiboek")
    spec = end_result(
        grant,
        lead_user,
        status=PublicationStatus.REQUESTED,
        kind="model_specification",
        title="Bestek",
    )
    public = reverse("register:project", args=[grant.reference])
    review = reverse("register:review")
    client.force_login(lead_user)
    assert client.get(review).status_code == 404
    client.force_login(manager)
    page = client.get(review)
    assert page.status_code == 200 and "Draaiboek" in page.text and "Bestek" in page.text

    decide_url = reverse("register:decide", args=[spec.pk])
    response = client.post(decide_url, {"action": "refuse", f"r{spec.pk}-note": ""})
    assert response.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            decide_url,
            {"action": "refuse", f"r{spec.pk}-note": "Er staan prijzen van de leverancier in."},
        )
    assert response.status_code == 302
    spec.refresh_from_db()
    assert spec.status == "refused" and spec.decided_by == manager
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("register:decide", args=[playbook.pk]), {"action": "publish"})
    playbook.refresh_from_db()
    assert playbook.status == "published" and playbook.decided_at is not None
    assert len(mailoutbox) == 2 and lead_user.email in mailoutbox[0].to

    client.logout()
    page = client.get(public).text
    assert "Draaiboek" in page and "Bestek" not in page
    assert "prijzen van de leverancier" not in page
    client.force_login(lead_user)
    own = client.get(reverse("register:end_results", args=[grant.reference])).text
    assert "Er staan prijzen van de leverancier in." in own
    # The lead may correct and offer the refused result again.
    offer = reverse("register:offer_result", args=[grant.reference, spec.pk])
    assert client.post(offer, {f"r{spec.pk}-acknowledged": "on"}).status_code == 302
    spec.refresh_from_db()
    assert spec.status == "requested"


def test_a_manager_who_is_a_member_of_the_project_cannot_decide_R_SHARE(client):
    grants, users, manager = funded_projects(1)
    grant = grants[0]
    result = end_result(grant, users[0], status=PublicationStatus.REQUESTED)
    from cot_portal.accounts.models import Membership

    Membership.objects.create(user=manager, organisation=municipality(KORTRIJK))
    client.force_login(manager)
    assert "Draaiboek" not in client.get(reverse("register:review")).text
    response = client.post(reverse("register:decide", args=[result.pk]), {"action": "publish"})
    assert response.status_code == 404
    result.refresh_from_db()
    assert result.status == "requested"


# --- "wij willen dit ook" ----------------------------------------------------------------------


def test_another_municipality_registers_its_interest_once_and_the_lead_sees_it_R_SHARE(client):
    grants, users, _manager = funded_projects(1)
    grant, lead_user = grants[0], users[0]
    page_url = reverse("register:project", args=[grant.reference])
    post_url = reverse("register:interest", args=[grant.reference])
    leuven = municipality("24062")
    other = member_of(leuven, first_name="Lies", last_name="Peeters")

    anonymous = client.get(page_url)
    assert (
        anonymous.context.get("interest_form") is None
        and reverse("accounts:login") in anonymous.text
    )
    assert client.post(post_url, {"organisation": leuven.pk}).status_code == 404

    for insider in (lead_user, member_of(municipality(KORTRIJK))):
        client.force_login(insider)
        assert client.get(page_url).context.get("interest_form") is None
        assert client.post(post_url, {"organisation": leuven.pk}).status_code == 404

    client.force_login(other)
    assert client.get(page_url).context["interest_form"] is not None
    response = client.post(
        post_url,
        {"organisation": leuven.pk, "message": "Wij willen aansluiten bij het raamcontract."},
    )
    assert response.status_code == 302
    interest = ReuseInterest.objects.get()
    assert interest.organisation == leuven and interest.contact == other
    page = client.get(page_url)
    assert page.context["interest_form"] is None and page.context["registered_interests"] == [
        interest
    ]
    # One per organisation: a colleague cannot add a second one.
    colleague = member_of(leuven)
    client.force_login(colleague)
    response = client.post(post_url, {"organisation": leuven.pk})
    assert response.status_code == 400
    assert response.context["interest_form"].errors["organisation"] == [
        t("%(organisation)s already registered its interest in this project.")
        % {"organisation": leuven.name}
    ]
    with pytest.raises(services.RegisterError):
        services.register_reuse_interest(grant, organisation=leuven, user=colleague)
    assert ReuseInterest.objects.count() == 1

    client.force_login(lead_user)
    own = client.get(reverse("register:end_results", args=[grant.reference])).text
    assert "Leuven" in own and other.email in own and "raamcontract" in own


# --- open data ---------------------------------------------------------------------------------


def _open_data_world():
    grants, users, _manager = funded_projects(2)
    set_application(grants[0], themes=["mobility"], title="Slimme parkeersensoren")
    set_application(grants[1], themes=["governance"])
    end_result(grants[0], users[0])
    end_result(grants[1], users[1], status=PublicationStatus.REFUSED, note="Intern")
    return grants


def test_the_csv_has_one_row_per_funded_project_R_SHARE(client):
    grants = _open_data_world()
    response = client.get(reverse("register:export_csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert [list(rows[0])] == [CSV_COLUMNS]
    assert sorted(r["reference"] for r in rows) == sorted(g.reference for g in grants)
    first = next(r for r in rows if r["reference"] == grants[0].reference)
    assert first["title"] == "Slimme parkeersensoren" and first["themes"] == "mobility"
    assert first["awarded"] == "800000.00" and first["published_results"] == "1"
    assert "Kortrijk" in first["partners"] and first["result_files"].startswith(
        "http://testserver/"
    )
    filtered = client.get(reverse("register:export_csv"), {"thema": "mobility"})
    assert len(list(csv.DictReader(io.StringIO(filtered.content.decode())))) == 1


def test_a_title_that_looks_like_a_formula_stays_text_in_the_csv_R_SHARE(client):
    """Spreadsheets read a cell starting with "=" as a formula (CSV injection): the export
    carries it as text, with the apostrophe spreadsheets show as text."""
    grants = _open_data_world()
    set_application(grants[0], title='=HYPERLINK("http://example.com","Klik")')
    response = client.get(reverse("register:export_csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    first = next(r for r in rows if r["reference"] == grants[0].reference)
    assert first["title"] == '\'=HYPERLINK("http://example.com","Klik")'
    assert first["awarded"] == "800000.00"  # numbers are untouched


def test_the_json_is_valid_and_holds_the_public_record_R_SHARE(client):
    grants = _open_data_world()
    document = json.loads(client.get(reverse("register:export_json")).content)
    assert document["count"] == 2 and len(document["projects"]) == 2
    project = next(p for p in document["projects"] if p["reference"] == grants[0].reference)
    assert project["awarded"] == "800000.00" and project["currency"] == "EUR"
    assert project["themes"] == [{"code": "mobility", "label": t("Smart mobility")}]
    assert project["kpis"][0]["latest_value"] is None and project["kpis"][0]["unit"] == "minuten"
    assert [r["kind"] for r in project["end_results"]] == ["playbook"]
    assert project["partners"][0]["role"] == "deelnemer"
    other = next(p for p in document["projects"] if p["reference"] == grants[1].reference)
    assert other["end_results"] == []


def _graph(body: bytes) -> rdflib.Graph:
    return rdflib.Graph().parse(data=body.decode("utf-8"), format="json-ld")


def test_the_json_ld_follows_oslo_and_parses_without_the_network_R_OSLO(client):
    grants = _open_data_world()
    response = client.get(reverse("register:export_jsonld"))
    assert response["Content-Type"].startswith("application/ld+json")
    document = json.loads(response.content)
    assert isinstance(document["@context"], dict)  # inline: nothing to fetch
    graph = _graph(response.content)
    grant = grants[0]
    project = rdflib.URIRef(f"http://testserver/register/projecten/{grant.reference}/")
    assert (project, RDF.type, SUBSIDIE.SubsidiemaatregelConsumptie) in graph
    assert (project, RDF.type, SCHEMA.MonetaryGrant) in graph
    assert (project, DCTERMS.identifier, rdflib.Literal(grant.reference)) in graph
    assert (project, DCTERMS.title, rdflib.Literal("Slimme parkeersensoren", lang="nl")) in graph
    call = rdflib.URIRef("http://testserver/register/oproepen/2030/")
    assert (project, TRANSACTIE.isInstantieVan, call) in graph
    assert (call, RDF.type, SUBSIDIE.SubsidiemaatregelAanbod) in graph
    amount = graph.value(project, SCHEMA.amount)
    assert graph.value(amount, SCHEMA.value) == rdflib.Literal("800000.00", datatype=XSD_DECIMAL)
    assert graph.value(amount, SCHEMA.currency) == rdflib.Literal("EUR")
    # The lead plays the coordinator's role in a participation of the project (OSLO Organisatie).
    lead = rdflib.URIRef(f"http://testserver/register/organisaties/{grant.organisation.slug}/")
    assert (lead, RDF.type, ORG.Organization) in graph
    assert (lead, SKOS.prefLabel, rdflib.Literal(grant.organisation.name)) in graph
    roles = {}
    for participation in graph.objects(project, M8G.hasParticipation):
        for organisation in graph.subjects(M8G.playsRole, participation):
            roles[organisation] = str(
                graph.value(graph.value(participation, M8G.role), SKOS.notation)
            )
    kortrijk = municipality(KORTRIJK)
    assert roles == {
        lead: "coordinator",
        rdflib.URIRef(f"http://testserver/register/organisaties/{kortrijk.slug}/"): "deelnemer",
    }
    identifiers = {str(graph.value(i, SKOS.notation)) for i in graph.objects(lead, ADMS.identifier)}
    assert grant.organisation.nis_code in identifiers
    themes = {str(graph.value(t, SKOS.notation)) for t in graph.objects(project, DCTERMS.subject)}
    assert themes == {"mobility"}
    period = graph.value(project, DCTERMS.temporal)
    start = graph.value(period, rdflib.URIRef("http://www.w3.org/ns/dcat#startDate"))
    assert start == rdflib.Literal(grant.start_date.isoformat(), datatype=XSD_DATE)
    works = list(graph.objects(project, SCHEMA.subjectOf))
    assert len(works) == 1
    assert graph.value(works[0], rdflib.URIRef("http://www.w3.org/ns/dcat#downloadURL")) is not None
    other = rdflib.URIRef(f"http://testserver/register/projecten/{grants[1].reference}/")
    assert list(graph.objects(other, SCHEMA.subjectOf)) == []  # the refused result is not public
    # The organisation's and the call's identifiers resolve to their projects in the register.
    assert client.get(str(lead).replace("http://testserver", "")).status_code == 302
    assert client.get("/register/organisaties/nergens/").status_code == 404


def test_the_context_is_a_static_documented_file_that_parses_on_its_own_R_OSLO(client):
    response = client.get(reverse("register:context"))
    assert response.status_code == 200
    assert json.loads(response.content) == json.loads(CONTEXT_PATH.read_text())
    # The data with the context loaded from the local file gives the same triples.
    _open_data_world()
    exported = json.loads(client.get(reverse("register:export_jsonld")).content)
    local = {
        "@context": json.loads(CONTEXT_PATH.read_text())["@context"],
        "@graph": exported["@graph"],
    }
    assert (
        rdflib.Graph()
        .parse(data=json.dumps(local), format="json-ld")
        .isomorphic(_graph(json.dumps(exported).encode()))
    )
