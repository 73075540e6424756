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

The on-disk cache, safe for many processes, is `cache.py`; the thread that hands rows over in
bounded memory and stops at a deadline is `streaming.py`.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import pyoxigraph

from .cache import open_copy
from .errors import ExitCode, MiggraphError
from .project import PREFIXES
from .streaming import ASK, GRAPH, SELECT, Result, Stream, Term, deadline_after, produced

Row = dict[str, Term | None]
Progress = Callable[[str], None]

# Prefixes a query may use without declaring them: the project's, plus the W3C basics.
QUERY_PREFIXES: dict[str, str] = {
    **PREFIXES,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


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


# ---------------------------------------------------------------- the embedded store

def _source(dist: Path) -> Path:
    source = dist / "miggraph.nt"
    if not source.is_file():
        raise MiggraphError(f"{source}: not found; run `miggraph build` first")
    return source


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
    return open_copy(source, cache / "store", progress)


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


class _Tail:
    """A response read through, keeping its last bytes for the message if it breaks off."""

    def __init__(self, raw) -> None:
        self.raw = raw
        self.tail = b""

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.tail = (self.tail + data)[-300:]
        return data


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
        deadline = deadline or deadline_after(timeout)
        responses: list = []

        def start() -> tuple[Stream, Iterator]:
            remaining = None if deadline is None else max(0.1, deadline - time.monotonic())
            opened = self._open(request, remaining, timeout)
            responses.append(opened)
            media = opened.headers.get("Content-Type", "").split(";", 1)[0].strip()
            response = _Tail(opened)
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
                raise self._bad_answer(media, exc, response.tail) from exc
            return head, self._guarded(items, media, timeout, response)

        def stop() -> None:
            for response in responses:
                with contextlib.suppress(Exception):  # a socket another thread reads
                    response.close()

        return produced(start, deadline, self.label, timeout, on_stop=stop)

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

    def _bad_answer(self, media: str, exc: BaseException, tail: bytes = b"") -> MiggraphError:
        """An answer that breaks off: a server that gave up part-way (Oxigraph appends its
        reason, e.g. its --timeout-s cancelling the query) is said so; else a parse error."""
        last = tail.decode("utf-8", "replace").rsplit("\n", 1)[-1]
        reason = re.search(r"(?i)[A-Z][^{}\[\]\"<>]*(cancel|timeout|time limit|error)[^{}\[\]\"<>]*$",
                           last)
        if reason:
            return MiggraphError(f"{self.url} stopped part-way through its answer: "
                                 f"{reason.group(0).strip()}", exit_code=ExitCode.ENDPOINT)
        return MiggraphError(f"{self.url} sent an answer that is not valid "
                             f"{media or 'SPARQL results'}: {' '.join(str(exc).split())}",
                             exit_code=ExitCode.ENDPOINT)

    def _guarded(self, items: Iterator, media: str, timeout: float | None,
                 response: _Tail) -> Iterator:
        try:
            yield from items
        except (SyntaxError, ValueError) as exc:
            raise self._bad_answer(media, exc, response.tail) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise self._unreachable(exc, timeout) from exc
