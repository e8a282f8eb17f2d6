"""The cost model section (R-BUDGET, R-RATE, R-MAX, R-OWN, R-BAL, R-ROLE): lines per partner,
live checks, who may change which line, and the Excel round trip."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from applications.models import Application, ApplicationPartner, CostLine, Idea
from applications.rules import latest_end
from applications.services import budget as services
from applications.services.application import ApplicationError, start_application
from cot_portal.accounts.models import Organisation
from tests.factories import IdeaFactory, idea_partner, member_of, municipality, open_call

pytestmark = pytest.mark.django_db

GENT, KORTRIJK, ANTWERPEN = "44021", "34022", "11002"


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.COT_REQUIRE_2FA = False


def make_application(duration=36, call=None):
    """Gent leads, Kortrijk participates; returns (application, lead user)."""
    call = call or open_call()
    lead = municipality(GENT)
    user = member_of(lead)
    idea = IdeaFactory(call=call, organisation=lead, created_by=user)
    idea_partner(idea, municipality(KORTRIJK))
    Idea.objects.filter(pk=idea.pk).update(status="shortlisted")
    idea.refresh_from_db()
    application = start_application(idea, user=user)
    start = timezone.localdate(call.application_deadline) + timedelta(days=1)
    Application.objects.filter(pk=application.pk).update(
        start_date=start, end_date=latest_end(start, duration) if duration else None
    )
    application.refresh_from_db()
    return application, user


@pytest.fixture
def app_and_lead():
    return make_application()


def partner_of(application, nis):
    return application.partners.get(organisation__nis_code=nis)


def url(application, name="applications:application_budget", **kwargs):
    return reverse(name, kwargs={"year": application.call.year, "slug": application.slug, **kwargs})


def line(application, nis, amount, category="personnel", year=1, description="Projectleider"):
    return CostLine.objects.create(
        application=application,
        partner=partner_of(application, nis),
        category=category,
        year=year,
        description=description,
        amount=Decimal(amount),
    )


def line_post(partner, amount="1.234,56", **changes):
    data = {
        "line-partner": partner.pk,
        "line-category": "personnel",
        "line-year": 1,
        "line-description": "Projectleider",
        "line-amount": amount,
    }
    data.update({f"line-{k}": v for k, v in changes.items()})
    return data


# --- the page and the lines -------------------------------------------------------------------


def test_the_lead_adds_lines_and_the_page_shows_them_per_partner_and_category(client, app_and_lead):
    application, lead = app_and_lead
    client.force_login(lead)
    gent, kortrijk = partner_of(application, GENT), partner_of(application, KORTRIJK)

    response = client.post(
        url(application, "applications:application_budget_line_add"), line_post(gent)
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#partner-{gent.pk}")
    client.post(
        url(application, "applications:application_budget_line_add"),
        line_post(kortrijk, "100.000", category="external", year=3, description="Begeleiding"),
    )
    assert sorted(CostLine.objects.values_list("partner__organisation__nis_code", "amount")) == [
        (KORTRIJK, Decimal("100000.00")),
        (GENT, Decimal("1234.56")),
    ]
    added = CostLine.objects.get(partner=gent)
    assert added.history.first().history_type == "+"
    assert added.history.first().history_change_reason.startswith("budget: line added")
    application.refresh_from_db()
    assert application.section_version("budget") == 2

    page = client.get(url(application)).content.decode()
    assert "€ 1.234,56" in page
    assert "€ 100.000,00" in page
    assert "€ 101.234,56" in page  # total cost
    assert 'scope="rowgroup"' in page and "<caption" in page
    assert 'aria-live="polite"' in page
    assert "<script" not in page.split('id="budget-summary"')[1]  # no inline scripts
    assert 'style="' not in page


def test_a_line_form_with_errors_adds_nothing_and_says_why(client, app_and_lead):
    application, lead = app_and_lead
    client.force_login(lead)
    gent = partner_of(application, GENT)
    for bad in (line_post(gent, "veel"), line_post(gent, "-5"), line_post(gent, year=4)):
        response = client.post(url(application, "applications:application_budget_line_add"), bad)
        assert response.status_code == 200
        assert 'class="invalid-feedback"' in response.content.decode() or "is-invalid" in (
            response.content.decode()
        )
    assert not CostLine.objects.exists()


def test_the_lead_changes_and_removes_any_line(client, app_and_lead):
    application, lead = app_and_lead
    theirs = line(application, KORTRIJK, "500.00")
    client.force_login(lead)
    edit = url(application, "applications:application_budget_line_edit", pk=theirs.pk)
    assert client.get(edit).status_code == 200
    version = Application.objects.get(pk=application.pk).section_version("budget")
    data = {**line_post(partner_of(application, KORTRIJK), "750,00"), "version": version}
    assert client.post(edit, data).status_code == 302
    theirs.refresh_from_db()
    assert theirs.amount == Decimal("750.00")
    assert theirs.history.first().history_type == "~"

    delete = url(application, "applications:application_budget_line_delete", pk=theirs.pk)
    assert client.post(delete).status_code == 302
    assert not CostLine.objects.filter(pk=theirs.pk).exists()


def test_a_stale_edit_keeps_what_was_typed_and_saves_nothing(client, app_and_lead):
    application, lead = app_and_lead
    mine = line(application, GENT, "500.00")
    client.force_login(lead)
    version = Application.objects.get(pk=application.pk).section_version("budget")
    services.add_line(
        application,
        partner=partner_of(application, KORTRIJK),
        category="other",
        year=1,
        description="Een collega",
        amount=Decimal("1.00"),
    )
    edit = url(application, "applications:application_budget_line_edit", pk=mine.pk)
    response = client.post(
        edit, {**line_post(partner_of(application, GENT), "999,00"), "version": version}
    )
    assert response.status_code == 200
    assert 'value="999,00"' in response.content.decode()
    mine.refresh_from_db()
    assert mine.amount == Decimal("500.00")


def test_a_partner_contact_changes_only_the_lines_of_its_own_organisation(client, app_and_lead):
    application, lead = app_and_lead
    contact = member_of(municipality(KORTRIJK))
    leads_line = line(application, GENT, "500.00")
    client.force_login(contact)
    kortrijk, gent = partner_of(application, KORTRIJK), partner_of(application, GENT)

    page = client.get(url(application))
    assert page.status_code == 200
    assert f'value="{gent.pk}"' not in page.content.decode().split('id="budget-line-form"')[1]

    add = url(application, "applications:application_budget_line_add")
    assert client.post(add, line_post(kortrijk, "2.500,00")).status_code == 302
    own = CostLine.objects.get(partner=kortrijk)
    assert own.amount == Decimal("2500.00")
    assert client.post(add, line_post(gent, "1,00")).status_code == 404

    for name in (
        "applications:application_budget_line_edit",
        "applications:application_budget_line_delete",
    ):
        assert (
            client.post(url(application, name, pk=leads_line.pk), line_post(gent)).status_code
            == 404
        )
    assert (
        client.get(
            url(application, "applications:application_budget_line_edit", pk=leads_line.pk)
        ).status_code
        == 404
    )
    leads_line.refresh_from_db()
    assert leads_line.amount == Decimal("500.00")

    edit = url(application, "applications:application_budget_line_edit", pk=own.pk)
    version = Application.objects.get(pk=application.pk).section_version("budget")
    assert (
        client.post(edit, {**line_post(kortrijk, "3.000,00"), "version": version}).status_code
        == 302
    )
    own.refresh_from_db()
    assert own.amount == Decimal("3000.00")
    # neither the financing nor a workbook
    assert client.post(url(application), {"requested_support": "1,00"}).status_code == 404
    assert client.get(url(application, "applications:application_budget_upload")).status_code == 404
    assert (
        client.post(
            url(application, "applications:application_budget_line_delete", pk=own.pk)
        ).status_code
        == 302
    )
    assert not CostLine.objects.filter(pk=own.pk).exists()


def test_strangers_see_nothing(client, app_and_lead):
    application, _lead = app_and_lead
    names = [
        ("applications:application_budget", {}),
        ("applications:application_budget_download", {}),
        ("applications:application_budget_upload", {}),
    ]
    for name, kwargs in names:
        response = client.get(url(application, name, **kwargs))
        assert response.status_code == 404  # an anonymous visitor does not learn it exists
        assert resolve_url(settings.LOGIN_URL) in response.content.decode()  # but may log in
    client.force_login(member_of(municipality(ANTWERPEN)))
    for name, kwargs in names:
        assert client.get(url(application, name, **kwargs)).status_code == 404
    check = url(application, "applications:application_budget_check")
    assert client.post(check, {"requested_support": "1"}).status_code == 404
    add = url(application, "applications:application_budget_line_add")
    assert client.post(add, line_post(partner_of(application, GENT))).status_code == 404
    assert not CostLine.objects.exists()


def test_after_submission_nobody_changes_the_cost_model(client, app_and_lead):
    application, lead = app_and_lead
    existing = line(application, GENT, "500.00")
    Application.objects.filter(pk=application.pk).update(status="submitted")
    client.force_login(lead)
    page = client.get(url(application))
    assert page.status_code == 200
    assert 'id="budget-line-form"' not in page.content.decode()
    assert "hx-post" not in page.content.decode().split('id="budget-live"')[1].split(">")[0]
    gent = partner_of(application, GENT)
    assert (
        client.post(
            url(application, "applications:application_budget_line_add"), line_post(gent)
        ).status_code
        == 404
    )
    for name in (
        "applications:application_budget_line_edit",
        "applications:application_budget_line_delete",
    ):
        assert (
            client.post(url(application, name, pk=existing.pk), line_post(gent)).status_code == 404
        )
    assert client.get(url(application, "applications:application_budget_upload")).status_code == 404
    assert client.post(url(application), {"requested_support": "1,00"}).status_code == 404
    assert (
        client.get(url(application, "applications:application_budget_download")).status_code == 200
    )
    with pytest.raises(ApplicationError):
        services.add_line(
            application, partner=gent, category="other", year=1, description="x", amount=Decimal(1)
        )
    assert list(CostLine.objects.values_list("pk", flat=True)) == [existing.pk]


# --- financing and live checks -----------------------------------------------------------------


def test_the_financing_form_saves_without_javascript(client, app_and_lead):
    application, lead = app_and_lead
    client.force_login(lead)
    response = client.post(
        url(application),
        {
            "version": 0,
            "requested_support": "800.000,00",
            "own_contribution": "200.000,00",
            "project_income": "0",
            "other_financing": "0",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.requested_support == Decimal("800000.00")
    assert application.own_contribution == Decimal("200000.00")

    # an emptied amount is € 0,00, never an error page
    version = application.section_version("budget")
    data = {
        "version": version,
        "requested_support": "",
        "own_contribution": "",
        "project_income": "",
        "other_financing": "",
    }
    assert client.post(url(application), data).status_code == 302
    application.refresh_from_db()
    assert application.requested_support is None
    assert application.own_contribution == Decimal("0.00")


def test_the_live_check_uses_what_is_typed_without_saving_it(client, app_and_lead):
    application, lead = app_and_lead
    line(application, GENT, "1500000.00")
    line(application, KORTRIJK, "500000.00")
    client.force_login(lead)
    check = url(application, "applications:application_budget_check")
    response = client.post(
        check,
        {"requested_support": "1.650.000,00", "own_contribution": "350.000,00"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "€ 1.650.000,00" in html and "€ 1.600.000,00" in html
    assert "meer dan 80%" in html or "more than 80%" in html
    assert 'data-rule="R-RATE" data-ok="false"' in html
    assert 'data-rule="R-BAL" data-ok="true"' in html
    assert "€ 2.000.000,00" in html  # total cost and the cap
    assert "<html" not in html  # a fragment
    application.refresh_from_db()
    assert application.requested_support is None  # nothing saved

    # within the maximum, and a line being typed counts in the totals
    response = client.post(
        check,
        {
            "requested_support": "1.600.000,00",
            "own_contribution": "400.000,00",
            **line_post(partner_of(application, GENT), "100.000,00"),
        },
    )
    html = response.content.decode()
    assert 'data-rule="R-RATE" data-ok="false"' not in html
    assert "€ 2.100.000,00" in html  # the total with the typed line
    assert "€ 1.680.000,00" in html  # 80% of it
    assert 'data-rule="R-BAL" data-ok="false"' in html
    assert CostLine.objects.count() == 2


def test_the_partner_contacts_live_check_uses_the_saved_financing(client, app_and_lead):
    application, _lead = app_and_lead
    line(application, GENT, "1000.00")
    Application.objects.filter(pk=application.pk).update(requested_support=Decimal("900.00"))
    client.force_login(member_of(municipality(KORTRIJK)))
    response = client.post(
        url(application, "applications:application_budget_check"),
        {"requested_support": "1,00", **line_post(partner_of(application, KORTRIJK), "0")},
    )
    html = response.content.decode()
    assert "€ 900,00" in html  # what was typed in a form they cannot save is ignored
    assert 'data-rule="R-RATE" data-ok="false"' in html
    page = client.get(url(application)).content.decode()
    assert "€ 900,00" in page.split('id="financing"')[1]  # read-only, in Belgian notation


def test_the_page_shows_the_maximum_support_and_role_warnings(client, app_and_lead):
    application, lead = app_and_lead
    line(application, GENT, "100000.00")
    line(application, KORTRIJK, "200000.00")  # a deelnemer above the coordinator
    client.force_login(lead)
    html = client.get(url(application)).content.decode()
    assert "€ 240.000,00" in html  # max support: 80% of € 300.000,00
    assert "R-ROLE" in html


# --- the Excel round trip ----------------------------------------------------------------------


def download(client, application) -> bytes:
    response = client.get(url(application, "applications:application_budget_download"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "kostenmodel-" in response["Content-Disposition"]
    return response.content


def upload(client, application, content: bytes, name="kostenmodel.xlsx"):
    return client.post(
        url(application, "applications:application_budget_upload"),
        {"file": SimpleUploadedFile(name, content)},
    )


def changed_workbook(content: bytes, change) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    change(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_download_change_in_excel_and_upload_replaces_the_lines(client, app_and_lead):
    application, lead = app_and_lead
    kept = line(application, GENT, "1000.00", description="Projectleider")
    dropped = line(application, KORTRIJK, "500.00", description="Analist")
    client.force_login(lead)
    content = download(client, application)
    kortrijk = partner_of(application, KORTRIJK).organisation.name

    def change(workbook):
        sheet = workbook["Kostenmodel"]
        assert sheet["D3"].value == "Analist"
        assert sheet["A3"].value == kortrijk
        sheet["E3"] = 750.25  # Kortrijk's line changes
        sheet.append([kortrijk, "Investeringen", 2, "Sensoren", 12000])
        money = workbook["Financiering"]
        money["B2"] = 10200
        money["B3"] = 3550.25

    response = upload(client, application, changed_workbook(content, change))
    assert response.status_code == 302
    lines = sorted(
        CostLine.objects.values_list(
            "partner__organisation__nis_code", "category", "year", "description", "amount"
        )
    )
    assert lines == [
        (KORTRIJK, "investment", 2, "Sensoren", Decimal("12000.00")),
        (KORTRIJK, "personnel", 1, "Analist", Decimal("750.25")),
        (GENT, "personnel", 1, "Projectleider", Decimal("1000.00")),
    ]
    assert CostLine.objects.filter(pk=kept.pk).exists()  # unchanged lines stay as they were
    assert not CostLine.objects.filter(pk=dropped.pk).exists()
    application.refresh_from_db()
    assert application.requested_support == Decimal("10200.00")
    assert application.own_contribution == Decimal("3550.25")
    reason = "budget: replaced from kostenmodel.xlsx"
    assert application.history.first().history_change_reason == reason
    assert CostLine.history.filter(history_change_reason=reason, history_type="-").count() == 1
    added = CostLine.history.filter(history_change_reason=reason, history_type="+")
    assert added.count() == 2 and all(h.history_user_id == lead.pk for h in added)
    # and back again: the download now holds the new lines
    again = load_workbook(io.BytesIO(download(client, application)))["Kostenmodel"]
    assert again.max_row == 4


def test_one_bad_cell_changes_nothing_and_every_error_is_listed(client, app_and_lead):
    application, lead = app_and_lead
    line(application, GENT, "1000.00")
    line(application, KORTRIJK, "500.00")
    Application.objects.filter(pk=application.pk).update(requested_support=Decimal("1.00"))
    client.force_login(lead)
    content = download(client, application)

    def change(workbook):
        sheet = workbook["Kostenmodel"]
        sheet["E2"] = 2000  # a valid change, which must not be saved either
        sheet["E3"] = "vijfhonderd"
        sheet.append(["Stad Brugge", "Personeel", 1, "Wie?", 1])
        sheet.append([sheet["A2"].value, "Personeel", 1, "Formule", "=E2*2"])
        workbook["Financiering"]["B2"] = 999

    before = sorted(CostLine.objects.values_list("pk", "amount"))
    response = upload(client, application, changed_workbook(content, change))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kostenmodel!E3" in html
    assert "Kostenmodel!A4" in html
    assert "Kostenmodel!E5" in html
    assert 'id="cell-errors"' in html
    assert sorted(CostLine.objects.values_list("pk", "amount")) == before
    application.refresh_from_db()
    assert application.requested_support == Decimal("1.00")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("kostenmodel.xlsx", b"%PDF-1.7 not a workbook", "xlsx"),
        ("kostenmodel.pdf", b"%PDF-1.7", "xlsx"),
        ("kostenmodel.xlsx", b"PK\x03\x04" + b"\x00" * (5 * 1024 * 1024), "5 MB"),
    ],
)
def test_what_is_not_a_small_xlsx_is_refused(client, app_and_lead, name, content, message):
    application, lead = app_and_lead
    line(application, GENT, "1000.00")
    client.force_login(lead)
    response = upload(client, application, content, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert CostLine.objects.count() == 1


# --- the query count does not grow with partners and lines -------------------------------------


def add_partners_with_lines(application, count, lines_each=3):
    taken = set(application.partners.values_list("organisation_id", flat=True))
    organisations = Organisation.objects.filter(type="municipality").exclude(pk__in=taken)[:count]
    for organisation in organisations:
        partner = ApplicationPartner.objects.create(
            application=application, organisation=organisation, role="volger"
        )
        for i in range(lines_each):
            CostLine.objects.create(
                application=application,
                partner=partner,
                category=["personnel", "external", "investment", "other"][i % 4],
                year=1 + i % 3,
                description=f"Kost {i}",
                amount=Decimal("1000.00") + i,
            )


def test_the_page_costs_the_same_queries_for_3_and_30_partners(
    client, django_assert_max_num_queries
):
    small, small_lead = make_application()
    add_partners_with_lines(small, 1)  # the lead, Kortrijk and one more: 3 partners
    big, big_lead = make_application(call=open_call(year=2031, title="Oproep 2031"))
    add_partners_with_lines(big, 28)  # 30 partners
    assert small.partners.count() == 3 and big.partners.count() == 30

    counts = []
    for application, lead in ((small, small_lead), (big, big_lead)):
        client.force_login(lead)
        url(application)  # warm the URL resolver
        with django_assert_max_num_queries(20), CaptureQueriesContext(connection) as queries:
            response = client.get(url(application))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]

    client.force_login(big_lead)
    check = url(big, "applications:application_budget_check")
    with django_assert_max_num_queries(20):
        assert client.post(check, {"requested_support": "1"}).status_code == 200
