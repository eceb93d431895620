# The two commands of the README:
#   make demo   set up a virtual environment and run the example host app (SQLite, inline jobs)
#   make test   set up the same environment and run the whole test suite (SQLite + PostgreSQL + Redis),
#               the documentation build (mkdocs build --strict) and its code samples included
#   make docs   serve the documentation site on http://127.0.0.1:8000
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# test processes (pytest-xdist; whole files per process). 0 runs the suite in this process.
# Three on two cores: the tests spend much of their time waiting on PostgreSQL, Redis, RQ
# worker processes and Chromium, and a third process fills those waits (CI 10 min 6 s with
# two, 9 min 10 s with three, on the same machine and day).
PYTEST_WORKERS ?= 3
HOST   ?= 127.0.0.1
PORT   ?= 5000
DOCS_PORT ?= 8000
export FLASK_APP := examples.host_app

.PHONY: demo test lint format docs bench clean i18n-extract

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml hooks/*/pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev]" -e hooks/loyalty_points -e hooks/profile_conditions -e hooks/sms_gateway -e hooks/fraud_network
	touch $@

demo: $(VENV)/.installed
	$(BIN)/flask customers db upgrade
	$(BIN)/flask seed-demo --if-empty
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

docs: $(VENV)/.installed
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr $(HOST):$(DOCS_PORT)

# the messages to translate: writes messages.pot / admin.pot and merges them into every .po
i18n-extract: $(VENV)/.installed
	$(BIN)/python -m customers_plugin.translations.extract

bench: $(VENV)/.installed
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info instance examples/host_app/instance site
