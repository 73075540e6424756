"""Publish: put the built graph into a remote triple store, then check it arrived whole.

Three steps, each reported as it is known:

1. the store's SPARQL query endpoint is asked a trivial question, so that an unreachable or
   refusing endpoint stops the command before anything is uploaded;
2. `dist/miggraph.nt` is uploaded through the SPARQL 1.1 Graph Store HTTP Protocol to a named
   graph: a `PUT` that replaces that graph, so publishing twice leaves one copy. A graph larger
   than one chunk (`chunk_bytes`, whole lines) goes as a `PUT` of the first chunk and a `POST`
   (add) of each next one; a graph with blank nodes is never split, since a blank node label
   means one node only within one request. A store that refuses a request (4xx) has not
   applied it; after a server or proxy error (5xx), a timeout or a dropped connection the
   state of the remote graph is not known, and the message says so;
3. the triples in the remote graph are counted and compared with the number of distinct
   triples in the file (a store keeps one copy of a repeated line). If the count cannot be
   done, the message says that the upload succeeded and why the count failed.

Authentication answers the store's challenge, basic or digest (Virtuoso's
`/sparql-graph-crud-auth` asks for digest), learnt from one HEAD request before the upload so
that each part is sent once, already signed (`remote.Signer`); the credentials come from
`remote.read_credentials` (environment, a file or ~/.netrc, never the command line). Every
HTTP request has a timeout.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from ..errors import ExitCode, MiggraphError
from ..vocab import GRAPH
from .remote import (
    Credentials,
    NoRedirect,
    Remote,
    Signer,
    is_timeout,
    opener,
    reason_of,
    send,
    user_agent,
)

DEFAULT_GRAPH = str(GRAPH["miggraph"])
UPLOAD_TIMEOUT = 600.0  # seconds for the upload
QUERY_TIMEOUT = 60.0    # seconds for the check before and the count after
CHUNK_BYTES = 16 * 1024 * 1024  # one request at most; Virtuoso and proxies refuse very large bodies


@dataclass
class Published:
    """What a publish did: where to, and the triple counts on both sides."""

    store_url: str
    query_url: str
    graph: str
    local: int
    remote: int
    requests: int = 1

    @property
    def complete(self) -> bool:
        return self.local == self.remote


# Where the query endpoint is, for a Graph Store URL of a known layout: (path ending, replacement).
QUERY_BESIDE_STORE = (
    ("/store", "/query"),                      # Oxigraph server
    ("/sparql-graph-crud-auth", "/sparql"),    # Virtuoso, digest authentication
    ("/sparql-graph-crud", "/sparql"),         # Virtuoso, rights granted to SPARQL
    ("/rdf-graphs/service", ""),               # RDF4J, GraphDB: the repository URL
    ("/data", "/query"),                       # Fuseki: /DATASET/data
)


def query_url_for(store_url: str) -> str:
    """The query endpoint beside a Graph Store endpoint, for the layouts in QUERY_BESIDE_STORE."""
    parts = urllib.parse.urlsplit(store_url)
    path = parts.path.rstrip("/")
    for ending, replacement in QUERY_BESIDE_STORE:
        if path.endswith(ending):
            path = path[: -len(ending)] + replacement
            return urllib.parse.urlunsplit(parts._replace(path=path, query=""))
    raise MiggraphError(f"{store_url}: cannot tell this store's query endpoint; "
                        "give it with --query-endpoint")


def _load(nt_file: Path) -> pyoxigraph.Store:
    """The file parsed into an in-memory store (so a broken file fails before any upload)."""
    if not nt_file.is_file():
        raise MiggraphError(f"{nt_file}: not found; run `miggraph build` first")
    store = pyoxigraph.Store()
    try:
        store.bulk_load(path=nt_file, format=pyoxigraph.RdfFormat.N_TRIPLES)
    except SyntaxError as exc:
        raise MiggraphError(f"not valid N-Triples: {exc}", location=str(nt_file)) from exc
    except OSError as exc:
        raise MiggraphError(f"cannot read: {exc}", location=str(nt_file),
                            exit_code=ExitCode.LOCAL_IO) from exc
    return store


def count_local(nt_file: Path) -> int:
    """The number of distinct triples in an N-Triples file (parsed, so a broken file fails
    here; a repeated line counts once, as in any store)."""
    return len(_load(nt_file))


def has_blank_nodes(store: pyoxigraph.Store) -> bool:
    return bool(store.query("ASK { ?s ?p ?o FILTER (isBlank(?s) || isBlank(?o)) }"))


def graph_url(store_url: str, graph: str) -> str:
    """The Graph Store Protocol address of one named graph (`?graph=IRI`)."""
    separator = "&" if urllib.parse.urlsplit(store_url).query else "?"
    return f"{store_url}{separator}{urllib.parse.urlencode({'graph': graph})}"


def _refused_code(status: int) -> ExitCode:
    """4xx: the store refused the request (bad data, no permission); otherwise the endpoint."""
    return ExitCode.BAD_INPUT if 400 <= status < 500 else ExitCode.ENDPOINT


def chunks(nt_file: Path, size: int) -> Iterator[bytes]:
    """The file in pieces of whole lines, each at most `size` bytes (or one longer line)."""
    piece: list[bytes] = []
    length = 0
    with nt_file.open("rb") as lines:
        for line in lines:
            if piece and length + len(line) > size:
                yield b"".join(piece)
                piece, length = [], 0
            piece.append(line)
            length += len(line)
    if piece or length == 0:
        yield b"".join(piece)


def put_graph(store_url: str, graph: str, nt_file: Path, credentials: Credentials | None = None,
              timeout: float = UPLOAD_TIMEOUT, chunk_bytes: int = CHUNK_BYTES,
              split: bool = True) -> int:
    """Replace `graph` in the store with the triples of `nt_file`: a PUT of the first chunk,
    a POST of each next one (one request when the file fits, or when `split` is false).
    Returns the number of requests."""
    size = nt_file.stat().st_size
    total = -(-size // chunk_bytes) if split and size > chunk_bytes else 1
    open_ = opener(store_url, credentials)
    target = graph_url(store_url, graph)
    signer = Signer(store_url, credentials) if credentials else None
    if signer:
        signer.learn(target, min(timeout, QUERY_TIMEOUT))
    elif _refusal(target, None, min(timeout, QUERY_TIMEOUT)) == 401:
        # Asked before the body is sent: a store that closes the connection on its 401 (as
        # Virtuoso does) would otherwise break the upload with a broken pipe.
        raise _refused(store_url, "the upload", 401, "Unauthorized", [], "the remote graph is unchanged")
    pieces = chunks(nt_file, chunk_bytes if total > 1 else max(size, 1))
    sent = 0
    for number, body in enumerate(pieces, 1):
        request = urllib.request.Request(
            target, data=body, method="PUT" if number == 1 else "POST",
            headers={"Content-Type": "application/n-triples", "User-Agent": user_agent()})
        if signer:
            signer.sign(request)
        _upload(open_, request, store_url, timeout, number, sent,
                lambda: _refusal(target, signer, min(timeout, QUERY_TIMEOUT)))
        sent += 1
    return sent


def _refusal(url: str, signer: Signer | None, timeout: float) -> int | None:
    """The status (401, 403) with which the store refuses requests to `url` as we sign them,
    asked with a bodiless HEAD; None when it does not refuse or cannot be asked."""
    probe = urllib.request.Request(url, method="HEAD", headers={"User-Agent": user_agent()})
    if signer:
        signer.sign(probe)
    try:
        with urllib.request.build_opener(NoRedirect()).open(probe, timeout=timeout):
            return None
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code if exc.code in (401, 403) else None
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError):
        return None


def _refused(store_url: str, which: str, code: int, reason: str, detail: list[str],
             outcome: str) -> MiggraphError:
    hint = ""
    if code in (404, 405) and store_url.rstrip("/").endswith(("/query", "/sparql")):
        hint = "; that looks like a query endpoint: give the Graph Store URL (…/store)"
    if code == 401:
        hint = "; give --user, and the password in MIGGRAPH_PASSWORD, a --password-file or ~/.netrc"
    return MiggraphError(
        f"{store_url} refused {which} (HTTP {code} {reason}"
        f"{': ' + ' '.join(detail[0].split())[:200] if detail else ''}){hint}; {outcome}",
        exit_code=_refused_code(code))


def _upload(open_: urllib.request.OpenerDirector, request: urllib.request.Request,
            store_url: str, timeout: float, number: int, done: int,
            refusal: Callable[[], int | None]) -> None:
    """Send one request of the upload; on failure say what the remote graph now holds. A
    connection broken while sending is often a store that refused the request and hung up
    before reading the body: `refusal` asks it again without one."""
    which = "the upload" if number == 1 else f"part {number} of the upload"
    if done:
        unchanged = unknown = (f"the remote graph holds the first {done} part(s) only; "
                               "publish again to replace it")
    else:
        unchanged, unknown = ("the remote graph is unchanged",
                              "the state of the remote graph is not known")
    try:
        with send(open_, request, timeout) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace").strip().splitlines()
        outcome = unchanged if exc.code < 500 else unknown
        raise _refused(store_url, which, exc.code, exc.reason, detail, outcome) from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        broken = isinstance(getattr(exc, "reason", exc), BrokenPipeError | ConnectionResetError)
        code = refusal() if broken else None
        if code is not None:
            reason = "Unauthorized" if code == 401 else "Forbidden"
            raise _refused(store_url, which, code, reason, [], unchanged) from exc
        if is_timeout(exc):
            raise MiggraphError(f"{store_url} did not finish {which} within "
                                f"{timeout:g} s; {unknown}",
                                exit_code=ExitCode.ENDPOINT) from exc
        raise MiggraphError(f"{which} to {store_url} failed: {reason_of(exc)}; {unknown}",
                            exit_code=ExitCode.ENDPOINT) from exc


def count_remote(query_url: str, graph: str, credentials: Credentials | None = None,
                 timeout: float | None = QUERY_TIMEOUT) -> int:
    """The number of triples in the named graph `graph` of a remote store."""
    iri = pyoxigraph.NamedNode(graph)
    result = Remote(query_url, credentials=credentials).run(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri} {{ ?s ?p ?o }} }}", timeout=timeout)
    cell = result.rows[0][0] if result.rows else None
    try:
        return int(cell.value) if cell is not None else 0
    except ValueError as exc:
        raise MiggraphError(f"{query_url} answered the count with {cell.value!r}, not a number",
                            exit_code=ExitCode.ENDPOINT) from exc


def check_endpoint(query_url: str, credentials: Credentials | None = None,
                   timeout: float = QUERY_TIMEOUT) -> None:
    """Ask the query endpoint a trivial question; fail before any upload if it cannot answer."""
    try:
        Remote(query_url, credentials=credentials).run("ASK { }", timeout=timeout)
    except MiggraphError as exc:
        raise MiggraphError(f"{exc}; nothing was uploaded", exit_code=exc.exit_code) from exc


def publish(nt_file: Path, store_url: str, graph: str = DEFAULT_GRAPH,
            query_url: str | None = None, credentials: Credentials | None = None,
            timeout: float = QUERY_TIMEOUT, chunk_bytes: int = CHUNK_BYTES) -> Published:
    """Upload the built graph to `graph` in the store at `store_url`; count both sides.

    Credentials are sent only when a server asks (HTTP 401), so Virtuoso's public read-only
    `/sparql` counts without them."""
    if not store_url.lower().startswith(("http://", "https://")):
        raise MiggraphError(f"{store_url}: not an http(s) URL of a Graph Store endpoint")
    try:
        pyoxigraph.NamedNode(graph)
    except ValueError as exc:
        raise MiggraphError(f"--graph {graph!r}: not an absolute IRI") from exc
    if chunk_bytes < 1:
        raise MiggraphError("--chunk-size must be a positive number of bytes")
    query_url = query_url or query_url_for(store_url)
    store = _load(nt_file)
    local = len(store)
    split = not has_blank_nodes(store)
    del store
    check_endpoint(query_url, credentials, timeout)
    requests = put_graph(store_url, graph, nt_file, credentials, chunk_bytes=chunk_bytes,
                         split=split)
    try:
        remote = count_remote(query_url, graph, credentials, timeout)
    except MiggraphError as exc:
        raise MiggraphError(f"uploaded {nt_file} to graph <{graph}> at {store_url}; the count "
                            f"could not be checked: {exc}", exit_code=exc.exit_code) from exc
    return Published(store_url, query_url, graph, local, remote, requests)
