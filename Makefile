# miggraph: `make demo` builds, validates, queries and maps the graph; `make test` runs the suite.
# Both set up .venv first (Python 3.11+). Nothing is downloaded at run time beyond pip packages.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test venv lint bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	@echo "== Build the graph from ontology/ and data/"
	$(BIN)/miggraph build
	@echo "== Validate it against ontology/shapes.ttl"
	$(BIN)/miggraph validate
	@echo "== Answer the competency questions in queries/"
	$(BIN)/miggraph queries --run dist/answers
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
	@echo "  maps/*.html                           offline network maps: open one in a browser"
	@echo "  exports/                              GraphML, GEXF and CSV for Gephi or Cytoscape"
	@echo "Next: $(BIN)/miggraph query who-represents | $(BIN)/miggraph serve | $(BIN)/miggraph --help"

test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf dist maps exports .miggraph .pytest_cache
