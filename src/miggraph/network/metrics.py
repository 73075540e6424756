"""Metrics: what an analyst measures on a network view, with fixed seeds so that a run repeats.

Degree, weighted degree, betweenness (exact on small graphs, sampled on large ones), PageRank
and Louvain communities, per node; and a summary per graph. The command line's `network`
table, the maps' sizes and the exports' node attributes all read these.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

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
