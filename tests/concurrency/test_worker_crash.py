"""A worker killed in the middle of a batch of decision letters: each letter once, each e-mail once.

Real processes on PostgreSQL and Redis: the live test database (a transactional test, so the
worker sees the rows), Redis database 7 as the broker, the production worker command of
tests/commands.py with the file e-mail backend. `scoring.tasks.issue_decision_letters` queues one
`issue_decision_letter` per outcome (R-LETTER); the worker is SIGKILLed (parent and pool at once)
when a few letters exist. A new worker takes the rest of the queue, the beat catch-ups run (the
letters, `issue_missing_decision_letters`, and the e-mails, `send_unsent_letters`), and then every
outcome has exactly one letter, e-mailed once to each recipient.

The settings make this possible: `CELERY_TASK_ACKS_LATE` and `CELERY_TASK_REJECT_ON_WORKER_LOST`
keep a task the worker was running in the broker instead of losing it, and each letter task
locks its outcome and skips an outcome that has a letter.
"""

import email
import os
import signal
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
import redis
import time_machine
from django.conf import settings as django_settings
from django.utils import timezone

from cot_portal.letters.models import Letter
from cot_portal.letters.tasks import send_unsent_letters
from scoring import services_ranking, tasks
from scoring.models import DecisionOutcome
from tests.commands import CELERY_WORKER
from tests.factories_ranking import on_jury, ranking_call, scored_application, uniform
from tests.factories_scoring import call_manager, juror
from tests.integration.test_embedded_default import ROOT, Processes, in_venv, service_env

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# Lead applicants of the decided call (Gent, Antwerpen, Brugge, Sint-Niklaas, Aalst, Kortrijk,
# Hasselt, Mechelen), each with Leuven as partner.
LEADS = ("44021", "11002", "31005", "46021", "41002", "34022", "71072", "12025")
PARTNER = "24062"
KILL_AT = 2  # letters stored when the worker is killed
REDIS_DB = 7
RUN = (
    "import sys, django; django.setup(); "
    "from cot_portal.celery import app; app.loader.import_default_modules(); "
    "print(app.tasks[sys.argv[1]].delay(*map(int, sys.argv[2:])).get(timeout=90))"
)


@pytest.fixture
def processes(tmp_path):
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture
def broker() -> str:
    base = urllib.parse.urlsplit(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    url = urllib.parse.urlunsplit(base._replace(path=f"/{REDIS_DB}"))
    client = redis.Redis.from_url(url, socket_connect_timeout=5)
    client.ping()  # Redis down: fail, not skip
    client.flushdb()  # messages a killed worker of an earlier run left unacknowledged
    yield url
    client.flushdb()


def live_database_url() -> str:
    """The test database this test writes to, for the worker processes."""
    db = django_settings.DATABASES["default"]
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{urllib.parse.quote(db['USER'])}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def decided_call(count: int):
    """A decided call with `count` outcomes (approvals and threshold rejections), no letters."""
    manager = call_manager()
    jurors = [juror()]
    call = ranking_call(envelope=Decimal("5000000.00"))
    on_jury(call, manager, *jurors)
    for index, lead in enumerate(LEADS[:count]):
        points = uniform(9) if index % 2 == 0 else uniform(3)  # R-THRESH fails on odd ones
        scored_application(call, lead, jurors, points, partner_nis=(PARTNER,), minutes=index)
    services_ranking.freeze_advice(call=call, manager=manager)
    # The batch goes to the real worker below, not to this process's eager Celery.
    with mock.patch.object(tasks.issue_decision_letters, "delay"):
        services_ranking.record_decision(
            call=call,
            decision_date=timezone.localdate(),
            decision_reference="VR 7",
            manager=manager,
        )
    assert DecisionOutcome.objects.filter(decision__call=call).count() == count
    return call


def run_task(env, processes: Processes, name: str, *args: int) -> str:
    """`<task>.delay(*args).get()` from a separate process, as the web process would queue it."""
    result = subprocess.run(
        [sys.executable, "-c", RUN, name, *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{name} failed:\n{result.stderr}{processes.logs()}"
    return result.stdout.strip()


def wait_for(condition, processes: Processes, what: str, within: float = 45) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"{what} not in {within} s:{processes.logs()}"
        time.sleep(0.1)


def mails(folder: Path) -> list[email.message.Message]:
    """Every message the file backend wrote (one file per connection, messages separated)."""
    messages = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk.strip()))
    return messages


def subject_of(message) -> str:
    return str(email.header.make_header(email.header.decode_header(message["Subject"])))


def test_a_worker_killed_in_a_letter_batch_leaves_no_duplicate(
    tmp_path, processes, broker, settings
):
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    env = service_env(
        var_dir,
        DATABASE_URL=live_database_url(),
        CELERY_BROKER_URL=broker,  # the result backend follows the broker
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        MEDIA_ROOT=str(settings.MEDIA_ROOT),  # this process reads the PDFs the worker stores
    )
    call = decided_call(len(LEADS))
    outcomes = DecisionOutcome.objects.filter(decision__call=call)
    letters = Letter.objects.filter(kind="decision")

    first = processes.start(
        "worker-1", in_venv(CELERY_WORKER) + ["--concurrency", "1", "-n", "first@%h"], env
    )
    queued = run_task(env, processes, "scoring.tasks.issue_decision_letters", call.pk)
    assert queued == str(len(LEADS))
    wait_for(lambda: letters.count() >= KILL_AT, processes, f"{KILL_AT} letters")
    os.killpg(first.pid, signal.SIGKILL)  # the parent and its pool process, mid-batch
    first.wait(timeout=10)
    stored_at_kill = letters.count()
    assert stored_at_kill < len(LEADS), "the batch ended before the kill: nothing was tested"

    # A new worker takes what is left in the queue; the letter catch-up of beat runs through it.
    processes.start(
        "worker-2", in_venv(CELERY_WORKER) + ["--concurrency", "2", "-n", "second@%h"], env
    )
    # (The task the first worker was running stays unacknowledged in Redis until the visibility
    # timeout; the catch-up issues its letter now, and the late redelivery will skip it.)
    run_task(env, processes, "scoring.tasks.issue_missing_decision_letters")
    wait_for(lambda: letters.count() == len(LEADS), processes, "every letter")
    # A letter whose e-mail task died with the first worker is caught up by beat's mail job.
    queue = redis.Redis.from_url(broker)
    wait_for(lambda: queue.llen("celery") == 0, processes, "an empty queue")
    time.sleep(2)  # the last e-mail tasks the second worker took finish
    processes.stop_all()
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = var_dir / "mail"
    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
        send_unsent_letters()

    # Every outcome: exactly one letter, stored and sent.
    assert letters.count() == len(LEADS)
    assert set(outcomes.values_list("letter_id", flat=True)) == set(
        letters.values_list("pk", flat=True)
    )
    assert len(set(letters.values_list("object_id", flat=True))) == len(LEADS)
    assert not letters.filter(sent_at__isnull=True).exists()
    # One e-mail per letter and recipient.
    sent = mails(var_dir / "mail")
    pairs = Counter(
        (subject_of(message), recipient.strip())
        for message in sent
        for recipient in message["To"].split(",")
    )
    expected = {(letter.subject, r) for letter in letters for r in letter.recipients}
    assert set(pairs) == expected
    assert set(pairs.values()) == {1}, [pair for pair, n in pairs.items() if n > 1]
    assert len(sent) == len(LEADS)
