"""Who opens which money page and file, and who may post to it (issue 8).

The actors, for the grants of Gent (lead) with Kortrijk as partner:

- the lead applicant's member acts on the grant (start, agreement, reports, tranche requests,
  cost lines, changes, end results);
- the partner's member reads the project, its costs, changes and settlement, acts on nothing;
- a member of Leuven (another municipality, with its own grant) sees nothing of Gent's grants;
  it may only say "wij willen dit ook" (R-SHARE);
- a finance officer checks, proposes, approves, settles; a second finance officer approves what
  the first proposed (four-eyes): the proposer sees the payment but has no approve button and
  the service refuses the POST (400, nothing changes);
- a finance officer who is a member of Gent (the beneficiary) is conflicted: every finance page
  of Gent's grants is a 404 for them and they approve nothing; as a member of Gent they read
  and act on the project like any colleague of the lead applicant;
- the call manager checks agreements and reports, decides changes, stops, reviews end results;
- a jury member (the one who scored the applications) has no business with the money: 404;
- an anonymous visitor is sent to the login from the pages without an object (the project
  list, the finance dashboard, the SEPA export), and gets a 404 from every page and file of
  one grant (`login_required_404`, and core:download answers 404 to whoever lacks the
  permission).

An object someone may not see is a 404: never a 403, never a 200 with data. A POST by someone
who may not act is a 404 too and changes nothing in the payments tables (nor the letters); a
refused input (400) changes nothing either; an allowed POST that redirects changed something.

The world is built once for the module, through the real services (the Government's decision
opens the grants; start, agreement, check, tranche request, proposal, four-eyes release, SEPA
export, cost lines and their check, settlement with its recovery letter, stop with its letter,
change request, end results and their publication), inside a transaction that is rolled back
at the end; every test runs in its own savepoint on top of it. Tranche requests that the
calendar does not allow yet (tranche 2 halfway, tranche 3 at the end) are written directly,
as tests/integration/test_payments.py does.
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import resolve, reverse
from django.utils import timezone

from cot_portal.accounts.models import StaffRole
from cot_portal.letters.models import Letter
from payments import (
    register_urls,
    services_costs,
    urls_costs,
    urls_finance,
    urls_grant,
    urls_settlement,
)
from payments import services_payments as payments
from payments import services_settlement as settlement
from payments.models import (
    ChangeRequest,
    ContentReport,
    CooperationAgreement,
    CostStatementLine,
    EndResult,
    Grant,
    Payment,
    SepaBatch,
    TrancheRequest,
)
from payments.selectors_finance import finance_panel
from scoring import services_ranking
from tests.factories import member_of, municipality
from tests.factories_ranking import on_jury, ranking_call, scored_application, uniform
from tests.factories_scoring import call_manager, juror
from tests.factories_world import (
    ANTWERPEN,
    DRAFT_TITLE,
    GENT,
    KORTRIJK,
    LEUVEN,
    OFFERED_TITLE,
    PUBLISHED_TITLE,
    coordinator,
    cost_line,
    finance_officer,
    module_world,
    pdf,
    request_directly,
    run_grant,
    tranche,
)

pytestmark = pytest.mark.django_db

IBAN = "BE71096123456769"
IBAN_PRINTED = "BE71 0961 2345 6769"


@dataclass
class World:
    lead: object  # a member of Gent, who submitted the applications
    partner: object  # a member of Kortrijk
    other: object  # a member of Leuven, lead of its own grant
    finance: object  # proposed the payment waiting for approval
    finance_2: object  # the colleague who may approve it
    insider: object  # a finance officer who is a member of Gent
    manager: object
    juror: object  # scored the applications, nothing to do with the money
    running: Grant  # Gent's running grant, with everything waiting for someone
    settled: Grant  # Gent's grant, settled with a recovery
    stopped: Grant  # Gent's grant, stopped
    leuven: Grant  # Leuven's own grant
    agreement: CooperationAgreement  # the latest upload, waiting for the manager's check
    report: ContentReport  # the interim report, waiting for the manager's check
    line: CostStatementLine  # pending, with its evidence
    change: ChangeRequest  # waiting for the manager's decision
    open_request: TrancheRequest  # tranche 2, waiting for finance's check
    proposed: Payment  # tranche 1, proposed by `finance`, waiting for a second officer
    batch: SepaBatch
    draft: EndResult  # not offered
    offered: EndResult  # offered, waiting for the manager
    published: EndResult
    settlement_letter: Letter  # the settlement with its recovery
    stop_letter: Letter

    def actor(self, name):
        return None if name == "anonymous" else getattr(self, name)


def _settled(grant, people):
    """Tranches 1 and 2 released by two officers (tranche 1 exported to SEPA, tranche 2 not
    yet), the final request, € 600.000 accepted: settled with a recovery of € 80.000."""
    lead, finance, finance_2 = people["lead"], people["finance"], people["finance_2"]
    for number in (1, 2):
        request_directly(grant, number, lead)
        payment = payments.propose_payment(tranche(grant, number), finance)
        payments.approve_payment(payment, finance_2)
        if number == 1:
            batch = payments.export_sepa(finance)
    request_directly(grant, 3, lead)
    for amount in ("350000.00", "250000.00"):
        line = cost_line(grant, amount, lead)
        services_costs.check_cost_line(line, accept=True, reason="", user=finance)
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = settlement.settle_grant(grant, finance)
    assert done.balance == Decimal("-80000.00")
    return batch, Letter.objects.get(pk=done.letter_id)


def _stopped(grant, manager) -> Letter:
    with TestCase.captureOnCommitCallbacks(execute=True):
        settlement.stop_grant(
            grant, "no_results", "Onvoldoende concrete resultaten.", None, manager
        )
    grant.refresh_from_db()
    assert grant.status == "stopped"
    return Letter.objects.filter(kind="stop").get(organisation=grant.organisation_id)


def _build_world() -> World:
    manager = call_manager(first_name="Mona", last_name="Manager")
    scorer = juror(first_name="Jozefien", last_name="Jury")
    call = ranking_call(envelope=Decimal("5000000.00"))
    on_jury(call, manager, scorer)
    applications, leads = [], []
    for minutes, (lead_nis, partner_nis) in enumerate(
        ((GENT, KORTRIJK), (GENT, KORTRIJK), (GENT, KORTRIJK), (LEUVEN, ANTWERPEN))
    ):
        application, user = scored_application(
            call, lead_nis, [scorer], uniform(9), partner_nis=(partner_nis,), minutes=minutes
        )
        applications.append(application)
        leads.append(user)
    services_ranking.freeze_advice(call=call, manager=manager)
    services_ranking.record_decision(
        call=call,
        decision_date=timezone.localdate(),
        decision_reference="VR 2030 0101 DOC.0001/1",
        manager=manager,
    )
    Grant.objects.filter(call=call).update(iban=IBAN)
    running, settled, stopped, leuven = (Grant.objects.get(application=a) for a in applications)
    people = {
        "lead": leads[0],
        "partner": member_of(municipality(KORTRIJK)),
        "other": leads[3],
        "finance": finance_officer(first_name="Fien", last_name="Financien"),
        "finance_2": finance_officer(first_name="Tweede", last_name="Paar"),
        "insider": member_of(municipality(GENT), roles=[StaffRole.FINANCE_OFFICER]),
        "manager": manager,
        "juror": scorer,
    }
    objects = run_grant(running, people)
    batch, settlement_letter = _settled(settled, people)
    stop_letter = _stopped(stopped, manager)
    # Leuven asks for its first tranche too: the conflicted officer's dashboard is not empty.
    request_directly(leuven, 1, leads[3])
    for grant in (running, settled, stopped, leuven):
        grant.refresh_from_db()
    return World(
        **people,
        **objects,
        running=running,
        settled=settled,
        stopped=stopped,
        leuven=leuven,
        batch=batch,
        settlement_letter=settlement_letter,
        stop_letter=stop_letter,
    )


@pytest.fixture(scope="module")
def world_media(tmp_path_factory):
    return tmp_path_factory.mktemp("money-permissions-media")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, world_media):
    with django_db_blocker.unblock(), module_world(world_media):
        yield _build_world()


@pytest.fixture(autouse=True)
def _setup(settings, _media_in_tmp, world_media):
    settings.COT_REQUIRE_2FA = False
    settings.LANGUAGE_CODE = "nl"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = world_media  # the module's files, not the test's own folder


# --- The pages and files ------------------------------------------------------------------------


def _day(day) -> str:
    return day.strftime("%d/%m/%Y")


def _download(obj, field):
    meta = obj._meta
    return reverse("core:download", args=[meta.app_label, meta.model_name, obj.pk, field])


def _project(name):
    return lambda w: reverse(f"payments:{name}", args=[w.running.reference])


@dataclass(frozen=True)
class Page:
    url: object  # (world) -> str
    posts: dict | None = None  # action -> (world) -> POST data; None: a page without a form
    get: bool = True  # False: the view answers POST only (a GET is a 405 for everybody)


PAGES = {
    # Everybody's own projects (no object: anonymous visitors go to the login).
    "projects": Page(lambda w: reverse("payments:projects")),
    # The project page: the lead applicant's intentions and the call manager's checks.
    "project": Page(
        _project("project"),
        {
            "start": lambda w: {"action": "start", "start-day": _day(timezone.localdate())},
            "agreement": lambda w: {"action": "agreement", "agreement-file": pdf()},
            "report": lambda w: {
                "action": "report",
                "kind": "interim",
                "report-interim-summary": "Ingebroken rapport.",
                "report-interim-file": pdf(),
            },
            "request": lambda w: {"action": "request", "tranche": "3"},
            "check-agreement": lambda w: {
                "action": "check-agreement",
                "target": w.agreement.pk,
                "check-agreement-decision": "accept",
                "check-agreement-note": "",
            },
            "check-report": lambda w: {
                "action": "check-report",
                "target": w.report.pk,
                "check-report-interim-decision": "accept",
                "check-report-interim-note": "",
            },
            "confirm-conditions": lambda w: {"action": "confirm-conditions"},
        },
    ),
    # Cost statements (R-COSTS) and their export, changes (R-CHANGE).
    "cost_lines": Page(
        _project("cost_lines"),
        {
            "add": lambda w: {
                "action": "add",
                "line-partner": coordinator(w.running).pk,
                "line-category": "personnel",
                "line-date": _day(w.running.start_date),
                "line-description": "Ingebroken factuur",
                "line-amount": "1.000,00",
                "line-evidence": pdf("factuur.pdf"),
            },
            "withdraw": lambda w: {"action": "withdraw", "line": w.line.pk},
            "check": lambda w: {
                "action": "check",
                "line": w.line.pk,
                f"check-{w.line.pk}-decision": "accept",
                f"check-{w.line.pk}-reason": "",
            },
            "accept_all": lambda w: {
                "action": "accept_all",
                "all-lines": str(w.line.pk),
                "all-confirm": "on",
            },
        },
    ),
    "cost_lines_export": Page(_project("cost_lines_export")),
    "changes": Page(
        _project("changes"),
        {
            "request": lambda w: {
                "action": "request",
                "change-kind": "budget_shift",
                "change-description": "Ingebroken verschuiving.",
                "change-approved_total_cost": "900.000,00",
            },
            "decide": lambda w: {
                "action": "decide",
                "change": w.change.pk,
                f"decide-{w.change.pk}-decision": "approve",
                f"decide-{w.change.pk}-motivation": "Ingebroken goedkeuring.",
            },
        },
    ),
    # Finance: the dashboard, the SEPA export, the check of a request, one payment.
    "finance": Page(lambda w: reverse("payments:finance")),
    "sepa_export": Page(
        lambda w: reverse("payments:sepa_export"), {"export": lambda w: {}}, get=False
    ),
    "finance_request": Page(
        lambda w: reverse("payments:finance_request", args=[w.open_request.pk]),
        {
            "propose": lambda w: {
                "action": "propose",
                "propose-note": "Ingebroken.",
                "propose-confirm": "on",
            },
            "refuse": lambda w: {"action": "refuse", "refuse-reason": "Ingebroken weigering."},
        },
    ),
    "finance_payment": Page(
        lambda w: reverse("payments:finance_payment", args=[w.proposed.pk]),
        {
            "approve": lambda w: {"action": "approve", "approve-confirm": "on"},
            "reject": lambda w: {"action": "reject", "reject-note": "Ingebroken afwijzing."},
        },
    ),
    # Settlement (R-SETTLE) of the running grant (the computation) and of the settled one (the
    # result with its letter), the stop (R-STOP).
    "settlement": Page(_project("settlement"), {"settle": lambda w: {"confirm": "on"}}),
    "settlement_done": Page(
        lambda w: reverse("payments:settlement", args=[w.settled.reference]),
        {"settle": lambda w: {"confirm": "on"}},
    ),
    "stop": Page(
        _project("stop"),
        {
            "stop": lambda w: {
                "reason": "misuse",
                "motivation": "Ingebroken stopzetting.",
                "repayment": "",
                "confirm": "on",
            }
        },
    ),
    # The register's parts that are not public: the lead's end results, the manager's review,
    # "wij willen dit ook".
    "end_results": Page(
        lambda w: reverse("register:end_results", args=[w.running.reference]),
        {
            "add": lambda w: {
                "kind": "lessons",
                "title": "Ingebroken les",
                "lessons_good": "Niets.",
            }
        },
    ),
    "offer_result": Page(
        lambda w: reverse("register:offer_result", args=[w.running.reference, w.draft.pk]),
        {"offer": lambda w: {f"r{w.draft.pk}-acknowledged": "on"}},
        get=False,
    ),
    "remove_result": Page(
        lambda w: reverse("register:remove_result", args=[w.running.reference, w.draft.pk]),
        {"remove": lambda w: {}},
        get=False,
    ),
    "review": Page(lambda w: reverse("register:review")),
    "decide_result": Page(
        lambda w: reverse("register:decide", args=[w.offered.pk]),
        {"publish": lambda w: {"action": "publish"}},
        get=False,
    ),
    "interest": Page(
        lambda w: reverse("register:interest", args=[w.running.reference]),
        {"interest": lambda w: {"organisation": w.leuven.organisation_id, "message": ""}},
        get=False,
    ),
    # The files.
    "agreement_file": Page(lambda w: _download(w.agreement, "file")),
    "report_file": Page(lambda w: _download(w.report, "file")),
    "evidence": Page(lambda w: _download(w.line, "evidence")),
    "sepa_file": Page(lambda w: _download(w.batch, "file")),
    "draft_result_file": Page(lambda w: _download(w.draft, "file")),
    "offered_result_file": Page(lambda w: _download(w.offered, "file")),
    "published_result_file": Page(lambda w: _download(w.published, "file")),
    "settlement_letter": Page(lambda w: _download(w.settlement_letter, "pdf")),
    "stop_letter": Page(lambda w: _download(w.stop_letter, "pdf")),
}

ACTORS = (
    "lead",
    "partner",
    "other",
    "finance",
    "finance_2",
    "insider",
    "manager",
    "juror",
    "anonymous",
)

# What an actor opens (GET) or posts ("page:action"); what is not listed is a 404. 302 after a
# POST is the redirect of a done action; 400 is the page again with the service's refusal (the
# permission let the person through; the state of the grant did not). 302 after a GET is the
# redirect to the login.
EVERYBODY = {"projects": 200, "published_result_file": 200}
MEMBER_READS = {
    **EVERYBODY,
    "project": 200,
    "cost_lines": 200,
    "changes": 200,
    "settlement": 200,
    "settlement_done": 200,
    "agreement_file": 200,
    "report_file": 200,
    "evidence": 200,
    "draft_result_file": 200,
    "offered_result_file": 200,
}
# Gent's members (the letters are addressed to Gent).
LEAD = {
    **MEMBER_READS,
    "settlement_letter": 200,
    "stop_letter": 200,
    "project:start": 400,  # fixed once tranche 1 is requested
    "project:agreement": 302,
    "project:report": 302,
    "project:request": 400,  # tranche 3 is not due yet
    "cost_lines:add": 302,
    "cost_lines:withdraw": 302,
    "changes:request": 302,
    "end_results": 200,
    "end_results:add": 302,
    "offer_result:offer": 302,
    "remove_result:remove": 302,
}
FINANCE_READS = {
    **EVERYBODY,
    "project": 200,
    "cost_lines": 200,
    "cost_lines_export": 200,
    "changes": 200,
    "settlement": 200,
    "settlement_done": 200,
    "agreement_file": 200,
    "report_file": 200,
    "evidence": 200,
    "settlement_letter": 200,
    "stop_letter": 200,
}
FINANCE = {
    **FINANCE_READS,
    "finance": 200,
    "sepa_export:export": 302,
    "sepa_file": 200,
    "cost_lines:check": 302,
    "cost_lines:accept_all": 302,
    "finance_request": 200,
    "finance_request:propose": 302,
    "finance_request:refuse": 302,
    "finance_payment": 200,
    # Four-eyes: the proposer sees the payment, waiting for a colleague; the service refuses.
    "finance_payment:approve": 400,
    "finance_payment:reject": 400,
    "settlement:settle": 400,  # the running grant is not ready to settle
    "settlement_done:settle": 400,  # settled already
}
OPEN = {
    "lead": LEAD,
    "partner": MEMBER_READS,
    "other": {**EVERYBODY, "interest:interest": 302},
    "finance": FINANCE,
    "finance_2": {**FINANCE, "finance_payment:approve": 302, "finance_payment:reject": 302},
    # Conflicted: nothing of finance on Gent's grants; as a member of Gent, the lead's rights;
    # the dashboard (without Gent's grants), the SEPA export and its file (payments released
    # by two unconflicted colleagues) are plain bookkeeping.
    "insider": {**LEAD, "finance": 200, "sepa_export:export": 302, "sepa_file": 200},
    "manager": {
        **EVERYBODY,
        "project": 200,
        "project:check-agreement": 302,
        "project:check-report": 302,
        "project:confirm-conditions": 400,  # the decision set no conditions
        "cost_lines": 200,
        "cost_lines_export": 200,
        "changes": 200,
        "changes:decide": 302,
        "settlement": 200,
        "settlement_done": 200,
        "stop": 200,
        "stop:stop": 302,
        "review": 200,
        "decide_result:publish": 302,
        "agreement_file": 200,
        "report_file": 200,
        "evidence": 200,
        "draft_result_file": 200,
        "offered_result_file": 200,
        "settlement_letter": 200,
        "stop_letter": 200,
    },
    "juror": EVERYBODY,
    "anonymous": {
        "projects": 302,
        "finance": 302,
        "sepa_export:export": 302,
        "published_result_file": 200,
    },
}


def _targets():
    for name, page in PAGES.items():
        if page.get:
            yield name, name, None
        for action in page.posts or {}:
            yield f"{name}:{action}", name, action


MATRIX = [
    pytest.param(actor, page, action, OPEN[actor].get(key, 404), id=f"{actor}-{key}")
    for actor in ACTORS
    for key, page, action in _targets()
]


def _snapshot():
    """Every row of the payments tables (their history included) and of the letters."""
    models = [*apps.get_app_config("payments").get_models(), Letter]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


def _login(client, user):
    if user is not None:
        client.force_login(user)


def _assert_status(response, expected, url, *, anonymous):
    assert response.status_code == expected, f"{url}: {response.status_code}, not {expected}"
    if expected == 302 and (anonymous or response.request["REQUEST_METHOD"] == "GET"):
        login = reverse(django_settings.LOGIN_URL)
        assert response["Location"].startswith(login), response["Location"]


@pytest.mark.parametrize(("actor", "page_name", "action", "expected"), MATRIX)
def test_who_opens_and_posts_what(client, world, actor, page_name, action, expected):
    page = PAGES[page_name]
    url = page.url(world)
    user = world.actor(actor)
    _login(client, user)

    if action is None:
        response = client.get(url)
        _assert_status(response, expected, url, anonymous=user is None)
        if response.streaming:  # a file: read it to the end, which closes it
            assert b"".join(response.streaming_content)
            assert response["Cache-Control"] == "private, no-store"
        return

    before = _snapshot()
    response = client.post(url, page.posts[action](world))
    _assert_status(response, expected, url, anonymous=user is None)
    after = _snapshot()
    if expected == 302 and user is not None:
        assert after != before, "an allowed action that changes nothing proves nothing"
    else:
        assert after == before


def test_the_matrix_covers_every_money_url(world):
    """A new URL of the money work (or of the register's non-public part) gets its row here."""
    public = {"list", "export_csv", "export_json", "export_jsonld", "context", "project"}
    public |= {"organisation", "call"}
    names = {
        f"payments:{p.name}"
        for module in (urls_grant, urls_costs, urls_finance, urls_settlement)
        for p in module.urlpatterns
    } | {f"register:{p.name}" for p in register_urls.urlpatterns if p.name not in public}
    covered = {resolve(page.url(world)).view_name for page in PAGES.values()}
    assert names <= covered, names - covered
    assert {"core:download"} <= covered


# --- What the pages that open show --------------------------------------------------------------


def _text(response) -> str:
    assert response.status_code == 200
    return " ".join(response.content.decode().replace("\xa0", " ").split())


def _project_link(grant) -> str:
    return f'href="{reverse("payments:project", args=[grant.reference])}"'


def test_each_municipality_lists_only_its_own_grants(client, world):
    gent = {world.running, world.settled, world.stopped}
    every = {*gent, world.leuven}
    listed = {
        "lead": gent,
        "partner": gent,  # Kortrijk is Gent's partner, not Leuven's
        "other": {world.leuven},
        "juror": set(),
        "finance": every,
        "manager": every,
    }
    for actor, grants in listed.items():
        client.force_login(world.actor(actor))
        response = client.get(reverse("payments:projects"))
        body = _text(response)
        assert {g.pk for g in response.context["grants"]} == {g.pk for g in grants}, actor
        for grant in every:
            assert (_project_link(grant) in body) == (grant in grants), (actor, grant.reference)
            assert (grant.application.title in body) == (grant in grants), (actor, grant.reference)


def _finance_links(world) -> list[str]:
    return [
        reverse("payments:finance_request", args=[world.open_request.pk]),
        reverse("payments:finance_payment", args=[world.proposed.pk]),
        *(
            reverse("payments:finance_payment", args=[pk])
            for pk in Payment.objects.filter(
                tranche__grant__organisation=world.running.organisation
            ).values_list("pk", flat=True)
        ),
    ]


def test_the_finance_dashboard_never_lists_a_grant_to_a_member_of_its_beneficiary(client, world):
    gent = (world.running, world.settled, world.stopped)
    # An unconflicted officer sees Gent's request, the proposal and the paid tranches.
    client.force_login(world.finance_2)
    body = _text(client.get(reverse("payments:finance")))
    for grant in (world.running, world.settled, world.leuven):
        assert grant.reference in body
    for link in _finance_links(world):
        assert f'href="{link}"' in body

    client.force_login(world.insider)
    response = client.get(reverse("payments:finance"))
    board = response.context["board"]
    assert [r.tranche.grant_id for r in board.to_check] == [world.leuven.pk]
    assert board.conflicted == 1  # Gent's tranche 2: "a colleague checks it"
    assert board.awaiting_approval == [] and board.recently_paid == []
    body = _text(response)
    assert world.leuven.reference in body
    for grant in gent:
        assert grant.reference not in body and grant.application.title not in body
    for link in _finance_links(world):
        assert link not in body
    # The panel on the portal's dashboard counts the same way.
    panel = finance_panel(world.insider)
    assert (panel.to_check, panel.to_approve, panel.own_waiting) == (1, 0, 0)


def test_four_eyes_the_proposer_has_no_approve_button_and_is_refused(client, world):
    url = reverse("payments:finance_payment", args=[world.proposed.pk])
    client.force_login(world.finance)
    response = client.get(url)
    assert response.context["own"] and not response.context["may_decide"]
    assert not response.context["may_reject"]
    body = _text(response)
    assert 'value="approve"' not in body and 'value="reject"' not in body
    board = _text(client.get(reverse("payments:finance")))
    assert f'href="{url}"' in board and 'value="approve"' not in board
    before = _snapshot()
    response = client.post(url, {"action": "approve", "approve-confirm": "on"})
    assert response.status_code == 400 and response.context["approve_form"].errors
    assert _snapshot() == before

    # The colleague has the buttons.
    client.force_login(world.finance_2)
    response = client.get(url)
    assert response.context["may_decide"] and response.context["may_reject"]
    body = _text(response)
    assert 'value="approve"' in body and 'value="reject"' in body

    # The officer of the beneficiary approves nothing, not even through the service.
    with pytest.raises(PermissionDenied):
        payments.approve_payment(world.proposed, world.insider)
    assert _snapshot() == before


def test_the_public_register_shows_no_unpublished_result_nor_iban(client, world):
    """A quick check (tests/integration/test_register_leaks.py is the thorough one)."""
    project = reverse("register:project", args=[world.running.reference])
    urls = [
        reverse("register:list"),
        project,
        reverse("register:export_csv"),
        reverse("register:export_json"),
        reverse("register:export_jsonld"),
    ]
    secrets = (
        DRAFT_TITLE,
        OFFERED_TITLE,
        _download(world.draft, "file"),
        _download(world.offered, "file"),
        IBAN,
        IBAN_PRINTED,
    )
    for user in (None, world.other):
        client.logout()
        _login(client, user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            body = response.content.decode()
            for secret in secrets:
                assert secret not in body, (url, secret)
        body = _text(client.get(project))
        assert PUBLISHED_TITLE in body and _download(world.published, "file") in body
