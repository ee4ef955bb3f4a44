# The two commands: `make run` and `make test`. Both build the environment first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint format bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

# axe-core for the accessibility browser test (test-only, from the npm registry, never a CDN)
NODE_STAMP := node_modules/.package-lock.json
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund

install: $(STAMP)

## Set up, migrate, load demo data on first run, serve on http://127.0.0.1:8000
run: $(STAMP)
	$(BIN)/portal migrate
	$(BIN)/portal demo --if-empty
	$(BIN)/portal serve --host 127.0.0.1 --port 8000

## Set up and run the whole suite (SQLite and a throwaway PostgreSQL, SMTP, OIDC, chromium)
test: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

## Lint, formatting and types: zero findings (CI runs it before the tests)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Apply the formatter and the safe lint fixes
format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python bench/search_engine.py --n 100000
	$(BIN)/python bench/search_api.py --n 100000
	$(BIN)/python -m bench.relevance

clean:
	rm -rf $(VENV) var .pytest_cache
