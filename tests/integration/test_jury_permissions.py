"""Who sees which jury page and file, before and after the Government's decision (issue 7).

R-JURY (seed 000): a juror who declared a conflict, or who is a member of the lead applicant or of
a partner, sees nothing of that application; the applicant never sees the jury's work (jurors,
individual points, consensus, doubts, cuts, ranking, advice). R-JURY-Q: the applicant reads the
jury's questions as asked by "VLAIO". R-LETTER: after the decision the applicant sees the letter
and the section scores, nothing else. Another municipality sees nothing at all.

An object someone may not see is a 404: never a 403, never a 200 with data, and a POST to a page
with a form is a 404 too and changes nothing. Anonymous visitors are sent to the login from the
pages of a call (which exist for everyone to guess); the pages and files of one application
answer them 404 (`login_required_404`).

The world is built once for the module, through the real services (scoring sheets, conflict
declarations, the question, doubts and a cut, `freeze_advice`, `record_decision` with the
letters issued after the commit), inside a transaction that is rolled back at the end; every
test runs in its own savepoint on top of it.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, Submission
from cot_portal.accounts.models import StaffRole
from cot_portal.letters.models import Letter
from scoring import services_applications, services_questions, services_ranking
from scoring.models import (
    Advice,
    ApplicationConflict,
    ApplicationCriterionScore,
    ApplicationScoreSheet,
    ConsensusOverride,
    DecisionOutcome,
    GovernmentDecision,
    JuryAssignment,
    JuryMember,
    JuryQuestion,
    JuryReview,
    RankingAdjustment,
)
from tests.factories import member_of, municipality
from tests.factories_ranking import on_jury, ranking_call, submitted_sheet, uniform
from tests.factories_scoring import call_manager, juror
from tests.factories_world import admissible, module_world

pytestmark = pytest.mark.django_db

GENT, KORTRIJK, LEUVEN, ANTWERPEN, BRUGGE, MECHELEN = (
    "44021",
    "34022",
    "24062",
    "11002",
    "31005",
    "12025",
)

# What only the jury knows about the two applications under test.
JAN_NAME, ELS_NAME = ("Jozefien", "Vragensteller"), ("Elodie", "Expertise")
JAN_MOTIVATION = "Jurygeheim: de planning van Jozefien."
ELS_MOTIVATION = "Jurygeheim: het oordeel van Elodie."
DOUBT_MOTIVATION = "Twijfelgeheim: de aanbesteding lijkt onhaalbaar."
CUT_MOTIVATION = "Snoeigeheim: de externe begeleiding is te duur."
QUESTION = "Hoe borgt u de data na het project?"
# Jan and Els differ on A1 (9,5 and 5,5); every consensus is 7,5: A 22,5, B 30, C 22,5, total 75.
JAN_POINTS = {**uniform(8), "A1": Decimal("9.5")}
ELS_POINTS = {**uniform(7), "A1": Decimal("5.5")}
INDIVIDUAL_POINTS = ("9,5", "5,5")


@dataclass
class Phase:
    """One call and the application under test in it, with its lead applicant's member."""

    call: object
    application: Application
    lead: object
    submission: Submission
    advice: Advice
    question: JuryQuestion
    letter: Letter | None = None
    rank: int | None = None


@dataclass
class World:
    manager: object
    juror: object  # assigned, declared no conflict, scored, asked the question
    second: object  # the other scoring juror
    conflicted: object  # assigned, declared a conflict
    automatic: object  # assigned, a member of the partner Kortrijk: conflicted automatically
    other: object  # a member of Leuven, which has nothing to do with either application
    before: Phase  # scored, advice frozen, no decision yet
    after: Phase  # decided, letters issued

    def actor(self, name, phase):
        if name == "anonymous":
            return None
        if name == "applicant":
            return phase.lead
        return getattr(self, name)


def _scored(call, lead_nis, people, points):
    application, lead, submission = admissible(call, lead_nis)
    submitted_sheet(application, people["juror"], points[0], motivation=JAN_MOTIVATION)
    submitted_sheet(application, people["second"], points[1], motivation=ELS_MOTIVATION)
    return application, lead, submission


def _under_test(call, lead_nis, people):
    """The application every matrix row is about: scored, with both kinds of conflict and a
    question of the jury."""
    application, lead, submission = _scored(call, lead_nis, people, (JAN_POINTS, ELS_POINTS))
    for name in ("conflicted", "automatic"):
        member = JuryMember.objects.get(call=call, user=people[name])
        JuryAssignment.objects.get_or_create(application=application, juror=member)
    services_applications.declare_application_conflict(
        application=application,
        juror=people["conflicted"],
        has_conflict=True,
        reason="Mijn zus werkt bij de lead applicant.",
    )
    question = services_questions.ask_question(
        application=application, user=people["juror"], text=QUESTION
    )
    return application, lead, submission, question


def _build_world() -> World:
    manager = call_manager(first_name="Mona", last_name="Manager")
    people = {
        "juror": juror(first_name=JAN_NAME[0], last_name=JAN_NAME[1], email="jozefien@vlaio.test"),
        "second": juror(first_name=ELS_NAME[0], last_name=ELS_NAME[1]),
        "conflicted": juror(first_name="Conrad", last_name="Belangenconflict"),
        "automatic": member_of(
            municipality(KORTRIJK),
            role="reader",
            roles=[StaffRole.JURY_MEMBER],
            first_name="Arnout",
            last_name="Partnerlid",
        ),
    }
    other = member_of(municipality(LEUVEN))

    # Before the decision: one application, scored, the advice frozen.
    call = ranking_call()
    on_jury(call, manager, *people.values())
    application, lead, submission, question = _under_test(call, GENT, people)
    advice = services_ranking.freeze_advice(call=call, manager=manager)
    before = Phase(call, application, lead, submission, advice, question)

    # After the decision: two better applications above it; doubts and a cut on it (R-DOUBT puts
    # it last, third, still funded within the envelope with the reduced amount).
    call = ranking_call(
        year=2031, title="Oproep City of Things 2031", envelope=Decimal("2500000.00")
    )
    on_jury(call, manager, *people.values())
    _scored(call, ANTWERPEN, people, (uniform(9), uniform(9)))
    _scored(call, BRUGGE, people, (uniform(8.5), uniform(8.5)))
    application, lead, submission, question = _under_test(call, MECHELEN, people)
    services_ranking.set_doubt(
        application=application, doubtful=True, motivation=DOUBT_MOTIVATION, manager=manager
    )
    services_ranking.save_cut(
        application=application,
        work_package_ids=[],
        struck_costs=None,
        reduction=Decimal("100000.00"),
        motivation=CUT_MOTIVATION,
        manager=manager,
    )
    advice = services_ranking.freeze_advice(call=call, manager=manager)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services_ranking.record_decision(
            call=call,
            decision_date=timezone.localdate(),
            decision_reference="VR 2031 0101 DOC.0001/1",
            manager=manager,
        )
    application.refresh_from_db()
    outcome = DecisionOutcome.objects.select_related("letter").get(application=application)
    assert application.status == "approved" and outcome.letter is not None
    after = Phase(
        call,
        application,
        lead,
        submission,
        advice,
        question,
        letter=outcome.letter,
        rank=outcome.rank,
    )
    return World(manager=manager, other=other, before=before, after=after, **people)


@pytest.fixture(scope="module")
def world_media(tmp_path_factory):
    return tmp_path_factory.mktemp("jury-permissions-media")


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


def _download(app_label, model, pk, field):
    return reverse("core:download", args=[app_label, model, pk, field])


def _scores_post(world, phase):
    data = {"action": "submit"}
    for code, points in uniform(10).items():
        data[f"points_{code}"] = str(points)
        data[f"motivation_{code}"] = "Ingebroken."
    return data


@dataclass(frozen=True)
class Page:
    url: object  # (phase) -> str
    post: object = None  # (world, phase) -> dict, for pages with a form


PAGES = {
    # The jury's pages of one application.
    "jury_detail": Page(
        lambda p: reverse("scoring:jury_application_detail", args=[p.application.reference]),
        _scores_post,
    ),
    "jury_declare": Page(
        lambda p: reverse("scoring:jury_application_declare", args=[p.application.reference]),
        lambda w, p: {"declaration": "no", "reason": ""},
    ),
    "jury_pdf": Page(
        lambda p: reverse("scoring:jury_application_pdf", args=[p.application.reference])
    ),
    "jury_questions": Page(
        lambda p: reverse("scoring:jury_questions", args=[p.application.reference]),
        lambda w, p: {"question": "Ingebroken vraag?"},
    ),
    "consensus": Page(
        lambda p: reverse("scoring:consensus", args=[p.application.reference]),
        lambda w, p: {
            "action": "doubt",
            "doubt-doubtful": "on",
            "doubt-motivation": "Ingebroken twijfel.",
        },
    ),
    # The pages of the call.
    "jury_list": Page(lambda p: reverse("scoring:jury_application_list", args=[p.call.year])),
    "jury_compose": Page(
        lambda p: reverse("scoring:jury_compose", args=[p.call.year]),
        lambda w, p: {"action": "add", "add-email": w.other.email, "add-kind": "staff"},
    ),
    "ranking": Page(
        lambda p: reverse("scoring:ranking", args=[p.call.year]),
        lambda w, p: {"action": "freeze"},
    ),
    # The files.
    "advice_pdf": Page(lambda p: _download("scoring", "advice", p.advice.pk, "pdf")),
    "advice_xlsx": Page(lambda p: _download("scoring", "advice", p.advice.pk, "xlsx")),
    "submission_pdf": Page(
        lambda p: _download("applications", "submission", p.submission.pk, "pdf")
    ),
    "letter": Page(lambda p: _download("letters", "letter", p.letter.pk, "pdf")),
    # The applicant's pages.
    "applicant_questions": Page(
        lambda p: reverse("scoring_applicant:questions", args=[p.call.year, p.application.slug]),
        lambda w, p: {
            "question": p.question.pk,
            f"q{p.question.pk}-answer": "Ingebroken antwoord.",
        },
    ),
    "applicant_decision": Page(
        lambda p: reverse("scoring_applicant:decision", args=[p.call.year, p.application.slug])
    ),
}

ACTORS = ("juror", "conflicted", "automatic", "applicant", "other", "manager", "anonymous")

# What is not listed is a 404. 302 is the redirect to the login.
ANONYMOUS = {"jury_list": 302, "jury_compose": 302, "ranking": 302}
MANAGER = {
    "jury_questions": 200,
    "consensus": 200,
    "jury_compose": 200,
    "ranking": 200,
    "advice_pdf": 200,
    "advice_xlsx": 200,
    "submission_pdf": 200,
}
OPEN = {
    "before": {
        "juror": {
            "jury_detail": 200,
            "jury_declare": 200,  # a "no conflict" can still become a conflict
            "jury_pdf": 200,
            "jury_questions": 200,
            "jury_list": 200,
        },
        "conflicted": {"jury_list": 200},
        # A member of the partner: the partner's own reading of the application, never the jury's.
        "automatic": {"jury_list": 200, "submission_pdf": 200, "applicant_questions": 200},
        "applicant": {"submission_pdf": 200, "applicant_questions": 200},
        "other": {},
        "manager": MANAGER,
        "anonymous": ANONYMOUS,
    },
    "after": {
        # The jury's work on the application is over: only the (now empty) list of the call.
        "juror": {"jury_list": 200},
        "conflicted": {"jury_list": 200},
        "automatic": {
            "jury_list": 200,
            "submission_pdf": 200,
            "applicant_questions": 200,
            "applicant_decision": 200,  # the partner reads the outcome; the letter is the lead's
        },
        "applicant": {
            "submission_pdf": 200,
            "letter": 200,
            "applicant_questions": 200,
            "applicant_decision": 200,
        },
        "other": {},
        "manager": {**MANAGER, "letter": 200},
        "anonymous": ANONYMOUS,
    },
}

MATRIX = [
    pytest.param(
        phase, actor, page, OPEN[phase][actor].get(page, 404), id=f"{phase}-{actor}-{page}"
    )
    for phase in ("before", "after")
    for actor in ACTORS
    for page in PAGES
    if not (phase == "before" and page == "letter")  # no letter exists before the decision
]


def _snapshot():
    """Everything the jury's pages could change, row by row."""
    models = (
        ApplicationConflict,
        ApplicationScoreSheet,
        ApplicationCriterionScore,
        JuryMember,
        JuryAssignment,
        JuryQuestion,
        JuryReview,
        ConsensusOverride,
        RankingAdjustment,
        Advice,
        GovernmentDecision,
        DecisionOutcome,
        Letter,
    )
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
    rows["Application"] = list(Application.objects.order_by("pk").values("pk", "status"))
    return rows


def _login(client, user):
    if user is not None:
        client.force_login(user)


def _assert_status(response, expected, url):
    assert response.status_code == expected, f"{url}: {response.status_code}, not {expected}"
    if expected == 302:
        login = reverse(django_settings.LOGIN_URL)
        assert response["Location"].startswith(login), response["Location"]


@pytest.mark.parametrize(("phase_name", "actor", "page_name", "expected"), MATRIX)
def test_who_sees_which_jury_page_and_file(client, world, phase_name, actor, page_name, expected):
    phase = getattr(world, phase_name)
    page = PAGES[page_name]
    url = page.url(phase)
    _login(client, world.actor(actor, phase))

    response = client.get(url)
    _assert_status(response, expected, url)
    if response.streaming:  # a file: read it to the end, which closes it
        assert b"".join(response.streaming_content)

    if expected != 200 and page.post is not None:
        before = _snapshot()
        response = client.post(url, page.post(world, phase))
        _assert_status(response, expected, url)
        assert _snapshot() == before


# --- What the pages that open show --------------------------------------------------------------


def _text(response) -> str:
    assert response.status_code == 200
    return " ".join(response.content.decode().replace("\xa0", " ").split())


JURY_URLS = ("jury_detail", "jury_declare", "jury_pdf", "jury_questions", "consensus")


@pytest.mark.parametrize("actor", ["conflicted", "automatic"])
def test_a_conflicted_juror_sees_the_title_in_the_call_list_but_no_way_in(client, world, actor):
    """The declaration showed reference and title; the list keeps them under "conflict of
    interest", without a link to anything of the application."""
    phase = world.before
    client.force_login(getattr(world, actor))
    body = _text(client.get(PAGES["jury_list"].url(phase)))
    assert phase.application.reference in body and phase.application.title in body
    for name in JURY_URLS:
        assert PAGES[name].url(phase) not in body
    assert QUESTION not in body
    # After the decision the application is no longer in anybody's jury list.
    body = _text(client.get(PAGES["jury_list"].url(world.after)))
    assert world.after.application.reference not in body


def test_the_unconflicted_juror_finds_the_application_in_the_list(client, world):
    client.force_login(world.juror)
    body = _text(client.get(PAGES["jury_list"].url(world.before)))
    assert PAGES["jury_detail"].url(world.before) in body


def test_before_the_decision_the_applicant_reads_vlaio_never_the_juror(client, world):
    phase = world.before
    secrets = (*JAN_NAME, world.juror.email, JAN_MOTIVATION, ELS_MOTIVATION, *INDIVIDUAL_POINTS)
    for user in (phase.lead, world.automatic):  # the lead answers, the partner reads along
        client.force_login(user)
        body = _text(client.get(PAGES["applicant_questions"].url(phase)))
        assert QUESTION in body and "VLAIO" in body
        for secret in secrets:
            assert secret not in body
    # The jury's own page of the same thread names the juror.
    client.force_login(world.manager)
    assert JAN_NAME[1] in _text(client.get(PAGES["jury_questions"].url(phase)))


def test_before_the_decision_the_applicant_overview_shows_no_score(client, world):
    phase = world.before
    client.force_login(phase.lead)
    overview = reverse("applications:application", args=[phase.call.year, phase.application.slug])
    body = _text(client.get(overview))
    assert PAGES["applicant_questions"].url(phase) in body
    assert PAGES["applicant_decision"].url(phase) not in body
    for secret in (
        "22,5",  # sections A and C
        "/ 30",
        "/ 40",
        "/ 100",
        *INDIVIDUAL_POINTS,
        *JAN_NAME,
        *ELS_NAME,
        JAN_MOTIVATION,
        ELS_MOTIVATION,
    ):
        assert secret not in body, secret


def test_after_the_decision_the_applicant_sees_the_section_scores_and_nothing_of_the_jury(
    client, world
):
    phase = world.after
    assert phase.rank == 3  # R-DOUBT put it last, behind the two others
    client.force_login(phase.lead)
    body = _text(client.get(PAGES["applicant_decision"].url(phase)))
    assert "22,5 / 30" in body and "30 / 40" in body and "75 / 100" in body
    assert "€ 700.000,00" in body and "€ 800.000,00" in body  # awarded after the cut, requested
    assert PAGES["letter"].url(phase) in body
    people = (world.juror, world.second, world.conflicted, world.automatic, world.manager)
    for secret in (
        *[p.first_name for p in people],
        *[p.last_name for p in people],
        JAN_MOTIVATION,
        ELS_MOTIVATION,
        DOUBT_MOTIVATION,
        CUT_MOTIVATION,
        QUESTION,
        *INDIVIDUAL_POINTS,
    ):
        assert secret not in body, secret
    # The rank (3) stays internal; the factory's title ends in a sequence number, so without it.
    untitled = body.replace(phase.application.title, "")
    assert re.search(r"(?<![\w.,/:-])3(?![\w.,/:-])", untitled) is None
    assert "rangschikking" not in body.lower() and "ranking" not in body.lower()
    # The thread stays readable after the decision, still signed by VLAIO.
    body = _text(client.get(PAGES["applicant_questions"].url(phase)))
    assert QUESTION in body and "VLAIO" in body
    for secret in (*JAN_NAME, world.juror.email):
        assert secret not in body


def test_after_the_decision_the_pages_that_still_open_change_nothing(client, world):
    phase = world.after
    before = _snapshot()
    client.force_login(world.manager)
    for name in ("consensus", "ranking"):
        response = client.post(PAGES[name].url(phase), PAGES[name].post(world, phase))
        assert response.status_code == 404, name
    response = client.post(
        PAGES["jury_questions"].url(phase), PAGES["jury_questions"].post(world, phase)
    )
    assert response.status_code == 302  # back to the thread, with a message
    client.force_login(phase.lead)
    response = client.post(
        PAGES["applicant_questions"].url(phase), PAGES["applicant_questions"].post(world, phase)
    )
    assert response.status_code == 302
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("actor", "page_name"),
    [
        ("manager", "consensus"),
        ("manager", "jury_compose"),
        ("manager", "ranking"),
        ("juror", "jury_questions"),
        ("applicant", "applicant_questions"),
    ],
)
def test_the_refused_posts_would_change_something_for_who_may(client, world, actor, page_name):
    """The control for the matrix: the same POST by someone allowed is not a no-op."""
    phase = world.before
    page = PAGES[page_name]
    client.force_login(world.actor(actor, phase))
    before = _snapshot()
    response = client.post(page.url(phase), page.post(world, phase))
    assert response.status_code == 302
    assert _snapshot() != before
