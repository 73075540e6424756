"""The embedded store: pyoxigraph over the built graph, in this process; and the protocol that
makes it and a remote endpoint interchangeable (`QueryStore`).

`embedded(built_nt)` returns a pyoxigraph Store holding the built graph, in memory, or kept on
disk under the project's cache folder and reloaded only when the built graph changed
(`cache.py`, safe for many processes). `Embedded.stream` answers any query (SELECT, ASK,
CONSTRUCT, DESCRIBE) with a `Stream` whose rows arrive as the store produces them, in bounded
memory, and stop at a wall-clock deadline (`streaming.py`); `run` collects a small answer.
SERVICE (the store calling another endpoint) is refused unless asked for.

Which store a question goes to was measured (`bench/query_bench.py`, README "Performance"): the
on-disk copy opens in milliseconds but answers 2-5 times slower than the graph in memory, which
takes seconds to load at a million triples. So one question (`miggraph query`, one process per
question) goes to the on-disk copy, and a session that asks more than one in the same process
(the Python API, `miggraph queries --run`) loads the graph into memory in the background from
its second question on and asks the in-memory copy as soon as it is there, when it fits
(`fits_in_memory`). Network views project on whichever copy is there at the time; they do not
start the load themselves.
"""

from __future__ import annotations

import os
import threading
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


def select(store: pyoxigraph.Store, query: str,
           source: str = "query") -> tuple[list[str], list[Row]]:
    """Run a SELECT query; return its variable names and one dict per solution. A mistake in
    the query is reported at its line and column in `source` (its file)."""
    try:
        solutions = store.query(query, prefixes=QUERY_PREFIXES)
    except SyntaxError as exc:
        raise malformed(exc, source, text=query) from exc
    if not isinstance(solutions, pyoxigraph.QuerySolutions):
        raise MiggraphError("expected a SELECT query")
    names = [v.value for v in solutions.variables]
    rows = [{name: solution[name] for name in names} for solution in solutions]
    return names, rows


MEMORY_PER_BYTE = 4  # bytes an in-memory store takes per byte of N-Triples (417 MB for 127 MB)


def fits_in_memory(source: Path) -> bool:
    """Whether the graph in `source` (N-Triples) fits in a quarter of this machine's memory."""
    try:
        physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return False
    return source.stat().st_size * MEMORY_PER_BYTE < physical // 4


class _Loading:
    """The built graph being loaded into memory in a background thread."""

    def __init__(self, source: Path) -> None:
        self.store: pyoxigraph.Store | None = None
        self.thread = threading.Thread(target=self._load, args=(source,), daemon=True,
                                       name="miggraph-load-into-memory")
        self.thread.start()

    def _load(self, source: Path) -> None:
        store = pyoxigraph.Store()
        try:
            store.bulk_load(path=source, format=pyoxigraph.RdfFormat.N_TRIPLES)
        except (OSError, SyntaxError, ValueError):
            return  # the on-disk copy keeps answering
        self.store = store


class Embedded:
    """Queries on a pyoxigraph store in this process.

    SERVICE clauses (which make the store send HTTP requests) are refused unless
    `allow_service` is true. With `source` (the built N-Triples the store holds), the graph is
    loaded into memory in the background once a second question is asked, and later questions
    go to the in-memory copy when it is ready (see the module's docstring).
    """

    def __init__(self, store: pyoxigraph.Store, label: str = "the embedded store",
                 allow_service: bool = False, source: Path | None = None) -> None:
        self._store = store
        self.label = label
        self.allow_service = allow_service
        self._source = source if source is not None and fits_in_memory(source) else None
        self._asked = 0
        self._loading: _Loading | None = None

    @property
    def store(self) -> pyoxigraph.Store:
        """The in-memory copy when it is loaded, else the store this was opened with."""
        if self._loading is not None and self._loading.store is not None:
            return self._loading.store
        return self._store

    def _asking(self) -> None:
        self._asked += 1
        if self._asked == 2 and self._source is not None:
            self._loading = _Loading(self._source)

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
        self._asking()
        store = self.store
        bound = {pyoxigraph.Variable(k): v for k, v in (substitutions or {}).items()}

        def start() -> tuple[Stream, Iterator]:
            try:
                try:
                    answer = store.query(query, prefixes=QUERY_PREFIXES,
                                         substitutions=bound or None)
                except RuntimeError as exc:
                    if not (bound and unsubstituted and "variable" in str(exc)):
                        raise
                    answer = store.query(unsubstituted, prefixes=QUERY_PREFIXES)
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
