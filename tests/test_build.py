"""Build: the real data builds into four serialisations; bad input fails cleanly, writing nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef

from miggraph.cli import main
from miggraph.graph.build import BuildResult
from miggraph.project import Project
from miggraph.vocab import GRAPH, MGD

OUTPUTS = ("miggraph.ttl", "miggraph.nt", "miggraph.jsonld", "miggraph.trig")


@pytest.fixture
def scratch(project: Project, tmp_path: Path) -> Project:
    """A copy of the project's ontology and data that a test may break."""
    shutil.copytree(project.ontology, tmp_path / "ontology")
    shutil.copytree(project.data, tmp_path / "data")
    return Project(tmp_path)


def test_build_writes_all_four_serialisations(built: BuildResult, dist: Path) -> None:
    assert sorted(p.name for p in dist.iterdir()) == sorted(OUTPUTS)
    turtle = Graph().parse(dist / "miggraph.ttl")
    assert len(turtle) == len(built.graph) > 2500
    assert len(Graph().parse(dist / "miggraph.nt", format="nt")) == len(turtle)
    assert len(Graph().parse(dist / "miggraph.jsonld", format="json-ld")) == len(turtle)


def test_trig_holds_one_named_graph_per_input_file_and_rule(dist: Path) -> None:
    dataset = Dataset()
    dataset.parse(dist / "miggraph.trig", format="trig")
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    expected = {str(GRAPH[n]) for n in (
        "ontology/miggraph", "ontology/vocab", "ontology/themes", "data/actors", "data/activities",
        "data/figures", "data/instruments", "data/places", "data/sources",
        "derived/participation-shortcuts", "derived/participation-labels")}
    assert expected <= names
    actors = dataset.graph(URIRef(GRAPH["data/actors"]))
    assert (MGD["mps"], None, None) in actors
    assert (MGD["fig-yiwu-area"], None, None) not in actors


def test_rules_derive_shortcuts_and_participation_labels(built: BuildResult) -> None:
    g = built.graph
    took_part = URIRef("https://w3id.org/miggraph/def#tookPartIn")
    assert (MGD["dg-home"], took_part, MGD["return-workshop-2015"]) in g
    label = g.value(MGD["p-rw-dghome-presenter"], URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"))
    assert str(label) == ("Directorate-General for Migration and Home Affairs as presenter of "
                          "Workshop on Enhancing Practical Cooperation on Return and Readmission")


def test_build_command_prints_summary_and_paths(project: Project, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(project.root), "-q", "build", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "actors" in out and "activities" in out and "figures" in out
    assert "facts cite a source section (100%)" in out
    for name in OUTPUTS:
        assert str(tmp_path / name) in out


def _append(path: Path, text: str) -> int:
    """Append a line to a data file; return its line number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.append(text)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def _assert_failed_cleanly(code: int, err: str, out: Path, before: dict[str, bytes]) -> None:
    assert code == 2
    assert err.startswith("miggraph: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before, "dist/ changed"


@pytest.fixture
def previous_dist(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """An output folder holding an earlier build, which a failed build must leave alone."""
    out = tmp_path / "dist"
    out.mkdir()
    (out / "miggraph.ttl").write_text("# earlier build\n", encoding="utf-8")
    return out, {"miggraph.ttl": b"# earlier build\n"}


def test_syntax_error_names_file_and_line_and_writes_nothing(
        scratch: Project, previous_dist: tuple[Path, dict[str, bytes]],
        capsys: pytest.CaptureFixture[str]) -> None:
    out, before = previous_dist
    line = _append(scratch.data / "actors.ttl", 'mgd:broken a mg:NGO ; skos:prefLabel "unterminated ;')
    code = main(["--project", str(scratch.root), "-q", "build", "--out", str(out)])
    err = capsys.readouterr().err
    _assert_failed_cleanly(code, err, out, before)
    assert f"{scratch.data / 'actors.ttl'}:{line}:" in err
    assert "Turtle syntax error" in err


def test_undefined_prefix_names_file_line_and_prefix(
        scratch: Project, previous_dist: tuple[Path, dict[str, bytes]],
        capsys: pytest.CaptureFixture[str]) -> None:
    out, before = previous_dist
    line = _append(scratch.data / "places.ttl", "mgd:somewhere a mgx:City .")
    code = main(["--project", str(scratch.root), "-q", "build", "--out", str(out)])
    err = capsys.readouterr().err
    _assert_failed_cleanly(code, err, out, before)
    assert f"{scratch.data / 'places.ttl'}:{line}:" in err and "mgx:" in err


def test_unknown_data_file_is_a_one_line_error(
        project: Project, previous_dist: tuple[Path, dict[str, bytes]],
        capsys: pytest.CaptureFixture[str]) -> None:
    out, before = previous_dist
    code = main(["--project", str(project.root), "-q", "build", "--out", str(out),
                 "--data", str(out / "no-such-file.ttl")])
    err = capsys.readouterr().err
    _assert_failed_cleanly(code, err, out, before)
    assert "no-such-file.ttl: no such file or folder" in err


def test_empty_data_folder_is_a_one_line_error(
        scratch: Project, previous_dist: tuple[Path, dict[str, bytes]],
        capsys: pytest.CaptureFixture[str]) -> None:
    out, before = previous_dist
    shutil.rmtree(scratch.data)
    scratch.data.mkdir()
    code = main(["--project", str(scratch.root), "-q", "build", "--out", str(out)])
    err = capsys.readouterr().err
    _assert_failed_cleanly(code, err, out, before)
    assert "no Turtle files" in err


def test_console_script_reports_errors_with_exit_code_2(scratch: Project, tmp_path: Path) -> None:
    line = _append(scratch.data / "figures.ttl", "this is not turtle")
    exe = Path(sys.executable).parent / "miggraph"
    run = subprocess.run([str(exe), "--project", str(scratch.root), "build", "--out",
                          str(tmp_path / "out")], capture_output=True, text=True, check=False)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines()[-1].startswith("miggraph: error: ")
    assert f"figures.ttl:{line}:" in run.stderr
    assert not (tmp_path / "out" / "miggraph.ttl").exists()


def test_stats_counts_kinds_and_provenance(project: Project, dist: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(project.root), "stats", "--graph", str(dist / "miggraph.ttl"),
                 "--format", "json"])
    stats = json.loads(capsys.readouterr().out)
    assert code == 0
    assert stats["cited_share"] == 1.0
    assert stats["summary"]["sources"] == 1
    assert stats["summary"]["source sections"] == 16
    assert stats["summary"]["activities"] >= 20
    assert stats["classes"]["mg:Figure"] == stats["summary"]["figures"] >= 50
    assert stats["properties"]["mg:statedIn"] > 200


def test_help_reads_like_a_manual(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("build", "validate", "stats"):
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        text = capsys.readouterr().out
        assert "Example" in text or "share of facts" in text
