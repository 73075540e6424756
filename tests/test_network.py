"""Network views against the curated data, metrics on hand-made graphs, and the network command."""

from __future__ import annotations

import json
import re
from itertools import combinations
from pathlib import Path

import networkx as nx
import pyoxigraph
import pytest

from miggraph import network
from miggraph.cli import main
from miggraph.errors import MiggraphError
from miggraph.project import Project
from miggraph.sparql.embedded import embedded, select
from miggraph.vocab import MGD

RETURN_WORKSHOP = "Workshop on Enhancing Practical Cooperation on Return and Readmission"
RETURN_SECTION = f"{RETURN_WORKSHOP} (p. 5–6)"
CITATION = re.compile(r".+ \(p\. \d+(–\d+)?\)$")


def iri(slug: str) -> str:
    return str(MGD[slug])


@pytest.fixture(scope="module")
def store(dist: Path) -> pyoxigraph.Store:
    return embedded(dist)


@pytest.fixture(scope="module")
def graphs(store: pyoxigraph.Store, project: Project) -> dict[str, nx.Graph]:
    return {name: network.project_view(store, project, name) for name in network.list_views(project)}


def test_project_defines_the_four_views(project: Project) -> None:
    assert {"coparticipation", "participation", "instruments", "structure"} <= set(
        network.list_views(project))


def test_return_workshop_links_each_pair_of_its_actors(
        store: pyoxigraph.Store, graphs: dict[str, nx.Graph]) -> None:
    workshop = iri("return-workshop-2015")
    _, rows = select(store, f"""
        PREFIX mg: <https://w3id.org/miggraph/def#>
        SELECT DISTINCT ?agent WHERE {{ <{workshop}> mg:hasParticipation/mg:agent ?agent }}""")
    agents = sorted(row["agent"].value for row in rows)
    assert len(agents) == 10
    graph = graphs["coparticipation"]
    for a, b in combinations(agents, 2):
        edge = graph.edges[a, b]
        assert edge["kind"] == "co-participation"
        assert RETURN_WORKSHOP in edge["label"].split(" | ")
        assert RETURN_SECTION in edge["sources"]
        assert "2015" in edge["years"]


def test_coparticipation_weight_counts_held_activities_only(graphs: dict[str, nx.Graph]) -> None:
    """The 2016 Policy Seminar is a plan: by default it links nobody."""
    edge = graphs["coparticipation"].edges[iri("iom-liaison-office-china"), iri("mps")]
    assert edge["weight"] == 2
    assert edge["label"].split(" | ") == [
        "Exchange visit on measures to prevent and address human trafficking",
        RETURN_WORKSHOP,
    ]
    assert edge["statuses"] == ["held"]
    assert "China and EU Share Experiences in Combating Human Trafficking (p. 4–5)" in edge["sources"]
    assert iri("ilo") not in graphs["coparticipation"]  # ILO only plans activities


def test_coparticipation_with_planned_activities_on_request(store: pyoxigraph.Store,
                                                            project: Project) -> None:
    graph = network.project_view(store, project, "coparticipation", include_planned=True)
    edge = graph.edges[iri("iom-liaison-office-china"), iri("mps")]
    assert edge["weight"] == 3
    assert edge["statuses"] == ["held", "planned"]
    assert "Policy Seminar on Migrants and Cities, Guangzhou" in edge["label"].split(" | ")
    planned_only = graph.edges[iri("mps"), iri("seminar-invitees")]
    assert planned_only["statuses"] == ["planned"]


def test_participation_view_leaves_plans_out_by_default(store: pyoxigraph.Store, project: Project,
                                                        graphs: dict[str, nx.Graph]) -> None:
    assert iri("policy-seminar-migrants-cities-2016") not in graphs["participation"]
    with_plans = network.project_view(store, project, "participation", include_planned=True)
    edge = with_plans.edges[iri("iom-liaison-office-china"), iri("policy-seminar-migrants-cities-2016")]
    assert edge["statuses"] == ["planned"]
    structure = network.project_view(store, project, "structure", include_planned=True)
    assert structure.number_of_edges() == graphs["structure"].number_of_edges()


def test_actors_with_one_role_each_never_link_to_themselves(graphs: dict[str, nx.Graph]) -> None:
    assert nx.number_of_selfloops(graphs["coparticipation"]) == 0


def test_participation_edges_carry_roles_and_places(graphs: dict[str, nx.Graph]) -> None:
    graph = graphs["participation"]
    edge = graph.edges[iri("iom-liaison-office-china"), iri("return-workshop-2015")]
    assert edge["role"] == edge["label"] == "facilitator | presenter"
    assert edge["weight"] == 2
    assert edge["from"] == iri("iom-liaison-office-china")
    assert edge["sources"] == [RETURN_SECTION]
    place = graph.edges[iri("return-workshop-2015"), iri("beijing")]
    assert place["kind"] == "took place in"
    assert graph.nodes[iri("return-workshop-2015")]["group"] == "activity"
    assert graph.nodes[iri("beijing")]["kind"] == "city"


def test_instruments_view_names_parties_and_issuers(graphs: dict[str, nx.Graph]) -> None:
    graph = graphs["instruments"]
    party = graph.edges[iri("mps"), iri("mps-police-cooperation-agreements")]
    assert party["kind"] == "party"
    issuer = graph.edges[iri("npc"), iri("ninth-amendment-criminal-law")]
    assert issuer["kind"] == "issuer"
    assert "New amendment of the Chinese criminal law criminalizes buyers (p. 2)" in issuer["sources"]
    assert issuer["years"] == ["2015"]


def test_structure_view_has_units_representation_posts_and_seats(
        graphs: dict[str, nx.Graph]) -> None:
    graph = graphs["structure"]
    assert graph.edges[iri("yiwu-psb"), iri("jinhua-psb")]["kind"] == "sub-organisation"
    assert graph.edges[iri("consulate-norway-guangzhou"), iri("sweden")]["kind"] == "represents"
    post = graph.edges[iri("par-liljert"), iri("iom-liaison-office-china")]
    assert post["kind"] == "holds post"
    assert post["label"] == "Head of Office, IOM Liaison Office in China"
    assert graph.edges[iri("iom-liaison-office-china"), iri("tayuan-diplomatic-compound")][
        "kind"] == "based in"
    assert graph.edges[iri("tayuan-diplomatic-compound"), iri("chaoyang-district")][
        "kind"] == "within"


def test_nodes_carry_labels_kind_side_and_sources(graphs: dict[str, nx.Graph]) -> None:
    office = graphs["coparticipation"].nodes[iri("iom-liaison-office-china")]
    assert office["label"] == "IOM Liaison Office in China"
    assert office["label_zh"] == "国际移民组织驻华联络处"
    assert office["kind"] == "country office"
    assert office["side"] == "international"
    assert "IOM in China (p. 8)" in office["sources"]
    china = graphs["coparticipation"].nodes[iri("china")]
    assert (china["kind"], china["group"], china["side"]) == ("state", "actor", "China")


def test_every_edge_of_every_view_cites_a_page(graphs: dict[str, nx.Graph]) -> None:
    for name, graph in graphs.items():
        assert graph.number_of_edges() > 0, name
        for u, v, data in graph.edges(data=True):
            assert data["sources"], (name, u, v)
            assert all(CITATION.match(s) for s in data["sources"]), (name, u, v, data["sources"])


def test_unknown_view_is_named_with_the_known_ones(project: Project) -> None:
    with pytest.raises(MiggraphError, match="unknown view 'nope'; views: .*coparticipation"):
        network.get_view(project, "nope")


# ---------------------------------------------------------------- metrics on known graphs

def test_star_centre_has_all_betweenness_and_highest_pagerank() -> None:
    graph = nx.star_graph(4)
    metrics = network.measure(graph)
    assert metrics.nodes[0]["degree"] == 4
    assert metrics.nodes[0]["betweenness"] == pytest.approx(1.0)
    assert metrics.nodes[1]["betweenness"] == 0
    assert metrics.nodes[0]["pagerank"] > metrics.nodes[1]["pagerank"]
    assert sum(s["pagerank"] for s in metrics.nodes.values()) == pytest.approx(1.0)
    # A star has no better split than none: any cut leaves the centre's edges across it.
    assert metrics.summary == {"nodes": 5, "edges": 4, "density": pytest.approx(0.4),
                               "components": 1, "communities": 1, "betweenness_exact": True}
    assert {s["community"] for s in metrics.nodes.values()} == {1}


def test_cycle_is_uniform() -> None:
    metrics = network.measure(nx.cycle_graph(6))
    assert {round(s["pagerank"], 6) for s in metrics.nodes.values()} == {round(1 / 6, 6)}
    assert {round(s["betweenness"], 6) for s in metrics.nodes.values()} == {0.2}


def test_weighted_degree_sums_edge_weights() -> None:
    graph = nx.Graph()
    graph.add_edge("a", "b", weight=3)
    graph.add_edge("a", "c", weight=2)
    graph.add_node("d")
    metrics = network.measure(graph)
    assert metrics.nodes["a"]["weighted_degree"] == 5
    assert metrics.nodes["a"]["degree"] == 2
    assert metrics.summary["components"] == 2
    assert metrics.summary["density"] == pytest.approx(2 / 6)


def test_louvain_separates_two_cliques_joined_by_a_bridge_and_is_stable() -> None:
    graph = nx.barbell_graph(5, 0)
    first = network.measure(graph).nodes
    second = network.measure(graph).nodes
    assert {s["community"] for s in first.values()} == {1, 2}
    assert len({first[n]["community"] for n in range(5)}) == 1
    assert first[0]["community"] != first[9]["community"]
    assert first == second


def test_large_graphs_estimate_betweenness_from_a_sample() -> None:
    graph = nx.path_graph(network.EXACT_BETWEENNESS_LIMIT + 1)
    assert network.measure(graph).summary["betweenness_exact"] is False


# ---------------------------------------------------------------- command line

def test_network_command_prints_json_metrics(project: Project, dist: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(project.root), "network", "--dist", str(dist),
                 "--format", "json", "--top", "3"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["nodes"] == 34
    assert len(data["nodes"]) == 3
    assert data["nodes"][0]["label"] == "IOM Liaison Office in China"
    assert data["nodes"][0]["community"] >= 1


def test_network_command_table_and_csv(project: Project, dist: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--project", str(project.root), "network", "--dist", str(dist),
                 "--view", "structure", "--sort", "betweenness", "--top", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("View structure:")
    assert len(out.strip().splitlines()) == 4
    assert main(["--project", str(project.root), "network", "--dist", str(dist),
                 "--format", "csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "node,label,kind,side,degree,weighted_degree,betweenness,pagerank,community"
    assert len(lines) == 35
    assert main(["--project", str(project.root), "network", "--dist", str(dist),
                 "--format", "csv", "--include-planned"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 41


@pytest.mark.parametrize("args, message", [
    (["--view", "nope"], "unknown view 'nope'"),
    (["--top", "0"], "--top must be at least 1"),
])
def test_network_command_rejects_bad_input(project: Project, dist: Path, args: list[str],
                                           message: str, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    code = main(["--project", str(project.root), "network", "--dist", str(dist), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_network_command_without_a_build_says_so(project: Project, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(project.root), "network", "--dist", str(tmp_path)])
    assert code == 2
    assert "run `miggraph build` first" in capsys.readouterr().err


def test_rows_for_the_same_pair_merge_into_one_edge() -> None:
    rows = [
        {"source": "a", "target": "b", "kind": "party", "weight": 1.0, "label": "party to",
         "sources": ["S1 (p. 1)"], "themes": ["t1"], "years": []},
        {"source": "a", "target": "b", "kind": "issuer", "weight": 1.0, "label": "issuer of",
         "sources": ["S2 (p. 2)"], "themes": ["t1"], "years": ["2015"]},
    ]
    graph = network.graph_from_rows(rows, {})
    edge = graph.edges["a", "b"]
    assert (edge["kind"], edge["label"], edge["weight"]) == ("issuer | party",
                                                             "issuer of | party to", 2.0)
    assert edge["sources"] == ["S1 (p. 1)", "S2 (p. 2)"]
    assert graph.nodes["a"]["years"] == ["2015"]


def test_export_includes_planned_activities_only_on_request(project: Project, dist: Path,
                                                           tmp_path: Path) -> None:
    """The exported edges carry their statuses; plans appear only with --include-planned."""
    for flag, name in (([], "held.graphml"), (["--include-planned"], "all.graphml")):
        assert main(["--quiet", "--project", str(project.root), "export", "--format", "graphml",
                     "--dist", str(dist), "--out", str(tmp_path / name), *flag]) == 0
    held = nx.read_graphml(tmp_path / "held.graphml")
    planned = nx.read_graphml(tmp_path / "all.graphml")
    office, mps = iri("iom-liaison-office-china"), iri("mps")
    assert (held.edges[office, mps]["statuses"], held.edges[office, mps]["weight"]) == ("held", 2.0)
    assert (planned.edges[office, mps]["statuses"], planned.edges[office, mps]["weight"]) == (
        "held | planned", 3.0)
    assert {d["statuses"] for _, _, d in held.edges(data=True)} == {"held"}
    assert iri("seminar-invitees") in planned and iri("seminar-invitees") not in held
