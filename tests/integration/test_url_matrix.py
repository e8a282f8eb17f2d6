"""Every URL of the portal, for every role, in one declared table (issue 11, hardening).

The URL patterns are enumerated from the resolver, recursively. Each one has a row in `TABLE`
that fills its arguments with real objects of the world below and says, per role, what a
request answers:

- "200": the page, partial or file;
- "login": a redirect to the login page (the admin's own login for the admin);
- "404": nothing, not even whether the object exists;
- "302": a redirect that is not the login (a done action, or a page that forwards);
- "400": a form refused and shown again: the person got through the permission, the input not.

What a row does not list for a role is its `default` ("404" unless the row says otherwise).
Views that answer POST only (`require_POST`, the three htmx partials among them) are posted to
(an empty form: the permission decides before the form does), with the HX-Request header for the
partials, inside the case's savepoint; their GET, by an anonymous visitor and by those who may
post, is a 405, a 404 or the login, never a page. Every other view gets a GET. Files are served
by one view, core:download: every file field of every model has its own row (`DOWNLOADS`), with
the object of the world whose file it is.

A pattern, or a file field, without a row fails `test_every_url_pattern_and_file_field_has_a_row`
with its name; so does a row nobody gets through (its objects would prove nothing). Nothing
anywhere may answer 403 or 500 (the test client raises on the 500). Static and media files are
not served by the URLconf (`SERVED_FILES` would leave them out); nothing else is left out.

The admin (`beheer/`) is one family: staff with a confirmed second factor only. The admin site
(cot_portal/accounts/admin_site.py) reads COT_REQUIRE_2FA on every request; the admin tests
switch it on, as it always is outside a DEBUG run. Nobody in the matrix confirmed a second
factor, staff included, so every admin URL sends every role to a login: the admin's own, or the
second-factor page for staff (the middleware sends them there first). The login form itself and
the logout (which goes to the admin index, which sends to the login) are the exceptions. The
other side of the rule is `test_the_admin_opens_for_staff_with_a_second_factor_only`.

The world is built once for the module through the real services (tests/factories_world.py),
inside a transaction rolled back at the end; each case runs in its own savepoint. Everyone
logs in once, in the world: a case only sets the session cookie.
"""

import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models
from django.test import Client, TestCase
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.admin import OTPAdminSite
from django_otp.plugins.otp_totp.models import TOTPDevice

from applications.models import ApplicationPartner, CostLine, IdeaPartner
from cot_portal.letters.models import Letter
from payments import services_payments as payments
from payments.models import ContentReport, Grant
from scoring import services, services_applications, services_questions, services_ranking
from scoring.models import Advice, DecisionOutcome, JuryAssignment, JuryMember
from tests.factories import IdeaFactory, idea_partner, member_of, municipality
from tests.factories_application import complete, started_application
from tests.factories_cocreation import CoCreationSessionFactory, attendance, registration
from tests.factories_ranking import on_jury, ranking_call, submitted_sheet, uniform
from tests.factories_scoring import call_manager, juror
from tests.factories_world import (
    ANTWERPEN,
    GENT,
    KORTRIJK,
    LEUVEN,
    PDF,
    admissible,
    finance_officer,
    module_world,
    request_directly,
    run_grant,
    tranche,
)

pytestmark = pytest.mark.django_db

IBAN = "BE71096123456769"
ADMIN_PREFIX = "beheer/"
# Static and media files are not served by the portal's URLconf (WhiteNoise serves static
# files, media files have no URL at all); should a pattern appear for them, it is left out here.
SERVED_FILES = ("static/", "media/")

ROLES = (
    "anonymous",
    "gent",  # a member of Gent, lead applicant of every Gent dossier below
    "partner",  # a member of Kortrijk, Gent's partner
    "leuven",  # a member of Leuven, lead applicant of its own grant
    "juror",  # on both calls' juries, assigned Gent's application, declared no conflict
    "conflicted",  # on the jury of the open call, assigned Gent's application, conflicted
    "manager",  # the call manager
    "finance",  # proposed Gent's first tranche
    "finance_2",  # released Leuven's first tranche
)
PEOPLE = ROLES[1:]
MEMBERS = ("gent", "partner", "leuven")
FINANCE = ("finance", "finance_2")


# --- The world ---------------------------------------------------------------------------------


@dataclass
class World:
    users: dict  # role -> user
    sessions: dict  # role -> session key (everyone logged in once)
    call: object  # the open call: ideas, co-creation, applications with the jury
    decided: object  # the decided call, with its grants
    idea_draft: object  # Gent's draft idea, Kortrijk named as partner
    idea_partner: IdeaPartner
    idea: object  # the idea of Gent's admissible application (shortlisted)
    application: object  # Gent's application with the jury (admissible), Kortrijk partner
    submission: object
    attachment: object
    check: object  # an admissibility check of `application`
    draft: object  # Gent's draft application, Kortrijk partner
    draft_partner: ApplicationPartner  # Kortrijk's row in `draft`
    lead_line: CostLine  # Gent's own cost line in `draft`
    partner_line: CostLine  # Kortrijk's cost line in `draft`
    kpi: object
    session: object  # a co-creation session of the open call
    attendance: object
    approved: object  # Gent's approved application in the decided call
    letter: Letter  # Gent's decision letter
    advice: Advice  # the decided call's frozen advice
    grant: Grant  # Gent's running grant
    leuven_grant: Grant
    batch: object  # the SEPA file with Leuven's first tranche
    money: dict  # tests/factories_world.run_grant's objects: agreement, report, line, …


def _build_world() -> World:
    gent_org, kortrijk = municipality(GENT), municipality(KORTRIJK)
    users = {
        "gent": member_of(gent_org),
        "partner": member_of(kortrijk),
        "leuven": member_of(municipality(LEUVEN)),
        "juror": juror(first_name="Jozefien", last_name="Jury"),
        "conflicted": juror(first_name="Conrad", last_name="Belangenconflict"),
        "manager": call_manager(first_name="Mona", last_name="Manager"),
        "finance": finance_officer(first_name="Fien", last_name="Financien"),
        "finance_2": finance_officer(first_name="Tweede", last_name="Paar"),
    }
    gent, manager = users["gent"], users["manager"]
    jurors = (users["juror"], users["conflicted"])

    # The open call: a draft idea, a draft application, an application with the jury.
    call = ranking_call()
    on_jury(call, manager, *jurors)
    idea_draft = IdeaFactory(call=call, organisation=gent_org, created_by=gent)
    named = idea_partner(idea_draft, kortrijk)
    draft = started_application(call=call, partner_nis=(KORTRIJK,), user=gent)[0]
    complete(draft, gent)
    draft_partner = draft.partners.get(organisation=kortrijk)
    application, lead, submission = admissible(call, GENT, user=gent)
    assert lead == gent and application.status == "admissible" and draft.status == "draft"
    for user in jurors:
        JuryAssignment.objects.create(
            application=application, juror=JuryMember.objects.get(call=call, user=user)
        )
    submitted_sheet(application, users["juror"], uniform(8))
    services_applications.declare_application_conflict(
        application=application,
        juror=users["conflicted"],
        has_conflict=True,
        reason="Mijn zus werkt bij de stad Gent.",
    )
    services_questions.ask_question(
        application=application, user=users["juror"], text="Hoe borgt u de data?"
    )
    idea = application.idea
    services.declare_idea_conflict(idea=idea, juror=users["juror"], has_conflict=False)
    services.declare_idea_conflict(
        idea=idea, juror=users["conflicted"], has_conflict=True, reason="Familie bij Gent."
    )
    session = CoCreationSessionFactory(call=call)
    registration(session, gent)
    present = attendance(session, gent_org, person_name="Gerda Gent", recorded_by=manager)

    # The decided call: Gent's and Leuven's applications approved, letters issued, grants.
    decided = ranking_call(year=2031, title="Oproep City of Things 2031")
    on_jury(decided, manager, users["juror"])
    approved = admissible(decided, GENT, user=gent)[0]
    leuven_application = admissible(
        decided, LEUVEN, partner_nis=(ANTWERPEN,), user=users["leuven"]
    )[0]
    for scored in (approved, leuven_application):
        submitted_sheet(scored, users["juror"], uniform(9))
    advice = services_ranking.freeze_advice(call=decided, manager=manager)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services_ranking.record_decision(
            call=decided,
            decision_date=timezone.localdate(),
            decision_reference="VR 2031 0101 DOC.0001/1",
            manager=manager,
        )
    letter = DecisionOutcome.objects.select_related("letter").get(application=approved).letter
    assert letter is not None
    Grant.objects.filter(call=decided).update(iban=IBAN)
    grant = Grant.objects.get(application=approved)
    leuven_grant = Grant.objects.get(application=leuven_application)
    money = run_grant(grant, {"lead": gent, "manager": manager, "finance": users["finance"]})
    report = money["report"]
    for name in ("award_report", "framework_agreement", "playbook"):  # a file in every field
        getattr(report, name).save(f"{name}.pdf", ContentFile(PDF), save=False)
    ContentReport.objects.filter(pk=report.pk).update(
        award_report=report.award_report.name,
        framework_agreement=report.framework_agreement.name,
        playbook=report.playbook.name,
    )
    request_directly(leuven_grant, 1, users["leuven"])
    payment = payments.propose_payment(tranche(leuven_grant, 1), users["finance"])
    payments.approve_payment(payment, users["finance_2"])
    batch = payments.export_sepa(users["finance"])
    grant.refresh_from_db()
    assert grant.status == "active" and batch.count == 1

    sessions = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    return World(
        users=users,
        sessions=sessions,
        call=call,
        decided=decided,
        idea_draft=idea_draft,
        idea_partner=named,
        idea=idea,
        application=application,
        submission=submission,
        attachment=application.attachments.first(),
        check=application.admissibility_checks.order_by("pk").first(),
        draft=draft,
        draft_partner=draft_partner,
        lead_line=draft.cost_lines.exclude(partner=draft_partner).first(),
        partner_line=draft.cost_lines.get(partner=draft_partner),
        kpi=draft.kpis.first(),
        session=session,
        attendance=present,
        approved=approved,
        letter=letter,
        advice=advice,
        grant=grant,
        leuven_grant=leuven_grant,
        batch=batch,
        money=money,
    )


@pytest.fixture(scope="module")
def world_media(tmp_path_factory):
    return tmp_path_factory.mktemp("url-matrix-media")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, world_media):
    with django_db_blocker.unblock(), module_world(world_media):
        yield _build_world()


@pytest.fixture(autouse=True)
def _media_in_tmp(world):
    """Replaces tests/conftest.py's folder per test: the files here are the world's, and
    `module_world` points MEDIA_ROOT (and COT_REQUIRE_2FA, off) at them for the whole module.
    A thousand cases each making a folder and switching settings would cost more than the
    requests."""


# --- The table -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    url: object  # (world) -> the address, its arguments filled with objects of the world
    open: dict  # role -> outcome, for the roles whose outcome is not `default`
    default: str = "404"
    post: object = None  # (world) -> data: the view answers POST only, and is posted to
    htmx: bool = False  # an htmx partial: the request carries HX-Request
    note: str = ""

    def expected(self, role) -> str:
        return self.open.get(role, self.default)


def to(roles, outcome="200") -> dict:
    return dict.fromkeys(roles, outcome)


def logged_in(outcome="200") -> dict:
    """Everybody logged in gets `outcome`; an anonymous visitor is sent to the login."""
    return {**to(PEOPLE, outcome), "anonymous": "login"}


def everybody(outcome="200") -> dict:
    return to(ROLES, outcome)


def empty(world) -> dict:
    return {}


def _call(name, call="call"):
    return lambda w: reverse(name, args=[getattr(w, call).year])


def _app(name, application="draft", **extra):
    """A page of one application: /aanvragen/<year>/<slug>/…"""

    def url(w):
        obj = getattr(w, application)
        kwargs = {"year": obj.call.year, "slug": obj.slug}
        kwargs.update({k: v(w) if callable(v) else v for k, v in extra.items()})
        return reverse(name, kwargs=kwargs)

    return url


def _ref(name, obj):
    """A page about one object with a `reference` (an idea, an application, a grant)."""
    return lambda w: reverse(name, args=[getattr(w, obj).reference])


def _session(name, **extra):
    def url(w):
        kwargs = {"year": w.call.year, "pk": w.session.pk}
        kwargs.update({k: v(w) for k, v in extra.items()})
        return reverse(name, kwargs=kwargs)

    return url


def _download(obj):
    """core:download of one file field: (world) -> the object whose file it is."""

    def url(w, field_name):
        instance = obj(w)
        meta = instance._meta
        return reverse(
            "core:download", args=[meta.app_label, meta.model_name, instance.pk, field_name]
        )

    return url


GRANT_READERS = ("gent", "partner", *FINANCE, "manager")  # payments.view_grant and its files
APPLICATION_READERS = ("gent", "partner", "manager")  # applications.view_application

TABLE = {
    # --- Accounts, language, home -----------------------------------------------------------------
    "accounts:login": Row(
        lambda w: reverse("accounts:login"),
        {"anonymous": "200"},
        default="302",
        note="whoever is logged in goes on to the dashboard",
    ),
    "accounts:logout": Row(
        lambda w: reverse("accounts:logout"), everybody("302"), post=empty, note="to the home page"
    ),
    "accounts:second_factor": Row(lambda w: reverse("accounts:second_factor"), logged_in()),
    "accounts:password_reset": Row(lambda w: reverse("accounts:password_reset"), everybody()),
    "accounts:password_reset_done": Row(
        lambda w: reverse("accounts:password_reset_done"), everybody()
    ),
    "accounts:password_reset_confirm": Row(
        lambda w: reverse(
            "accounts:password_reset_confirm",
            args=["MQ", "0-ongeldig"],  # a wrong token: "this link is not valid"
        ),
        everybody(),
        note="the token is the secret; a wrong one opens nothing",
    ),
    "accounts:password_reset_complete": Row(
        lambda w: reverse("accounts:password_reset_complete"), everybody()
    ),
    "set_language": Row(
        lambda w: reverse("set_language"), everybody("302"), note="a GET only redirects back"
    ),
    "core:home": Row(
        lambda w: reverse("core:home"),
        {"anonymous": "200"},
        default="302",
        note="whoever is logged in goes on to the dashboard",
    ),
    "core:dashboard": Row(lambda w: reverse("core:dashboard"), logged_in()),
    # --- The applicant's side of the jury (R-JURY-Q, R-LETTER) -----------------------------------
    "scoring_applicant:questions": Row(
        _app("scoring_applicant:questions", "application"), to(("gent", "partner"))
    ),
    "scoring_applicant:decision": Row(
        _app("scoring_applicant:decision", "approved"), to(("gent", "partner"))
    ),
    # --- Co-creation (R-COCREATE) ---------------------------------------------------------------
    "applications:session_list": Row(_call("applications:session_list"), logged_in()),
    "applications:session_create": Row(
        _call("applications:session_create"), {"manager": "200", "anonymous": "login"}
    ),
    "applications:session_detail": Row(_session("applications:session_detail"), logged_in()),
    "applications:session_edit": Row(
        _session("applications:session_edit"), {"manager": "200", "anonymous": "login"}
    ),
    "applications:session_register": Row(
        _session("applications:session_register"),
        {**to(MEMBERS, "302"), "anonymous": "login"},
        post=empty,
    ),
    "applications:session_cancel": Row(
        _session("applications:session_cancel"),
        {**to(MEMBERS, "302"), "anonymous": "login"},
        post=empty,
    ),
    "applications:session_attendance": Row(
        _session("applications:session_attendance"), {"manager": "200", "anonymous": "login"}
    ),
    "applications:attendance_upload": Row(
        _session("applications:attendance_upload"), {"manager": "200", "anonymous": "login"}
    ),
    "applications:attendance_remove": Row(
        _session("applications:attendance_remove", attendance_pk=lambda w: w.attendance.pk),
        {"manager": "302", "anonymous": "login"},
        post=empty,
    ),
    "applications:cocreation_missing": Row(
        _call("applications:cocreation_missing"), {"manager": "200", "anonymous": "login"}
    ),
    # --- Ideas ------------------------------------------------------------------------------------
    "applications:my_ideas": Row(lambda w: reverse("applications:my_ideas"), logged_in()),
    "applications:new_idea": Row(
        _call("applications:new_idea"),
        {**to(MEMBERS), "anonymous": "login"},
        note="only members of an organisation register ideas",
    ),
    "applications:call_ideas": Row(_call("applications:call_ideas"), {"manager": "200"}),
    "applications:idea": Row(_ref("applications:idea", "idea_draft"), to(APPLICATION_READERS)),
    "applications:idea_autosave": Row(
        _ref("applications:idea_autosave", "idea_draft"), {"gent": "200"}, post=empty, htmx=True
    ),
    "applications:idea_add_partner": Row(
        _ref("applications:idea_add_partner", "idea_draft"), {"gent": "302"}, post=empty
    ),
    "applications:idea_remove_partner": Row(
        lambda w: reverse(
            "applications:idea_remove_partner", args=[w.idea_draft.reference, w.idea_partner.pk]
        ),
        {"gent": "302"},
        post=empty,
    ),
    # --- Applications (the draft: the applicant's pages) -----------------------------------------
    "applications:my_applications": Row(
        lambda w: reverse("applications:my_applications"), logged_in()
    ),
    "applications:start_application": Row(
        _ref("applications:start_application", "idea_draft"),
        {"gent": "302"},
        post=empty,
        note="the lead is told a draft idea cannot start an application",
    ),
    "applications:application": Row(_app("applications:application"), to(APPLICATION_READERS)),
    "applications:application_review": Row(
        _app("applications:application_review"), to(APPLICATION_READERS)
    ),
    "applications:application_partner": Row(
        _app("applications:application_partner", pk=lambda w: w.draft_partner.pk),
        to(("gent", "partner"), "302"),
        post=empty,
        note="the partner edits its own row",
    ),
    "applications:application_section": Row(
        _app("applications:application_section", section="project"), to(APPLICATION_READERS)
    ),
    "applications:application_autosave": Row(
        _app("applications:application_autosave", section="project"),
        {"gent": "200"},
        post=empty,
        htmx=True,
    ),
    "applications:application_add_item": Row(
        _app("applications:application_add_item", section="themes_kpis"),
        {"gent": "200"},
        post=empty,
        note="the empty item is refused with the form",
    ),
    "applications:application_upload": Row(
        _app("applications:application_upload", section="attachments"),
        {"gent": "400"},
        post=empty,
        note="the empty upload is refused on the section page, with what was typed kept",
    ),
    "applications:application_delete_item": Row(
        _app("applications:application_delete_item", section="themes_kpis", pk=lambda w: w.kpi.pk),
        {"gent": "302"},
        post=empty,
    ),
    "applications:application_budget": Row(
        _app("applications:application_budget"), to(APPLICATION_READERS)
    ),
    "applications:application_budget_check": Row(
        _app("applications:application_budget_check"),
        to(("gent", "partner")),
        post=empty,
        htmx=True,
    ),
    "applications:application_budget_line_add": Row(
        _app("applications:application_budget_line_add"),
        to(("gent", "partner")),
        post=empty,
        note="the empty line is refused with the page",
    ),
    "applications:application_budget_line_edit": Row(
        _app("applications:application_budget_line_edit", pk=lambda w: w.lead_line.pk),
        {"gent": "200"},
        note="Gent's own line: the partner changes only Kortrijk's lines",
    ),
    "applications:application_budget_line_delete": Row(
        _app("applications:application_budget_line_delete", pk=lambda w: w.partner_line.pk),
        to(("gent", "partner"), "302"),
        post=empty,
        note="Kortrijk's line: the lead and Kortrijk",
    ),
    "applications:application_budget_download": Row(
        _app("applications:application_budget_download"), to(APPLICATION_READERS)
    ),
    "applications:application_budget_upload": Row(
        _app("applications:application_budget_upload"), {"gent": "200"}
    ),
    # --- Admissibility (the admissible application) ------------------------------------------
    "applications:admissibility_overview": Row(
        _call("applications:admissibility_overview"), {"manager": "200"}
    ),
    "applications:admissibility": Row(
        _app("applications:admissibility", "application"), {"manager": "200"}
    ),
    "applications:admissibility_confirm": Row(
        _app("applications:admissibility_confirm", "application", pk=lambda w: w.check.pk),
        {"manager": "302"},
        post=empty,
    ),
    "applications:admissibility_completion": Row(
        _app("applications:admissibility_completion", "application"),
        {"manager": "200"},
        post=empty,
        note="the empty request is refused with the page",
    ),
    "applications:admissibility_decision": Row(
        _app("applications:admissibility_decision", "application"),
        {"manager": "200"},
        post=empty,
        note="the first click shows what will happen",
    ),
    # --- The jury on ideas --------------------------------------------------------------------
    "scoring:idea_list": Row(
        _call("scoring:idea_list"), {"juror": "200", "conflicted": "200", "anonymous": "login"}
    ),
    "scoring:idea_detail": Row(_ref("scoring:idea_detail", "idea"), {"juror": "200"}),
    "scoring:idea_declare": Row(_ref("scoring:idea_declare", "idea"), {"juror": "200"}),
    "scoring:shortlist": Row(_call("scoring:shortlist"), {"manager": "200", "anonymous": "login"}),
    "scoring:shortlist_publish": Row(
        _call("scoring:shortlist_publish"),
        {"manager": "302", "anonymous": "login"},
        note="a GET goes back to the shortlist",
    ),
    "scoring:idea_assessment": Row(_ref("scoring:idea_assessment", "idea"), {"manager": "200"}),
    # --- The jury on applications (the admissible application) --------------------------------
    "scoring:jury_application_list": Row(
        _call("scoring:jury_application_list"),
        {"juror": "200", "conflicted": "200", "anonymous": "login"},
        note="the conflicted juror sees the title under 'conflict', no link",
    ),
    "scoring:jury_application_detail": Row(
        _ref("scoring:jury_application_detail", "application"), {"juror": "200"}
    ),
    "scoring:jury_application_declare": Row(
        _ref("scoring:jury_application_declare", "application"), {"juror": "200"}
    ),
    "scoring:jury_application_pdf": Row(
        _ref("scoring:jury_application_pdf", "application"), {"juror": "200"}
    ),
    "scoring:jury_questions": Row(
        _ref("scoring:jury_questions", "application"), to(("juror", "manager"))
    ),
    "scoring:consensus": Row(_ref("scoring:consensus", "application"), {"manager": "200"}),
    "scoring:ranking": Row(_call("scoring:ranking"), {"manager": "200", "anonymous": "login"}),
    "scoring:jury_compose": Row(
        _call("scoring:jury_compose"), {"manager": "200", "anonymous": "login"}
    ),
    # --- Grants and money (Gent's running grant) -----------------------------------------------
    "payments:projects": Row(lambda w: reverse("payments:projects"), logged_in()),
    "payments:project": Row(_ref("payments:project", "grant"), to(GRANT_READERS)),
    "payments:cost_lines": Row(_ref("payments:cost_lines", "grant"), to(GRANT_READERS)),
    "payments:cost_lines_export": Row(
        _ref("payments:cost_lines_export", "grant"), to((*FINANCE, "manager"))
    ),
    "payments:changes": Row(_ref("payments:changes", "grant"), to(GRANT_READERS)),
    "payments:finance": Row(
        lambda w: reverse("payments:finance"), {**to(FINANCE), "anonymous": "login"}
    ),
    "payments:sepa_export": Row(
        lambda w: reverse("payments:sepa_export"),
        {**to(FINANCE, "302"), "anonymous": "login"},
        post=empty,
        note="nothing is waiting: the officer is told so",
    ),
    "payments:finance_request": Row(
        lambda w: reverse("payments:finance_request", args=[w.money["open_request"].pk]),
        to(FINANCE),
    ),
    "payments:finance_payment": Row(
        lambda w: reverse("payments:finance_payment", args=[w.money["proposed"].pk]),
        to(FINANCE),
    ),
    "payments:settlement": Row(_ref("payments:settlement", "grant"), to(GRANT_READERS)),
    "payments:stop": Row(_ref("payments:stop", "grant"), {"manager": "200"}),
    # --- The public register and the end results (R-SHARE) -----------------------------------
    "register:list": Row(lambda w: reverse("register:list"), everybody()),
    "register:export_csv": Row(lambda w: reverse("register:export_csv"), everybody()),
    "register:export_json": Row(lambda w: reverse("register:export_json"), everybody()),
    "register:export_jsonld": Row(lambda w: reverse("register:export_jsonld"), everybody()),
    "register:context": Row(lambda w: reverse("register:context"), everybody()),
    "register:project": Row(_ref("register:project", "grant"), everybody()),
    "register:interest": Row(
        _ref("register:interest", "grant"),
        {"leuven": "400"},
        post=empty,
        note="only a municipality outside the project; the empty form is refused",
    ),
    "register:end_results": Row(_ref("register:end_results", "grant"), {"gent": "200"}),
    "register:offer_result": Row(
        lambda w: reverse("register:offer_result", args=[w.grant.reference, w.money["draft"].pk]),
        {"gent": "400"},
        post=empty,
        note="without the acknowledgement the offer is refused",
    ),
    "register:remove_result": Row(
        lambda w: reverse("register:remove_result", args=[w.grant.reference, w.money["draft"].pk]),
        {"gent": "302"},
        post=empty,
    ),
    "register:review": Row(lambda w: reverse("register:review"), {"manager": "200"}),
    "register:decide": Row(
        lambda w: reverse("register:decide", args=[w.money["offered"].pk]),
        {"manager": "400"},
        post=empty,
        note="a refusal without a note is refused",
    ),
    "register:organisation": Row(
        lambda w: reverse("register:organisation", args=[w.grant.organisation.slug]),
        everybody("302"),
        note="to the register, filtered",
    ),
    "register:call": Row(
        lambda w: reverse("register:call", args=[w.decided.year]),
        everybody("302"),
        note="to the register, filtered",
    ),
}

# core:download, one row per file field: "app_label.model.field" -> the object and who opens it.
DOWNLOADS = {
    "letters.letter.pdf": Row(
        _download(lambda w: w.letter),
        to(("gent", *FINANCE, "manager")),
        note="Gent's decision letter: the addressee, not its partner",
    ),
    "scoring.advice.pdf": Row(_download(lambda w: w.advice), {"manager": "200"}),
    "scoring.advice.xlsx": Row(_download(lambda w: w.advice), {"manager": "200"}),
    "applications.submission.pdf": Row(
        _download(lambda w: w.submission),
        to(APPLICATION_READERS),
        note="the jury reads it through scoring:jury_application_pdf",
    ),
    "applications.attachment.file": Row(_download(lambda w: w.attachment), to(APPLICATION_READERS)),
    "payments.cooperationagreement.file": Row(
        _download(lambda w: w.money["agreement"]), to(GRANT_READERS)
    ),
    "payments.contentreport.file": Row(_download(lambda w: w.money["report"]), to(GRANT_READERS)),
    "payments.contentreport.award_report": Row(
        _download(lambda w: w.money["report"]), to(GRANT_READERS)
    ),
    "payments.contentreport.framework_agreement": Row(
        _download(lambda w: w.money["report"]), to(GRANT_READERS)
    ),
    "payments.contentreport.playbook": Row(
        _download(lambda w: w.money["report"]), to(GRANT_READERS)
    ),
    "payments.coststatementline.evidence": Row(
        _download(lambda w: w.money["line"]), to(GRANT_READERS)
    ),
    "payments.sepabatch.file": Row(_download(lambda w: w.batch), to(FINANCE)),
    "payments.endresult.file": Row(
        _download(lambda w: w.money["draft"]),
        to(("gent", "partner", "manager")),
        note="a result not offered yet; a published one is everybody's",
    ),
}

# The admin, one family: staff with a confirmed second factor only (module docstring).
ADMIN = {
    "default": "login",
    "admin:login": "200",  # the login form itself (staff are sent to their second factor first)
    "admin:logout": "302",  # to the admin index, which sends to the admin login
}


# --- Every URL pattern -------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    route: str  # the full route, prefixes included
    name: str | None  # namespaced, as reverse() takes it
    callback: object

    @property
    def key(self) -> str:
        return self.name or self.route


def url_patterns(resolver=None, prefix="", namespace=None):
    """Every pattern of the URLconf, recursively, with its full route and namespaced name."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from url_patterns(entry, route, inner)
        else:
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            anchors = r"(?<!\[)\^|\$$"  # a regex route's ^ and $, not the ^ of [^/]
            yield Pattern(re.sub(anchors, "", route), name, entry.callback)


PATTERNS = [p for p in url_patterns() if not p.route.startswith(SERVED_FILES)]
ADMIN_PATTERNS = [p for p in PATTERNS if p.route.startswith(ADMIN_PREFIX)]
PORTAL_PATTERNS = [p for p in PATTERNS if not p.route.startswith(ADMIN_PREFIX)]


def file_fields():
    """Every file field of every model: "app_label.model.field"."""
    return sorted(
        f"{model._meta.app_label}.{model._meta.model_name}.{f.name}"
        for model in apps.get_models()
        for f in model._meta.get_fields()
        if isinstance(f, models.FileField)
    )


def _admin_url(pattern: Pattern, world) -> str:
    """The admin pattern's route, its arguments filled with objects of the world."""
    parts = pattern.route[len(ADMIN_PREFIX) :].split("/")
    model = None
    if len(parts) > 2:
        try:
            model = apps.get_model(parts[0], parts[1])
        except (LookupError, ValueError):
            model = None
    obj = model._default_manager.order_by("pk").first() if model else None
    pk = obj.pk if obj else 1
    history = getattr(obj, "history", None)
    history_id = (
        history.order_by("history_id").values_list("history_id", flat=True).first()
        if history
        else 1
    )
    values = {
        "object_id": pk,
        "id": pk,
        "pk": pk,
        "content_type_id": ContentType.objects.get_for_model(Letter).pk,
        "app_label": "applications",
        "url": "onbekende-pagina/",
    }
    if pattern.name == "admin:view_on_site":
        values["object_id"] = world.letter.pk
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m[1]]), pattern.route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m[1]]), route)
    positional = iter((pk, history_id or 1))
    route = re.sub(r"\([^)]*\)", lambda m: str(next(positional)), route)
    url = "/" + route
    assert resolve(url).func is pattern.callback, (pattern.route, url)
    return url


# --- The cases ---------------------------------------------------------------------------------


def _rows() -> dict:
    rows = dict(TABLE)
    rows.update({f"core:download[{key}]": row for key, row in DOWNLOADS.items()})
    return rows


ROWS = _rows()
CASES = [pytest.param(key, role, id=f"{key}-{role}") for key in ROWS for role in ROLES]


def _login(client, world, role):
    if role != "anonymous":
        client.cookies[django_settings.SESSION_COOKIE_NAME] = world.sessions[role]


def _is_login(response, login_url) -> bool:
    return response.status_code == 302 and response["Location"].startswith(login_url)


LOGIN_URLS = (reverse("accounts:login"), reverse("admin:login"))


def _assert_outcome(response, expected, url, login_url):
    status = response.status_code
    assert status != 403, f"{url}: 403; an object you may not see is a 404"
    assert status < 500, f"{url}: {status}"
    if response.streaming:  # a file: read it to the end, which closes it
        content = b"".join(response.streaming_content)
        assert content or status != 200, url
    if expected == "login":
        assert _is_login(response, login_url), f"{url}: {status}, not the login"
        return
    assert str(status) == expected, f"{url}: {status}, not {expected}"
    if status == 302:
        assert not response["Location"].startswith(LOGIN_URLS), (url, response["Location"])


def _url(key, world) -> str:
    row = ROWS[key]
    if key.startswith("core:download["):
        return row.url(world, key[:-1].rsplit(".", 1)[1])
    return row.url(world)


@pytest.mark.parametrize(("key", "role"), CASES)
def test_every_url_answers_every_role_as_the_table_says(client, world, key, role):
    row = ROWS[key]
    url = _url(key, world)
    assert resolve(url).view_name == key.split("[")[0], f"{url} is not {key}"
    _login(client, world, role)
    headers = {"HTTP_HX_REQUEST": "true"} if row.htmx else {}
    if row.post is None:
        response = client.get(url, **headers)
    else:
        response = client.post(url, row.post(world), **headers)
    _assert_outcome(response, row.expected(role), url, reverse("accounts:login"))


POST_ONLY = [key for key, row in ROWS.items() if row.post is not None]


@pytest.mark.parametrize("key", POST_ONLY)
def test_a_view_that_answers_post_only_shows_nothing_on_get(client, world, key):
    """Its GET is a 405 (or the 404 or login of the permission in front of it), also for those
    who may post."""
    row = ROWS[key]
    url = _url(key, world)
    login_url = reverse("accounts:login")
    for role in ("anonymous", *sorted(set(row.open) - {"anonymous"})):
        client.cookies.clear()
        _login(client, world, role)
        response = client.get(url, HTTP_HX_REQUEST="true") if row.htmx else client.get(url)
        assert response.status_code in (404, 405) or _is_login(response, login_url), (
            f"GET {url} ({role}): {response.status_code}"
        )


@pytest.mark.parametrize("pattern", ADMIN_PATTERNS, ids=lambda p: p.key)
def test_every_admin_url_sends_everybody_without_a_second_factor_to_the_admin_login(
    client, world, pattern, settings
):
    settings.COT_REQUIRE_2FA = True
    assert isinstance(admin.site, OTPAdminSite), "the admin must ask for the second factor"
    url = _admin_url(pattern, world)
    logins = (reverse("admin:login"), reverse("accounts:second_factor"))
    expected = ADMIN.get(pattern.name, ADMIN["default"])
    for role in ROLES:
        client.cookies.clear()
        _login(client, world, role)
        response = client.get(url)
        user = world.users.get(role)
        staff = user is not None and (user.is_staff or user.needs_second_factor)
        outcome = "login" if staff and pattern.name == "admin:login" else expected
        _assert_outcome(response, outcome, f"{url} ({role})", logins)


def test_every_url_pattern_and_file_field_has_a_row():
    """A new URL (or file field) needs its row: who may open it is a decision, not a default."""
    names = {p.name for p in PORTAL_PATTERNS}
    missing = sorted(
        p.key for p in PORTAL_PATTERNS if p.key not in TABLE and p.key != "core:download"
    )
    assert not missing, f"URL patterns without a row in TABLE: {missing}"
    assert None not in names, [p.route for p in PORTAL_PATTERNS if p.name is None]
    stale = sorted(set(TABLE) - names)
    assert not stale, f"rows of TABLE without a URL pattern: {stale}"
    # A row that nobody gets through proves nothing about its objects: each lets someone in.
    closed = sorted(key for key, row in ROWS.items() if {*map(row.expected, ROLES)} == {"404"})
    assert not closed, f"rows where every role gets a 404: {closed}"
    assert ADMIN_PATTERNS, "the admin is mounted under beheer/"

    fields = set(file_fields())
    downloadable = {
        f"{model._meta.app_label}.{model._meta.model_name}.{name}"
        for model in apps.get_models()
        for name in getattr(model, "downloadable_file_fields", ())
    }
    assert downloadable <= fields, downloadable - fields
    missing = sorted(fields - set(DOWNLOADS))
    assert not missing, f"file fields without a row in DOWNLOADS: {missing}"
    stale = sorted(set(DOWNLOADS) - fields)
    assert not stale, f"rows of DOWNLOADS without a file field: {stale}"


def _verified(client, user):
    """Log in with a confirmed second factor, as accounts:second_factor leaves the session."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.mark.parametrize(
    ("role", "expected"),
    [("manager", "200"), ("finance", "200"), ("gent", "login"), ("juror", "login")],
)
def test_the_admin_opens_for_staff_with_a_second_factor_only(
    client, world, role, expected, settings
):
    """The other side of the admin family: staff who confirmed their second factor get in;
    without the staff flag, a confirmed second factor opens nothing."""
    settings.COT_REQUIRE_2FA = True
    _verified(client, world.users[role])
    url = reverse("admin:index")
    _assert_outcome(client.get(url), expected, url, reverse("admin:login"))
