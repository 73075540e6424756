"""Counts that tell a curator what the graph holds and how much of it cites a source."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass

from rdflib import RDF, RDFS, Graph, URIRef

from ..vocab import MG, shorten

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


# ---------------------------------------------------------------- as text, CSV and JSON

def summary_lines(stats: Stats) -> list[str]:
    """Two lines: what the graph holds, and the share of facts that cite a source."""
    parts = [f"{name} {count}" for name, count in stats.summary.items()]
    return [
        f"{stats.triples} triples: " + ", ".join(parts) + ".",
        f"{stats.cited_facts} of {stats.facts} facts cite a source section "
        f"({stats.cited_share:.0%}).",
    ]


def format_text(stats: Stats) -> str:
    lines = summary_lines(stats)
    lines.append("\nInstances per class (direct types):")
    lines += [f"  {v:6d}  {shorten(k)}" for k, v in stats.per_class.items()]
    lines.append("\nTriples per property:")
    lines += [f"  {v:6d}  {shorten(k)}" for k, v in stats.per_property.items()]
    return "\n".join(lines) + "\n"


def format_json(stats: Stats) -> str:
    return json.dumps({
        "triples": stats.triples,
        "summary": stats.summary,
        "facts": stats.facts,
        "cited_facts": stats.cited_facts,
        "cited_share": round(stats.cited_share, 4),
        "classes": {shorten(k): v for k, v in stats.per_class.items()},
        "properties": {shorten(k): v for k, v in stats.per_property.items()},
    }, indent=2) + "\n"


def format_csv(stats: Stats) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["kind", "name", "count"])
    writer.writerow(["total", "triples", stats.triples])
    for name, count in stats.summary.items():
        writer.writerow(["summary", name, count])
    writer.writerow(["provenance", "facts", stats.facts])
    writer.writerow(["provenance", "cited facts", stats.cited_facts])
    for k, v in stats.per_class.items():
        writer.writerow(["class", shorten(k), v])
    for k, v in stats.per_property.items():
        writer.writerow(["property", shorten(k), v])
    return buffer.getvalue()


FORMATTERS = {"text": format_text, "csv": format_csv, "json": format_json}
