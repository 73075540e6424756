"""Validation: the curated data conforms, every constraint of ontology/shapes.ttl has a broken
example giving exactly the expected results on both engines, and the command behaves as documented.

Each broken example is tests/shapes/<case>.ttl, validated together with tests/shapes/_base.ttl,
the ontology and the rules; tests/shapes/<case>.tsv lists every result it must give, one per line:
severity, shape, focus node, path, constraint component, value.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from miggraph.cli import main
from miggraph.graph.build import BuildResult, collect_inputs
from miggraph.graph.shacl.engine import COMPONENT, Engine
from miggraph.graph.shacl.graph import sh
from miggraph.graph.validate import (
    Report,
    _path_text,
    load_shapes,
    shapes_triples,
    validate_graph,
    validate_paths,
)
from miggraph.project import Project
from miggraph.vocab import shorten

CASES = Path(__file__).parent / "shapes"
CASE_NAMES = sorted(p.stem for p in CASES.glob("*.ttl") if not p.stem.startswith("_"))
ENGINES = ("oxigraph", "pyshacl")

# Words the curator-facing message of a case must contain: case -> (shape, focus, words).
MESSAGES: dict[str, tuple[str, str, str]] = {
    "missing-label": ("mgs:LabelShape", "mgd:t-nameless", "exactly one English preferred label"),
    "unknown-role": ("mgs:ParticipationShape", "mgd:t-part-2", "allowed mg:role"),
    "held-without-date": ("mgs:HeldActivityDateShape", "mgd:t-undated", "held activity needs a date"),
    "end-before-start": ("mgs:ActivityDateOrderShape", "mgd:t-backwards",
                         "The end date 2015-10 is before the start date 2015-11-03."),
    "dangling-reference": ("mgs:ReferenceShape", "mgd:t-ctiy", "not defined here"),
    "value-as-string": ("mgs:FigureShape", "mgd:t-fig-text", "that is a number"),
    "period-end-before-start": ("mgs:FigurePeriodOrderShape", "mgd:t-fig-period", "ends (2010)"),
    "should-rules": ("mgs:PlannedActivityDateShape", "mgd:t-plan-act", "A planned activity should have a date"),
}


def _inputs(project: Project, *files: Path) -> list[Path]:
    ontology = sorted(p for p in project.ontology.glob("*.ttl") if p.name != "shapes.ttl")
    return ontology + list(files)


def _case_report(project: Project, case: str, engine: str) -> Report:
    return validate_paths(_inputs(project, CASES / "_base.ttl", CASES / f"{case}.ttl"), project.shapes,
                          engine, project.rules)


def _rows(report: Report) -> list[str]:
    return sorted("\t".join((f.severity, f.shape, f.focus, f.path, f.component, f.value)) for f in report.findings)


def _expected(case: str) -> list[str]:
    return sorted(line for line in (CASES / f"{case}.tsv").read_text(encoding="utf-8").splitlines() if line)


def _constraints(project: Project) -> set[tuple[str, str, str]]:
    """(node shape, path, component) for every constraint the shapes file states."""
    engine = Engine(ox.Store(), shapes_triples(project.shapes))

    def components(shape: object) -> list[str]:
        found = []
        for name, _arg in shape.constraints:  # type: ignore[attr-defined]
            if name == "qualifiedValueShape":
                for bound in ("Min", "Max"):
                    if engine.shapes_graph.value(shape.node, sh(f"qualified{bound}Count")) is not None:  # type: ignore[attr-defined]
                        found.append(f"Qualified{bound}CountConstraintComponent")
            elif name == "sparql":
                found.append("SPARQLConstraintComponent")
            elif name != "property":
                found.append(COMPONENT[name] + "ConstraintComponent")
        return found

    keys: set[tuple[str, str, str]] = set()
    for root in engine.roots():
        shape = engine.shapes.get(root)
        name = shorten(root.value)  # type: ignore[union-attr]
        keys |= {(name, "", c) for c in components(shape)}
        for kind, arg in shape.constraints:
            if kind == "property":
                prop = engine.shapes.get(arg)
                keys |= {(name, _path_text(prop.path), c) for c in components(prop)}
    return keys


# ---------------------------------------------------------------------- curated data

@pytest.mark.parametrize("engine", ENGINES)
def test_curated_data_has_no_results(project: Project, built: BuildResult, engine: str) -> None:
    report = validate_paths([built.outputs["miggraph.nt"]], project.shapes, engine)
    assert report.findings == [], "\n".join(f"{f.focus}: {f.message}" for f in report.findings)


def test_engines_agree_on_the_built_graph_as_rdflib_reads_it(project: Project, built: BuildResult) -> None:
    shapes = load_shapes(project.shapes)
    reference = validate_graph(built.graph, shapes, engine="pyshacl")
    fast = validate_graph(built.graph, shapes, engine="oxigraph")
    assert fast.findings == reference.findings == []
    assert "sh:conforms true" in fast.results_graph.serialize(format="turtle").replace("  ", " ")


@pytest.mark.parametrize("engine", ENGINES)
def test_base_of_broken_cases_is_itself_valid(project: Project, engine: str) -> None:
    report = validate_paths(_inputs(project, CASES / "_base.ttl"), project.shapes, engine, project.rules)
    assert report.findings == []


# ---------------------------------------------------------------------- broken examples

def test_every_broken_case_has_its_expected_results() -> None:
    assert {p.stem for p in CASES.glob("*.tsv")} == set(CASE_NAMES)


def test_every_constraint_has_a_broken_example(project: Project) -> None:
    covered = set()
    for case in CASE_NAMES:
        for line in _expected(case):
            _severity, shape, _focus, path, component, _value = line.split("\t")
            # a SPARQL constraint's results carry the path its query selects
            covered.add((shape, "" if component == "SPARQLConstraintComponent" else path, component))
    constraints = _constraints(project)
    assert len(constraints) == 111
    assert constraints - covered == set()


@pytest.mark.parametrize("case", CASE_NAMES)
def test_broken_example_gives_exactly_its_results(project: Project, case: str) -> None:
    assert _rows(_case_report(project, case, "oxigraph")) == _expected(case)


@pytest.mark.parametrize("case", CASE_NAMES)
def test_pyshacl_gives_the_same_results(project: Project, case: str) -> None:
    expected = _expected(case)
    if case == "ill-formed-boolean":  # rdflib rewrites "yes"^^xsd:boolean to "false" before pyshacl sees it
        expected = [row.replace("\tyes (", "\tfalse (") for row in expected]
    assert _rows(_case_report(project, case, "pyshacl")) == expected


@pytest.mark.parametrize("case", sorted(MESSAGES))
def test_broken_example_words_its_message_for_a_curator(project: Project, case: str) -> None:
    shape, focus, words = MESSAGES[case]
    report = _case_report(project, case, "oxigraph")
    messages = [f.message for f in report.findings if f.shape == shape and f.focus == focus]
    assert messages and all(words in m for m in messages), messages


def test_a_date_not_in_its_lexical_form_is_a_violation_in_both_engines(project: Project) -> None:
    for engine in ENGINES:
        report = _case_report(project, "date-as-text", engine)
        assert [(f.focus, f.path, f.value) for f in report.violations] == [
            ("mgd:t-texty", "schema:startDate", "'March 2016'")]
        report = _case_report(project, "activity-constraints", engine)
        assert ("mgd:t-act4", "schema:startDate", "March 2016 (<http://www.w3.org/2001/XMLSchema#gYearMonth>)") in {
            (f.focus, f.path, f.value) for f in report.violations}


def test_dangling_reference_names_the_node_that_refers_to_it(project: Project) -> None:
    report = _case_report(project, "dangling-reference", "oxigraph")
    finding = next(f for f in report.violations if f.focus == "mgd:t-ctiy" and f.shape == "mgs:ReferenceShape")
    assert finding.referrers == ("mgd:t-act",)


# ---------------------------------------------------------------------- severities

SEVERITY_SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:severity sh:Warning ; sh:class ex:Thing ;
    sh:property [ sh:path ex:p ; sh:minCount 2 ] , [ sh:path ex:p ; sh:maxCount 0 ; sh:severity sh:Info ] .
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_property_shape_has_its_own_severity(tmp_path: Path, engine: str) -> None:
    shapes, data = tmp_path / "shapes.ttl", tmp_path / "data.ttl"
    shapes.write_text(SEVERITY_SHAPES)
    data.write_text("<http://example.org/a> <http://example.org/p> 1 .\n")
    report = validate_paths([data], shapes, engine)
    assert sorted((f.severity, f.component) for f in report.findings) == [
        ("Info", "MaxCountConstraintComponent"), ("Violation", "MinCountConstraintComponent"),
        ("Warning", "ClassConstraintComponent")]


def test_warnings_alone_exit_0_and_are_printed(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(project.root), "validate", str(CASES / "_base.ttl"), str(CASES / "should-rules.ttl")])
    out = capsys.readouterr().out
    assert code == 0
    assert "mgs:PlannedActivityDateShape (1 result)" in out
    assert "0 violations, 2 warnings." in out


# ---------------------------------------------------------------------- command line

def test_validate_a_data_file_with_the_rest_of_data(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(project.root), "validate", str(project.data / "activities.ttl")])
    out, err = capsys.readouterr()
    assert code == 0
    assert out.strip() == "Conforms: 0 violations."
    # the file given and everything it is checked with: the ontology and the rest of data/
    together = len(collect_inputs(project))
    assert re.fullmatch(rf"Validated {together} files in \d+\.\d s \(oxigraph\)\.\n", err)


def test_validate_a_data_file_standalone_misses_the_rest(project: Project,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(project.root), "validate", "--standalone", "--format", "json",
                 str(project.data / "activities.ttl")])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["violations"] == len(report["results"]) > 100


def test_validate_command_exits_1_and_groups_by_shape(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(project.root), "validate", str(CASES / "_base.ttl"),
                 str(CASES / "end-before-start.ttl")])
    out = capsys.readouterr().out
    assert code == 1
    assert "mgs:ActivityDateOrderShape (1 result)" in out
    assert "  mgd:t-backwards" in out
    assert "The end date 2015-10 is before the start date 2015-11-03." in out


@pytest.mark.parametrize("engine", ENGINES)
def test_validate_command_exits_0_on_the_built_graph(project: Project, dist: Path, engine: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(project.root), "validate", "--engine", engine, "--graph", str(dist / "miggraph.ttl")])
    assert code == 0
    assert "Conforms: 0 violations." in capsys.readouterr().out


def test_validate_json_report_is_machine_readable(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(project.root), "validate", "--format", "json",
                 str(CASES / "_base.ttl"), str(CASES / "value-as-string.ttl")])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["conforms"] is False
    assert {(r["focus"], r["component"]) for r in report["results"]} == {("mgd:t-fig-text", "OrConstraintComponent")}


def test_validate_ttl_report_is_a_shacl_report(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(project.root), "validate", "--format", "ttl",
                 str(CASES / "_base.ttl"), str(CASES / "participation-without-activity.ttl")])
    triples = list(ox.parse(capsys.readouterr().out.encode(), format=ox.RdfFormat.TURTLE))
    assert code == 1
    sh_ = "http://www.w3.org/ns/shacl#"
    paths = [t.object for t in triples if t.predicate.value == sh_ + "inversePath"]
    assert [p.value for p in paths] == ["https://w3id.org/miggraph/def#hasParticipation"]


def test_validate_without_a_build_is_a_one_line_error(tmp_path: Path, project: Project,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(project.root), "validate", "--graph", str(tmp_path / "none.ttl")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "run `miggraph build` first" in err
