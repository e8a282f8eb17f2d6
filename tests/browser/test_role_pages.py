"""Every role, every page it reaches through the UI: it loads, shows the right things, and has
zero axe-core violations (WCAG 2.0/2.1 A and AA). A screenshot of each page is kept.

Assertions use what a person sees (names, titles, sections), not the exact Dutch wording:
translations are written in parallel and the English source strings may still show.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import Call, SessionKind
from applications.services.cocreation import create_session
from cot_portal.core.demo import DEMO_PASSWORD, load_demo

from .conftest import confirm_second_factor, login
from .journey import check_page, click_and_wait

CALL_2025 = "Oproep City of Things 2025"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass(frozen=True)
class Role:
    slug: str
    email: str
    # the dashboard panels (the id of each panel's heading) this person must see
    panels: tuple[str, ...]
    # text that must show on their dashboard (organisation names, call titles from the DB)
    sees: tuple[str, ...] = ()
    staff: bool = False
    # admin changelist paths this role must find on the back-office index
    admin_models: tuple[str, ...] = field(default=())


ROLES = [
    Role("applicant-gent", "aanvrager@gent.demo", ("orgs-heading",), ("Gent", CALL_2025)),
    Role("partner-kortrijk", "partner@kortrijk.demo", ("orgs-heading",), ("Kortrijk",)),
    Role("applicant-leuven", "aanvrager@leuven.demo", ("orgs-heading",), ("Leuven",)),
    Role(
        "call-manager",
        "callmanager@vlaio.demo",
        ("manager-heading",),
        (CALL_2025,),
        staff=True,
        admin_models=(
            "/beheer/applications/call/",
            "/beheer/accounts/organisation/",
            "/beheer/letters/letter/",
        ),
    ),
    Role("jury-member", "jurylid@vlaio.demo", ("jury-heading",)),
    Role("jury-expert", "expert@jury.demo", ("jury-heading",)),
    Role(
        "finance-officer",
        "financien@vlaio.demo",
        ("finance-heading",),
        staff=True,
        admin_models=("/beheer/accounts/organisation/", "/beheer/letters/letter/"),
    ),
    Role(
        "finance-officer-2",
        "financien2@vlaio.demo",
        ("finance-heading",),
        staff=True,
        admin_models=("/beheer/accounts/organisation/", "/beheer/letters/letter/"),
    ),
]
ALL_PANELS = {"orgs-heading", "manager-heading", "jury-heading", "finance-heading"}


def visit(page, path, expect_status=200):
    response = page.goto(path)
    assert response is not None and response.status == expect_status, (
        f"{path}: HTTP {response and response.status}"
    )
    return response


SESSION_TITLE = "Inspiratiesessie: slimme mobiliteit"
MEMBERS = {"applicant-gent", "partner-kortrijk", "applicant-leuven"}
JURY = {"jury-member", "jury-expert"}


def plan_a_session(call):
    """A session of the open call, so its pages can be visited (planning it is in the journey)."""
    starts = timezone.now() + timedelta(days=10)
    return create_session(
        call=call,
        by=None,
        title=SESSION_TITLE,
        kind=SessionKind.INSPIRATION,
        description="Voorbeelden uit andere steden.",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        location="Gent, De Krook",
        online_url="",
        capacity=30,
    )


def follow(page, link, name, url_part):
    """Click a link on the page, check where it leads, screenshot and axe; then go back."""
    click_and_wait(page, link)
    assert url_part in page.url, page.url
    check_page(page, name)
    page.go_back()


def visit_idea_phase_pages(page, role, call):
    """The pages of the idea phase this role reaches (issue 4), from the dashboard."""
    year, title = call.year, call.title
    main = page.locator("main")
    if role.slug in MEMBERS:
        follow(
            page,
            page.locator("header nav").get_by_role("link", name="Projectideeën"),
            f"{role.slug}-my-ideas",
            "/ideeen/",
        )
        follow(
            page,
            main.get_by_role("link", name="Een projectidee aanmelden"),
            f"{role.slug}-new-idea",
            f"/oproepen/{year}/ideeen/nieuw/",
        )
        panel = page.locator("section[aria-labelledby=cocreation-applicant-heading]")
        follow(
            page,
            panel.get_by_role("link", name=f"Alle sessies van {title}"),
            f"{role.slug}-session-list",
            f"/oproepen/{year}/sessies/",
        )
        follow(
            page,
            panel.get_by_role("link", name=SESSION_TITLE, exact=True),
            f"{role.slug}-session-detail",
            f"/oproepen/{year}/sessies/",
        )
    elif role.slug == "call-manager":
        section = page.locator("section[aria-labelledby=manager-heading]")
        follow(
            page,
            section.get_by_role("link", name=f"Projectideeën van {title}"),
            f"{role.slug}-call-ideas",
            f"/oproepen/{year}/ideeen/",
        )
        click_and_wait(page, section.get_by_role("link", name=f"Sessies van {title}"))
        check_page(page, f"{role.slug}-session-list")
        list_url = page.url
        follow(
            page,
            main.get_by_role("link", name=SESSION_TITLE, exact=True),
            f"{role.slug}-session-detail",
            f"/oproepen/{year}/sessies/",
        )
        follow(
            page,
            main.get_by_role("link", name="Lokale besturen zonder aanwezigheid"),
            f"{role.slug}-cocreation-missing",
            f"/oproepen/{year}/co-creatie/ontbrekend/",
        )
        assert page.url == list_url, page.url
        # No idea is submitted yet, so the dashboard does not link the shortlist: open it.
        visit(page, f"/jury/oproepen/{year}/shortlist/")
        check_page(page, f"{role.slug}-shortlist")
        visit(page, "/mijn-portaal/")
    elif role.slug in JURY:
        # Nothing submitted yet: the dashboard says so and links nothing; the list is empty.
        visit(page, f"/jury/oproepen/{year}/ideeen/")
        assert main.locator("h1").is_visible()
        check_page(page, f"{role.slug}-jury-idea-list")
        visit(page, "/mijn-portaal/")
    else:
        # Others do not reach the jury's or the call manager's pages at all.
        visit(page, f"/jury/oproepen/{year}/ideeen/", expect_status=404)
        visit(page, f"/oproepen/{year}/ideeen/", expect_status=404)
        visit(page, "/mijn-portaal/")


@pytest.mark.parametrize("role", ROLES, ids=[r.slug for r in ROLES])
def test_every_page_of_a_role_is_accessible(page, live_server, role):
    load_demo()
    open_call = Call.objects.get(year=timezone.localdate().year + 1)
    plan_a_session(open_call)
    login(page, live_server, role.email, DEMO_PASSWORD)

    if role.staff:
        # Staff confirm a second factor; the first time they set up their authenticator.
        assert "/account/tweede-factor/" in page.url, page.url
        assert page.locator(".qr-code svg").is_visible()
        check_page(page, f"{role.slug}-second-factor-setup")
        if role.slug == "call-manager":
            # A wrong code keeps the person on the page with an error next to the field.
            page.fill("#id_token", "000000")
            click_and_wait(page, page.locator("form:has(#id_token) button[type=submit]"))
            assert "/account/tweede-factor/" in page.url
            assert page.locator("#id_token").get_attribute("aria-invalid") == "true" or (
                page.locator(".invalid-feedback").count() > 0
            )
            check_page(page, f"{role.slug}-second-factor-wrong-code")
            # django-otp throttles after a failure (1 s after the first): wait, like a person.
            page.wait_for_timeout(1500)
        confirm_second_factor(page)

    assert page.url.endswith("/mijn-portaal/"), page.url

    # The dashboard: their name and exactly the panels of their roles.
    main = page.locator("main")
    assert main.locator("h1").is_visible()
    for panel in role.panels:
        assert page.locator(f"section[aria-labelledby={panel}]").is_visible(), panel
    for panel in ALL_PANELS - set(role.panels):
        assert page.locator(f"section[aria-labelledby={panel}]").count() == 0, panel
    for text in role.sees:
        assert main.get_by_text(text, exact=False).first.is_visible(), text
    if role.slug == "call-manager":
        # The call dates come first; the shortlist and jury tables name the demo's calls too.
        table = page.locator("section[aria-labelledby=manager-heading] table").first
        assert table.get_by_role("rowheader", name=CALL_2025, exact=True).is_visible()
    check_page(page, f"{role.slug}-dashboard")

    visit_idea_phase_pages(page, role, open_call)

    # The start page sends a logged-in person to their portal.
    visit(page, "/")
    assert page.url.endswith("/mijn-portaal/"), page.url

    back_office = page.locator("header nav a[href='/beheer/']")
    if not role.staff:
        assert back_office.count() == 0
        visit(page, "/beheer/", expect_status=200)
        # Not staff: the back office offers only its own login form, never its content.
        assert "/beheer/login/" in page.url
        return

    # The back office, reached through the header link.
    click_and_wait(page, back_office)
    assert page.url.endswith("/beheer/"), page.url
    check_page(page, f"{role.slug}-admin-index")
    links = page.locator("#content-main th[scope=row] a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert sorted(hrefs) == sorted(role.admin_models)

    for href in hrefs:
        click_and_wait(page, page.locator(f"#content-main th[scope=row] a[href='{href}']"))
        assert page.url.endswith(href), page.url
        check_page(page, f"{role.slug}-admin-{href.strip('/').replace('/', '-')}")
        page.go_back()

    if "/beheer/accounts/organisation/" in hrefs:
        # An organisation, found with the search box: a form for the call manager, a
        # read-only view for finance.
        visit(page, "/beheer/accounts/organisation/")
        page.fill("#searchbar", "Gent")
        click_and_wait(page, page.locator("#changelist-search [type=submit]"))
        check_page(page, f"{role.slug}-admin-organisation-search")
        click_and_wait(
            page, page.locator("#result_list").get_by_role("link", name="Gent", exact=True)
        )
        assert re.search(r"/beheer/accounts/organisation/\d+/change/(\?|$)", page.url), page.url
        if role.slug == "call-manager":
            assert page.locator("#id_name").input_value() == "Gent"
        else:
            assert page.locator("#id_name").count() == 0
            assert page.locator(".field-name .readonly").inner_text() == "Gent"
        check_page(page, f"{role.slug}-admin-organisation-gent")

    if role.slug == "call-manager":
        # A new call starts from the add form of the call list.
        visit(page, "/beheer/applications/call/")
        click_and_wait(page, page.locator("ul.object-tools a.addlink"))
        assert page.url.endswith("/beheer/applications/call/add/"), page.url
        check_page(page, f"{role.slug}-admin-call-add")

        # The rules of a call: from the call list to its change form, and its history.
        visit(page, "/beheer/applications/call/")
        click_and_wait(page, page.locator("#result_list").get_by_role("link", name=CALL_2025))
        assert "/beheer/applications/call/" in page.url and page.url.endswith("/change/")
        assert page.locator("#id_title").input_value() == CALL_2025
        check_page(page, f"{role.slug}-admin-call-change")
        click_and_wait(page, page.locator("a.historylink"))
        assert page.url.endswith("/history/"), page.url
        check_page(page, f"{role.slug}-admin-call-history")


def test_anonymous_pages_are_accessible(page, live_server):
    load_demo()

    visit(page, "/")
    assert page.locator("main").get_by_text(CALL_2025).is_visible()
    check_page(page, "anonymous-home")

    click_and_wait(page, page.locator("main a[href='/account/aanmelden/']"))
    assert page.locator("#id_username").is_visible()
    check_page(page, "anonymous-login")

    # A wrong password: the error is announced and the page still passes.
    page.fill("#id_username", "aanvrager@gent.demo")
    page.fill("#id_password", "not-the-password")
    click_and_wait(page, page.locator("form:has(#id_password) button[type=submit]"))
    assert page.url.endswith("/account/aanmelden/")
    assert page.locator("main [role=alert]").is_visible()
    check_page(page, "anonymous-login-error")

    click_and_wait(page, page.locator("main a[href='/account/wachtwoord-vergeten/']"))
    assert page.locator("#id_email").is_visible()
    check_page(page, "anonymous-password-reset")
    page.fill("#id_email", "aanvrager@gent.demo")
    click_and_wait(page, page.locator("form:has(#id_email) button[type=submit]"))
    assert page.url.endswith("/account/wachtwoord-vergeten/verstuurd/"), page.url
    check_page(page, "anonymous-password-reset-done")

    visit(page, "/deze-pagina-bestaat-niet/", expect_status=404)
    assert page.locator("main a[href='/']").is_visible()
    check_page(page, "anonymous-404")


def test_language_selector_switches_to_english(page, live_server):
    load_demo()
    visit(page, "/")
    assert page.locator("html").get_attribute("lang") == "nl"
    page.select_option("#language-select", "en")
    click_and_wait(page, page.locator("form:has(#language-select) button[type=submit]"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#language-select").input_value() == "en"
    assert page.locator("main").get_by_text(CALL_2025).is_visible()
    check_page(page, "anonymous-home-english")

    # The choice sticks while the person moves on.
    visit(page, "/account/aanmelden/")
    assert page.locator("html").get_attribute("lang") == "en"
