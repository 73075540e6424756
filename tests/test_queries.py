"""Every competency question in queries/ gives exactly its expected answer on the curated data.

The expected answers are in tests/answers/ (see its README): one CSV per case, with the query
and the parameters used in its leading comment lines and every row of the answer, sorted. They
were reviewed by hand against the newsletter. A test compares the whole answer, cell by cell.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pyoxigraph
import pytest

from miggraph import network
from miggraph.cli import main
from miggraph.graph import build
from miggraph.project import Project
from miggraph.sparql import library as query_mod
from miggraph.sparql import params as params_mod
from miggraph.sparql.embedded import embedded
from miggraph.vocab import QUERY_PREFIXES

ROOT = Path(__file__).resolve().parents[1]
ANSWERS = ROOT / "tests" / "answers"
# Set MIGGRAPH_WRITE_ANSWERS=1 to rewrite the expected answers from the current graph; then
# review every changed line against the source before committing it.
WRITE = os.environ.get("MIGGRAPH_WRITE_ANSWERS") == "1"
SEP = network.SEP

# (case file, query, parameters): the default answer of every query, and the boundaries.
CASES: list[tuple[str, str, dict[str, list[str]]]] = [
    *[(name, name, {}) for name in sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))],
    ("activities-by-theme--trafficking", "activities-by-theme", {"theme": ["theme:trafficking"]}),
    # periods: across the start, across the end, inside, spanning the whole period, outside
    ("activities-in-period--across-start", "activities-in-period",
     {"from": ["2015-11-04"], "to": ["2015-11-30"]}),
    ("activities-in-period--across-end", "activities-in-period",
     {"from": ["2015-10-13"], "to": ["2015-11-03"]}),
    ("activities-in-period--inside", "activities-in-period",
     {"from": ["2015-11-01"], "to": ["2015-11-30"]}),
    ("activities-in-period--spanned", "activities-in-period",
     {"from": ["2015-11-04"], "to": ["2015-11-04"]}),
    ("activities-in-period--month-precision", "activities-in-period",
     {"from": ["2015-10-31"], "to": ["2015-10-31"]}),
    ("activities-in-period--after", "activities-in-period",
     {"from": ["2015-11-06"], "to": ["2015-12-31"]}),
    ("activities-in-place--zhejiang", "activities-in-place", {"place": ["mgd:zhejiang"]}),
    ("activities-in-place--europe", "activities-in-place", {"place": ["mgd:europe"]}),
    ("activity-participants--ads-guangzhou", "activity-participants",
     {"activity": ["mgd:ads-training-guangzhou-2015"]}),
    ("actor-activity-counts--include-planned", "actor-activity-counts",
     {"statusIn": ["status:held", "status:planned"]}),
    ("actor-facts--mps", "actor-facts", {"actor": ["mgd:mps"]}),
    ("actor-participations--ilo", "actor-participations", {"actor": ["mgd:ilo"]}),
    ("actors-by-kind--ngo", "actors-by-kind", {"kind": ["mg:NGO"]}),
    ("actors-by-side--international", "actors-by-side", {"side": ["side:international"]}),
    ("bodies-met--ngo", "bodies-met", {"kind": ["mg:NGO"]}),
    ("co-participation--ilo-mps", "co-participation", {"actorA": ["mgd:ilo"], "actorB": ["mgd:mps"]}),
    ("co-participation--include-planned", "co-participation",
     {"statusIn": ["status:held", "status:planned"]}),
    ("connection-path--direct", "connection-path", {"from": ["mgd:mps"], "to": ["mgd:dg-home"]}),
    ("connection-path--planned-only", "connection-path",
     {"from": ["mgd:seminar-invitees"], "to": ["mgd:dg-home"]}),
    ("connection-path--include-planned", "connection-path",
     {"from": ["mgd:seminar-invitees"], "to": ["mgd:dg-home"],
      "statusIn": ["status:held", "status:planned"]}),
    ("instruments--agreements", "instruments", {"kind": ["mg:Agreement"]}),
    ("partners--include-planned", "partners", {"statusIn": ["status:held", "status:planned"]}),
    ("project-held-activities--2016", "project-held-activities", {"year": ["2016"]}),
    ("project-planned-activities--2015", "project-planned-activities", {"year": ["2015"]}),
    ("who-represents--belgium", "who-represents", {"state": ["mgd:belgium"]}),
]
VIEW_CASES: list[tuple[str, str, bool]] = [
    *[(f"network--{name}", name, False) for name in ("coparticipation", "participation", "instruments",
                                                       "structure")],
    ("network--coparticipation--include-planned", "coparticipation", True),
    ("network--participation--include-planned", "participation", True),
]


@pytest.fixture(scope="module")
def store(dist: Path) -> pyoxigraph.Store:
    return embedded(dist)


def _cell(term: object) -> str:
    return "" if term is None else str(getattr(term, "value", term))


def separators(text: str) -> dict[str, str]:
    """The separator of each column that a GROUP_CONCAT fills, read from the query's SELECT; a
    column computed from such a list (`BIND(COALESCE(?placeList, "") AS ?places)`, as the
    portable questions do outside their aggregating sub-select) has the list's separator."""
    found: dict[str, str] = {}
    for match in re.finditer(r"AS \?(\w+)\)", text):
        before = text[:match.start()]
        since = before[before.rfind("AS ?") + 1:] if "AS ?" in before else before
        seps = re.findall(r'SEPARATOR\s*=\s*"([^"]+)"', since, re.IGNORECASE)
        bound = since[since.rfind("BIND(") :] if "BIND(" in since else ""
        lists = [name for name in re.findall(r"\?(\w+)", bound) if name in found]
        if seps:
            found[match.group(1)] = seps[-1]
        elif lists:
            found[match.group(1)] = found[lists[-1]]
    return found


def canonical(value: str, separator: str | None) -> str:
    """A concatenated cell with its parts sorted: GROUP_CONCAT promises no order."""
    return separator.join(sorted(value.split(separator))) if separator and value else value


def answer(store: pyoxigraph.Store, name: str, params: dict[str, list[str]]) -> list[list[str]]:
    """The answer as a header row and the rows, sorted; a CONSTRUCT gives its triples."""
    text = params_mod.bind((ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8"), params)
    result = store.query(text, prefixes=QUERY_PREFIXES)
    if isinstance(result, pyoxigraph.QuerySolutions):
        names = [v.value for v in result.variables]
        seps = separators(text)
        rows = [[canonical(_cell(solution[n]), seps.get(n)) for n in names] for solution in result]
    else:
        names = ["subject", "predicate", "object"]
        rows = [[_cell(t.subject), _cell(t.predicate), _cell(t.object)] for t in result]
    return [names, *sorted(rows)]


def view_answer(store: pyoxigraph.Store, project: Project, name: str, planned: bool) -> list[list[str]]:
    edges = network.edge_rows(store, network.get_view(project, name), include_planned=planned)
    columns = list(dict.fromkeys(k for edge in edges for k in edge))
    rows = [[SEP.join(e[c]) if isinstance(e.get(c), list) else f"{e.get(c, '')}" for c in columns]
            for e in edges]
    return [columns, *sorted(rows)]


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    comments = [line for line in lines if line.startswith("# ")]
    body = "\n".join(line for line in lines if not line.startswith("# "))
    return comments, list(csv.reader(io.StringIO(body)))


def _write(path: Path, comments: list[str], rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text("\n".join(comments) + "\n" + buffer.getvalue(), encoding="utf-8")


def _comments(query: str, params: dict[str, list[str]]) -> list[str]:
    lines = [f"# query: {query}"]
    lines += [f"# param: {k}={v}" for k, values in params.items() for v in values] or ["# param: (defaults)"]
    return lines


@pytest.mark.parametrize(("case", "name", "params"), CASES, ids=[c[0] for c in CASES])
def test_query_gives_its_expected_answer(store: pyoxigraph.Store, case: str, name: str,
                                         params: dict[str, list[str]]) -> None:
    path = ANSWERS / f"{case}.csv"
    actual = answer(store, name, params)
    if WRITE:
        _write(path, _comments(name, params), actual)
    comments, expected = _read(path)
    assert comments == _comments(name, params), f"{path.name}: header does not name this case"
    assert actual[0] == expected[0], f"{case}: columns"
    missing = [r for r in expected[1:] if r not in actual[1:]]
    extra = [r for r in actual[1:] if r not in expected[1:]]
    assert (missing, extra) == ([], []), f"{case}: rows expected but missing, and rows not expected"
    assert actual == expected


@pytest.mark.parametrize(("case", "view", "planned"), VIEW_CASES, ids=[c[0] for c in VIEW_CASES])
def test_network_view_gives_its_expected_edges(store: pyoxigraph.Store, project: Project, case: str,
                                               view: str, planned: bool) -> None:
    path = ANSWERS / f"{case}.csv"
    comments = [f"# view: {view}", f"# include-planned: {'yes' if planned else 'no'}"]
    actual = view_answer(store, project, view, planned)
    if WRITE:
        _write(path, comments, actual)
    found, expected = _read(path)
    assert found == comments
    assert actual == expected


def test_every_query_and_view_has_an_expected_answer(project: Project) -> None:
    names = {q.name for q in query_mod.library(project.queries)}
    assert names <= {name for _, name, _ in CASES}
    assert set(network.list_views(project)) <= {view for _, view, _ in VIEW_CASES}
    files = {p.stem for p in ANSWERS.glob("*.csv")}
    assert files == {c[0] for c in CASES} | {c[0] for c in VIEW_CASES}, "stale or missing answer files"


# ---------------------------------------------------------------- the library itself

def test_library_has_at_least_twenty_documented_queries(project: Project) -> None:
    queries = query_mod.library(project.queries)
    assert len(queries) >= 20
    for q in queries:
        assert q.title and q.question and q.returns, f"{q.name}: header incomplete"
        assert set(q.parameters) == set(q.defaults), f"{q.name}: parameters not documented"


def test_every_query_returns_the_columns_its_header_names(project: Project, store: pyoxigraph.Store) -> None:
    for q in query_mod.library(project.queries):
        header = answer(store, q.name, {})[0]
        expected = ["subject", "predicate", "object"] if q.returns == ["triples (CONSTRUCT)"] else q.returns
        assert header == expected, q.name


def test_queries_readme_is_up_to_date(project: Project) -> None:
    expected = query_mod.render_readme(query_mod.library(project.queries))
    actual = (project.queries / "README.md").read_text(encoding="utf-8")
    assert actual == expected, "run: miggraph queries --markdown > queries/README.md"


def test_every_fact_query_cites_section_and_page(project: Project, store: pyoxigraph.Store) -> None:
    for q in query_mod.library(project.queries):
        if "sources" not in q.returns:
            continue
        rows = answer(store, q.name, {})
        column = rows[0].index("sources")
        cited = [r[column] for r in rows[1:] if r[column]]
        assert cited and all("(p. " in c for c in cited), q.name


def test_counting_queries_take_the_status_parameter(project: Project) -> None:
    """Counts, partners, paths and network views of activities cover held ones by default."""
    for name in ("actor-activity-counts", "partners", "connection-path", "co-participation"):
        assert params_mod.parameters((project.queries / f"{name}.rq").read_text())["statusIn"] == ["status:held"]
    for name in ("coparticipation", "participation"):
        text = network.get_view(project, name).path.read_text()
        assert params_mod.parameters(text)["statusIn"] == ["status:held"]


# ---------------------------------------------------------------- boundaries on a made-up graph

SMALL = """
@prefix mg: <https://w3id.org/miggraph/def#> . @prefix mgd: <https://w3id.org/miggraph/id/> .
@prefix status: <https://w3id.org/miggraph/status/> . @prefix schema: <https://schema.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
mg:Workshop <http://www.w3.org/2000/01/rdf-schema#subClassOf> mg:Activity .
status:held skos:prefLabel "held"@en . status:planned skos:prefLabel "planned"@en .
mgd:new-year a mg:Workshop ; skos:prefLabel "across New Year"@en ; mg:partOfProject mgd:p ;
    mg:status status:held ; schema:startDate "2014-12-30"^^xsd:date ; schema:endDate "2015-01-02"^^xsd:date .
mgd:month a mg:Workshop ; skos:prefLabel "December 2015"@en ; mg:partOfProject mgd:p ;
    mg:status status:planned ; schema:startDate "2015-12"^^xsd:gYearMonth .
mgd:years a mg:Workshop ; skos:prefLabel "2013 to 2016"@en ; mg:partOfProject mgd:p ;
    mg:status status:held ; schema:startDate "2013"^^xsd:gYear ; schema:endDate "2016"^^xsd:gYear .
mgd:open a mg:Workshop ; skos:prefLabel "from 2018, still under way"@en ; mg:partOfProject mgd:p ;
    mg:status status:held ; schema:startDate "2018-06"^^xsd:gYearMonth ;
    mg:notStatedInSource schema:endDate .
"""


@pytest.fixture(scope="module")
def small(project: Project) -> pyoxigraph.Store:
    """The made-up graph with the summaries a build adds, which the questions read."""
    store = pyoxigraph.Store()
    store.load(SMALL.encode(), format=pyoxigraph.RdfFormat.TURTLE)
    for _, triples in build.summarise(store, build.summary_rules(project)):
        store.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in triples)
    return store


@pytest.mark.parametrize(("year", "expected"), [
    ("2013", ["years"]), ("2014", ["new-year", "years"]), ("2015", ["new-year", "years"]),
    ("2016", ["years"]), ("2017", []), ("2018", ["open"]), ("2030", ["open"])])
def test_year_filter_takes_every_activity_whose_interval_overlaps_the_year(
        small: pyoxigraph.Store, year: str, expected: list[str]) -> None:
    rows = answer(small, "project-held-activities", {"project": ["mgd:p"], "year": [f'"{year}"']})
    assert sorted(r[0].rsplit("/", 1)[1] for r in rows[1:]) == expected


@pytest.mark.parametrize(("year", "expected"), [("2015", ["month"]), ("2016", [])])
def test_planned_year_filter_reads_a_month_as_its_whole_month(small: pyoxigraph.Store, year: str,
                                                              expected: list[str]) -> None:
    rows = answer(small, "project-planned-activities", {"project": ["mgd:p"], "year": [f'"{year}"']})
    assert [r[0].rsplit("/", 1)[1] for r in rows[1:]] == expected


@pytest.mark.parametrize(("start", "end", "expected"), [
    ("2015-01-02", "2015-01-31", ["new-year", "years"]),   # across the activity's end
    ("2014-12-01", "2014-12-30", ["new-year", "years"]),   # across its start
    ("2014-12-31", "2014-12-31", ["new-year", "years"]),   # inside it
    ("2015-12-31", "2016-01-31", ["month", "years"]),      # the last day of a month
    ("2016-01", "2016-12", ["years"]),
    ("2017", "2018-05-31", []),
    ("2017", "2018-06-01", ["open"]),                    # an open end runs on
    ("2030", "2030", ["open"])])
def test_period_filter_at_every_precision(small: pyoxigraph.Store, start: str, end: str,
                                          expected: list[str]) -> None:
    rows = answer(small, "activities-in-period", {"from": [f'"{start}"'], "to": [f'"{end}"']})
    assert sorted(r[0].rsplit("/", 1)[1] for r in rows[1:]) == expected


# ---------------------------------------------------------------- the command line

def test_query_command_includes_planned_activities_on_request(
        project: Project, workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--project", str(workspace), "query", "partners", "--format", "csv",
            "--param", "actor=mgd:mps"]
    assert main(base) == 0
    held = capsys.readouterr().out
    assert main([*base, "--include-planned"]) == 0
    planned = capsys.readouterr().out
    assert "seminar-invitees" not in held and "seminar-invitees" in planned
    assert main(["--project", str(workspace), "query", "figures", "--include-planned"]) == 2
    assert "no ?statusIn parameter" in capsys.readouterr().err
