"""Real Oxigraph servers on 127.0.0.1: publish to one, query it, compare with the embedded store.

Each test module starts and stops its own `oxigraph serve` subprocess on a free port; nothing
is skipped, in CI or elsewhere.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph
import pytest

from miggraph.cli import main
from miggraph.errors import MiggraphError
from miggraph.sparql import library as query_mod
from miggraph.sparql import params as params_mod
from miggraph.sparql import publish as publish_mod
from miggraph.sparql.remote import Remote
from miggraph.sparql.server import oxigraph_command

ROOT = Path(__file__).resolve().parents[1]
GRAPH = "https://w3id.org/miggraph/graph/test"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError("oxigraph server exited at start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("oxigraph server did not start")


def start_oxigraph(location: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [oxigraph_command(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(port, process)
    return process, f"http://127.0.0.1:{port}"


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A read-write Oxigraph server (its base URL), for the whole module."""
    process, base = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    yield base
    stop(process)


@pytest.fixture(scope="module")
def published(server: str, dist: Path) -> publish_mod.Published:
    return publish_mod.publish(dist / "miggraph.nt", f"{server}/store", graph=GRAPH)


def cli(workspace: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--project", str(workspace), "--quiet", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_publish_reports_equal_counts(published, dist: Path) -> None:
    assert published.local == published.remote
    assert published.local == sum(1 for line in (dist / "miggraph.nt").open() if line.strip())
    assert published.query_url.endswith("/query")


def test_publishing_twice_leaves_one_copy(published, workspace, capsys, server) -> None:
    code, out, _ = cli(workspace, capsys, "publish", "--endpoint", f"{server}/store",
                       "--graph", GRAPH)
    assert code == 0
    assert f"Triples: {published.local} here (distinct), {published.local} there" in out
    assert publish_mod.count_remote(f"{server}/query", GRAPH) == published.local


def test_failed_upload_leaves_the_remote_graph_as_it_was(published, server, tmp_path) -> None:
    broken = tmp_path / "broken.nt"
    broken.write_text('<https://example.org/a> <https://example.org/p> "ok" .\n'
                      '<https://example.org/a> <https://example.org/p> not-a-term .\n')
    with pytest.raises(MiggraphError) as caught:
        publish_mod.put_graph(f"{server}/store", GRAPH, broken)
    assert caught.value.exit_code == 2 and "the remote graph is unchanged" in str(caught.value)
    assert publish_mod.count_remote(f"{server}/query", GRAPH) == published.local


def test_every_competency_question_answers_the_same_remotely(published, workspace, capsys,
                                                             server) -> None:
    endpoint = f"{server}/query"
    for q in query_mod.library(ROOT / "queries"):
        fmt = "ttl" if "CONSTRUCT" in q.returns[0] else "json"
        args = ["query", q.name, "--format", fmt]
        local = cli(workspace, capsys, *args)
        remote = cli(workspace, capsys, *args, "--endpoint", endpoint, "--graph", GRAPH)
        assert local[0] == remote[0] == 0, (q.name, remote[2])
        if fmt == "json":
            assert json.loads(remote[1]) == json.loads(local[1]), q.name
            assert json.loads(local[1])["results"]["bindings"], q.name
        else:
            def triples(text: str) -> set[str]:
                return {str(t) for t in pyoxigraph.parse(text.encode(),
                                                          format=pyoxigraph.RdfFormat.TURTLE)}
            assert triples(remote[1]) == triples(local[1]), q.name


def test_parameters_and_ask_work_remotely(published, server) -> None:
    remote = Remote(f"{server}/query", graph=GRAPH)
    text = (ROOT / "queries" / "who-represents.rq").read_text()
    result = remote.run(params_mod.bind(text, {"state": ["mgd:sweden"]}))
    assert [row[1].value for row in result.rows] == ["Consulate General of Norway in Guangzhou"]
    assert remote.run("ASK { mgd:mps a mg:Ministry }").boolean is True


def test_server_that_goes_away_gives_a_clear_error(workspace, capsys, tmp_path) -> None:
    process, base = start_oxigraph(tmp_path / "store")
    assert cli(workspace, capsys, "query", "figures", "--endpoint", f"{base}/query")[0] == 0
    stop(process)
    code, out, err = cli(workspace, capsys, "query", "figures", "--endpoint", f"{base}/query")
    assert (code, out) == (3, "")
    assert err.startswith(f"miggraph: error: cannot reach the SPARQL endpoint {base}/query")
    assert err.count("\n") == 1


def silent_server(answer: bool) -> tuple[socket.socket, int]:
    """A socket that accepts a connection and then drops it, or never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            connection.recv(65536)
            if answer:
                connection.close()  # goes away in the middle of the request
            else:
                threading.Event().wait(5)
                connection.close()

    threading.Thread(target=serve, daemon=True).start()
    return listener, listener.getsockname()[1]


def test_endpoint_dropping_the_connection_mid_request(workspace, capsys) -> None:
    listener, port = silent_server(answer=True)
    try:
        code, _, err = cli(workspace, capsys, "query", "figures", "--endpoint",
                           f"http://127.0.0.1:{port}/query")
    finally:
        listener.close()
    assert code == 3 and err.startswith("miggraph: error: cannot reach the SPARQL endpoint")
    assert err.count("\n") == 1


def test_remote_timeout_is_honoured(workspace, capsys) -> None:
    listener, port = silent_server(answer=False)
    try:
        code, _, err = cli(workspace, capsys, "query", "figures", "--timeout", "1",
                           "--endpoint", f"http://127.0.0.1:{port}/query")
    finally:
        listener.close()
    assert code == 3 and "did not answer within 1 s" in err


def test_publish_to_an_unreachable_store_exits_3(workspace, capsys) -> None:
    code, _, err = cli(workspace, capsys, "publish", "--endpoint", "http://127.0.0.1:9/store")
    assert code == 3
    assert err == ("miggraph: error: cannot reach the SPARQL endpoint http://127.0.0.1:9/query: "
                   "Connection refused; nothing was uploaded\n")


def test_publish_needs_a_query_endpoint_it_can_find(workspace, capsys) -> None:
    code, _, err = cli(workspace, capsys, "publish", "--endpoint", "http://127.0.0.1:9/gsp")
    assert code == 2 and "--query-endpoint" in err


# ---------------------------------------------------------------- miggraph serve

def serve_process(workspace: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "miggraph", "--project", str(workspace), "serve", "--port",
         str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})


def test_serve_prints_the_endpoint_and_stops_cleanly(workspace, capsys) -> None:
    port = free_port()
    process = serve_process(workspace, port)
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        url = f"http://127.0.0.1:{port}/query"
        assert any(line.split() == ["SPARQL", "endpoint:", url] for line in lines), lines
        code, out, _ = cli(workspace, capsys, "query", "who-represents", "--endpoint", url)
        assert code == 0 and "Consulate General of Norway in Guangzhou" in out
        update = urllib.request.Request(
            f"http://127.0.0.1:{port}/update", data=b"CLEAR ALL", method="POST",
            headers={"Content-Type": "application/sparql-update"})
        with pytest.raises(urllib.error.HTTPError):  # read-only by default
            urllib.request.urlopen(update, timeout=10)
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert out.strip().endswith("Stopped.")
    with pytest.raises(ConnectionRefusedError):  # the server is gone
        socket.create_connection(("127.0.0.1", port), timeout=5)


def test_serve_on_a_port_in_use_is_a_one_line_error(workspace) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "miggraph", "--project", str(workspace), "serve", "--port",
             str(port)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr == (f"miggraph: error: port {port} on 127.0.0.1 is already in use; "
                           "choose another with --port\n")


# ---------------------------------------------------------------- publish tells the truth

class Faulty:
    """A small local HTTP server whose query and Graph Store endpoints answer as told.

    `query_status` / `store_status` are HTTP statuses (200 answers properly); `count` is what
    the count query returns. It records the methods and paths it was sent.
    """

    def __init__(self, query_status: int = 200, store_status: int = 204, count: int = 0,
                 query_statuses_after_put: int | None = None) -> None:
        import http.server

        faulty = self
        self.query_status = query_status
        self.store_status = store_status
        self.after_put = query_statuses_after_put
        self.count = count
        self.seen: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802 - the query endpoint
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                faulty.seen.append(f"POST {self.path}")
                status = faulty.query_status
                if faulty.after_put is not None and any(s.startswith("PUT") for s in faulty.seen):
                    status = faulty.after_put
                if status != 200:
                    self._answer(status, b"proxy says no", "text/plain")
                elif "query" in self.path:
                    body = json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": [
                        {"n": {"type": "literal", "value": str(faulty.count),
                               "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}})
                    self._answer(200, body.encode(), "application/sparql-results+json")

            def do_PUT(self) -> None:  # noqa: N802 - the Graph Store endpoint
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                faulty.seen.append(f"PUT {self.path}")
                self._answer(faulty.store_status, b"" if faulty.store_status < 300
                             else b"forbidden here", "text/plain")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def publish_cli(workspace: Path, base: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "miggraph", "--project", str(workspace), "-q", "publish",
         "--endpoint", f"{base}/store", "--timeout", "5"],
        capture_output=True, text=True, timeout=120, check=False)


def test_publish_checks_the_query_endpoint_before_uploading(workspace) -> None:
    faulty = Faulty(query_status=502)
    try:
        done = publish_cli(workspace, faulty.base)
    finally:
        faulty.close()
    assert done.returncode == 3
    assert done.stderr == (f"miggraph: error: {faulty.base}/query answered HTTP 502 Bad Gateway: "
                           "proxy says no; nothing was uploaded\n")
    assert faulty.seen == ["POST /query"]  # no PUT


@pytest.mark.parametrize("status, code, outcome", [
    (403, 2, "the remote graph is unchanged"),
    (502, 3, "the state of the remote graph is not known"),
    (504, 3, "the state of the remote graph is not known"),
])
def test_publish_upload_errors_say_what_is_known(workspace, status: int, code: int,
                                                 outcome: str) -> None:
    faulty = Faulty(store_status=status)
    try:
        done = publish_cli(workspace, faulty.base)
    finally:
        faulty.close()
    reason = {403: "Forbidden", 502: "Bad Gateway", 504: "Gateway Timeout"}[status]
    assert done.returncode == code
    assert done.stderr == (f"miggraph: error: {faulty.base}/store refused the upload (HTTP "
                           f"{status} {reason}: forbidden here); {outcome}\n")


def test_publish_says_the_upload_succeeded_when_only_the_count_failed(workspace) -> None:
    faulty = Faulty(query_statuses_after_put=504)
    try:
        done = publish_cli(workspace, faulty.base)
    finally:
        faulty.close()
    nt_file = (workspace / "dist" / "miggraph.nt").resolve()
    assert done.returncode == 3
    assert done.stderr == (
        f"miggraph: error: uploaded {nt_file} to graph <https://w3id.org/miggraph/graph/miggraph> "
        f"at {faulty.base}/store; the count could not be checked: {faulty.base}/query answered "
        "HTTP 504 Gateway Timeout: proxy says no\n")
    assert [s.split("?")[0] for s in faulty.seen] == ["POST /query", "PUT /store", "POST /query"]


def test_publish_count_has_a_timeout(workspace) -> None:
    listener, port = silent_server(answer=False)
    try:
        with pytest.raises(MiggraphError) as caught:
            publish_mod.count_remote(f"http://127.0.0.1:{port}/query", GRAPH, timeout=1)
    finally:
        listener.close()
    assert caught.value.exit_code == 3
    assert str(caught.value) == (f"http://127.0.0.1:{port}/query did not answer within 1 s "
                                 "(--timeout)")


def test_publish_counts_distinct_triples(server, tmp_path) -> None:
    doubled = tmp_path / "doubled.nt"
    line = '<https://example.org/a> <https://example.org/p> "x" .\n'
    doubled.write_text(line + line + '<https://example.org/a> <https://example.org/p> "y" .\n',
                       encoding="utf-8")
    done = publish_mod.publish(doubled, f"{server}/store", graph=GRAPH + "/doubled")
    assert (done.local, done.remote, done.complete) == (2, 2, True)


@contextmanager
def miggraph_serve(workspace: Path, timeout: float) -> Iterator[int]:
    """`miggraph serve --timeout` on a free port, stopped with Ctrl-C at the end; yields the port."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "miggraph", "--project", str(workspace), "serve", "--port",
         str(port), "--timeout", f"{timeout:g}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout
        for line in process.stdout:
            if line.startswith("Press Ctrl-C"):
                break
        yield port
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)


def test_serve_stops_a_runaway_query_at_its_timeout(workspace) -> None:
    with miggraph_serve(workspace, timeout=1) as port:
        runaway = urllib.request.Request(
            f"http://127.0.0.1:{port}/query", method="POST",
            data=b"SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
            headers={"Content-Type": "application/sparql-query"})
        with urllib.request.urlopen(runaway, timeout=300) as response:  # would take hours
            body = response.read().decode()
        # Oxigraph has sent the head of the answer already, and ends the body with its reason.
        assert body == ('{"head":{"vars":["n"]},"results":{"bindings":['
                        "The SPARQL operation has been cancelled")


def test_an_answer_the_server_cancels_part_way_says_so(workspace) -> None:
    with miggraph_serve(workspace, timeout=1) as port:
        done = subprocess.run(
            [sys.executable, "-m", "miggraph", "--project", str(workspace), "-q", "query", "-",
             "--endpoint", f"http://127.0.0.1:{port}/query"],
            input="SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
            capture_output=True, text=True, timeout=300, check=False)
    assert (done.returncode, done.stdout) == (3, "")
    assert done.stderr == (f"miggraph: error: http://127.0.0.1:{port}/query stopped part-way "
                           "through its answer: The SPARQL operation has been cancelled\n")
