"""Grow the graph from new documents (issue 13).

`ingest` reads a document, finds the mentions of what the graph knows and proposes what it
does not, and writes them as W3C Web Annotations next to the exact text they point into;
`review` renders an offline page to decide on them; `accept` turns the accepted ones into a
new data file, but only if the graph still validates with it.

One module per concern: documents (reading), labels (what the graph knows), matcher (finding
labels in loose text), dates, rules (proposals), annotations (the output), review, accept,
and pipeline (ingest one file end to end).
"""

from .accept import Accepted, accept
from .pipeline import Ingested, ingest
from .review import write_review

__all__ = ["Accepted", "Ingested", "accept", "ingest", "write_review"]
