"""Store: where queries run. The embedded default is pyoxigraph over the built graph.

Every command that queries goes through this module, so that the embedded store and a remote
SPARQL endpoint are interchangeable:

- `embedded(dist)` returns a pyoxigraph Store holding `dist/miggraph.nt`, in memory, or kept on
  disk under a cache folder (`.miggraph/store/`) and reloaded only when the built graph changed;
- `select(store, query)` runs a SELECT on such a store and returns plain rows;
- `Embedded` and `Remote` answer any query (SELECT, ASK, CONSTRUCT, DESCRIBE) with the same
  `Result`, so the same query can be compared, formatted and tested on either.

A malformed query is reported with its line and column (exit 2) before anything is sent to a
server; an endpoint that cannot be reached or does not answer in time is one line (exit 3).
"""

from __future__ import annotations

import hashlib
import http.client
import math
import os
import re
import shutil
import tempfile
import threading
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyoxigraph
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from .errors import MiggraphError
from .project import PREFIXES

Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal
Row = dict[str, Term | None]
Progress = Callable[[str], None]

# Prefixes a query may use without declaring them: the project's, plus the W3C basics.
QUERY_PREFIXES: dict[str, str] = {
    **PREFIXES,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

SELECT, ASK, GRAPH = "select", "ask", "graph"


@dataclass
class Result:
    """The answer to one query, whichever store gave it.

    `kind` is "select" (variables and rows), "ask" (boolean) or "graph" (triples, from
    CONSTRUCT or DESCRIBE). Cells are pyoxigraph terms, None where a variable is unbound.
    """

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool = False
    triples: list[pyoxigraph.Triple] = field(default_factory=list)


class QueryStore(Protocol):
    """Anything that answers SPARQL queries: the embedded store or a remote endpoint."""

    label: str

    def run(self, query: str, timeout: float | None = None,
            source: str = "query") -> Result: ...


# ---------------------------------------------------------------- syntax

_ERROR_AT = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)


def malformed(exc: SyntaxError, source: str = "query") -> MiggraphError:
    """The parser's message as a one-line error with the query's line and column."""
    text = str(exc.msg if exc.msg else exc)
    match = _ERROR_AT.search(text)
    if match:
        line, column, message = match.groups()
        return MiggraphError(f"malformed query: {message.strip()}",
                             location=f"{source}:{line}:{column}")
    return MiggraphError(f"malformed query: {text.strip()}", location=source)


_EMPTY = pyoxigraph.Store()


def query_kind(query: str, source: str = "query") -> str:
    """Parse `query` (on an empty store, which costs nothing) and say what it returns."""
    try:
        answer = _EMPTY.query(query, prefixes=QUERY_PREFIXES)
    except SyntaxError as exc:
        raise malformed(exc, source) from exc
    if isinstance(answer, pyoxigraph.QuerySolutions):
        return SELECT
    if isinstance(answer, pyoxigraph.QueryBoolean):
        return ASK
    return GRAPH


def with_prefixes(query: str) -> str:
    """`query` with PREFIX lines for the default prefixes it uses but does not declare.

    Remote endpoints know none of our prefixes; the lines go first, on one line, so that a
    server's error positions are off by one line at most.
    """
    declared = {m.lower() for m in re.findall(r"(?i)\bPREFIX\s+([\w.-]*):", query)}
    missing = [f"PREFIX {p}: <{ns}>" for p, ns in QUERY_PREFIXES.items()
               if p.lower() not in declared and re.search(rf"(?<![\w<]){re.escape(p)}:", query)]
    return (" ".join(missing) + "\n" + query) if missing else query


# ---------------------------------------------------------------- the embedded store

def _source(dist: Path) -> Path:
    source = dist / "miggraph.nt"
    if not source.is_file():
        raise MiggraphError(f"{source}: not found; run `miggraph build` first")
    return source


def _fingerprint(source: Path) -> str:
    """Identifies one state of the built graph: its path, size and modification time."""
    stat = source.stat()
    key = f"{source.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _load_to_disk(source: Path, target: Path) -> None:
    """Bulk-load `source` into a new on-disk store at `target`, which appears only when done."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".load-", dir=target.parent))
    try:
        store = pyoxigraph.Store(str(staging))
        store.bulk_load(path=source, format=pyoxigraph.RdfFormat.N_TRIPLES)
        store.flush()
        del store  # closes the database before it is renamed
        try:
            os.replace(staging, target)
        except OSError:
            if not target.is_dir():  # another process finished first: keep its copy
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for other in target.parent.iterdir():
        if other != target and other.is_dir() and not other.name.startswith("."):
            shutil.rmtree(other, ignore_errors=True)


def embedded(dist: Path, cache: Path | None = None,
             progress: Progress | None = None) -> pyoxigraph.Store:
    """A pyoxigraph store holding the built graph in `dist`.

    Without `cache`, the graph is loaded into memory. With it (the project's `.miggraph/`),
    the graph is loaded once into an on-disk store under `cache/store/` and opened read-only
    on later calls, until `dist/miggraph.nt` changes.
    """
    source = _source(dist)
    if cache is None:
        store = pyoxigraph.Store()
        store.bulk_load(path=source, format=pyoxigraph.RdfFormat.N_TRIPLES)
        return store
    target = cache / "store" / _fingerprint(source)
    if not target.is_dir():
        if progress:
            progress(f"loading {source} into {target.parent}")
        _load_to_disk(source, target)
    try:
        return pyoxigraph.Store.read_only(str(target))
    except OSError as exc:
        raise MiggraphError(f"cannot open the store: {exc}", location=str(target)) from exc


def select(store: pyoxigraph.Store, query: str) -> tuple[list[str], list[Row]]:
    """Run a SELECT query; return its variable names and one dict per solution."""
    try:
        solutions = store.query(query, prefixes=QUERY_PREFIXES)
    except SyntaxError as exc:
        raise malformed(exc) from exc
    if not isinstance(solutions, pyoxigraph.QuerySolutions):
        raise MiggraphError("expected a SELECT query")
    names = [v.value for v in solutions.variables]
    rows = [{name: solution[name] for name in names} for solution in solutions]
    return names, rows


def _result(answer: object) -> Result:
    """Turn a pyoxigraph answer (live or parsed from a server's response) into a Result."""
    if isinstance(answer, pyoxigraph.QuerySolutions):
        names = [v.value for v in answer.variables]
        return Result(SELECT, names, [tuple(solution) for solution in answer])
    if isinstance(answer, pyoxigraph.QueryBoolean):
        return Result(ASK, boolean=bool(answer))
    return Result(GRAPH, triples=list(answer))  # type: ignore[call-overload]


def _with_timeout(work: Callable[[], Result], timeout: float | None, what: str) -> Result:
    """Run `work` and give up after `timeout` seconds (the query keeps running, unseen)."""
    if timeout is None:
        return work()
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["result"] = work()
        except BaseException as exc:  # handed over to the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise MiggraphError(f"{what} did not answer within {timeout:g} s", exit_code=3)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["result"]  # type: ignore[return-value]


class Embedded:
    """Queries on a pyoxigraph store in this process."""

    def __init__(self, store: pyoxigraph.Store, label: str = "the embedded store") -> None:
        self.store = store
        self.label = label

    def run(self, query: str, timeout: float | None = None, source: str = "query") -> Result:
        def work() -> Result:
            try:
                answer = self.store.query(query, prefixes=QUERY_PREFIXES)
            except SyntaxError as exc:
                raise malformed(exc, source) from exc
            return _result(answer)

        return _with_timeout(work, timeout, self.label)


# ---------------------------------------------------------------- a remote endpoint

def reason_of(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or exc
    if isinstance(reason, BaseException):
        text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
    else:
        text = str(reason)
    return text.rstrip(".")


def is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", None), TimeoutError)


class Remote:
    """Queries sent to a SPARQL 1.1 endpoint over HTTP with SPARQLWrapper.

    `graph`, if given, is sent as the protocol's default-graph-uri, so that queries written
    for the default graph run on the named graph `miggraph publish` wrote.
    """

    def __init__(self, url: str, graph: str | None = None, user: str | None = None,
                 password: str | None = None) -> None:
        if not re.match(r"(?i)https?://[^/\s]+", url):
            raise MiggraphError(f"{url}: not an http(s) URL of a SPARQL endpoint")
        self.url = url
        self.graph = graph
        self.user = user
        self.password = password
        self.label = url

    def _wrapper(self, query: str, kind: str, timeout: float | None) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(self.url)
        wrapper.setQuery(with_prefixes(query))
        wrapper.queryType = {SELECT: "SELECT", ASK: "ASK", GRAPH: "CONSTRUCT"}[kind]
        wrapper.setMethod(POST)
        wrapper.setOnlyConneg(True)
        wrapper.setReturnFormat(TURTLE if kind == GRAPH else JSON)
        if self.graph:
            wrapper.addDefaultGraph(self.graph)
        if self.user:
            wrapper.setCredentials(self.user, self.password or "")
        if timeout is not None:
            wrapper.setTimeout(max(1, math.ceil(timeout)))
        return wrapper

    def run(self, query: str, timeout: float | None = None, source: str = "query") -> Result:
        kind = query_kind(query, source)
        wrapper = self._wrapper(query, kind, timeout)
        try:
            response = wrapper.query().response
            body = response.read()
            content_type = response.headers.get("Content-Type", "")
        except QueryBadFormed as exc:
            detail = str(exc).split("Response:", 1)[-1].strip().replace("\n", " ")
            raise MiggraphError(f"{self.url} rejected the query: {detail}") from exc
        except SPARQLWrapperException as exc:
            raise MiggraphError(f"{self.url}: {str(exc).splitlines()[0]}", exit_code=3) from exc
        except urllib.error.HTTPError as exc:
            raise MiggraphError(f"{self.url} answered HTTP {exc.code} {exc.reason}",
                                exit_code=3) from exc
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            if is_timeout(exc):
                raise MiggraphError(f"{self.url} did not answer within {timeout:g} s",
                                    exit_code=3) from exc
            raise MiggraphError(f"cannot reach the SPARQL endpoint {self.url}: {reason_of(exc)}",
                                exit_code=3) from exc
        return self._parse(body, kind, content_type)

    def _parse(self, body: bytes, kind: str, content_type: str) -> Result:
        media = content_type.split(";", 1)[0].strip()
        try:
            if kind == GRAPH:
                fmt = pyoxigraph.RdfFormat.from_media_type(media) or pyoxigraph.RdfFormat.TURTLE
                return Result(GRAPH, triples=[t.triple if isinstance(t, pyoxigraph.Quad) else t
                                              for t in pyoxigraph.parse(body, format=fmt)])
            fmt = (pyoxigraph.QueryResultsFormat.from_media_type(media)
                   or pyoxigraph.QueryResultsFormat.JSON)
            return _result(pyoxigraph.parse_query_results(body, format=fmt))
        except (SyntaxError, ValueError) as exc:
            raise MiggraphError(f"{self.url} sent an answer that is not valid "
                                f"{media or 'SPARQL results'}: {exc}", exit_code=3) from exc
