"""A fast path for validation: the SHACL shapes compiled to SPARQL and run on pyoxigraph.

pyshacl is the reference validator, but it checks node by node in Python and takes about half a
millisecond per triple. This module translates each constraint of `ontology/shapes.ttl` into one
SPARQL SELECT that returns the violating focus nodes (and values) in a single pass, then words
the results exactly as pyshacl does, so `miggraph validate --engine oxigraph` gives the same
report on the same input. The tests compare both engines on every broken example and on the
curated data.

Only the SHACL features the shapes use are supported: class, objects-of, subjects-of and SPARQL
targets; predicate and inverse paths; minCount, maxCount, datatype, class, in, languageIn,
uniqueLang, pattern, hasValue, minInclusive, maxInclusive, lessThanOrEquals, qualified value
shapes, and, or, not, and SPARQL constraints. Anything else stops with a clear error rather than
being silently skipped.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from .errors import MiggraphError

SH = Namespace("http://www.w3.org/ns/shacl#")
XSD = "http://www.w3.org/2001/XMLSchema#"
SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"

# Datatypes whose lexical form SPARQL can check by casting (ill-formed values fail the cast).
CASTABLE = {f"{XSD}{name}" for name in (
    "integer", "decimal", "double", "float", "boolean", "date", "dateTime", "string")}

VALUE_COMPONENTS = (SH.datatype, SH["class"], SH["in"], SH.languageIn, SH.pattern, SH.minInclusive,
                    SH.maxInclusive, SH["or"], SH["and"], SH["not"], SH.nodeKind)
COUNT_COMPONENTS = (SH.minCount, SH.maxCount, SH.qualifiedValueShape, SH.uniqueLang, SH.hasValue,
                    SH.lessThanOrEquals, SH.sparql)
IGNORED = {RDF.type, SH.path, SH.message, SH.severity, SH.name, SH.description, SH.qualifiedMinCount,
           SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint, SH.property, SH.targetClass,
           SH.targetObjectsOf, SH.targetSubjectsOf, SH.targetNode, SH.target, SH.deactivated,
           URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
           URIRef("http://www.w3.org/2000/01/rdf-schema#comment")}


@dataclass(frozen=True)
class RawResult:
    """One validation result with its terms as rdflib nodes."""

    node_shape: Node
    source_shape: Node
    focus: Node
    path: Node | None
    value: Node | None
    message: str
    severity: str


def _iri(node: Node) -> str:
    return f"<{node}>"


def _term(node: Node) -> str:
    """An rdflib term as SPARQL syntax."""
    if isinstance(node, URIRef):
        return _iri(node)
    if isinstance(node, Literal):
        return node.n3()
    raise MiggraphError(f"blank node {node} cannot be written in a SPARQL query")


def _from_ox(term: object) -> Node | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == f"{XSD}string":  # rdflib keeps plain literals untyped
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise MiggraphError(f"unexpected query result {term!r}")


@dataclass(frozen=True)
class Check:
    """One constraint as a query whose rows are its violations."""

    node_shape: Node
    source_shape: Node
    path: Node | None
    query: str
    message: str
    sparql: bool = False


class Compiler:
    """Turns the shapes graph into checks: one SPARQL query per constraint of each shape."""

    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self.counter = itertools.count()
        self.prefixes = self._prefixes()

    def fresh(self, stem: str = "v") -> str:
        return f"?{stem}_{next(self.counter)}"

    def _prefixes(self) -> str:
        lines = []
        for decl in self.shapes.objects(None, SH.declare):
            prefix, ns = self.shapes.value(decl, SH.prefix), self.shapes.value(decl, SH.namespace)
            if prefix is not None and ns is not None:
                lines.append(f"PREFIX {prefix}: <{ns}>")
        return "\n".join(sorted(set(lines)))

    def items(self, node: Node) -> list[Node]:
        return list(Collection(self.shapes, node))

    # ---------------------------------------------------------------- targets and paths

    def targets(self, shape: Node) -> str | None:
        """A sub-select binding ?this to every focus node of `shape`, or None if it has no target."""
        parts: list[str] = []
        for cls in self.shapes.objects(shape, SH.targetClass):
            parts.append(f"?this a/{SUBCLASS}* {_iri(cls)} .")
        for prop in self.shapes.objects(shape, SH.targetObjectsOf):
            parts.append(f"?t_s {_iri(prop)} ?this .")
        for prop in self.shapes.objects(shape, SH.targetSubjectsOf):
            parts.append(f"?this {_iri(prop)} ?t_o .")
        for node in self.shapes.objects(shape, SH.targetNode):
            parts.append(f"BIND({_term(node)} AS ?this)")
        for target in self.shapes.objects(shape, SH.target):
            select = self.shapes.value(target, SH.select)
            if select is None:
                raise MiggraphError(f"unsupported target on shape {shape}")
            parts.append(f"{{ {select} }}")
        if not parts:
            return None
        body = parts[0] if len(parts) == 1 else " UNION ".join(f"{{ {p} }}" for p in parts)
        return f"{{ SELECT DISTINCT ?this WHERE {{ {body} }} }}"

    def path(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return _iri(node)
        inverse = self.shapes.value(node, SH.inversePath)
        if isinstance(inverse, URIRef):
            return f"^{_iri(inverse)}"
        raise MiggraphError(f"unsupported property path {node}")

    # ---------------------------------------------------------------- conformance as expressions

    def conforms(self, shape: Node, var: str) -> str:
        """A SPARQL boolean expression: the node in `var` conforms to `shape`."""
        parts: list[str] = []
        path_node = self.shapes.value(shape, SH.path)
        if path_node is not None:
            path = self.path(path_node)
            min_count = self.shapes.value(shape, SH.minCount)
            if min_count is not None:
                if int(min_count) != 1:
                    raise MiggraphError(f"nested sh:minCount other than 1 is not supported ({shape})")
                parts.append(f"EXISTS {{ {var} {path} {self.fresh()} }}")
            has_value = self.shapes.value(shape, SH.hasValue)
            if has_value is not None:
                parts.append(f"EXISTS {{ {var} {path} {_term(has_value)} }}")
            for p in self.shapes.predicates(shape, None):
                if p not in (SH.path, SH.minCount, SH.hasValue) and p not in IGNORED:
                    raise MiggraphError(f"unsupported nested property constraint {p} on {shape}")
            return " && ".join(parts) or "true"
        for p, o in self.shapes.predicate_objects(shape):
            if p in IGNORED:
                continue
            if p == SH.hasValue:
                parts.append(f"sameTerm({var}, {_term(o)})")
            else:
                parts.append(self.value_ok(p, o, var))
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def value_ok(self, component: Node, arg: Node, var: str) -> str:
        """A SPARQL boolean expression: the value in `var` satisfies one value constraint."""
        if component == SH.datatype:
            check = f"isLiteral({var}) && datatype({var}) = {_iri(arg)}"
            if str(arg) in CASTABLE:  # an ill-formed lexical form fails the cast
                check += f" && COALESCE(isLiteral({_iri(arg)}(STR({var}))), false)"
            return f"({check})"
        if component == SH["class"]:
            return f"EXISTS {{ {var} a/{SUBCLASS}* {_iri(arg)} }}"
        if component == SH["in"]:
            return "(" + " || ".join(f"sameTerm({var}, {_term(i)})" for i in self.items(arg)) + ")"
        if component == SH.languageIn:
            langs = " || ".join(f'langMatches(lang({var}), "{lang}")' for lang in self.items(arg))
            return f"(isLiteral({var}) && ({langs}))"
        if component == SH.pattern:
            return f"(!isBlank({var}) && REGEX(STR({var}), {Literal(str(arg)).n3()}))"
        if component == SH.minInclusive:
            return f"COALESCE({var} >= {_term(arg)}, false)"
        if component == SH.maxInclusive:
            return f"COALESCE({var} <= {_term(arg)}, false)"
        if component == SH["or"]:
            return "(" + " || ".join(self.conforms(s, var) for s in self.items(arg)) + ")"
        if component == SH["and"]:
            return "(" + " && ".join(self.conforms(s, var) for s in self.items(arg)) + ")"
        if component == SH["not"]:
            return f"(!{self.conforms(arg, var)})"
        raise MiggraphError(f"unsupported SHACL constraint {component}")

    # ---------------------------------------------------------------- one query per constraint

    def checks(self) -> Iterator[Check]:
        """One compiled check for every constraint of every targeted node shape."""
        for shape in sorted(set(self.shapes.subjects(RDF.type, SH.NodeShape)), key=str):
            target = self.targets(shape)
            if target is None:
                continue
            yield from self._shape_checks(shape, shape, target, None)
            for prop in self.shapes.objects(shape, SH.property):
                yield from self._shape_checks(shape, prop, target, self.shapes.value(prop, SH.path))

    def _shape_checks(self, owner: Node, shape: Node, target: str, path_node: Node | None) -> Iterator[Check]:
        message = str(self.shapes.value(shape, SH.message) or "")
        values = "BIND(?this AS ?value)" if path_node is None else f"?this {self.path(path_node)} ?value ."
        for component, arg in sorted(self.shapes.predicate_objects(shape), key=lambda po: str(po[0])):
            if component in IGNORED:
                continue
            if component == SH.sparql:
                select = str(self.shapes.value(arg, SH.select)).replace("$this", "?this")
                query = f"SELECT * WHERE {{ {target} {{ {select} }} }}"
                text = str(self.shapes.value(arg, SH.message) or message)
                yield Check(owner, shape, None, f"{self.prefixes}\n{query}", text, sparql=True)
                continue
            if component in VALUE_COMPONENTS:
                query = (f"SELECT ?this ?value WHERE {{ {target} {values} "
                         f"FILTER(!{self.value_ok(component, arg, '?value')}) }}")
            elif component in COUNT_COMPONENTS:
                query = self._count_query(component, arg, shape, target, path_node)
                if query is None:
                    continue
            else:
                raise MiggraphError(f"unsupported SHACL constraint {component} on {shape}")
            yield Check(owner, shape, path_node, f"{self.prefixes}\n{query}", message)

    def _count_query(self, component: Node, arg: Node, shape: Node, target: str,
                     path_node: Node | None) -> str | None:
        if path_node is None:
            raise MiggraphError(f"{component} needs a property shape ({shape})")
        path = self.path(path_node)
        v = self.fresh()
        if component == SH.minCount:
            return (f"SELECT ?this WHERE {{ {target} OPTIONAL {{ ?this {path} {v} }} }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT {v}) < {int(arg)})")
        if component == SH.maxCount:
            return (f"SELECT ?this WHERE {{ {target} ?this {path} {v} }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT {v}) > {int(arg)})")
        if component == SH.hasValue:
            return f"SELECT ?this WHERE {{ {target} FILTER NOT EXISTS {{ ?this {path} {_term(arg)} }} }}"
        if component == SH.uniqueLang:
            if str(arg).lower() != "true":
                return None
            a, b = self.fresh("a"), self.fresh("b")
            return (f"SELECT DISTINCT ?this WHERE {{ {target} ?this {path} {a}, {b} . "
                    f'FILTER(!sameTerm({a}, {b}) && lang({a}) != "" && lang({a}) = lang({b})) }}')
        if component == SH.lessThanOrEquals:
            other = self.fresh("o")
            return (f"SELECT ?this ?value WHERE {{ {target} ?this {path} ?value . ?this {_iri(arg)} {other} . "
                    f"FILTER(!COALESCE(?value <= {other}, false)) }}")
        if component == SH.qualifiedValueShape:
            low = self.shapes.value(shape, SH.qualifiedMinCount)
            high = self.shapes.value(shape, SH.qualifiedMaxCount)
            ok = self.conforms(arg, v)
            conditions = []
            if low is not None:
                conditions.append(f"?n < {int(low)}")
            if high is not None:
                conditions.append(f"?n > {int(high)}")
            return (f"SELECT ?this WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?q) AS ?n) WHERE {{ {target} "
                    f"OPTIONAL {{ ?this {path} {v} FILTER({ok}) BIND({v} AS ?q) }} }} GROUP BY ?this }} "
                    f"FILTER({' || '.join(conditions)}) }}")
        raise MiggraphError(f"unsupported SHACL constraint {component} on {shape}")


_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")


def _word(message: str, row: dict[str, Node | None]) -> str:
    """Fill {?var} placeholders from a SPARQL constraint's row, as pyshacl does."""
    return _PLACEHOLDER.sub(lambda m: str(row.get(m.group(1)) or m.group(0)), message)


def run(store: ox.Store, shapes: Graph) -> list[RawResult]:
    """Every violation of `shapes` in `store`, one query per constraint."""
    results: set[RawResult] = set()
    for check in Compiler(shapes).checks():
        severity = str(shapes.value(check.source_shape, SH.severity)
                       or shapes.value(check.node_shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]
        try:
            solutions = store.query(check.query)
        except SyntaxError as exc:
            raise MiggraphError(f"shape {check.source_shape} compiled to invalid SPARQL: {exc}") from exc
        names = [v.value for v in solutions.variables]  # type: ignore[union-attr]
        for solution in solutions:  # type: ignore[union-attr]
            row = {name: _from_ox(solution[name]) for name in names}
            focus = row["this"]
            if check.sparql:  # pyshacl's defaults: the value is the focus node unless ?value is bound
                path, value, text = row.get("path"), row.get("value") or focus, _word(check.message, row)
            else:
                path, value, text = check.path, row.get("value"), check.message
            results.add(RawResult(check.node_shape, check.source_shape, focus,  # type: ignore[arg-type]
                                  path, value, text, severity))
    return sorted(results, key=lambda r: (str(r.node_shape), str(r.focus), str(r.path), str(r.value)))
