"""Export: the networks as files that Gephi, Cytoscape and spreadsheets open, and the RDF as built.

GraphML and GEXF hold only scalar attributes, so list attributes (sources, themes, years) are
joined with " | " (the separator the queries use) and the metrics are added as node attributes;
a file read back with networkx equals `flatten(graph, metrics)`. CSV is two files, nodes and
edges; JSON is networkx's node-link form. The RDF formats are the files `miggraph build` wrote
to `dist/`, copied, so there is one serialisation of the graph, not two.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx

from ..errors import MiggraphError
from ..files import atomic_path, write_bytes_atomic, write_text_atomic
from ..formats import NETWORK_FORMATS, RDF_FILES
from ..project import built_name
from .metrics import Metrics
from .views import LIST_ATTRIBUTES, SEP


def flatten(graph: nx.Graph, metrics: Metrics | None = None) -> nx.Graph:
    """A copy with list attributes joined by SEP, `from` renamed, and the metrics on the nodes."""
    flat = nx.Graph(name=graph.graph.get("name", ""))
    for node, data in graph.nodes(data=True):
        attributes = {k: SEP.join(v) if k in LIST_ATTRIBUTES else v for k, v in data.items()}
        if metrics is not None:
            attributes.update(metrics.nodes[node])
        flat.add_node(node, **attributes)
    for u, v, data in graph.edges(data=True):
        attributes = {k: SEP.join(val) if k in LIST_ATTRIBUTES else val
                      for k, val in data.items() if k != "from"}
        attributes["source_node"] = data.get("from", u)
        flat.add_edge(u, v, **attributes)
    return flat


def _csv(rows: list[dict], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def csv_tables(flat: nx.Graph) -> tuple[str, str]:
    """The nodes table (id first) and the edges table (source, target first) of a flat graph."""
    node_rows = [{"id": n, **d} for n, d in flat.nodes(data=True)]
    edge_rows = [{"source": d["source_node"], "target": v if d["source_node"] == u else u,
                  **{k: val for k, val in d.items() if k != "source_node"}}
                 for u, v, d in flat.edges(data=True)]
    node_columns = list(dict.fromkeys(k for row in node_rows for k in row)) or ["id"]
    edge_columns = list(dict.fromkeys(k for row in edge_rows for k in row)) or ["source", "target"]
    return _csv(node_rows, node_columns), _csv(edge_rows, edge_columns)


def export_network(graph: nx.Graph, metrics: Metrics, fmt: str, out: Path) -> list[Path]:
    """Write one view in `fmt` to `out` (a file; for csv, a folder); return the files written."""
    flat = flatten(graph, metrics)
    if fmt == "csv":
        name = graph.graph.get("name") or "network"
        nodes_csv, edges_csv = csv_tables(flat)
        written = [out / f"{name}-nodes.csv", out / f"{name}-edges.csv"]
        write_text_atomic(written[0], nodes_csv)
        write_text_atomic(written[1], edges_csv)
        return written
    if fmt == "json":
        data = nx.node_link_data(flat, edges="edges")
        write_text_atomic(out, json.dumps(data, ensure_ascii=False, indent=1))
    elif fmt == "graphml":
        with atomic_path(out) as tmp:
            nx.write_graphml(flat, tmp, encoding="utf-8")
    elif fmt == "gexf":
        with atomic_path(out) as tmp:
            nx.write_gexf(flat, tmp, encoding="utf-8")
    else:
        raise MiggraphError(f"unknown network format {fmt!r}; formats: {', '.join(NETWORK_FORMATS)}")
    return [out]


def export_rdf(dist: Path, fmt: str, out: Path) -> list[Path]:
    """Copy the built graph's `fmt` serialisation from `dist` to `out`."""
    if fmt not in RDF_FILES:
        raise MiggraphError(f"unknown RDF format {fmt!r}; formats: {', '.join(RDF_FILES)}")
    source = dist / built_name(fmt)
    if not source.is_file():
        raise MiggraphError(f"{source}: not found; run `miggraph build` first")
    write_bytes_atomic(out, source.read_bytes())
    return [out]
