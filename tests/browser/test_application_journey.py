"""Issue 5, end to end in the browser: the full application as the people who write it do.

Gent's idea is on the shortlist (set up in the database). A Gent civil servant opens the idea,
starts the full application and fills every section through the pages: the project texts
(saved as they are typed, kept after a reload), the three partners with their contacts, the work
packages with the mandatory knowledge-sharing one, a planned purchase (the portal suggests the
procedure), the policy commitment with the bestuursakkoord as a PDF, scalability, the steering
group, themes and a KPI, the planning, and the cost model, whose checks react while the amounts
are typed. Kortrijk's contact adds Kortrijk's own cost line and can touch nothing else. The lead
sends the cost model to the finance department as Excel and uploads the corrected workbook,
submits, receives the receipt with both PDFs by e-mail, and finds the application read-only.

Every page visited passes axe-core (WCAG 2.0/2.1 A and AA) and is kept as a screenshot.
Wording is looked up through the portal's own translations (`t`), so the test follows the
Dutch texts as translators complete them; numbers and names are asserted literally.
"""

import io
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfWriter

from applications.models import Application, ApplicationPartner, CostLine, Idea
from applications.rules import add_months
from cot_portal.accounts.models import Organisation, User
from tests.factories import IdeaFactory, idea_partner

from .journey import (
    GENT,
    KORTRIJK,
    LEUVEN,
    button,
    checker,
    click_and_wait,
    demo_call,
    exactly,
    field,
    link,
    log_in_as,
    open_section,
    prefix,
    status_message,
    t,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDEA_TITLE = "Slimme parkeersensoren in de binnenstad"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SECTIONS = [
    "Project and challenge",
    "Partners and roles",
    "Work packages",
    "External support and procurement plan",
    "Policy commitment",
    "Scalability, roll-out and business model",
    "Steering group and sounding-board group",
    "Themes and KPIs",
    "Planning",
    "Cost model",
    "Attachments",
]


# --- helpers ----------------------------------------------------------------------------------

check = checker("application-journey")


def autosaved(page, values: dict[str, str], scope=None):
    """Type into the labelled fields; wait until an autosave that carried all of them answered
    and the status line says it was saved."""
    scope = scope or page
    expected = {}

    def carries_all(response):
        if "/bewaren/" not in response.url or response.request.method != "POST":
            return False
        data = parse_qs(response.request.post_data or "")
        return all(value in data.get(name, []) for name, value in expected.items())

    with page.expect_response(carries_all) as answered:
        for label, value in values.items():
            element = field(scope, label)
            expected[element.get_attribute("name")] = value
            element.fill(value)
    assert answered.value.ok, answered.value.status
    expect(page.locator("#save-status")).to_contain_text(prefix("Saved at %(when)s."))


def small_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add_cost_line(page, partner, category, year, description, amount):
    form = page.locator("#budget-line-form")
    field(form, "Partner").select_option(label=partner)
    field(form, "Category").select_option(label=t(category))
    field(form, "Project year").select_option(str(year))
    field(form, "Description").fill(description)
    field(form, "Amount").fill(amount)
    click_and_wait(page, button(form, "Add the line"))
    expect(status_message(page).first).to_contain_text(t("The cost line was added."))
    expect(page.locator("main")).to_contain_text(description)


def budget_check(page, rule, ok):
    return page.locator(
        f'#budget-checks li[data-rule="{rule}"][data-ok="{"true" if ok else "false"}"]'
    )


# --- the journey ------------------------------------------------------------------------------


def test_full_application_from_shortlisted_idea_to_submission(
    open_page, live_server, settings, mailoutbox
):
    call = demo_call(settings)
    gent, kortrijk, leuven = (
        Organisation.objects.get(nis_code=n) for n in (GENT, KORTRIJK, LEUVEN)
    )
    idea = IdeaFactory(
        call=call,
        organisation=gent,
        created_by=User.objects.get(email="aanvrager@gent.demo"),
        title=IDEA_TITLE,
        themes=["mobility", "environment"],
    )
    idea_partner(idea, kortrijk, role="deelnemer")
    idea_partner(idea, leuven, role="volger")
    Idea.objects.filter(pk=idea.pk).update(status="shortlisted")

    # 1. Gent opens its shortlisted idea and starts the full application.
    lead = log_in_as(open_page, live_server, "aanvrager@gent.demo", "gent")
    # htmx reports failed swaps and server errors on the console only; aborted live checks
    # (hx-sync="this:replace" while typing) are expected.
    script_errors = []
    lead.on("console", lambda m: m.type == "error" and script_errors.append(m.text))
    click_and_wait(lead, lead.locator("header nav").get_by_role("link", name=t("Project ideas")))
    click_and_wait(lead, lead.get_by_role("link", name=IDEA_TITLE))
    check(lead, "gent-shortlisted-idea")
    click_and_wait(lead, button(lead, "Start the full application"))
    application = Application.objects.get(idea=idea)
    overview_url = f"/aanvragen/{call.year}/{application.slug}/"
    assert lead.url.endswith(overview_url), lead.url
    expect(status_message(lead).first).to_contain_text(
        t(
            "Your application was started from your idea. Work through the sections at your "
            "own pace: everything is saved."
        )
    )
    rows = lead.locator("main table tbody tr")
    expect(rows).to_have_count(len(SECTIONS))
    for i, name in enumerate(SECTIONS):
        expect(rows.nth(i).get_by_role("link", name=exactly(name))).to_be_visible()
        expect(rows.nth(i).locator("td")).not_to_be_empty()
    check(lead, "gent-overview-new")

    # 2a. Project: the texts save themselves as they are typed, and survive a reload.
    open_section(lead, "Project and challenge")
    project = {
        "summary": "Een open parkeerplatform dat vrije plaatsen in real time toont.",
        "the challenge": "Zoekverkeer naar parkeerplaatsen veroorzaakt files en uitstoot.",
        "the data-based solution": "Sensoren en camera's voeden een open API met vrije plaatsen.",
    }
    autosaved(lead, project)
    lead.reload()
    for label, value in project.items():
        expect(field(lead, label)).to_have_value(value)
    expect(field(lead, "title")).to_have_value(IDEA_TITLE)
    check(lead, "gent-project")

    # 2b. Partners: the coordinator and the two partners of the idea; each gets its contact.
    open_section(lead, "Partners and roles")
    check(lead, "gent-partners-empty")
    contacts = {
        gent: ("Projectleiding en aanbesteding.", "An Aanvrager", "an.aanvrager@stad.gent"),
        kortrijk: ("Test in het stationsgebied.", "Piet Partner", "piet.partner@kortrijk.be"),
        leuven: ("Volgt de proef en deelt de data.", "Lien Leuvens", "lien.leuvens@leuven.be"),
    }
    for org, (contribution, name, email) in contacts.items():
        card = lead.locator("main section").filter(
            has=lead.get_by_role("heading", name=re.compile(rf"^{re.escape(org.name)}\b"))
        )
        field(card, "contribution to the project").fill(contribution)
        field(card, "contact person").fill(name)
        field(card, "contact e-mail").fill(email)
        click_and_wait(lead, button(card, "Save the part of %(name)s", name=org.name))
        expect(status_message(lead).first).to_contain_text(t("Saved."))
    partners = lead.locator("main section[id^=partner-]")
    expect(partners).to_have_count(3)
    expect(partners.nth(0)).to_contain_text(t("Coordinator"))
    expect(partners.filter(has_text=kortrijk.name)).to_contain_text(t("Participant (deelnemer)"))
    expect(partners.filter(has_text=leuven.name)).to_contain_text(t("Follower (volger)"))
    expect(field(partners.filter(has_text=leuven.name), "contact person")).to_have_value(
        "Lien Leuvens"
    )
    check(lead, "gent-partners")

    # 2c. Work packages, one of them the mandatory knowledge-sharing package.
    open_section(lead, "Work packages")
    check(lead, "gent-work-packages-empty")
    for title, partner, start, end, sharing in (
        ("Analyse en aanbesteding", gent.name, "1", "12", False),
        ("Kennisdeling en communicatie", kortrijk.name, "1", "36", True),
    ):
        field(lead, "title").fill(title)
        field(lead, "objectives").fill(f"Doelstellingen van {title.lower()}.")
        field(lead, "lead partner").select_option(label=partner)
        field(lead, "start month").fill(start)
        field(lead, "end month").fill(end)
        field(lead, "deliverables").fill("Een rapport en een open dataset.")
        if sharing:
            field(lead, "knowledge sharing and communication").check()
        click_and_wait(lead, button(lead, "Add"))
        expect(status_message(lead).first).to_contain_text(t("Added."))
    table = lead.locator("main table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text(t("knowledge sharing"))
    check(lead, "gent-work-packages")

    # 2d. External support and the procurement plan: one purchase; the suggestion shows.
    open_section(lead, "External support and procurement plan")
    autosaved(
        lead,
        {
            "external support needed and why": "Marktverkenning en begeleiding bij de aankoop.",
            "profile of the provider": "Een bureau met ervaring in innovatief aanbesteden.",
        },
    )
    field(lead, "what is bought").fill("Sensoren en dataplatform")
    field(lead, "Estimated value excluding VAT").fill("100.000,00")
    field(lead, "planned procedure").select_option(label=t("Open procedure"))
    field(lead, "motivation of the procedure").fill("Zo veel mogelijk aanbieders.")
    field(lead, "framework agreement (others can buy later)").check()
    click_and_wait(lead, button(lead, "Add"))
    expect(status_message(lead).first).to_contain_text(t("Added."))
    purchase = lead.locator("main table tbody tr").filter(has_text="Sensoren en dataplatform")
    expect(purchase).to_contain_text("100.000,00")
    # 100.000 euro lies between 30.000 and 144.000: the negotiated procedure is suggested.
    expect(purchase).to_contain_text(t("Negotiated procedure without prior publication"))
    expect(purchase).not_to_contain_text(t("not allowed at this value"))
    check(lead, "gent-procurement")

    # 2e. Policy commitment, with the bestuursakkoord uploaded as a PDF.
    open_section(lead, "Policy commitment")
    autosaved(lead, {"commitment to implement": "Opgenomen in het bestuursakkoord 2025-2030."})
    field(lead, "kind").select_option(label=t("Bestuursakkoord"))
    field(lead, "title").fill("Bestuursakkoord Gent 2025-2030")
    field(lead, "file").set_input_files(
        {"name": "bestuursakkoord.pdf", "mimeType": "application/pdf", "buffer": small_pdf()}
    )
    click_and_wait(lead, button(lead, "Upload"))
    expect(status_message(lead).first).to_contain_text(t("The file was added."))
    expect(lead.get_by_role("link", name="Bestuursakkoord Gent 2025-2030")).to_be_visible()
    check(lead, "gent-policy")

    # 2f. Scalability: typed (and saved as typed), then the save button as well.
    open_section(lead, "Scalability, roll-out and business model")
    autosaved(
        lead,
        {
            "scalability to other cities and municipalities": (
                "Elke gemeente sluit aan via het raamcontract."
            ),
            "roll-out and continuity after the project": "De stad neemt de exploitatie over.",
            "business model": "Licentievrij; de hosting wordt gedeeld.",
        },
    )
    click_and_wait(lead, button(lead, "Save"))
    expect(status_message(lead).first).to_contain_text(t("Saved."))
    expect(field(lead, "business model")).to_have_value("Licentievrij; de hosting wordt gedeeld.")
    check(lead, "gent-scalability")

    # 2g. Steering group.
    open_section(lead, "Steering group and sounding-board group")
    field(lead, "group").select_option(label=t("Steering group"))
    field(lead, "name").fill("Anna Peeters")
    field(lead, "organisation").fill(gent.name)
    field(lead, "role in the group").fill("Voorzitter")
    click_and_wait(lead, button(lead, "Add"))
    expect(lead.locator("main table")).to_contain_text("Anna Peeters")
    check(lead, "gent-groups")

    # 2h. Themes (two were copied from the idea) and a KPI.
    open_section(lead, "Themes and KPIs")
    expect(field(lead, "Smart mobility")).to_be_checked()
    with lead.expect_response(lambda r: "/bewaren/" in r.url) as answered:
        field(lead, "Smart governance").check()
    assert answered.value.ok
    field(lead, "indicator").fill("Gemiddelde zoektijd naar een parkeerplaats")
    field(lead, "unit").fill("minuten")
    field(lead, "baseline").fill("12,5")
    field(lead, "target").fill("6")
    click_and_wait(lead, button(lead, "Add"))
    expect(lead.locator("main table")).to_contain_text("Gemiddelde zoektijd")
    expect(field(lead, "Smart governance")).to_be_checked()
    check(lead, "gent-themes-kpis")

    # 2i. Planning: start after today and before decision + 6 months, 36 months long.
    open_section(lead, "Planning")
    start = timezone.localdate() + timedelta(days=30)
    end = add_months(start, 36) - timedelta(days=1)
    autosaved(
        lead,
        {
            "Planned start date": start.strftime("%d/%m/%Y"),
            "Planned end date": end.strftime("%d/%m/%Y"),
        },
    )
    click_and_wait(lead, button(lead, "Save"))
    expect(status_message(lead).first).to_contain_text(t("Saved."))
    expect(field(lead, "Planned start date")).to_have_value(start.strftime("%d/%m/%Y"))
    passed = lead.locator("main .text-success")
    expect(passed.filter(has_text="36")).not_to_have_count(0)
    expect(passed.filter(has_text=start.strftime("%d/%m/%Y"))).not_to_have_count(0)
    check(lead, "gent-planning")

    # 2j. The cost model: lines for the three partners.
    open_section(lead, "Cost model")
    check(lead, "gent-budget-empty")
    lines = [
        (
            gent.name,
            "Personnel (incl. overhead and operating costs)",
            1,
            "Projectleiding en data-analisten",
            "400.000,00",
        ),
        (
            gent.name,
            "External services and subcontracting",
            2,
            "Sensoren en dataplatform",
            "100.000,00",
        ),
        (
            kortrijk.name,
            "Personnel (incl. overhead and operating costs)",
            1,
            "Proefproject stationsgebied",
            "150.000,00",
        ),
        (leuven.name, "Other costs", 3, "Deelname aan de stuurgroep", "25.000,00"),
    ]
    for line in lines:
        add_cost_line(lead, *line)
    expect(lead.locator("#budget-total-cost")).to_contain_text("675.000,00")

    # 3. The checks react while typing: too much support first, then the right amount.
    lead.evaluate("window.sameDocument = true")
    financing = lead.locator("#budget-live")
    field(financing, "requested support").fill("600.000,00")
    expect(budget_check(lead, "R-RATE", ok=False).first).to_contain_text("80%")
    expect(budget_check(lead, "R-RATE", ok=False).first).to_contain_text("600.000,00")
    check(lead, "gent-budget-too-much-support")
    autosaved(
        lead,
        {"requested support": "540.000,00", "own contribution": "135.000,00"},
        scope=financing,
    )
    expect(budget_check(lead, "R-RATE", ok=False)).to_have_count(0)
    expect(budget_check(lead, "R-RATE", ok=True).first).to_contain_text("80%")
    expect(budget_check(lead, "R-BAL", ok=True)).to_have_count(1)
    expect(lead.locator("#budget-checks li[data-ok=false]")).to_have_count(0)
    assert lead.evaluate("window.sameDocument === true"), "the page reloaded"
    check(lead, "gent-budget-balanced")

    # 4. Kortrijk's contact adds Kortrijk's line, and can change nothing of Gent's.
    partner = log_in_as(open_page, live_server, "partner@kortrijk.demo", "kortrijk")
    click_and_wait(
        partner, partner.locator("main").get_by_role("link", name=re.compile(application.reference))
    )
    assert partner.url.endswith(overview_url), partner.url
    check(partner, "kortrijk-overview")
    open_section(partner, "Partners and roles")
    expect(partner.get_by_role("button", name=re.compile(re.escape(kortrijk.name)))).to_have_count(
        1
    )
    expect(partner.get_by_role("button", name=re.compile(re.escape(gent.name)))).to_have_count(0)
    check(partner, "kortrijk-partners")
    open_section(partner, "Cost model")
    options = field(partner.locator("#budget-line-form"), "Partner").locator("option")
    expect(options).to_have_text([kortrijk.name])
    add_cost_line(partner, kortrijk.name, "Investments", 1, "Camera's stationsplein", "25.000,00")
    gent_partner = ApplicationPartner.objects.get(application=application, organisation=gent)
    gent_block = partner.locator(f"#partner-{gent_partner.pk}")
    expect(gent_block).to_contain_text("Projectleiding en data-analisten")
    expect(gent_block.get_by_role("link", name=re.compile(t("Change")))).to_have_count(0)
    expect(gent_block.get_by_role("button")).to_have_count(0)
    expect(link(partner, "Upload a cost model")).to_have_count(0)
    gent_line = CostLine.objects.get(
        application=application, description__startswith="Projectleiding"
    )
    edit_url = f"{overview_url}budget/regels/{gent_line.pk}/"
    assert partner.request.get(edit_url).status == 404
    check(partner, "kortrijk-budget")
    open_section(partner, "Review and submit")
    expect(button(partner, "Submit the application")).to_have_count(0)
    expect(partner.locator("main")).to_contain_text(gent.name)
    check(partner, "kortrijk-review")

    # 5. The lead sends the cost model through Excel: one amount and the own contribution change.
    lead.reload()
    expect(lead.locator("#budget-total-cost")).to_contain_text("700.000,00")
    with lead.expect_download() as downloaded:
        link(lead, "Download the cost model (.xlsx)").click()
    assert downloaded.value.suggested_filename == f"kostenmodel-{application.reference}.xlsx"
    workbook = load_workbook(io.BytesIO(Path(downloaded.value.path()).read_bytes()))
    lines_sheet, money_sheet = workbook["Kostenmodel"], workbook["Financiering"]
    row = next(r for r in lines_sheet.iter_rows(min_row=2) if r[3].value == lines[0][3])
    assert row[4].value == 400000
    row[4].value = 380000
    own = next(r for r in money_sheet.iter_rows(min_row=2) if r[0].value == "Eigen bijdrage")
    own[1].value = 140000
    edited = io.BytesIO()
    workbook.save(edited)
    click_and_wait(lead, link(lead, "Upload a cost model"))
    check(lead, "gent-budget-upload")
    field(lead, "Cost model (.xlsx)").set_input_files(
        {"name": "kostenmodel.xlsx", "mimeType": XLSX, "buffer": edited.getvalue()}
    )
    click_and_wait(lead, button(lead, "Check and replace"))
    assert "/budget/" in lead.url and "opladen" not in lead.url, lead.url
    expect(status_message(lead).first).to_contain_text(
        prefix(
            "The cost model was replaced by the workbook. New or changed lines: "
            "%(added)s; lines no longer in the workbook: %(removed)s; unchanged "
            "lines: %(kept)s. The financing was taken from the sheet Financiering."
        )
    )
    expect(lead.locator("main tr").filter(has_text=lines[0][3])).to_contain_text("380.000,00")
    expect(lead.locator("#budget-total-cost")).to_contain_text("680.000,00")
    expect(field(financing, "own contribution")).to_have_value(re.compile(r"^140\.?000,00$"))
    expect(lead.locator("#budget-checks li[data-ok=false]")).to_have_count(0)
    check(lead, "gent-budget-after-upload")

    open_section(lead, "Attachments")
    check(lead, "gent-attachments")

    # 6. Nothing is missing; the lead submits; receipt and PDF; everything read-only after.
    open_section(lead, "Review and submit")
    expect(lead.locator("main section[aria-labelledby^=review-] li a")).to_have_count(0)
    expect(lead.locator(".section-nav .badge.text-bg-warning")).to_have_count(0)
    check(lead, "gent-review")
    click_and_wait(lead, button(lead, "Submit the application"))
    assert lead.url.endswith(overview_url), lead.url
    expect(status_message(lead).first).to_contain_text(
        prefix(
            "Your application was submitted on %(when)s. The receipt and the PDF follow by "
            "e-mail and appear below."
        )
    )
    submitted = lead.locator("main").get_by_role("listitem").filter(has_text="SHA-256")
    expect(submitted).to_have_count(1)
    expect(submitted).to_contain_text(re.compile(r"SHA-256: [0-9a-f]{64}"))
    pdf_link = link(submitted, "the application as submitted (PDF)")
    expect(link(submitted, "receipt (PDF)")).to_be_visible()
    check(lead, "gent-submitted")

    application.refresh_from_db()
    assert application.status == "submitted"
    receipts = [m for m in mailoutbox if application.reference in m.subject]
    assert len(receipts) == 1, [m.subject for m in mailoutbox]
    assert "aanvrager@gent.demo" in receipts[0].to
    pdfs = [a for a in receipts[0].attachments if a[0].lower().endswith(".pdf")]
    assert len(pdfs) == 2, [a[0] for a in receipts[0].attachments]
    assert all(content.startswith(b"%PDF") for _name, content, _type in pdfs)

    response = lead.request.get(pdf_link.get_attribute("href"))
    assert response.status == 200 and response.body().startswith(b"%PDF"), response.status

    open_section(lead, "Project and challenge")
    expect(lead.locator("main form")).to_have_count(0)
    expect(button(lead, "Save")).to_have_count(0)
    expect(lead.locator("main")).to_contain_text(project["summary"])
    check(lead, "gent-project-submitted")
    open_section(lead, "Cost model")
    expect(button(lead, "Add the line")).to_have_count(0)
    expect(link(lead, "Upload a cost model")).to_have_count(0)
    expect(lead.locator("main").get_by_role("link", name=re.compile(t("Change")))).to_have_count(0)
    check(lead, "gent-budget-submitted")
    open_section(lead, "Review and submit")
    expect(lead.locator("main")).to_contain_text(
        t("This application was submitted and can no longer be changed.")
    )
    expect(button(lead, "Submit the application")).to_have_count(0)
    check(lead, "gent-review-submitted")
    expected = ("Failed to load resource", "htmx:sendAbort", "htmx:afterRequest")
    assert [e for e in script_errors if not e.startswith(expected)] == [], script_errors
