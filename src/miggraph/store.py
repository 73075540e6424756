"""Store: where queries run. The embedded default is pyoxigraph over the built graph.

Every command that queries goes through this module, so that the embedded store and a remote
SPARQL endpoint are interchangeable:

- `embedded(dist)` returns a pyoxigraph Store holding `dist/miggraph.nt`, in memory, or kept on
  disk under a cache folder (`.miggraph/store/`) and reloaded only when the built graph changed;
- `Embedded.stream` and `Remote.stream` answer any query (SELECT, ASK, CONSTRUCT, DESCRIBE) with a
  `Stream` whose rows or triples arrive as the store produces them, in bounded memory, and stop
  at a wall-clock deadline; `run` collects a stream into a `Result` for small answers.

A malformed query is reported with its line and column (exit 2) before anything is sent to a
server; an update is refused (exit 2); an endpoint that cannot be reached or does not answer in
time is one line (exit 3).

The cache is safe for many processes: each copy of the graph lives in its own folder named by a
fingerprint of `dist/miggraph.nt`, is loaded beside it and renamed into place (so it appears
whole), and is guarded by a lock file that every process holds (shared) while it has the copy
open. Old copies are removed only by a process that gets that lock exclusively, so never while
another process opens or reads them.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import os
import queue
import re
import shutil
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyoxigraph

from .errors import ExitCode, MiggraphError
from .files import lock, make_folder, remove_stale, staging_folder, unlock
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
BATCH = 500          # rows handed from the producing thread to the writer at a time
QUEUED_BATCHES = 4   # at most this many batches wait in memory


@dataclass
class Result:
    """The answer to one query, whichever store gave it, held in memory.

    `kind` is "select" (variables and rows), "ask" (boolean) or "graph" (triples, from
    CONSTRUCT or DESCRIBE). Cells are pyoxigraph terms, None where a variable is unbound.
    """

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool = False
    triples: list[pyoxigraph.Triple] = field(default_factory=list)


@dataclass
class Stream:
    """The answer to one query as it comes: `items` yields rows (tuples) or triples.

    Iterating may raise MiggraphError (deadline passed, endpoint failed). `close()` stops the
    producer; call it (or exhaust `items`) when done.
    """

    kind: str
    variables: list[str] = field(default_factory=list)
    boolean: bool = False
    items: Iterator = field(default_factory=lambda: iter(()))
    close: Callable[[], None] = lambda: None

    def collect(self) -> Result:
        try:
            items = list(self.items)
        finally:
            self.close()
        if self.kind == GRAPH:
            return Result(GRAPH, triples=items)
        return Result(self.kind, self.variables, items, self.boolean)


class QueryStore(Protocol):
    """Anything that answers SPARQL queries: the embedded store or a remote endpoint."""

    label: str

    def stream(self, query: str, timeout: float | None = None, source: str = "query",
               substitutions: dict[str, Term] | None = None,
               deadline: float | None = None) -> Stream: ...

    def run(self, query: str, timeout: float | None = None,
            source: str = "query") -> Result: ...


# ---------------------------------------------------------------- syntax

_ERROR_AT = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
_UPDATE = re.compile(r"(?i)(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b")
_PROLOGUE = re.compile(r"(?is)\s*(?:#[^\n]*|PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>)")


def _after_prologue(text: str) -> str:
    """`text` without its leading comments and PREFIX/BASE declarations."""
    position = 0
    while match := _PROLOGUE.match(text, position):
        if match.end() == position:
            break
        position = match.end()
    return text[position:].lstrip()


def is_update(query: str) -> bool:
    """Whether `query` is a SPARQL update (INSERT, DELETE, LOAD, CLEAR...), not a query."""
    return bool(_UPDATE.match(_after_prologue(query)))


def _mistake_position(text: str, line: int, column: int) -> tuple[int, int]:
    """Where the mistake is: the parser points where it gave up, which after a missing term is
    the next token, often lines below; step back over blank space and comments to the last
    token before it."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return line, column
    offset = sum(len(x) + 1 for x in lines[: line - 1]) + max(column - 1, 0)
    before = text[:offset]
    stripped = re.sub(r"(?:\s|#[^\n]*\n)+$", "", before + "\n") if before.strip() else before
    if len(stripped) == len(before) or "\n" not in before[len(stripped):]:
        return line, column  # the error is on the line of the last token already
    token = re.search(r"\S+$", stripped)
    start = token.start() if token else len(stripped)
    line = stripped.count("\n", 0, start) + 1
    column = start - (stripped.rfind("\n", 0, start) + 1) + 1
    return line, column


def malformed(exc: SyntaxError, source: str = "query", text: str | None = None) -> MiggraphError:
    """The parser's message as a one-line error with the line and column of the mistake."""
    message_text = str(exc.msg if exc.msg else exc)
    match = _ERROR_AT.search(message_text)
    if match:
        line, column, message = int(match.group(1)), int(match.group(2)), match.group(3)
        if text is not None:
            line, column = _mistake_position(text, line, column)
        return MiggraphError(f"malformed query: {' '.join(message.split())}",
                             location=f"{source}:{line}:{column}")
    return MiggraphError(f"malformed query: {' '.join(message_text.split())}", location=source)


_EMPTY = pyoxigraph.Store()


def check_query(query: str, source: str = "query") -> str:
    """Parse `query` (on an empty store, which costs nothing) and say what it returns.

    Refuses updates (exit 2): the query commands never change a store.
    """
    if is_update(query):
        raise MiggraphError("this is a SPARQL update (INSERT, DELETE, LOAD...); updates are not "
                            "accepted here, only SELECT, ASK, CONSTRUCT and DESCRIBE",
                            location=source)
    try:
        answer = _EMPTY.query(_with_service_unreachable(query), prefixes=QUERY_PREFIXES)
    except SyntaxError as exc:
        raise malformed(exc, source, query) from exc
    if isinstance(answer, pyoxigraph.QuerySolutions):
        return SELECT
    if isinstance(answer, pyoxigraph.QueryBoolean):
        return ASK
    return GRAPH


query_kind = check_query


_NOT_KEYWORDS = re.compile(
    r'"""(?:[^\\]|\\.)*?"""|\'\'\'(?:[^\\]|\\.)*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r"|<[^<>\s]*>|#[^\n]*", re.DOTALL)
_SERVICE = re.compile(r"(?i)(?<![\w:?$.-])SERVICE(?![\w:.-])(\s+SILENT(?![\w:.-]))?")


def _service_clauses(query: str) -> list[re.Match[str]]:
    """The SERVICE keywords of `query`, outside strings, IRIs and comments."""
    bare = _NOT_KEYWORDS.sub(lambda m: " " * len(m.group(0)), query)
    return list(_SERVICE.finditer(bare))


def uses_service(query: str) -> bool:
    """Whether `query` has a SERVICE clause."""
    return bool(_service_clauses(query))


def _with_service_unreachable(query: str) -> str:
    """`query` with each SERVICE written as GRAPH (same grammar, same positions), so that
    checking it on the empty store never calls another endpoint (ASK is evaluated at once)."""
    for match in reversed(_service_clauses(query)):
        query = query[: match.start()] + "GRAPH".ljust(len(match.group(0))) + query[match.end():]
    return query


def with_prefixes(query: str) -> str:
    """`query` with PREFIX lines for the default prefixes it uses but does not declare.

    Remote endpoints know none of our prefixes; the lines go first, on one line, so that a
    server's error positions are off by one line at most.
    """
    declared = {m.lower() for m in re.findall(r"(?i)\bPREFIX\s+([\w.-]*):", query)}
    missing = [f"PREFIX {p}: <{ns}>" for p, ns in QUERY_PREFIXES.items()
               if p.lower() not in declared and re.search(rf"(?<![\w<]){re.escape(p)}:", query)]
    return (" ".join(missing) + "\n" + query) if missing else query


# ---------------------------------------------------------------- streaming with a deadline

class _Stop(Exception):
    """The consumer went away; the producing thread ends quietly."""


def _produced(start: Callable[[], tuple[Stream, Iterator]], deadline: float | None, label: str,
              timeout: float | None, on_stop: Callable[[], None] = lambda: None) -> Stream:
    """Run `start` (which returns a stream's head and its items) in a thread that hands items
    over in small batches through a bounded queue: memory stays bounded whatever the answer's
    size, and the caller gives up at `deadline` even while the store computes."""
    handoff: queue.Queue = queue.Queue(maxsize=QUEUED_BATCHES)
    stopped = threading.Event()

    def put(message: tuple) -> None:
        while not stopped.is_set():
            try:
                handoff.put(message, timeout=0.2)
                return
            except queue.Full:
                continue
        raise _Stop

    def produce() -> None:
        try:
            head, items = start()
            put(("head", head))
            batch: list = []
            flushed = time.monotonic()
            for item in items:
                batch.append(item)
                if len(batch) >= BATCH or time.monotonic() - flushed > 0.05:
                    put(("items", batch))
                    batch, flushed = [], time.monotonic()
            put(("items", batch))
            put(("end", None))
        except _Stop:
            return
        except BaseException as exc:  # handed over to the consumer's thread
            try:
                put(("error", _detached(exc)))
            except _Stop:
                return

    def take() -> tuple:
        remaining = None if deadline is None else deadline - time.monotonic()
        try:
            if remaining is not None and remaining <= 0:
                raise queue.Empty
            return handoff.get(timeout=remaining)
        except queue.Empty:
            close()
            raise MiggraphError(f"{label} did not {'finish' if begun else 'answer'} within "
                                f"{timeout:g} s (--timeout)", exit_code=ExitCode.ENDPOINT) from None

    def close() -> None:
        if not stopped.is_set():
            stopped.set()
            on_stop()

    begun = False
    threading.Thread(target=produce, daemon=True, name="miggraph-query").start()
    kind, value = take()
    if kind == "error":
        close()
        raise value
    head: Stream = value
    begun = True

    def items() -> Iterator:
        try:
            while True:
                kind, value = take()
                if kind == "items":
                    yield from value
                elif kind == "end":
                    return
                else:
                    raise value
        finally:
            close()

    head.items = items()
    head.close = close
    return head


def _detached(exc: BaseException) -> BaseException:
    """`exc` without its traceback frames, which hold pyoxigraph objects that must be dropped
    in the thread that made them; the traceback text goes along as a note for --debug."""
    exc.add_note("".join(traceback.format_exception(exc)).rstrip())
    seen = exc
    while seen is not None:
        seen.__traceback__ = None
        seen = seen.__cause__ or seen.__context__
    return exc


def _deadline(timeout: float | None) -> float | None:
    return None if timeout is None else time.monotonic() + timeout


# ---------------------------------------------------------------- the embedded store

def _source(dist: Path) -> Path:
    source = dist / "miggraph.nt"
    if not source.is_file():
        raise MiggraphError(f"{source}: not found; run `miggraph build` first")
    return source


def _fingerprint(source: Path) -> str:
    """Identifies one state of the built graph: its path, inode, size and modification time."""
    stat = source.stat()
    key = f"{source.resolve()}\0{stat.st_ino}\0{stat.st_size}\0{stat.st_mtime_ns}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _load_to_disk(source: Path, target: Path) -> None:
    """Bulk-load `source` into a new on-disk store at `target`, which appears only when done.

    The caller holds the exclusive lock of `target`.
    """
    staging, fd = staging_folder(target.parent, ".load-")
    try:
        store = pyoxigraph.Store(str(staging / "db"))
        store.bulk_load(path=source, format=pyoxigraph.RdfFormat.N_TRIPLES)
        store.flush()
        del store  # closes the database before it is renamed
        os.replace(staging / "db", target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        unlock(fd)


# Lock files this process holds (shared) on the cache copies it has open: kept until it ends.
_HELD: dict[Path, int] = {}


def _hold_copy(source: Path, folder: Path, progress: Progress | None) -> Path:
    """The cache copy of `source` under `folder`, loaded if needed, held with a shared lock."""
    for _ in range(20):
        target = folder / _fingerprint(source)
        lock_file = target.with_name(target.name + ".lock")
        if target in _HELD:
            return target
        fd = lock(lock_file, shared=True)
        assert fd is not None
        if target.is_dir():
            _HELD[target] = fd
            return target
        unlock(fd)
        fd = lock(lock_file)  # exclusive: this process loads it
        assert fd is not None
        try:
            if not target.is_dir() and target.name == _fingerprint(source):
                if progress:
                    progress(f"loading {source} into {folder}")
                _load_to_disk(source, target)
        finally:
            unlock(fd)  # then take it shared again, above
    raise MiggraphError(f"{source} keeps changing; cannot load a stable copy of it",
                        location=str(folder), exit_code=ExitCode.LOCAL_IO)


def _remove_old_copies(folder: Path) -> None:
    """Remove the copies no process holds: those of earlier builds, and killed loads."""
    for lock_file in folder.glob("*.lock"):
        copy = lock_file.with_suffix("")
        if copy in _HELD:
            continue
        fd = lock(lock_file, wait=False)
        if fd is None:
            continue  # another process has it open
        try:
            shutil.rmtree(copy, ignore_errors=True)
            lock_file.unlink(missing_ok=True)
        finally:
            unlock(fd)
    remove_stale(folder, ".load-")


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
    folder = cache / "store"
    make_folder(folder)
    target = _hold_copy(source, folder, progress)
    for older in [copy for copy in _HELD if copy != target and copy.parent == folder]:
        unlock(_HELD.pop(older))  # a process keeps only its newest copy
    try:
        store = pyoxigraph.Store.read_only(str(target))
    except OSError as exc:
        raise MiggraphError(f"cannot open the store: {exc}", location=str(target),
                            exit_code=ExitCode.LOCAL_IO) from exc
    _remove_old_copies(folder)
    return store


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


def _head_and_items(answer: object) -> tuple[Stream, Iterator]:
    """Split a pyoxigraph answer (live, or parsed from a response) into head and items."""
    if isinstance(answer, pyoxigraph.QuerySolutions):
        return Stream(SELECT, [v.value for v in answer.variables]), (tuple(s) for s in answer)
    if isinstance(answer, pyoxigraph.QueryBoolean):
        return Stream(ASK, boolean=bool(answer)), iter(())
    return Stream(GRAPH), (t.triple if isinstance(t, pyoxigraph.Quad) else t
                           for t in answer)  # type: ignore[union-attr]


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
                head, items = _head_and_items(answer)
            except SyntaxError as exc:
                raise malformed(exc, source, query) from exc
            except OSError as exc:
                raise MiggraphError(f"the query failed: {exc}", location=source,
                                    exit_code=ExitCode.ENDPOINT) from exc
            return head, _service_errors(items, source)

        return _produced(start, deadline or _deadline(timeout), self.label, timeout)

    def run(self, query: str, timeout: float | None = None, source: str = "query") -> Result:
        return self.stream(query, timeout, source).collect()


def _service_errors(items: Iterator, source: str) -> Iterator:
    """Items of an embedded answer; a failing SERVICE call (an OSError) becomes exit 3."""
    try:
        yield from items
    except OSError as exc:
        raise MiggraphError(f"the query failed: {exc}", location=source,
                            exit_code=ExitCode.ENDPOINT) from exc


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


def auth_header(user: str | None, password: str | None) -> dict[str, str]:
    """The HTTP basic authentication header for `user`, if any."""
    if not user:
        return {}
    token = base64.b64encode(f"{user}:{password or ''}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


ACCEPT = {
    SELECT: "application/sparql-results+json, text/tab-separated-values;q=0.9, "
            "application/sparql-results+xml;q=0.8",
    ASK: "application/sparql-results+json, application/sparql-results+xml;q=0.8",
    GRAPH: "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5",
}


class Remote:
    """Queries sent to a SPARQL 1.1 endpoint over HTTP (the protocol's POST form).

    The answer is parsed as it arrives. `graph`, if given, is sent as the protocol's
    default-graph-uri, so that queries written for the default graph run on the named graph
    `miggraph publish` wrote.
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

    def _request(self, query: str, kind: str) -> urllib.request.Request:
        form = [("query", with_prefixes(query))]
        if self.graph:
            form.append(("default-graph-uri", self.graph))
        headers = {"Accept": ACCEPT[kind],
                   "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        headers.update(auth_header(self.user, self.password))
        return urllib.request.Request(self.url, data=urllib.parse.urlencode(form).encode(),
                                      headers=headers, method="POST")

    def stream(self, query: str, timeout: float | None = None, source: str = "query",
               substitutions: dict[str, Term] | None = None,
               deadline: float | None = None) -> Stream:
        """Send `query`; `deadline` (time.monotonic()) bounds it all, default `timeout` from now."""
        if substitutions:
            raise MiggraphError("internal: a remote query takes its parameters as VALUES blocks",
                                exit_code=ExitCode.INTERNAL)
        kind = check_query(query, source)
        request = self._request(query, kind)
        deadline = deadline or _deadline(timeout)
        responses: list = []

        def start() -> tuple[Stream, Iterator]:
            remaining = None if deadline is None else max(0.1, deadline - time.monotonic())
            response = self._open(request, remaining, timeout)
            responses.append(response)
            media = response.headers.get("Content-Type", "").split(";", 1)[0].strip()
            try:
                if kind == GRAPH:
                    fmt = (pyoxigraph.RdfFormat.from_media_type(media)
                           or pyoxigraph.RdfFormat.TURTLE)
                    head, items = _head_and_items(pyoxigraph.parse(response, format=fmt))
                else:
                    fmt = (pyoxigraph.QueryResultsFormat.from_media_type(media)
                           or pyoxigraph.QueryResultsFormat.JSON)
                    head, items = _head_and_items(pyoxigraph.parse_query_results(response, format=fmt))
            except (SyntaxError, ValueError) as exc:
                raise self._bad_answer(media, exc) from exc
            return head, self._guarded(items, media, timeout)

        def stop() -> None:
            for response in responses:
                with contextlib.suppress(Exception):  # a socket another thread reads
                    response.close()

        return _produced(start, deadline, self.label, timeout, on_stop=stop)

    def run(self, query: str, timeout: float | None = None, source: str = "query") -> Result:
        return self.stream(query, timeout, source).collect()

    def _open(self, request: urllib.request.Request, remaining: float | None,
              timeout: float | None):
        try:
            return urllib.request.urlopen(request, timeout=remaining)
        except urllib.error.HTTPError as exc:
            detail = " ".join(exc.read().decode("utf-8", "replace").split())[:300]
            if exc.code == 400:
                raise MiggraphError(f"{self.url} rejected the query: {detail or exc.reason}") from exc
            raise MiggraphError(f"{self.url} answered HTTP {exc.code} {exc.reason}"
                                f"{': ' + detail if detail else ''}",
                                exit_code=ExitCode.ENDPOINT) from exc
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise self._unreachable(exc, timeout) from exc

    def _unreachable(self, exc: BaseException, timeout: float | None) -> MiggraphError:
        if is_timeout(exc) and timeout is not None:
            return MiggraphError(f"{self.url} did not answer within {timeout:g} s (--timeout)",
                                 exit_code=ExitCode.ENDPOINT)
        return MiggraphError(f"cannot reach the SPARQL endpoint {self.url}: {reason_of(exc)}",
                             exit_code=ExitCode.ENDPOINT)

    def _bad_answer(self, media: str, exc: BaseException) -> MiggraphError:
        return MiggraphError(f"{self.url} sent an answer that is not valid "
                             f"{media or 'SPARQL results'}: {' '.join(str(exc).split())}",
                             exit_code=ExitCode.ENDPOINT)

    def _guarded(self, items: Iterator, media: str, timeout: float | None) -> Iterator:
        try:
            yield from items
        except (SyntaxError, ValueError) as exc:
            raise self._bad_answer(media, exc) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise self._unreachable(exc, timeout) from exc
