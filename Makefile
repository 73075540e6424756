# miggraph: `make demo` builds, validates, queries and maps the graph; `make test` runs the suite.
# Both set up .venv first (Python 3.11+). Nothing is downloaded at run time beyond pip packages.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test venv lint bench docs clean

venv: $(STAMP)

# The first run installs about 60 packages (a minute or two); pip shows what it is doing.
$(STAMP): pyproject.toml
	@echo "== Setting up $(VENV): installing miggraph and its dependencies (first run only; pip's progress follows)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --progress-bar on --upgrade pip
	$(BIN)/pip install --progress-bar on -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	@echo "== Build the graph from ontology/ and data/"
	$(BIN)/miggraph build
	@echo "== Validate it against ontology/shapes.ttl"
	$(BIN)/miggraph validate
	@echo "== Answer the competency questions in queries/"
	$(BIN)/miggraph queries --run
	@echo "== Who is central (co-participation network)"
	$(BIN)/miggraph network --top 8
	@echo "== Maps and network exports"
	$(BIN)/miggraph map --all
	$(BIN)/miggraph export --format graphml
	$(BIN)/miggraph export --format gexf
	$(BIN)/miggraph export --format csv
	@echo
	@echo "Outputs:"
	@echo "  dist/miggraph.ttl .nt .jsonld .trig   the graph (trig: one named graph per source file)"
	@echo "  dist/answers/                         one answer file per competency question"
	@echo "  dist/maps/*.html                      offline network maps: open one in a browser"
	@echo "  dist/exports/                         GraphML, GEXF and CSV for Gephi or Cytoscape"
	@echo "Next: $(BIN)/miggraph query who-represents | $(BIN)/miggraph serve | $(BIN)/miggraph --help"

test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest

# docs/map.png, the screenshot in the README: written only here, never by `make test`.
docs: $(STAMP)
	MIGGRAPH_SCREENSHOT=$(CURDIR)/docs/map.png $(BIN)/pytest -q tests/test_maps.py -k screenshot
	MIGGRAPH_REVIEW_SCREENSHOT=$(CURDIR)/docs/review.png $(BIN)/pytest -q tests/test_ingest_review.py -k highlights

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf dist .pytest_cache
