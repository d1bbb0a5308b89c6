# The two commands of the README: `make run` and `make test`. Each does all set-up itself.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000


.PHONY: run test test-large install lint typecheck sample clean bench soak

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "make: $(PYTHON) not found (set PYTHON=...)"; exit 2; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $(STAMP)

# YASGUI (query editor) and Swagger UI (/docs) from the npm registry, when npm is there;
# otherwise the query page falls back to its built-in editor, and /docs to a list of the
# operations with a link to /openapi.json.
YASGUI := api/static/vendor/yasgui/yasgui.min.js
$(YASGUI): api/static/package.json api/static/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  (npm ci --prefix api/static --no-audit --no-fund --ignore-scripts --loglevel=error \
	   && mkdir -p api/static/vendor/yasgui api/static/vendor/swagger-ui \
	   && cp api/static/node_modules/@zazuko/yasgui/build/yasgui.min.js \
	         api/static/node_modules/@zazuko/yasgui/build/yasgui.min.css api/static/vendor/yasgui/ \
	   && cp api/static/node_modules/swagger-ui-dist/swagger-ui-bundle.js \
	         api/static/node_modules/swagger-ui-dist/swagger-ui.css api/static/vendor/swagger-ui/) \
	  || echo "make: YASGUI and Swagger UI could not be installed; the query page uses its" \
	          "built-in editor and /docs lists the operations"; \
	else echo "make: npm not found; the query page uses its built-in editor, /docs lists the operations"; fi

install: $(STAMP) $(YASGUI)

## run: install, load the bundled sample data into the embedded store, serve on http://$(HOST):$(PORT)
##      (HOST=... PORT=... serve elsewhere; the IRIs minted follow, unless COLLEX_BASE_IRI is set)
run: export COLLEX_BASE_IRI ?= http://$(HOST):$(PORT)/
run: install
	@mkdir -p var
	$(BIN)/collex load data/sample --report var/sample-load-report.json
	$(BIN)/collex serve --host $(HOST) --port $(PORT)

## test: install and run the whole suite (lint, types, unit, integration, doctests)
test: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

## test-large: the hostile inputs up to 300 MB, one by one (peak RSS under 1 GB each), and the
##             S corpus exported as tables and validated; CI runs it
test-large: install
	$(BIN)/python -m pytest --large tests/hostile tests/large

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy

## sample: regenerate data/sample/ead from data/sample/make_sample.py
sample: install
	$(BIN)/python data/sample/make_sample.py

## bench: measure ingest, SPARQL and search at SCALE=S (default), M or L
##        (BENCH_ARGS=--ingest-only measures the loads alone, e.g. for the L RSS target)
SCALE ?= S
BENCH_ARGS ?=
bench: install
	$(BIN)/python bench/run.py --scale $(SCALE) $(BENCH_ARGS)

## soak: 50 clients for 10 minutes on the S corpus (generated and loaded into var/soak once)
##       with the operator's mix; SOAK_ARGS="--minutes 2 --clients 20 --write-every 0.5" adds writes
SOAK_ARGS ?=
soak: install
	$(BIN)/python bench/soak.py --report var/soak/report.json $(SOAK_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
