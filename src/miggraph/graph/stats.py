"""Counts that tell a curator what the graph holds and how much of it cites a source."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rdflib import RDF, RDFS, Graph, URIRef

from ..vocab import MG

# The kinds of thing the summary counts, and the kinds whose every member must cite a source.
SUMMARY_CLASSES: dict[str, URIRef] = {
    "actors": MG.Actor,
    "activities": MG.Activity,
    "participations": MG.Participation,
    "instruments": MG.Instrument,
    "places": MG.Place,
    "figures": MG.Figure,
    "sources": MG.Source,
    "source sections": MG.SourceSection,
}
CITED_CLASSES: tuple[URIRef, ...] = (
    MG.Actor, MG.Activity, MG.Participation, MG.Instrument, MG.Figure, MG.Project,
)


def subclasses(graph: Graph, cls: URIRef) -> set[URIRef]:
    """`cls` and every class below it by rdfs:subClassOf, as stated in the graph."""
    found = {cls}
    frontier = [cls]
    while frontier:
        current = frontier.pop()
        for sub in graph.subjects(RDFS.subClassOf, current):
            if isinstance(sub, URIRef) and sub not in found:
                found.add(sub)
                frontier.append(sub)
    return found


def instances(graph: Graph, cls: URIRef) -> set[URIRef]:
    """Every node typed `cls` or one of its subclasses."""
    members: set[URIRef] = set()
    for sub in subclasses(graph, cls):
        members.update(s for s in graph.subjects(RDF.type, sub) if isinstance(s, URIRef))
    return members


@dataclass
class Stats:
    """Counts per class and property, and the share of facts that cite a source."""

    triples: int
    summary: dict[str, int]
    per_class: dict[str, int]
    per_property: dict[str, int]
    facts: int
    cited_facts: int

    @property
    def cited_share(self) -> float:
        return self.cited_facts / self.facts if self.facts else 1.0


def compute(graph: Graph) -> Stats:
    """Count a built graph."""
    summary = {name: len(instances(graph, cls)) for name, cls in SUMMARY_CLASSES.items()}
    per_class = Counter(str(o) for o in graph.objects(None, RDF.type))
    per_property = Counter(str(p) for p in graph.predicates(None, None))
    facts: set[URIRef] = set()
    for cls in CITED_CLASSES:
        facts |= instances(graph, cls)
    cited = {f for f in facts if (f, MG.statedIn, None) in graph}
    return Stats(
        triples=len(graph),
        summary=summary,
        per_class=dict(per_class.most_common()),
        per_property=dict(per_property.most_common()),
        facts=len(facts),
        cited_facts=len(cited),
    )
