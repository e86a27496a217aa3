# The README's commands. `make run` and `make test` work on a fresh machine with Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
PORT   ?= 8000

.PHONY: run test lint format bench install install-test lock clean-var

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

## run: install, migrate, load demo data, start web + Celery worker + beat (Ctrl-C stops them all)
run: install
	DEBUG=$${DEBUG:-true} PORT=$(PORT) $(PY) manage.py rundesk

## test: the whole suite; PostgreSQL and Redis when they answer, else SQLite and the embedded broker
test: install-test
	@eval "$$($(PY) bin/test-services)" && $(PY) -m pytest $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

format: install-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## lock: re-pin constraints.txt to what the venv holds (after changing pyproject.toml's ranges)
lock: install-test
	$(PY) -m pip freeze --exclude-editable | grep -v '^-e ' > constraints.txt

bench: install-test
	@echo "The benchmark arrives with issue 8 (bench/); nothing to measure yet." && exit 1
