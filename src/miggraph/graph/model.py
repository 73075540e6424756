"""Model: the classes of the ontology as the code needs them, read from `ontology/`, never listed.

A *group* is a top class that carries an `mg:mapShape` and has no ancestor with one (actor,
activity, project, instrument, place). A *kind* is any class below a group (the group's own
class included), named by its English `rdfs:label`, as the network views name node kinds. A
*family* is the nearest class, the kind itself or an ancestor, that names an `mg:mapShape`
(`ontology/display.ttl`): the kinds of one family share a shape. Colours are handed out so
that no two kinds share a shape and a colour. Sides (`mg:Side` concepts) carry their colour.

The synthetic generator picks classes from here and maps draw them from here, so a class the
curators add shows up in both without a code change.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from rdflib import Graph, URIRef

from ..vocab import MG, OWL, RDF, RDFS, SKOS

# Colours for kinds that share a shape, in the order they are handed out: distinct hues first.
KIND_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39",
                "#7b4173", "#000000", "#3182bd", "#e6550d", "#31a354", "#756bb1"]


@dataclass(frozen=True)
class Kind:
    """One class below a group: how it is named, where it sits and how a map draws it."""

    iri: str
    name: str  # the IRI's local name, e.g. "PublicSecurityBureau"
    label: str  # the English rdfs:label, e.g. "public security bureau"
    group: str  # the label of its group's class: "actor", "activity", ...
    family: str  # the label of the class whose shape it takes
    shape: str
    colour: str
    depth: int  # steps below its group's class


@dataclass(frozen=True)
class Side:
    iri: str
    label: str
    colour: str


@dataclass(frozen=True)
class Model:
    """The kinds (by IRI) and sides (by IRI) of one ontology."""

    kinds: dict[str, Kind]
    sides: dict[str, Side]
    parents: dict[str, tuple[str, ...]]

    def kind(self, label: str) -> Kind | None:
        """The kind with this English label (what the network views call a node's kind)."""
        return self._by_label.get(label)

    @cached_property
    def _by_label(self) -> dict[str, Kind]:
        return {k.label: k for k in self.kinds.values()}

    def in_group(self, group: str) -> list[Kind]:
        """The kinds of one group, in hierarchy order."""
        return [k for k in self.kinds.values() if k.group == group]

    def side(self, label: str) -> Side | None:
        return next((s for s in self.sides.values() if s.label == label), None)

    def is_a(self, iri: str, ancestor: str) -> bool:
        """Whether class `iri` is `ancestor` or lies below it."""
        todo = [iri]
        while todo:
            current = todo.pop()
            if current == ancestor:
                return True
            todo.extend(self.parents.get(current, ()))
        return False


def _english(graph: Graph, node: URIRef, prop: URIRef) -> str:
    values = [o for o in graph.objects(node, prop) if getattr(o, "language", None) == "en"]
    return str(min(values)) if values else ""


def ontology_files(folder: Path) -> list[Path]:
    """The ontology's Turtle files, the SHACL shapes left out (as the build does)."""
    return sorted(p for p in folder.glob("*.ttl") if p.name != "shapes.ttl")


def from_graph(graph: Graph) -> Model:
    """The model of the ontology held in `graph`."""
    mg = str(MG)
    classes = {c for c in graph.subjects(RDF.type, OWL.Class) if str(c).startswith(mg)}
    parents = {str(c): tuple(sorted(str(p) for p in graph.objects(c, RDFS.subClassOf)
                                    if p in classes)) for c in classes}
    children: dict[str, list[str]] = defaultdict(list)
    for child, ups in parents.items():
        for up in ups:
            children[up].append(child)
    shapes = {str(c): str(s) for c, s in graph.subject_objects(MG.mapShape)}

    def has_shaped_ancestor(iri: str) -> bool:
        return any(up in shapes or has_shaped_ancestor(up) for up in parents.get(iri, ()))

    groups = sorted(c for c in shapes if not has_shaped_ancestor(c))
    kinds: dict[str, Kind] = {}
    used: dict[str, int] = defaultdict(int)  # shape -> colours handed out

    def visit(iri: str, group: str, family: str, depth: int) -> None:
        if iri in kinds:  # a class under two parents is placed under the first one met
            return
        label = _english(graph, URIRef(iri), RDFS.label)
        if iri in shapes:
            family = iri
        shape = shapes[family]
        colour = KIND_COLOURS[used[shape] % len(KIND_COLOURS)]
        used[shape] += 1
        family_label = _english(graph, URIRef(family), RDFS.label)
        kinds[iri] = Kind(iri, iri.removeprefix(mg), label, group, family_label, shape, colour, depth)
        for child in sorted(children.get(iri, ()), key=lambda c: (c in shapes, c)):
            visit(child, group, family, depth + 1)

    for top in groups:
        visit(top, _english(graph, URIRef(top), RDFS.label), top, 0)
    sides = {}
    for concept in graph.subjects(RDF.type, MG.Side):
        colour = graph.value(concept, MG.mapColour)
        sides[str(concept)] = Side(str(concept), _english(graph, concept, SKOS.prefLabel),
                                   str(colour) if colour else "#cccccc")
    return Model(kinds, dict(sorted(sides.items())), parents)


@cache
def _load(paths: tuple[Path, ...], stamps: tuple[int, ...]) -> Model:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return from_graph(graph)


def load(folder: Path) -> Model:
    """The model of the ontology in `folder` (cached while its files are unchanged)."""
    paths = tuple(ontology_files(folder))
    return _load(paths, tuple(p.stat().st_mtime_ns for p in paths))
