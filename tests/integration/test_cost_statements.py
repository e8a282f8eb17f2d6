"""Cost statements of a grant (issue 8; R-COSTS, R-ELIG): the lead reports lines with evidence,
finance accepts or rejects them with a reason, and the totals feed tranche 2 and settlement."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from applications.models import PartnerRole
from cot_portal.accounts.models import StaffRole
from payments import rules, services_costs
from payments.models import CostStatementLine, Grant, LineStatus
from payments.selectors_costs import accepted_cost, cost_overview, reported_cost
from tests.factories import UserFactory, member_of, municipality
from tests.factories_ranking import LEADS, decided_grant

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% factuur\n"


def evidence(name="factuur.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def world(settings):
    settings.COT_REQUIRE_2FA = False
    return granted()


def granted():
    """A real grant: an application scored, ranked and approved by the Government's decision,
    with its lead applicant's member, the call manager and a finance officer."""
    decided = decided_grant()
    grant = Grant.objects.select_related("call", "application").get()
    partners = list(grant.application.partners.select_related("organisation").order_by("pk"))
    coordinator = next(p for p in partners if p.role == PartnerRole.COORDINATOR)
    other = next(p for p in partners if p.role != PartnerRole.COORDINATOR)
    return SimpleNamespace(
        grant=grant,
        lead=decided.lead,
        manager=decided.manager,
        coordinator=coordinator,
        partner=other,
        finance=UserFactory(roles=[StaffRole.FINANCE_OFFICER]),
        url=reverse("payments:cost_lines", args=[grant.reference]),
    )


def line(world, *, day=None, amount="1000.00", category="personnel", partner=None, **kwargs):
    return services_costs.add_cost_line(
        world.grant,
        partner=partner or world.coordinator,
        category=category,
        date=day or world.grant.start_date,
        description=kwargs.get("description", "Factuur 1"),
        amount=Decimal(amount),
        evidence=evidence(),
        user=world.lead,
    )


def posted_line(world, day, **overrides):
    data = {
        "action": "add",
        "line-partner": world.partner.pk,
        "line-category": "external",
        "line-date": day.strftime("%d/%m/%Y"),
        "line-description": "Factuur 2027/017 van Sensorbedrijf",
        "line-amount": "12.345,67",
        "line-evidence": evidence(),
    }
    data.update(overrides)
    return data


def test_r_elig_first_and_last_day_accepted_the_day_before_and_after_refused(client, world):
    """R-ELIG: both ends of the project period are in; a day outside is refused with the reason
    and everything typed comes back."""
    grant = world.grant
    client.force_login(world.lead)
    for day in (grant.start_date, grant.end_date):
        response = client.post(world.url, posted_line(world, day))
        assert response.status_code == 302, response.content.decode()[:2000]
    assert sorted(CostStatementLine.objects.values_list("date", flat=True)) == [
        grant.start_date,
        grant.end_date,
    ]
    for day in (grant.start_date - timedelta(days=1), grant.end_date + timedelta(days=1)):
        response = client.post(world.url, posted_line(world, day))
        assert response.status_code == 400
        form = response.context["forms"]["line"]
        with translation.override("nl"):
            expected = rules.period_error(day, grant.start_date, grant.end_date)
        assert form.errors["date"] == [expected]
        html = response.content.decode()
        assert 'value="Factuur 2027/017 van Sensorbedrijf"' in html
        assert 'value="12.345,67"' in html
        assert f'value="{day.strftime("%d/%m/%Y")}"' in html
        assert f'<option value="{world.partner.pk}" selected>' in html
    assert CostStatementLine.objects.count() == 2
    line_row = CostStatementLine.objects.first()
    assert line_row.created_by == world.lead and line_row.status == LineStatus.PENDING
    assert line_row.amount == Decimal("12345.67") and line_row.evidence.name.endswith(".pdf")


def test_wrong_evidence_is_refused_with_the_reason(client, world):
    """R-COSTS: the evidence is a real document: the type and the content are checked."""
    client.force_login(world.lead)
    day = world.grant.start_date
    for upload in (
        evidence("factuur.exe", b"MZ\x90\x00"),
        evidence("factuur.pdf", b"MZ\x90\x00 not a pdf"),
    ):
        response = client.post(world.url, posted_line(world, day, **{"line-evidence": upload}))
        assert response.status_code == 400
        assert response.context["forms"]["line"].errors["evidence"]
    response = client.post(
        world.url, {k: v for k, v in posted_line(world, day).items() if k != "line-evidence"}
    )
    assert response.status_code == 400
    assert response.context["forms"]["line"].errors["evidence"]
    assert not CostStatementLine.objects.exists()


def test_finance_rejects_only_with_a_reason_and_accepts(client, world):
    """R-COSTS: a rejection needs a reason (the applicant sees it); the check is recorded."""
    first, second = line(world), line(world, amount="250.00")
    client.force_login(world.finance)
    no_reason = {"action": "check", "line": first.pk, f"check-{first.pk}-decision": "reject"}
    response = client.post(world.url, {**no_reason, f"check-{first.pk}-reason": "  "})
    assert response.status_code == 400
    assert response.context["overview"].lines[0].check_form.errors["reason"]
    first.refresh_from_db()
    assert first.status == LineStatus.PENDING
    with pytest.raises(services_costs.Refused):
        services_costs.check_cost_line(first, accept=False, reason="", user=world.finance)
    response = client.post(world.url, {**no_reason, f"check-{first.pk}-reason": "Geen factuur"})
    assert response.status_code == 302
    response = client.post(
        world.url,
        {"action": "check", "line": second.pk, f"check-{second.pk}-decision": "accept"},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.reason, first.checked_by) == (
        LineStatus.REJECTED,
        "Geen factuur",
        world.finance,
    )
    assert second.status == LineStatus.ACCEPTED and second.checked_at is not None
    assert first.history.first().history_change_reason == "R-COSTS: rejected"
    # Checked once: a second check is refused, and the lead can no longer withdraw it.
    with pytest.raises(services_costs.Refused):
        services_costs.check_cost_line(second, accept=False, reason="Toch niet", user=world.finance)
    with pytest.raises(services_costs.Refused):
        services_costs.withdraw_cost_line(second, user=world.lead)
    # The lead sees the reason.
    client.force_login(world.lead)
    assert "Geen factuur" in client.get(world.url).content.decode()


def test_accepted_and_reported_totals_in_four_categories(client, world):
    """R-COSTS: accepted = accepted lines; reported = every line not rejected; per partner and
    per category (the four R-BUDGET categories), with the share of the approved total."""
    amounts = {
        "personnel": "100000.00",
        "external": "50000.00",
        "investment": "25000.00",
        "other": "1234.56",
    }
    lines = {c: line(world, category=c, amount=a) for c, a in amounts.items()}
    partner_line = line(world, partner=world.partner, category="external", amount="999.99")
    services_costs.check_cost_line(lines["personnel"], accept=True, reason="", user=world.finance)
    services_costs.check_cost_line(lines["investment"], accept=True, reason="", user=world.finance)
    services_costs.check_cost_line(
        lines["other"], accept=False, reason="Buiten het project", user=world.finance
    )
    grant = world.grant
    assert accepted_cost(grant) == Decimal("125000.00")
    assert reported_cost(grant) == Decimal("175999.99")  # 100.000 + 50.000 + 25.000 + 999,99
    overview = cost_overview(grant)
    categories = {t.label: t for t in overview.per_category}
    assert len(categories) == 4
    personnel = next(t for t in overview.per_category if t.accepted == Decimal("100000.00"))
    assert personnel.reported == Decimal("100000.00") and personnel.pending == 0
    other = next(t for t in overview.per_category if t.rejected)
    assert other.rejected == Decimal("1234.56") and other.reported == 0
    external = next(t for t in overview.per_category if t.pending)
    assert external.pending == Decimal("50999.99")
    by_partner = {t.label: t for t in overview.per_partner}
    assert by_partner[world.partner.organisation.name].reported == partner_line.amount
    assert by_partner[world.coordinator.organisation.name].accepted == Decimal("125000.00")
    assert overview.total.pending == Decimal("50999.99")
    # 175.999,99 of 1.000.000 = 17,6%
    assert overview.reported_share == Decimal("0.176")
    client.force_login(world.lead)
    html = client.get(world.url).content.decode()
    assert "€ 125.000,00" in html and "€ 175.999,99" in html and "17,6%" in html


def test_the_lead_withdraws_a_pending_line(client, world):
    pending = line(world)
    client.force_login(world.lead)
    response = client.post(world.url, {"action": "withdraw", "line": pending.pk})
    assert response.status_code == 302
    assert not CostStatementLine.objects.exists()
    assert CostStatementLine.history.filter(history_type="-").count() == 1


def test_finance_accepts_all_waiting_lines_after_confirming(client, world):
    first, second = line(world), line(world, amount="20.00")
    client.force_login(world.finance)
    response = client.post(
        world.url, {"action": "accept_all", "all-lines": f"{first.pk},{second.pk}"}
    )
    assert response.status_code == 400  # not confirmed
    assert response.context["forms"]["accept_all"].errors["confirm"]
    assert CostStatementLine.objects.filter(status=LineStatus.PENDING).count() == 2
    later = line(world, amount="30.00")  # added after finance loaded the page
    response = client.post(
        world.url,
        {"action": "accept_all", "all-lines": f"{first.pk},{second.pk}", "all-confirm": "on"},
    )
    assert response.status_code == 302
    statuses = dict(CostStatementLine.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: LineStatus.ACCEPTED,
        second.pk: LineStatus.ACCEPTED,
        later.pk: LineStatus.PENDING,
    }
    assert accepted_cost(world.grant) == Decimal("1020.00")


def test_a_partner_reads_but_cannot_post(client, world):
    """A partner's member sees the statement and the evidence; adding or withdrawing is a 404."""
    pending = line(world)
    reader = member_of(world.partner.organisation)
    client.force_login(reader)
    response = client.get(world.url)
    assert response.status_code == 200
    assert 'name="action" value="add"' not in response.content.decode()
    assert client.post(world.url, posted_line(world, world.grant.start_date)).status_code == 404
    assert client.post(world.url, {"action": "withdraw", "line": pending.pk}).status_code == 404
    assert (
        client.post(
            world.url,
            {"action": "check", "line": pending.pk, f"check-{pending.pk}-decision": "accept"},
        ).status_code
        == 404
    )
    download = reverse(
        "core:download", args=["payments", "coststatementline", pending.pk, "evidence"]
    )
    assert client.get(download).status_code == 200
    assert (
        client.get(reverse("payments:cost_lines_export", args=[world.grant.reference])).status_code
        == 404
    )
    assert CostStatementLine.objects.get().status == LineStatus.PENDING


def test_another_municipality_gets_404(client, world):
    pending = line(world)
    client.force_login(member_of(municipality(LEADS[1])))
    assert client.get(world.url).status_code == 404
    assert client.post(world.url, posted_line(world, world.grant.start_date)).status_code == 404
    download = reverse(
        "core:download", args=["payments", "coststatementline", pending.pk, "evidence"]
    )
    assert client.get(download).status_code == 404
    client.logout()
    assert client.get(world.url).status_code == 404


def test_a_finance_officer_of_the_lead_organisation_cannot_check(client, world):
    """Conflict of interest: a finance officer who is a member of the beneficiary gets a 404 on
    the check (and the service refuses too); the line stays waiting."""
    pending = line(world)
    conflicted = member_of(world.grant.organisation, roles=[StaffRole.FINANCE_OFFICER])
    client.force_login(conflicted)
    response = client.post(
        world.url, {"action": "check", "line": pending.pk, f"check-{pending.pk}-decision": "accept"}
    )
    assert response.status_code == 404
    response = client.post(
        world.url, {"action": "accept_all", "all-lines": str(pending.pk), "all-confirm": "on"}
    )
    assert response.status_code == 404
    with pytest.raises(services_costs.Refused):
        services_costs.check_cost_line(pending, accept=True, reason="", user=conflicted)
    assert CostStatementLine.objects.get().status == LineStatus.PENDING
    assert (
        client.get(reverse("payments:cost_lines_export", args=[world.grant.reference])).status_code
        == 404
    )


def test_finance_downloads_the_lines_as_xlsx(client, world):
    line(world, amount="1234.56", description="Factuur A")
    client.force_login(world.finance)
    response = client.get(reverse("payments:cost_lines_export", args=[world.grant.reference]))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    values = [row for row in sheet.iter_rows(values_only=True) if row and row[0] is not None]
    assert any(
        row[3] == "Factuur A" and Decimal(str(row[4])) == Decimal("1234.56") for row in values
    )


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_cost_page_query_count_does_not_grow_with_the_lines(client, world):
    """2 lines or 20: the same number of queries, for the lead and for finance."""
    for n in range(2):
        line(world, amount=f"{n + 1}00.00", partner=world.partner if n % 2 else None)
    counts = {}
    for who in (world.lead, world.finance):
        client.force_login(who)
        counts[who.pk] = [_queries(client, world.url)]
    categories = ["personnel", "external", "investment", "other"]
    for n in range(18):
        made = line(
            world,
            amount="10.00",
            category=categories[n % 4],
            partner=world.partner if n % 2 else None,
        )
        if n % 3 == 0:
            services_costs.check_cost_line(
                made, accept=n % 2 == 0, reason="Nee", user=world.finance
            )
    assert CostStatementLine.objects.count() == 20
    for who in (world.lead, world.finance):
        client.force_login(who)
        counts[who.pk].append(_queries(client, world.url))
    for two, twenty in counts.values():
        assert two == twenty, counts
