"""Every Celery task of the project, run twice or failing half-way, sends each e-mail once.

A worker may run a task twice (a redelivered message after a crash: acks_late, R-LETTER letters
"e-mailed", reminders "once"), and a task may fail in the middle (the mail server drops the
connection, WeasyPrint or the storage raises). For every task of applications/, scoring/,
payments/ and cot_portal/*/ this builds the situation the task acts on, then

- runs the task with a failure injected at its second e-mail / PDF / step (the first one if it
  has only one), followed by the recovery the system has for it: the task's own retry (run as
  the worker would after the countdown), the next run of a scheduled task or the beat catch-up
  of an event task, and beat's mail catch-up (`send_unsent_letters`) five minutes later; then
  all of that once more;
- then runs the task twice more (a duplicated or redelivered message),

and checks after each stage that each e-mail went out once per recipient, each letter exists
once (one Letter row per letter, R-LETTER), and no money moved: grants, tranches, payments and ledger entries are as they
were (R-TR: a tranche is paid once). `test_every_project_task_has_a_case` fails when a new task
has no case here.
"""

import pkgutil
import smtplib
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.exceptions import Retry
from django.core import mail
from django.utils import timezone

from applications.models import (
    Application,
    ApplicationStatus,
    CompletionRequest,
    Idea,
    IdeaStatus,
    ReminderSent,
    Submission,
)
from applications.services import ideas as idea_services
from applications.services.submission import render_submission_documents, submit_application
from cot_portal.accounts.models import Organisation
from cot_portal.accounts.services import sync_local_governments
from cot_portal.celery import app
from cot_portal.core.models import TaskHeartbeat
from cot_portal.letters.models import Letter
from payments import services_payments
from payments.models import Grant, LedgerEntry, Payment, Tranche
from scoring import services, services_ranking
from scoring.models import DecisionOutcome
from tests.concurrency.test_release_once import officers, requested
from tests.factories import IdeaFactory, member_of, municipality, open_call
from tests.factories_application import complete, started_application
from tests.factories_ranking import LEADS, on_jury, ranking_call, scored_application, uniform
from tests.factories_scoring import call_manager, decide, juror, submitted_idea

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
GENT, KORTRIJK, LEUVEN, BRUGGE = "44021", "34022", "24062", "31005"
PROJECT_TASK_MODULES = ("applications.tasks", "scoring.tasks", "payments.tasks")
MAIL_CATCH_UP = "cot_portal.letters.tasks.send_unsent_letters"
MAIL = "django.core.mail.backends.locmem.EmailBackend.send_messages"
# The one PDF renderer, as the letters and the submission snapshot import it.
RENDER = ("cot_portal.letters.services.render_pdf", "applications.services.submission.render_pdf")


@pytest.fixture(autouse=True)
def _setup(settings):
    app.loader.import_default_modules()  # as a worker does at start: every tasks.py
    if not Organisation.objects.filter(nis_code=GENT).exists():
        sync_local_governments()  # after a transactional test emptied a reused database
    settings.COT_REQUIRE_2FA = False
    settings.LANGUAGE_CODE = "nl"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def project_tasks() -> set[str]:
    """The registered tasks of the project's own modules (not Celery's built-in ones)."""
    app.loader.import_default_modules()
    names = set()
    for name in app.tasks:
        module = name.rsplit(".", 1)[0]
        parts = module.split(".")
        own_app = len(parts) == 3 and parts[0] == "cot_portal" and parts[2] == "tasks"
        if module in PROJECT_TASK_MODULES or own_app:
            names.add(name)
    return names


# --- The situations ----------------------------------------------------------------------------


@dataclass
class Situation:
    """What a task acts on, and what must hold after it ran, however often."""

    args: tuple = ()
    mails: int = 0  # distinct e-mails expected (each to its own recipients)
    letters: dict[str, int] = field(default_factory=dict)  # Letter rows per kind
    when: datetime | None = None  # the moment the task runs (default: 3 minutes from now)
    check: Callable[[], None] = lambda: None


@dataclass
class Case:
    build: Callable[[], Situation]
    failures: dict[str, tuple[str, ...]]  # name of the failure point -> patch targets
    recover: tuple[str, ...]  # what runs again after a failure (besides the mail catch-up)
    # Why a task has no failure point, when it has none.
    no_failure: str = ""


def two_drafts_of_ideas() -> Situation:
    """R-DL1: two draft ideas of different municipalities, 3 days before the idea deadline."""
    now = timezone.now()
    call = open_call(idea_deadline=now + timedelta(days=3))
    ideas = [
        IdeaFactory(
            call=call, organisation=municipality(nis), created_by=member_of(municipality(nis))
        )
        for nis in (GENT, KORTRIJK)
    ]

    def check():
        assert ReminderSent.objects.filter(kind="idea-deadline-7d").count() == 2
        for idea in ideas:
            messages = [
                m for m in mail.outbox if set(m.to) == set(idea_services.idea_recipients(idea))
            ]
            assert len(messages) == 1

    return Situation(mails=2, check=check)


def drafts_at_the_idea_deadline() -> Situation:
    """R-DL1: at the deadline, three drafts become "not submitted"; a submitted idea stays."""
    now = timezone.now()
    call = open_call(
        idea_phase_opens=now - timedelta(days=20), idea_deadline=now - timedelta(hours=1)
    )
    drafts = [IdeaFactory(call=call) for _ in range(3)]
    kept = submitted_idea(call=call)

    def check():
        for idea in drafts:
            stored = Idea.objects.get(pk=idea.pk)
            assert stored.status == IdeaStatus.NOT_SUBMITTED
            closes = stored.history.filter(history_change_reason="idea phase closed")
            assert closes.count() == 1
        assert Idea.objects.get(pk=kept.pk).status == IdeaStatus.SUBMITTED

    return Situation(check=check)


def submitted_without_receipt() -> Situation:
    """R-SUBMIT: a submission whose snapshot PDF and receipt are still to be rendered."""
    application, user = started_application(lead_nis=GENT, partner_nis=(KORTRIJK,))
    member_of(application.organisation, email="collega@gent.be")
    complete(application, user)
    submission = submit_application(application, user=user)  # its render task is not run
    assert not submission.receipt_id

    def check():
        stored = Submission.objects.get(pk=submission.pk)
        assert stored.pdf and stored.pdf_sha256
        assert stored.receipt.kind == "application-receipt"
        assert stored.receipt.enclosures == [stored.pdf.name]
        assert len(mail.outbox[0].to) == 2

    return Situation(
        args=(submission.pk,), mails=1, letters={"application-receipt": 1}, check=check
    )


def drafts_before_the_application_deadline() -> Situation:
    """R-DL2: two draft applications, 3 days before the application deadline."""
    now = timezone.now()
    call = open_call(
        idea_phase_opens=now - timedelta(days=30),
        idea_deadline=now - timedelta(days=10),
        application_deadline=now + timedelta(days=3),
    )
    for lead, partner in ((GENT, KORTRIJK), (LEUVEN, BRUGGE)):
        started_application(call=call, lead_nis=lead, partner_nis=(partner,))

    def check():
        assert ReminderSent.objects.filter(kind="application-deadline-7d").count() == 2

    return Situation(mails=2, check=check)


def completion_requests() -> Situation:
    """R-ADM-COMPLETE: two requests due for their reminder, one past its deadline."""
    manager = call_manager()
    now = timezone.now()
    call = open_call()
    open_requests = []
    for index, (lead, partner, deadline) in enumerate(
        (
            (GENT, KORTRIJK, now + timedelta(days=1)),
            (LEUVEN, BRUGGE, now + timedelta(days=1, hours=2)),
            (KORTRIJK, GENT, now - timedelta(hours=1)),
        )
    ):
        application, _user = started_application(call=call, lead_nis=lead, partner_nis=(partner,))
        Application.objects.filter(pk=application.pk).update(status="completion_requested")
        request = CompletionRequest.objects.create(
            application=application,
            sections=["project"],
            message=f"Vul het projectdeel aan ({index}).",
            deadline=deadline,
            requested_by=manager,
        )
        open_requests.append(request)
    overdue = open_requests[-1]

    def check():
        assert ReminderSent.objects.filter(kind="completion-2d").count() == 2
        closed = CompletionRequest.objects.filter(closed_at__isnull=False)
        assert list(closed.values_list("pk", flat=True)) == [overdue.pk]
        application = Application.objects.get(pk=overdue.application_id)
        assert application.status == ApplicationStatus.SUBMITTED  # back to the manager
        flagged = application.history.filter(
            history_change_reason="completion not answered in time"
        )
        assert flagged.count() == 1

    return Situation(mails=2, check=check)


def published_shortlist(*, with_call_id: bool) -> Callable[[], Situation]:
    def build() -> Situation:
        """R-SL-GATE: a published shortlist of three ideas, letters still to be issued."""
        call = open_call()
        manager = call_manager()
        for nis, shortlisted in ((GENT, True), (KORTRIJK, False), (LEUVEN, True)):
            organisation = municipality(nis)
            idea = submitted_idea(
                call=call, organisation=organisation, created_by=member_of(organisation)
            )
            decide(idea, manager, shortlisted=shortlisted)
        services.publish_shortlist(call=call, manager=manager)  # its letter task is not run
        return Situation(args=(call.pk,) if with_call_id else (), mails=3, letters={"shortlist": 3})

    return build


def decided_call(outcomes: int, *, first_outcome_only=False, with_call_id=True):
    def build() -> Situation:
        """R-LETTER: a decided call (approvals and a rejection), letters still to be issued."""
        manager = call_manager()
        jurors = [juror()]
        call = ranking_call(envelope=Decimal("5000000.00"))
        on_jury(call, manager, *jurors)
        for index in range(outcomes):
            points = uniform(3) if index == 1 else uniform(9)  # the second fails R-THRESH
            scored_application(call, LEADS[index], jurors, points, minutes=index)
        services_ranking.freeze_advice(call=call, manager=manager)
        services_ranking.record_decision(  # its letter task is not run
            call=call,
            decision_date=timezone.localdate(),
            decision_reference="VR 1",
            manager=manager,
        )
        ids = list(DecisionOutcome.objects.order_by("rank").values_list("pk", flat=True))
        assert len(ids) == outcomes

        def check():
            for outcome in DecisionOutcome.objects.select_related("letter"):
                assert outcome.letter is not None and outcome.letter.kind == "decision"

        if first_outcome_only:
            return Situation(args=(ids[0],), mails=1, letters={"decision": 1}, check=check)
        args = (call.pk,) if with_call_id else ()
        return Situation(args=args, mails=outcomes, letters={"decision": outcomes}, check=check)

    return build


def on(day: date) -> datetime:
    """07:00 in Brussels on `day`, when the daily jobs of execution run."""
    return datetime.combine(day, time(7, 0), tzinfo=BRUSSELS)


def running_grants() -> list[Grant]:
    """Two grants of one decision (same latest start); tranche 1 of the first is paid."""
    manager = call_manager()
    jurors = [juror()]
    call = ranking_call(envelope=Decimal("5000000.00"))
    on_jury(call, manager, *jurors)
    scored_application(call, LEADS[0], jurors, uniform(9))
    scored_application(call, LEADS[1], jurors, uniform(8), minutes=1)
    services_ranking.freeze_advice(call=call, manager=manager)
    services_ranking.record_decision(
        call=call, decision_date=timezone.localdate(), decision_reference="VR 1", manager=manager
    )
    Grant.objects.update(iban="BE71096123456769")
    grants = list(Grant.objects.order_by("pk"))
    proposer, approver = officers(2)
    payment = services_payments.propose_payment(requested(grants[0]), proposer)
    services_payments.approve_payment(payment, approver)
    assert LedgerEntry.objects.count() == 1
    return grants


def start_reminder_day() -> Situation:
    """R-START: 30 days before the latest start, no actual start entered for either grant."""
    grants = running_grants()
    latest = grants[0].latest_start
    assert all(g.latest_start == latest for g in grants)

    def check():
        assert ReminderSent.objects.filter(kind="grant-latest-start").count() == 2

    return Situation(mails=2, when=on(latest - timedelta(days=30)), check=check)


def overdue_start_day() -> Situation:
    """R-START: the day after the latest start, neither grant has started: the managers hear."""
    grants = running_grants()
    call_manager(email="tweede.beheerder@vlaio.be")

    def check():
        assert ReminderSent.objects.filter(kind="grant-start-overdue").count() == 2
        assert all(len(m.to) == 2 for m in mail.outbox)  # both call managers, on one message

    return Situation(mails=2, when=on(grants[0].latest_start + timedelta(days=1)), check=check)


def heartbeat() -> Situation:
    def check():
        # One row per name; `runs` counts the runs, which is what the heartbeat reports.
        assert TaskHeartbeat.objects.filter(name="rerun").count() == 1

    return Situation(args=("rerun",), check=check)


def submitted_ideas(count: int, *, letter_id: bool) -> Callable[[], Situation]:
    def build() -> Situation:
        """R-DL1: ideas submitted (receipt letters stored), their e-mails not sent yet."""
        call = open_call()
        receipts = []
        for nis in (GENT, KORTRIJK, LEUVEN)[:count]:
            organisation = municipality(nis)
            user = member_of(organisation)
            member_of(organisation)  # a colleague: two recipients per letter
            idea = IdeaFactory(call=call, organisation=organisation, created_by=user)
            receipts.append(idea_services.submit_idea(idea, user=user).receipt)
        assert not Letter.objects.filter(sent_at__isnull=False).exists()
        args = (receipts[0].pk,) if letter_id else ()
        return Situation(args=args, mails=count, letters={"idea-receipt": count})

    return build


ON_MAIL = {"mail": (MAIL,)}
ON_RENDER = {"render": RENDER}

CASES: dict[str, Case] = {
    "applications.tasks.send_idea_deadline_reminders": Case(
        two_drafts_of_ideas, ON_MAIL, recover=("applications.tasks.send_idea_deadline_reminders",)
    ),
    "applications.tasks.close_idea_phases": Case(
        drafts_at_the_idea_deadline,
        {"step": ("applications.models.Idea.mark_not_submitted",)},
        recover=("applications.tasks.close_idea_phases",),
    ),
    # Queued once after the submission's commit; its own retry, then beat's catch-up, recover.
    "applications.tasks.render_submission": Case(
        submitted_without_receipt,
        ON_RENDER,
        recover=("applications.tasks.render_missing_submissions",),
    ),
    "applications.tasks.render_missing_submissions": Case(
        lambda: replace(submitted_without_receipt(), args=()),
        ON_RENDER,
        recover=("applications.tasks.render_missing_submissions",),
    ),
    "applications.tasks.send_application_deadline_reminders": Case(
        drafts_before_the_application_deadline,
        ON_MAIL,
        recover=("applications.tasks.send_application_deadline_reminders",),
    ),
    "applications.tasks.completion_deadlines": Case(
        completion_requests, ON_MAIL, recover=("applications.tasks.completion_deadlines",)
    ),
    "scoring.tasks.issue_shortlist_letters": Case(
        published_shortlist(with_call_id=True),
        ON_RENDER,
        recover=("scoring.tasks.issue_missing_shortlist_letters",),
    ),
    "scoring.tasks.issue_missing_shortlist_letters": Case(
        published_shortlist(with_call_id=False),
        ON_RENDER,
        recover=("scoring.tasks.issue_missing_shortlist_letters",),
    ),
    "scoring.tasks.issue_decision_letters": Case(
        decided_call(2),
        ON_RENDER,
        recover=("scoring.tasks.issue_missing_decision_letters",),
    ),
    "scoring.tasks.issue_decision_letter": Case(
        decided_call(1, first_outcome_only=True),
        ON_RENDER,
        recover=("scoring.tasks.issue_missing_decision_letters",),
    ),
    "scoring.tasks.issue_missing_decision_letters": Case(
        decided_call(2, with_call_id=False),
        ON_RENDER,
        recover=("scoring.tasks.issue_missing_decision_letters",),
    ),
    "payments.tasks.send_execution_reminders": Case(
        start_reminder_day, ON_MAIL, recover=("payments.tasks.send_execution_reminders",)
    ),
    "payments.tasks.flag_overdue_grants": Case(
        overdue_start_day, ON_MAIL, recover=("payments.tasks.flag_overdue_grants",)
    ),
    "cot_portal.core.tasks.record_heartbeat": Case(
        heartbeat,
        {},
        recover=(),
        no_failure="one UPDATE (or INSERT): nothing can fail half-way, and it sends nothing",
    ),
    "cot_portal.letters.tasks.send_letter": Case(
        submitted_ideas(1, letter_id=True), ON_MAIL, recover=()
    ),
    "cot_portal.letters.tasks.send_unsent_letters": Case(
        submitted_ideas(3, letter_id=False), ON_MAIL, recover=(MAIL_CATCH_UP,)
    ),
}


def test_every_project_task_has_a_case():
    """A new task needs a case above (and a failure point, or a reason why it has none)."""
    tasks = project_tasks()
    assert len(tasks) >= 15  # the enumeration finds the tasks at all
    assert tasks == set(CASES)
    for name, case in CASES.items():
        assert case.failures or case.no_failure, name


# --- Running tasks -----------------------------------------------------------------------------


def money() -> tuple[int, ...]:
    return (
        Grant.objects.count(),
        Tranche.objects.count(),
        Payment.objects.count(),
        Payment.objects.filter(status="released").count(),
        LedgerEntry.objects.count(),
    )


@contextmanager
def failing_once(targets: tuple[str, ...], error: Exception, on_call: int):
    """Patch `targets` (sharing one count) so that their `on_call`-th call raises `error`."""
    state = {"calls": 0, "raised": 0}
    with ExitStack() as stack:
        for target in targets:
            original = pkgutil.resolve_name(target)

            def wrapper(*args, _original=original, **kwargs):
                state["calls"] += 1
                if state["calls"] == on_call:
                    state["raised"] += 1
                    raise error
                return _original(*args, **kwargs)

            stack.enter_context(mock.patch(target, wrapper))
        yield state


class Runner:
    def __init__(self, capture):
        self.capture = capture
        self.failures: list[BaseException] = []
        self.retries = 0

    def run(self, name: str, args=()) -> None:
        """`.delay()` as a worker would run it (eagerly here), with the on-commit callbacks
        (the e-mail of a stored letter) run as after a real commit. A retry the task asks for is
        run, as the worker would after its countdown; a failing task is noted."""
        signature = app.tasks[name].s(*args)
        for _attempt in range(10):
            try:
                with self.capture(execute=True):
                    signature.delay()
                return
            except Retry as retry:
                self.retries += 1
                signature = retry.sig
            except Exception as exc:  # noqa: BLE001 - a failed run is part of the scenario
                self.failures.append(exc)
                return
        raise AssertionError(f"{name} kept asking for a retry")


def units(situation: Situation) -> int:
    return max(situation.mails, sum(situation.letters.values()), 1)


def assert_once(situation: Situation, money_before) -> None:
    pairs = Counter((m.subject, r) for m in mail.outbox for r in m.to)
    duplicates = {pair: n for pair, n in pairs.items() if n > 1}
    assert not duplicates, duplicates
    assert len(mail.outbox) == situation.mails, [m.subject for m in mail.outbox]
    for kind, count in situation.letters.items():
        letters = Letter.objects.filter(kind=kind)
        assert letters.count() == count
        abouts = set(letters.values_list("content_type_id", "object_id"))
        assert len(abouts) == count  # one letter per application / idea / outcome
        for letter in letters:
            assert letter.sent_at is not None, letter
            for recipient in letter.recipients:
                assert pairs[(letter.subject, recipient)] == 1, (letter.subject, recipient)
    assert Letter.objects.count() == sum(situation.letters.values())
    assert money() == money_before
    situation.check()


@pytest.mark.parametrize("task", sorted(CASES))
def test_task_runs_once_in_effect(task, django_capture_on_commit_callbacks, mailoutbox):
    case = CASES[task]
    situation = case.build()
    mail.outbox.clear()
    money_before = money()
    when = situation.when or timezone.now() + timedelta(minutes=3)
    runner = Runner(django_capture_on_commit_callbacks)

    def recover():
        for name in case.recover:
            runner.run(name, situation.args if name == task else ())
        with time_machine.travel(when + timedelta(minutes=5), tick=False):
            runner.run(MAIL_CATCH_UP)  # beat's mail catch-up, every 5 minutes

    with time_machine.travel(when, tick=False):
        for point, targets in case.failures.items():
            error = (
                smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
                if point == "mail"
                else RuntimeError(f"injected failure ({point})")
            )
            on_call = 2 if units(situation) > 1 else 1
            with failing_once(targets, error, on_call) as injected:
                runner.run(task, situation.args)
            assert injected["raised"] == 1, "the failure was not injected: the case is wrong"
            recover()
            recover()  # and the recovery once more: nothing goes out twice
            assert_once(situation, money_before)
        # The task twice more: a duplicated or redelivered message changes nothing.
        runner.failures.clear()
        runner.run(task, situation.args)
        runner.run(task, situation.args)
        assert runner.failures == []
    assert_once(situation, money_before)


def test_a_submission_that_keeps_failing_does_not_hold_up_the_others_receipts(mailoutbox):
    """R-SUBMIT: beat's catch-up renders every submission still without a receipt; one whose
    rendering keeps failing is logged and retried next time, and the others get theirs now."""
    call = open_call()
    stuck, user = started_application(call, lead_nis=GENT, partner_nis=(KORTRIJK,))
    complete(stuck, user)
    stuck = submit_application(stuck, user=user)
    fine, user = started_application(call, lead_nis=LEUVEN, partner_nis=(BRUGGE,))
    complete(fine, user)
    fine = submit_application(fine, user=user)
    real = render_submission_documents

    def render(pk):
        if pk == stuck.pk:
            raise RuntimeError("WeasyPrint cannot render this one")
        return real(pk)

    with mock.patch("applications.services.submission.render_submission_documents", render):
        assert app.tasks["applications.tasks.render_missing_submissions"].apply().get() == 1

    assert Submission.objects.get(pk=fine.pk).receipt_id
    assert not Submission.objects.get(pk=stuck.pk).receipt_id
    assert app.tasks["applications.tasks.render_missing_submissions"].apply().get() == 1
    assert Submission.objects.get(pk=stuck.pk).receipt_id
