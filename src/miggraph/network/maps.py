"""Maps: one self-contained HTML file per network view, that opens offline, still and legible.

What the analyst sees first is the side: a node is filled with its side's colour (EU,
China, international, other; white when it has none). Its shape is its kind's family and its
outline its kind's colour, so every kind has a shape-and-colour pair of its own; both come
from the ontology (`graph.model`, `ontology/display.ttl`). Labels are short (an acronym where
the data has one, "MPS"), the full names are in the tooltip, and the page shows only the labels
that fit: highest PageRank first, none overlapping another or the edge of the map, again after
every zoom. Search looks through every name (English, Chinese, acronyms and variants).

Positions are computed here, so the browser draws with physics off. The graph is cut into
blocks (connected components of a small graph, communities of a large one), each laid out by
igraph in compiled code (Kamada-Kawai for small connected blocks, Fruchterman-Reingold for the
rest), and the blocks are packed in rows. A large graph (more than OVERVIEW_LIMIT nodes) opens
as an overview: each community one node sized by its members, links between communities
summed; a click opens a community in place. Its PageRank and communities come from igraph
too (networkx's Louvain and betweenness take seconds at 10,000 nodes); small graphs get the
same metrics as `miggraph network`.

Planned activities appear only when the network was projected with them (`--include-planned`):
an edge that rests on planned activities alone is drawn dashed, and the panel has a status
filter (held, planned) and a slider over the years. Tooltips are plain text (vis-network shows
a string title as text), so nothing in the data can inject markup.

The page is rendered from our template (`templates/map.html`) with the vis-network build that
pyvis ships inlined; pyvis's own template pulls Bootstrap from a CDN.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from pathlib import Path

import igraph
import jinja2
import markupsafe
import networkx as nx
import numpy as np
import pyvis
from jinja2.utils import htmlsafe_json_dumps

from ..errors import MiggraphError
from ..files import write_text_atomic
from ..graph import model as model_mod
from ..project import find_project
from ..vocab import PREFIXES, shorten
from .metrics import EXACT_BETWEENNESS_LIMIT, SEED, Metrics, measure

TEMPLATES = Path(__file__).parent / "templates"
PYVIS_TEMPLATES = Path(pyvis.__file__).parent / "templates"
VIS_JS = "lib/vis-9.1.2/vis-network.min.js"
# Up to this many nodes a connected block gets the steadier Kamada-Kawai layout.
KAMADA_KAWAI_LIMIT = 150
# Above this many nodes a map opens as an overview of its communities.
OVERVIEW_LIMIT = 1000
NODE_SPACING = 110.0
# Fruchterman-Reingold iterations for the communities of a large map (300 for small maps).
FR_ITERATIONS = 40
# Blocks of small maps up to this many nodes are spread so that no two nodes are closer than MIN_DISTANCE.
SPREAD_LIMIT = 300
MIN_DISTANCE = 150.0
# Acronyms: alternative labels this short with no lower-case letter ("MPS", "DG HOME").
ACRONYM_LENGTH = 12
# Labels without an acronym are cut to about this many characters (the tooltip has them whole).
LABEL_LENGTH = 26
NO_SIDE = "no side"
NO_SIDE_COLOUR = "#ffffff"
UNKNOWN_KIND = model_mod.Kind("", "", "unknown", "", "", "dot", "#7f7f7f", 0)
SYMMETRIC_KINDS = {"co-participation"}

Position = tuple[float, float]


# ---------------------------------------------------------------- layout

def _igraph(graph: nx.Graph) -> tuple[igraph.Graph, dict]:
    """The graph in igraph, built once, and each node's index there."""
    index = {node: i for i, node in enumerate(graph)}
    return igraph.Graph(n=len(index), edges=[(index[u], index[v]) for u, v in graph.edges()]), index


def _block_layout(whole: igraph.Graph, index: dict, nodes: list, radius: float, seed: int,
                  spread: bool = True) -> dict[str, Position]:
    """One block laid out by igraph and scaled to `radius`, from seeded starting positions:
    in a small map Kamada-Kawai when the block is small and connected, then `_spread`;
    Fruchterman-Reingold otherwise (few iterations for the communities of a large map,
    which the overview shows closed)."""
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    g = whole.induced_subgraph([index[n] for n in nodes], implementation="create_from_scratch")
    rng = random.Random(seed)
    start = [(rng.random(), rng.random()) for _ in nodes]
    if spread and len(nodes) <= KAMADA_KAWAI_LIMIT and g.is_connected():
        coords = g.layout_kamada_kawai(seed=start).coords
    else:
        coords = g.layout_fruchterman_reingold(seed=start, grid="auto",
                                               niter=300 if spread else FR_ITERATIONS).coords
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    span = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 or 1.0
    points = [((x - cx) / span * radius, (y - cy) / span * radius) for x, y in coords]
    if spread and len(points) <= SPREAD_LIMIT:
        points = _spread(points)
    return dict(zip(nodes, points, strict=True))


def _spread(points: list[Position], iterations: int = 60) -> list[Position]:
    """Push apart nodes closer than MIN_DISTANCE, a little at a time, keeping the layout's
    shape: force layouts pack a dense core, where no label would fit."""
    xy = np.array(points, dtype=float)
    for _ in range(iterations):
        delta = xy[:, None, :] - xy[None, :, :]  # delta[i, j] = xy[i] - xy[j]
        distance = np.hypot(delta[..., 0], delta[..., 1])
        np.fill_diagonal(distance, MIN_DISTANCE)  # a node does not push itself
        close = distance < MIN_DISTANCE
        if not close.any():
            break
        push = np.where(close, (MIN_DISTANCE - distance) / 2 / np.maximum(distance, 1e-6), 0.0)
        xy += (delta * push[..., None]).sum(axis=1) / np.maximum(close.sum(axis=1), 1)[:, None]
    return [(float(x), float(y)) for x, y in xy]


def layout(graph: nx.Graph, community: dict[str, int], rank: dict[str, float],
           seed: int = SEED) -> dict[str, Position]:
    """Screen positions (pixels) for every node.

    The graph is cut into blocks: its connected components when it is small, its communities
    when it is large. Each block gets an igraph layout of its own, with room for its nodes,
    then the blocks are packed in rows, largest first, like books on shelves: no block
    squeezes another, the map keeps a screen-like shape, and the cost stays near linear.
    """
    small = graph.number_of_nodes() <= OVERVIEW_LIMIT
    if small:
        blocks = [sorted(c, key=str) for c in nx.connected_components(graph)]
    else:
        members: dict[int, list] = defaultdict(list)
        for node in graph:
            members[community[node]].append(node)
        blocks = [sorted(m, key=lambda n: (-rank[n], str(n))) for m in members.values()]
    blocks.sort(key=lambda block: (-len(block), str(min(block, key=str))))
    placed = []
    whole, index = _igraph(graph)
    for block in blocks:
        radius = NODE_SPACING * math.sqrt(len(block)) * (0.9 if len(block) > 2 else 0.5)
        placed.append(_block_layout(whole, index, block, radius, seed, spread=small))
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


# ---------------------------------------------------------------- metrics for large maps

def fast_metrics(graph: nx.Graph, seed: int = SEED) -> Metrics:
    """PageRank and Louvain communities (numbered from 1, largest first) computed by igraph:
    what a large map needs, in a fraction of networkx's time. No betweenness."""
    nodes = list(graph)
    index = {node: i for i, node in enumerate(nodes)}
    edges = [(index[u], index[v]) for u, v in graph.edges()]
    weights = [float(d.get("weight", 1.0)) for _, _, d in graph.edges(data=True)]
    g = igraph.Graph(n=len(nodes), edges=edges)
    pagerank = g.pagerank(weights=weights or None, directed=False) if nodes else []
    igraph.set_random_number_generator(random.Random(seed))
    try:
        clusters = g.community_multilevel(weights=weights or None) if edges else None
    finally:
        igraph.set_random_number_generator(random)
    groups: list[list[int]] = [list(c) for c in clusters] if clusters else [[i] for i in range(len(nodes))]
    groups.sort(key=lambda group: (-len(group), str(nodes[min(group)])))
    community = {nodes[i]: k for k, group in enumerate(groups, start=1) for i in group}
    degree = g.degree()
    strength = g.strength(weights=weights or None)
    per_node = {node: {"degree": degree[i], "weighted_degree": strength[i], "betweenness": None,
                       "pagerank": pagerank[i], "community": community[node]}
                for i, node in enumerate(nodes)}
    summary = {"nodes": len(nodes), "edges": len(edges),
               "density": nx.density(graph) if len(nodes) > 1 else 0.0,
               "components": len(g.connected_components()) if nodes else 0,
               "communities": len(groups), "betweenness_exact": False}
    return Metrics(summary=summary, nodes=per_node)


# ---------------------------------------------------------------- names and tooltips

def is_acronym(name: str) -> bool:
    """A short name without lower-case letters: "MPS", "DG HOME", "MPS BEEA"."""
    letters = [c for c in name if c.isalpha()]
    return (len(name) <= ACRONYM_LENGTH and len(letters) >= 2
            and not any(c.islower() for c in letters) and all(c.isascii() for c in letters))


def short_label(label: str, alt_labels: list[str]) -> str:
    """The label a map draws: the shortest acronym among the alternative labels, else the
    label itself, cut at a word boundary with an ellipsis when it is long."""
    acronyms = sorted((a for a in alt_labels if is_acronym(a)), key=lambda a: (len(a), a))
    if acronyms:
        return acronyms[0]
    if len(label) <= LABEL_LENGTH:
        return label
    cut = label[:LABEL_LENGTH].rsplit(" ", 1)[0].rstrip(",;:-–")
    return cut + "…"


def _lines(title: str, items: list[str]) -> list[str]:
    return [title, *(f"  • {item}" for item in items)] if items else []


def node_tooltip(data: dict, scores: dict) -> str:
    """The names and facts of a node and the sections they come from, as plain text."""
    lines = [data["label"]]
    if data["label_zh"]:
        lines.append(data["label_zh"])
    if data.get("alt_labels"):
        lines.append("also: " + ", ".join(data["alt_labels"]))
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


def planned_only(statuses: list[str]) -> bool:
    """An edge drawn dashed: it rests on activities that are planned, none held."""
    return bool(statuses) and "held" not in statuses


def _count(values) -> list[tuple[str, int]]:
    counts = Counter(values)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


# ---------------------------------------------------------------- what the page draws

def vis_data(graph: nx.Graph, metrics: Metrics, model: model_mod.Model | None = None,
             seed: int = SEED) -> tuple[list, list, dict]:
    """The node and edge lists vis-network draws, and the facets the filters offer."""
    model = model or default_model()
    scores = metrics.nodes
    rank = {n: s["pagerank"] for n, s in scores.items()}
    community = {n: s["community"] for n, s in scores.items()}
    pos = layout(graph, community, rank, seed)
    top = max(rank.values(), default=1.0) or 1.0
    nodes = []
    for node, data in graph.nodes(data=True):
        kind = model.kind(data["kind"]) or UNKNOWN_KIND
        side = model.side(data["side"]) if data["side"] else None
        x, y = pos[node]
        alt = data.get("alt_labels", [])
        nodes.append({
            "id": node,
            "label": short_label(data["label"], alt),
            "names": [data["label"], *([data["label_zh"]] if data["label_zh"] else []), *alt],
            "x": round(x, 1), "y": round(y, 1),
            "size": round(10 + 22 * math.sqrt(rank[node] / top), 1),
            "rank": rank[node],
            "color": {"background": side.colour if side else NO_SIDE_COLOUR, "border": kind.colour,
                      "highlight": {"background": side.colour if side else NO_SIDE_COLOUR,
                                    "border": "#000000"}},
            "shape": kind.shape,
            "title": node_tooltip(data, scores[node]),
            "kind": data["kind"] or "unknown", "side": data["side"] or NO_SIDE,
            "community": community[node],
            "themes": data["themes"], "years": data["years"],
            "statuses": [data["status"]] if data["status"] else [],
        })
    edges = []
    for i, (u, v, data) in enumerate(graph.edges(data=True)):
        first = data.get("from", u)
        statuses = data.get("statuses", [])
        edges.append({
            "id": i, "from": first, "to": v if first == u else u,
            "weight": data["weight"],
            "width": round(1 + math.log2(max(data["weight"], 1)), 2),
            "title": edge_tooltip(graph, u, v, data),
            "arrows": "" if data["kind"] in SYMMETRIC_KINDS else "to",
            "kind": data["kind"], "themes": data["themes"], "years": data["years"],
            "statuses": statuses, "dashes": planned_only(statuses),
        })
    return nodes, edges, facets(graph, nodes, edges, model)


def facets(graph: nx.Graph, nodes: list[dict], edges: list[dict], model: model_mod.Model) -> dict:
    """What the panel offers: kinds (the legend), sides with their colours, themes, statuses
    and the range of years."""
    kinds = []
    for label, count in _count(n["kind"] for n in nodes):
        kind = model.kind(label) or UNKNOWN_KIND
        kinds.append({"value": label, "count": count, "color": kind.colour, "shape": kind.shape,
                      "family": kind.family})
    sides = []
    for label, count in _count(n["side"] for n in nodes):
        side = model.side(label)
        sides.append({"value": label, "count": count,
                      "fill": side.colour if side else NO_SIDE_COLOUR})
    years = sorted({int(y) for item in (*nodes, *edges) for y in item["years"] if y.isdigit()})
    return {
        "kind": kinds,
        "side": sides,
        "theme": [{"value": k, "count": c} for k, c in _count(t for n in nodes for t in n["themes"])],
        "status": [{"value": k, "count": c}
                   for k, c in _count(s for item in (*nodes, *edges) for s in item["statuses"])],
        "years": {"first": years[0], "last": years[-1]} if years else None,
    }


def overview(nodes: list[dict], edges: list[dict]) -> list[dict]:
    """One node per community: at its members' centre, sized by how many they are, named
    after its highest-ranked member."""
    members: dict[int, list[dict]] = defaultdict(list)
    for node in nodes:
        members[node["community"]].append(node)
    largest = max((len(m) for m in members.values()), default=1)
    result = []
    for number, group in sorted(members.items()):
        head = max(group, key=lambda n: (n["rank"], n["id"]))
        sides = Counter(n["side"] for n in group)
        result.append({
            "id": f"community:{number}", "community": number, "members": len(group),
            "label": f"{head['label']} +{len(group) - 1}" if len(group) > 1 else head["label"],
            "names": head["names"],
            "x": round(sum(n["x"] for n in group) / len(group), 1),
            "y": round(sum(n["y"] for n in group) / len(group), 1),
            "size": round(12 + 48 * math.sqrt(len(group) / largest), 1),
            "rank": sum(n["rank"] for n in group),
            "shape": "dot",
            "color": {"background": "#dde6f0", "border": "#4a5a6a"},
            "title": f"Community {number}: {len(group)} nodes, around {head['names'][0]}\n"
                     + ", ".join(f"{side} {count}" for side, count in sides.most_common())
                     + "\nClick to open it.",
            "kind": "community", "side": "", "themes": [], "years": [], "statuses": [],
        })
    return result


def options() -> dict:
    """vis-network options: physics off (positions are given), straight edges, hover tooltips."""
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {"hover": True, "tooltipDelay": 150, "multiselect": True},
        "nodes": {"borderWidth": 3, "borderWidthSelected": 4,
                  "font": {"size": 14, "face": "sans-serif", "strokeWidth": 3,
                           "strokeColor": "#ffffff"}},
        "edges": {"smooth": False, "color": {"color": "#8a96a3", "highlight": "#333333",
                                             "hover": "#333333", "opacity": 0.7},
                  "arrows": {"to": {"scaleFactor": 0.5}}},
    }


def default_model() -> model_mod.Model:
    """The model of the project this package belongs to (or the current one)."""
    return model_mod.load(find_project().ontology)


def _json(value: object) -> markupsafe.Markup:
    """Compact JSON safe inside a <script> element (<, >, & and ' escaped, as jinja's tojson)."""
    return htmlsafe_json_dumps(value, ensure_ascii=False, separators=(",", ":"))


def render(graph: nx.Graph, title: str, description: str = "",
           metrics: Metrics | None = None, seed: int = SEED,
           model: model_mod.Model | None = None, ego: dict | None = None) -> str:
    """The HTML of a map of `graph`: vis-network in-line, data in-line, nothing fetched.

    `ego` ({"node": id, "depth": n}) opens the map on that node's neighbourhood."""
    if metrics is None:  # the map needs no betweenness, and it is slow on large graphs
        if graph.number_of_nodes() > EXACT_BETWEENNESS_LIMIT:
            metrics = fast_metrics(graph, seed)
        else:
            metrics = measure(graph, seed)
    nodes, edges, panel = vis_data(graph, metrics, model, seed)
    large = len(nodes) > OVERVIEW_LIMIT
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                                     autoescape=True)
    vis_source = markupsafe.Markup((PYVIS_TEMPLATES / VIS_JS).read_text(encoding="utf-8"))
    return environment.get_template("map.html").render(
        title=title, description=description, nodes=_json(nodes), edges=_json(edges),
        communities=_json(overview(nodes, edges) if large else []),
        options=_json(options()), settings=_json({"overview": large, "ego": ego}),
        facets=panel, summary=metrics.summary, vis_source=vis_source,
    )


def write_map(graph: nx.Graph, out: Path, title: str, description: str = "",
              metrics: Metrics | None = None, seed: int = SEED,
              model: model_mod.Model | None = None, ego: dict | None = None) -> Path:
    """Render a map and write it atomically to `out`."""
    write_text_atomic(out, render(graph, title, description, metrics, seed, model, ego))
    return out


# ---------------------------------------------------------------- ego views

def find_nodes(graph: nx.Graph, name: str, prefixes: dict[str, str]) -> list[str]:
    """The nodes `name` stands for: its IRI, a prefixed name (mgd:mps), or one of its names
    (English, Chinese, acronym), compared without regard to case."""
    if name in graph:
        return [name]
    prefix, _, local = name.partition(":")
    if prefix in prefixes and f"{prefixes[prefix]}{local}" in graph:
        return [f"{prefixes[prefix]}{local}"]
    wanted = name.casefold()
    return sorted(n for n, d in graph.nodes(data=True)
                  if wanted in {x.casefold() for x in (d["label"], d["label_zh"],
                                                       *d.get("alt_labels", [])) if x})


def ego_view(graph: nx.Graph, name: str, depth: int, view: str) -> tuple[nx.Graph, str]:
    """The neighbourhood of the one node `name` stands for, and that node; a MiggraphError
    (exit 2) when no node or several nodes answer to the name, or `depth` is below 1."""
    if depth < 1:
        raise MiggraphError("--depth must be at least 1")
    found = find_nodes(graph, name, PREFIXES)
    if len(found) != 1:
        known = "; ".join(f"{shorten(n)} ({graph.nodes[n]['label']})" for n in found[:5])
        raise MiggraphError(f"--ego {name!r}: " + (
            f"no node of view {view} has that IRI or name" if not found else
            f"{len(found)} nodes have that name: {known}; give the IRI"))
    return ego_graph(graph, found[0], depth), found[0]


def ego_graph(graph: nx.Graph, node: str, depth: int) -> nx.Graph:
    """The node and its neighbours within `depth` steps, with the links among them."""
    return graph.subgraph(nx.single_source_shortest_path_length(graph, node, cutoff=depth)).copy()
