# The two commands of the README: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test lint typecheck ci clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

serve: $(STAMP)
	$(BIN)/karmayogi serve --host 127.0.0.1 --port 8000

# Apollo's composition library, for the federation test (tests/federation).
tools/federation/node_modules/.package-lock.json: tools/federation/package-lock.json
	npm ci --prefix tools/federation --no-audit --no-fund

test: $(STAMP) tools/federation/node_modules/.package-lock.json
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy gateway schema plugins

clean:
	rm -rf $(VENV) karmayogi.db*
