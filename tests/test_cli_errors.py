"""Every expected failure is one line on stderr with its exit code, through the real command line.

Each case of issue 10 runs `python -m miggraph` (or `main(argv)`) and asserts the code and the
whole line. Tests run as root, so a folder that cannot be written is made by putting a regular
file where a folder is expected (root cannot create a folder inside a file either).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from miggraph.cli import main
from miggraph.errors import EXIT_CODES_HELP
from miggraph.graph import stats as stats_mod
from miggraph.project import Project

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "miggraph", *args], input=stdin,
                          capture_output=True, text=True, timeout=300, check=False)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def scratch(project: Project, tmp_path: Path, dist: Path) -> Path:
    """A project with copies of ontology/ and data/, the real queries/, and a built dist/."""
    shutil.copytree(project.ontology, tmp_path / "ontology")
    shutil.copytree(project.data, tmp_path / "data")
    (tmp_path / "queries").symlink_to(ROOT / "queries")
    shutil.copytree(dist, tmp_path / "dist")
    return tmp_path


# ---------------------------------------------------------------- local files: exit 4

def test_unwritable_dist_is_exit_4_in_one_line(scratch: Path) -> None:
    blocker = scratch / "file"
    blocker.write_text("a file where a folder should be\n", encoding="utf-8")
    done = cli("--project", str(scratch), "-q", "build", "--out", str(blocker / "dist"))
    assert done.returncode == 4
    assert done.stderr == f"miggraph: error: cannot write {blocker / 'dist'}: Not a directory\n"


def test_unwritable_maps_is_exit_4_in_one_line(scratch: Path) -> None:
    (scratch / "dist" / "maps").write_text("not a folder\n", encoding="utf-8")
    done = cli("--project", str(scratch), "-q", "map")
    assert done.returncode == 4
    assert done.stderr == f"miggraph: error: cannot write {scratch / 'dist' / 'maps'}: File exists\n"


def test_unwritable_exports_is_exit_4_in_one_line(scratch: Path) -> None:
    (scratch / "dist" / "exports").write_text("not a folder\n", encoding="utf-8")
    done = cli("--project", str(scratch), "-q", "export", "--format", "graphml")
    assert done.returncode == 4
    assert done.stderr == f"miggraph: error: cannot write {scratch / 'dist' / 'exports'}: File exists\n"


def test_export_into_an_existing_folder_writes_inside_it(scratch: Path) -> None:
    folder = scratch / "out"
    folder.mkdir()
    done = cli("--project", str(scratch), "-q", "export", "--format", "graphml", "--out", str(folder))
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"{folder / 'coparticipation.graphml'}\n"
    assert sorted(p.name for p in folder.iterdir()) == ["coparticipation.graphml"]


def test_export_to_a_new_folder_path_writes_one_file_per_format(scratch: Path) -> None:
    target = f"{scratch / 'new'}/"
    for fmt in ("graphml", "gexf", "json", "ttl"):
        done = cli("--project", str(scratch), "-q", "export", "--format", fmt, "--out", target)
        assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert sorted(p.name for p in (scratch / "new").iterdir()) == [
        "coparticipation.gexf", "coparticipation.graphml", "coparticipation.json",
        "miggraph.ttl"]


# ---------------------------------------------------------------- bad input: exit 2

def test_literal_over_16_mib_is_exit_2_naming_the_file(scratch: Path) -> None:
    big = scratch / "data" / "big.ttl"
    big.write_text('@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n'
                   '<https://w3id.org/miggraph/id/x> skos:note "' + "a" * (17 * 2**20) + '" .\n',
                   encoding="utf-8")
    done = cli("--project", str(scratch), "-q", "build", "--out", str(scratch / "out"))
    assert done.returncode == 2
    assert done.stderr == (f"miggraph: error: {big}: a literal or IRI is longer than 16 MiB, more "
                           "than the parser accepts; keep long texts outside the graph\n")
    assert not (scratch / "out" / "miggraph.nt").exists()


def test_turtle_with_a_byte_order_mark_is_accepted(scratch: Path) -> None:
    bom = scratch / "data" / "bom.ttl"
    bom.write_bytes(b"\xef\xbb\xbf@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
                    b'<https://w3id.org/miggraph/id/bom-test> skos:note "with a BOM" .\n')
    assert cli("--project", str(scratch), "-q", "build").returncode == 0
    done = cli("--project", str(scratch), "-q", "query", "-", "--format", "csv",
               stdin="SELECT ?n WHERE { mgd:bom-test skos:note ?n }")
    assert (done.returncode, done.stdout) == (0, "n\nwith a BOM\n")  # text=True reads CRLF as \n


def test_update_given_to_query_is_refused(workspace: Path) -> None:
    done = cli("--project", str(workspace), "-q", "query", "-",
               stdin="PREFIX ex: <urn:x:>\n# add one\nINSERT DATA { ex:a ex:b ex:c }")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == ("miggraph: error: <stdin>: this is a SPARQL update (INSERT, DELETE, "
                           "LOAD...); updates are not accepted here, only SELECT, ASK, CONSTRUCT "
                           "and DESCRIBE\n")


def test_syntax_error_points_at_the_mistake(workspace: Path) -> None:
    done = cli("--project", str(workspace), "-q", "query", "-",
               stdin="SELECT ?s\nWHERE {\n  ?s mg:side .\n\n  # nothing here\n}\n")
    assert done.returncode == 2  # the parser stops at "}" on line 6; the object is missing on 3
    assert done.stderr.startswith("miggraph: error: <stdin>:3:")
    assert done.stderr.count("\n") == 1


def test_undeclared_prefix_in_a_parameter_is_refused(workspace: Path) -> None:
    done = cli("--project", str(workspace), "-q", "query", "partners", "--param", "actor=mgx:mps")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == ("miggraph: error: --param value 'mgx:mps': the prefix mgx: is not "
                           "declared (in the query or by miggraph); write the full IRI in <>\n")


# ---------------------------------------------------------------- parameters cannot inject

@pytest.fixture
def echo_query(tmp_path: Path) -> Path:
    query = tmp_path / "echo.rq"
    query.write_text('SELECT ?x (COUNT(*) AS ?n) WHERE { VALUES ?x { "a" } } GROUP BY ?x\n',
                     encoding="utf-8")
    return query


def test_injection_payload_is_refused(workspace: Path, echo_query: Path) -> None:
    done = cli("--project", str(workspace), "-q", "query", str(echo_query), "--format", "csv",
               "--param", 'x="b"^^<urn:t>}?s?p?o#')
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == ("miggraph: error: --param value '\"b\"^^<urn:t>}?s?p?o#': "
                           "not one literal\n")


@pytest.mark.parametrize("value, tsv", [
    ('"b"^^<urn:t>', '"b"^^<urn:t>'),
    ('"Yiwu city"@en', '"Yiwu city"@en'),
    ("2015-09-01", '"2015-09-01"'),
    ("<https://w3id.org/miggraph/id/mps>", "<https://w3id.org/miggraph/id/mps>"),
    ("mgd:mps", "<https://w3id.org/miggraph/id/mps>"),
    ('"x } ?s ?p ?o {"', '"x } ?s ?p ?o {"'),
])
def test_a_parameter_is_bound_as_one_term(workspace: Path, echo_query: Path, value: str,
                                          tsv: str) -> None:
    done = cli("--project", str(workspace), "-q", "query", str(echo_query), "--format", "tsv",
               "--param", f"x={value}")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"?x\t?n\n{tsv}\t1\n"


def test_service_is_refused_on_the_embedded_store(workspace: Path) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    done = cli("--project", str(workspace), "-q", "query", "-", stdin=query)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == ("miggraph: error: <stdin>: SERVICE calls another endpoint over the "
                           "network; the embedded store refuses it unless --allow-service is "
                           "given\n")


def test_service_to_a_closed_port_is_exit_3_in_one_line(workspace: Path) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago, and is closed now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    done = cli("--project", str(workspace), "-q", "query", "-", "--allow-service", stdin=query)
    assert (done.returncode, done.stdout) == (3, "")
    assert done.stderr.startswith("miggraph: error: <stdin>: the query failed: ")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


# ---------------------------------------------------------------- output

def test_closed_pipe_ends_quietly(workspace: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "miggraph", "--project", str(workspace), "-q", "query", "-",
         "--format", "tsv"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    assert process.stdin and process.stdout
    process.stdin.write("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")
    process.stdin.close()
    assert process.stdout.readline().startswith("?a\t?b\t?c")
    process.stdout.close()  # like `| head -1`
    assert process.wait(timeout=120) == 0
    assert process.stderr and process.stderr.read() == ""


def test_limit_stops_after_n_rows(workspace: Path) -> None:
    done = cli("--project", str(workspace), "-q", "query", "-", "--format", "csv", "--limit", "2",
               stdin="SELECT ?s WHERE { { ?s a mg:Ministry } UNION { ?s a mg:NGO } } ORDER BY ?s")
    assert done.returncode == 0
    assert done.stdout == ("s\nhttps://w3id.org/miggraph/id/mfa-china\n"
                           "https://w3id.org/miggraph/id/mps\n")
    done = cli("--project", str(workspace), "-q", "query", "-", "--limit", "2",
               stdin="SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")
    assert done.returncode == 0 and done.stdout.splitlines()[-1] == "(2 rows)"


def test_network_table_cuts_labels_with_an_ellipsis(workspace: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--project", str(workspace), "-q", "network", "--view",
                       "participation")
    assert code == 0
    lines = out.splitlines()[2:]
    long = [line for line in lines if line[47] == "…"]
    assert long, "no label was long enough to be cut"
    assert all(line[48] == " " for line in long)
    assert any(line.startswith("IOM-MPS BEEA joint field assessment on foreigne… field assessment ")
               for line in long)


# ---------------------------------------------------------------- internal errors and help

def test_unexpected_exception_is_exit_5_asking_for_a_report(
        workspace: Path, dist: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_graph: object) -> None:
        raise TypeError("something no one expected")

    monkeypatch.setattr(stats_mod, "compute", broken)
    args = ["--project", str(workspace), "-q", "stats", "--graph", str(dist / "miggraph.ttl")]
    code, out, err = run(capsys, *args)
    assert (code, out) == (5, "")
    assert err == ("miggraph: internal error: TypeError: something no one expected (a bug in "
                   "miggraph: please report it with the output of --debug)\n")
    code, _, err = run(capsys, "--debug", *args)
    assert code == 5 and err.startswith("Traceback (most recent call last):")
    assert err.endswith("with the output of --debug)\n")


def test_help_shows_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--help"], ["query", "--help"], ["export", "--help"]):
        with pytest.raises(SystemExit):
            main(args)
        assert " ".join(EXIT_CODES_HELP.split()) in " ".join(capsys.readouterr().out.split())


# ---------------------------------------------------------------- stale builds

def test_killed_build_leaves_nothing_behind_for_long(scratch: Path) -> None:
    dist = scratch / "dist"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from miggraph.files import staging_folder;"
         f"folder, _ = staging_folder(Path({str(dist)!r}), '.build-'); print(folder, flush=True);"
         "time.sleep(600)"], stdout=subprocess.PIPE, text=True)
    assert holder.stdout
    killed = Path(holder.stdout.readline().strip())
    alive = subprocess.Popen(  # a build still running must keep its folder
        [sys.executable, "-c",
         "import time; from pathlib import Path; from miggraph.files import staging_folder;"
         f"folder, _ = staging_folder(Path({str(dist)!r}), '.build-live-'); print(folder, flush=True);"
         "time.sleep(600)"], stdout=subprocess.PIPE, text=True)
    assert alive.stdout
    running = Path(alive.stdout.readline().strip())
    try:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        old = time.time() - 3600
        for folder in (killed, running):
            os.utime(folder, (old, old))
        done = cli("--project", str(scratch), "build")
        assert done.returncode == 0, done.stderr
        assert f"removed {killed.name}, left by a build that did not finish" in done.stderr
        assert not killed.exists() and running.is_dir()
    finally:
        alive.kill()
        alive.wait()


def test_commands_say_when_data_is_newer_than_the_build(scratch: Path) -> None:
    assert cli("--project", str(scratch), "-q", "build").returncode == 0
    now = time.time()
    os.utime(scratch / "dist" / "miggraph.nt", (now - 60, now - 60))
    os.utime(scratch / "data" / "actors.ttl", (now, now))
    warning = ("miggraph: warning: data/actors.ttl changed after "
               f"{scratch / 'dist'} was built; this uses the old build (run `miggraph build`)\n")
    for args in (["stats"], ["query", "who-represents"], ["network", "--top", "1"],
                 ["validate", "--engine", "oxigraph"]):
        done = cli("--project", str(scratch), "-q", *args)
        assert done.returncode in (0, 1), (args, done.stderr)
        assert done.stderr.startswith(warning), (args, done.stderr)
    assert cli("--project", str(scratch), "-q", "build").returncode == 0
    assert cli("--project", str(scratch), "-q", "stats").stderr == ""


def test_a_graph_file_that_is_not_turtle_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("not turtle at all {\n", encoding="utf-8")
    done = cli("-q", "stats", "--graph", str(bad))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith(f"miggraph: error: {bad}: cannot parse as Turtle: ")
    assert done.stderr.count("\n") == 1
