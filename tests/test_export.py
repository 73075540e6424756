"""Exports: GraphML and GEXF read back equal, CSV tables, node-link JSON, and the RDF copies."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pytest

from miggraph import network
from miggraph.cli import main
from miggraph.formats import RDF_FILES
from miggraph.network import export
from miggraph.project import Project, built_name
from miggraph.sparql.embedded import embedded
from miggraph.vocab import MGD


@pytest.fixture(scope="module", params=["coparticipation", "participation"])
def view(request: pytest.FixtureRequest, dist: Path, project: Project
         ) -> tuple[nx.Graph, network.Metrics]:
    graph = network.project_view(embedded(dist), project, request.param)
    return graph, network.measure(graph)


@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_round_trip_keeps_nodes_edges_and_attributes(
        view: tuple[nx.Graph, network.Metrics], tmp_path: Path, fmt: str, reader) -> None:
    graph, metrics = view
    out = tmp_path / f"view.{fmt}"
    assert export.export_network(graph, metrics, fmt, out) == [out]
    back = reader(out)
    expected = export.flatten(graph, metrics)
    assert dict(back.nodes(data=True)) == dict(expected.nodes(data=True))
    assert {frozenset(e) for e in back.edges} == {frozenset(e) for e in expected.edges}
    for u, v, data in expected.edges(data=True):
        read = dict(back.edges[u, v])
        if fmt == "gexf":
            read.pop("id")  # GEXF numbers its edges; the reader hands the number back
        assert read == data


def test_flat_attributes_join_lists_and_add_metrics(view: tuple[nx.Graph, network.Metrics]
                                                    ) -> None:
    graph, metrics = view
    flat = export.flatten(graph, metrics)
    office = str(MGD["iom-liaison-office-china"])
    assert flat.nodes[office]["sources"] == network.SEP.join(graph.nodes[office]["sources"])
    assert flat.nodes[office]["pagerank"] == metrics.nodes[office]["pagerank"]
    assert flat.nodes[office]["label_zh"] == "国际移民组织驻华联络处"


def test_csv_writes_a_nodes_table_and_an_edges_table(
        view: tuple[nx.Graph, network.Metrics], tmp_path: Path) -> None:
    graph, metrics = view
    name = graph.graph["name"]
    written = export.export_network(graph, metrics, "csv", tmp_path)
    assert [p.name for p in written] == [f"{name}-nodes.csv", f"{name}-edges.csv"]
    with written[0].open(encoding="utf-8") as f:
        nodes = list(csv.DictReader(f))
    with written[1].open(encoding="utf-8") as f:
        edges = list(csv.DictReader(f))
    assert len(nodes) == graph.number_of_nodes()
    assert len(edges) == graph.number_of_edges()
    assert {"id", "label", "label_zh", "kind", "side", "sources", "pagerank"} <= set(nodes[0])
    assert list(edges[0])[:4] == ["source", "target", "kind", "weight"]
    ids = {row["id"] for row in nodes}
    assert all(row["source"] in ids and row["target"] in ids and row["sources"] for row in edges)


def test_json_is_node_link(view: tuple[nx.Graph, network.Metrics], tmp_path: Path) -> None:
    graph, metrics = view
    out = tmp_path / "view.json"
    export.export_network(graph, metrics, "json", out)
    back = nx.node_link_graph(json.loads(out.read_text(encoding="utf-8")), edges="edges")
    assert back.number_of_nodes() == graph.number_of_nodes()
    assert back.number_of_edges() == graph.number_of_edges()


@pytest.mark.parametrize("fmt", sorted(RDF_FILES))
def test_rdf_export_copies_the_build(project: Project, dist: Path, tmp_path: Path, fmt: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / f"graph.{fmt}"
    code = main(["--project", str(project.root), "export", "--dist", str(dist),
                 "--format", fmt, "--out", str(out)])
    assert code == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert out.read_bytes() == (dist / built_name(fmt)).read_bytes()


def test_export_command_writes_graphml_and_csv(project: Project, dist: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "s.graphml"
    assert main(["--project", str(project.root), "export", "--dist", str(dist),
                 "--view", "structure", "--format", "graphml", "--out", str(out)]) == 0
    assert nx.read_graphml(out).number_of_nodes() > 0
    assert main(["--project", str(project.root), "export", "--dist", str(dist),
                 "--format", "csv", "--out", str(tmp_path / "tables")]) == 0
    printed = capsys.readouterr().out.split()
    assert printed[-2:] == [str(tmp_path / "tables" / "coparticipation-nodes.csv"),
                            str(tmp_path / "tables" / "coparticipation-edges.csv")]


def test_export_without_a_build_fails_cleanly_and_writes_nothing(
        project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out" / "graph.ttl"
    code = main(["--project", str(project.root), "export", "--dist", str(tmp_path / "none"),
                 "--format", "ttl", "--out", str(out)])
    assert code == 2
    assert "run `miggraph build` first" in capsys.readouterr().err
    assert not out.exists()


def test_csv_export_refuses_a_file_as_its_folder(project: Project, dist: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    existing = tmp_path / "file.txt"
    existing.write_text("keep me", encoding="utf-8")
    code = main(["--project", str(project.root), "export", "--dist", str(dist),
                 "--format", "csv", "--out", str(existing)])
    assert code == 2
    assert "--out must be a folder" in capsys.readouterr().err
    assert existing.read_text(encoding="utf-8") == "keep me"
