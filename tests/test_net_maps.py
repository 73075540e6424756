"""Maps without a browser: the file is self-contained, bad targets are refused, large graphs
are laid out community by community."""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import pytest

from miggraph import network
from miggraph.cli import main
from miggraph.network import maps
from miggraph.project import Project
from miggraph.sparql.embedded import embedded


def test_map_file_fetches_nothing(project: Project, dist: Path, tmp_path: Path) -> None:
    graph = network.project_view(embedded(dist), project, "structure")
    out = maps.write_map(graph, tmp_path / "structure.html", "structure")
    html = out.read_text(encoding="utf-8")
    assert "vis.Network" in html and "@version 9.1.2" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html
    assert '"physics": {"enabled": false}' in html


def test_map_command_rejects_a_non_html_target(project: Project, dist: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(project.root), "map", "--dist", str(dist),
                 "--out", str(tmp_path / "map.png")])
    assert code == 2
    assert "a map is an .html file" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_large_graphs_are_laid_out_by_community_without_overlaps() -> None:
    graph = nx.relaxed_caveman_graph(40, 10, 0.1, seed=3)
    metrics = network.measure(graph)
    community = {n: s["community"] for n, s in metrics.nodes.items()}
    rank = {n: s["pagerank"] for n, s in metrics.nodes.items()}
    positions = maps.layout(graph, community, rank)
    assert set(positions) == set(graph)
    assert len({(round(x), round(y)) for x, y in positions.values()}) == graph.number_of_nodes()


def test_layout_is_the_same_on_every_run() -> None:
    graph = nx.karate_club_graph()
    metrics = network.measure(graph)
    community = {n: s["community"] for n, s in metrics.nodes.items()}
    rank = {n: s["pagerank"] for n, s in metrics.nodes.items()}
    assert maps.layout(graph, community, rank) == maps.layout(graph, community, rank)
