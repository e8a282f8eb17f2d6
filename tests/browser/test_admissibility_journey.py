"""Issue 6, end to end in the browser: the admissibility check (SPEC.md §5, R-ADM).

Gent's and Leuven's applications are submitted (set up through the services). The call manager
opens the admissibility overview from the dashboard and sees the result per criterion. She asks
Gent to complete its application: only the scalability section reopens, with a message and a
response deadline. Gent reads the banner, changes the business model (autosaved), finds the other
sections read-only and submits again; both versions are kept. Kortrijk, the partner, sees the
status but cannot submit. The call manager confirms the co-creation criterion as met (the demo has
no attendance) with a note and declares Gent admissible. Leuven is declared not admissible; its
lead reads the letter (a PDF with the reasons, never the internal note), and no applicant page
shows an internal note.

Every page visited passes axe-core (WCAG 2.0/2.1 A and AA) and is kept as a screenshot.
Wording is looked up through the portal's own translations (`t`).
"""

import re
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import (
    AdmissibilityCriterion,
    Application,
    ApplicationSection,
    ApplicationStatus,
)
from applications.services.submission import submit_application
from cot_portal.accounts.models import User
from cot_portal.formatting import short_datetime
from tests.factories_application import complete, started_application

from .journey import (
    GENT,
    KORTRIJK,
    LEUVEN,
    button,
    checker,
    click_and_wait,
    demo_call,
    field,
    link,
    log_in_as,
    open_section,
    pdf_bytes,
    pdf_text,
    prefix,
    status_message,
    t,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMPLETION_MESSAGE = "Beschrijf het bedrijfsmodel na de projectperiode: wie betaalt de hosting?"
NEW_BUSINESS_MODEL = "Elke deelnemende gemeente betaalt een jaarlijkse bijdrage per inwoner."
COCREATION_NOTE = (
    "Gent nam deel aan de cocreatiesessie van 12 maart; aanwezigheid niet geregistreerd."
)
LEUVEN_NOTE = "INTERN: bijlage bestuursakkoord is onleesbaar, collega Jan bellen."
LEUVEN_REASON = "De begroting van de volger ontbreekt in het kostenmodel."


# --- helpers ----------------------------------------------------------------------------------

check = checker("admissibility-journey")


def criterion(page, value):
    """The section of the detail page for one criterion."""
    label = AdmissibilityCriterion(value).label
    return page.locator("main section[id^=check-]").filter(
        has=page.get_by_role("heading", name=re.compile(re.escape(t(label))))
    )


def submitted(call, lead_nis, email):
    user = User.objects.get(email=email)
    application, _user = started_application(
        call=call, lead_nis=lead_nis, partner_nis=(KORTRIJK,), user=user
    )
    complete(application, user)
    submit_application(application, user=user)
    application.refresh_from_db()
    return application


# --- the journey ------------------------------------------------------------------------------


def test_admissibility_check_with_completion_and_decisions(
    open_page, live_server, settings, mailoutbox
):
    call = demo_call(settings)
    year, call_title = call.year, call.title
    gent_app = submitted(call, GENT, "aanvrager@gent.demo")
    leuven_app = submitted(call, LEUVEN, "aanvrager@leuven.demo")
    assert gent_app.status == leuven_app.status == ApplicationStatus.SUBMITTED
    gent_url = f"/aanvragen/{year}/{gent_app.slug}/"
    leuven_url = f"/aanvragen/{year}/{leuven_app.slug}/"

    # 1. The call manager opens the admissibility overview from the dashboard.
    manager = log_in_as(open_page, live_server, "callmanager@vlaio.demo", "manager")
    click_and_wait(
        manager, link(manager, "Admissibility of the applications of %(title)s", title=call_title)
    )
    assert manager.url.endswith(f"/oproepen/{year}/ontvankelijkheid/"), manager.url
    expect(manager.locator("h1")).to_have_text(t("Admissibility of %(title)s", title=call_title))
    rows = manager.locator("main table tbody tr")
    expect(rows).to_have_count(2)
    met, not_met = t("met"), t("not met")
    for app in (gent_app, leuven_app):
        row = rows.filter(has_text=app.reference)
        expect(row).to_contain_text(app.organisation.name)
        cells = row.locator("td")
        expect(cells).to_have_count(1 + len(AdmissibilityCriterion))  # the status + 7 criteria
        # Everything is met except the co-creation track (the demo has no attendance).
        for cell in cells.all()[1:-1]:
            assert f"✓ {met}" in cell.text_content(), cell.text_content()
        assert f"✗ {not_met}" in cells.last.text_content(), cells.last.text_content()
    check(manager, "manager-overview")

    # 2. She opens Gent's application and asks to complete the scalability section only.
    click_and_wait(manager, rows.filter(has_text=gent_app.reference).get_by_role("link"))
    assert manager.url.endswith(f"{gent_url}ontvankelijkheid/"), manager.url
    expect(manager.locator("h1")).to_have_text(
        t("Admissibility of %(ref)s", ref=gent_app.reference)
    )
    expect(criterion(manager, "cocreation")).to_contain_text(not_met)
    check(manager, "manager-gent-detail")
    form = manager.locator("form", has=button(manager, "Ask to complete"))
    scalability = t(ApplicationSection.SCALABILITY.label)
    form.get_by_label(scalability, exact=True).check()
    field(form, "What must be completed (the applicant reads this)").fill(COMPLETION_MESSAGE)
    deadline = timezone.localtime() + timedelta(days=5)
    deadline_text = deadline.strftime("%d/%m/%Y") + " 12:00"
    field(form, "Respond before").fill(deadline_text)
    click_and_wait(manager, button(form, "Ask to complete"))
    expect(status_message(manager).first).to_contain_text(
        t("The applicant was asked to complete the application.")
    )
    expect(manager.locator("main")).to_contain_text(COMPLETION_MESSAGE)
    expect(manager.locator("main")).to_contain_text(t("waiting for the applicant"))
    expect(manager.locator("main")).to_contain_text(f"{t('Open again:')} {scalability})")
    check(manager, "manager-gent-completion-asked")
    asked = t("Please complete your application %(reference)s", reference=gent_app.reference)
    mail = next(m for m in mailoutbox if m.subject == asked)
    assert "aanvrager@gent.demo" in mail.to, mail.to
    assert COMPLETION_MESSAGE in mail.body and deadline_text in mail.body, mail.body

    # 3. Gent reads the banner, completes the business model and submits again.
    gent = log_in_as(open_page, live_server, "aanvrager@gent.demo", "gent")
    click_and_wait(gent, gent.get_by_role("link", name=f"{gent_app.reference} {gent_app.title}"))
    assert gent.url.endswith(gent_url), gent.url
    banner = gent.locator("main .alert-warning")
    expect(banner).to_contain_text(COMPLETION_MESSAGE)
    expect(banner).to_contain_text(deadline_text)
    expect(banner.get_by_role("link")).to_have_count(2)  # the reopened section and the review
    check(gent, "gent-banner")
    click_and_wait(gent, banner.get_by_role("link", name=scalability, exact=True))
    assert gent.url.endswith(f"{gent_url}scalability/"), gent.url
    business_model = field(gent.locator("main"), "business model")
    expect(business_model).to_be_editable()

    def carries_new_text(response):
        if "/bewaren/" not in response.url or response.request.method != "POST":
            return False
        data = parse_qs(response.request.post_data or "")
        return NEW_BUSINESS_MODEL in data.get("business_model", [])

    with gent.expect_response(carries_new_text) as answered:
        business_model.fill(NEW_BUSINESS_MODEL)
    assert answered.value.ok, answered.value.status
    expect(gent.locator("#save-status")).to_contain_text(prefix("Saved at %(when)s."))
    check(gent, "gent-scalability-autosaved")

    # Any other section stays as it was submitted: shown, not editable.
    open_section(gent, ApplicationSection.PROJECT.label)
    main = gent.locator("main")
    expect(main.locator("textarea")).to_have_count(0)
    expect(button(main, "Save")).to_have_count(0)
    expect(main).to_contain_text(gent_app.summary)
    check(gent, "gent-project-read-only")
    # Nor does the server accept a change there (a stale page, a crafted request).
    csrf = next(c["value"] for c in gent.context.cookies() if c["name"] == "csrftoken")
    refused = gent.request.post(
        f"{gent_url}project/bewaren/",
        form={"summary": "Stiekem aangepast", "_fields": "summary"},
        headers={"X-CSRFToken": csrf, "Referer": live_server.url + gent_url},
    )
    assert t("This application was submitted and can no longer be changed.") in refused.text()
    assert Application.objects.get(pk=gent_app.pk).summary == gent_app.summary

    # 6 (during the completion). Kortrijk, the partner, sees the status but cannot submit.
    kortrijk = log_in_as(open_page, live_server, "partner@kortrijk.demo", "kortrijk")
    kortrijk.goto(gent_url)
    expect(kortrijk.locator("main .badge").first).to_have_text(
        t(ApplicationStatus.COMPLETION_REQUESTED.label)
    )
    expect(kortrijk.locator("main .alert-warning")).to_contain_text(COMPLETION_MESSAGE)
    expect(link(kortrijk, "Submit the completed application")).to_have_count(0)
    kortrijk.goto(f"{gent_url}indienen/")
    expect(kortrijk.locator("main form button[type=submit]")).to_have_count(0)
    expect(kortrijk.locator("main")).to_contain_text(
        t(
            "Only the members of the lead applicant, %(name)s, can submit the application.",
            name=gent_app.organisation.name,
        )
    )
    check(kortrijk, "kortrijk-review-during-completion")

    # Gent submits the completed application on the review page.
    open_section(gent, "Review and submit")
    # The deadline that counts now is the completion's, not the call's.
    expect(gent.locator("main form p")).to_contain_text(deadline_text)
    expect(gent.locator("main form")).not_to_contain_text(short_datetime(call.application_deadline))
    check(gent, "gent-review-completion")
    click_and_wait(gent, button(gent.locator("main"), "Submit the completed application"))
    assert gent.url.endswith(gent_url), gent.url
    expect(status_message(gent).first).to_contain_text(
        prefix(
            "Your application was submitted on %(when)s. The receipt and the PDF follow by "
            "e-mail and appear below."
        )
    )
    expect(gent.locator("main .alert-warning")).to_have_count(0)
    version = prefix("Version %(n)s, received %(when)s")  # "Versie"
    versions = gent.locator("main li").filter(has_text=re.compile(rf"^\s*{version} \d"))
    expect(versions).to_have_count(2)
    expect(versions.filter(has_text=re.compile(rf"^\s*{version} 1,"))).to_have_count(1)
    expect(versions.filter(has_text=re.compile(rf"^\s*{version} 2,"))).to_have_count(1)
    check(gent, "gent-resubmitted")
    gent_app.refresh_from_db()
    assert gent_app.business_model == NEW_BUSINESS_MODEL
    assert gent_app.status == ApplicationStatus.SUBMITTED

    # 4. The call manager sees the answer, confirms co-creation as met and declares admissible.
    manager.goto(f"{gent_url}ontvankelijkheid/")
    answered_as = t("answered %(when)s (version %(n)s)", when="@", n=2).split("@")
    expect(manager.locator("main li")).to_contain_text(
        re.compile(rf"{re.escape(answered_as[0])}\d\d/.*{re.escape(answered_as[1])}")
    )
    check(manager, "manager-gent-answered")
    cocreation = criterion(manager, "cocreation")
    field(cocreation, "Your verdict").select_option(label=t("Met"))
    field(cocreation, "Internal note (the applicant never sees it)").fill(COCREATION_NOTE)
    click_and_wait(manager, cocreation.get_by_role("button"))
    expect(status_message(manager).first).to_contain_text(t("Saved."))
    cocreation = criterion(manager, "cocreation")
    expect(cocreation.get_by_role("heading")).to_contain_text(t("met"))
    expect(field(cocreation, "Internal note (the applicant never sees it)")).to_have_value(
        COCREATION_NOTE
    )
    check(manager, "manager-gent-cocreation-confirmed")
    click_and_wait(manager, button(manager, "Admissible: to the jury"))
    check(manager, "manager-confirm-admissible")
    click_and_wait(manager, button(manager, "Confirm: admissible"))
    expect(status_message(manager).first).to_contain_text(
        t("The application is admissible and goes to the jury.")
    )
    expect(manager.locator("main")).to_contain_text(t("Decided: admissible."))
    expect(manager.locator("main p .badge")).to_have_text(t(ApplicationStatus.ADMISSIBLE.label))
    check(manager, "manager-gent-admissible")
    gent_app.refresh_from_db()
    assert gent_app.status == ApplicationStatus.ADMISSIBLE

    # Gent and Kortrijk see the status; no one sees the note, and nothing to submit.
    for page in (gent, kortrijk):
        page.goto(gent_url)
        expect(page.locator("main .badge").first).to_have_text(
            t(ApplicationStatus.ADMISSIBLE.label)
        )
        expect(page.locator("main")).to_contain_text(
            t("Your application is admissible: the jury assesses it.")
        )
        expect(page.locator("main")).not_to_contain_text(COCREATION_NOTE)
        page.goto(f"{gent_url}indienen/")
        expect(page.locator("main form button[type=submit]")).to_have_count(0)
    check(kortrijk, "kortrijk-gent-admissible")

    # 5. Leuven: the manager marks "complete" as not met, with a note, and decides.
    manager.goto(f"/oproepen/{year}/ontvankelijkheid/")
    click_and_wait(
        manager,
        manager.locator("main table tbody tr")
        .filter(has_text=leuven_app.reference)
        .get_by_role("link"),
    )
    complete_check = criterion(manager, "complete")
    field(complete_check, "Your verdict").select_option(label=t("Not met"))
    field(complete_check, "Internal note (the applicant never sees it)").fill(LEUVEN_NOTE)
    field(complete_check, "Reason for the applicant (in the letter if not admissible)").fill(
        LEUVEN_REASON
    )
    click_and_wait(manager, complete_check.get_by_role("button"))
    expect(status_message(manager).first).to_contain_text(t("Saved."))
    expect(criterion(manager, "complete").get_by_role("heading")).to_contain_text(not_met)
    check(manager, "manager-leuven-not-met")
    click_and_wait(manager, button(manager, "Not admissible: send the letter"))
    expect(manager.locator("main")).to_contain_text(LEUVEN_REASON)  # what the letter will say
    check(manager, "manager-confirm-not-admissible")
    click_and_wait(manager, button(manager, "Confirm and send the letter"))
    expect(status_message(manager).first).to_contain_text(
        t("The application is not admissible. The letter with the reasons was sent.")
    )
    expect(manager.locator("main p .badge")).to_have_text(t(ApplicationStatus.NOT_ADMISSIBLE.label))
    expect(manager.locator("main")).to_contain_text(LEUVEN_NOTE)  # the manager still sees it
    check(manager, "manager-leuven-not-admissible")
    subject = t("Your application %(reference)s is not admissible", reference=leuven_app.reference)
    mail = next(m for m in mailoutbox if m.subject == subject)
    assert "aanvrager@leuven.demo" in mail.to, mail.to
    assert LEUVEN_NOTE not in mail.body, mail.body

    # Leuven's lead finds the letter on the dashboard; it gives the reasons, not the note.
    leuven = log_in_as(open_page, live_server, "aanvrager@leuven.demo", "leuven")
    letter = leuven.get_by_role("link", name=subject)
    expect(letter).to_be_visible()
    check(leuven, "leuven-dashboard-letter")
    text = re.sub(r"\s+", " ", pdf_text(pdf_bytes(leuven, letter.get_attribute("href"))))
    assert t(AdmissibilityCriterion.COMPLETE.label) in text, text[:1500]
    assert leuven_app.reference in text, text[:500]
    assert LEUVEN_REASON in " ".join(text.split()), text[:1500]
    assert LEUVEN_NOTE not in text and "INTERN" not in text, text

    # No applicant page shows an internal note.
    for path in ("", "indienen/", "project/", "scalability/"):
        leuven.goto(f"{leuven_url}{path}")
        expect(leuven.locator("main")).not_to_contain_text(LEUVEN_NOTE)
        expect(leuven.locator("main")).not_to_contain_text(t("Internal note:"))
    leuven.goto(leuven_url)
    expect(leuven.locator("main")).to_contain_text(
        t(
            "Your application is not admissible. The letter with the reasons was sent to you and is in your portal."
        )
    )
    check(leuven, "leuven-application-not-admissible")
    # The applicant never reaches the admissibility pages.
    response = leuven.goto(f"{leuven_url}ontvankelijkheid/")
    assert response.status == 404, response.status
    assert Application.objects.get(pk=leuven_app.pk).status == ApplicationStatus.NOT_ADMISSIBLE
