# The two commands of the README: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve setup test lint typecheck ci clean

# GraphiQL's browser files, served by the gateway itself (no CDN): gateway/graphiql.py.
GRAPHIQL := tools/graphiql/node_modules/.package-lock.json

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

serve: $(STAMP) $(GRAPHIQL)
	$(BIN)/karmayogi serve --host 127.0.0.1 --port 8000

# Apollo's composition library, for the federation test (tests/federation).
tools/federation/node_modules/.package-lock.json: tools/federation/package-lock.json
	npm ci --prefix tools/federation --no-audit --no-fund

# The graphql-http audit suite, for the GraphQL-over-HTTP test.
tools/graphql-http/node_modules/.package-lock.json: tools/graphql-http/package-lock.json
	npm ci --prefix tools/graphql-http --no-audit --no-fund

$(GRAPHIQL): tools/graphiql/package-lock.json
	npm ci --prefix tools/graphiql --no-audit --no-fund

# GraphQL Code Generator, for the typed-client test (tests/frontend).
tools/codegen/node_modules/.package-lock.json: tools/codegen/package-lock.json
	npm ci --prefix tools/codegen --no-audit --no-fund

# A Node subgraph (@apollo/subgraph), for the remote subgraph tests (tests/plugins/subgraphs).
tools/subgraph-node/node_modules/.package-lock.json: tools/subgraph-node/package-lock.json
	npm ci --prefix tools/subgraph-node --no-audit --no-fund

NODE_TOOLS := tools/federation/node_modules/.package-lock.json tools/graphql-http/node_modules/.package-lock.json \
	$(GRAPHIQL) tools/codegen/node_modules/.package-lock.json tools/subgraph-node/node_modules/.package-lock.json

# Both cores: pytest-xdist workers, each test file on one worker (and, on
# PostgreSQL, each worker its own database). TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2

# Everything the tests need, installed (CI runs it once before its passes run side by side).
setup: $(STAMP) $(NODE_TOOLS)

test: $(STAMP) $(NODE_TOOLS)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy gateway schema plugins

clean:
	rm -rf $(VENV) karmayogi.db*
