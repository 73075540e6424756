"""The seeded generator: same seed, same graph; in our shape, so shapes and queries hold; and
realistic: classes in their curated shares, heavy-tailed participation, hubs not picked by name."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph

from miggraph.graph import model, synth
from miggraph.graph.build import add_summaries, build, load_built, summary_rules
from miggraph.graph.validate import load_shapes, validate_graph
from miggraph.project import Project
from miggraph.sparql import library as query_mod
from miggraph.sparql import params as params_mod
from miggraph.sparql.embedded import Embedded, embedded
from miggraph.vocab import MG, MGD, RDF

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small(dist: Path, project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic graph with the summaries a build of it would have (the questions read them)."""
    out = tmp_path_factory.mktemp("synth")
    plain = build(project, out=tmp_path_factory.mktemp("plain"), summaries=False)
    synth.write(out, 20_000, plain.outputs["miggraph.nt"], seed=7)
    add_summaries(out / "miggraph.nt", summary_rules(project))
    return out


@pytest.fixture(scope="module")
def large(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Graph:
    out = tmp_path_factory.mktemp("synth-large")
    synth.write(out, 150_000, dist / "miggraph.nt", seed=11)
    return Graph().parse(out / "miggraph.nt", format="nt")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_seed_gives_the_same_graph(dist: Path, tmp_path: Path) -> None:
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        synth.write(tmp_path / name, 20_000, dist / "miggraph.nt", seed=seed)
    assert digest(tmp_path / "a" / "miggraph.nt") == digest(tmp_path / "b" / "miggraph.nt")
    assert digest(tmp_path / "c" / "miggraph.nt") != digest(tmp_path / "a" / "miggraph.nt")


def test_size_is_about_what_was_asked(dist: Path, tmp_path: Path) -> None:
    count = synth.write(tmp_path, 40_000, dist / "miggraph.nt")
    assert 36_000 < count < 44_000
    assert count == sum(1 for _ in (tmp_path / "miggraph.nt").open(encoding="utf-8"))


def test_synthetic_graph_conforms_to_the_shapes(small: Path, project: Project) -> None:
    report = validate_graph(load_built(small / "miggraph.nt"), load_shapes(project.shapes))
    assert report.conforms, [f.message for f in report.violations][:5]


def test_every_curated_actor_class_is_generated_in_its_share(large: Graph, dist: Path,
                                                              project: Project) -> None:
    """The actor classes come from the ontology (Court, Legislature, PoliceStation, Person...
    included) and their shares follow the curated data's."""
    kinds = {k.iri for k in model.load(project.ontology).in_group("actor")}
    curated = Graph().parse(dist / "miggraph.nt", format="nt")
    curated_counts = Counter(str(t) for t in curated.objects(None, RDF.type) if str(t) in kinds)
    synthetic = Counter(str(t) for s, t in large.subject_objects(RDF.type)
                        if str(t) in kinds and "syn-actor" in str(s))
    assert set(synthetic) == set(curated_counts)
    for name in ("Court", "Legislature", "PoliceStation", "ResearchInstitute", "ServiceProvider",
                 "Person"):
        assert synthetic[str(MG[name])] > 0, name
    total_curated, total_synthetic = sum(curated_counts.values()), sum(synthetic.values())
    group = str(MG.ActorGroup)  # the largest curated class stays the largest
    assert synthetic.most_common(1)[0][0] == group
    share = synthetic[group] / total_synthetic
    assert abs(share - curated_counts[group] / total_curated) < 0.08


def test_participation_is_heavy_tailed_and_hubs_are_not_first_by_name(large: Graph) -> None:
    per_actor = Counter(large.objects(None, MG.agent))
    degrees = sorted(per_actor.values(), reverse=True)
    top_percent = sum(degrees[: max(1, len(degrees) // 100)])
    assert top_percent / sum(degrees) > 0.1  # the busiest 1 % take over a tenth of the work
    assert degrees[0] > 20 * sorted(degrees)[len(degrees) // 2]  # hub vs median actor
    synthetic = sorted((a for a in per_actor if "syn-actor" in str(a)),
                       key=lambda a: -per_actor[a])
    hubs = {int(str(a).rsplit("-", 1)[1]) for a in synthetic[:10]}
    assert hubs != set(range(10))  # not the first ten generated
    assert max(hubs) > 50


def test_default_query_parameters_sit_in_the_dense_part(large: Graph) -> None:
    """The queries' default actors (the IOM office, the Ministry of Public Security) are among
    the busiest 1 %."""
    per_actor = Counter(large.objects(None, MG.agent))
    ranked = [a for a, _ in per_actor.most_common()]
    for actor in (MGD["iom-liaison-office-china"], MGD.mps):
        assert ranked.index(actor) < len(ranked) // 100, actor


def test_competency_questions_find_synthetic_answers(small: Path) -> None:
    store = Embedded(embedded(small))
    queries = {q.name: q for q in query_mod.library(ROOT / "queries")}
    counts = store.run(queries["actor-activity-counts"].text)
    assert sum("syn-actor" in r[0].value for r in counts.rows) > 20  # synthetic actors took part
    in_china = store.run(queries["activities-in-place"].text)
    synthetic = [r for r in in_china.rows if "syn-activity" in r[0].value]
    assert synthetic, "synthetic activities in Chinese cities are found through mg:within"
    busiest = next(r[0] for r in counts.rows if "syn-actor" in r[0].value)
    partners = store.run(params_mod.bind(queries["partners"].text, {"actor": [f"<{busiest.value}>"]}))
    assert partners.rows, "a synthetic actor has partners through qualified participations"
