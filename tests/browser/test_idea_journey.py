"""Issue 4, end to end in the browser: the idea phase as the people who use it go through it.

A call manager plans a co-creation session and Gent registers for it. Gent registers a project
idea (autosaved as it is typed), names Kortrijk as partner, submits it and downloads the receipt.
Leuven's second idea arrives after the deadline and is refused without losing its text. A juror
declares no conflict and scores Gent's idea; a juror who works for the partner Kortrijk cannot
open it. The call manager sets the consensus, shortlists Gent's idea and not Leuven's, and
publishes the shortlist. Gent reads the letter (a PDF with the outcome) and finds the button to
start the full application; Leuven finds an explanation instead.

Every page visited passes axe-core (WCAG 2.0/2.1 A and AA) and is kept as a screenshot.
The deadline is moved in the database (the live server runs in this process), not the clock.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import Call, Idea, IdeaStatus
from applications.services import ideas as idea_services
from cot_portal.accounts.models import Membership, MembershipRole, Organisation, User

from .journey import (
    GENT,
    KORTRIJK,
    LEUVEN,
    checker,
    click_and_wait,
    demo_call,
    labelled,
    log_in_as,
    pdf_bytes,
    pdf_text,
    status_message,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SESSION_TITLE = "Infosessie City of Things: van idee tot aanvraag"

GENT_IDEA = {
    "De uitdaging": "Zoekverkeer naar parkeerplaatsen in de Gentse binnenstad veroorzaakt files.",
    "De datagebaseerde oplossing en wat er innovatief aan is": (
        "Sensoren en camerabeelden voeden een open API met vrije plaatsen in real time."
    ),
    "Capaciteitsopbouw en kennisborging": "Twee data-analisten van de stad bouwen mee.",
    "Afstemming op het lokale en Vlaamse beleid": "Past in het bestuursakkoord en het BBP.",
    "Draagvlak en uitrol naar andere lokale besturen": "Kortrijk en vijf gemeenten volgen.",
    "Openheid en interoperabiliteit": "OSLO-vocabularia, open standaarden en open data.",
    "Eerste werkpakketten": "WP1 analyse, WP2 aanbesteding, WP3 uitrol, WP4 kennisdeling.",
    "Voorlopig totaalbudget (euro)": "1.200.000,00",
    "Voorlopig budget: toelichting": "Personeel, externe diensten en sensoren.",
}
JUROR_POINTS = ["16", "15", "14,5", "13", "8", "7"]  # of 20/20/20/20/10/10: 73,5
LEUVEN_CONSENSUS = ["8", "7", "6", "5", "4", "3"]


# --- helpers ----------------------------------------------------------------------------------

check = checker("idea-journey")


def wait_for_autosave(page, version_before):
    """The autosave answered: a new version number and the 'saved' line."""
    expect(page.locator("#id_version")).not_to_have_value(version_before)
    expect(page.locator("#save-status")).to_contain_text("Bewaard")


def submit_leuven_idea_in_time(call):
    """Leuven's first idea, submitted in time (through the services, to keep the test short)."""
    leuven = Organisation.objects.get(nis_code=LEUVEN)
    user = User.objects.get(email="aanvrager@leuven.demo")
    idea = idea_services.create_idea(
        call=call, organisation=leuven, user=user, title="Deelfietsen op data in Leuven"
    )
    values = {
        "challenge": "Deelfietsen staan niet waar mensen ze nodig hebben.",
        "solution": "Een voorspellend model herverdeelt de fietsen.",
        "capacity_building": "De mobiliteitsdienst leert het model bijsturen.",
        "policy_alignment": "Past in het mobiliteitsplan.",
        "support_rollout": "Drie buurgemeenten kijken mee.",
        "openness": "Open data over de beschikbaarheid.",
        "work_packages": "WP1 data, WP2 model, WP3 proef.",
        "budget_total": Decimal("400000.00"),
        "themes": ["mobility"],
    }
    result = idea_services.save_idea(idea, user=user, values=values, version=idea.version)
    return idea_services.submit_idea(result.idea, user=user)


# --- the journey ------------------------------------------------------------------------------


def test_idea_phase_from_co_creation_to_the_shortlist_letter(
    open_page, live_server, settings, mailoutbox
):
    call = demo_call(settings)
    year, call_title = call.year, call.title

    # 1. The call manager plans an information session, through the session list.
    manager = log_in_as(open_page, live_server, "callmanager@vlaio.demo", "manager")
    click_and_wait(manager, manager.get_by_role("link", name=f"Sessies van {call_title}"))
    check(manager, "manager-session-list-empty")
    click_and_wait(manager, manager.get_by_role("link", name="Een sessie plannen"))
    check(manager, "manager-session-form")
    day = timezone.localdate() + timedelta(days=7)
    labelled(manager, "Titel").fill(SESSION_TITLE)
    labelled(manager, "Soort").select_option(label="Informatiesessie")
    labelled(manager, "Beschrijving").fill("Uitleg over de oproep en de regels.")
    labelled(manager, "Begint").fill(f"{day.isoformat()}T10:00")
    labelled(manager, "Eindigt").fill(f"{day.isoformat()}T12:00")
    labelled(manager, "Plaats").fill("VLAIO, Koning Albert II-laan 35, Brussel")
    labelled(manager, "Aantal plaatsen (personen)").fill("40")
    click_and_wait(manager, manager.get_by_role("button", name="Sessie plannen"))
    assert re.search(rf"/oproepen/{year}/sessies/\d+/$", manager.url), manager.url
    expect(manager.locator("h1")).to_have_text(SESSION_TITLE)
    expect(status_message(manager).first).to_contain_text("De sessie is gepland")
    check(manager, "manager-session-detail")
    session_url = manager.url

    # 2. Gent finds the session on its dashboard and registers for it.
    gent = log_in_as(open_page, live_server, "aanvrager@gent.demo", "gent")
    panel = gent.locator("section[aria-labelledby=cocreation-applicant-heading]")
    click_and_wait(gent, panel.get_by_role("link", name=f"Inschrijven voor {SESSION_TITLE}"))
    check(gent, "gent-session-detail")
    click_and_wait(gent, gent.get_by_role("button", name="Inschrijven", exact=True))
    expect(status_message(gent).first).to_contain_text("U bent ingeschreven")
    expect(gent.locator("#registration")).to_contain_text("U bent ingeschreven voor deze sessie")
    check(gent, "gent-session-registered")
    # The call manager sees the registration.
    manager.goto(session_url)
    expect(manager.locator("main table")).to_contain_text("Gent")

    # 3. Gent registers an idea: a title first, then the form that saves itself.
    gent.goto("/mijn-portaal/")
    click_and_wait(gent, gent.get_by_role("link", name="Een projectidee aanmelden"))
    check(gent, "gent-new-idea")
    gent.get_by_label("Titel van uw projectidee").fill("Slimme parkeersensoren in de binnenstad")
    click_and_wait(gent, gent.get_by_role("button", name="Projectidee aanmaken"))
    assert re.search(r"/ideeen/IDEE-\d{4}-\d{4}/$", gent.url), gent.url
    idea_url = gent.url
    gent_ref = idea_url.rstrip("/").rsplit("/", 1)[-1]
    check(gent, "gent-idea-draft-empty")

    for label, value in GENT_IDEA.items():
        version = gent.locator("#id_version").input_value()
        field = labelled(gent, label)
        field.fill(value)
        field.blur()
        wait_for_autosave(gent, version)
    version = gent.locator("#id_version").input_value()
    gent.get_by_label("Slimme mobiliteit").check()
    wait_for_autosave(gent, version)
    check(gent, "gent-idea-autosaved")

    # What was typed survives a reload: it was saved without pressing a button.
    gent.reload()
    for label, value in GENT_IDEA.items():
        if label.startswith("Voorlopig totaalbudget"):
            # The amount comes back without thousands separators.
            value = re.compile(r"^1\.?200\.?000,00$")
        expect(labelled(gent, label)).to_have_value(value)
    expect(gent.get_by_label("Slimme mobiliteit")).to_be_checked()

    # Kortrijk joins as participant.
    partners = gent.locator("#partners")
    labelled(partners, "Organisatie").select_option(label="Kortrijk")
    labelled(partners, "Rol").select_option(label="Deelnemer")
    partners.get_by_label("Bijdrage").fill("Test de sensoren in de Kortrijkse Veemarkt.")
    click_and_wait(gent, partners.get_by_role("button", name="Partner toevoegen"))
    expect(gent.locator("#partners li")).to_contain_text("Kortrijk")
    check(gent, "gent-idea-with-partner")

    click_and_wait(gent, gent.get_by_role("button", name="Projectidee indienen"))
    assert gent.url.split("#")[0] == idea_url, gent.url
    expect(status_message(gent).first).to_contain_text("Uw projectidee is ingediend")
    expect(gent.get_by_role("button", name="Projectidee indienen")).to_have_count(0)
    receipt = gent.get_by_role("link", name=f"Ontvangstbewijs van {gent_ref} (pdf)")
    expect(receipt).to_be_visible()
    check(gent, "gent-idea-submitted")
    receipt_pdf = pdf_text(pdf_bytes(gent, receipt.get_attribute("href")))
    assert gent_ref in receipt_pdf, receipt_pdf[:500]

    # Kortrijk, the partner, finds the idea among its own and reads it; it cannot change it,
    # and no link on the page leads to a letter it may not open.
    kortrijk = log_in_as(open_page, live_server, "partner@kortrijk.demo", "kortrijk")
    click_and_wait(
        kortrijk, kortrijk.locator("header nav").get_by_role("link", name="Projectideeën")
    )
    check(kortrijk, "partner-my-ideas")
    click_and_wait(
        kortrijk, kortrijk.get_by_role("link", name="Slimme parkeersensoren in de binnenstad")
    )
    assert kortrijk.url == idea_url, kortrijk.url
    expect(kortrijk.locator("main")).to_contain_text(GENT_IDEA["De uitdaging"])
    expect(kortrijk.get_by_role("button", name="Projectidee indienen")).to_have_count(0)
    expect(kortrijk.locator("main textarea")).to_have_count(0)
    for href in kortrijk.locator("main a[href*='/letters/letter/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    ):
        assert kortrijk.request.get(href).status == 200, href
    check(kortrijk, "partner-idea-read-only")

    # 4. Leuven: one idea submitted in time, a second one still a draft at the deadline.
    leuven_done = submit_leuven_idea_in_time(call)
    leuven = log_in_as(open_page, live_server, "aanvrager@leuven.demo", "leuven")
    click_and_wait(leuven, leuven.get_by_role("link", name="Een projectidee aanmelden"))
    leuven.get_by_label("Titel van uw projectidee").fill("Slimme verlichting op het Ladeuzeplein")
    click_and_wait(leuven, leuven.get_by_role("button", name="Projectidee aanmaken"))
    late_url = leuven.url
    challenge = labelled(leuven, "De uitdaging")
    version = leuven.locator("#id_version").input_value()
    challenge.fill("Het plein is 's nachts te donker of te fel verlicht.")
    challenge.blur()
    wait_for_autosave(leuven, version)

    # The deadline passes while Leuven is still working on it.
    now = timezone.now()
    Call.objects.filter(pk=call.pk).update(
        idea_phase_opens=now - timedelta(days=30), idea_deadline=now - timedelta(minutes=1)
    )
    click_and_wait(leuven, leuven.get_by_role("button", name="Projectidee indienen"))
    assert leuven.url == late_url, leuven.url
    refusal = status_message(leuven).filter(has_text="deadline")
    expect(refusal).to_contain_text("De deadline voor projectideeën was")
    expect(refusal).to_contain_text("kan niet aanvaard worden")
    expect(labelled(leuven, "De uitdaging")).to_have_value(
        "Het plein is 's nachts te donker of te fel verlicht."
    )
    check(leuven, "leuven-late-submission-refused")
    assert Idea.objects.get(reference=late_url.rstrip("/").rsplit("/", 1)[-1]).status == (
        IdeaStatus.DRAFT
    )

    # 5. A juror declares no conflict and scores Gent's idea.
    juror = log_in_as(open_page, live_server, "jurylid@vlaio.demo", "juror")
    jury_panel = juror.locator("section[aria-labelledby=jury-ideas-heading]")
    click_and_wait(juror, jury_panel.get_by_role("link", name=f"Projectideeën van {call_title}"))
    check(juror, "juror-idea-list")
    click_and_wait(juror, juror.get_by_role("link", name=f"Verklaring invullen voor {gent_ref}"))
    check(juror, "juror-declaration")
    juror.get_by_label(
        "Ik heb geen belangenconflict met dit projectidee of de partners ervan"
    ).check()
    click_and_wait(juror, juror.get_by_role("button", name="Mijn verklaring bewaren"))
    assert juror.url.endswith(f"/jury/ideeen/{gent_ref}/"), juror.url
    expect(juror.locator("main")).to_contain_text(GENT_IDEA["De uitdaging"])
    check(juror, "juror-score-form")
    for number, points in enumerate(JUROR_POINTS, start=1):
        labelled(juror, f"Punten voor criterium {number}").fill(points)
        labelled(juror, f"Feedback bij criterium {number}").fill(
            f"Mijn opmerking bij criterium {number}."
        )
    click_and_wait(juror, juror.get_by_role("button", name="Mijn scores indienen"))
    assert juror.url.endswith(f"/jury/oproepen/{year}/ideeen/"), juror.url
    expect(status_message(juror).first).to_contain_text("Uw scores zijn ingediend")
    gent_row = juror.get_by_role("row").filter(has=juror.get_by_role("rowheader", name=gent_ref))
    expect(gent_row).to_contain_text("Ingediend")
    check(juror, "juror-idea-list-scored")

    # A juror who works for the partner Kortrijk cannot open Gent's idea at all.
    expert_user = User.objects.get(email="expert@jury.demo")
    Membership.objects.create(
        user=expert_user,
        organisation=Organisation.objects.get(nis_code=KORTRIJK),
        role=MembershipRole.CONTRIBUTOR,
    )
    expert = log_in_as(open_page, live_server, "expert@jury.demo", "expert")
    expert.goto(f"/jury/oproepen/{year}/ideeen/")
    expect(expert.get_by_role("link", name=re.compile(gent_ref))).to_have_count(0)
    conflicts = expert.locator("section[aria-labelledby=conflicts-heading]")
    expect(conflicts).to_contain_text(gent_ref)
    check(expert, "conflicted-juror-idea-list")
    for path in (f"/jury/ideeen/{gent_ref}/", f"/jury/ideeen/{gent_ref}/verklaring/"):
        response = expert.goto(path)
        assert response.status == 404, f"{path}: HTTP {response.status}"
        expect(expert.locator("main")).not_to_contain_text(GENT_IDEA["De uitdaging"])
    check(expert, "conflicted-juror-404")

    # 6. The call manager: consensus and decision per idea, then the publication.
    manager.goto("/mijn-portaal/")
    shortlist_panel = manager.locator("section[aria-labelledby=shortlist-manager-heading]")
    click_and_wait(manager, shortlist_panel.get_by_role("link", name=f"Shortlist van {call_title}"))
    shortlist_url = manager.url
    check(manager, "manager-shortlist-undecided")

    click_and_wait(manager, manager.get_by_role("link", name=f"{gent_ref} beoordelen"))
    check(manager, "manager-assessment-gent")
    # The consensus starts from the jury's mean: here the one juror's points.
    expect(labelled(manager, "Consensuspunten voor criterium 3")).to_have_value("14,5")
    labelled(manager, "Feedback voor de aanvrager bij criterium 1").fill(
        "Sterk datagedreven idee met duidelijke lokale impact."
    )
    labelled(manager, "Algemene feedback voor de aanvrager").fill(
        "Een overtuigend idee; werk de uitrol naar andere gemeenten verder uit."
    )
    labelled(manager, "Op de shortlist").check()
    click_and_wait(manager, manager.get_by_role("button", name="Beoordeling bewaren"))
    expect(status_message(manager).first).to_contain_text(f"De beoordeling van {gent_ref}")
    check(manager, "manager-assessment-gent-saved")

    manager.goto(shortlist_url)
    click_and_wait(manager, manager.get_by_role("link", name=f"{leuven_done.reference} beoordelen"))
    for number, points in enumerate(LEUVEN_CONSENSUS, start=1):
        labelled(manager, f"Consensuspunten voor criterium {number}").fill(points)
    labelled(manager, "Algemene feedback voor de aanvrager").fill(
        "Het idee is vooral een digitalisering van een bestaand proces."
    )
    labelled(manager, "Niet op de shortlist").check()
    click_and_wait(manager, manager.get_by_role("button", name="Beoordeling bewaren"))
    expect(status_message(manager).first).to_contain_text(
        f"De beoordeling van {leuven_done.reference}"
    )

    manager.goto(shortlist_url)
    check(manager, "manager-shortlist-decided")
    publish = manager.locator("section[aria-labelledby=publish-heading]")
    publish.get_by_role("checkbox").check()
    click_and_wait(manager, publish.get_by_role("button", name="Shortlist publiceren"))
    expect(status_message(manager).first).to_contain_text("De shortlist is gepubliceerd")
    expect(manager.get_by_role("link", name=f"Brief {gent_ref} (pdf)")).to_be_visible()
    check(manager, "manager-shortlist-published")

    # The manager's overview of the call's ideas shows the outcome too.
    manager.goto(f"/oproepen/{year}/ideeen/")
    expect(manager.locator("main")).to_contain_text(gent_ref)
    check(manager, "manager-call-ideas")

    # 7. Gent reads the letter from the dashboard: a PDF with the outcome.
    gent.goto("/mijn-portaal/")
    check(gent, "gent-dashboard-after-shortlist")
    letters = gent.locator("section[aria-labelledby=orgs-heading] a[href*='/letters/letter/']")
    letter_link = letters.filter(has_text=re.compile("shortlist", re.IGNORECASE)).first
    expect(letter_link).to_be_visible()
    letter_href = letter_link.get_attribute("href")
    letter = pdf_text(pdf_bytes(gent, letter_href))
    assert gent_ref in letter, letter[:800]
    assert "Op de shortlist" in letter or "op de shortlist" in letter, letter[:800]
    assert "niet op de shortlist" not in letter.lower(), letter[:800]
    assert "Sterk datagedreven idee" in letter, letter[:800]
    assert any("aanvrager@gent.demo" in m.to for m in mailoutbox), [m.to for m in mailoutbox]

    # 8. Only the shortlisted idea can become a full application.
    gent.goto(idea_url)
    expect(gent.locator("main")).to_contain_text("Op de shortlist")
    check(gent, "gent-idea-shortlisted")
    # The letter is on the idea's page too.
    from_idea = gent.get_by_role("link", name="Brief over de shortlist (pdf)")
    assert from_idea.get_attribute("href") == letter_href
    start = gent.get_by_role("button", name=re.compile("aanvraag", re.IGNORECASE))
    expect(start).to_have_count(1)

    leuven.goto(f"/ideeen/{leuven_done.reference}/")
    next_step = leuven.locator("section[aria-labelledby=next-heading]")
    # The explanation: not on the shortlist, so no full application in this call.
    expect(next_step).to_contain_text(re.compile("niet op de shortlist", re.IGNORECASE))
    expect(next_step).to_contain_text("volledige aanvraag")
    expect(leuven.get_by_role("button", name=re.compile("aanvraag", re.IGNORECASE))).to_have_count(
        0
    )
    check(leuven, "leuven-idea-not-shortlisted")
    # The letter that "explains the jury's reasons" is one click away.
    leuven_letter = pdf_text(
        pdf_bytes(
            leuven,
            leuven.get_by_role("link", name="Brief over de shortlist (pdf)").get_attribute("href"),
        )
    )
    assert "niet op de shortlist" in leuven_letter.lower(), leuven_letter[:800]
    assert "digitalisering van een bestaand proces" in leuven_letter, leuven_letter[:800]


def test_typing_and_submitting_straight_away_is_not_a_conflict(open_page, live_server, settings):
    """A person types the last answer and clicks "submit" at once.

    Leaving the field fires the autosave; the click posts the form. Here the autosave reaches the
    server but its answer is lost because the page navigates (as happens in a real browser),
    so the form still carries the old version. Both carry the same text: that is no conflict.
    """
    call = demo_call(settings)
    gent_org = Organisation.objects.get(nis_code=GENT)
    user = User.objects.get(email="aanvrager@gent.demo")
    idea = idea_services.create_idea(
        call=call, organisation=gent_org, user=user, title="Slimme parkeersensoren"
    )
    values = {
        "challenge": "Zoekverkeer in de binnenstad.",
        "solution": "Sensoren en een open API.",
        "capacity_building": "Twee data-analisten.",
        "policy_alignment": "Past in het bestuursakkoord.",
        "support_rollout": "Vijf gemeenten volgen.",
        "openness": "OSLO en open data.",
        "budget_total": Decimal("1200000.00"),
        "themes": ["mobility"],
    }
    idea_services.save_idea(idea, user=user, values=values, version=idea.version)

    page = log_in_as(open_page, live_server, "aanvrager@gent.demo", "race")
    page.goto(f"/ideeen/{idea.reference}/")
    saved = []

    def autosave_answer_lost(route):
        route.fetch()  # the server saves ...
        saved.append(True)
        route.abort()  # ... but the page is already on its way to the next one

    page.route("**/bewaren/", autosave_answer_lost)
    field = labelled(page, "Eerste werkpakketten")
    field.fill("WP1 analyse, WP2 uitrol.")
    field.blur()
    for _ in range(50):
        if saved:
            break
        page.wait_for_timeout(100)
    assert saved, "the autosave did not fire"
    click_and_wait(page, page.get_by_role("button", name="Projectidee indienen"))
    expect(status_message(page).first).to_contain_text("Uw projectidee is ingediend")
