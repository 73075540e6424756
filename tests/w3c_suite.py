"""Helpers to run the W3C SHACL test suite (../shared/conformance/w3c-shacl/) on either engine.

A case is one `sht:Validate` entry: a data file, a shapes file and the expected outcome, either
a validation report or `sht:Failure` (the engine must refuse). Reports are compared as multisets
of (focus node, path, value, severity, source constraint component), blank nodes standing for
any blank node and paths written in SPARQL syntax.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from miggraph.graph.shacl import Result
from miggraph.graph.shacl import paths as shacl_paths
from miggraph.graph.shacl.graph import AsWritten, Graph
from miggraph.graph.shacl.graph import load as load_file

SUITE = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "w3c-shacl"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
SHT = "http://www.w3.org/ns/shacl-test#"
SH = "http://www.w3.org/ns/shacl#"

Row = tuple[str, str, str, str, str]


@dataclass(frozen=True)
class Case:
    name: str  # e.g. core/node/class-001
    data: Path
    shapes: Path
    failure: bool  # the expected outcome is sht:Failure
    conforms: bool
    rows: tuple[Row, ...]


def _path(iri: str) -> Path:
    return Path(iri.removeprefix("file://"))


def load(path: Path) -> tuple[ox.Store, AsWritten]:
    """The data graph of a case, with the literals the store rewrites."""
    store, as_written = ox.Store(), {}  # type: ignore[var-annotated]
    load_file(store, str(path), ox.RdfFormat.TURTLE, path.as_uri(), as_written)
    return store, as_written


def parse(path: Path) -> list[ox.Triple]:
    """The triples of a file as written (a store would canonicalise some literals)."""
    with path.open("rb") as stream:
        return list(ox.parse(stream, format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()))  # type: ignore[arg-type]


def term_key(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:b"
    return str(term)


def report_rows(triples: list[ox.Triple], report: object) -> tuple[bool, tuple[Row, ...]]:
    """sh:conforms and the result rows of a sh:ValidationReport node in `triples`."""
    graph = Graph(triples=triples)
    n = ox.NamedNode
    conforms = graph.value(report, n(SH + "conforms"))  # type: ignore[arg-type]
    rows: list[Row] = []
    for result in graph.objects(report, n(SH + "result")):  # type: ignore[arg-type]
        path_node = graph.value(result, n(SH + "resultPath"))
        path = shacl_paths.parse(graph, path_node, result).sparql() if path_node is not None else ""
        rows.append((term_key(graph.value(result, n(SH + "focusNode"))), path,
                     term_key(graph.value(result, n(SH + "value"))),
                     term_key(graph.value(result, n(SH + "resultSeverity"))),
                     term_key(graph.value(result, n(SH + "sourceConstraintComponent")))))
    return conforms is not None and conforms.value == "true", tuple(sorted(rows))  # type: ignore[union-attr]


def engine_rows(results: list[Result]) -> tuple[bool, tuple[Row, ...]]:
    rows = [(term_key(r.focus), r.path.sparql() if r.path else "", term_key(r.value), term_key(r.severity),
             f"<{SH}{r.component}>") for r in results]
    return not results, tuple(sorted(rows))


def cases(folder: str) -> list[Case]:
    """Every sht:Validate case under `folder` (core or sparql), following mf:include."""
    found: list[Case] = []
    todo = [SUITE / folder / "manifest.ttl"]
    while todo:
        manifest = todo.pop(0)
        store = parse(manifest)
        graph = Graph(triples=store)
        n = ox.NamedNode
        for include in graph.all_objects(n(MF + "include")):
            todo.append(_path(include.value))  # type: ignore[union-attr]
        for head in graph.all_objects(n(MF + "entries")):
            for entry in graph.items(head, str(manifest)):
                if n(SHT + "Validate") not in graph.objects(entry, n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")):
                    continue
                action = graph.value(entry, n(MF + "action"))
                result = graph.value(entry, n(MF + "result"))
                data = _path(graph.value(action, n(SHT + "dataGraph")).value)  # type: ignore[arg-type,union-attr]
                shapes = _path(graph.value(action, n(SHT + "shapesGraph")).value)  # type: ignore[arg-type,union-attr]
                name = str(manifest.parent.relative_to(SUITE) / _path(entry.value).name)  # type: ignore[union-attr]
                if result == n(SHT + "Failure"):
                    found.append(Case(name, data, shapes, True, False, ()))
                else:
                    conforms, rows = report_rows(store, result)
                    found.append(Case(name, data, shapes, False, conforms, rows))
    return sorted(found, key=lambda c: c.name)


def run_oxigraph(case: Case) -> tuple[bool, tuple[Row, ...]]:
    from miggraph.graph.shacl import validate

    store, as_written = load(case.data)
    return engine_rows(validate(store, parse(case.shapes), as_written))


def run_pyshacl(case: Case) -> tuple[bool, tuple[Row, ...]]:
    from pyshacl import validate as pyshacl_validate
    from rdflib import Graph as RdflibGraph

    data = RdflibGraph().parse(case.data, format="turtle", publicID=case.data.as_uri())
    shapes = RdflibGraph().parse(case.shapes, format="turtle", publicID=case.shapes.as_uri())
    _conforms, results, _text = pyshacl_validate(data, shacl_graph=shapes, inference="none", advanced=True)
    triples = list(ox.parse(results.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES))
    graph = Graph(triples=triples)  # type: ignore[arg-type]
    report = graph.subjects(ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                            ox.NamedNode(SH + "ValidationReport"))[0]
    return report_rows(triples, report)  # type: ignore[arg-type]
