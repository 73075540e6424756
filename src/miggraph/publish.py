"""Publish: put the built graph into a remote triple store, then check it arrived whole.

The upload is one SPARQL 1.1 Graph Store HTTP Protocol `PUT` of `dist/miggraph.nt` to a named
graph: it replaces that graph, so publishing twice leaves one copy. Stores that follow the
protocol (Oxigraph, Fuseki, GraphDB, Virtuoso) apply a PUT as one transaction, so a failed
upload leaves the remote graph as it was. Afterwards the triples in the remote graph are
counted through the store's SPARQL query endpoint and compared with the local count.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from .errors import MiggraphError
from .project import GRAPH
from .store import Remote, is_timeout, reason_of

DEFAULT_GRAPH = str(GRAPH["miggraph"])
UPLOAD_TIMEOUT = 600.0


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
    """The number of triples in an N-Triples file (parsed, so a broken file fails here)."""
    if not nt_file.is_file():
        raise MiggraphError(f"{nt_file}: not found; run `miggraph build` first")
    try:
        with nt_file.open("rb") as handle:
            return sum(1 for _ in pyoxigraph.parse(handle, format=pyoxigraph.RdfFormat.N_TRIPLES))
    except SyntaxError as exc:
        raise MiggraphError(f"not valid N-Triples: {exc}", location=str(nt_file)) from exc


def _auth_header(user: str | None, password: str | None) -> dict[str, str]:
    if not user:
        return {}
    token = base64.b64encode(f"{user}:{password or ''}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


def graph_url(store_url: str, graph: str) -> str:
    """The Graph Store Protocol address of one named graph (`?graph=IRI`)."""
    separator = "&" if urllib.parse.urlsplit(store_url).query else "?"
    return f"{store_url}{separator}{urllib.parse.urlencode({'graph': graph})}"


def put_graph(store_url: str, graph: str, nt_file: Path, user: str | None = None,
              password: str | None = None, timeout: float = UPLOAD_TIMEOUT) -> None:
    """Replace `graph` in the store with the triples of `nt_file` (one HTTP PUT, streamed)."""
    size = nt_file.stat().st_size
    headers = {"Content-Type": "application/n-triples", "Content-Length": str(size),
               **_auth_header(user, password)}
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
            raise MiggraphError(
                f"{store_url} refused the upload (HTTP {exc.code} {exc.reason}"
                f"{': ' + detail[0] if detail else ''}){hint}; the remote graph is unchanged",
                exit_code=2 if exc.code in (400, 415) else 3) from exc
        except (urllib.error.URLError, OSError) as exc:
            if is_timeout(exc):
                raise MiggraphError(f"{store_url} did not finish the upload within "
                                    f"{timeout:g} s", exit_code=3) from exc
            raise MiggraphError(f"cannot reach the Graph Store {store_url}: {reason_of(exc)}",
                                exit_code=3) from exc


def count_remote(query_url: str, graph: str, user: str | None = None,
                 password: str | None = None, timeout: float | None = None) -> int:
    """The number of triples in the named graph `graph` of a remote store."""
    iri = pyoxigraph.NamedNode(graph)
    result = Remote(query_url, user=user, password=password).run(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri} {{ ?s ?p ?o }} }}", timeout=timeout)
    cell = result.rows[0][0] if result.rows else None
    return int(cell.value) if cell is not None else 0


def publish(nt_file: Path, store_url: str, graph: str = DEFAULT_GRAPH,
            query_url: str | None = None, user: str | None = None,
            password: str | None = None) -> Published:
    """Upload the built graph to `graph` in the store at `store_url`; count both sides."""
    if not store_url.lower().startswith(("http://", "https://")):
        raise MiggraphError(f"{store_url}: not an http(s) URL of a Graph Store endpoint")
    try:
        pyoxigraph.NamedNode(graph)
    except ValueError as exc:
        raise MiggraphError(f"--graph {graph!r}: not an absolute IRI") from exc
    query_url = query_url or query_url_for(store_url)
    local = count_local(nt_file)
    put_graph(store_url, graph, nt_file, user, password)
    remote = count_remote(query_url, graph, user, password)
    return Published(store_url, query_url, graph, local, remote)
