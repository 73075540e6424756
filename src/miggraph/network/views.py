"""Views: project the built graph onto networkx graphs, one SPARQL query per view.

A view is one SPARQL SELECT in `queries/network/NAME.rq` that returns one row per edge with
`?source ?target ?kind ?weight ?label ?citations`, optionally `?themes ?years ?statuses` and any
other column (kept as an edge attribute). A view that goes through activities takes the
`?statusIn` parameter (see `status`): held activities only, unless planned ones are included.
Multi-valued columns are joined with " | " (SEP); their parts are sorted here, as GROUP_CONCAT
promises no order. Node attributes come from `queries/network/nodes/*.rq`. Because the
projection is SPARQL, the map, the metrics and the exports all see the same edges, and a remote
endpoint could answer the same queries.

Graphs are undirected `nx.Graph`s (the metrics read them so); each edge remembers the node the
query named as its source in the attribute `from`. List attributes (`sources`, `themes`,
`years`, `statuses`) stay Python lists here; `export` flattens them for file formats.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pyoxigraph

from ..errors import MiggraphError
from ..project import Project
from ..sparql import library
from ..sparql.embedded import select
from ..sparql.params import PARAMETER, bind_status, parameters

SEP = " | "
DEFAULT_VIEW = "coparticipation"
LIST_ATTRIBUTES = ("sources", "themes", "years", "statuses", "alt_labels")
_EDGE_COLUMNS = {"source", "target", "kind", "weight", "label", "citations", "themes", "years", "statuses"}


@dataclass(frozen=True)
class View:
    """One network view: its name and its query file, whose header says what it links."""

    name: str
    path: Path

    @property
    def description(self) -> str:
        query = library.read(self.path)
        return f"{query.title}. {query.question}" if query.title else query.question


def list_views(project: Project) -> dict[str, View]:
    """The views the project defines: every `queries/network/*.rq`, by file stem."""
    folder = project.queries / "network"
    return {p.stem: View(p.stem, p) for p in sorted(folder.glob("*.rq"))}


def get_view(project: Project, name: str) -> View:
    """The view called `name`, or a MiggraphError that lists the known views."""
    known = list_views(project)
    if name not in known:
        names = ", ".join(known) or "none"
        raise MiggraphError(f"unknown view {name!r}; views: {names}")
    return known[name]


def _text(term: object) -> str | None:
    return None if term is None else str(getattr(term, "value", term))


def _split(value: str | None) -> list[str]:
    return sorted({part for part in (value or "").split(SEP) if part})


def _merge_edge(data: dict, new: dict) -> None:
    """Fold a second row for the same pair of nodes into an existing edge (an actor that is
    both party to and issuer of an instrument): weights add up, the rest is the union."""
    for key, value in new.items():
        if key == "weight":
            data[key] += value
        elif key in LIST_ATTRIBUTES:
            data[key] = sorted(set(data[key]) | set(value))
        elif isinstance(value, str):
            data[key] = SEP.join(_split(f"{data.get(key, '')}{SEP}{value}"))


def edge_rows(store: pyoxigraph.Store, view: View, include_planned: bool = False) -> list[dict]:
    """Run a view's query and return one plain dict per edge row."""
    text = view.path.read_text(encoding="utf-8")
    if include_planned and PARAMETER in parameters(text):
        text = bind_status(text, True, f"view {view.name}")
    names, rows = select(store, text)
    missing = {"source", "target", "kind"} - set(names)
    if missing:
        raise MiggraphError(f"the query must select ?{', ?'.join(sorted(missing))}",
                            location=str(view.path))
    edges = []
    for row in rows:
        weight = _text(row.get("weight"))
        edge = {
            "source": _text(row["source"]),
            "target": _text(row["target"]),
            "kind": _text(row["kind"]) or "",
            "weight": float(weight) if weight else 1.0,
            "label": SEP.join(_split(_text(row.get("label")))),
            "sources": _split(_text(row.get("citations"))),
            "themes": _split(_text(row.get("themes"))),
            "years": _split(_text(row.get("years"))),
            "statuses": _split(_text(row.get("statuses"))),
        }
        for name in names:
            if name not in _EDGE_COLUMNS:
                edge[name] = SEP.join(_split(_text(row.get(name))))
        edges.append(edge)
    return edges


def node_attributes(store: pyoxigraph.Store, project: Project) -> dict[str, dict]:
    """Label (English, Chinese), other names, kind, group, side and the rest, for every node
    that has them."""
    folder = project.queries / "network" / "nodes"
    _, kind_rows = select(store, (folder / "kinds.rq").read_text(encoding="utf-8"))
    best: dict[str, tuple[int, str, str]] = {}
    for row in kind_rows:
        node, rank = _text(row["node"]) or "", int(_text(row["rank"]) or 9)
        candidate = (rank, _text(row["kind"]) or "", _text(row["group"]) or "")
        if node not in best or candidate < best[node]:
            best[node] = candidate
    _, rows = select(store, (folder / "attributes.rq").read_text(encoding="utf-8"))
    _, name_rows = select(store, (folder / "names.rq").read_text(encoding="utf-8"))
    names = {_text(row["node"]) or "": _split(_text(row.get("names"))) for row in name_rows}
    attributes: dict[str, dict] = {}
    for row in rows:
        node = _text(row["node"]) or ""
        date = _text(row.get("date")) or ""
        _, kind, group = best.get(node, (9, "", ""))
        attributes[node] = {
            "label": _text(row.get("label")) or node.rsplit("/", 1)[-1],
            "label_zh": _text(row.get("label_zh")) or "",
            "alt_labels": names.get(node, []),
            "kind": kind,
            "group": group,
            "side": _text(row.get("side")) or "",
            "status": _text(row.get("status")) or "",
            "date": date,
            "description": _text(row.get("description")) or "",
            "sources": _split(_text(row.get("sources"))),
            "themes": _split(_text(row.get("themes"))),
            "years": [date[:4]] if date else [],
        }
    return attributes


def graph_from_rows(edges: Iterable[dict], nodes: dict[str, dict], name: str = "") -> nx.Graph:
    """An undirected graph from edge rows; node attributes from `nodes` where known.

    A node without a theme or year of its own (an actor, a place) takes those of its edges,
    so that the map's theme and year filters reach it.
    """
    graph = nx.Graph(name=name)
    for row in edges:
        u, v = row["source"], row["target"]
        for node in (u, v):
            if node not in graph:
                default = {"label": node.rsplit("/", 1)[-1], "label_zh": "", "alt_labels": [], "kind": "",
                           "group": "", "side": "", "status": "", "date": "",
                           "description": "", "sources": [], "themes": [], "years": []}
                graph.add_node(node, **{**default, **nodes.get(node, {})})
        data = {key: value for key, value in row.items() if key not in ("source", "target")}
        if graph.has_edge(u, v):
            _merge_edge(graph.edges[u, v], data)
        else:
            graph.add_edge(u, v, **data, **{"from": u})
    for node, data in graph.nodes(data=True):
        for key in ("themes", "years"):
            if not data[key]:
                found = set()
                for _, _, edge in graph.edges(node, data=True):
                    found.update(edge[key])
                data[key] = sorted(found)
    return graph


def project_view(store: pyoxigraph.Store, project: Project, name: str,
                 include_planned: bool = False) -> nx.Graph:
    """The networkx graph of one view over the store's graph: held activities only, unless
    `include_planned` (views without activities, such as structure, are the same either way)."""
    view = get_view(project, name)
    edges = edge_rows(store, view, include_planned)
    return graph_from_rows(edges, node_attributes(store, project), name)
