"""Publish: put the built graph into a remote triple store, then check it arrived whole.

Three steps, each reported as it is known:

1. the store's SPARQL query endpoint is asked a trivial question, so that an unreachable or
   refusing endpoint stops the command before anything is uploaded;
2. `dist/miggraph.nt` is uploaded with one SPARQL 1.1 Graph Store HTTP Protocol `PUT` to a
   named graph: it replaces that graph, so publishing twice leaves one copy. A store that
   refuses the request (4xx) has not applied it; after a server or proxy error (5xx), a
   timeout or a dropped connection the state of the remote graph is not known, and the
   message says so;
3. the triples in the remote graph are counted and compared with the number of distinct
   triples in the file (a store keeps one copy of a repeated line). If the count cannot be
   done, the message says that the upload succeeded and why the count failed.

Every HTTP request has a timeout.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from ..errors import ExitCode, MiggraphError
from ..vocab import GRAPH
from .remote import Remote, auth_header, is_timeout, reason_of

DEFAULT_GRAPH = str(GRAPH["miggraph"])
UPLOAD_TIMEOUT = 600.0  # seconds for the upload
QUERY_TIMEOUT = 60.0    # seconds for the check before and the count after


@dataclass
class Published:
    """What a publish did: where to, and the triple counts on both sides."""

    store_url: str
    query_url: str
    graph: str
    local: int
    remote: int

    @property
    def complete(self) -> bool:
        return self.local == self.remote


def query_url_for(store_url: str) -> str:
    """The query endpoint beside a Graph Store endpoint, for the usual `/store` layout."""
    parts = urllib.parse.urlsplit(store_url)
    if parts.path.rstrip("/").endswith("/store"):
        path = parts.path.rstrip("/")[: -len("store")] + "query"
        return urllib.parse.urlunsplit(parts._replace(path=path, query=""))
    raise MiggraphError(f"{store_url}: cannot tell this store's query endpoint; "
                        "give it with --query-endpoint")


def count_local(nt_file: Path) -> int:
    """The number of distinct triples in an N-Triples file (parsed, so a broken file fails
    here; a repeated line counts once, as in any store)."""
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
    return len(store)


def graph_url(store_url: str, graph: str) -> str:
    """The Graph Store Protocol address of one named graph (`?graph=IRI`)."""
    separator = "&" if urllib.parse.urlsplit(store_url).query else "?"
    return f"{store_url}{separator}{urllib.parse.urlencode({'graph': graph})}"


def _refused_code(status: int) -> ExitCode:
    """4xx: the store refused the request (bad data, no permission); otherwise the endpoint."""
    return ExitCode.BAD_INPUT if 400 <= status < 500 else ExitCode.ENDPOINT


def put_graph(store_url: str, graph: str, nt_file: Path, user: str | None = None,
              password: str | None = None, timeout: float = UPLOAD_TIMEOUT) -> None:
    """Replace `graph` in the store with the triples of `nt_file` (one HTTP PUT, streamed)."""
    size = nt_file.stat().st_size
    headers = {"Content-Type": "application/n-triples", "Content-Length": str(size),
               **auth_header(user, password)}
    unknown = "the state of the remote graph is not known"
    with nt_file.open("rb") as body:
        request = urllib.request.Request(graph_url(store_url, graph), data=body,
                                         headers=headers, method="PUT")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip().splitlines()
            hint = ""
            if exc.code in (404, 405) and store_url.rstrip("/").endswith("/query"):
                hint = "; that looks like a query endpoint: give the Graph Store URL (…/store)"
            outcome = "the remote graph is unchanged" if exc.code < 500 else unknown
            raise MiggraphError(
                f"{store_url} refused the upload (HTTP {exc.code} {exc.reason}"
                f"{': ' + ' '.join(detail[0].split())[:200] if detail else ''}){hint}; {outcome}",
                exit_code=_refused_code(exc.code)) from exc
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            if is_timeout(exc):
                raise MiggraphError(f"{store_url} did not finish the upload within "
                                    f"{timeout:g} s; {unknown}",
                                    exit_code=ExitCode.ENDPOINT) from exc
            raise MiggraphError(f"the upload to {store_url} failed: {reason_of(exc)}; {unknown}",
                                exit_code=ExitCode.ENDPOINT) from exc


def count_remote(query_url: str, graph: str, user: str | None = None,
                 password: str | None = None, timeout: float | None = QUERY_TIMEOUT) -> int:
    """The number of triples in the named graph `graph` of a remote store."""
    iri = pyoxigraph.NamedNode(graph)
    result = Remote(query_url, user=user, password=password).run(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri} {{ ?s ?p ?o }} }}", timeout=timeout)
    cell = result.rows[0][0] if result.rows else None
    try:
        return int(cell.value) if cell is not None else 0
    except ValueError as exc:
        raise MiggraphError(f"{query_url} answered the count with {cell.value!r}, not a number",
                            exit_code=ExitCode.ENDPOINT) from exc


def check_endpoint(query_url: str, user: str | None = None, password: str | None = None,
                   timeout: float = QUERY_TIMEOUT) -> None:
    """Ask the query endpoint a trivial question; fail before any upload if it cannot answer."""
    try:
        Remote(query_url, user=user, password=password).run("ASK { }", timeout=timeout)
    except MiggraphError as exc:
        raise MiggraphError(f"{exc}; nothing was uploaded", exit_code=exc.exit_code) from exc


def publish(nt_file: Path, store_url: str, graph: str = DEFAULT_GRAPH,
            query_url: str | None = None, user: str | None = None,
            password: str | None = None, timeout: float = QUERY_TIMEOUT) -> Published:
    """Upload the built graph to `graph` in the store at `store_url`; count both sides."""
    if not store_url.lower().startswith(("http://", "https://")):
        raise MiggraphError(f"{store_url}: not an http(s) URL of a Graph Store endpoint")
    try:
        pyoxigraph.NamedNode(graph)
    except ValueError as exc:
        raise MiggraphError(f"--graph {graph!r}: not an absolute IRI") from exc
    query_url = query_url or query_url_for(store_url)
    local = count_local(nt_file)
    check_endpoint(query_url, user, password, timeout)
    put_graph(store_url, graph, nt_file, user, password)
    try:
        remote = count_remote(query_url, graph, user, password, timeout)
    except MiggraphError as exc:
        raise MiggraphError(f"uploaded {nt_file} to graph <{graph}> at {store_url}; the count "
                            f"could not be checked: {exc}", exit_code=exc.exit_code) from exc
    return Published(store_url, query_url, graph, local, remote)
