# The README's commands. `make run` and `make test` work on a fresh machine with Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
PORT   ?= 8000

.PHONY: run test check lint format bench install install-test lock clean-var

$(PY):
	$(PYTHON) -m venv $(VENV)

# Installs are stamped so that a second `make run` does not reinstall; editing the pins reinstalls.
$(VENV)/.installed-run: pyproject.toml constraints.txt | $(PY)
	$(PIP) install -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt $(VENV)/.installed-run
	$(PIP) install -c constraints.txt -e '.[test]'
	@touch $@

install: $(VENV)/.installed-run
install-test: $(VENV)/.installed-test

## run: install, migrate, load demo data, start web + Celery worker + beat (Ctrl-C stops them all).
# DEVELOPMENT=true, DEBUG off: the product's own 404 and 500 pages, as people see them; DEBUG=true make run
# for tracebacks in the browser. Links in mail and on labels follow PORT (and HOST) unless SITE_URL is set.
run: install
	DEVELOPMENT=true PORT=$(PORT) $(PY) manage.py rundesk

## test: the whole suite; PostgreSQL and Redis when they answer, else SQLite and the embedded broker
test: install-test
	@eval "$$($(PY) bin/test-services)" && $(PY) -m pytest $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	DEBUG=true $(PY) -m mypy
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

## check: lint, types and the fast part of the suite (no browser, no real workers, no restarts): minutes
check: lint
	@eval "$$($(PY) bin/test-services)" && $(PY) -m pytest -q -m "not worker" \
	  --ignore=tests/e2e --ignore=tests/reliability --ignore=tests/test_types.py $(PYTEST_ARGS)

format: install-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## lock: re-pin constraints.txt to what the venv holds (after changing pyproject.toml's ranges)
lock: install-test
	$(PY) -m pip freeze --exclude-editable | grep -v '^-e ' > constraints.txt

## bench: load BENCH_SIZES tickets into PostgreSQL (once per size), measure, print the sizes side by side;
# then mail in (bench/mail.py: messages/s from a Dovecot mailbox of 1,000 and through the pipe)
# docs/benchmarks.md: BENCH_SIZES="10000 100000" for both; BENCH_DATABASE_SERVER for another server;
# BENCH_ARGS for bench.run (e.g. "--quiet 25": wait for a quiet CPU before each page);
# BENCH_DATABASE_PREFIX to keep one person's databases apart on a shared server (it must start with
# servicedesk_bench); BENCH_PORT (environment) for gunicorn's port, else a free one.
# Knowledge search in-process runs on the last size's database (bench/itsm.py loads its articles).
BENCH_SIZES ?= 10000
BENCH_SEED ?= 7
BENCH_DATABASE_SERVER ?= postgres://postgres@127.0.0.1:5432
BENCH_DATABASE_PREFIX ?= servicedesk_bench
BENCH_ARGS ?=
bench: install
	@set -e; labels=""; \
	for size in $(BENCH_SIZES); do \
	  if [ $$((size % 1000)) -eq 0 ]; then label="$$((size / 1000))k"; else label="$$size"; fi; \
	  url="$(BENCH_DATABASE_SERVER)/$(BENCH_DATABASE_PREFIX)_$$label"; \
	  $(PY) -m bench.generate --tickets $$size --seed $(BENCH_SEED) --database-url "$$url" --if-missing; \
	  $(PY) -m bench.run --database-url "$$url" --label "$$label" $(BENCH_ARGS); \
	  labels="$$labels $$label"; \
	done; \
	echo; $(PY) -m bench.compare $$labels; \
	echo; $(PY) -m bench.knowledge --database-url "$$url"; \
	echo; $(PY) -m bench.mail --database-url "$(BENCH_DATABASE_SERVER)/$(BENCH_DATABASE_PREFIX)_mail"
