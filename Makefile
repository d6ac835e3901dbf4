# Yiwang — two commands for a newcomer: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1

.PHONY: install demo serve test lint format bench clean

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Migrate the embedded SQLite database, load the Meixian demo (idempotent) and serve it.
demo: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py demo
	@echo "Yiwang 一网 is serving on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	DEBUG=1 $(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

serve: install
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The whole suite, browser tests included (skipped with a hint where Chromium is missing,
# a failure where YIWANG_REQUIRE_BROWSER=1). DATABASE_URL=postgres://… runs it on PostgreSQL.
# TEST_WORKERS processes share the tests (pytest-xdist; each has its own test database);
# TEST_WORKERS=0 runs them in this one process. PYTEST_ARGS picks tests or adds options.
TEST_WORKERS ?= 2

test: install
	$(BIN)/python -m pytest $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS)) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The module benchmarks, each on a database it builds for the run. The scale ones (generate, run,
# intake, routing) act on the database DATABASE_URL names: see the README.
BENCH_MODULES := workdays cases catalog catalog_excel hotline inspections licences policies ratings supervision

bench: install
	for b in $(BENCH_MODULES); do DEBUG=1 $(BIN)/python bench/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) node_modules staticfiles .test-media .pytest_cache
