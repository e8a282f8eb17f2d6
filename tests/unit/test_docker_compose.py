"""docker-compose.yml describes the production stack (no Docker engine runs in CI to start it).

The commands of web, worker and beat must be those of tests/commands.py, which the native
service tests (tests/integration/test_embedded_default.py) run for real.
"""

import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tests.commands import (
    CELERY_BEAT,
    CELERY_WORKER,
    COLLECTSTATIC,
    GUNICORN,
    GUNICORN_BIND_COMPOSE,
    MIGRATE,
)

COMPOSE_FILE = Path(__file__).resolve().parents[2] / "docker-compose.yml"
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())["services"]


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def command(service: dict) -> list[str]:
    value = service["command"]
    return shlex.split(value) if isinstance(value, str) else [str(part) for part in value]


def test_the_stack_has_every_service(services):
    assert {"postgres", "redis", "web", "worker", "beat", "mailpit"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["mailpit"]["image"].startswith("axllent/mailpit")
    assert "healthcheck" in services["postgres"]
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])


def test_web_serves_the_wsgi_application_with_gunicorn(services):
    assert command(services["web"]) == [*GUNICORN, *GUNICORN_BIND_COMPOSE]
    assert "cot_portal.wsgi:application" in command(services["web"])
    assert "8000:8000" in services["web"]["ports"]


def test_worker_and_beat_run_the_commands_the_native_tests_run(services):
    assert command(services["worker"]) == list(CELERY_WORKER)
    assert command(services["beat"]) == list(CELERY_BEAT)


def test_migrations_and_static_files_run_before_the_app_starts(services):
    setup = " ".join(command(services["migrate"]))
    assert shlex.join(MIGRATE) in setup
    assert shlex.join(COLLECTSTATIC) in setup
    assert setup.index(shlex.join(MIGRATE)) < setup.index(shlex.join(COLLECTSTATIC))
    for name in APP_SERVICES:
        depends_on = services[name]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully", name
        assert depends_on["postgres"]["condition"] == "service_healthy", name


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_use_postgres_redis_and_mailpit(services, name):
    env = environment(services[name])
    database = urlsplit(env["DATABASE_URL"])
    assert database.scheme in {"postgres", "postgresql"}
    assert database.hostname == "postgres" and database.path == "/cot_portal"
    broker = urlsplit(env["CELERY_BROKER_URL"])
    assert broker.scheme == "redis" and broker.hostname == "redis"
    assert "CELERY_RESULT_BACKEND" not in env  # it follows the broker: Redis
    assert env["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (env["EMAIL_HOST"], env["EMAIL_PORT"]) == ("mailpit", "1025")


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_run_in_production_mode(services, name):
    env = environment(services[name])
    assert env["DEBUG"].lower() in {"0", "false", "no", "off"}
    # `${SECRET_KEY:?...}`: compose refuses to start without a secret key.
    assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]*\}", env["SECRET_KEY"])
    assert env["ALLOWED_HOSTS"]
    assert "COT_REQUIRE_2FA" not in env and "COT_ALLOW_INSECURE_KEY" not in env
    # The design card fixes the top level: no Dockerfile, the official image runs the checkout.
    assert "build" not in services[name]
    assert services[name]["image"] == "python:3.11-slim"
