"""Validation: find the focus nodes of every shape and check each constraint on them.

Focus nodes and value nodes come from the data graph's predicate indexes (graph.py, paths.py);
each constraint component is a small function below. Whether a node conforms to a nested shape
(sh:node, sh:not, sh:and, sh:or, sh:xone, sh:qualifiedValueShape) is cached per (node, shape).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from ...errors import MiggraphError
from . import paths, prefilter, sparql
from .graph import RDF, RDFS, SH, AsWritten, Graph, Term, sh
from .literals import Comparator, well_formed
from .prefilter import Prefilter
from .shapes import TARGETS, Shape, Shapes, refuse


@dataclass(frozen=True)
class Result:
    """One validation result, with the terms the SHACL report gives."""

    focus: Term
    path: paths.Path | None
    value: Term | None
    severity: ox.NamedNode
    source_shape: Term
    component: str  # local name, e.g. "MinCountConstraintComponent"
    message: str
    root_shape: Term = ox.NamedNode("urn:x-miggraph:none")
    source_constraint: Term | None = None


COMPONENT = {
    "class": "Class", "datatype": "Datatype", "nodeKind": "NodeKind", "minCount": "MinCount",
    "maxCount": "MaxCount", "minExclusive": "MinExclusive", "minInclusive": "MinInclusive",
    "maxExclusive": "MaxExclusive", "maxInclusive": "MaxInclusive", "minLength": "MinLength",
    "maxLength": "MaxLength", "pattern": "Pattern", "languageIn": "LanguageIn", "uniqueLang": "UniqueLang",
    "equals": "Equals", "disjoint": "Disjoint", "lessThan": "LessThan", "lessThanOrEquals": "LessThanOrEquals",
    "not": "Not", "and": "And", "or": "Or", "xone": "Xone", "node": "Node", "hasValue": "HasValue",
    "in": "In", "closed": "Closed",
}

Violation = tuple[Term | None, ox.NamedNode | None]  # (value, path override)


def _message(messages: list[ox.Literal]) -> str:
    for m in messages:
        if m.language in (None, "en"):
            return m.value
    return messages[0].value if messages else ""


class Engine:
    def __init__(self, data: ox.Store, shapes: list[ox.Triple], as_written: AsWritten | None = None) -> None:
        self.store = data
        self.as_written = as_written or {}
        self.data = Graph(data, as_written=as_written)
        self.shapes_graph = Graph(triples=shapes)
        self.shapes = Shapes(self.shapes_graph)
        self.prefilter = Prefilter(self.shapes, self.data)
        self.compare = Comparator()
        self.sparql = sparql.Runner(data, self.shapes_graph, self.data.as_written_term)
        self._conforms: dict[tuple[Term, Term], bool] = {}
        self._active: set[tuple[Term, Term]] = set()

    # ------------------------------------------------------------------ targets

    def roots(self) -> list[Term]:
        """Shapes with a target, explicit or implicit (a shape that is also an rdfs:Class)."""
        g = self.shapes_graph
        found: dict[Term, None] = {}
        for name in TARGETS:
            found.update(dict.fromkeys(g.all_subjects(sh(name))))
        found.update(dict.fromkeys(self.implicit))
        return sorted(found, key=str)

    @functools.cached_property
    def implicit(self) -> set[Term]:
        """Shapes that are also classes: their instances are focus nodes."""
        g = self.shapes_graph
        classes = g.instances(ox.NamedNode(RDFS + "Class"))
        return {n for kind in ("NodeShape", "PropertyShape") for n in g.instances(sh(kind)) if n in classes}

    def focus_nodes(self, shape: Shape) -> list[Term]:
        g, node = self.shapes_graph, shape.node
        focus: dict[Term, None] = {}
        classes = list(g.objects(node, sh("targetClass")))
        if node in self.implicit:
            classes.append(node)
        for cls in classes:
            focus.update(dict.fromkeys(sorted(self.data.instances(cls), key=str)))
        focus.update(dict.fromkeys(g.objects(node, sh("targetNode"))))
        for prop in g.objects(node, sh("targetSubjectsOf")):
            focus.update(dict.fromkeys(self.data.all_subjects(prop)))  # type: ignore[arg-type]
        for prop in g.objects(node, sh("targetObjectsOf")):
            focus.update(dict.fromkeys(self.data.all_objects(prop)))  # type: ignore[arg-type]
        for target in g.objects(node, sh("target")):
            focus.update(dict.fromkeys(self.sparql.target(target, node)))
        return list(focus)

    # ------------------------------------------------------------------ validation

    def run(self) -> list[Result]:
        roots = self.roots()
        self.shapes.parse_all(roots)
        results: list[Result] = []
        for node in roots:
            shape = self.shapes.get(node)
            if shape.deactivated:
                continue
            for focus in self.candidates(shape):
                for r in self.validate(focus, shape):
                    results.append(Result(r.focus, r.path, r.value, r.severity, r.source_shape, r.component,
                                          r.message, node, r.source_constraint))
        return results

    def candidates(self, shape: Shape) -> list[Term]:
        """The focus nodes to check: those the SPARQL prefilter finds, else all of them."""
        hops = prefilter.reach(self.shapes, shape.node) if self.as_written else 0
        found = None if hops >= prefilter.INF else prefilter.candidates(
            self.store, self.prefilter, shape, shape.node in self.implicit)
        if found is None:
            return self.focus_nodes(shape)
        if self.as_written:
            # SPARQL sees the literals the store rewrote in their stored form: check every focus
            # node close enough to one of them exactly as well.
            written = {s for s, _p, _o in self.as_written}
            close = prefilter.near(self.data, written, hops) - set(found)
            found += sorted((n for n in close if self.is_focus(shape, n)), key=str)
        return found

    def is_focus(self, shape: Shape, node: Term) -> bool:
        g, data = self.shapes_graph, self.data
        classes = list(g.objects(shape.node, sh("targetClass"))) + ([shape.node] if shape.node in self.implicit else [])
        return (any(data.is_instance(node, c) for c in classes) or node in g.objects(shape.node, sh("targetNode"))
                or any(data.objects(node, p) for p in g.objects(shape.node, sh("targetSubjectsOf")))  # type: ignore[arg-type]
                or any(data.subjects(p, node) for p in g.objects(shape.node, sh("targetObjectsOf"))))  # type: ignore[arg-type]

    def conforms(self, node: Term, shape_node: Term) -> bool:
        key = (node, shape_node)
        if key not in self._conforms:
            if key in self._active:
                raise refuse("a recursive shape reference", shape_node)
            self._active.add(key)
            try:
                self._conforms[key] = not self.validate(node, self.shapes.get(shape_node))
            finally:
                self._active.discard(key)
        return self._conforms[key]

    def validate(self, focus: Term, shape: Shape) -> list[Result]:
        if shape.deactivated:
            return []
        values = [focus] if shape.path is None else paths.evaluate(self.data, shape.path, focus)
        results: list[Result] = []
        message = _message(shape.messages)
        for name, arg in shape.constraints:
            if name == "property":
                for value in values:
                    results.extend(self.validate(value, self.shapes.get(arg)))
                continue
            if name == "sparql":
                results.extend(self.sparql.constraint(arg, shape, focus, values, message))
                continue
            if name == "qualifiedValueShape":
                results.extend(self._qualified(shape, arg, focus, values, message))
                continue
            check: Callable[[Shape, Term, Term, list[Term]], list[Violation]] = getattr(self, f"_{name}")
            for value, path in check(shape, arg, focus, values):
                where = shape.path if path is None else paths.Path("pred", pred=path)
                results.append(Result(focus, where, value, shape.severity, shape.node,
                                      COMPONENT[name] + "ConstraintComponent", message))
        return results

    # ------------------------------------------------------------------ value type components

    def _class(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        return [(v, None) for v in values if isinstance(v, ox.Literal) or not self.data.is_instance(v, arg)]

    def _datatype(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        def ok(v: Term) -> bool:
            if not isinstance(v, ox.Literal):
                return False
            if arg.value == RDF + "langString":  # type: ignore[union-attr]
                return bool(v.language)
            return not v.language and v.datatype == arg and well_formed(v)
        return [(v, None) for v in values if not ok(v)]

    def _nodeKind(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        allowed = {
            "BlankNode": (ox.BlankNode,), "IRI": (ox.NamedNode,), "Literal": (ox.Literal,),
            "BlankNodeOrIRI": (ox.BlankNode, ox.NamedNode), "BlankNodeOrLiteral": (ox.BlankNode, ox.Literal),
            "IRIOrLiteral": (ox.NamedNode, ox.Literal),
        }.get(arg.value.removeprefix(SH))  # type: ignore[union-attr]
        if allowed is None:
            raise refuse(f"sh:nodeKind {arg}", shape.node)
        return [(v, None) for v in values if not isinstance(v, allowed)]

    # ------------------------------------------------------------------ cardinality

    def _minCount(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        return [(None, None)] if len(values) < int(arg.value) else []  # type: ignore[union-attr]

    def _maxCount(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        return [(None, None)] if len(values) > int(arg.value) else []  # type: ignore[union-attr]

    # ------------------------------------------------------------------ value range

    def _minExclusive(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        return [(v, None) for v in values if not self.compare.less(arg, v, False)]

    def _minInclusive(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        return [(v, None) for v in values if not self.compare.less(arg, v, True)]

    def _maxExclusive(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        return [(v, None) for v in values if not self.compare.less(v, arg, False)]

    def _maxInclusive(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        return [(v, None) for v in values if not self.compare.less(v, arg, True)]

    # ------------------------------------------------------------------ string based

    def _minLength(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        n = int(arg.value)  # type: ignore[union-attr]
        return [(v, None) for v in values if isinstance(v, ox.BlankNode) or len(v.value) < n]

    def _maxLength(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        n = int(arg.value)  # type: ignore[union-attr]
        return [(v, None) for v in values if isinstance(v, ox.BlankNode) or len(v.value) > n]

    def _pattern(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        flags = self.shapes_graph.value(shape.node, sh("flags"))
        bits = 0
        for letter in flags.value if isinstance(flags, ox.Literal) else "":
            bits |= {"i": re.I, "m": re.M, "s": re.S, "x": re.X}[letter]
        regex = re.compile(arg.value, bits)  # type: ignore[union-attr]
        return [(v, None) for v in values if isinstance(v, ox.BlankNode) or not regex.search(v.value)]

    def _languageIn(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        ranges = [r.value.lower() for r in self.shapes_graph.items(arg, f"sh:languageIn of {shape.node}")]

        def ok(v: Term) -> bool:
            if not isinstance(v, ox.Literal) or not v.language:
                return False
            tag = v.language.lower()
            return any(r == "*" or tag == r or tag.startswith(r + "-") for r in ranges)
        return [(v, None) for v in values if not ok(v)]

    def _uniqueLang(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        if not (isinstance(arg, ox.Literal) and arg.value == "true"):
            return []
        seen: dict[str, int] = {}
        for v in values:
            if isinstance(v, ox.Literal) and v.language:
                seen[v.language.lower()] = seen.get(v.language.lower(), 0) + 1
        return [(None, None) for _lang, n in sorted(seen.items()) if n > 1]

    # ------------------------------------------------------------------ property pairs

    def _equals(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        others = self.data.objects(focus, arg)  # type: ignore[arg-type]
        return [(v, None) for v in values if v not in others] + [(o, None) for o in others if o not in values]

    def _disjoint(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        others = self.data.objects(focus, arg)  # type: ignore[arg-type]
        return [(v, None) for v in values if v in others]

    def _lessThan(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        others = self.data.objects(focus, arg)  # type: ignore[arg-type]
        return [(v, None) for v in values for o in others if not self.compare.less(v, o, False)]

    def _lessThanOrEquals(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        others = self.data.objects(focus, arg)  # type: ignore[arg-type]
        return [(v, None) for v in values for o in others if not self.compare.less(v, o, True)]

    # ------------------------------------------------------------------ logical and shape-based

    def _not(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        return [(v, None) for v in values if self.conforms(v, arg)]

    def _members(self, shape: Shape, arg: Term, name: str) -> list[Term]:
        return self.shapes_graph.items(arg, f"sh:{name} of shape {shape.node}")

    def _and(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        members = self._members(shape, arg, "and")
        return [(v, None) for v in values if not all(self.conforms(v, m) for m in members)]

    def _or(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        members = self._members(shape, arg, "or")
        return [(v, None) for v in values if not any(self.conforms(v, m) for m in members)]

    def _xone(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        members = self._members(shape, arg, "xone")
        return [(v, None) for v in values if sum(self.conforms(v, m) for m in members) != 1]

    def _node(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        return [(v, None) for v in values if not self.conforms(v, arg)]

    def _qualified(self, shape: Shape, arg: Term, focus: Term, values: list[Term], message: str) -> list[Result]:
        g = self.shapes_graph
        disjoint = any(isinstance(d, ox.Literal) and d.value == "true"
                       for d in g.objects(shape.node, sh("qualifiedValueShapesDisjoint")))
        siblings: list[Term] = []
        if disjoint:
            for parent in shape.parents:
                for sibling in g.objects(parent, sh("property")):
                    siblings += [q for q in g.objects(sibling, sh("qualifiedValueShape")) if q != arg]
        count = sum(1 for v in values if self.conforms(v, arg) and not any(self.conforms(v, s) for s in siblings))
        results: list[Result] = []
        low, high = g.value(shape.node, sh("qualifiedMinCount")), g.value(shape.node, sh("qualifiedMaxCount"))
        if low is not None and count < int(low.value):  # type: ignore[union-attr]
            results.append(Result(focus, shape.path, None, shape.severity, shape.node,
                                  "QualifiedMinCountConstraintComponent", message))
        if high is not None and count > int(high.value):  # type: ignore[union-attr]
            results.append(Result(focus, shape.path, None, shape.severity, shape.node,
                                  "QualifiedMaxCountConstraintComponent", message))
        return results

    # ------------------------------------------------------------------ other

    def _closed(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        if not (isinstance(arg, ox.Literal) and arg.value == "true"):
            return []
        g = self.shapes_graph
        allowed = {p for prop in g.objects(shape.node, sh("property"))
                   for p in g.objects(prop, sh("path")) if isinstance(p, ox.NamedNode)}
        for ignored in g.objects(shape.node, sh("ignoredProperties")):
            allowed.update(g.items(ignored, f"sh:ignoredProperties of shape {shape.node}"))  # type: ignore[arg-type]
        return [(o, p) for v in values for p, o in self.data.outgoing(v) if p not in allowed]

    def _hasValue(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        return [] if arg in values else [(None, None)]

    def _in(self, shape: Shape, arg: Term, focus: Term, values: list[Term]) -> list[Violation]:
        allowed = set(self.shapes_graph.items(arg, f"sh:in of shape {shape.node}"))
        return [(v, None) for v in values if v not in allowed]


def validate(data: ox.Store, shapes: list[ox.Triple], as_written: AsWritten | None = None) -> list[Result]:
    """Every result of validating `data` against `shapes` (all severities).

    `shapes` are the triples of the shapes graph as parsed (`pyoxigraph.parse`), not a store;
    `as_written` maps literals the store rewrote back to their written form (see graph.load).
    """
    try:
        return Engine(data, shapes, as_written).run()
    except re.error as exc:
        raise MiggraphError(f"invalid sh:pattern: {exc}") from exc


__all__ = ["Result", "validate"]
