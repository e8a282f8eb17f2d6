# cot-portal: two commands do all the set-up on a fresh machine.
#   make run   – venv, packages, front-end assets from npm, translations, migrate, demo data,
#                portal on http://127.0.0.1:8000 with a Celery worker and beat (embedded default)
#   make test  – installs what the tests need, starts PostgreSQL and Redis, runs the whole suite
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cot_portal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
PYTEST_ARGS ?= -n 2
DEV_ENV := DEBUG=1 COT_REQUIRE_2FA=$${COT_REQUIRE_2FA:-0}

.PHONY: run test hunt install assets messages services lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $@

install: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: install node_modules/.installed
	$(DEV_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0

messages: install
	@command -v msgfmt >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext; }
	$(DEV_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules --verbosity 0

run: assets messages
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py load_demo
	@echo ""
	@echo "  The portal runs at http://127.0.0.1:8000  (Ctrl-C stops portal, worker and beat)"
	@echo "  Database: $${DATABASE_URL:-SQLite in var/}   Broker: $${CELERY_BROKER_URL:-filesystem in var/celery/}"
	@echo "  Mail is written to var/mail/ unless EMAIL_BACKEND is set."
	@echo ""
	@$(DEV_ENV) bash -c 'trap "kill 0" EXIT; \
	  $(BIN)/celery -A cot_portal worker --beat --concurrency 2 --loglevel INFO & \
	  $(BIN)/python manage.py runserver 127.0.0.1:8000'

services:
	bash .ci/ensure-services

# make bench [SCALE=0.1] [SEED=2025]: load, peaks and batch work on generated data; writes
# BENCHMARKS.md (tests/bench/run.py). About 8 minutes at scale 1 on two cores, 2 at 0.1.
SCALE ?= 1
SEED ?= 2025

$(VENV)/.bench-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[test,bench]"
	touch $@

bench: $(VENV)/.bench-installed node_modules/.installed messages services
	$(BIN)/python tests/bench/run.py --scale $(SCALE) --seed $(SEED)

test: assets messages services
	DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) COT_ALLOW_INSECURE_KEY=1 \
	  HYPOTHESIS_PROFILE=ci $(BIN)/pytest $(PYTEST_ARGS)

# make hunt [FACTOR=8]: new random examples, FACTOR times as many for the hostile-input forms,
# a new draw for the rule properties; `make test` replays a fixed draw. About 8 minutes at FACTOR=30.
FACTOR ?= 8

hunt: assets messages services
	DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) COT_ALLOW_INSECURE_KEY=1 \
	  HYPOTHESIS_PROFILE=portal HOSTILE_INPUT_FACTOR=$(FACTOR) \
	  $(BIN)/pytest $(PYTEST_ARGS) tests/unit tests/integration/test_hostile_input.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var test-artifacts .pytest_cache
