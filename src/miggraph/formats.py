"""The one table of formats: every file format miggraph reads or writes, and which command offers which.

The built graph is written in the RDF formats of `RDF_FILES` (the file extension, the media type
an HTTP store is sent, and the names rdflib and pyoxigraph give the format). Answers and reports
are plain text by default and machine-readable on request; the `*_FORMATS` tuples are the choices
each command's `--format` offers, the first being the default.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph


@dataclass(frozen=True)
class RdfFile:
    """One RDF serialisation of the built graph."""

    extension: str
    media_type: str
    rdflib: str
    oxigraph: pyoxigraph.RdfFormat
    description: str


RDF_FILES: dict[str, RdfFile] = {
    "ttl": RdfFile("ttl", "text/turtle", "turtle", pyoxigraph.RdfFormat.TURTLE,
                   "everything as one graph, Turtle"),
    "nt": RdfFile("nt", "application/n-triples", "nt", pyoxigraph.RdfFormat.N_TRIPLES,
                  "the same as N-Triples"),
    "jsonld": RdfFile("jsonld", "application/ld+json", "json-ld", pyoxigraph.RdfFormat.JSON_LD,
                      "the same as JSON-LD"),
    "trig": RdfFile("trig", "application/trig", "trig", pyoxigraph.RdfFormat.TRIG,
                    "one named graph per input file and per derivation rule"),
}

# Answers to SPARQL queries (`miggraph query`): a text table, or CSV, TSV and JSON as the SPARQL
# 1.1 result formats define them; a CONSTRUCT or DESCRIBE answer as Turtle.
RESULT_FORMATS = ("table", "csv", "tsv", "json", "ttl")
RESULT_MEDIA_TYPES = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "json": "application/sparql-results+json",
    "ttl": "text/turtle",
}

# Networks as files that Gephi, Cytoscape and spreadsheets open (`miggraph export`).
NETWORK_FORMATS = ("graphml", "gexf", "csv", "json")
EXPORT_FORMATS = (*NETWORK_FORMATS, *RDF_FILES)

# Reports and tables of the other commands.
REPORT_FORMATS = ("text", "json", "ttl")      # miggraph validate
STATS_FORMATS = ("text", "csv", "json")       # miggraph stats
TABLE_FORMATS = ("table", "csv", "json")      # miggraph network
