"""Maps: one self-contained HTML file per network view, that opens offline and stays still.

Positions are computed here with networkx, so the browser draws a laid-out map with physics
off instead of simulating it (pyvis's default physics took 43 s to settle at 1,000 nodes and
never at 10,000, DESIGN.md section 5). A small graph is laid out component by component
(Kamada-Kawai, steady and readable); a large one community by community (Louvain), each a
spring layout of its own; the blocks are packed in rows, so the cost grows with the blocks'
sizes and not with the square of the graph.

Planned activities appear only when the network was projected with them (`--include-planned`):
an edge that rests on planned activities alone is drawn dashed, and the panel has a status
filter (held, planned) beside the others.

Tooltips are plain text (vis-network shows a string title as text), so nothing in the data
can inject markup; a node's tooltip gives its facts and metrics, an edge's the link and the
source sections behind it.

pyvis holds the node and edge lists, handed over in bulk (its `add_node` checks are linear),
and ships the vis-network build that the page inlines. Its own template pulls Bootstrap from a
CDN even with `cdn_resources="in_line"`, so the page is rendered from our template
(`templates/map.html`), which has the legend, filters, search and tooltips.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from pathlib import Path

import jinja2
import markupsafe
import networkx as nx
import pyvis
from pyvis.network import Network

from ..files import write_text_atomic
from .metrics import EXACT_BETWEENNESS_LIMIT, SEED, Metrics, measure

TEMPLATES = Path(__file__).parent / "templates"
PYVIS_TEMPLATES = Path(pyvis.__file__).parent / "templates"
VIS_JS = "lib/vis-9.1.2/vis-network.min.js"
# Up to this many nodes a graph (or a community) gets networkx's exact, dense spring layout.
SPRING_LIMIT = 300
# Up to this many nodes a connected block gets the steadier (and slower) Kamada-Kawai layout.
KAMADA_KAWAI_LIMIT = 150
# Above this many nodes the map hides edges while the user drags or zooms.
LARGE_MAP = 2000
NODE_SPACING = 110.0

SHAPES = {"actor": "dot", "activity": "square", "project": "star",
          "instrument": "triangle", "place": "diamond"}
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39",
           "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363"]
NO_SIDE = "no side"
SYMMETRIC_KINDS = {"co-participation"}

Position = tuple[float, float]


def _spring(graph: nx.Graph, radius: float, seed: int, steady: bool) -> dict[str, Position]:
    """A spring layout scaled to `radius`; Kamada-Kawai when `steady` and the block is small."""
    if graph.number_of_nodes() == 1:
        return {next(iter(graph)): (0.0, 0.0)}
    if steady and graph.number_of_nodes() <= KAMADA_KAWAI_LIMIT and nx.is_connected(graph):
        pos = nx.kamada_kawai_layout(graph, weight=None)
    else:
        pos = nx.spring_layout(graph, seed=seed, weight=None, iterations=50)
    return {n: (float(x) * radius, float(y) * radius) for n, (x, y) in pos.items()}


def _spiral(nodes: list[str], spacing: float) -> dict[str, Position]:
    """Nodes on a sunflower spiral, the first in the centre: even density, no overlaps."""
    golden = math.pi * (3 - math.sqrt(5))
    return {n: (spacing * math.sqrt(i) * math.cos(i * golden),
                spacing * math.sqrt(i) * math.sin(i * golden)) for i, n in enumerate(nodes)}


def layout(graph: nx.Graph, community: dict[str, int], rank: dict[str, float],
           seed: int = SEED) -> dict[str, Position]:
    """Screen positions (pixels) for every node.

    The graph is cut into blocks: its connected components when it is small, its communities
    when it is large. Each block gets a layout of its own (a sunflower spiral, highest PageRank
    in the centre, when it is too large for a spring layout), then the blocks are packed in
    rows, largest first, like books on shelves: no block squeezes another, the map keeps a
    screen-like shape, and the cost stays near linear.
    """
    small = graph.number_of_nodes() <= SPRING_LIMIT
    if small:
        blocks = [list(c) for c in nx.connected_components(graph)]
    else:
        members: dict[int, list[str]] = defaultdict(list)
        for node in graph:
            members[community[node]].append(node)
        blocks = list(members.values())
    blocks.sort(key=lambda block: (-len(block), min(block)))
    placed = []
    for block in blocks:
        radius = NODE_SPACING * math.sqrt(len(block)) * (1.5 if len(block) > 2 else 1.0)
        if len(block) <= SPRING_LIMIT:
            local = _spring(graph.subgraph(block), radius, seed, steady=small)
        else:
            local = _spiral(sorted(block, key=lambda node: (-rank[node], node)), NODE_SPACING)
        placed.append(local)
    return _shelves(placed)


def _shelves(blocks: list[dict[str, Position]]) -> dict[str, Position]:
    """Pack laid-out blocks in rows about as wide as the largest block or the square root of
    their total area, whichever is wider, with a node's spacing between blocks."""
    boxes = []
    for local in blocks:
        xs, ys = [p[0] for p in local.values()], [p[1] for p in local.values()]
        boxes.append((min(xs), min(ys), max(xs) - min(xs) + 2 * NODE_SPACING,
                      max(ys) - min(ys) + 2 * NODE_SPACING))
    area = sum(w * h for _, _, w, h in boxes)
    row_width = max([math.sqrt(area) * 1.3] + [w for _, _, w, _ in boxes[:1]])
    positions: dict[str, Position] = {}
    x = y = row_height = 0.0
    for local, (left, top, width, height) in zip(blocks, boxes, strict=True):
        if x > 0 and x + width > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        dx, dy = x - left + NODE_SPACING, y - top + NODE_SPACING
        positions.update({node: (px + dx, py + dy) for node, (px, py) in local.items()})
        x += width
        row_height = max(row_height, height)
    return positions


def _colours(graph: nx.Graph) -> dict[str, str]:
    counts = Counter(data["kind"] or "unknown" for _, data in graph.nodes(data=True))
    ordered = sorted(counts, key=lambda k: (-counts[k], k))
    return {kind: PALETTE[i % len(PALETTE)] for i, kind in enumerate(ordered)}


def _lines(title: str, items: list[str]) -> list[str]:
    return [title, *(f"  • {item}" for item in items)] if items else []


def node_tooltip(data: dict, scores: dict) -> str:
    """The facts of a node and the sections they come from, as plain text."""
    lines = [data["label"]]
    if data["label_zh"]:
        lines.append(data["label_zh"])
    head = data["kind"] or "node"
    if data["side"]:
        head += f" · side: {data['side']}"
    lines.append(head)
    facts = [f"{k}: {data[k]}" for k in ("status", "date") if data[k]]
    if facts:
        lines.append(" · ".join(facts))
    between = scores["betweenness"]
    lines.append(f"PageRank {scores['pagerank']:.3f} · degree {scores['degree']} · "
                 + (f"betweenness {between:.3f} · " if between is not None else "")
                 + f"community {scores['community']}")
    if data["themes"]:
        lines.append("themes: " + ", ".join(data["themes"]))
    if data["description"]:
        lines.append(data["description"])
    lines += _lines("Sources:", data["sources"]) or ["Sources: none cited for the node itself"]
    return "\n".join(lines)


def edge_tooltip(graph: nx.Graph, u: str, v: str, data: dict) -> str:
    """The facts of an edge (who, how, what) and the sections they come from, as plain text."""
    first = data.get("from", u)
    second = v if first == u else u
    a, b = graph.nodes[first]["label"], graph.nodes[second]["label"]
    weight = data["weight"]
    count = f" ({weight:g})" if weight != 1 else ""
    lines = [f"{a} — {data['kind']}{count} — {b}"]
    items = [part for part in data["label"].split(" | ") if part and part != data["kind"]]
    lines += [f"  {item}" for item in items]
    if data["years"]:
        lines.append("years: " + ", ".join(data["years"]))
    if data.get("statuses"):
        lines.append("status: " + ", ".join(data["statuses"]))
    lines += _lines("Sources:", data["sources"])
    return "\n".join(lines)


def vis_data(graph: nx.Graph, metrics: Metrics, seed: int = SEED) -> tuple[list, list, dict]:
    """The node and edge lists vis-network draws, and the facets the filters offer."""
    scores = metrics.nodes
    rank = {n: s["pagerank"] for n, s in scores.items()}
    community = {n: s["community"] for n, s in scores.items()}
    pos = layout(graph, community, rank, seed)
    top = max(rank.values(), default=1.0) or 1.0
    colours = _colours(graph)
    nodes = []
    for node, data in graph.nodes(data=True):
        kind = data["kind"] or "unknown"
        x, y = pos[node]
        nodes.append({
            "id": node,
            "label": data["label"] + (f"\n{data['label_zh']}" if data["label_zh"] else ""),
            "x": round(x, 1), "y": round(y, 1),
            "size": round(8 + 32 * math.sqrt(rank[node] / top), 1),
            "color": colours[kind],
            "shape": SHAPES.get(data["group"], "dot"),
            "title": node_tooltip(data, scores[node]),
            "kind": kind, "side": data["side"] or NO_SIDE,
            "themes": data["themes"], "years": data["years"],
            "statuses": [data["status"]] if data["status"] else [],
        })
    edges = []
    for i, (u, v, data) in enumerate(graph.edges(data=True)):
        first = data.get("from", u)
        statuses = data.get("statuses", [])
        edges.append({
            "id": i, "from": first, "to": v if first == u else u,
            "width": round(1 + math.log2(max(data["weight"], 1)), 2),
            "title": edge_tooltip(graph, u, v, data),
            "arrows": "" if data["kind"] in SYMMETRIC_KINDS else "to",
            "kind": data["kind"], "themes": data["themes"], "years": data["years"],
            "statuses": statuses, "dashes": planned_only(statuses),
        })
    groups = {data["kind"] or "unknown": data["group"] for _, data in graph.nodes(data=True)}
    facets = {
        "kind": [{"value": k, "count": c, "color": colours[k],
                  "shape": SHAPES.get(groups[k], "dot")}
                 for k, c in _count(n["kind"] for n in nodes)],
        "side": [{"value": k, "count": c} for k, c in _count(n["side"] for n in nodes)],
        "theme": [{"value": k, "count": c} for k, c in _count(t for n in nodes for t in n["themes"])],
        "year": [{"value": k, "count": c}
                 for k, c in sorted(_count(y for n in nodes for y in n["years"]))],
        "status": [{"value": k, "count": c}
                   for k, c in _count(s for item in (*nodes, *edges) for s in item["statuses"])],
    }
    return nodes, edges, facets


def planned_only(statuses: list[str]) -> bool:
    """An edge drawn dashed: it rests on activities that are planned, none held."""
    return bool(statuses) and "held" not in statuses


def _count(values) -> list[tuple[str, int]]:
    counts = Counter(values)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def options(node_count: int) -> dict:
    """vis-network options: physics off (positions are given), straight edges, hover tooltips."""
    large = node_count > LARGE_MAP
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": large,
                        "hideEdgesOnZoom": large, "multiselect": True},
        "nodes": {"borderWidth": 1, "font": {"size": 14, "face": "sans-serif"}},
        "edges": {"smooth": False, "color": {"color": "#8a96a3", "highlight": "#333333",
                                             "hover": "#333333", "opacity": 0.7},
                  "arrows": {"to": {"scaleFactor": 0.5}}},
    }


def render(graph: nx.Graph, title: str, description: str = "",
           metrics: Metrics | None = None, seed: int = SEED) -> str:
    """The HTML of a map of `graph`: vis-network in-line, data in-line, nothing fetched."""
    if metrics is None:  # the map needs no betweenness, and it is slow on large graphs
        large = graph.number_of_nodes() > EXACT_BETWEENNESS_LIMIT
        metrics = measure(graph, seed, betweenness=not large)
    nodes, edges, facets = vis_data(graph, metrics, seed)
    net = Network(height="100%", width="100%", cdn_resources="in_line")
    net.nodes, net.edges = nodes, edges  # in bulk: add_node would check each id linearly
    net.options = options(len(nodes))
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                                     autoescape=True)
    vis_source = markupsafe.Markup((PYVIS_TEMPLATES / VIS_JS).read_text(encoding="utf-8"))
    return environment.get_template("map.html").render(
        title=title, description=description, nodes=net.nodes, edges=net.edges,
        options=net.options, facets=facets, summary=metrics.summary, vis_source=vis_source,
    )


def write_map(graph: nx.Graph, out: Path, title: str, description: str = "",
              metrics: Metrics | None = None, seed: int = SEED) -> Path:
    """Render a map and write it atomically to `out`."""
    write_text_atomic(out, render(graph, title, description, metrics, seed))
    return out
