"""A SHACL Core engine on pyoxigraph (plus SPARQL-based constraints and SPARQL targets).

The data and the shapes are pyoxigraph stores, so literals reach the engine exactly as written
(an ill-formed `"yes"^^xsd:boolean` stays ill-formed and fails `sh:datatype`). Targets and value
nodes come from per-predicate indexes of the store; components are checked in Python; SPARQL
constraints and targets run on the store. Anything the engine does not implement raises
`MiggraphError` (exit 2) naming the construct and the shape: nothing is skipped.

    results = validate(data_store, shapes_store)
"""

from __future__ import annotations

from .engine import Result, validate

__all__ = ["Result", "validate"]
