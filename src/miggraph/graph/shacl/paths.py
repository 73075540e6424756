"""SHACL property paths: read from the shapes graph, evaluated on the data graph's indexes.

All six forms are supported: predicate, sequence, alternative, inverse, zeroOrMore, oneOrMore
and zeroOrOne, nested freely. A path node of any other form is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from ...errors import MiggraphError
from .graph import FIRST, Graph, Term, sh


@dataclass(frozen=True)
class Path:
    """A parsed path: `kind` is one of pred, seq, alt, inv, star, plus, opt."""

    kind: str
    pred: ox.NamedNode | None = None
    parts: tuple[Path, ...] = ()

    def sparql(self) -> str:
        """The path in SPARQL property-path syntax."""
        if self.kind == "pred":
            return str(self.pred)
        inner = [p.sparql() for p in self.parts]
        if self.kind == "seq":
            return "(" + "/".join(inner) + ")"
        if self.kind == "alt":
            return "(" + "|".join(inner) + ")"
        suffix = {"inv": "", "star": "*", "plus": "+", "opt": "?"}[self.kind]
        return f"^({inner[0]})" if self.kind == "inv" else f"({inner[0]}){suffix}"


UNARY = {"inversePath": "inv", "zeroOrMorePath": "star", "oneOrMorePath": "plus", "zeroOrOnePath": "opt"}


def parse(shapes: Graph, node: Term, shape: Term) -> Path:
    if isinstance(node, ox.NamedNode):
        return Path("pred", pred=node)
    if isinstance(node, ox.BlankNode):
        if shapes.value(node, FIRST) is not None:
            members = shapes.items(node, f"sh:path of shape {shape}")
            if len(members) < 2:
                raise MiggraphError(f"unsupported SHACL construct: a sequence path with fewer than two "
                                    f"members on shape {shape}")
            return Path("seq", parts=tuple(parse(shapes, m, shape) for m in members))
        alt = shapes.value(node, sh("alternativePath"))
        if alt is not None:
            members = shapes.items(alt, f"sh:alternativePath of shape {shape}")
            return Path("alt", parts=tuple(parse(shapes, m, shape) for m in members))
        for name, kind in UNARY.items():
            inner = shapes.value(node, sh(name))
            if inner is not None:
                return Path(kind, parts=(parse(shapes, inner, shape),))
    raise MiggraphError(f"unsupported SHACL construct: property path {node} on shape {shape}")


def evaluate(data: Graph, path: Path, start: Term) -> list[Term]:
    """The distinct nodes reached from `start` along `path`, in a stable order."""
    return list(dict.fromkeys(_eval(data, path, [start])))


def _eval(data: Graph, path: Path, nodes: list[Term]) -> list[Term]:
    kind = path.kind
    if kind == "pred":
        assert path.pred is not None
        return [o for n in nodes for o in data.objects(n, path.pred)]
    if kind == "inv":
        inner = path.parts[0]
        if inner.kind == "pred":
            assert inner.pred is not None
            return [s for n in nodes for s in data.subjects(inner.pred, n)]
        return _inverse(data, inner, nodes)
    if kind == "seq":
        for part in path.parts:
            nodes = list(dict.fromkeys(_eval(data, part, nodes)))
        return nodes
    if kind == "alt":
        return [o for part in path.parts for o in _eval(data, part, nodes)]
    if kind == "opt":
        return nodes + _eval(data, path.parts[0], nodes)
    return _closure(lambda frontier: _eval(data, path.parts[0], frontier), nodes, kind == "star")


def _inverse(data: Graph, path: Path, nodes: list[Term]) -> list[Term]:
    """Nodes from which `path` reaches one of `nodes`."""
    kind = path.kind
    if kind == "pred":
        assert path.pred is not None
        return [s for n in nodes for s in data.subjects(path.pred, n)]
    if kind == "inv":
        return _eval(data, path.parts[0], nodes)
    if kind == "seq":
        for part in reversed(path.parts):
            nodes = list(dict.fromkeys(_inverse(data, part, nodes)))
        return nodes
    if kind == "alt":
        return [s for part in path.parts for s in _inverse(data, part, nodes)]
    if kind == "opt":
        return nodes + _inverse(data, path.parts[0], nodes)
    return _closure(lambda frontier: _inverse(data, path.parts[0], frontier), nodes, kind == "star")


def _closure(step: Callable[[list[Term]], list[Term]], nodes: list[Term], with_start: bool) -> list[Term]:
    """Breadth-first closure of `step` from `nodes` (zeroOrMore keeps the start, oneOrMore does not)."""
    seen: dict[Term, None] = dict.fromkeys(nodes) if with_start else {}
    frontier = nodes
    while frontier:
        found = list(dict.fromkeys(o for o in step(frontier) if o not in seen))
        seen.update(dict.fromkeys(found))
        frontier = found
    return list(seen)
