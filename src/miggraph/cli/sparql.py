"""Sub-commands that put SPARQL in researchers' hands: query, queries, serve, publish."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

from ..api import KnowledgeGraph
from ..errors import ExitCode, MiggraphError
from ..files import write_text_atomic
from ..formats import RESULT_FORMATS
from ..project import Project
from ..sparql import library as query_mod
from ..sparql import params as params_mod
from ..sparql import publish as publish_mod
from ..sparql import results as results_mod
from ..sparql import server as server_mod
from ..sparql.checks import check_query, missing_prefixes
from ..sparql.remote import Credentials, read_credentials
from . import HelpFormatter, open_kg, project_from

QUERY_HELP = """\
Run a SPARQL query on the built graph and print the answer.

QUERY is a .rq file, the name of a query in queries/ (see `miggraph queries`), or - to read
the query from standard input. Prefixes such as mg:, mgd:, role:, schema:, skos:, rdfs: and
xsd: may be used without declaring them.

By default the query runs on the embedded store: the built graph (dist/miggraph.nt) loaded
into pyoxigraph once, kept under dist/cache/, and loaded again only when dist/ changes.
With --endpoint the same query goes to a remote SPARQL 1.1 endpoint instead, for example
the one `miggraph serve` starts, a store you published to with `miggraph publish`, or any
public endpoint: the query is sent as written, so the endpoint's own prefixes and syntax work;
only PREFIX lines for the prefixes above that it uses without declaring are added, and a note
on stderr names them (an endpoint may give a name such as schema: another namespace: declare
it in the query to use the endpoint's). Redirects are followed, and an endpoint that refuses
POST is asked with GET.

A query's parameters are its one-variable VALUES blocks; --param NAME=VALUE replaces the
default values (repeat the same NAME for several values). Each value is parsed as exactly one
RDF term: an IRI (<...>, or a bare http(s) address), a prefixed name whose prefix is declared
(mgd:mps), a literal in SPARQL syntax ('"Yiwu"@en', '"2015"^^xsd:gYear'), or plain text with
no spaces or punctuation (2015-09-01), which is that string. Anything else is refused (exit 2).
The term is bound through pyoxigraph's substitutions (or, for --endpoint, a VALUES block
written from the parsed term), never pasted into the query text.

Rows are written as they come, in every format, in memory that does not grow with the
answer; the table fixes its column widths from the first 1000 rows and cuts wider cells
later with an ellipsis. --timeout bounds the whole command, rows already written included;
--limit N stops after N rows. Closing the output early (`| head`) ends quietly with exit 0.
SPARQL updates are refused, and SERVICE (which makes the store call another endpoint) is
refused on the embedded store unless --allow-service is given.

Formats: table (plain text, default), csv, tsv and json (the W3C SPARQL 1.1 results formats),
ttl (Turtle, for CONSTRUCT and DESCRIBE, and their default).

Exit codes: 2 for a malformed query (the parser's message, with line and column of the
mistake; for --endpoint, the endpoint's message), an update, or a bad parameter; 3 for an
endpoint that cannot be reached or fails, or a query that exceeds --timeout.

Examples:
  miggraph query activities-in-place --param place=mgd:zhejiang
  miggraph query co-participation --param actorA=mgd:dg-home --param actorB=mgd:mps
  miggraph query figures --format csv > figures.csv
  miggraph query actor-neighbourhood --param actor=mgd:mps > mps.ttl
  echo 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }' | miggraph query -
  miggraph query figures --endpoint http://127.0.0.1:7878/query
  miggraph query - --format tsv --limit 10 --timeout 30 < big.rq
"""

QUERIES_HELP = """\
List the competency questions in queries/ with their titles. With NAME, show that query's
question, parameters with their defaults, the columns it returns, and its text.

With --run DIR, runs every query with its default parameters and writes each answer to
DIR/NAME.csv (or NAME.ttl for a CONSTRUCT), printing the row counts: a quick look at what the
library answers, and what `make demo` does.

Examples:
  miggraph queries
  miggraph queries co-participation
  miggraph queries --markdown > queries/README.md
  miggraph queries --run            answers every question into dist/answers/
"""

ANSWERS = Path("dist/answers")  # stands for the project's answers folder

SERVE_HELP = """\
Start a local SPARQL 1.1 endpoint over the built graph with the Oxigraph server, and keep
it running until Ctrl-C. The graph is copied into a private store that goes away when the
server stops; the endpoint is read-only unless --writable is given.

On start it prints the URLs:
  http://HOST:PORT/        a query page to use in a browser
  http://HOST:PORT/query   the SPARQL query endpoint (what `miggraph query --endpoint` takes)
  http://HOST:PORT/store   the Graph Store endpoint (what `miggraph publish --endpoint` takes,
                           with --writable)

The server stops any query that runs longer than --timeout seconds (default: 120; 0 for no
limit), so that a runaway query from a client that gave up does not keep a core busy. Oxigraph
also cuts a long answer it is still sending (the client then says it "stopped part-way"):
serve very large answers with a larger --timeout, or 0.

A port already in use is a one-line error (exit 2).

Examples:
  miggraph serve
  miggraph serve --port 8000 --bind 0.0.0.0
"""

PUBLISH_HELP = """\
Load the built graph (dist/miggraph.nt) into a remote triple store through the SPARQL 1.1
Graph Store HTTP Protocol, then count the triples there and compare with the local count.

The upload is an HTTP PUT to the named graph --graph: it replaces that graph, so publishing
again leaves one copy, and a store that applies the PUT as a transaction (Oxigraph, Fuseki,
GraphDB) keeps the graph as it was if the upload fails. A graph larger than --chunk-size goes
in parts: a PUT of the first, a POST (add) of each next one; a failure part-way says which
parts are there. The count goes through the store's query endpoint, found beside the store
URL for Oxigraph (/store -> /query), Virtuoso (/sparql-graph-crud-auth -> /sparql), Fuseki
(/DATASET/data -> /DATASET/query) and RDF4J/GraphDB (.../rdf-graphs/service -> the
repository); otherwise give --query-endpoint. Query the published graph with
`miggraph query NAME --endpoint QUERY-URL --graph GRAPH`.

Credentials are never command-line arguments: --user (or MIGGRAPH_USER) names the user; the
password comes from MIGGRAPH_PASSWORD, --password-file FILE, the host's ~/.netrc entry, or a
prompt. They are sent only when the server asks (basic or digest authentication, as it asks).

Before the upload the query endpoint is checked (nothing is uploaded if it cannot answer);
after each step the command says what is known: an upload that succeeded followed by a count
that failed says so, and after a server or proxy error (5xx) or a timeout the message says
the state of the remote graph is not known. The local count is of distinct triples. Every
request has a timeout (--timeout for the check and the count; 600 s for the upload).

Exit codes: 0 when both counts agree, 1 when they differ, 2 when the store refused the data
or the request (any HTTP 4xx, 403 included), 3 when it cannot be reached, answers a 5xx
or does not answer in time.

Examples:
  miggraph publish --endpoint http://127.0.0.1:7878/store
  MIGGRAPH_PASSWORD=... miggraph publish --user dba \\
      --endpoint http://127.0.0.1:8890/sparql-graph-crud-auth
  miggraph publish --endpoint https://example.org/rdf4j/repositories/mig/rdf-graphs/service \\
      --user curator --password-file ~/.config/miggraph/password
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("query", help="run a SPARQL query on the graph",
                       description=QUERY_HELP, formatter_class=HelpFormatter)
    p.add_argument("query", metavar="QUERY", help="a .rq file, a query name from queries/, or -")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="set a parameter of the query; repeat for several")
    p.add_argument("--format", choices=RESULT_FORMATS,
                   help="table (default), csv, tsv, json, or ttl for CONSTRUCT/DESCRIBE")
    _remote_arguments(p, "send the query to this SPARQL 1.1 endpoint instead of the "
                         "embedded store")
    p.add_argument("--graph", metavar="IRI",
                   help="with --endpoint: use this named graph as the default graph")
    p.add_argument("--timeout", type=float, metavar="SECONDS",
                   help="stop after this many seconds in all, rows already written included "
                        "(exit 3)")
    p.add_argument("--limit", type=int, metavar="N", help="write at most N rows (or triples)")
    p.add_argument("--allow-service", action="store_true",
                   help="let a query on the embedded store call other endpoints with SERVICE")
    p.add_argument("--dist", type=Path, metavar="DIR",
                   help="the built graph's folder (default: dist/)")
    p.add_argument("--include-planned", action="store_true",
                   help="for queries with a ?statusIn parameter: count planned activities too "
                        "(default: held ones only)")
    p.set_defaults(func=run_query)

    p = sub.add_parser("queries", help="list the competency questions in queries/",
                       description=QUERIES_HELP, formatter_class=HelpFormatter)
    p.add_argument("name", nargs="?", metavar="NAME", help="show this query in full")
    p.add_argument("--markdown", action="store_true",
                   help="print the library as queries/README.md")
    p.add_argument("--run", type=Path, metavar="DIR", nargs="?", const=ANSWERS,
                   help="run every query with its defaults on the embedded store and write each "
                        "answer to DIR (default: dist/answers/; CSV for SELECT and ASK, Turtle "
                        "for CONSTRUCT)")
    p.add_argument("--dist", type=Path, metavar="DIR", help="with --run: the built graph's folder (default: dist/)")
    p.set_defaults(func=run_queries)

    p = sub.add_parser("serve", help="start a local SPARQL endpoint over the graph",
                       description=SERVE_HELP, formatter_class=HelpFormatter)
    p.add_argument("--port", type=int, default=7878, help="the port (default: 7878)")
    p.add_argument("--bind", default="127.0.0.1", metavar="HOST",
                   help="the address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--writable", action="store_true",
                   help="accept SPARQL updates and Graph Store writes (they are not kept)")
    p.add_argument("--timeout", type=int, metavar="SECONDS", default=server_mod.DEFAULT_TIMEOUT,
                   help="the server stops any query after this many seconds (default: "
                        f"{server_mod.DEFAULT_TIMEOUT}; 0 for no limit)")
    p.add_argument("--dist", type=Path, metavar="DIR",
                   help="the built graph's folder (default: dist/)")
    p.set_defaults(func=run_serve)

    p = sub.add_parser("publish", help="load the graph into a remote triple store",
                       description=PUBLISH_HELP, formatter_class=HelpFormatter)
    _remote_arguments(p, "the store's Graph Store endpoint (for Oxigraph: http://HOST:PORT/store)",
                      required=True)
    p.add_argument("--graph", default=publish_mod.DEFAULT_GRAPH, metavar="IRI",
                   help=f"the named graph to replace (default: {publish_mod.DEFAULT_GRAPH})")
    p.add_argument("--query-endpoint", metavar="URL",
                   help="the store's SPARQL query endpoint, to count the triples there")
    p.add_argument("--chunk-size", type=int, default=publish_mod.CHUNK_BYTES, metavar="BYTES",
                   help="send a larger graph in parts of at most this many bytes (default: "
                        f"{publish_mod.CHUNK_BYTES // 2**20} MiB)")
    p.add_argument("--timeout", type=float, default=publish_mod.QUERY_TIMEOUT, metavar="SECONDS",
                   help="for the check before and the count after the upload "
                        f"(default: {publish_mod.QUERY_TIMEOUT:g})")
    p.add_argument("--dist", type=Path, metavar="DIR",
                   help="the built graph's folder (default: dist/)")
    p.set_defaults(func=run_publish)


def _remote_arguments(p: argparse.ArgumentParser, endpoint_help: str,
                      required: bool = False) -> None:
    p.add_argument("--endpoint", metavar="URL", required=required, help=endpoint_help)
    p.add_argument("--user", help="user name, when the server asks for one (basic or digest "
                                  "authentication; default: MIGGRAPH_USER, or ~/.netrc)")
    p.add_argument("--password-file", type=Path, metavar="FILE",
                   help="read --user's password from the first line of FILE (else "
                        "MIGGRAPH_PASSWORD, ~/.netrc, or a prompt; never on the command line)")


def _credentials(args: argparse.Namespace) -> Credentials | None:
    return read_credentials(args.endpoint, args.user, args.password_file)


def open_store_kg(args: argparse.Namespace) -> KnowledgeGraph:
    """The project, asking --endpoint when given, else the embedded store over dist/."""
    if args.graph and not args.endpoint:
        raise MiggraphError("--graph goes with --endpoint; the embedded store has one graph")
    if args.endpoint:
        credentials = _credentials(args)
        return open_kg(args, endpoint=args.endpoint, graph=args.graph,
                       user=credentials.user if credentials else None,
                       password=credentials.password if credentials else None)
    return open_kg(args, allow_service=args.allow_service)


def run_query(args: argparse.Namespace) -> int:
    project = project_from(args)
    if args.timeout is not None and args.timeout <= 0:
        raise MiggraphError("--timeout must be a positive number of seconds")
    if args.limit is not None and args.limit < 0:
        raise MiggraphError("--limit must be 0 or more")
    deadline = None if args.timeout is None else time.monotonic() + args.timeout
    source, text = query_mod.resolve(args.query, project.queries)
    values = params_mod.parse_assignments(args.param)
    if args.endpoint and values:  # sent as written; only parameters need it parsed here
        _readable_for_parameters(text, source)
    if args.endpoint and not getattr(args, "quiet", False):
        _say_added_prefixes(text)
    kg = open_store_kg(args)
    stream = kg.stream(text, values, include_planned=args.include_planned, timeout=args.timeout,
                       deadline=deadline, source=source)
    results_mod.write_stream(stream, args.format, sys.stdout, limit=args.limit)
    sys.stdout.flush()
    return 0


def _say_added_prefixes(text: str) -> None:
    """Say which PREFIX lines go with the query: the endpoint may give one of those names
    another namespace, and a silent choice would give a silently empty answer."""
    added = missing_prefixes(text)
    if added:
        lines = ", ".join(f"{p}: <{ns}>" for p, ns in added.items())
        print(f"miggraph: note: the query uses prefixes it does not declare; sent with {lines} "
              "(declare them in the query to use the endpoint's own)", file=sys.stderr)


def _readable_for_parameters(text: str, source: str) -> None:
    """--param rewrites the query's VALUES blocks, which needs a query miggraph can parse;
    say so (exit 2) for one in a dialect Oxigraph does not read, instead of guessing."""
    try:
        check_query(text, source)
    except MiggraphError as exc:
        if exc.exit_code != ExitCode.BAD_INPUT or "malformed" not in exc.message:
            raise
        raise MiggraphError(f"--param needs a query miggraph can parse, and Oxigraph cannot "
                            f"parse this one ({exc.message}); without --param it is sent to "
                            "the endpoint as written: put the values in the query text",
                            location=exc.location) from exc


def run_queries(args: argparse.Namespace) -> int:
    project = project_from(args)
    queries = query_mod.library(project.queries)
    if args.markdown:
        sys.stdout.write(query_mod.render_readme(queries))
        return 0
    if args.run:
        return _run_all(args, project, queries)
    if args.name:
        name = args.name.removesuffix(".rq")
        found = [q for q in queries if q.name == name]
        if not found:
            raise MiggraphError(f"{args.name}: no query of that name in {project.queries}")
        q = found[0]
        print(f"{q.name}: {q.title}\n\n{q.question}\n")
        if q.defaults:
            print("Parameters (--param NAME=VALUE):")
            for param, values in q.defaults.items():
                doc = q.parameters.get(param, "")
                print(f"  {param:<12} default {' '.join(values)}{'  ' + doc if doc else ''}")
            print()
        print(f"Returns: {', '.join(q.returns)}\n\n{q.path}:\n")
        print(q.text.rstrip())
        return 0
    if not queries:
        print(f"No queries in {project.queries}.")
        return 0
    width = max(len(q.name) for q in queries)
    for q in queries:
        print(f"{q.name:<{width}}  {q.title}")
    print(f"\n{len(queries)} queries in {project.queries}; "
          "`miggraph queries NAME` shows one, `miggraph query NAME` runs it.")
    return 0


def _run_all(args: argparse.Namespace, project: Project, queries: list[query_mod.NamedQuery]) -> int:
    """Answer the whole library once, each answer in its own file: what `make demo` shows."""
    if args.run is ANSWERS:
        args.run = project.answers
    kg = open_kg(args)
    for q in queries:
        started = time.perf_counter()
        result = kg.stream(q.text, source=str(q.path)).collect()
        fmt = "ttl" if result.kind == "graph" else "csv"
        out = args.run / f"{q.name}.{fmt}"
        write_text_atomic(out, results_mod.format_result(result, fmt))
        size = f"{len(result.triples)} triples" if result.kind == "graph" else f"{len(result.rows)} rows"
        print(f"  {q.name:<28} {size:>12}  {(time.perf_counter() - started) * 1000:5.0f} ms  {out}")
    print(f"Answered {len(queries)} competency questions into {args.run}/.")
    return 0


def run_serve(args: argparse.Namespace) -> int:
    project = project_from(args)
    nt_file = project.built("nt", args.dist or project.dist).resolve()
    if not 0 < args.port < 65536:
        raise MiggraphError(f"--port {args.port}: not a port number (1-65535)")
    if args.timeout < 0:
        raise MiggraphError("--timeout must be 0 (no limit) or a number of seconds")
    # A terminal's Ctrl-C also reaches the server; a SIGTERM from a supervisor stops it too.
    signal.signal(signal.SIGTERM, _interrupt)
    started = time.perf_counter()
    try:
        with server_mod.running(nt_file, args.bind, args.port, writable=args.writable,
                                timeout_s=args.timeout) as (endpoint, process):
            mode = "read-write" if args.writable else "read-only"
            print(f"Serving {nt_file} ({mode}), ready in {time.perf_counter() - started:.1f} s.")
            print(f"  query page:      {endpoint.base}/")
            print(f"  SPARQL endpoint: {endpoint.query}")
            print(f"  Graph Store:     {endpoint.store}")
            print(f"Try: miggraph query figures --endpoint {endpoint.query}")
            print("Press Ctrl-C to stop.", flush=True)
            code = process.wait()
            raise MiggraphError(f"the oxigraph server stopped unexpectedly (exit {code})",
                                exit_code=3)
    except KeyboardInterrupt:
        print("Stopped.", flush=True)
        return 0


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def run_publish(args: argparse.Namespace) -> int:
    project = project_from(args)
    nt_file = project.built("nt", args.dist or project.dist).resolve()
    started = time.perf_counter()
    done = publish_mod.publish(nt_file, args.endpoint, graph=args.graph,
                               query_url=args.query_endpoint, credentials=_credentials(args),
                               timeout=args.timeout, chunk_bytes=args.chunk_size)
    elapsed = time.perf_counter() - started
    parts = f" in {done.requests} requests" if done.requests > 1 else ""
    print(f"Published {nt_file} to graph <{done.graph}> at {done.store_url}{parts} in "
          f"{elapsed:.1f} s.")
    print(f"Triples: {done.local} here (distinct), {done.remote} there (counted at "
          f"{done.query_url}).")
    if not done.complete:
        print("miggraph: error: the counts differ; the store did not keep the graph whole",
              file=sys.stderr)
        return 1
    return 0
