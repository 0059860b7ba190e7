# dvc-connect: `make run` and `make test` are all a newcomer needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs on this many processes (pytest-xdist; each has its own database and Redis db).
TEST_WORKERS ?= 2

.PHONY: run chat test lint format bench faults setup migrate seed clean htmx

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/.installed

migrate: setup
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) catalog import
	$(FLASK) units import
	$(FLASK) dossiers seed-demo
	SANDBOX=1 $(FLASK) staff seed-demo

# SANDBOX=1: the local portal simulator and VNeID sandbox run beside the API (demo only).
run: seed
	SANDBOX=1 HOST=$(HOST) PORT=$(PORT) $(FLASK) serve

# The bot in the terminal, on the demo data (sandbox: one-time codes are printed in the chat).
chat: seed
	SANDBOX=1 $(FLASK) bot chat

test: setup
	bash scripts/run-tests.sh -n $(TEST_WORKERS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python -m benchmarks

# Fault scenarios (issue 14) on the real stack: PostgreSQL, a private Redis on :6405,
# gunicorn, two workers, a fake SMS gateway counting by recipient. A few minutes.
faults: setup
	$(BIN)/python -m benchmarks faults

# The console's htmx, pinned; the unmodified dist file is committed (api/console/static/VENDOR.md).
HTMX_VERSION := 2.0.11
htmx:
	cd $$(mktemp -d) && npm pack --silent htmx.org@$(HTMX_VERSION) && tar xzf htmx.org-$(HTMX_VERSION).tgz \
	  && cp package/dist/htmx.min.js $(CURDIR)/api/console/static/htmx.min.js
	sha256sum api/console/static/htmx.min.js

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
