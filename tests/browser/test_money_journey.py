"""Issue 8, end to end in the browser: from the award to the settlement with a recovery (§7, §9).

Gent's application is awarded € 800.000 by a recorded decision (set up through the services; the
tranches are € 320.000 / € 240.000 / € 240.000) with one condition. Then, in the browser:

1. Gent's lead opens the project from the dashboard, enters the actual start and uploads the
   signed cooperation agreement; tranche 1 cannot be requested yet and the page says why. The
   call manager accepts the agreement and confirms the condition; the lead requests tranche 1.
2. Finance officer A checks the request and proposes the payment; A sees no approve button on
   the own proposal; officer B releases it. The SEPA file (pain.001) is made and downloaded: XML
   with Gent's IBAN and the amount. The lead sees tranche 1 paid, and tranche 2 not before
   halfway.
3. Halfway through the project: the lead delivers the interim report, the manager accepts it.
   While the lead's page offers tranche 2, finance rejects a cost line; the request is refused
   with the figures (45% of the approved total cost, 50% needed). The lead reports another cost,
   requests again; A proposes, B releases.
4. After the project end: the final report with the end results, tranche 3 requested. A accepts
   the waiting cost lines and settles: the final support (80% of € 612.345,67) is below the
   € 560.000 paid, so € 70.123,47 is recovered. The settlement page shows it, and the settlement
   letter (the recovery letter) holds the amount; the lead reads both.

Time: the live server runs in a thread of this process, so `time_machine.travel(tick=True)`
moves its clock too. Steps 3 and 4 travel to halfway and past the end of the project period;
sessions older than their age (8 hours for staff) have ended by then, so everyone logs in again
(staff with the code of the authenticator they set up in steps 1–2).

Every page visited passes axe-core (WCAG 2.0/2.1 A and AA) and is kept as a screenshot. Wording
is looked up through the portal's own translations (`t`); amounts and names literally.
"""

import re
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from django.utils.translation import ngettext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from cot_portal.accounts.groups import ensure_staff_groups
from cot_portal.accounts.models import Organisation, StaffRole
from cot_portal.accounts.services import sync_local_governments
from cot_portal.formatting import euro, short_date
from payments import rules, services_costs
from payments.models import (
    CostStatementLine,
    Grant,
    LedgerEntry,
    LedgerKind,
    LineStatus,
    Payment,
    PaymentStatus,
    Recovery,
    SepaBatch,
    TrancheStatus,
)
from payments.rules_settlement import structured_communication
from scoring import services_ranking
from tests.factories import PASSWORD, UserFactory
from tests.factories_ranking import (
    LEADS,
    decide_call,
    on_jury,
    ranking_call,
    scored_application,
    uniform,
)
from tests.factories_scoring import call_manager, juror

from .conftest import confirm_second_factor, login
from .journey import (
    GENT,
    KORTRIJK,
    button,
    checker,
    click_and_wait,
    exactly,
    field,
    link,
    pdf_bytes,
    pdf_text,
    status_message,
    t,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IBAN = "BE68539007547034"
CONDITIONS = "Leg het geactualiseerde aanbestedingsplan voor aan VLAIO."
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
AWARDED = Decimal("800000.00")
TRANCHES = (Decimal("320000.00"), Decimal("240000.00"), Decimal("240000.00"))
TOTAL_COST = Decimal("1000000.00")
# Reported through the service during the first half (R-COSTS); finance rejects Kortrijk's line.
GENT_PERSONNEL, GENT_EXTERNAL, KORTRIJK_NO_EVIDENCE = (
    Decimal("300000.00"),
    Decimal("150000.00"),
    Decimal("100000.00"),
)
REJECTION = "De loonfiches ontbreken als bewijs; dien de lijn opnieuw in met de loonfiches."
# Reported by the lead in the browser after the refusal.
KORTRIJK_WITH_EVIDENCE = Decimal("162345.67")
ACCEPTED = GENT_PERSONNEL + GENT_EXTERNAL + KORTRIJK_WITH_EVIDENCE  # € 612.345,67
FINAL_SUPPORT = Decimal("489876.53")  # floor_cent(80% × € 612.345,67 = € 489.876,536)
PAID = TRANCHES[0] + TRANCHES[1]  # € 560.000,00
RECOVERY = PAID - FINAL_SUPPORT  # € 70.123,47

check = checker("money-journey")


# --- helpers ----------------------------------------------------------------------------------


def money(amount) -> str:
    """An amount as the portal shows it (`€ 70.123,47`), with an ordinary space."""
    return euro(amount).replace("\xa0", " ")


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))


def typed(day) -> str:
    """A date as a person in Flanders types it."""
    return day.strftime("%d/%m/%Y")


def at_ten(day) -> datetime:
    """10:00 in Brussels on `day`, a destination for time_machine."""
    return timezone.make_aware(datetime.combine(day, time(10)))


def log_in(page, live_server, user):
    """Log `user` in on `page`: the second factor is set up from the key shown the first time,
    later its code comes from the authenticator (the device's key) as a phone would show it."""
    login(page, live_server, user.email, PASSWORD)
    if "/account/tweede-factor/" in page.url:
        if page.locator("main code").count():
            confirm_second_factor(page)
        else:
            device = TOTPDevice.objects.get(user=user, confirmed=True)
            code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
            page.fill("#id_token", f"{code:06d}")
            with page.expect_navigation():
                page.locator("form:has(#id_token) button[type=submit]").click()
    assert page.url.endswith("/mijn-portaal/"), page.url
    return page


def new_person(open_page, live_server, user, name):
    return log_in(open_page(name), live_server, user)


def message(page):
    return status_message(page).first


def open_project_as_lead(page, grant):
    """From the dashboard's "My projects" to the project page."""
    page.goto("/mijn-portaal/")
    # The application's link is "<reference> <title>"; the project's says it is the project.
    name = t(
        "Project %(reference)s %(title)s", reference=grant.reference, title=grant.application.title
    )
    click_and_wait(page, page.get_by_role("link", name=name, exact=True))
    assert page.url.endswith(f"/projecten/{grant.reference}/"), page.url


def open_project_as_staff(page, grant):
    """From the dashboard's list of every funded project to the project page."""
    page.goto("/mijn-portaal/")
    click_and_wait(page, link(page.locator("main"), "Every funded project with its tranches"))
    assert page.url.endswith("/projecten/"), page.url
    click_and_wait(page, page.locator("main table").get_by_role("link", name=grant.reference))
    assert page.url.endswith(f"/projecten/{grant.reference}/"), page.url


def open_finance(page):
    page.goto("/mijn-portaal/")
    click_and_wait(page, link(page.locator("main"), "Go to the finance page"))
    assert page.url.endswith("/financien/"), page.url


def tranche_form(page, n):
    return page.locator(f"form#request-{n}")


def request_button(page, n):
    return button(tranche_form(page, n), "Request tranche %(n)s", n=n)


def tranche_row(page, n):
    return page.locator("table.tranche-table tbody tr").nth(n - 1)


def tn(singular, plural, n, **values):
    """The Dutch text of a message with a plural form."""
    with translation.override("nl"):
        return ngettext(singular, plural, n) % values


def iban_groups(iban):
    """An IBAN as the finance pages show it: in groups of four."""
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def accepting(section):
    """The call manager's check form of an agreement or report, with "accept" chosen."""
    form = section.locator("form").filter(
        has=section.page.get_by_role("button", name=exactly("Save the check"))
    )
    form.get_by_label(t("Accept"), exact=True).check()
    return form


def propose(page, grant, n):
    """Finance officer A: from the finance page, check the request of tranche n and propose."""
    open_finance(page)
    click_and_wait(page, link(page, "Check tranche %(n)s of %(ref)s", n=n, ref=grant.reference))
    assert "/financien/aanvragen/" in page.url, page.url
    form = page.locator("form#propose")
    field(form, "I checked the conditions, the amount and the IBAN.").check()
    click_and_wait(page, button(form, "Propose the payment"))
    assert "/financien/betalingen/" in page.url, page.url
    expect(message(page)).to_contain_text(
        t(
            "The payment of %(amount)s is proposed; a second finance officer approves it.",
            amount=money(TRANCHES[n - 1]),
        )
    )


def release(page, grant, n):
    """Finance officer B: from the finance page, approve the colleague's proposal."""
    open_finance(page)
    click_and_wait(
        page, link(page, "Approve or reject tranche %(n)s of %(ref)s", n=n, ref=grant.reference)
    )
    form = page.locator("form#approve")
    field(form, "I checked the amount and the IBAN. Release the payment.").check()
    click_and_wait(page, button(form, "Release the payment"))
    expect(message(page)).to_contain_text(
        t(
            "The payment of %(amount)s is released and booked in the ledger.",
            amount=money(TRANCHES[n - 1]),
        )
    )


def awarded_grant():
    """Gent's application (partner Kortrijk) awarded € 800.000 by a recorded decision, with one
    condition. Returns the grant, the lead, the call manager and two finance officers."""
    manager = call_manager(first_name="Mona", last_name="Manager")
    jan = juror(first_name="Jan", last_name="Jurylid")
    call = ranking_call()
    on_jury(call, manager, jan)
    Organisation.objects.filter(nis_code=GENT).update(iban=IBAN)
    application, lead = scored_application(call, LEADS[0], [jan], uniform(9))
    services_ranking.save_conditions(
        application=application, conditions=CONDITIONS, manager=manager
    )
    decide_call(call, manager)
    grant = Grant.objects.select_related("application").get(application=application)
    assert grant.awarded == AWARDED and grant.iban == IBAN and grant.conditions == CONDITIONS
    assert grant.approved_total_cost == TOTAL_COST
    assert [x.scheduled_amount for x in grant.tranches.order_by("number")] == list(TRANCHES)
    finance_a = UserFactory(roles=[StaffRole.FINANCE_OFFICER], first_name="Fien", last_name="A")
    finance_b = UserFactory(roles=[StaffRole.FINANCE_OFFICER], first_name="Bart", last_name="B")
    return grant, lead, manager, finance_a, finance_b


def report_costs(grant, lead) -> CostStatementLine:
    """What the lead reported during the first half through the service (R-COSTS, R-ELIG);
    returns Kortrijk's line without its payslips."""
    partners = {p.organisation.nis_code: p for p in grant.application.partners.all()}
    lines = [
        (GENT, "personnel", 40, "Loonkost projectleider Gent, jaar 1", GENT_PERSONNEL),
        (GENT, "external", 120, "Factuur 2027/031 begeleiding aanbesteding", GENT_EXTERNAL),
        (KORTRIJK, "personnel", 200, "Loonkost analist Kortrijk", KORTRIJK_NO_EVIDENCE),
    ]
    made = [
        services_costs.add_cost_line(
            grant,
            partner=partners[nis],
            category=category,
            date=grant.start_date + timedelta(days=days),
            description=description,
            amount=amount,
            evidence=SimpleUploadedFile("bewijs.pdf", PDF, content_type="application/pdf"),
            user=lead,
        )
        for nis, category, days, description, amount in lines
    ]
    return made[-1]


def upload(name):
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


# --- the journey ------------------------------------------------------------------------------


def test_tranches_payments_sepa_and_a_settlement_with_recovery(open_page, live_server, mailoutbox):
    sync_local_governments()  # a transactional test before this one flushed them
    ensure_staff_groups()
    grant, lead, manager, finance_a, finance_b = awarded_grant()
    ref = grant.reference
    halfway = rules.halfway(grant.start_date, grant.end_date)
    today = timezone.localdate()

    # 1. The lead starts the project and uploads the agreement; tranche 1 waits for VLAIO.
    gent = new_person(open_page, live_server, lead, "lead")
    check(gent, "lead-dashboard")
    open_project_as_lead(gent, grant)
    expect(gent.locator("h1")).to_have_text(grant.application.title)
    expect(gent.locator("#grant")).to_contain_text(money(AWARDED))
    start = gent.locator("section#start form")
    field(start, "Actual start date").fill(typed(today))
    click_and_wait(gent, button(start, "Save the start date"))
    expect(message(gent)).to_contain_text(t("The actual start date is saved."))
    agreement = gent.locator("section#agreement form")
    field(agreement, "Signed cooperation agreement").set_input_files(
        upload("samenwerkingsovereenkomst.pdf")
    )
    click_and_wait(gent, button(agreement, "Upload"))
    expect(message(gent)).to_contain_text(
        t("The signed cooperation agreement is uploaded. VLAIO checks it.")
    )
    expect(gent.locator("#grant")).to_contain_text(typed(today))
    # The request button is there but cannot be used; the page says what is still missing.
    expect(request_button(gent, 1)).to_be_disabled()
    expect(request_button(gent, 1)).to_have_attribute("aria-describedby", "missing-1")
    missing = gent.locator("#missing-1")
    expect(missing).to_contain_text(t("Tranche %(n)s cannot be requested yet. Still missing:", n=1))
    expect(missing).to_contain_text(
        t("The signed cooperation agreement is waiting for VLAIO's check.")
    )
    expect(missing).to_contain_text(
        t(
            "VLAIO has not yet confirmed that the decision's conditions are met: %(conditions)s",
            conditions=CONDITIONS,
        )
    )
    expect(missing.locator("li")).to_have_count(2)  # the start date is met
    check(gent, "lead-project-tranche-1-missing")

    # The call manager accepts the agreement and confirms the decision's condition.
    mona = new_person(open_page, live_server, manager, "manager")
    check(mona, "manager-dashboard")
    open_project_as_staff(mona, grant)
    agreement_section = mona.locator("section#agreement")
    expect(agreement_section).to_contain_text(t("Waiting for the check"))
    check(mona, "manager-project-checks")
    click_and_wait(mona, button(accepting(agreement_section), "Save the check"))
    expect(message(mona)).to_contain_text(t("Your check of the agreement is saved."))
    click_and_wait(mona, button(mona.locator("#conditions"), "Confirm that the conditions are met"))
    expect(message(mona)).to_contain_text(t("The decision's conditions are confirmed as met."))
    expect(mona.locator("#agreement")).to_contain_text(t("Accepted"))

    # The lead requests tranche 1.
    gent.reload()
    expect(request_button(gent, 1)).to_be_enabled()
    expect(gent.locator("#missing-1")).to_have_count(0)
    click_and_wait(gent, request_button(gent, 1))
    expect(message(gent)).to_contain_text(
        t("Tranche %(n)s is requested. Finance checks the request.", n=1)
    )
    expect(tranche_row(gent, 1)).to_contain_text(t("Requested"))
    expect(gent.locator("section#start form")).to_have_count(0)  # the start date is fixed
    check(gent, "lead-project-tranche-1-requested")
    told = t("Tranche %(n)s of %(reference)s waits for your check", n=1, reference=ref)
    assert {a for m in mailoutbox if m.subject == told for a in m.to} == {
        finance_a.email,
        finance_b.email,
    }

    # 2. Finance officer A checks and proposes; A cannot approve the own proposal.
    fien = new_person(open_page, live_server, finance_a, "finance-a")
    open_finance(fien)
    requests = fien.locator("table.finance-requests tbody tr")
    expect(requests).to_have_count(1)
    expect(requests).to_contain_text(money(TRANCHES[0]))
    check(fien, "finance-dashboard")
    click_and_wait(fien, link(fien, "Check tranche %(n)s of %(ref)s", n=1, ref=ref))
    expect(fien.locator("main")).to_contain_text(iban_groups(IBAN))
    stored = fien.locator("ul.finance-checks").first
    expect(stored.locator("li[data-ok=true]")).to_have_count(3)
    check(fien, "finance-request-check")
    propose(fien, grant, 1)
    decision = fien.locator("section#decision")
    expect(decision).to_contain_text(
        t(
            "You proposed this payment: it is waiting for a colleague. A second finance officer "
            "approves or rejects it."
        )
    )
    expect(button(fien, "Release the payment")).to_have_count(0)
    expect(fien.locator("form#approve")).to_have_count(0)
    check(fien, "finance-own-proposal")

    # Finance officer B releases it.
    bart = new_person(open_page, live_server, finance_b, "finance-b")
    open_finance(bart)
    click_and_wait(bart, link(bart, "Approve or reject tranche %(n)s of %(ref)s", n=1, ref=ref))
    expect(bart.locator("form#approve")).to_have_count(1)
    check(bart, "finance-approve")
    release(bart, grant, 1)
    expect(bart.locator("main")).to_contain_text(t("Not exported yet"))
    check(bart, "finance-released")
    payment = Payment.objects.get(tranche__grant=grant, tranche__number=1)
    assert payment.status == PaymentStatus.RELEASED
    assert (payment.proposed_by, payment.approved_by) == (finance_a, finance_b)
    assert LedgerEntry.objects.filter(payment=payment, kind=LedgerKind.PAYMENT).count() == 1

    # The SEPA file: made on the finance page, downloaded, pain.001 with the IBAN and amount.
    click_and_wait(
        bart,
        bart.get_by_role("navigation", name=t("Breadcrumb")).get_by_role(
            "link", name=t("Finance"), exact=True
        ),
    )
    sepa = bart.locator("section#sepa")
    click_and_wait(bart, button(sepa, "Make the SEPA file (pain.001)"))
    batch = SepaBatch.objects.get()
    expect(message(bart)).to_contain_text(
        t(
            "SEPA file %(id)s is ready: %(count)s payments, %(total)s.",
            id=batch.message_id,
            count=1,
            total=money(TRANCHES[0]),
        )
    )
    expect(sepa).to_contain_text(t("Every released payment is in a SEPA file."))
    check(bart, "finance-sepa-made")
    file_link = sepa.get_by_role("link", name=batch.message_id)
    response = bart.request.get(file_link.get_attribute("href"))
    assert response.status == 200, response.status
    xml = response.body().decode()
    assert xml.startswith("<?xml"), xml[:80]
    assert "pain.001.001.03" in xml
    assert f"<IBAN>{IBAN}</IBAN>" in xml, xml
    assert '<InstdAmt Ccy="EUR">320000.00</InstdAmt>' in xml, xml
    assert ref in xml

    # The lead sees tranche 1 paid; tranche 2 waits for halfway, the report and the costs.
    open_project_as_lead(gent, grant)
    expect(tranche_row(gent, 1)).to_contain_text(t("Paid"))
    expect(tranche_row(gent, 1)).to_contain_text(
        t("Paid on %(when)s: %(amount)s", when=typed(today), amount=money(TRANCHES[0]))
    )
    expect(request_button(gent, 2)).to_be_disabled()
    early = gent.locator("#missing-2")
    expect(early).to_contain_text(
        t(
            "Tranche 2 can be requested from %(day)s, halfway through the project.",
            day=short_date(halfway),
        )
    )
    expect(early).to_contain_text(t("Deliver the interim content report."))
    expect(early).to_contain_text(
        t(
            "Reported costs %(reported)s = %(share)s of %(total)s; at least %(minimum)s needed.",
            reported=money(0),
            share="0%",
            total=money(TOTAL_COST),
            minimum="50%",
        )
    )
    check(gent, "lead-project-tranche-1-paid")

    # 3. Halfway through the project (sessions have long ended: everyone logs in again).
    with time_machine.travel(at_ten(halfway + timedelta(days=7)), tick=True):
        kortrijk_line = report_costs(grant, lead)
        log_in(gent, live_server, lead)
        open_project_as_lead(gent, grant)
        interim = gent.locator("section#report-interim form")
        field(interim, "Summary of the progress").fill(
            "De sensoren hangen in drie zones; het platform toont vrije plaatsen."
        )
        field(interim, "Interim content report").set_input_files(upload("tussentijds.pdf"))
        interim.get_by_label(re.compile(r"\bZoektijd parkeren \(")).fill("9,5")
        click_and_wait(gent, button(interim, "Submit"))
        expect(message(gent)).to_contain_text(t("The report is submitted. VLAIO checks it."))

        log_in(mona, live_server, manager)
        open_project_as_staff(mona, grant)
        report = mona.locator("section#report-interim")
        expect(report.locator("table")).to_contain_text("9,5")
        click_and_wait(mona, button(accepting(report), "Save the check"))
        expect(message(mona)).to_contain_text(t("Your check of the report is saved."))

        # The lead's page offers tranche 2: halfway, the report, 55% of the costs reported.
        gent.reload()
        expect(request_button(gent, 2)).to_be_enabled()
        check(gent, "lead-project-tranche-2-ready")

        # Meanwhile finance rejects Kortrijk's line: it has no payslips.
        log_in(fien, live_server, finance_a)
        open_project_as_staff(fien, grant)
        click_and_wait(fien, link(fien, "Cost statements (R-COSTS)"))
        assert fien.url.endswith(f"/projecten/{ref}/kosten/"), fien.url
        row = fien.locator(f"tr#line-{kortrijk_line.pk}")
        row.get_by_role("textbox").fill(REJECTION)
        check(fien, "finance-cost-lines")
        click_and_wait(
            fien, row.get_by_role("button", name=re.compile(rf"^\s*{re.escape(t('Reject'))}\b"))
        )
        expect(message(fien)).to_contain_text(
            t("The line of %(day)s is rejected.", day=short_date(kortrijk_line.date))
        )
        kortrijk_line.refresh_from_db()
        assert kortrijk_line.status == LineStatus.REJECTED

        # The lead's request comes too early now: 45% of the costs, with the figures.
        click_and_wait(gent, request_button(gent, 2))
        refusal = gent.locator("#request-2-error")
        expect(refusal).to_contain_text(
            t("Tranche %(n)s cannot be requested yet. Still missing:", n=2)
        )
        expect(refusal).to_contain_text(
            t(
                "Reported costs %(reported)s = %(share)s of %(total)s; at least %(minimum)s "
                "needed.",
                reported=money(GENT_PERSONNEL + GENT_EXTERNAL),
                share="45%",
                total=money(TOTAL_COST),
                minimum="50%",
            )
        )
        expect(refusal.locator("li")).to_have_count(1)
        expect(tranche_row(gent, 2)).to_contain_text(t("Not requested yet"))
        check(gent, "lead-project-tranche-2-refused")

        # The lead reads why the line was rejected and reports Kortrijk's cost with payslips.
        click_and_wait(gent, link(gent, "Cost statements (R-COSTS)"))
        expect(gent.locator(f"tr#line-{kortrijk_line.pk}")).to_contain_text(REJECTION)
        add = gent.locator("section#add-line form")
        partner = grant.application.partners.get(organisation__nis_code=KORTRIJK)
        field(add, "Partner").select_option(str(partner.pk))
        field(add, "Category").select_option("personnel")
        field(add, "Date of the cost").fill(typed(halfway - timedelta(days=10)))
        field(add, "Description").fill("Loonkost analist Kortrijk, met loonfiches")
        field(add, "Amount").fill("162.345,67")
        field(add, "Evidence").set_input_files(upload("loonfiches.pdf"))
        check(gent, "lead-cost-lines")
        click_and_wait(gent, button(add, "Add the cost line"))
        expect(message(gent)).to_contain_text(
            t("The cost line is added. Finance checks it with its evidence.")
        )
        expect(gent.locator("#lines")).to_contain_text(money(KORTRIJK_WITH_EVIDENCE))

        # Now the request goes through; A proposes, B releases.
        click_and_wait(
            gent,
            gent.get_by_role("navigation", name=t("Breadcrumb")).get_by_role("link", name=ref),
        )
        click_and_wait(gent, request_button(gent, 2))
        expect(message(gent)).to_contain_text(
            t("Tranche %(n)s is requested. Finance checks the request.", n=2)
        )
        propose(fien, grant, 2)
        log_in(bart, live_server, finance_b)
        release(bart, grant, 2)

    # 4. After the project end: the final report, tranche 3, the settlement with a recovery.
    with time_machine.travel(at_ten(grant.end_date + timedelta(days=7)), tick=True):
        log_in(gent, live_server, lead)
        open_project_as_lead(gent, grant)
        expect(tranche_row(gent, 2)).to_contain_text(t("Paid"))
        expect(request_button(gent, 3)).to_be_disabled()
        final = gent.locator("section#report-final form")
        field(final, "Summary of the progress").fill(
            "Twaalf gemeenten gebruiken het platform; de zoektijd daalde tot 6,5 minuten."
        )
        field(final, "Final content and financial report").set_input_files(upload("eind.pdf"))
        field(final, "Award report").set_input_files(upload("gunningsverslag.pdf"))
        field(final, "Framework agreement").set_input_files(upload("raamovereenkomst.pdf"))
        field(final, "Playbook for other municipalities").set_input_files(upload("draaiboek.pdf"))
        final.get_by_label(re.compile(r"\bZoektijd parkeren \(")).fill("6,5")
        check(gent, "lead-project-final-report")
        click_and_wait(gent, button(final, "Submit"))
        expect(message(gent)).to_contain_text(t("The report is submitted. VLAIO checks it."))
        click_and_wait(gent, request_button(gent, 3))
        expect(message(gent)).to_contain_text(
            t("Tranche %(n)s is requested. Finance checks the request.", n=3)
        )
        expect(tranche_row(gent, 3)).to_contain_text(t("Requested"))

        # Finance: tranche 3 pays the balance of the settlement, so settle first.
        log_in(fien, live_server, finance_a)
        open_finance(fien)
        click_and_wait(fien, link(fien, "Check tranche %(n)s of %(ref)s", n=3, ref=ref))
        expect(fien.locator("main")).to_contain_text(
            t("Settle the grant first: tranche 3 pays the balance of the settlement (R-SETTLE).")
        )
        check(fien, "finance-request-check-tranche-3")
        click_and_wait(fien, fien.locator("dl.finance-facts").get_by_role("link", name=ref))
        click_and_wait(fien, link(fien, "Cost statements (R-COSTS)"))
        accept_all = fien.locator("form#accept-all")
        expect(accept_all).to_contain_text(money(ACCEPTED))  # three lines wait, € 612.345,67
        field(
            accept_all,
            "I checked the evidence of every line waiting for the check: accept them all.",
        ).check()
        click_and_wait(fien, button(accept_all, "Accept all waiting lines"))
        expect(message(fien)).to_contain_text(
            tn("%(count)s line is accepted.", "%(count)s lines are accepted.", 3, count=3)
        )
        check(fien, "finance-cost-lines-accepted")
        click_and_wait(
            fien,
            fien.get_by_role("navigation", name=t("Breadcrumb")).get_by_role("link", name=ref),
        )
        click_and_wait(fien, link(fien, "See the settlement"))
        assert fien.url.endswith(f"/projecten/{ref}/afrekening/"), fien.url
        main = fien.locator("main")
        expect(main).to_contain_text(money(ACCEPTED))
        expect(main).to_contain_text(money(FINAL_SUPPORT))
        expect(main).to_contain_text(money(PAID))
        expect(main).to_contain_text(t("To recover from the beneficiary"))
        check(fien, "finance-settlement-preview")
        field(
            main,
            "I checked the figures. Settle the grant and send the settlement letter to the "
            "lead applicant.",
        ).check()
        click_and_wait(fien, button(main, "Settle the grant"))
        expect(message(fien)).to_contain_text(
            t(
                "The grant is settled. A recovery of %(amount)s is claimed; the letter is sent "
                "to the lead applicant.",
                amount=money(RECOVERY),
            )
        )
        recovery_section = fien.locator("section[aria-labelledby=recovery-heading]")
        expect(recovery_section).to_contain_text(money(RECOVERY))
        check(fien, "finance-settled")

        recovery = Recovery.objects.get(grant=grant)
        assert recovery.amount == RECOVERY == Decimal("70123.47")
        assert LedgerEntry.objects.filter(recovery=recovery, kind=LedgerKind.RECOVERY).count() == 1
        grant.refresh_from_db()
        assert grant.status == "settled"
        assert grant.tranches.get(number=3).status == TrancheStatus.CANCELLED

        # The lead reads the settlement and opens the recovery letter (also e-mailed).
        open_project_as_lead(gent, grant)
        click_and_wait(gent, link(gent, "See the settlement and its letter"))
        main = gent.locator("main")
        expect(main).to_contain_text(money(FINAL_SUPPORT))
        expect(main.locator("section[aria-labelledby=recovery-heading]")).to_contain_text(
            money(RECOVERY)
        )
        letter_link = main.locator("section[aria-labelledby=letters-heading]").get_by_role("link")
        expect(letter_link).to_have_count(1)
        expect(letter_link).to_contain_text(money(RECOVERY))  # the subject names the claim
        check(gent, "lead-settlement")
        letter = flat(pdf_text(pdf_bytes(gent, letter_link.get_attribute("href"))))
        assert ref in letter, letter[:1500]
        for amount in (ACCEPTED, FINAL_SUPPORT, PAID, RECOVERY):
            assert money(amount) in letter, (money(amount), letter)
        assert structured_communication(recovery.pk) in letter, letter
        assert any(lead.email in m.to and ref in m.subject and m.attachments for m in mailoutbox), [
            m.subject for m in mailoutbox
        ]
