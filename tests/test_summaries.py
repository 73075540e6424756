"""The build's summaries equal the live aggregates they stand for, on the curated data and on a
synthetic graph.

The summary rules (ontology/rules/summaries/) precompute citations, Chinese names and counts
(RDF Data Cube observations) that the competency questions read. Each question that reads a
summary must give exactly the answer its live version gave (tests/live/, the question as it was
before), and every citation must be the one the questions used to compute. The synthetic graph
is `graph.synth` on a build without summaries, summarised as `miggraph build` would.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Dataset
from test_queries import _cell, canonical, separators

from miggraph.graph import build
from miggraph.graph.build import BuildResult
from miggraph.project import Project, built_name
from miggraph.sparql.params import bind
from miggraph.vocab import GRAPH, MG, QUERY_PREFIXES

Store = pyoxigraph.Store
ROOT = Path(__file__).resolve().parents[1]
LIVE = ROOT / "tests" / "live"

# (question, parameters): every question that reads a count, with the cases that change what it counts
CASES: list[tuple[str, dict[str, list[str]]]] = [
    ("actor-activity-counts", {}),
    ("actor-activity-counts", {"statusIn": ["status:held", "status:planned"]}),
    ("actor-activity-counts", {"statusIn": ["status:cancelled"]}),
    ("labels-zh", {}),
    ("planned-vs-held", {}),
    ("source-sections", {}),
    ("themes-overview", {}),
    # the questions that read each activity's first and last day: every kind of period
    ("activities-in-period", {}),
    ("activities-in-period", {"from": ["2015-11-04"], "to": ["2015-11-30"]}),
    ("activities-in-period", {"from": ["2015-10-13"], "to": ["2015-11-03"]}),
    ("activities-in-period", {"from": ["2015-10-31"], "to": ["2015-10-31"]}),
    ("activities-in-period", {"from": ["2012"], "to": ["2013"]}),
    ("activities-in-period", {"from": ["2016-02"], "to": ["2016-02"]}),
    ("project-held-activities", {}),
    ("project-held-activities", {"year": ["2016"]}),
    ("project-held-activities", {"year": ["2012"]}),
    ("project-planned-activities", {}),
    ("project-planned-activities", {"year": ["2015"]}),
]
# Questions whose live version still reads the other summaries (citations, classes) and works
# out only the activity intervals itself: it runs on the summarised graph.
LIVE_ON_SUMMARIES = {"activities-in-period", "project-held-activities", "project-planned-activities"}
# Cases the curated data has no rows for (the synthetic graph has): still compared there.
EMPTY_ON_CURATED = {"actor-activity-counts-status:cancelled", "activities-in-period-2012-2013",
                    "project-held-activities-2016", "project-held-activities-2012",
                    "project-planned-activities-2015"}
CASE_IDS = [f"{name}-{'-'.join(v for values in params.values() for v in values)}".rstrip("-")
            for name, params in CASES]


def answer(store: pyoxigraph.Store, text: str) -> list[list[str]]:
    """A SELECT answer as its header and its rows, sorted, GROUP_CONCAT cells with sorted parts."""
    result = store.query(text, prefixes=QUERY_PREFIXES)
    assert isinstance(result, pyoxigraph.QuerySolutions)
    names = [v.value for v in result.variables]
    seps = separators(text)
    rows = [[canonical(_cell(s[n]), seps.get(n)) for n in names] for s in result]
    return [names, *sorted(rows)]


def _store(nt_file: Path) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.bulk_load(path=nt_file, format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def _summarised(store: pyoxigraph.Store, project: Project) -> pyoxigraph.Store:
    """A copy of `store` with the summaries the build would add."""
    copy = pyoxigraph.Store()
    copy.extend(store)
    for _, triples in build.summarise(store, build.summary_rules(project)):
        copy.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in triples)
    return copy


@pytest.fixture(scope="module")
def graphs(project: Project, synthetic: tuple[Path, Path],
           tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Store, Store]]:
    """For the curated data and the session's synthetic graph: (without summaries, with summaries)."""
    folder = tmp_path_factory.mktemp("summaries")
    plain = build.build(project, out=folder / "plain", summaries=False)
    curated = _store(plain.outputs[built_name("nt")])
    plain_synthetic, summarised_synthetic = synthetic
    return {"curated": (curated, _summarised(curated, project)),
            "synthetic": (_store(plain_synthetic), _store(summarised_synthetic))}


@pytest.mark.parametrize("graph", ["curated", "synthetic"])
@pytest.mark.parametrize(("name", "params"), CASES, ids=CASE_IDS)
def test_question_on_summaries_equals_its_live_aggregate(graphs, project: Project, graph: str, name: str,
                                                         params: dict[str, list[str]]) -> None:
    live_store, summarised = graphs[graph]
    if name in LIVE_ON_SUMMARIES:
        live_store = summarised
    live = answer(live_store, bind((LIVE / f"{name}.rq").read_text(encoding="utf-8"), params))
    asked = answer(summarised, bind((project.queries / f"{name}.rq").read_text(encoding="utf-8"), params))
    case = CASE_IDS[CASES.index((name, params))]
    nothing_to_count = graph == "curated" and case in EMPTY_ON_CURATED
    assert len(live) > 1 or nothing_to_count, f"{name} on the {graph} graph: no rows, nothing compared"
    assert asked == live


@pytest.mark.parametrize("graph", ["curated", "synthetic"])
def test_every_citation_is_the_one_the_questions_computed(graphs, graph: str) -> None:
    live_store, summarised = graphs[graph]
    live = answer(live_store, (LIVE / "citations.rq").read_text(encoding="utf-8"))
    written = answer(summarised, f"SELECT ?fact ?citation WHERE {{ ?fact <{MG.citation}> ?citation }}")
    assert len(live) > 100
    assert written == live


def test_synthetic_graph_has_counts_to_compare(graphs) -> None:
    """The synthetic graph is large enough that every count observation set is well filled."""
    _, summarised = graphs["synthetic"]
    counts = {str(row[0]): int(row[1].value) for row in summarised.query(
        "SELECT ?set (COUNT(?obs) AS ?n) WHERE { ?obs <http://purl.org/linked-data/cube#dataSet> ?set } "
        "GROUP BY ?set")}
    assert counts.keys() == {f"<{MG}{name}>" for name in ("citationsBySection", "activitiesByActor",
                                                          "activitiesByTheme", "activitiesByYear")}
    assert min(counts.values()) >= 11


def test_build_writes_each_summary_into_its_named_graph(built: BuildResult, project: Project,
                                                        dist: Path) -> None:
    rules = {p.stem for p in build.summary_rules(project)}
    assert rules == {"activities-by-actor", "activities-by-theme", "activities-by-year",
                     "activity-intervals", "citations-by-section", "citations", "class-closure",
                     "most-specific-classes", "names-zh", "participants", "place-closure"}
    dataset = Dataset()
    dataset.parse(dist / built_name("trig"), format="trig")
    for rule in rules:
        part = dataset.graph(GRAPH["summary/" + rule])
        assert len(part) > 0, rule
        assert all(triple in built.graph for triple in part), rule
    assert built.summary_triples == sum(len(dataset.graph(GRAPH["summary/" + r])) for r in rules)


def test_summaries_are_not_derived_twice_from_each_other(project: Project, built: BuildResult) -> None:
    """Each rule sees the graph without summaries: summarising the built graph again adds nothing new
    and changes no count."""
    store = pyoxigraph.Store()
    store.load(built.graph.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    again = {t for _, triples in build.summarise(store, build.summary_rules(project)) for t in triples}
    assert again and all(pyoxigraph.Quad(t.subject, t.predicate, t.object) in store for t in again)
