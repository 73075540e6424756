"""A remote SPARQL 1.1 endpoint, asked over HTTP; its answers are parsed as they arrive.

Failures are one line each: an endpoint that cannot be reached or does not answer in time
exits 3, a query it rejects exits 2.
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
from collections.abc import Iterator

import pyoxigraph

from ..errors import ExitCode, MiggraphError
from .checks import check_query, with_prefixes
from .results import ASK, GRAPH, SELECT, Result, Stream, Term, head_and_items
from .streaming import deadline_after, produced


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
                    head, items = head_and_items(pyoxigraph.parse(response, format=fmt))
                else:
                    fmt = (pyoxigraph.QueryResultsFormat.from_media_type(media)
                           or pyoxigraph.QueryResultsFormat.JSON)
                    head, items = head_and_items(pyoxigraph.parse_query_results(response, format=fmt))
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
