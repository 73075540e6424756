"""Shapes: read each shape of the shapes graph once, and refuse what the engine does not know.

A shape is parsed into its path, severity, messages and a list of (parameter, value) pairs the
engine checks. Any `sh:` predicate on a shape that is not a SHACL Core parameter (or one of the
SPARQL features handled: `sh:sparql`, SPARQL targets) stops validation with exit 2, and so does
a parameter of a SPARQL-based constraint component declared in the shapes graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from ...errors import ExitCode, MiggraphError
from . import paths
from .graph import SH, Graph, Term, sh

TARGETS = ("targetClass", "targetNode", "targetObjectsOf", "targetSubjectsOf", "target")
# Parameters checked as constraints, in the order they are evaluated.
CONSTRAINTS = ("class", "datatype", "nodeKind", "minCount", "maxCount", "minExclusive", "minInclusive",
               "maxExclusive", "maxInclusive", "minLength", "maxLength", "pattern", "languageIn",
               "uniqueLang", "equals", "disjoint", "lessThan", "lessThanOrEquals", "not", "and", "or",
               "xone", "node", "property", "qualifiedValueShape", "closed", "hasValue", "in", "sparql")
# Parameters read together with another one, or that do not validate.
OTHER = ("flags", "qualifiedMinCount", "qualifiedMaxCount", "qualifiedValueShapesDisjoint", "ignoredProperties",
         "path", "message", "severity", "name", "description", "order", "group", "defaultValue",
         "deactivated", "declare", "prefixes", "resultAnnotation", "select")
KNOWN = {SH + n for n in (*TARGETS, *CONSTRAINTS, *OTHER)}
PROPERTY_ONLY = ("minCount", "maxCount", "qualifiedValueShape", "uniqueLang", "lessThan", "lessThanOrEquals")
SHAPE_LISTS = ("and", "or", "xone")
SHAPE_VALUES = ("not", "node", "property", "qualifiedValueShape")


def refuse(construct: str, shape: Term) -> MiggraphError:
    return MiggraphError(f"unsupported SHACL construct: {construct} on shape {shape}",
                         exit_code=ExitCode.BAD_INPUT)


@dataclass
class Shape:
    node: Term
    path: paths.Path | None
    path_node: Term | None
    severity: ox.NamedNode
    messages: list[ox.Literal]
    deactivated: bool
    constraints: list[tuple[str, Term]] = field(default_factory=list)
    parents: list[Term] = field(default_factory=list)  # shapes with sh:property to this one


class Shapes:
    """Every shape of a shapes graph, parsed on first use."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._parsed: dict[Term, Shape] = {}
        self._custom = self._custom_parameters()

    def _custom_parameters(self) -> dict[str, Term]:
        """Parameters of SPARQL-based constraint components declared in the shapes graph."""
        found: dict[str, Term] = {}
        for component in self.graph.all_subjects(sh("parameter")):
            for parameter in self.graph.objects(component, sh("parameter")):
                path = self.graph.value(parameter, sh("path"))
                if isinstance(path, ox.NamedNode):
                    found[path.value] = component
        return found

    def get(self, node: Term) -> Shape:
        if node not in self._parsed:
            self._parsed[node] = self._parse(node)
        return self._parsed[node]

    def _parse(self, node: Term) -> Shape:
        g = self.graph
        path_node = g.value(node, sh("path"))
        shape = Shape(
            node=node,
            path=paths.parse(g, path_node, node) if path_node is not None else None,
            path_node=path_node,
            severity=g.value(node, sh("severity")) or sh("Violation"),  # type: ignore[arg-type]
            messages=[m for m in g.objects(node, sh("message")) if isinstance(m, ox.Literal)],
            deactivated=any(isinstance(d, ox.Literal) and d.value == "true"
                            for d in g.objects(node, sh("deactivated"))),
            parents=list(g.subjects(sh("property"), node)),
        )
        for predicate, value in g.outgoing(node):
            iri = predicate.value
            if iri in self._custom:
                raise refuse(f"SPARQL-based constraint component {self._custom[iri]} (parameter <{iri}>)", node)
            if not iri.startswith(SH):
                continue
            if iri not in KNOWN:
                raise refuse(f"sh:{iri[len(SH):]}", node)
            name = iri[len(SH):]
            if name in CONSTRAINTS:
                shape.constraints.append((name, value))
        shape.constraints.sort(key=lambda c: (CONSTRAINTS.index(c[0]), str(c[1])))
        for name, _value in shape.constraints:
            if shape.path is None and name in PROPERTY_ONLY:
                raise refuse(f"sh:{name} on a node shape (it needs sh:path)", node)
            if name == "pattern":
                flags = g.value(node, sh("flags"))
                if isinstance(flags, ox.Literal) and set(flags.value) - set("imsx"):
                    raise refuse(f"sh:flags {flags.value!r}", node)
        return shape

    def nested(self, shape: Shape) -> list[Term]:
        """The shapes this shape's constraints refer to."""
        found: list[Term] = []
        for name, value in shape.constraints:
            if name in SHAPE_VALUES:
                found.append(value)
            elif name in SHAPE_LISTS:
                found.extend(self.graph.items(value, f"sh:{name} of shape {shape.node}"))
        return found

    def parse_all(self, roots: list[Term]) -> None:
        """Parse every shape reachable from `roots`, so a refusal comes before any result."""
        todo, seen = list(roots), set()
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            todo.extend(self.nested(self.get(node)))
