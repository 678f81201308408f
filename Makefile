# Two commands for a fresh machine: `make run` and `make test`. Only Python is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check
HOST ?= 127.0.0.1
PORT ?= 8000
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: run stack test lint format install install-dev migrate demo sitecheck benchmark benchmark-scale clean

# `make run` installs only what the site needs (fast); `make test` adds the dev tools.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PIP) -e '.[dev]'
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput

# Loads the demo newsroom when the database is empty and prints the demo logins.
demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	@echo "Public site: http://$(HOST):$(PORT)/   Admin: http://$(HOST):$(PORT)/admin/"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The production way on loopback: Varnish on 127.0.0.1:$(STACK_PORT) in front of gunicorn
# (DEBUG=0) on 127.0.0.1:$(STACK_BACKEND_PORT); the database and Redis the environment names.
STACK_PORT ?= 8080
STACK_BACKEND_PORT ?= 8081
stack: install
	STACK_PORT=$(STACK_PORT) STACK_BACKEND_PORT=$(STACK_BACKEND_PORT) exec deploy/stack.sh

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Uses DATABASE_URL when set (PostgreSQL), SQLite under var/ otherwise.
test: lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The demo newsroom served the production way (gunicorn, DEBUG off, collected static files)
# on a loopback port, checked by ../shared/sitecheck with every check.
sitecheck: install-dev
	.ci/sitecheck.sh

# Loads 10,000 stories into PostgreSQL (BENCH_DATABASE_URL) and measures gunicorn with wrk.
benchmark: install-dev
	bench/run.sh

# The archive benchmark: loads (or reuses) newsroom_scale_10k, _100k and _1m in PostgreSQL
# (bench/load_archive.py) and times the pages at each size; table in var/bench/scale.txt.
benchmark-scale: install-dev
	bench/scale.sh

clean:
	rm -rf $(VENV) var staticfiles .sitecheck
