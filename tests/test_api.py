"""The Python API (`miggraph.open`): the same answers as the command line and the modules below it."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import miggraph
from miggraph import network
from miggraph.graph.build import BuildResult
from miggraph.project import Project
from miggraph.sparql.embedded import embedded

ROOT = Path(__file__).resolve().parents[1]
ANSWERS = ROOT / "tests" / "answers"


@pytest.fixture(scope="module")
def kg(workspace: Path) -> miggraph.KnowledgeGraph:
    """The API over the session's build, with the real queries/."""
    (workspace / "ontology").symlink_to(ROOT / "ontology")
    (workspace / "data").symlink_to(ROOT / "data")
    return miggraph.open(workspace)


def golden(name: str) -> list[dict[str, str]]:
    lines = [line for line in (ANSWERS / f"{name}.csv").read_text(encoding="utf-8").splitlines()
             if not line.startswith("#")]
    return list(csv.DictReader(lines))


def as_text(value: object) -> str:
    return "" if value is None else str(value)


def test_the_public_surface_is_small_and_documented() -> None:
    assert sorted(miggraph.__all__) == ["BuildResult", "ExitCode", "Finding", "KnowledgeGraph",
                                        "MiggraphError", "Report", "Result", "Stats", "__version__",
                                        "open"]
    for name in miggraph.__all__:
        if name != "__version__":
            assert getattr(miggraph, name).__doc__, name
    for method in ("build", "validate", "stats", "query", "stream", "queries", "network", "map",
                   "export", "views"):
        assert getattr(miggraph.KnowledgeGraph, method).__doc__, method


def test_open_finds_the_project_from_a_subfolder_and_refuses_a_folder_without_one(tmp_path: Path) -> None:
    assert miggraph.open(ROOT / "queries" / "network").project == Project(ROOT)
    with pytest.raises(miggraph.MiggraphError, match="not a miggraph project"):
        miggraph.open(tmp_path)
    with pytest.raises(miggraph.MiggraphError, match="no such folder"):
        miggraph.open(tmp_path / "missing")


def test_build_validate_and_stats(tmp_path: Path, built: BuildResult) -> None:
    kg = miggraph.open(ROOT, dist=tmp_path / "dist")
    result = kg.build()
    assert sorted(p.name for p in result.outputs.values()) == [
        "miggraph.jsonld", "miggraph.nt", "miggraph.trig", "miggraph.ttl"]
    assert len(result.graph) == len(built.graph)
    report = kg.validate()
    assert (report.conforms, report.findings) == (True, [])
    stats = kg.stats()
    assert stats.triples == len(built.graph)
    assert stats.cited_facts == stats.facts


def test_validate_reports_a_broken_file_with_its_findings(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix mg: <https://w3id.org/miggraph/def#> .\n"
                      "<https://w3id.org/miggraph/id/nameless> a mg:NGO .\n", encoding="utf-8")
    report = miggraph.open(ROOT).validate([broken])
    assert not report.conforms
    focus = {f.focus for f in report.violations}
    assert focus == {"mgd:nameless"}


def test_query_rows_are_dicts_of_plain_values_equal_to_the_expected_answer(kg: miggraph.KnowledgeGraph) -> None:
    for name in ("partners", "who-represents"):  # no GROUP_CONCAT, whose order may vary
        rows = kg.query(name).records()
        expected = golden(name)
        assert sorted(tuple(as_text(v) for v in r.values()) for r in rows) == sorted(
            tuple(r.values()) for r in expected), name
        assert [list(r) for r in rows[:1]] == [list(expected[0])], name


def test_query_takes_parameters_as_keywords(kg: miggraph.KnowledgeGraph) -> None:
    rows = kg.query("who-represents", state="mgd:belgium").records()
    assert sorted(tuple(as_text(v) for v in r.values()) for r in rows) == sorted(
        tuple(r.values()) for r in golden("who-represents--belgium"))
    held_and_planned = kg.query("partners", statusIn=["status:held", "status:planned"])
    assert len(held_and_planned) == len(golden("partners--include-planned"))
    assert len(kg.query("partners", include_planned=True)) == len(held_and_planned)


def test_values_are_typed(kg: miggraph.KnowledgeGraph) -> None:
    row = kg.query("""
        SELECT ?n ?d ?f ?b ?day ?text ?iri WHERE {
          BIND(3 AS ?n) BIND(2.50 AS ?d) BIND(1.5e0 AS ?f) BIND(true AS ?b)
          BIND("2015-11-04"^^<http://www.w3.org/2001/XMLSchema#date> AS ?day)
          BIND("MPS"@en AS ?text) BIND(<https://w3id.org/miggraph/id/mps> AS ?iri) }""").records()
    assert row == [{"n": 3, "d": Decimal("2.50"), "f": 1.5, "b": True, "day": date(2015, 11, 4),
                    "text": "MPS", "iri": "https://w3id.org/miggraph/id/mps"}]


def test_ill_formed_numbers_and_dates_stay_as_written(kg: miggraph.KnowledgeGraph) -> None:
    row = kg.query("""
        PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        SELECT ?d ?n ?day WHERE {
          BIND("about 3"^^xsd:decimal AS ?d) BIND("many"^^xsd:integer AS ?n)
          BIND("2015-13-01"^^xsd:date AS ?day) }""").records()
    assert row == [{"d": "about 3", "n": "many", "day": "2015-13-01"}]


def test_result_formats_and_a_clear_message_without_pandas(kg: miggraph.KnowledgeGraph,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    result = kg.query("figures")
    table = list(csv.DictReader(io.StringIO(result.to_csv())))
    assert [list(row) for row in table[:1]] == [list(golden("figures")[0])]
    assert len(table) == len(golden("figures")) == len(result)
    answer = json.loads(result.to_json())
    assert answer["head"]["vars"] == result.variables
    assert len(answer["results"]["bindings"]) == len(result)
    assert kg.query("ASK { ?s ?p ?o }").boolean is True
    assert len(kg.query("CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 3").triples) == 3
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(miggraph.MiggraphError, match="pip install pandas"):
        result.to_dataframe()


def test_the_command_line_prints_what_the_api_returns(kg: miggraph.KnowledgeGraph, workspace: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "miggraph", "--project", str(workspace), "-q",
                           "query", "partners", "--param", "actor=mgd:mps", "--format", "csv"],
                          capture_output=True, check=True)
    assert done.stdout.decode("utf-8") == kg.query("partners", actor="mgd:mps").to_csv()


def test_network_carries_the_metrics_as_node_attributes(kg: miggraph.KnowledgeGraph, dist: Path,
                                                       project: Project) -> None:
    graph = kg.network("coparticipation")
    direct = network.project_view(embedded(dist), project, "coparticipation")
    metrics = network.measure(direct)
    assert sorted(graph.edges) == sorted(direct.edges)
    assert graph.graph["summary"] == metrics.summary
    for node, scores in metrics.nodes.items():
        assert {key: graph.nodes[node][key] for key in scores} == scores, node


def test_map_writes_the_page_and_returns_its_path(kg: miggraph.KnowledgeGraph, tmp_path: Path) -> None:
    out = kg.map("structure", out=tmp_path / "structure.html")
    assert out == tmp_path / "structure.html"
    page = out.read_text(encoding="utf-8")
    assert "<title>miggraph: structure</title>" in page
    with pytest.raises(miggraph.MiggraphError, match="an .html file"):
        kg.map("structure", out=tmp_path / "structure.png")


def test_export_copies_the_rdf_and_writes_a_view(kg: miggraph.KnowledgeGraph, dist: Path, tmp_path: Path) -> None:
    [ttl] = kg.export("ttl", tmp_path / "g.ttl")
    assert ttl.read_bytes() == (dist / "miggraph.ttl").read_bytes()
    written = kg.export("csv", tmp_path / "tables", "structure")
    assert sorted(p.name for p in written) == ["structure-edges.csv", "structure-nodes.csv"]
