# One-command workflows. Without DATABASE_URL / REDIS_URL, an embedded PostgreSQL and
# Valkey are started in var/ (prm/devservices.py); with them set, those are used as is.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.13
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run
PORT ?= 8000
PYTEST_ARGS ?=
# A production-like environment for `check --deploy` (nothing here is a real secret).
DEPLOY_ENV := DJANGO_SETTINGS_MODULE=prm.settings.production \
	SECRET_KEY=check-deploy-$$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n') \
	ALLOWED_HOSTS=portal.example.com,.portal.example.com PRM_BASE_DOMAIN=portal.example.com

.PHONY: help install run test lint check bench backup restore services-status services-stop

help:
	@echo "make run    - set up and run the portal (web + worker + beat) on http://acme.localhost:$(PORT)/"
	@echo "make test   - run the test suite (pytest -n 2; browser tests need /usr/bin/chromium)"
	@echo "make lint   - ruff check"
	@echo "make check  - migrations up to date, deploy checks, OpenAPI schema without warnings"
	@echo "make bench  - run the benchmarks (bench/run.sh)"
	@echo "make backup [FILE=...]  - the database and media folder in one file (var/backups/)"
	@echo "make restore FILE=...   - load a backup into an empty database"
	@echo "make services-status / services-stop - the embedded PostgreSQL and Valkey in var/"

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependencies change. `make run` needs only what the portal
# runs on (half the install time of a fresh clone); tests and tools add the dev extras.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@ $(RUN_STAMP)

$(RUN_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

install: $(STAMP)

run: $(RUN_STAMP)
	@$(PY) -m prm.devservices createdb
	PORT=$(PORT) $(PY) manage.py runportal --port $(PORT)

test: $(STAMP)
	@if [ -x /usr/bin/chromium ]; then \
		echo "Browser tests: running with /usr/bin/chromium."; \
	else \
		echo "*** Browser tests: SKIPPED - /usr/bin/chromium is missing (apt-get install chromium). ***"; \
	fi
	@rc=0; $(PY) -m pytest -n 2 $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "*** pytest collected no tests (exit code 5): failing. ***"; fi; \
	exit $$rc

lint: $(STAMP)
	$(VENV)/bin/ruff check .

check: $(STAMP)
	@$(PY) -m prm.devservices createdb
	$(PY) manage.py makemigrations --check --dry-run
	$(DEPLOY_ENV) $(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py spectacular --fail-on-warn --file /dev/null

bench: $(STAMP)
	@if [ -x bench/run.sh ]; then bench/run.sh; else echo "No bench/run.sh yet: nothing to run."; fi

backup: $(RUN_STAMP)
	$(PY) manage.py backup $(if $(FILE),--output $(FILE),)

restore: $(RUN_STAMP)
	@if [ -z "$(FILE)" ]; then echo "usage: make restore FILE=var/backups/prm-....tar"; exit 2; fi
	@$(PY) -m prm.devservices createdb
	$(PY) manage.py restore $(FILE)

services-status: $(RUN_STAMP)
	$(PY) -m prm.devservices status

services-stop: $(RUN_STAMP)
	$(PY) -m prm.devservices stop
