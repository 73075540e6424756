"""The W3C SHACL test suite (../shared/conformance/w3c-shacl/), run on both engines.

SHACL Core: every case gives exactly the expected report with miggraph's engine, through the
library and through `miggraph validate --standalone`. pyshacl, the reference, is run on the same
cases for comparison. SHACL-SPARQL: every case either passes or is refused with exit 2, never
answered wrongly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import w3c_suite
from w3c_suite import Case

from miggraph.cli import main
from miggraph.errors import ExitCode, MiggraphError

CORE = w3c_suite.cases("core")
SPARQL = w3c_suite.cases("sparql")
# Where pyshacl itself differs from the expected report, and why.
PYSHACL_KNOWN = {
    "core/property/uniqueLang-002": "takes \"1\"^^xsd:boolean for true and reports a result",
    "core/property/datatype-001": "right verdict; rdflib rewrites the ill-formed value in the report",
    "core/property/or-datatypes-001": "right verdict; rdflib rewrites the ill-formed value in the report",
    "core/property/datatype-ill-formed": "right verdict; rdflib rewrites the ill-formed value in the report",
}
# SHACL-SPARQL cases the engine refuses (custom SPARQL-based components, $shapesGraph, a query
# it cannot pre-bind); every other case must pass.
SPARQL_REFUSED = {
    "sparql/component/optional-001", "sparql/component/propertyValidator-select-001",
    "sparql/component/validator-001", "sparql/pre-binding/pre-binding-003",
    "sparql/pre-binding/pre-binding-007", "sparql/pre-binding/shapesGraph-001",
}


def test_the_suite_is_all_there() -> None:
    assert len(CORE) == 98
    assert len(SPARQL) == 22


@pytest.mark.parametrize("case", CORE, ids=lambda c: c.name)
def test_core_case_gives_the_expected_report(case: Case) -> None:
    assert not case.failure
    assert w3c_suite.run_oxigraph(case) == (case.conforms, case.rows)


@pytest.mark.parametrize("case", CORE, ids=lambda c: c.name)
def test_core_case_through_the_command_line(case: Case, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", "--standalone", "--shapes", str(case.shapes), "--format", "json", str(case.data)])
    report = json.loads(capsys.readouterr().out)
    assert report["conforms"] is case.conforms
    severities = {row[3] for row in case.rows}
    assert code == (1 if f"<{w3c_suite.SH}Violation>" in severities else 0)
    assert len(report["results"]) == len(case.rows)


@pytest.mark.parametrize("case", CORE, ids=lambda c: c.name)
def test_pyshacl_on_core_case(case: Case) -> None:
    if case.name in PYSHACL_KNOWN:
        pytest.xfail(PYSHACL_KNOWN[case.name])
    assert w3c_suite.run_pyshacl(case) == (case.conforms, case.rows)


@pytest.mark.parametrize("case", SPARQL, ids=lambda c: c.name)
def test_sparql_case_passes_or_is_refused(case: Case) -> None:
    if case.name in SPARQL_REFUSED or case.failure:
        with pytest.raises(MiggraphError) as refused:
            w3c_suite.run_oxigraph(case)
        assert refused.value.exit_code == ExitCode.BAD_INPUT
        assert "unsupported SHACL construct" in refused.value.message
        assert "on shape" in refused.value.message
    else:
        assert w3c_suite.run_oxigraph(case) == (case.conforms, case.rows)


def test_a_refusal_is_exit_2_naming_the_construct_and_the_shape(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
                      "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:rule [ a sh:TripleRule ] .\n")
    data = tmp_path / "data.ttl"
    data.write_text("<http://example.org/a> <http://example.org/p> 1 .\n")
    code = main(["validate", "--standalone", "--shapes", str(shapes), str(data)])
    err = capsys.readouterr().err
    assert code == 2
    assert "unsupported SHACL construct: sh:rule on shape <http://example.org/S>" in err
