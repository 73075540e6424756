"""Validate: run the SHACL shapes (ontology/shapes.ttl) on the graph, with one of two engines.

`oxigraph` (the default) is miggraph's own SHACL Core engine on pyoxigraph (`miggraph.shacl`):
it reads the Turtle itself, so literals reach it as written, and it refuses (exit 2) what it
does not implement. `pyshacl` is the reference implementation. Both give the same `Report`: the
results regrouped by shape and focus node, each with the shape's message. The report follows
the SHACL spec (`conforms` is false as soon as there is any result); the command fails only on
results of severity sh:Violation.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox
from pyshacl import validate as shacl_validate
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from ..errors import MiggraphError
from ..project import Project
from ..vocab import BASE, SH, XSD_STRING, shorten
from . import shacl
from .build import apply_rules, check_syntax, collect_inputs, parse_file
from .shacl.graph import AsWritten
from .shacl.graph import load as load_file
from .shacl.paths import Path as ShaclPath

ENGINES = ("oxigraph", "pyshacl")


@dataclass(frozen=True)
class Finding:
    """One result of the SHACL report."""

    severity: str
    shape: str
    focus: str
    path: str
    value: str
    message: str
    component: str = ""
    referrers: tuple[str, ...] = ()


@dataclass
class Report:
    """The outcome of a validation: findings and the SHACL results graph."""

    findings: list[Finding]
    results_graph: Graph
    files: int = 1  # how many files were validated together (the given ones and the rest of data/)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def conforms(self) -> bool:
        """As SHACL defines it: no result of any severity."""
        return not self.findings


# ---------------------------------------------------------------------- loading

def load_shapes(path: Path) -> Graph:
    """The shapes as an rdflib graph (for pyshacl)."""
    if not path.is_file():
        raise MiggraphError(f"{path}: shapes file not found")
    return parse_file(path)


def shapes_triples(path: Path) -> list[ox.Triple]:
    """The shapes as parsed triples, literals as written (for the oxigraph engine)."""
    if not path.is_file():
        raise MiggraphError(f"{path}: shapes file not found")
    check_syntax(path)
    with path.open("rb") as stream:
        return list(ox.parse(stream, format=ox.RdfFormat.TURTLE, base_iri=BASE))  # type: ignore[arg-type]


def input_files(project: Project, files: list[Path], standalone: bool) -> list[Path]:
    """What to validate: exactly `files` when standalone, else they replace or join data/."""
    missing = [f for f in files if not f.is_file()]
    if missing:
        raise MiggraphError(f"{missing[0]}: no such file")
    if standalone:
        return files
    given = {f.resolve() for f in files}
    rest = [p for p in collect_inputs(project) if p.resolve() not in given]
    return rest + files


def load_store(paths: Iterable[Path], rules: Path | None = None) -> tuple[ox.Store, AsWritten]:
    """A pyoxigraph store of the files as written, plus what the CONSTRUCT rules derive."""
    store = ox.Store()
    as_written: AsWritten = {}
    for path in paths:
        check_syntax(path)
        fmt = ox.RdfFormat.N_TRIPLES if path.suffix == ".nt" else ox.RdfFormat.TURTLE
        load_file(store, str(path), fmt, BASE, as_written)
    if rules is not None and rules.is_dir():
        for rule in sorted(rules.glob("*.rq")):
            try:
                derived = list(store.query(rule.read_text(encoding="utf-8")))  # type: ignore[arg-type]
            except SyntaxError as exc:
                raise MiggraphError(f"derivation rule failed: {exc}", location=str(rule)) from exc
            store.extend([ox.Quad(t.subject, t.predicate, t.object) for t in derived])  # type: ignore[union-attr]
    return store, as_written


def load_graph(paths: Iterable[Path], rules: Path | None = None) -> Graph:
    """The same as an rdflib graph (for pyshacl)."""
    graph = Graph()
    for path in paths:
        if path.suffix == ".nt":
            graph.parse(path, format="nt")
        else:
            graph += parse_file(path)
    if rules is not None:
        for _name, new in apply_rules(graph, rules):
            graph += new
    return graph


def validate_paths(paths: list[Path], shapes: Path, engine: str, rules: Path | None = None) -> Report:
    """Validate the union of `paths` (after the rules, if given) against the shapes file."""
    if engine == "oxigraph":
        store, as_written = load_store(paths, rules)
        report = validate_store(store, shapes_triples(shapes), as_written)
    elif engine == "pyshacl":
        report = validate_graph(load_graph(paths, rules), load_shapes(shapes), engine="pyshacl")
    else:
        raise MiggraphError(f"unknown validation engine {engine!r}; choose one of {', '.join(ENGINES)}")
    report.files = len(paths)
    return report


# ---------------------------------------------------------------------- engines

def validate_graph(data: Graph, shapes: Graph, engine: str = "pyshacl") -> Report:
    """Validate an rdflib graph with either engine."""
    if engine == "oxigraph":
        store = ox.Store()
        store.load(data.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
        triples = list(ox.parse(shapes.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES))
        return validate_store(store, triples)  # type: ignore[arg-type]
    if engine != "pyshacl":
        raise MiggraphError(f"unknown validation engine {engine!r}; choose one of {', '.join(ENGINES)}")
    _conforms, results, _text = shacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True,
    )
    findings: list[Finding] = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        source = results.value(result, SH.sourceShape)
        component = str(results.value(result, SH.sourceConstraintComponent)).rsplit("#", 1)[-1]
        if component == "SPARQLConstraintComponent":
            message = str(results.value(result, SH.resultMessage) or "")
        else:
            message = _shape_message(shapes, source)
        focus = results.value(result, SH.focusNode)
        findings.append(Finding(
            severity=str(results.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
            shape=_term(_owner(shapes, source)),
            focus=_term(focus),
            path=_rdflib_path(results, shapes, results.value(result, SH.resultPath)),
            value=_term(results.value(result, SH.value)),
            message=message or f"sh:{component} not met",
            component=component,
            referrers=_referrers(data, focus),
        ))
    return Report(findings=_sorted(findings), results_graph=results)


def validate_store(store: ox.Store, shapes: list[ox.Triple], as_written: AsWritten | None = None) -> Report:
    """Validate the graph in a pyoxigraph store with miggraph's own engine."""
    raw = shacl.validate(store, shapes, as_written)
    results = Graph()
    results.bind("sh", SH)
    report_node = BNode()
    results.add((report_node, RDF.type, SH.ValidationReport))
    results.add((report_node, SH.conforms, Literal(not raw)))
    findings: list[Finding] = []
    for r in raw:
        node = BNode()
        results.add((report_node, SH.result, node))
        results.add((node, RDF.type, SH.ValidationResult))
        results.add((node, SH.focusNode, _from_ox(r.focus)))
        results.add((node, SH.resultSeverity, URIRef(r.severity.value)))
        results.add((node, SH.sourceShape, _from_ox(r.source_shape)))
        results.add((node, SH.sourceConstraintComponent, SH[r.component]))
        if r.source_constraint is not None:
            results.add((node, SH.sourceConstraint, _from_ox(r.source_constraint)))
        message = r.message or f"sh:{r.component} not met"
        results.add((node, SH.resultMessage, Literal(message)))
        if r.path is not None:
            results.add((node, SH.resultPath, _path_node(results, r.path)))
        if r.value is not None:
            results.add((node, SH.value, _from_ox(r.value)))
        findings.append(Finding(
            severity=r.severity.value.rsplit("#", 1)[-1], shape=_term(_from_ox(r.root_shape)),
            focus=_term(_from_ox(r.focus)), path=_path_text(r.path), value=_term(_from_ox(r.value)),
            message=message, component=r.component, referrers=_store_referrers(store, r.focus),
        ))
    return Report(findings=_sorted(findings), results_graph=results)


# ---------------------------------------------------------------------- terms

def _from_ox(term: object) -> Node | None:
    """A pyoxigraph term as rdflib, the lexical form kept as written."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    raise MiggraphError(f"unexpected term {term!r}")


def _term(node: object) -> str:
    if isinstance(node, URIRef):
        return shorten(str(node))
    if isinstance(node, Literal):
        return repr(str(node)) if node.datatype is None else f"{node!s} ({shorten(str(node.datatype))})"
    if isinstance(node, BNode):
        return "[]"
    return "" if node is None else str(node)


def _path_text(path: ShaclPath | None) -> str:
    if path is None:
        return ""
    if path.kind == "pred":
        return shorten(path.pred.value)  # type: ignore[union-attr]
    inner = [_path_text(p) for p in path.parts]
    if path.kind == "inv":
        return f"^{inner[0]}"
    if path.kind in ("seq", "alt"):
        return "(" + ("/" if path.kind == "seq" else "|").join(inner) + ")"
    suffix = {"star": "*", "plus": "+", "opt": "?"}[path.kind]
    return f"({inner[0]}){suffix}"


def _path_node(graph: Graph, path: ShaclPath) -> Node:
    """The path written back as SHACL path triples in the results graph."""
    if path.kind == "pred":
        return URIRef(path.pred.value)  # type: ignore[union-attr]
    node = BNode()
    parts = [_path_node(graph, p) for p in path.parts]
    if path.kind == "seq":
        Collection(graph, node, parts)
        return node
    if path.kind == "alt":
        head = BNode()
        Collection(graph, head, parts)
        graph.add((node, SH.alternativePath, head))
        return node
    name = {"inv": "inversePath", "star": "zeroOrMorePath", "plus": "oneOrMorePath", "opt": "zeroOrOnePath"}
    graph.add((node, SH[name[path.kind]], parts[0]))
    return node


def _rdflib_path(results: Graph, shapes: Graph, node: object) -> str:
    if isinstance(node, URIRef):
        return shorten(str(node))
    if isinstance(node, BNode):
        inverse = results.value(node, SH.inversePath) or shapes.value(node, SH.inversePath)
        if inverse is not None:
            return f"^{shorten(str(inverse))}"
    return _term(node)


def _shape_message(shapes: Graph, shape: object) -> str:
    messages = list(shapes.objects(shape, SH.message))  # type: ignore[arg-type]
    for m in messages:
        if isinstance(m, Literal) and m.language in (None, "en"):
            return str(m)
    return str(messages[0]) if messages else ""


def _owner(shapes: Graph, shape: object) -> object:
    """The named node shape a property or SPARQL constraint belongs to."""
    owner = shapes.value(None, SH.property, shape) or shapes.value(None, SH.sparql, shape)  # type: ignore[arg-type]
    return owner if owner is not None else shape


def _referrers(data: Graph, node: object) -> tuple[str, ...]:
    """The subjects that use an undefined IRI, so a curator can find the typo."""
    if not isinstance(node, URIRef) or (node, RDF.type, None) in data:
        return ()
    users = set(data.subjects(None, node)) | {s for s, _, _ in data.triples((None, node, None))}
    return tuple(sorted(_term(u) for u in users)[:10])


def _store_referrers(store: ox.Store, node: object) -> tuple[str, ...]:
    if not isinstance(node, ox.NamedNode):
        return ()
    if any(store.quads_for_pattern(node, ox.NamedNode(str(RDF.type)), None)):
        return ()
    users = {q.subject for q in store.quads_for_pattern(None, None, node)}
    users |= {q.subject for q in store.quads_for_pattern(None, node, None)}
    return tuple(sorted(_term(_from_ox(u)) for u in users)[:10])


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.severity != "Violation", f.shape, f.focus, f.path, f.value,
                                           f.component, f.message))


# ---------------------------------------------------------------------- output

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




FORMATTERS = {"text": format_text, "json": format_json, "ttl": format_ttl}
