# Emulation-bloc portal: developer entry points.
#
#   make run      set up (venv, packages, database, demo data) and start on http://127.0.0.1:8000
#   make test     the whole test suite (PostgreSQL/Redis when DATABASE_URL/CELERY_BROKER_URL are set)
#   make lint     ruff, mypy, Django system checks, missing migrations
#   make worker   a Celery worker (needs CELERY_BROKER_URL)
#   make beat     the Celery scheduler (one per installation)
#   make messages compile translations (needs gettext)
#   make bench    generate a national-scale dataset (SCALE=0.1) and time every key page
#   make lock     regenerate requirements.lock / requirements-dev.lock (hashes) from requirements*.txt
#
# Everything is created on demand: a fresh clone needs only Python 3.11 (or 3.12) and make.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

# The venv installs the lock files (every package pinned, with hashes: pip --require-hashes).
# `make run` needs only the runtime set; `make test` and `make lint` add the tests' and lint's
# tools (Playwright and the rest): two stamps, each reinstalled when its lock file changes.
RUN_LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
RUN_STAMP := $(VENV)/.installed-run-$(shell cat $(RUN_LOCK) 2>/dev/null | sha256sum | cut -c1-16)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat $(DEV_LOCK) 2>/dev/null | sha256sum | cut -c1-16)

# Debian packages: WeasyPrint (Pango, HarfBuzz subsetting), a Times-compatible font with
# every Vietnamese glyph (fonts-liberation 1.x lacks ơ, ư and U+1EA0-U+1EF9; liberation2 has
# them), libpq (psycopg 3 is pure Python over the system's libpq) and Cairo (CairoSVG draws
# the chart of the DOCX).
RUN_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 libpq5 libcairo2
# Tests also drive a real browser, read PDFs back, convert the DOCX with LibreOffice and
# compile the translations (gettext: `make test` compiles them first).
# Playwright's node driver links libatomic.so.1 (a bare Debian lacks it); .ci/check-libs
# checks every library resolves.
TEST_DEBS := $(RUN_DEBS) chromium poppler-utils libatomic1 libreoffice-writer gettext

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help venv venv-dev run test lint lock worker beat messages system-deps test-deps check-libs env-note clean bench

help:
	@echo "make run      set up and start the portal with demo data on http://$(HOST):$(PORT)"
	@echo "make test     run the whole test suite"
	@echo "make lint     ruff check, ruff format --check, mypy, manage.py check, missing migrations"
	@echo "make worker   start a Celery worker (queues celery,reports; needs CELERY_BROKER_URL)"
	@echo "make beat     start the Celery scheduler (one per installation; needs CELERY_BROKER_URL)"
	@echo "make messages compile translations (gettext)"
	@echo "make bench    generate a dataset (SCALE=0.1, PostgreSQL) and time every key page"
	@echo "make lock     regenerate the lock files (hashes) after editing requirements*.txt"
	@echo "make clean    remove the virtualenv and caches (keeps var/: database and uploads)"

# apt_ensure(packages, purpose): install the missing Debian packages when we are root and apt
# exists (apt-get update only if the first attempt fails); otherwise print the command and go on.
define apt_ensure
missing=""; \
if command -v dpkg-query >/dev/null 2>&1; then \
  for p in $(1); do \
    dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
  done; \
else \
  echo "note: not a Debian system; $(2) need the equivalents of: $(1)"; \
fi; \
if [ -n "$$missing" ]; then \
  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
    echo ">> installing Debian packages for $(2):$$missing"; \
    export DEBIAN_FRONTEND=noninteractive; \
    apt-get install -y --no-install-recommends $$missing \
      || { apt-get update && apt-get install -y --no-install-recommends $$missing; } \
      || echo "!! could not install:$$missing (continuing)"; \
  else \
    echo "!! $(2) need Debian packages that are missing. Run as root:"; \
    echo "   apt-get install -y --no-install-recommends$$missing"; \
  fi; \
fi
endef

# ensure_venv: create $(VENV) with $(PYTHON) (installing python3-venv when root and missing).
define ensure_venv
@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || { echo "!! Python 3.11+ is required ($(PYTHON) is $$($(PYTHON) --version 2>&1)); use make PYTHON=python3.11"; exit 1; }
@if ! $(BIN)/python -m pip --version >/dev/null 2>&1; then \
  rm -rf $(VENV); \
  echo ">> creating $(VENV)"; \
  if ! $(PYTHON) -m venv $(VENV); then \
    rm -rf $(VENV); \
    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
      echo ">> installing python3-venv"; \
      export DEBIAN_FRONTEND=noninteractive; \
      apt-get install -y --no-install-recommends python3-venv \
        || { apt-get update && apt-get install -y --no-install-recommends python3-venv; }; \
      $(PYTHON) -m venv $(VENV); \
    else \
      echo "!! $(PYTHON) -m venv failed. Run as root: apt-get install -y python3-venv"; exit 1; \
    fi; \
  fi; \
fi
endef

venv: $(RUN_STAMP)
venv-dev: $(DEV_STAMP)

# The runtime set only (make run): no Playwright, no lint tools.
$(RUN_STAMP): $(RUN_LOCK)
	$(ensure_venv)
	@echo ">> installing $(RUN_LOCK) into $(VENV)"
	$(BIN)/python -m pip install --quiet --require-hashes -r $(RUN_LOCK)
	@rm -f $(VENV)/.installed-run-*
	@touch $@

# The dev set holds the runtime set: its stamp stands for both.
$(DEV_STAMP): $(DEV_LOCK)
	$(ensure_venv)
	@echo ">> installing $(DEV_LOCK) into $(VENV)"
	$(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	@rm -f $(VENV)/.installed-dev-*
	@touch $@

# Regenerate both lock files from requirements*.txt (after adding or bumping a package).
# Needs only PyPI: pip-tools (its version pinned in requirements-dev.txt) goes into $(VENV).
# The locks are resolved for this Python (3.11); they hold every wheel's hash of each pin.
PIP_COMPILE_ARGS := --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
  --no-emit-find-links --no-emit-trusted-host
lock:
	$(ensure_venv)
	$(BIN)/python -m pip install --quiet "$$(grep -E '^pip-tools==' requirements-dev.txt)"
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile $(PIP_COMPILE_ARGS) --output-file $(RUN_LOCK) requirements.txt
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile $(PIP_COMPILE_ARGS) --output-file $(DEV_LOCK) requirements-dev.txt
	@echo ">> wrote $(RUN_LOCK) and $(DEV_LOCK): commit them with the requirements change"

system-deps:
	@$(call apt_ensure,$(RUN_DEBS),PDF reports)

test-deps:
	@$(call apt_ensure,$(TEST_DEBS),the tests)

# Every shared library of Playwright's driver and of Chromium resolves (fails naming the one
# that does not, with its Debian package).
check-libs: $(DEV_STAMP) test-deps
	@bash .ci/check-libs $(BIN)/python

# The tests never read .env (settings skip it under pytest); make run does, and says so.
env-note:
	@if [ -f .env ] && [ -z "$${ENV_FILE:-}" ]; then \
	  echo "note: .env is present: its variables apply to make run (DATABASE_URL, DEBUG ...)."; \
	  echo "      make test never reads it. Move it aside to run the embedded default."; \
	fi

# compilemessages walks every folder below the project, so keep it out of the venv.
messages: $(RUN_STAMP)
	@if ! ls locale/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
	  echo ">> no translations (.po) to compile"; \
	elif command -v msgfmt >/dev/null 2>&1; then \
	  $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=var --ignore=node_modules; \
	else \
	  echo "!! gettext is missing: translations are not compiled. Run as root: apt-get install -y gettext"; \
	fi

run: $(RUN_STAMP) system-deps messages env-note
	@mkdir -p "$${VAR_DIR:-var}/static"
	$(BIN)/python manage.py migrate --noinput
	@if $(BIN)/python manage.py help load_demo >/dev/null 2>&1; then \
	  $(BIN)/python manage.py load_demo; \
	else \
	  echo "!! manage.py load_demo is not available: starting without demo data"; \
	fi
	@echo
	@echo "   Portal:  http://$(HOST):$(PORT)/        Admin: http://$(HOST):$(PORT)/admin/"
	@echo "   The demo accounts are listed above (load_demo). Stop with Ctrl+C."
	@echo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# A real browser for the e2e tests: the system Chromium (no download from a CDN).
test: $(DEV_STAMP) test-deps check-libs messages
	@mkdir -p "$${VAR_DIR:-var}/static"
	@chromium="$${CHROMIUM_PATH:-}"; \
	if [ -z "$$chromium" ]; then \
	  for c in /usr/lib/chromium/chromium $$(command -v chromium chromium-browser google-chrome 2>/dev/null); do \
	    if [ -x "$$c" ]; then chromium="$$c"; break; fi; \
	  done; \
	fi; \
	if [ -n "$$chromium" ]; then export CHROMIUM_PATH="$$chromium"; \
	else echo "!! no Chromium found: the e2e tests will be skipped (they fail under CI=true)"; fi; \
	if [ -n "$${DATABASE_URL:-}" ]; then db="DATABASE_URL"; else db="SQLite (in memory)"; fi; \
	if [ -n "$${CELERY_BROKER_URL:-}" ]; then tasks="CELERY_BROKER_URL"; else tasks="inline"; fi; \
	echo ">> database: $$db; tasks: $$tasks; CI=$${CI:-false}"; \
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The same commands run before each commit with pre-commit (.pre-commit-config.yaml).
lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

worker: $(RUN_STAMP) system-deps
	@if [ -z "$${CELERY_BROKER_URL:-}" ]; then \
	  echo "!! CELERY_BROKER_URL is not set: without a broker the portal runs tasks inline and needs no worker."; \
	  echo "   Example: CELERY_BROKER_URL=redis://127.0.0.1:6379/0 CELERY_RESULT_BACKEND=redis://127.0.0.1:6379/1 make worker"; \
	  exit 1; \
	fi
	$(BIN)/celery -A portal worker -l info -Q celery,reports

# One scheduler per installation: re-sends report builds whose message was lost.
beat: $(RUN_STAMP)
	@if [ -z "$${CELERY_BROKER_URL:-}" ]; then \
	  echo "!! CELERY_BROKER_URL is not set: without a broker tasks run inline and nothing needs scheduling."; \
	  exit 1; \
	fi
	@mkdir -p "$${VAR_DIR:-var}"
	$(BIN)/celery -A portal beat -l info --schedule "$${VAR_DIR:-var}/celerybeat-schedule"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -exec rm -rf {} +

# The benchmark: a generated national dataset (SCALE=1: 2,200 blocs, ~20 M scores) in its own
# PostgreSQL database (BENCH_DATABASE_URL), generated once and reused, then every key page
# under gunicorn at 1 and 20 users, and the PDF table. Figures are printed, never asserted.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal_bench_$(subst .,_,$(SCALE))
SCALE ?= 0.1
bench: $(STAMP) messages
	@mkdir -p "$${VAR_DIR:-var}"
	@# Production runs psycopg's C implementation (requirements-speedups.txt): measure that one
	@# when this machine can build it (a C compiler and libpq-dev's pg_config), else say so.
	@if $(BIN)/python -c 'import psycopg, sys; sys.exit(psycopg.pq.__impl__ != "c")' 2>/dev/null; then :; \
	elif command -v cc >/dev/null 2>&1 && command -v pg_config >/dev/null 2>&1; then \
	  echo ">> building psycopg's C implementation (requirements-speedups.txt)"; \
	  $(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements-speedups.txt \
	    || echo "!! psycopg-c did not build: the figures are for the pure Python implementation"; \
	else \
	  echo "!! no C compiler or pg_config (apt-get install gcc libpq-dev): the figures are for psycopg's pure Python implementation, which production does not run"; \
	fi
	@url="$(BENCH_DATABASE_URL)"; name="$${url##*/}"; \
	if command -v psql >/dev/null 2>&1 && ! psql "$$url" -Atc 'select 1' >/dev/null 2>&1; then \
	  echo ">> creating the database $$name"; \
	  psql "$${url%/*}/postgres" -qc "CREATE DATABASE $$name ENCODING 'UTF8' TEMPLATE template0"; \
	fi
	DATABASE_URL="$(BENCH_DATABASE_URL)" $(BIN)/python manage.py migrate --noinput -v0
	DATABASE_URL="$(BENCH_DATABASE_URL)" $(BIN)/python manage.py generate_scale --scale $(SCALE) --reuse
	DATABASE_URL="$(BENCH_DATABASE_URL)" $(BIN)/python manage.py bench_pages
	DATABASE_URL="$(BENCH_DATABASE_URL)" $(BIN)/python manage.py bench_reports
