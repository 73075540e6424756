"""The embedded store: pyoxigraph over the built graph, in this process; and the protocol that
makes it and a remote endpoint interchangeable (`QueryStore`).

`embedded(built_nt)` returns a pyoxigraph Store holding the built graph, in memory, or kept on
disk under the project's cache folder and reloaded only when the built graph changed
(`cache.py`, safe for many processes). `Embedded.stream` answers any query (SELECT, ASK,
CONSTRUCT, DESCRIBE) with a `Stream` whose rows arrive as the store produces them, in bounded
memory, and stop at a wall-clock deadline (`streaming.py`); `run` collects a small answer.
SERVICE (the store calling another endpoint) is refused unless asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import pyoxigraph

from ..errors import ExitCode, MiggraphError
from ..project import built_name
from ..vocab import QUERY_PREFIXES
from .cache import open_copy
from .checks import check_query, malformed, uses_service
from .results import Result, Stream, Term, head_and_items
from .streaming import deadline_after, produced

Row = dict[str, Term | None]
Progress = Callable[[str], None]


class QueryStore(Protocol):
    """Anything that answers SPARQL queries: the embedded store or a remote endpoint."""

    label: str

    def stream(self, query: str, timeout: float | None = None, source: str = "query",
               substitutions: dict[str, Term] | None = None,
               deadline: float | None = None) -> Stream: ...

    def run(self, query: str, timeout: float | None = None,
            source: str = "query") -> Result: ...


def _source(dist: Path) -> Path:
    source = dist / built_name("nt")
    if not source.is_file():
        raise MiggraphError(f"{source}: not found; run `miggraph build` first")
    return source


def embedded(dist: Path, cache: Path | None = None,
             progress: Progress | None = None) -> pyoxigraph.Store:
    """A pyoxigraph store holding the built graph in `dist`.

    Without `cache`, the graph is loaded into memory. With it (the project's `dist/cache/`),
    the graph is loaded once into an on-disk store under `cache` and opened read-only
    on later calls, until `dist/miggraph.nt` changes.
    """
    source = _source(dist)
    if cache is None:
        store = pyoxigraph.Store()
        store.bulk_load(path=source, format=pyoxigraph.RdfFormat.N_TRIPLES)
        return store
    return open_copy(source, cache, progress)


def select(store: pyoxigraph.Store, query: str) -> tuple[list[str], list[Row]]:
    """Run a SELECT query; return its variable names and one dict per solution."""
    try:
        solutions = store.query(query, prefixes=QUERY_PREFIXES)
    except SyntaxError as exc:
        raise malformed(exc, text=query) from exc
    if not isinstance(solutions, pyoxigraph.QuerySolutions):
        raise MiggraphError("expected a SELECT query")
    names = [v.value for v in solutions.variables]
    rows = [{name: solution[name] for name in names} for solution in solutions]
    return names, rows


class Embedded:
    """Queries on a pyoxigraph store in this process.

    SERVICE clauses (which make the store send HTTP requests) are refused unless
    `allow_service` is true.
    """

    def __init__(self, store: pyoxigraph.Store, label: str = "the embedded store",
                 allow_service: bool = False) -> None:
        self.store = store
        self.label = label
        self.allow_service = allow_service

    def stream(self, query: str, timeout: float | None = None, source: str = "query",
               substitutions: dict[str, Term] | None = None,
               unsubstituted: str | None = None, deadline: float | None = None) -> Stream:
        """Run `query`; with `substitutions`, `unsubstituted` is the same query with the values
        in VALUES blocks, run instead when pyoxigraph cannot substitute (a variable the query
        does not return)."""
        if uses_service(query) and not self.allow_service:
            raise MiggraphError("SERVICE calls another endpoint over the network; the embedded "
                                "store refuses it unless --allow-service is given",
                                location=source)
        check_query(query, source)
        bound = {pyoxigraph.Variable(k): v for k, v in (substitutions or {}).items()}

        def start() -> tuple[Stream, Iterator]:
            try:
                try:
                    answer = self.store.query(query, prefixes=QUERY_PREFIXES,
                                              substitutions=bound or None)
                except RuntimeError as exc:
                    if not (bound and unsubstituted and "variable" in str(exc)):
                        raise
                    answer = self.store.query(unsubstituted, prefixes=QUERY_PREFIXES)
                head, items = head_and_items(answer)
            except SyntaxError as exc:
                raise malformed(exc, source, query) from exc
            except OSError as exc:
                raise MiggraphError(f"the query failed: {exc}", location=source,
                                    exit_code=ExitCode.ENDPOINT) from exc
            return head, _service_errors(items, source)

        return produced(start, deadline or deadline_after(timeout), self.label, timeout)

    def run(self, query: str, timeout: float | None = None, source: str = "query") -> Result:
        return self.stream(query, timeout, source).collect()


def _service_errors(items: Iterator, source: str) -> Iterator:
    """Items of an embedded answer; a failing SERVICE call (an OSError) becomes exit 3."""
    try:
        yield from items
    except OSError as exc:
        raise MiggraphError(f"the query failed: {exc}", location=source,
                            exit_code=ExitCode.ENDPOINT) from exc
