"""The embedded default boots with nothing but Python: real processes, no services faked.

`manage.py migrate` runs once per module on an empty COT_VAR_DIR (fixture `migrated_database`);
every test then gets its own COT_VAR_DIR with a copy of that database, under which settings also
put kombu's filesystem broker queue and the file result backend. The web, worker and beat
processes run the commands of tests/commands.py, the ones docker-compose.yml runs in production.
"""

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import closing
from pathlib import Path

import pytest
import redis

from tests.commands import CELERY_BEAT, CELERY_WORKER, GUNICORN

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# Variables that would point the processes at services or folders outside the temporary dir.
OUTSIDE = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "CELERY_TASK_ALWAYS_EAGER",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "EMAIL_BACKEND",
)
SEND_HEARTBEAT = (
    "import sys, django; django.setup(); "
    "from cot_portal.core.tasks import record_heartbeat; "
    "print(record_heartbeat.delay(sys.argv[1]).get(timeout=60))"
)
# The real beat command and schedule, with only the heartbeat's 60 s interval shortened: beat
# sends an interval task one interval after it starts (not at start-up), too slow for a test.
BEAT_EVERY_TWO_SECONDS = (
    "import sys; from cot_portal.celery import app; "
    "app.conf.beat_schedule['heartbeat']['schedule'] = 2.0; "
    "app.start(sys.argv[1:])"
)


def service_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in OUTSIDE}
    env.update(
        DEBUG="1",
        COT_REQUIRE_2FA="0",
        COT_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="cot_portal.settings",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def in_venv(command: tuple[str, ...]) -> list[str]:
    return [str(BIN / command[0]), *command[1:]]


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"manage.py {args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


class Processes:
    """Long-running processes of one test, each logging to its own file, all stopped at the end."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.started: dict[str, subprocess.Popen] = {}

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        with (self.log_dir / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                args,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text(errors="replace")

    def logs(self, lines: int = 30) -> str:
        return "".join(
            f"\n--- {name} ---\n" + "\n".join(self.log(name).splitlines()[-lines:])
            for name in self.started
        )

    def stop_all(self, within: float = 15) -> None:
        """Warm shutdown (SIGTERM to each parent, which stops its own pool children), in
        parallel; whatever is left of a process group after the deadline is killed."""
        for process in self.started.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + within
        for process in self.started.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=5)


@pytest.fixture
def processes(tmp_path):
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_when_up(url: str, server: subprocess.Popen, processes: Processes, within=30) -> int:
    deadline = time.monotonic() + within
    while True:
        assert server.poll() is None, f"the web server exited:{processes.logs()}"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local http
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except (urllib.error.URLError, ConnectionError):
            assert time.monotonic() < deadline, f"{url} not up in {within} s:{processes.logs()}"
            time.sleep(0.2)


def send_heartbeat(env: dict[str, str], name: str, processes: Processes) -> None:
    """`record_heartbeat.delay(name).get()` from a separate process, as the web process would."""
    result = subprocess.run(
        [sys.executable, "-c", SEND_HEARTBEAT, name],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=75,
    )
    assert result.returncode == 0, f"heartbeat task failed:\n{result.stderr}{processes.logs()}"


def heartbeat(var_dir: Path, name: str) -> tuple[str, int] | None:
    database = var_dir / "cot_portal.sqlite3"
    uri = f"file:{database}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True, timeout=10)) as connection:
        return connection.execute(
            "SELECT name, runs FROM core_taskheartbeat WHERE name = ?", (name,)
        ).fetchone()


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory) -> Path:
    """`manage.py migrate` on an empty COT_VAR_DIR creates the embedded SQLite database."""
    var_dir = tmp_path_factory.mktemp("migrated")
    manage(service_env(var_dir), "migrate", "--noinput")
    database = var_dir / "cot_portal.sqlite3"
    assert database.is_file()
    return database


@pytest.fixture
def var_dir(tmp_path, migrated_database) -> Path:
    """A fresh COT_VAR_DIR holding a copy of the migrated database (one migrate per module)."""
    folder = tmp_path / "var"
    folder.mkdir()
    shutil.copyfile(migrated_database, folder / "cot_portal.sqlite3")
    return folder


def test_embedded_default_serves_pages_and_runs_tasks(var_dir, processes):
    env = service_env(var_dir)
    demo = manage(env, "load_demo", timeout=600)  # ~20 s alone: it renders some 40 PDFs
    assert "Demo logins" in demo
    assert "aanvrager@gent.demo" in demo and "callmanager@vlaio.demo" in demo

    port = free_port()
    web = processes.start("web", in_venv(GUNICORN) + ["--bind", f"127.0.0.1:{port}"], env)
    processes.start("worker", in_venv(CELERY_WORKER), env)
    for path in ("/", "/account/aanmelden/"):
        assert get_when_up(f"http://127.0.0.1:{port}{path}", web, processes) == 200, path

    send_heartbeat(env, "embedded-test", processes)
    assert heartbeat(var_dir, "embedded-test") == ("embedded-test", 1)
    assert "filesystem://" in processes.log("worker")


def test_worker_runs_tasks_through_redis(var_dir, processes):
    base = urllib.parse.urlsplit(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    broker = urllib.parse.urlunsplit(base._replace(path="/15"))  # away from other tests' DB
    redis.Redis.from_url(broker, socket_connect_timeout=5).ping()  # Redis down: fail, not skip
    env = service_env(var_dir, CELERY_BROKER_URL=broker)  # the result backend follows the broker

    processes.start("worker", in_venv(CELERY_WORKER), env)
    send_heartbeat(env, "redis-test", processes)
    assert heartbeat(var_dir, "redis-test") == ("redis-test", 1)
    assert "redis://" in processes.log("worker")


def test_beat_schedules_the_heartbeat_on_the_filesystem_broker(var_dir, processes):
    env = service_env(var_dir)
    processes.start("worker", in_venv(CELERY_WORKER), env)
    processes.start("beat", [sys.executable, "-c", BEAT_EVERY_TWO_SECONDS, *CELERY_BEAT[1:]], env)

    deadline = time.monotonic() + 30
    while heartbeat(var_dir, "beat") is None:
        assert time.monotonic() < deadline, f"no beat heartbeat in 30 s:{processes.logs()}"
        time.sleep(0.5)
    assert "Sending due task heartbeat" in processes.log("beat")
