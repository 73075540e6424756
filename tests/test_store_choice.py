"""Which store a question goes to: one question to the on-disk copy; a session of several moves to
the graph in memory once it is loaded in the background, with the same answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from miggraph.project import Project, built_name
from miggraph.sparql import embedded as embedded_mod
from miggraph.sparql.embedded import Embedded, embedded

QUESTION = "SELECT ?actor ?label WHERE { ?actor mg:side side:eu ; skos:prefLabel ?label }"


def _opened(dist: Path, tmp_path: Path) -> Embedded:
    disk = embedded(dist, cache=tmp_path / "cache")
    return Embedded(disk, source=dist / built_name("nt"))


def _rows(store: Embedded) -> list[tuple[str, ...]]:
    return sorted(tuple(str(v) for v in row) for row in store.run(QUESTION).rows)


def test_one_question_goes_to_the_on_disk_copy_and_loads_nothing(dist: Path, tmp_path: Path) -> None:
    store = _opened(dist, tmp_path)
    disk = store.store
    assert len(_rows(store)) > 5
    assert store._loading is None and store.store is disk


def test_a_session_moves_to_the_graph_in_memory_with_the_same_answers(dist: Path, tmp_path: Path) -> None:
    store = _opened(dist, tmp_path)
    disk = store.store
    first = _rows(store)
    second = _rows(store)  # the second question starts the load into memory
    assert store._loading is not None
    store._loading.thread.join(timeout=60)
    assert store.store is not disk
    assert _rows(store) == first == second
    assert len(store.store) == len(disk)


def test_a_graph_too_large_for_memory_stays_on_disk(dist: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedded_mod, "MEMORY_PER_BYTE", 1 << 40)
    store = _opened(dist, tmp_path)
    for _ in range(3):
        _rows(store)
    assert store._loading is None


def test_the_api_session_gives_its_store_the_built_graph_to_load(project: Project, dist: Path) -> None:
    import miggraph

    kg = miggraph.open(project.root, dist=dist)
    assert isinstance(kg.store, Embedded)
    assert kg.store._source == dist / built_name("nt")
