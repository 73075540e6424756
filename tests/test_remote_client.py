"""The remote client against small local HTTP servers that behave like the world's endpoints:
redirects, GET-only endpoints, foreign SPARQL dialects, the User-Agent, refused queries.

Each server is a ThreadingHTTPServer on a free loopback port; it records what it was sent and
answers one fixed result, so each test checks both the request and the whole answer.
"""

from __future__ import annotations

import http.server
import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import miggraph
from miggraph.cli import main
from miggraph.errors import MiggraphError
from miggraph.sparql.remote import Remote, query_form, user_agent

ANSWER = {"head": {"vars": ["item", "label"]}, "results": {"bindings": [
    {"item": {"type": "uri", "value": "http://www.wikidata.org/entity/Q1"},
     "label": {"type": "literal", "value": "universe", "xml:lang": "en"}}]}}


@dataclass
class Seen:
    method: str
    path: str
    query: str | None
    headers: dict[str, str] = field(default_factory=dict)


class Endpoint:
    """A local SPARQL endpoint. `routes` maps a path to (status, Location or None); any other
    path answers ANSWER. `get_only` refuses POST with 405; `reject` answers 400 with a message."""

    def __init__(self, routes: dict[str, tuple[int, str]] | None = None, get_only: bool = False,
                 reject: str | None = None, reject_status: int = 400) -> None:
        endpoint = self
        self.seen: list[Seen] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _handle(self, body: bytes) -> None:
                parts = urllib.parse.urlsplit(self.path)
                form = urllib.parse.parse_qs(body.decode() if body else parts.query)
                query = form.get("query", [None])[0]
                endpoint.seen.append(Seen(self.command, parts.path, query, dict(self.headers)))
                if parts.path in (routes or {}):
                    status, location = (routes or {})[parts.path]
                    self.send_response(status)
                    self.send_header("Location", location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if get_only and self.command == "POST":
                    self._send(405, b"Method Not Allowed", "text/plain")
                elif reject:
                    self._send(reject_status, reject.encode(), "text/plain")
                elif query is None:
                    self._send(400, b"no query", "text/plain")
                else:
                    self._send(200, json.dumps(ANSWER).encode(), "application/sparql-results+json")

            def _send(self, status: int, body: bytes, media: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", media)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802
                self._handle(self.rfile.read(int(self.headers.get("Content-Length", 0))))

            def do_GET(self) -> None:  # noqa: N802
                self._handle(b"")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoints() -> Iterator[list[Endpoint]]:
    """Endpoints a test starts (append to the list); all closed at the end."""
    started: list[Endpoint] = []
    yield started
    for endpoint in started:
        endpoint.close()


def rows(remote: Remote, query: str) -> list[tuple[str, ...]]:
    return [tuple(str(cell) for cell in row) for row in remote.run(query, timeout=30).rows]


EXPECTED = [("<http://www.wikidata.org/entity/Q1>", '"universe"@en')]
QUERY = "SELECT ?item ?label WHERE { ?item rdfs:label ?label } LIMIT 1"


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirect_keeps_the_method_and_the_query(endpoints, status: int) -> None:
    server = Endpoint(routes={"/old": (status, "/sparql")})
    endpoints.append(server)
    assert rows(Remote(f"{server.base}/old"), QUERY) == EXPECTED
    assert [(s.method, s.path) for s in server.seen] == [("POST", "/old"), ("POST", "/sparql")]
    assert server.seen[0].query == server.seen[1].query
    assert server.seen[1].query.endswith(QUERY)


def test_redirect_to_another_server_is_followed(endpoints) -> None:
    target = Endpoint()
    origin = Endpoint(routes={"/sparql": (308, f"{target.base}/sparql")})
    endpoints += [target, origin]
    assert rows(Remote(f"{origin.base}/sparql"), QUERY) == EXPECTED
    assert [(s.method, s.path) for s in target.seen] == [("POST", "/sparql")]


def test_redirect_loop_is_one_clear_error(endpoints) -> None:
    server = Endpoint(routes={"/a": (302, "/b"), "/b": (302, "/a")})
    endpoints.append(server)
    with pytest.raises(MiggraphError) as caught:
        Remote(f"{server.base}/a").run(QUERY, timeout=30)
    assert caught.value.exit_code == 3
    assert str(caught.value) == (f"cannot reach the SPARQL endpoint {server.base}/a: "
                                 "more than 5 redirects")
    assert len(server.seen) == 6


def test_get_only_endpoint_is_asked_again_with_get(endpoints) -> None:
    server = Endpoint(get_only=True)
    endpoints.append(server)
    remote = Remote(f"{server.base}/sparql", graph="https://example.org/g")
    assert rows(remote, QUERY) == EXPECTED
    assert rows(remote, QUERY) == EXPECTED  # the second query goes straight to GET
    assert [s.method for s in server.seen] == ["POST", "GET", "GET"]
    get = urllib.parse.urlsplit(server.seen[1].path)
    assert get.path == "/sparql" and server.seen[1].query.endswith(QUERY)


def test_get_form_carries_the_default_graph(endpoints) -> None:
    server = Endpoint(get_only=True)
    endpoints.append(server)
    seen_urls: list[str] = []
    original = server.server.RequestHandlerClass.do_GET

    def recording(handler) -> None:  # type: ignore[no-untyped-def]
        seen_urls.append(handler.path)
        original(handler)

    server.server.RequestHandlerClass.do_GET = recording  # type: ignore[method-assign]
    Remote(f"{server.base}/sparql", graph="https://example.org/g").run(QUERY, timeout=30)
    form = urllib.parse.parse_qs(urllib.parse.urlsplit(seen_urls[0]).query)
    assert form["default-graph-uri"] == ["https://example.org/g"]


WIKIDATA = """SELECT ?item ?itemLabel WHERE {
  ?item wdt:P31 wd:Q5 ; wdt:P27 wd:Q148 .
  SERVICE wikibase:label { bd:serviceParam wikibase:language "en". }
} LIMIT 1"""
VIRTUOSO = """SELECT ?item ?label WHERE {
  ?item rdfs:label ?label . ?label bif:contains "'universe'" OPTION (score ?sc) .
} LIMIT 1"""


@pytest.mark.parametrize("query", [WIKIDATA, VIRTUOSO], ids=["wikidata-prefixes", "virtuoso-bif"])
def test_foreign_syntax_is_sent_as_written(endpoints, query: str) -> None:
    server = Endpoint()
    endpoints.append(server)
    assert rows(Remote(f"{server.base}/sparql"), query) == EXPECTED
    # only miggraph's own prefixes that the query uses undeclared are added (rdfs:, and wd:,
    # which miggraph declares as Wikidata does); wdt:, wikibase:, bd:, bif: go as written
    declared = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>" if query == VIRTUOSO
                else "PREFIX wd: <http://www.wikidata.org/entity/>")
    assert server.seen[0].query == f"{declared}\n{query}"


def test_foreign_syntax_runs_from_the_command_line(endpoints, workspace: Path, capsys,
                                                   tmp_path: Path) -> None:
    server = Endpoint()
    endpoints.append(server)
    query_file = tmp_path / "humans.rq"
    query_file.write_text(WIKIDATA, encoding="utf-8")
    code = main(["--project", str(workspace), "--quiet", "query", str(query_file), "--format",
                 "csv", "--endpoint", f"{server.base}/sparql"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert out == "item,label\r\nhttp://www.wikidata.org/entity/Q1,universe\r\n"


def test_command_line_names_the_prefixes_it_adds(endpoints, workspace: Path, capsys,
                                                 tmp_path: Path) -> None:
    """Wikidata gives schema: another namespace than miggraph's: the added line is named on
    stderr, and a PREFIX line in the query is sent instead of ours."""
    server = Endpoint()
    endpoints.append(server)
    undeclared = "SELECT ?item ?label WHERE { ?item schema:description ?label } LIMIT 1"
    declared = f"PREFIX schema: <http://schema.org/>\n{undeclared}"
    outcomes = []
    for text in (undeclared, declared):
        query_file = tmp_path / "described.rq"
        query_file.write_text(text, encoding="utf-8")
        code = main(["--project", str(workspace), "query", str(query_file), "--format", "csv",
                     "--endpoint", f"{server.base}/sparql"])
        outcomes.append((code, capsys.readouterr().err))
    assert outcomes == [
        (0, "miggraph: note: the query uses prefixes it does not declare; sent with "
            "schema: <https://schema.org/> (declare them in the query to use the endpoint's own)\n"),
        (0, ""),
    ]
    assert [seen.query for seen in server.seen] == [
        f"PREFIX schema: <https://schema.org/>\n{undeclared}", declared]


def test_parameters_need_a_query_miggraph_can_parse(endpoints, workspace: Path, capsys,
                                                    tmp_path: Path) -> None:
    server = Endpoint()
    endpoints.append(server)
    query_file = tmp_path / "bif.rq"
    query_file.write_text("SELECT ?s WHERE {\n  VALUES ?word { \"universe\" }\n"
                          "  ?s rdfs:label ?l . ?l bif:contains ?word OPTION (score ?sc) .\n}\n",
                          encoding="utf-8")
    code = main(["--project", str(workspace), "--quiet", "query", str(query_file), "--param",
                 "word=cosmos", "--endpoint", f"{server.base}/sparql"])
    _, err = capsys.readouterr()
    assert code == 2 and server.seen == []
    assert err.startswith(f"miggraph: error: {query_file}:3:")
    assert ("--param needs a query miggraph can parse, and Oxigraph cannot parse this one "
            "(malformed query:") in err
    assert err.endswith("without --param it is sent to the endpoint as written: put the values "
                        "in the query text\n")


def test_a_query_the_endpoint_rejects_is_its_message(endpoints, workspace: Path, capsys,
                                                      tmp_path: Path) -> None:
    server = Endpoint(reject="Parse error: unexpected '}' at line 1")
    endpoints.append(server)
    broken = tmp_path / "broken.rq"
    broken.write_text("SELECT * WHERE { ?s ?p }\n", encoding="utf-8")
    code = main(["--project", str(workspace), "--quiet", "query", str(broken), "--endpoint",
                 f"{server.base}/sparql"])
    _, err = capsys.readouterr()
    assert code == 2
    assert err == (f"miggraph: error: {server.base}/sparql rejected the query: Parse error: "
                   "unexpected '}' at line 1\n")


def test_virtuoso_compile_error_is_the_query_refused_without_the_echo(endpoints) -> None:
    body = ("Virtuoso 37000 Error SQ074: Line 3: syntax error\n\nSPARQL query:\n"
            "SELECT * WHERE { ?s ?p }")
    server = Endpoint(reject=body, reject_status=500)
    endpoints.append(server)
    with pytest.raises(MiggraphError) as caught:
        Remote(f"{server.base}/sparql").run(QUERY, timeout=30)
    assert caught.value.exit_code == 2
    assert str(caught.value) == (f"{server.base}/sparql rejected the query: Virtuoso 37000 "
                                 "Error SQ074: Line 3: syntax error")


def test_updates_are_still_refused_before_sending(endpoints) -> None:
    server = Endpoint()
    endpoints.append(server)
    with pytest.raises(MiggraphError) as caught:
        Remote(f"{server.base}/sparql").run("CLEAR ALL", timeout=30)
    assert caught.value.exit_code == 2 and "SPARQL update" in str(caught.value)
    assert server.seen == []


def test_every_request_says_who_asks(endpoints) -> None:
    server = Endpoint()
    endpoints.append(server)
    Remote(f"{server.base}/sparql").run(QUERY, timeout=30)
    agent = server.seen[0].headers["User-Agent"]
    assert agent == user_agent()
    assert agent.startswith(f"miggraph/{miggraph.__version__} (SPARQL client) Python/")


def test_user_agent_takes_a_contact(monkeypatch) -> None:
    monkeypatch.setenv("MIGGRAPH_USER_AGENT", "(mailto:team@example.org)")
    assert user_agent().endswith(" (mailto:team@example.org)")


@pytest.mark.parametrize("query, form", [
    ("SELECT * WHERE { ?s ?p ?o }", "select"),
    ("# CONSTRUCT in a comment\nASK { ?s ?p \"SELECT\" }", "ask"),
    ("PREFIX ex: <http://example.org/select/>\nCONSTRUCT WHERE { ?s ex:p ?o }", "graph"),
    ("define input:inference 'rules'\nDESCRIBE <http://example.org/x>", "graph"),
    ("nothing here", None),
])
def test_query_form_is_read_without_parsing(query: str, form: str | None) -> None:
    assert query_form(query) == form
