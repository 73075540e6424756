"""The seeded generator: same seed, same graph; in our shape, so shapes and queries hold."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from miggraph.graph import synth
from miggraph.graph.build import load_built
from miggraph.graph.validate import load_shapes, validate_graph
from miggraph.sparql import library as query_mod
from miggraph.sparql import params as params_mod
from miggraph.sparql.embedded import Embedded, embedded

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    synth.write(out, 6000, dist / "miggraph.nt", seed=7)
    return out


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_seed_gives_the_same_graph(small: Path, dist: Path, tmp_path: Path) -> None:
    synth.write(tmp_path, 6000, dist / "miggraph.nt", seed=7)
    assert digest(tmp_path / "miggraph.nt") == digest(small / "miggraph.nt")
    synth.write(tmp_path, 6000, dist / "miggraph.nt", seed=8)
    assert digest(tmp_path / "miggraph.nt") != digest(small / "miggraph.nt")


def test_size_is_about_what_was_asked(dist: Path, tmp_path: Path) -> None:
    count = synth.write(tmp_path, 40_000, dist / "miggraph.nt")
    assert 30_000 < count < 50_000
    assert count == sum(1 for _ in (tmp_path / "miggraph.nt").open(encoding="utf-8"))


def test_synthetic_graph_conforms_to_the_shapes(small: Path, project) -> None:
    report = validate_graph(load_built(small / "miggraph.nt"), load_shapes(project.shapes))
    assert report.conforms, [f.message for f in report.violations][:5]


def test_competency_questions_find_synthetic_answers(small: Path) -> None:
    store = Embedded(embedded(small))
    queries = {q.name: q for q in query_mod.library(ROOT / "queries")}
    counts = store.run(queries["actor-activity-counts"].text)
    assert len(counts.rows) > 50  # synthetic actors took part too
    in_china = store.run(queries["activities-in-place"].text)
    synthetic = [r for r in in_china.rows if "syn-activity" in r[0].value]
    assert synthetic, "synthetic activities in Chinese cities are found through mg:within"
    busiest = next(r[0] for r in counts.rows if "syn-actor" in r[0].value)
    partners = store.run(params_mod.bind(queries["partners"].text, {"actor": [f"<{busiest.value}>"]}))
    assert partners.rows, "a synthetic actor has partners through qualified participations"
