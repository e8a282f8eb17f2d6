"""Issue 7, end to end in the browser: the jury, the ranking and the Government's decision (§6).

Gent's application is submitted and admissible (set up through the services); four other
applications of the call carry submitted score sheets already (written directly, fast). Two
jurors declare no conflict of interest through the gate and score Gent's application on A1–C3.
A juror who is a member of the partner Kortrijk is conflicted automatically, and a juror who
declares a conflict through the gate loses the application too: its pages answer 404 for both.
The call manager looks at the jury, sets a motivated consensus on one sub-criterion (the total
follows) and cuts the support with a motivation (the awarded amount follows). The ranking walks
the envelope: Gent is funded, the next eligible applications go on the reserve list, two do not
meet the thresholds. She freezes the advice (a PDF holding every reference), records the
Government's decision, and the letters go out. Gent's lead follows the decision link from the
application, reads the awarded amount (no juror names anywhere) and opens the approval letter:
the awarded amount and its tranches 40/30/30, the last one taking the remainder.

Every page visited passes axe-core (WCAG 2.0/2.1 A and AA) and is kept as a screenshot.
Wording is looked up through the portal's own translations (`t`); amounts and names literally.
"""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import Application, ApplicationStatus
from applications.services.submission import submit_application
from cot_portal.accounts.groups import ensure_staff_groups
from cot_portal.accounts.models import Membership, MembershipRole
from cot_portal.accounts.services import sync_local_governments
from cot_portal.formatting import euro
from scoring.models import DecisionOutcome, GovernmentDecision, JuryAssignment, JuryMember
from scoring.ranking import SUBCRITERION_CODES
from tests.factories import PASSWORD, municipality
from tests.factories_application import complete, started_application
from tests.factories_ranking import LEADS, on_jury, ranking_call, scored_application, uniform
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
    prefix,
    status_message,
    t,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each juror's points on every sub-criterion of Gent's application, typed the Belgian way.
JAN_POINTS, ELS_POINTS = "8", "7,5"
CONSENSUS_MOTIVATION = "De jury weegt de nood van de kleinere volgers zwaarder dan de leden."
CUT_MOTIVATION = "De communicatiekosten in WP2 zijn te ruim begroot."
REDUCTION = Decimal("12345.65")
REQUESTED = Decimal("800000.00")
AWARDED = REQUESTED - REDUCTION  # € 787.654,35
# R-TR: 40 % and 30 % rounded half up to the cent; the third tranche takes the remainder.
TRANCHES = (Decimal("315061.74"), Decimal("236296.31"), Decimal("236296.30"))
ENVELOPE = Decimal("1000000.00")
DECISION_REFERENCE = "VR 2030 0612 DOC.0456/2"


# --- helpers ----------------------------------------------------------------------------------

check = checker("jury-decision-journey")


def money(amount) -> str:
    """An amount as the portal shows it (`€ 787.654,35`), with an ordinary space."""
    return euro(amount).replace("\xa0", " ")


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))


def log_in(open_page, live_server, user, name):
    """A new page on which `user` logged in (confirming the second factor if asked)."""
    page = open_page(name)
    login(page, live_server, user.email, PASSWORD)
    if "/account/tweede-factor/" in page.url:
        confirm_second_factor(page)
    assert page.url.endswith("/mijn-portaal/"), page.url
    return page


def open_jury_list(page, call):
    panel = page.locator("section[aria-labelledby=application-jury-heading]")
    click_and_wait(page, panel.get_by_role("link", name=call.title))
    assert page.url.endswith(f"/jury/oproepen/{call.year}/aanvragen/"), page.url


def row_of(page, reference):
    return page.locator("main table tbody tr").filter(has_text=reference)


def score_as_juror(page, call, reference, points, checking: bool):
    """From the dashboard: the declaration (no conflict), the score form, submitted."""
    open_jury_list(page, call)
    if checking:
        check(page, "juror-list")
    click_and_wait(page, link(page, "Declare for %(ref)s", ref=reference))
    assert page.url.endswith(f"/jury/aanvragen/{reference}/verklaring/"), page.url
    if checking:
        check(page, "juror-declaration")
    page.get_by_label(
        t("I have no conflict of interest with this application or its partners")
    ).check()
    click_and_wait(page, button(page, "Save my declaration"))
    assert page.url.endswith(f"/jury/aanvragen/{reference}/"), page.url
    main = page.locator("main")
    expect(main).to_contain_text(t("The submitted application"))
    expect(main).to_contain_text("Een open parkeerplatform voor Vlaamse steden.")
    if checking:
        check(page, "juror-score-form")
    for code in SUBCRITERION_CODES:
        main.get_by_label(exactly("Points for %(code)s", code=code)).fill(points)
        main.get_by_label(exactly("Motivation for %(code)s", code=code)).fill(
            f"Mijn motivering bij {code}: {points} punten."
        )
    click_and_wait(page, button(main, "Submit my scores"))
    assert page.url.endswith(f"/jury/oproepen/{call.year}/aanvragen/"), page.url
    expect(status_message(page).first).to_contain_text(t("Your scores are submitted. Thank you."))
    expect(row_of(page, reference)).to_contain_text(t("Submitted"))
    if checking:
        check(page, "juror-list-submitted")


def refused(page, reference):
    """Neither the application nor its declaration exists for this juror."""
    for path in (f"/jury/aanvragen/{reference}/", f"/jury/aanvragen/{reference}/verklaring/"):
        response = page.goto(path)
        assert response.status == 404, f"{path}: HTTP {response.status}"
        expect(page.locator("h1")).to_have_text(
            t("This page does not exist or is not available to you")
        )
        expect(page.locator("main")).not_to_contain_text("Een open parkeerplatform")


def gent_application(call):
    """Gent's application, submitted through the service (a frozen version) and admissible."""
    application, applicant = started_application(call=call, lead_nis=GENT, partner_nis=(KORTRIJK,))
    complete(application, applicant)
    submit_application(application, user=applicant)
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.ADMISSIBLE)
    application.refresh_from_db()
    return application, applicant


# --- the journey ------------------------------------------------------------------------------


def test_jury_scores_ranks_and_the_decision_reaches_the_applicant(
    open_page, live_server, mailoutbox
):
    # Celery runs eagerly in these tests (tests/conftest.py): the decision letters are issued
    # when the decision commits, inside the request that records it.
    sync_local_governments()  # a transactional test before this one flushed them
    ensure_staff_groups()
    manager = call_manager(first_name="Mona", last_name="Manager")
    jan = juror(first_name="Jan", last_name="Jurylid")
    els = juror(first_name="Els", last_name="Expert")
    kris = juror(first_name="Kris", last_name="Kortrijkzaan")
    dirk = juror(first_name="Dirk", last_name="Dubbelpet")
    Membership.objects.create(
        user=kris, organisation=municipality(KORTRIJK), role=MembershipRole.CONTRIBUTOR
    )
    call = ranking_call(envelope=ENVELOPE)
    on_jury(call, manager, jan, els, kris, dirk)
    gent, applicant = gent_application(call)
    ref = gent.reference
    for member in JuryMember.objects.filter(call=call):
        JuryAssignment.objects.create(application=gent, juror=member)
    # The rest of the call: each requests € 800.000 and was scored by Jan and Els already.
    low_a = uniform(8)
    for code in ("A1", "A2", "A3"):
        low_a[code] = Decimal("3")  # A: 9 of 30, under 50 %
    others = {
        "reserve": scored_application(call, LEADS[1], [jan, els], uniform(7.5), minutes=1)[0],
        "second_reserve": scored_application(call, LEADS[2], [jan, els], uniform(7), minutes=2)[0],
        "low_a": scored_application(call, LEADS[3], [jan, els], low_a, minutes=3)[0],
        "low_total": scored_application(call, LEADS[4], [jan, els], uniform(5.5), minutes=4)[0],
    }
    references = [ref, *(a.reference for a in others.values())]

    # 1. Two jurors declare no conflict and score Gent's application.
    jan_page = log_in(open_page, live_server, jan, "jan")
    score_as_juror(jan_page, call, ref, JAN_POINTS, checking=True)
    els_page = log_in(open_page, live_server, els, "els")
    score_as_juror(els_page, call, ref, ELS_POINTS, checking=False)

    # A member of the partner Kortrijk is conflicted without declaring anything.
    kris_page = log_in(open_page, live_server, kris, "kris")
    open_jury_list(kris_page, call)
    expect(link(kris_page, "Declare for %(ref)s", ref=ref)).to_have_count(0)
    expect(link(kris_page, "Score %(ref)s", ref=ref)).to_have_count(0)
    conflicted = kris_page.locator("main li").filter(has_text=ref)
    expect(conflicted).to_contain_text(t("you are a member of one of its organisations"))
    check(kris_page, "partner-juror-list")
    refused(kris_page, ref)
    check(kris_page, "partner-juror-404")

    # A juror who declares a conflict through the gate loses the application as well.
    dirk_page = log_in(open_page, live_server, dirk, "dirk")
    open_jury_list(dirk_page, call)
    click_and_wait(dirk_page, link(dirk_page, "Declare for %(ref)s", ref=ref))
    dirk_page.get_by_label(t("I have a conflict of interest")).check()
    field(dirk_page.locator("main"), "Reason (when you have a conflict)").fill(
        "Mijn zus is schepen in Gent."
    )
    click_and_wait(dirk_page, button(dirk_page, "Save my declaration"))
    assert dirk_page.url.endswith(f"/jury/oproepen/{call.year}/aanvragen/"), dirk_page.url
    expect(status_message(dirk_page).first).to_contain_text(
        prefix(
            "Your conflict of interest for %(reference)s is recorded. You will not see or score "
            "this application."
        )
    )
    expect(dirk_page.locator("main li").filter(has_text=ref)).to_have_count(1)
    check(dirk_page, "declared-conflict-list")
    refused(dirk_page, ref)

    # 2. The call manager sees the jury, then sets a consensus and a cut on Gent's application.
    mona = log_in(open_page, live_server, manager, "manager")
    panel = mona.locator("section[aria-labelledby=application-manager-heading]")
    click_and_wait(mona, panel.get_by_role("link", name=t("Jury of %(title)s", title=call.title)))
    assert mona.url.endswith(f"/jury/oproepen/{call.year}/jury/"), mona.url
    members = mona.locator("main table").first
    for person in (jan, els, kris, dirk):
        expect(members).to_contain_text(person.get_full_name())
    sheets = mona.locator("section[aria-labelledby=sheets-heading] li").filter(has_text=ref)
    expect(sheets).to_have_count(2)
    check(mona, "manager-jury")

    mona.goto("/mijn-portaal/")
    panel = mona.locator("section[aria-labelledby=application-manager-heading]")
    click_and_wait(
        mona, panel.get_by_role("link", name=t("Ranking of %(title)s", title=call.title))
    )
    ranking_url = mona.url
    assert ranking_url.endswith(f"/jury/oproepen/{call.year}/rangschikking/"), ranking_url
    click_and_wait(mona, mona.locator("main table").get_by_role("link", name=ref, exact=True))
    assert mona.url.endswith(f"/jury/aanvragen/{ref}/consensus/"), mona.url
    expect(mona.locator("h1")).to_have_text(t("Consensus on %(ref)s", ref=ref))
    scores = mona.locator("table.consensus-table")
    expect(scores.locator("thead")).to_contain_text(jan.get_full_name())
    expect(scores.locator("thead")).to_contain_text(els.get_full_name())
    expect(scores.locator("thead")).not_to_contain_text(dirk.get_full_name())
    headers = [flat(h).strip() for h in scores.locator("thead th").all_inner_texts()]
    b1 = scores.locator("#line-B1")
    # Each member's points in their own column (the row's first cell is its header).
    expect(b1.locator("td").nth(headers.index(jan.get_full_name()) - 1)).to_have_text("8")
    expect(b1.locator("td").nth(headers.index(els.get_full_name()) - 1)).to_have_text("7,5")
    expect(b1.locator("td").nth(2)).to_have_text("7,8")  # the mean, half up to one decimal
    expect(b1.locator("td").nth(3)).to_contain_text("7,8")  # the consensus, until it is set
    total = mona.locator("section[aria-labelledby=thresholds-heading] tfoot td")
    expect(total).to_have_text("78")  # 10 × 7,8
    check(mona, "manager-consensus")

    details = scores.locator("details").filter(
        has=mona.get_by_text(t("Set the consensus on %(code)s", code="B1"), exact=True)
    )
    details.locator("summary").click()
    field(details, "Consensus points").fill("9")
    field(details, "Motivation").fill(CONSENSUS_MOTIVATION)
    click_and_wait(mona, button(details, "Save"))
    expect(status_message(mona).first).to_contain_text(
        t("The consensus on %(code)s is saved.", code="B1")
    )
    b1 = mona.locator("table.consensus-table #line-B1")
    expect(b1.locator("td").nth(3).locator("strong")).to_have_text("9")
    expect(b1.locator("td").nth(3)).to_contain_text(prefix("set by %(who)s on %(when)s"))
    expect(mona.locator("table.consensus-table")).to_contain_text(CONSENSUS_MOTIVATION)
    expect(total).to_have_text("79,2")  # 78 − 7,8 + 9
    expect(mona.locator("section[aria-labelledby=thresholds-heading]")).to_contain_text(
        t("Every threshold is met: the application is eligible for funding.")
    )

    cut = mona.locator("section#cut")
    awarded = cut.locator("dl dd").nth(2)
    expect(awarded).to_have_text(money(REQUESTED))
    field(cut, "Reduction of the requested support").fill("12.345,65")
    field(cut, "Motivation of the cut").fill(CUT_MOTIVATION)
    click_and_wait(mona, button(cut, "Save the cut"))
    expect(status_message(mona).first).to_contain_text(t("The cut is saved."))
    expect(cut.locator("dl dd").nth(2)).to_have_text(money(AWARDED))
    expect(cut).to_contain_text(CUT_MOTIVATION)
    expect(field(cut, "Reduction of the requested support")).to_have_value("12.345,65")
    check(mona, "manager-consensus-cut")

    # 3. The ranking against the envelope: one funded, two reserves, two under the thresholds.
    click_and_wait(
        mona,
        mona.get_by_role("navigation", name=t("Breadcrumb")).get_by_role(
            "link", name=t("Ranking"), exact=True
        ),
    )
    assert mona.url == ranking_url, mona.url
    rows = mona.locator("table.ranking-table tbody tr")
    expect(rows).to_have_count(5)
    expected = [
        (ref, t("Funded")),
        (others["reserve"].reference, t("Reserve list, position %(n)s", n=1)),
        (others["second_reserve"].reference, t("Reserve list, position %(n)s", n=2)),
        (others["low_a"].reference, t("Not eligible")),
        (others["low_total"].reference, t("Not eligible")),
    ]
    for position, (reference, outcome) in enumerate(expected):
        row = rows.nth(position)
        expect(row.locator("th")).to_contain_text(reference)
        expect(row.locator("td").first).to_have_text(str(position + 1))
        expect(row).to_contain_text(outcome)
    expect(rows.nth(0)).to_contain_text("79,2")
    expect(rows.nth(0)).to_contain_text(money(AWARDED))
    expect(rows.nth(0)).to_contain_text(t("after a cut"))
    expect(rows.nth(1)).not_to_contain_text(t("Funded"))
    envelope = mona.locator("dl.envelope-summary")
    expect(envelope).to_contain_text(money(ENVELOPE))
    expect(envelope).to_contain_text(money(ENVELOPE - AWARDED))
    check(mona, "manager-ranking")

    # 4. The advice is frozen; its PDF holds the ranking; the decision is recorded.
    click_and_wait(mona, button(mona, "Freeze the advice"))
    expect(status_message(mona).first).to_contain_text(
        t("The advice is frozen. Download it as PDF or xlsx below.")
    )
    advice_link = link(mona, "Advice (PDF)")
    advice = flat(pdf_text(pdf_bytes(mona, advice_link.get_attribute("href"))))
    for reference in references:
        assert reference in advice, (reference, advice[:2000])
    assert money(AWARDED) in advice, advice[:2000]
    xlsx = mona.request.get(link(mona, "Advice (xlsx)").get_attribute("href"))
    assert xlsx.status == 200 and xlsx.body().startswith(b"PK"), xlsx.status
    check(mona, "manager-advice-frozen")

    decision_form = mona.locator("section#decision form")
    today = timezone.localdate().strftime("%d/%m/%Y")
    field(decision_form, "Date of the Government's decision").fill(today)
    field(decision_form, "Reference of the decision").fill(DECISION_REFERENCE)
    field(
        decision_form,
        "The Government decided as the frozen advice says. Record it and send the decision "
        "letters.",
    ).check()
    click_and_wait(mona, button(decision_form, "Record the decision and send the letters"))
    expect(status_message(mona).first).to_contain_text(
        t("The decision is recorded. The decision letters are being prepared and e-mailed.")
    )
    decided = mona.locator("section#decision")
    expect(decided).to_contain_text(today)
    expect(decided).to_contain_text(DECISION_REFERENCE)
    expect(decided).to_contain_text(t("approved, %(amount)s", amount=money(AWARDED)))
    expect(decided.get_by_role("link", name=t("letter (PDF)"))).to_have_count(5)
    expect(decided.locator("form")).to_have_count(0)
    expect(button(mona, "Freeze the advice again")).to_have_count(0)
    check(mona, "manager-decision-recorded")
    decision = GovernmentDecision.objects.get(call=call)
    assert decision.decision_reference == DECISION_REFERENCE
    assert DecisionOutcome.objects.filter(decision=decision, letter__isnull=False).count() == 5
    subject = t("Your application %(reference)s is approved", reference=ref)
    mail = next(m for m in mailoutbox if m.subject == subject)
    assert applicant.email in mail.to, mail.to

    # 5. Gent's lead follows the decision from the application and opens the approval letter.
    gent_page = log_in(open_page, live_server, applicant, "gent")
    click_and_wait(gent_page, gent_page.get_by_role("link", name=f"{ref} {gent.title}", exact=True))
    click_and_wait(gent_page, link(gent_page, "The Government's decision on this application"))
    assert gent_page.url.endswith(f"/aanvragen/{call.year}/{gent.slug}/beslissing/"), gent_page.url
    main = gent_page.locator("main")
    expect(main).to_contain_text(t("Your application is approved."))
    expect(main).to_contain_text(t("Awarded amount: %(amount)s.", amount=money(AWARDED)))
    expect(main).to_contain_text(t("You requested %(amount)s.", amount=money(REQUESTED)))
    expect(main).to_contain_text(DECISION_REFERENCE)
    expect(main.locator("tfoot")).to_contain_text("79,2")
    for person in (jan, els, kris, dirk, manager):
        expect(main).not_to_contain_text(person.get_full_name())
    expect(main).not_to_contain_text(CONSENSUS_MOTIVATION)
    check(gent_page, "applicant-decision")

    letter_link = main.get_by_role(
        "link", name=re.compile(re.escape(prefix("Download the decision letter (PDF, %(date)s)")))
    )
    letter = flat(pdf_text(pdf_bytes(gent_page, letter_link.get_attribute("href"))))
    assert ref in letter, letter[:1500]
    assert money(AWARDED) in letter, letter
    for amount in TRANCHES:
        assert money(amount) in letter, (money(amount), letter)
    assert sum(TRANCHES) == AWARDED
    for person in (jan, els):
        assert person.get_full_name() not in letter, letter
