"""Issue 9, in the browser: the public register and what feeds it (R-SHARE, R-THEME).

Three projects of the 2030 call and one of 2031 are funded the real way (scored applications,
the frozen advice and the Government's decision); one 2030 project has a published playbook and
published lessons learned, another a playbook still waiting for VLAIO. A visitor who is not
logged in follows "Funded projects" in the site's menu, searches in Dutch ("parkeersensor" finds
"parkeersensoren"), filters on call year, theme and published results, opens the project, reads
its partnership, KPIs and lessons, and downloads the playbook: the very file that was uploaded.

A second journey feeds the register: the lead uploads a playbook and offers it for publication
(the right of use acknowledged), the call manager publishes it, and another municipality says
"wij willen dit ook", which the lead then sees.

Every page visited passes axe-core (WCAG 2.0/2.1 A and AA) and is kept as a screenshot.
Wording is looked up through the portal's own translations (`t`).
"""

import pytest
from playwright.sync_api import expect

from applications.models import Theme
from cot_portal.accounts.groups import ensure_staff_groups
from cot_portal.accounts.services import sync_local_governments
from payments.models import PublicationStatus
from tests.factories import PASSWORD, member_of, municipality
from tests.integration.test_register import PDF, end_result, funded_projects, set_application

from .conftest import confirm_second_factor, login
from .journey import button, checker, click_and_wait, field, link, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

check = checker("register-journey")
PARKING = "Slimme parkeersensoren in de binnenstad"


def rows(page):
    return page.locator("main table.register-table tbody tr")


def test_an_anonymous_visitor_finds_a_project_and_downloads_its_playbook(page, settings):
    sync_local_governments()  # a transactional test before this one flushed them
    ensure_staff_groups()
    settings.COT_REQUIRE_2FA = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    grants, users, manager = funded_projects(3)
    parking, air, water = grants
    set_application(
        parking,
        title=PARKING,
        summary="Vrije parkeerplaatsen in real time, met open data.",
        themes=["mobility", "environment"],
    )
    set_application(air, title="Luchtkwaliteit meten op schoolroutes", themes=["environment"])
    set_application(water, title="Digitale tweeling van de waterlopen", themes=["mobility"])
    later, _users, _manager = funded_projects(1, year=2031, manager=manager)
    set_application(later[0], title="Parkeersensoren voor deelwagens", themes=["mobility"])
    playbook = end_result(
        parking,
        users[0],
        title="Draaiboek slim parkeren",
        description="Van marktverkenning tot uitrol.",
    )
    end_result(
        parking,
        users[0],
        kind="lessons",
        title="Wat we leerden",
        lessons_good="De raamovereenkomst liet drie gemeenten meteen aansluiten.",
        lessons_bad="De sensoren kwamen een half jaar te laat.",
    )
    end_result(water, users[2], status=PublicationStatus.REQUESTED, title="Draaiboek water")

    # 1. The register is in the menu of every page, also without logging in.
    page.goto("/")
    nav = page.get_by_role("navigation", name=t("Main menu"))
    click_and_wait(page, link(nav, "Funded projects"))
    assert page.url.endswith("/register/"), page.url
    expect(page.locator("h1")).to_have_text(t("Public register of funded projects"))
    expect(rows(page)).to_have_count(4)
    check(page, "list")

    # 2. A Dutch search: the stem finds both parking projects, of either call.
    page.get_by_role("searchbox").fill("parkeersensor")
    click_and_wait(page, button(page.locator("main"), "Search"))
    expect(rows(page)).to_have_count(2)
    expect(rows(page).first).to_contain_text("parkeersensoren", ignore_case=True)
    check(page, "search")

    # 3. Filters: the 2030 call, the theme mobility, only projects with published results.
    page.get_by_label(t("Call year"), exact=True).select_option("2030")
    page.get_by_label(t("Theme"), exact=True).select_option(Theme.MOBILITY.value)
    page.get_by_label(t("Only projects with published results")).check()
    click_and_wait(page, button(page.locator("main"), "Search"))
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text(PARKING)
    expect(rows(page).first).to_contain_text(t("Smart mobility"))
    expect(page.get_by_role("searchbox")).to_have_value("parkeersensor")
    check(page, "filtered")

    # 4. The project's page: partnership, themes, amount, KPIs, published results only.
    click_and_wait(page, rows(page).first.get_by_role("link", name=PARKING))
    assert page.url.endswith(f"/register/projecten/{parking.reference}/"), page.url
    main = page.locator("main")
    expect(page.locator("h1")).to_have_text(PARKING)
    expect(main).to_contain_text(parking.organisation.name)
    expect(main).to_contain_text("Kortrijk")
    expect(main).to_contain_text("€ 800.000,00")
    expect(main).to_contain_text("Zoektijd parkeren")
    expect(main).to_contain_text(t("not reported yet"))
    expect(main).to_contain_text("De sensoren kwamen een half jaar te laat.")
    expect(main).not_to_contain_text("Draaiboek water")
    check(page, "project")

    # 5. The playbook downloads without logging in, and it is the file that was uploaded.
    with page.expect_download() as download_info:
        link(main, "Download “%(title)s”", title=playbook.title).click()
    download = download_info.value
    with open(download.path(), "rb") as handle:
        assert handle.read() == playbook.file.open("rb").read()
    assert download.suggested_filename.endswith(".pdf")


def log_in(open_page, live_server, user, name):
    page = open_page(name)
    login(page, live_server, user.email, PASSWORD)
    if "/account/tweede-factor/" in page.url:
        confirm_second_factor(page)
    assert page.url.endswith("/mijn-portaal/"), page.url
    return page


def test_the_lead_publishes_a_playbook_and_another_municipality_wants_it_too(
    open_page, live_server, settings
):
    """The lead uploads a playbook and offers it (the right of use acknowledged), the call
    manager publishes it, a member of Leuven says "wij willen dit ook", the lead sees it."""
    sync_local_governments()
    ensure_staff_groups()
    settings.COT_REQUIRE_2FA = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    grants, users, manager = funded_projects(1)
    grant, lead_user = grants[0], users[0]
    set_application(grant, title=PARKING)
    leuven_user = member_of(municipality("24062"), first_name="Lies", last_name="Peeters")

    # 1. The lead opens the project in the register and manages its end results.
    lead = log_in(open_page, live_server, lead_user, "lead")
    lead.goto(f"/register/projecten/{grant.reference}/")
    click_and_wait(lead, link(lead.locator("main"), "Manage the end results of this project"))
    check(lead, "end-results-empty")
    form = lead.locator("main form[enctype]")
    field(form, "Kind of result").select_option("playbook")
    field(form, "Title").fill("Draaiboek slim parkeren")
    form.get_by_label(t("File")).set_input_files(
        files=[{"name": "draaiboek.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    form.get_by_label(t("Offer it for publication in the public register now")).check()
    click_and_wait(lead, button(form, "Save the end result"))  # without the right of use
    expect(lead.locator("main")).to_contain_text(
        t(
            "Confirm that VLAIO and the partners may use this result (non-exclusive right of use) before you offer it for publication."
        )
    )
    expect(field(form, "Title")).to_have_value("Draaiboek slim parkeren")
    check(lead, "end-results-error")
    form.get_by_label(t("File")).set_input_files(
        files=[{"name": "draaiboek.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    form.get_by_label(
        t(
            "VLAIO and the partners may use this result: we grant the non-exclusive right of use of the call."
        )
    ).check()
    click_and_wait(lead, button(form, "Save the end result"))
    expect(lead.locator("main article")).to_contain_text(t("Waiting for VLAIO's approval"))
    check(lead, "end-results-offered")

    # 2. The call manager publishes it.
    vlaio = log_in(open_page, live_server, manager, "manager")
    click_and_wait(vlaio, link(vlaio.locator("main"), "End results waiting for publication"))
    expect(vlaio.locator("main article")).to_contain_text("Draaiboek slim parkeren")
    check(vlaio, "review")
    click_and_wait(
        vlaio, button(vlaio.locator("main"), "Publish “%(title)s”", title="Draaiboek slim parkeren")
    )
    expect(vlaio.locator("main")).to_contain_text(t("No end results are waiting for publication."))

    # 3. Leuven wants it too.
    leuven = log_in(open_page, live_server, leuven_user, "leuven")
    leuven.goto(f"/register/projecten/{grant.reference}/")
    expect(leuven.locator("main")).to_contain_text("Draaiboek slim parkeren")
    check(leuven, "project-logged-in")
    leuven.get_by_label(t("Message for the project's lead (optional)")).fill(
        "Wij sluiten graag aan bij het raamcontract."
    )
    click_and_wait(leuven, button(leuven.locator("main"), "We want this too"))
    expect(leuven.locator("main")).to_contain_text("Leuven")
    check(leuven, "interest-registered")

    # 4. The lead sees who is interested.
    lead.reload()
    interests = lead.locator("section[aria-labelledby=interest-heading]")
    expect(interests).to_contain_text("Leuven")
    expect(interests).to_contain_text(leuven_user.email)
    expect(interests).to_contain_text("Wij sluiten graag aan bij het raamcontract.")
    check(lead, "end-results-interest")
