"""The process commands of the production stack, written down once.

docker-compose.yml runs exactly these commands (checked by tests/unit/test_docker_compose.py),
and the native service tests (tests/integration/test_embedded_default.py) start the very same
commands from the virtualenv, so the two cannot drift apart.
"""

# gunicorn serving the WSGI application; compose binds it with GUNICORN_BIND_COMPOSE.
GUNICORN = ("gunicorn", "cot_portal.wsgi:application")
GUNICORN_BIND_COMPOSE = ("--bind", "0.0.0.0:8000")

CELERY_WORKER = ("celery", "-A", "cot_portal", "worker", "--loglevel", "INFO")
CELERY_BEAT = ("celery", "-A", "cot_portal", "beat", "--loglevel", "INFO")

# Run once before the web process starts (compose: the one-shot `migrate` service).
MIGRATE = ("python", "manage.py", "migrate", "--noinput")
COLLECTSTATIC = ("python", "manage.py", "collectstatic", "--noinput")
