"""Store: where queries run. The embedded default is pyoxigraph over the built graph.

Every command that queries goes through this module, so that the embedded store and a remote
SPARQL endpoint are interchangeable. `embedded()` returns a pyoxigraph Store holding
`dist/miggraph.nt`; `select()` runs a SELECT and returns plain rows.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph

from .errors import MiggraphError

Row = dict[str, pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | None]


def embedded(dist: Path) -> pyoxigraph.Store:
    """An in-memory pyoxigraph store loaded with the built graph in `dist`."""
    source = dist / "miggraph.nt"
    if not source.is_file():
        raise MiggraphError(f"{source}: not found; run `miggraph build` first")
    store = pyoxigraph.Store()
    store.bulk_load(path=source, format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def select(store: pyoxigraph.Store, query: str) -> tuple[list[str], list[Row]]:
    """Run a SELECT query; return its variable names and one dict per solution."""
    try:
        solutions = store.query(query)
    except SyntaxError as exc:
        raise MiggraphError(f"malformed query: {exc}") from exc
    if not isinstance(solutions, pyoxigraph.QuerySolutions):
        raise MiggraphError("expected a SELECT query")
    names = [v.value for v in solutions.variables]
    rows = [{name: solution[name] for name in names} for solution in solutions]
    return names, rows
