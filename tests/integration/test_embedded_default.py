"""The embedded default boots with nothing but Python: real processes, no services faked.

Every test gets its own COT_VAR_DIR, under which settings put the SQLite database, kombu's
filesystem broker queue and the file result backend. The web, worker and beat processes run the
commands of tests/commands.py, the same ones docker-compose.yml runs in production.
"""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import closing, contextmanager
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


def manage(env: dict[str, str], *args: str, timeout: float = 60) -> str:
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


def stop(process: subprocess.Popen) -> None:
    """Warm shutdown of the process group we started; killed if it does not stop in time."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    try:  # a pool child that outlived its parent
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@contextmanager
def running(args: list[str], env: dict[str, str], log: Path):
    with log.open("wb") as out:
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield process
        finally:
            stop(process)


def log_tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_when_up(url: str, process: subprocess.Popen, log: Path, within: float = 20) -> int:
    deadline = time.monotonic() + within
    while True:
        assert process.poll() is None, f"server exited:\n{log_tail(log)}"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local http
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except (urllib.error.URLError, ConnectionError):
            assert time.monotonic() < deadline, f"{url} not up in {within} s:\n{log_tail(log)}"
            time.sleep(0.2)


def send_heartbeat(env: dict[str, str], name: str, worker_log: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SEND_HEARTBEAT, name],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=75,
    )
    assert result.returncode == 0, (
        f"heartbeat task failed:\n{result.stderr}\n--- worker log ---\n{log_tail(worker_log)}"
    )


def heartbeat(var_dir: Path, name: str) -> tuple[str, int] | None:
    database = var_dir / "cot_portal.sqlite3"
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)) as connection:
        return connection.execute(
            "SELECT name, runs FROM core_taskheartbeat WHERE name = ?", (name,)
        ).fetchone()


@pytest.fixture
def var_dir(tmp_path) -> Path:
    folder = tmp_path / "var"
    folder.mkdir()
    return folder


def test_embedded_default_migrates_serves_pages_and_runs_tasks(var_dir, tmp_path):
    env = service_env(var_dir)
    manage(env, "migrate", "--noinput")
    demo = manage(env, "load_demo")
    assert "Demo logins" in demo
    assert "aanvrager@gent.demo" in demo and "callmanager@vlaio.demo" in demo

    port = free_port()
    web_log = tmp_path / "web.log"
    with running(in_venv(GUNICORN) + ["--bind", f"127.0.0.1:{port}"], env, web_log) as web:
        assert get_when_up(f"http://127.0.0.1:{port}/", web, web_log) == 200
        status = get_when_up(f"http://127.0.0.1:{port}/account/aanmelden/", web, web_log)
        assert status == 200

    worker_log = tmp_path / "worker.log"
    with running(in_venv(CELERY_WORKER), env, worker_log):
        send_heartbeat(env, "embedded-test", worker_log)
    assert "filesystem://" in worker_log.read_text()
    assert heartbeat(var_dir, "embedded-test") == ("embedded-test", 1)


def test_worker_runs_tasks_through_redis(var_dir, tmp_path):
    base = urllib.parse.urlsplit(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    broker = urllib.parse.urlunsplit(base._replace(path="/15"))  # away from other tests' DB
    redis.Redis.from_url(broker, socket_connect_timeout=5).ping()  # Redis down: fail, not skip
    env = service_env(var_dir, CELERY_BROKER_URL=broker)  # result backend defaults to broker
    manage(env, "migrate", "--noinput")

    worker_log = tmp_path / "worker.log"
    with running(in_venv(CELERY_WORKER), env, worker_log):
        send_heartbeat(env, "redis-test", worker_log)
    assert "redis://" in worker_log.read_text()
    assert heartbeat(var_dir, "redis-test") == ("redis-test", 1)


def test_beat_schedules_the_heartbeat_on_the_filesystem_broker(var_dir, tmp_path):
    env = service_env(var_dir)
    manage(env, "migrate", "--noinput")

    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
    beat_command = [sys.executable, "-c", BEAT_EVERY_TWO_SECONDS, *CELERY_BEAT[1:]]
    with running(in_venv(CELERY_WORKER), env, worker_log), running(beat_command, env, beat_log):
        deadline = time.monotonic() + 30
        while heartbeat(var_dir, "beat") is None:
            assert time.monotonic() < deadline, (
                f"no beat heartbeat in 30 s\n--- beat ---\n{log_tail(beat_log)}"
                f"\n--- worker ---\n{log_tail(worker_log)}"
            )
            time.sleep(0.5)
    assert "Sending due task heartbeat" in beat_log.read_text()
