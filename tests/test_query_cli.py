"""`miggraph query` and `miggraph queries` on the command line: formats, parameters, errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest

from miggraph.cli import main
from miggraph.sparql.embedded import Embedded, embedded
from miggraph.sparql.library import library
from miggraph.sparql.results import format_result
from miggraph.vocab import QUERY_PREFIXES

ROOT = Path(__file__).resolve().parents[1]


def run(workspace: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--project", str(workspace), "--quiet", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_named_query_prints_a_table(workspace, capsys) -> None:
    code, out, _ = run(workspace, capsys, "query", "who-represents")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["mission", "label", "ofState", "sources"]
    assert lines[2].startswith("mgd:consulate-norway-guangzhou")
    assert lines[-1] == "(1 row)"


def test_param_binds_a_values_block(workspace, capsys) -> None:
    code, out, _ = run(workspace, capsys, "query", "activities-in-place",
                       "--param", "place=mgd:zhejiang", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["activity"] for r in rows] == [
        "https://w3id.org/miggraph/id/yiwu-field-assessment-2015"]


def test_param_repeated_gives_several_values(workspace, capsys) -> None:
    code, out, _ = run(workspace, capsys, "query", "instrument-changes", "--format", "json",
                       "--param", "instrument=mgd:vis", "--param",
                       "instrument=<https://w3id.org/miggraph/id/belgium-visa-procedure-china>")
    assert code == 0
    found = {b["instrument"]["value"].rsplit("/", 1)[-1]
             for b in json.loads(out)["results"]["bindings"]}
    assert found == {"vis", "belgium-visa-procedure-china"}


def test_csv_is_the_w3c_format(workspace, capsys) -> None:
    _, out, _ = run(workspace, capsys, "query", "labels-zh", "--format", "csv")
    assert out.startswith("node,english,chinese,class\r\n")
    assert "https://w3id.org/miggraph/id/chaoyang-district,Chaoyang District,朝阳区," in out


def test_tsv_is_the_w3c_format(workspace, capsys) -> None:
    _, out, _ = run(workspace, capsys, "query", "figures", "--format", "tsv")
    header, *rows = out.splitlines()
    assert header.startswith("?figure\t?label\t")
    assert any(r.endswith("\t447000") or "\t447000\t" in r for r in rows)  # Turtle's short form
    assert all(len(r.split("\t")) == len(header.split("\t")) for r in rows)


def test_json_parses_as_sparql_results(workspace, capsys) -> None:
    _, out, _ = run(workspace, capsys, "query", "partners", "--format", "json")
    parsed = pyoxigraph.parse_query_results(out, format=pyoxigraph.QueryResultsFormat.JSON)
    assert [v.value for v in parsed.variables] == ["partner", "label", "side", "shared"]
    assert len(list(parsed)) == 24  # partners in held activities (tests/answers/partners.csv)


def test_construct_prints_turtle(workspace, capsys) -> None:
    code, out, _ = run(workspace, capsys, "query", "actor-neighbourhood", "--param",
                       "actor=mgd:mps")
    assert code == 0
    triples = list(pyoxigraph.parse(out.encode(), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(triples) > 20


def test_query_from_standard_input(workspace) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "miggraph", "--project", str(workspace), "-q", "query", "-",
         "--format", "csv"],
        input=b"SELECT (COUNT(*) AS ?n) WHERE { ?a a mg:Ministry }", capture_output=True,
        check=False)
    assert (done.returncode, done.stdout) == (0, b"n\r\n2\r\n")


def test_query_file(workspace, capsys, tmp_path) -> None:
    query = tmp_path / "ask.rq"
    query.write_text("ASK { mgd:mps mg:side side:china }", encoding="utf-8")
    assert run(workspace, capsys, "query", str(query))[:2] == (0, "yes\n")


def test_malformed_query_exits_2_with_line_and_column(workspace, capsys, tmp_path) -> None:
    query = tmp_path / "broken.rq"
    query.write_text("SELECT ?s\nWHERE {\n  ?s ?p .\n}\n", encoding="utf-8")
    code, out, err = run(workspace, capsys, "query", str(query))
    assert code == 2 and out == ""
    assert err.startswith(f"miggraph: error: {query}:3:9: malformed query:")  # at the mistake
    assert err.count("\n") == 1


def test_unknown_parameter_exits_2(workspace, capsys) -> None:
    code, _, err = run(workspace, capsys, "query", "partners", "--param", "who=mgd:mps")
    assert code == 2 and "no parameter 'who' (it takes: actor, statusIn)" in err


def test_parameter_value_cannot_inject(workspace, capsys) -> None:
    code, out, err = run(workspace, capsys, "query", "partners", "--param",
                         "actor=mgd:mps } ?x ?y ?z {")
    assert (code, out) == (2, "")
    assert err == ("miggraph: error: --param value 'mgd:mps } ?x ?y ?z {': not one RDF term; "
                   "quote text that has spaces or punctuation, e.g. name='\"Yiwu city\"'\n")


def test_unknown_query_exits_2(workspace, capsys) -> None:
    code, _, err = run(workspace, capsys, "query", "no-such-question")
    assert code == 2 and "`miggraph queries` lists them" in err


def test_format_ttl_for_a_select_exits_2(workspace, capsys) -> None:
    assert run(workspace, capsys, "query", "figures", "--format", "ttl")[0] == 2


def test_unreachable_endpoint_exits_3_in_one_line(workspace, capsys) -> None:
    code, _, err = run(workspace, capsys, "query", "figures", "--endpoint",
                       "http://127.0.0.1:9/query")
    assert code == 3
    assert err.startswith("miggraph: error: cannot reach the SPARQL endpoint") and \
        err.count("\n") == 1


def test_embedded_timeout_is_honoured(workspace) -> None:
    slow = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    done = subprocess.run(
        [sys.executable, "-m", "miggraph", "--project", str(workspace), "-q", "query", "-",
         "--timeout", "0.5"], input=slow, capture_output=True, text=True, check=False)
    assert done.returncode == 3
    assert done.stderr == "miggraph: error: the embedded store did not answer within 0.5 s (--timeout)\n"


def test_queries_lists_the_library(workspace, capsys) -> None:
    code, out, _ = run(workspace, capsys, "queries")
    assert code == 0
    assert "co-participation            Activities two actors shared" in out
    code, out, _ = run(workspace, capsys, "queries", "co-participation")
    assert "actorA       default mgd:iom-liaison-office-china" in out


def test_queries_markdown_is_the_readme(workspace, capsys) -> None:
    _, out, _ = run(workspace, capsys, "queries", "--markdown")
    assert out == (ROOT / "queries" / "README.md").read_text(encoding="utf-8")


def test_queries_run_answers_the_whole_library_into_files(project, dist, tmp_path, capsys) -> None:
    from miggraph.cli import main as cli_main

    out = tmp_path / "answers"
    code = cli_main(["--project", str(project.root), "-q", "queries", "--run", str(out), "--dist", str(dist)])
    printed = capsys.readouterr().out
    assert code == 0
    names = {p.stem for p in (project.queries).glob("*.rq")}
    assert {p.stem for p in out.iterdir()} == names
    assert (out / "actor-neighbourhood.ttl").read_text(encoding="utf-8").count("mgd:") > 5
    figures = (out / "figures.csv").read_text(encoding="utf-8").splitlines()
    assert len(figures) == 1 + 56
    assert f"Answered {len(names)} competency questions" in printed


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_our_writers_equal_pyoxigraphs_serialiser_on_every_question(dist, fmt: str) -> None:
    """We write results ourselves because they stream (bounded memory, a deadline, --limit, rows
    from a remote endpoint), which pyoxigraph's serialiser cannot; so they must equal it."""
    store = embedded(dist)
    native = {"csv": pyoxigraph.QueryResultsFormat.CSV, "tsv": pyoxigraph.QueryResultsFormat.TSV,
              "json": pyoxigraph.QueryResultsFormat.JSON}[fmt]
    checked = 0
    for q in library(ROOT / "queries"):
        answer = store.query(q.text, prefixes=QUERY_PREFIXES)
        if not isinstance(answer, pyoxigraph.QuerySolutions):
            continue
        theirs = answer.serialize(format=native).decode("utf-8")
        ours = format_result(Embedded(store).run(q.text), fmt)
        if fmt == "json":
            assert json.loads(ours) == json.loads(theirs), q.name
        else:
            assert ours == theirs, q.name
        checked += 1
    assert checked == len(list((ROOT / "queries").glob("*.rq"))) - 1  # actor-neighbourhood is a CONSTRUCT
