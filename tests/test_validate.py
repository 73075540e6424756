"""Validation: the curated data conforms, and every shape rejects the broken input it exists for."""

from __future__ import annotations

from pathlib import Path

import pytest

from miggraph.build import BuildResult, load
from miggraph.cli import main
from miggraph.project import Project
from miggraph.validate import Finding, Report, load_shapes, validate_graph

CASES = Path(__file__).parent / "shapes"

# broken file -> (shape that must fire, focus node, words its message must contain)
BROKEN: dict[str, tuple[str, str, str]] = {
    "missing-label": ("mgs:LabelShape", "mgd:t-nameless", "exactly one English preferred label"),
    "two-english-labels": ("mgs:LabelShape", "mgd:t-twice", "exactly one English preferred label"),
    "unknown-role": ("mgs:ParticipationShape", "mgd:t-part-2", "allowed mg:role"),
    "held-without-date": ("mgs:HeldActivityDateShape", "mgd:t-undated", "held activity needs a date"),
    "held-without-place": ("mgs:HeldActivityPlaceShape", "mgd:t-nowhere", "held activity needs a place"),
    "end-before-start": ("mgs:ActivityDateOrderShape", "mgd:t-backwards", "is before the start date"),
    "date-as-text": ("mgs:ActivityShape", "mgd:t-texty", "xsd:date, xsd:gYearMonth or xsd:gYear"),
    "dangling-reference": ("mgs:ReferenceShape", "mgd:t-ctiy", "not defined here"),
    "unknown-property": ("mgs:PropertyDeclaredShape", "mg:plcae", "not declared"),
    "value-as-string": ("mgs:FigureShape", "mgd:t-fig-text", "that is a number"),
    "figure-without-source": ("mgs:CitedShape", "mgd:t-fig-orphan", "Cites no source"),
    "participation-without-source": ("mgs:CitedShape", "mgd:t-part-3", "Cites no source"),
    "actor-without-side": ("mgs:ActorShape", "mgd:t-sideless", "mg:side"),
    "period-end-before-start": ("mgs:FigurePeriodOrderShape", "mgd:t-fig-period", "ends (2010)"),
    "instrument-ends-before-force": ("mgs:InstrumentDateOrderShape", "mgd:t-plan", "before it comes into force"),
    "participation-without-activity": ("mgs:ParticipationShape", "mgd:t-part-loose", "belongs to exactly one activity"),
    "citation-not-a-section": ("mgs:CitedShape", "mgd:t-org-2", "must point to a source section"),
}


def _validate(project: Project, *files: Path) -> Report:
    graph = load(project, data=list(files)).graph
    return validate_graph(graph, load_shapes(project.shapes))


def test_curated_data_has_zero_violations(project: Project, built: BuildResult) -> None:
    report = validate_graph(built.graph, load_shapes(project.shapes))
    assert report.violations == [], "\n".join(f"{f.focus}: {f.message}" for f in report.violations)


def test_base_of_broken_cases_is_itself_valid(project: Project) -> None:
    report = _validate(project, CASES / "_base.ttl")
    assert report.conforms, [f.message for f in report.violations]


def test_every_broken_case_has_an_expectation() -> None:
    files = {p.stem for p in CASES.glob("*.ttl") if not p.stem.startswith("_")}
    assert files == set(BROKEN)


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_shape_rejects_broken_input_with_its_message(project: Project, case: str) -> None:
    shape, focus, words = BROKEN[case]
    report = _validate(project, CASES / "_base.ttl", CASES / f"{case}.ttl")
    assert not report.conforms
    matching: list[Finding] = [f for f in report.violations if f.shape == shape and f.focus == focus]
    assert matching, f"{shape} did not fire on {focus}; got {[(f.shape, f.focus) for f in report.violations]}"
    assert any(words in f.message for f in matching), [f.message for f in matching]


@pytest.mark.parametrize("case", ["_base", *sorted(BROKEN)])
def test_oxigraph_engine_gives_the_same_report_as_pyshacl(project: Project, case: str) -> None:
    files = [CASES / "_base.ttl"] if case == "_base" else [CASES / "_base.ttl", CASES / f"{case}.ttl"]
    graph = load(project, data=files).graph
    shapes = load_shapes(project.shapes)
    reference = validate_graph(graph, shapes, engine="pyshacl").findings
    assert validate_graph(graph, shapes, engine="oxigraph").findings == reference


def test_oxigraph_engine_agrees_on_the_curated_data(project: Project, built: BuildResult) -> None:
    report = validate_graph(built.graph, load_shapes(project.shapes), engine="oxigraph")
    assert report.findings == []
    assert "sh:conforms true" in report.results_graph.serialize(format="turtle").replace("  ", " ")


def test_dangling_reference_names_the_node_that_refers_to_it(project: Project) -> None:
    report = _validate(project, CASES / "_base.ttl", CASES / "dangling-reference.ttl")
    finding = next(f for f in report.violations if f.focus == "mgd:t-ctiy")
    assert "mgd:t-act" in finding.referrers


def test_validate_command_exits_1_and_groups_by_shape(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(project.root), "validate", str(CASES / "_base.ttl"),
                 str(CASES / "end-before-start.ttl")])
    out = capsys.readouterr().out
    assert code == 1
    assert "mgs:ActivityDateOrderShape (1 result)" in out
    assert "  mgd:t-backwards" in out
    assert "The end date 2015-10 is before the start date 2015-11-03." in out


def test_validate_command_exits_0_on_the_built_graph(project: Project, dist: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(project.root), "validate", "--graph", str(dist / "miggraph.ttl")])
    assert code == 0
    assert "Conforms: 0 violations." in capsys.readouterr().out


def test_validate_json_report_is_machine_readable(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    code = main(["--project", str(project.root), "validate", "--format", "json",
                 str(CASES / "_base.ttl"), str(CASES / "value-as-string.ttl")])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["conforms"] is False
    assert {r["focus"] for r in report["results"]} == {"mgd:t-fig-text"}


def test_validate_without_a_build_is_a_one_line_error(tmp_path: Path, project: Project,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--project", str(project.root), "validate", "--graph", str(tmp_path / "none.ttl")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "run `miggraph build` first" in err
