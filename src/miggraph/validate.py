"""Validate: run the SHACL shapes (ontology/shapes.ttl) on a built graph.

Two engines give the same report: pyshacl, the reference, and `oxigraph`, the shapes compiled
to SPARQL and run on pyoxigraph (shacl_sparql.py), which is tens of times faster on large
graphs. The report is regrouped by shape and focus node so that a curator sees, for each broken
node, every message that applies to it. Violations fail validation; warnings do not.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph
from pyshacl import validate as shacl_validate
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef

from . import shacl_sparql
from .errors import MiggraphError
from .project import shorten

ENGINES = ("pyshacl", "oxigraph")

SH = Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class Finding:
    """One result of the SHACL report."""

    severity: str
    shape: str
    focus: str
    path: str
    value: str
    message: str
    referrers: tuple[str, ...] = ()


@dataclass
class Report:
    """The outcome of a validation: findings and the raw SHACL results graph."""

    findings: list[Finding]
    results_graph: Graph

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def conforms(self) -> bool:
        return not self.violations


def load_shapes(path: Path) -> Graph:
    if not path.is_file():
        raise MiggraphError(f"{path}: shapes file not found")
    return Graph().parse(path, format="turtle")


def _term(node: object) -> str:
    if isinstance(node, URIRef):
        return shorten(str(node))
    if isinstance(node, Literal):
        return repr(str(node)) if node.datatype is None else f"{node!s} ({shorten(str(node.datatype))})"
    if isinstance(node, BNode):
        return "[]"
    return "" if node is None else str(node)


def _path(results: Graph, shapes: Graph, node: object) -> str:
    if isinstance(node, URIRef):
        return shorten(str(node))
    if isinstance(node, BNode):
        inverse = results.value(node, SH.inversePath) or shapes.value(node, SH.inversePath)
        if inverse is not None:
            return f"^{shorten(str(inverse))}"
    return _term(node)


def _owner(shapes: Graph, shape: object) -> object:
    """The named node shape a property or SPARQL constraint belongs to."""
    owner = shapes.value(None, SH.property, shape) or shapes.value(None, SH.sparql, shape)
    return owner if owner is not None else shape


def _referrers(data: Graph, node: object) -> tuple[str, ...]:
    """The subjects that use an undefined IRI, so a curator can find the typo."""
    if not isinstance(node, URIRef) or (node, RDF.type, None) in data:
        return ()
    users = set(data.subjects(None, node)) | {s for s, _, _ in data.triples((None, node, None))}
    return tuple(sorted(_term(u) for u in users)[:10])


def validate_graph(data: Graph, shapes: Graph, engine: str = "pyshacl") -> Report:
    """Validate an rdflib graph with either engine."""
    if engine == "oxigraph":
        store = pyoxigraph.Store()
        store.load(data.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
        return validate_store(store, shapes)
    if engine != "pyshacl":
        raise MiggraphError(f"unknown validation engine {engine!r}; choose one of {', '.join(ENGINES)}")
    _conforms, results, _text = shacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True,
    )
    findings: list[Finding] = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        source = results.value(result, SH.sourceShape)
        message = results.value(result, SH.resultMessage)
        if message is None and source is not None:
            message = shapes.value(source, SH.message)
        focus = results.value(result, SH.focusNode)
        findings.append(Finding(
            severity=str(results.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
            shape=_term(_owner(shapes, source)),
            focus=_term(focus),
            path=_path(results, shapes, results.value(result, SH.resultPath)),
            value=_term(results.value(result, SH.value)),
            message=str(message or "constraint not met"),
            referrers=_referrers(data, focus),
        ))
    return Report(findings=_sorted(findings), results_graph=results)


def validate_store(store: pyoxigraph.Store, shapes: Graph) -> Report:
    """Validate the graph in a pyoxigraph store with the shapes compiled to SPARQL."""
    raw = shacl_sparql.run(store, shapes)
    results = Graph()
    results.bind("sh", SH)
    report_node = BNode()
    results.add((report_node, RDF.type, SH.ValidationReport))
    results.add((report_node, SH.conforms, Literal(not any(r.severity == "Violation" for r in raw))))
    findings: list[Finding] = []
    for r in raw:
        node = BNode()
        results.add((report_node, SH.result, node))
        results.add((node, RDF.type, SH.ValidationResult))
        results.add((node, SH.focusNode, r.focus))
        results.add((node, SH.resultSeverity, SH[r.severity]))
        results.add((node, SH.sourceShape, r.source_shape))
        results.add((node, SH.resultMessage, Literal(r.message)))
        if r.path is not None:
            results.add((node, SH.resultPath, r.path))
        if r.value is not None:
            results.add((node, SH.value, r.value))
        findings.append(Finding(
            severity=r.severity, shape=_term(r.node_shape), focus=_term(r.focus),
            path=_path(results, shapes, r.path), value=_term(r.value), message=r.message,
            referrers=_store_referrers(store, r.focus),
        ))
    return Report(findings=_sorted(findings), results_graph=results)


def _store_referrers(store: pyoxigraph.Store, node: object) -> tuple[str, ...]:
    if not isinstance(node, URIRef):
        return ()
    iri = pyoxigraph.NamedNode(str(node))
    if any(store.quads_for_pattern(iri, pyoxigraph.NamedNode(str(RDF.type)), None)):
        return ()
    users = {q.subject.value for q in store.quads_for_pattern(None, None, iri)}
    users |= {q.subject.value for q in store.quads_for_pattern(None, iri, None)}
    return tuple(sorted(_term(URIRef(u)) for u in users)[:10])


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.severity != "Violation", f.shape, f.focus, f.path, f.value, f.message))


def format_text(report: Report) -> str:
    """The report grouped by shape, then focus node, one message per line."""
    if not report.findings:
        return "Conforms: 0 violations."
    grouped: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in report.findings:
        grouped[finding.shape][finding.focus].append(finding)
    lines: list[str] = []
    for shape, by_focus in grouped.items():
        count = sum(len(v) for v in by_focus.values())
        lines.append(f"{shape} ({count} result{'s' if count != 1 else ''})")
        for focus, items in by_focus.items():
            lines.append(f"  {focus}")
            for f in items:
                where = f" {f.path}" if f.path else ""
                value = f" [value: {f.value}]" if f.value and f.value != f.focus else ""
                lines.append(f"    {f.severity}{where}: {f.message}{value}")
                if f.referrers:
                    lines.append(f"      used by: {', '.join(f.referrers)}")
    v = len(report.violations)
    w = len(report.findings) - v
    lines.append(f"{v} violation{'s' if v != 1 else ''}, {w} warning{'s' if w != 1 else ''}.")
    return "\n".join(lines)


def format_json(report: Report) -> str:
    return json.dumps({
        "conforms": report.conforms,
        "violations": len(report.violations),
        "results": [asdict(f) for f in report.findings],
    }, indent=2, ensure_ascii=False)


def format_ttl(report: Report) -> str:
    return report.results_graph.serialize(format="turtle")
