"""What the graph knows, as names to look for: one row per (node, label) from the built graph.

The rows come from `queries/ingest/labels.rq`, so which classes count (actors, places,
projects, instruments, activities, posts) is read from the ontology, not listed here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from ..errors import MiggraphError
from ..graph.build import collect_inputs
from ..graph.validate import load_store
from ..project import Project, stale_inputs
from ..sparql import library
from ..sparql.embedded import embedded, select


@dataclass(frozen=True)
class Label:
    """One name of one known node."""

    node: str      # the node's IRI
    text: str      # the label as written in the graph
    lang: str      # its language tag ("" when none)
    kind: str      # "actor", "place", "project", "instrument", "activity" or "post"
    cls: str       # the node's class IRI (the most specific one the query gave)


def graph_store(project: Project) -> ox.Store:
    """A pyoxigraph store of the project's graph: the build in dist/ when it is up to date,
    else the ontology and data/ with the derivation rules, loaded in memory (nothing written)."""
    if project.built_nt.is_file() and stale_inputs(project, project.dist) is None:
        return embedded(project.dist)
    return load_store(collect_inputs(project), project.rules)[0]


def query_file(project: Project, name: str) -> str:
    """The text of one of ingest's queries (queries/ingest/NAME.rq), read by the query library."""
    path = project.queries / "ingest" / f"{name}.rq"
    if not path.is_file():
        raise MiggraphError(f"{path}: missing; ingest needs this query")
    return library.read(path).text


def local_name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def known_labels(store: ox.Store, query: str, source: str = "query") -> list[Label]:
    """Every label of every node the query selects, one `Label` per (node, label, kind)."""
    labels: list[Label] = []
    seen: set[tuple[str, str, str]] = set()
    for row in select(store, query, source)[1]:
        node, label, kind, cls = row["node"], row["label"], row["kind"], row["class"]
        if not isinstance(node, ox.NamedNode) or not isinstance(label, ox.Literal):
            continue
        key = (node.value, label.value, kind.value)
        if key in seen:
            continue
        seen.add(key)
        labels.append(Label(node.value, label.value, label.language or "",
                            local_name(kind.value).lower(), cls.value))
    return labels


def load_labels(project: Project) -> list[Label]:
    """The labels of the project's graph (see `known_labels`)."""
    return known_labels(graph_store(project), query_file(project, "labels"),
                        str(project.queries / "ingest" / "labels.rq"))
