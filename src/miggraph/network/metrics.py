"""Metrics: what an analyst measures on a network view, with fixed seeds so that a run repeats.

Degree, weighted degree, betweenness (exact on small graphs, sampled on large ones), PageRank
and Louvain communities, per node; and a summary per graph. The command line's `network`
table, the maps' sizes and the exports' node attributes all read these.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

import networkx as nx

from ..sparql.results import cut
from ..vocab import shorten

SEED = 42
# Exact betweenness is O(nm); above this many nodes it is estimated from a seeded sample.
EXACT_BETWEENNESS_LIMIT = 1000
BETWEENNESS_SAMPLE = 200


@dataclass
class Metrics:
    """Per-node measures and per-graph summary of one network."""

    summary: dict[str, float | int]
    nodes: dict[str, dict[str, float | int | None]]


def communities(graph: nx.Graph, seed: int = SEED) -> dict[str, int]:
    """Louvain communities (fixed seed), numbered from 1 by size, largest first."""
    if graph.number_of_edges() == 0:
        groups = [{n} for n in sorted(graph)]
    else:
        groups = nx.community.louvain_communities(graph, weight="weight", seed=seed)
    ordered = sorted(groups, key=lambda group: (-len(group), min(group)))
    return {node: i for i, group in enumerate(ordered, start=1) for node in group}


def measure(graph: nx.Graph, seed: int = SEED, betweenness: bool = True) -> Metrics:
    """Degree, weighted degree, betweenness, PageRank and community of each node.

    Betweenness is the slow one (O(nm)): exact up to EXACT_BETWEENNESS_LIMIT nodes, estimated
    from a seeded sample of BETWEENNESS_SAMPLE pivots above, and left out (None) when
    `betweenness` is false. PageRank is weighted by the edge weights.
    """
    n = graph.number_of_nodes()
    k = None if n <= EXACT_BETWEENNESS_LIMIT else BETWEENNESS_SAMPLE
    between = nx.betweenness_centrality(graph, k=k, seed=seed) if n and betweenness else {}
    pagerank = nx.pagerank(graph, weight="weight") if n else {}
    community = communities(graph, seed)
    weighted = dict(graph.degree(weight="weight"))
    per_node = {
        node: {
            "degree": graph.degree(node),
            "weighted_degree": weighted[node],
            "betweenness": between.get(node),
            "pagerank": pagerank[node],
            "community": community[node],
        }
        for node in graph
    }
    summary = {
        "nodes": n,
        "edges": graph.number_of_edges(),
        "density": nx.density(graph) if n > 1 else 0.0,
        "components": nx.number_connected_components(graph) if n else 0,
        "communities": len(set(community.values())),
        "betweenness_exact": betweenness and k is None,
    }
    return Metrics(summary=summary, nodes=per_node)


# ---------------------------------------------------------------- the table `miggraph network` prints

SORT_KEYS = ("pagerank", "betweenness", "degree", "weighted_degree")
COLUMNS = ("node", "label", "kind", "side", "degree", "weighted_degree", "betweenness",
           "pagerank", "community")
SCORES = ("degree", "weighted_degree", "betweenness", "pagerank", "community")


def table(graph: nx.Graph, sort: str = "pagerank", top: int | None = None) -> list[dict]:
    """One row per node of a measured graph (see `KnowledgeGraph.network`), best first."""
    rows = [{"node": shorten(node), "label": data["label"], "kind": data["kind"],
             "side": data["side"], **{key: data.get(key) for key in SCORES}}
            for node, data in graph.nodes(data=True)]
    rows.sort(key=lambda r: (-(r[sort] or 0), r["label"]))
    return rows[:top] if top else rows


def format_table(view: str, summary: dict, rows: list[dict], fmt: str = "table") -> str:
    """The rows as a text table with the summary above, or as CSV or JSON."""
    if fmt == "json":
        return json.dumps({"view": view, "summary": summary, "nodes": rows},
                          ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()
    s = summary
    lines = [f"View {view}: {s['nodes']} nodes, {s['edges']} edges, density {s['density']:.3f}, "
             f"{s['components']} components, {s['communities']} communities.",
             f"{'label':<48} {'kind':<24} {'side':<13} {'deg':>4} {'w.deg':>6} "
             f"{'betw.':>6} {'PageRank':>8} {'comm.':>5}"]
    for r in rows:
        lines.append(f"{cut(r['label'], 48):<48} {cut(r['kind'], 24):<24} {cut(r['side'], 13):<13} "
                     f"{r['degree']:>4} {r['weighted_degree']:>6g} {r['betweenness']:>6.3f} "
                     f"{r['pagerank']:>8.4f} {r['community']:>5}")
    return "\n".join(lines) + "\n"
