"""A remote SPARQL 1.1 endpoint, asked over HTTP; its answers are parsed as they arrive.

The client is written for the world's endpoints, not only ours:

- the query is sent as written (after PREFIX lines for miggraph's own prefixes it uses), never
  first parsed by Oxigraph, so vendor syntax and an endpoint's predeclared prefixes (Wikidata's
  `wd:`/`wdt:`, Virtuoso's `bif:`) reach the endpoint, which is the judge of its dialect;
- redirects (301, 302, 307, 308) are followed keeping the method and the body, which urllib
  would turn into a GET without the query; 303 is a GET of the new address, as HTTP says;
- an endpoint that refuses POST (405, 501) is asked again with the protocol's GET form, and
  kept on GET for the next queries;
- every request says who asks (`User-Agent: miggraph/VERSION ...`; add a contact with
  MIGGRAPH_USER_AGENT, as Wikidata's policy asks);
- HTTP basic and digest authentication answer the server's challenge (`Credentials`);
- the answer is parsed as it arrives, in bounded memory (`streaming.py`).

Failures are one line each: an endpoint that cannot be reached or does not answer in time
exits 3, a query it rejects exits 2.
"""

from __future__ import annotations

import base64
import contextlib
import getpass
import http.client
import netrc
import os
import platform
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pyoxigraph

from ..errors import ExitCode, MiggraphError
from ..files import cannot_read
from .checks import is_update, with_prefixes
from .results import ASK, GRAPH, SELECT, Result, Stream, Term, head_and_items
from .streaming import deadline_after, produced

MAX_REDIRECTS = 5
KEPT_ON_REDIRECT = (301, 302, 307, 308)  # same method and body at the new address
POST_REFUSED = (405, 501)


def reason_of(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or exc
    if isinstance(reason, BaseException):
        text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
    else:
        text = str(reason)
    return text.rstrip(".")


def is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", None), TimeoutError)


def user_agent() -> str:
    """`miggraph/VERSION Python/X.Y`, and MIGGRAPH_USER_AGENT (e.g. a contact) if set."""
    try:
        version = metadata.version("miggraph")
    except metadata.PackageNotFoundError:
        version = "unknown"
    agent = f"miggraph/{version} (SPARQL client) Python/{platform.python_version()}"
    extra = os.environ.get("MIGGRAPH_USER_AGENT", "").strip()
    return f"{agent} {extra}" if extra else agent


# ---------------------------------------------------------------- credentials

@dataclass(frozen=True)
class Credentials:
    """A user name and password, answered to a server's basic or digest challenge."""

    user: str
    password: str


def read_credentials(url: str, user: str | None = None,
                     password_file: Path | None = None) -> Credentials | None:
    """The credentials for `url`, never from the command line's own arguments.

    The user is `user` (--user) or MIGGRAPH_USER; the password comes from `password_file`
    (its first line), else MIGGRAPH_PASSWORD, else the `~/.netrc` entry for the host (which
    may give the user too), else a prompt when a terminal is attached. None without a user.
    """
    user = user or os.environ.get("MIGGRAPH_USER") or None
    host = urllib.parse.urlsplit(url).hostname or ""
    if password_file is not None:
        if user is None:
            raise MiggraphError("--password-file goes with --user (or MIGGRAPH_USER)")
        try:
            lines = password_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise cannot_read(password_file, exc) from exc
        if not lines or not lines[0]:
            raise MiggraphError("empty password file", location=str(password_file))
        return Credentials(user, lines[0])
    if "MIGGRAPH_PASSWORD" in os.environ and user is not None:
        return Credentials(user, os.environ["MIGGRAPH_PASSWORD"])
    entry = _netrc_entry(host)
    if entry is not None and (user is None or entry[0] == user):
        return Credentials(entry[0], entry[1])
    if user is None:
        return None
    if not sys.stdin.isatty():
        raise MiggraphError(f"no password for {user}: set MIGGRAPH_PASSWORD, give "
                            "--password-file, or add the host to ~/.netrc")
    return Credentials(user, getpass.getpass(f"Password for {user} at {host}: "))


def _netrc_entry(host: str) -> tuple[str, str] | None:
    try:
        found = netrc.netrc().authenticators(host)
    except (OSError, netrc.NetrcParseError):
        return None
    if not found or not found[0]:
        return None
    return found[0], found[2] or ""


# ---------------------------------------------------------------- HTTP


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand 3xx answers back as errors: `send` follows them itself, keeping the body."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[override]
        return None


def opener(url: str, credentials: Credentials | None) -> urllib.request.OpenerDirector:
    """An opener that follows no redirect by itself and answers the auth challenges of the
    server of `url` (scheme, host and port: never another server a redirect leads to)."""
    handlers: list[urllib.request.BaseHandler] = [NoRedirect()]
    if credentials is not None:
        parts = urllib.parse.urlsplit(url)
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, f"{parts.scheme}://{parts.netloc}/", credentials.user,
                               credentials.password)
        handlers += [urllib.request.HTTPDigestAuthHandler(passwords),
                     urllib.request.HTTPBasicAuthHandler(passwords)]
    return urllib.request.build_opener(*handlers)


def send(open_: urllib.request.OpenerDirector, request: urllib.request.Request,
         timeout: float | None):
    """Open `request`, following up to MAX_REDIRECTS redirects with the same method and body
    (303: a GET without body). Returns the response; raises HTTPError for other statuses."""
    for _ in range(MAX_REDIRECTS + 1):
        try:
            return open_.open(request, timeout=timeout)
        except urllib.error.HTTPError as exc:
            location = exc.headers.get("Location") if exc.headers else None
            if exc.code not in (*KEPT_ON_REDIRECT, 303) or not location:
                raise
            exc.close()
            target = urllib.parse.urljoin(request.full_url, location)
            if urllib.parse.urlsplit(target).scheme not in ("http", "https"):
                raise
            method, data = request.get_method(), request.data
            if exc.code == 303:
                method, data = "GET", None
            headers = {k: v for k, v in request.headers.items()  # not Authorization
                       if data is not None or k.lower() != "content-type"}
            request = urllib.request.Request(target, data=data, headers=headers, method=method)
    raise urllib.error.URLError(f"more than {MAX_REDIRECTS} redirects")


class Signer:
    """Answers the server's challenge before each request is sent, so that a large body
    (an upload) goes once: urllib answers a challenge only after the server refused the whole
    body, and a server that closes the connection on its 401 breaks the upload. The challenge
    is learnt from one bodiless request (HEAD) to the same address."""

    def __init__(self, url: str, credentials: Credentials) -> None:
        parts = urllib.parse.urlsplit(url)
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, f"{parts.scheme}://{parts.netloc}/", credentials.user,
                               credentials.password)
        self.credentials = credentials
        self.digest = urllib.request.HTTPDigestAuthHandler(passwords)
        self.scheme: str | None = None
        self.challenge: dict[str, str] = {}

    def learn(self, url: str, timeout: float | None) -> None:
        """Ask `url` with HEAD and keep its challenge; any other outcome is left to the
        request that follows, which reports it."""
        probe = urllib.request.Request(url, method="HEAD", headers={"User-Agent": user_agent()})
        try:
            with urllib.request.build_opener(NoRedirect()).open(probe, timeout=timeout):
                return
        except urllib.error.HTTPError as exc:
            exc.close()
            for header in (exc.headers.get_all("WWW-Authenticate") or []) if exc.code == 401 else []:
                scheme, _, rest = header.strip().partition(" ")
                if scheme.lower() in ("digest", "basic"):
                    self.scheme = scheme.lower()
                    items = urllib.request.parse_http_list(rest)
                    self.challenge = urllib.request.parse_keqv_list(items) if items else {}
                    return
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError):
            return

    def sign(self, request: urllib.request.Request) -> None:
        """Add the Authorization header the learnt challenge asks for (not kept on redirect)."""
        if self.scheme == "basic":
            token = base64.b64encode(f"{self.credentials.user}:{self.credentials.password}"
                                     .encode()).decode("ascii")
            request.add_unredirected_header("Authorization", f"Basic {token}")
        elif self.scheme == "digest":
            answer = self.digest.get_authorization(request, self.challenge)
            if answer:
                request.add_unredirected_header("Authorization", f"Digest {answer}")


_OPAQUE = re.compile(
    r'"""(?:[^\\]|\\.)*?"""|\'\'\'(?:[^\\]|\\.)*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'|<[^<>\s]*>|#[^\n]*", re.DOTALL)
_FORM = re.compile(r"(?i)(?<![\w:?$])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:])")


def query_form(query: str) -> str | None:
    """What `query` returns, from its first query keyword outside strings, IRIs and comments
    (no parsing, so any dialect): SELECT, ASK or GRAPH; None if no keyword is found."""
    match = _FORM.search(_OPAQUE.sub(" ", query))
    if not match:
        return None
    return {"SELECT": SELECT, "ASK": ASK}.get(match.group(1).upper(), GRAPH)


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
    None: "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.9, "
          "application/sparql-results+xml;q=0.8, application/rdf+xml;q=0.5",
}


class Remote:
    """Queries sent to a SPARQL 1.1 endpoint over HTTP (the protocol's POST form, or its GET
    form for an endpoint that refuses POST).

    The answer is parsed as it arrives. `graph`, if given, is sent as the protocol's
    default-graph-uri, so that queries written for the default graph run on the named graph
    `miggraph publish` wrote.
    """

    def __init__(self, url: str, graph: str | None = None,
                 credentials: Credentials | None = None, user: str | None = None,
                 password: str | None = None) -> None:
        """`credentials`, or `user` and `password` (the library's form), answer the server's
        authentication challenge."""
        if not re.match(r"(?i)https?://[^/\s]+", url):
            raise MiggraphError(f"{url}: not an http(s) URL of a SPARQL endpoint")
        if credentials is None and user:
            credentials = Credentials(user, password or "")
        self.url = url
        self.graph = graph
        self.label = url
        self.use_get = False
        self._opener = opener(url, credentials)

    def _request(self, query: str, kind: str | None) -> urllib.request.Request:
        form = [("query", with_prefixes(query))]
        if self.graph:
            form.append(("default-graph-uri", self.graph))
        encoded = urllib.parse.urlencode(form)
        headers = {"Accept": ACCEPT[kind], "User-Agent": user_agent()}
        if self.use_get:
            separator = "&" if urllib.parse.urlsplit(self.url).query else "?"
            return urllib.request.Request(f"{self.url}{separator}{encoded}", headers=headers,
                                          method="GET")
        headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        return urllib.request.Request(self.url, data=encoded.encode(), headers=headers,
                                      method="POST")

    def stream(self, query: str, timeout: float | None = None, source: str = "query",
               substitutions: dict[str, Term] | None = None,
               deadline: float | None = None) -> Stream:
        """Send `query` as written; `deadline` (time.monotonic()) bounds it all, default
        `timeout` from now. Updates are refused here (exit 2); everything else is the
        endpoint's to judge."""
        if substitutions:
            raise MiggraphError("internal: a remote query takes its parameters as VALUES blocks",
                                exit_code=ExitCode.INTERNAL)
        if is_update(query):
            raise MiggraphError("this is a SPARQL update (INSERT, DELETE, LOAD...); updates are "
                                "not accepted here, only SELECT, ASK, CONSTRUCT and DESCRIBE",
                                location=source)
        kind = query_form(query)
        deadline = deadline or deadline_after(timeout)
        responses: list = []

        def start() -> tuple[Stream, Iterator]:
            remaining = None if deadline is None else max(0.1, deadline - time.monotonic())
            opened = self._open(query, kind, remaining, timeout)
            responses.append(opened)
            media = opened.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
            response = _Tail(opened)
            try:
                rdf = pyoxigraph.RdfFormat.from_media_type(media) if media else None
                results = pyoxigraph.QueryResultsFormat.from_media_type(media) if media else None
                if rdf is not None or (results is None and kind == GRAPH):
                    answer = pyoxigraph.parse(response, format=rdf or pyoxigraph.RdfFormat.TURTLE)
                else:
                    answer = pyoxigraph.parse_query_results(
                        response, format=results or pyoxigraph.QueryResultsFormat.JSON)
                head, items = head_and_items(answer)
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

    def _open(self, query: str, kind: str | None, remaining: float | None,
              timeout: float | None):
        try:
            try:
                return send(self._opener, self._request(query, kind), remaining)
            except urllib.error.HTTPError as exc:
                if self.use_get or exc.code not in POST_REFUSED:
                    raise
                exc.close()
                self.use_get = True  # and for the next queries to this endpoint
                return send(self._opener, self._request(query, kind), remaining)
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace")
            # Virtuoso echoes the whole query after its message, and says 500 for a query it
            # cannot compile (SQL state 37000): that is the query refused, not a failure
            detail = " ".join(body.split("\nSPARQL query:", 1)[0].split())[:300]
            if exc.code == 400 or (exc.code == 500 and detail.startswith("Virtuoso 37000 ")):
                raise MiggraphError(f"{self.url} rejected the query: {detail or exc.reason}") from exc
            raise MiggraphError(f"{self.url} answered HTTP {exc.code} {exc.reason}"
                                f"{': ' + detail if detail else ''}",
                                exit_code=ExitCode.ENDPOINT) from exc
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
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
