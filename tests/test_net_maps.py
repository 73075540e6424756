"""Maps without a browser: the file is self-contained, bad targets are refused, large graphs
are laid out community by community, labels are short, ego views find their actor."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from miggraph import network
from miggraph.cli import main
from miggraph.network import maps
from miggraph.project import Project
from miggraph.sparql.embedded import embedded
from miggraph.vocab import MGD, PREFIXES


def test_map_file_fetches_nothing(project: Project, dist: Path, tmp_path: Path) -> None:
    graph = network.project_view(embedded(dist), project, "structure")
    out = maps.write_map(graph, tmp_path / "structure.html", "structure")
    html = out.read_text(encoding="utf-8")
    assert "vis.Network" in html and "@version 9.1.2" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html
    assert '"physics":{"enabled":false}' in html


def test_map_command_rejects_a_non_html_target(project: Project, dist: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(project.root), "map", "--dist", str(dist),
                 "--out", str(tmp_path / "map.png")])
    assert code == 2
    assert "a map is an .html file" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def _positions(graph: nx.Graph, seed: int = network.SEED) -> dict:
    metrics = network.measure(graph, betweenness=False)
    community = {n: s["community"] for n, s in metrics.nodes.items()}
    rank = {n: s["pagerank"] for n, s in metrics.nodes.items()}
    return maps.layout(graph, community, rank, seed)


def test_large_graphs_are_laid_out_community_by_community_in_separate_boxes() -> None:
    graph = nx.relaxed_caveman_graph(60, 20, 0.05, seed=3)  # 1,200 nodes: an overview map
    assert graph.number_of_nodes() > maps.OVERVIEW_LIMIT
    metrics = maps.fast_metrics(graph)
    community = {n: s["community"] for n, s in metrics.nodes.items()}
    rank = {n: s["pagerank"] for n, s in metrics.nodes.items()}
    positions = maps.layout(graph, community, rank)
    assert set(positions) == set(graph)
    boxes = {}
    for node, (x, y) in positions.items():
        left, top, right, bottom = boxes.get(community[node], (x, y, x, y))
        boxes[community[node]] = (min(left, x), min(top, y), max(right, x), max(bottom, y))
    ordered = list(boxes.values())
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            assert a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1], (a, b)


def test_small_blocks_leave_room_for_labels() -> None:
    graph = nx.karate_club_graph()  # dense core: a force layout packs it
    points = list(_positions(graph).values())
    closest = min(math.dist(p, q) for i, p in enumerate(points) for q in points[i + 1:])
    assert closest >= maps.MIN_DISTANCE * 0.95


LAYOUT_SCRIPT = """
import json, networkx as nx
from miggraph.network import maps, metrics
g = nx.karate_club_graph()
m = metrics.measure(g)
c = {n: s["community"] for n, s in m.nodes.items()}
r = {n: s["pagerank"] for n, s in m.nodes.items()}
print(json.dumps(sorted((n, round(x, 3), round(y, 3)) for n, (x, y) in maps.layout(g, c, r, SEED).items())))
"""


def _layout_in_a_fresh_process(seed: int, hash_seed: str) -> list:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-c", LAYOUT_SCRIPT.replace("SEED", str(seed))],
                          capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout)


def test_layout_is_the_same_in_every_process_and_changes_with_the_seed() -> None:
    first = _layout_in_a_fresh_process(42, "1")
    assert first == _layout_in_a_fresh_process(42, "2")
    assert first != _layout_in_a_fresh_process(7, "1")
    assert len(first) == 34


@pytest.mark.parametrize("label, alt, short", [
    ("Ministry of Public Security of China", ["MPS", "Ministry of Public Security"], "MPS"),
    ("Bureau of Exit and Entry Administration", ["MPS BEEA", "BEEA"], "BEEA"),
    ("Directorate-General for Migration and Home Affairs", ["DG HOME", "DG Home"], "DG HOME"),
    ("Eurostat", [], "Eurostat"),
    ("IOM Liaison Office in China", ["IOM Beijing", "IOM China"], "IOM Liaison Office in…"),
    ("国际移民组织驻华联络处", [], "国际移民组织驻华联络处"),
])
def test_short_labels_are_acronyms_or_cut_names(label: str, alt: list[str], short: str) -> None:
    assert maps.short_label(label, alt) == short


def test_ego_actor_is_found_by_iri_prefixed_name_or_any_name(project: Project, dist: Path) -> None:
    graph = network.project_view(embedded(dist), project, "coparticipation")
    mps = str(MGD.mps)
    for name in (mps, "mgd:mps", "MPS", "mps", "Ministry of Public Security of China"):
        assert maps.find_nodes(graph, name, PREFIXES) == [mps], name
    assert maps.find_nodes(graph, "nobody", PREFIXES) == []
    ego = maps.ego_graph(graph, mps, 1)
    assert set(ego) == {mps, *graph.neighbors(mps)}
    assert ego.number_of_edges() == graph.subgraph(ego).number_of_edges()


@pytest.mark.parametrize("args, message", [
    (["--ego", "nobody"], "--ego 'nobody': no node of view coparticipation has that IRI or name"),
    (["--ego", "MPS", "--depth", "0"], "--depth must be at least 1"),
    (["--ego", "MPS", "--all"], "--ego draws one view; leave out --all"),
])
def test_map_command_refuses_a_bad_ego_view(project: Project, dist: Path, tmp_path: Path,
                                            args: list[str], message: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--quiet", "--project", str(project.root), "map", "--dist", str(dist),
                 "--out", str(tmp_path / "ego.html"), *args])
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_fast_metrics_agree_with_networkx_on_pagerank_and_find_the_planted_communities() -> None:
    graph = nx.relaxed_caveman_graph(12, 10, 0.02, seed=4)
    fast = maps.fast_metrics(graph)
    slow = network.measure(graph, betweenness=False)
    for node in graph:
        assert fast.nodes[node]["pagerank"] == pytest.approx(slow.nodes[node]["pagerank"], abs=1e-4)
        assert fast.nodes[node]["degree"] == slow.nodes[node]["degree"]
    caves = [set(range(i * 10, i * 10 + 10)) for i in range(12)]
    found: dict[int, set] = {}
    for node, scores in fast.nodes.items():
        found.setdefault(scores["community"], set()).add(node)
    matched = sum(max(len(cave & group) for group in found.values()) for cave in caves)
    assert matched >= 0.9 * graph.number_of_nodes()
    assert fast.summary["communities"] == len(found)
    assert sorted(found) == list(range(1, len(found) + 1))
    assert [len(found[c]) for c in sorted(found)] == sorted((len(g) for g in found.values()), reverse=True)


def test_overview_has_one_node_per_community_sized_by_members() -> None:
    nodes = [{"id": f"n{i}", "community": 1 + (i >= 3), "rank": 1.0 / (i + 1), "label": f"N{i}",
              "names": [f"Node {i}"], "x": float(i), "y": 0.0, "side": "EU"} for i in range(4)]
    result = maps.overview(nodes, [])
    assert [(c["id"], c["members"], c["label"], c["x"]) for c in result] == [
        ("community:1", 3, "N0 +2", 1.0), ("community:2", 1, "N3", 3.0)]
    assert result[0]["size"] > result[1]["size"]
