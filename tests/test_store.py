"""The embedded store: loaded once into dist/cache/, reloaded only when dist/ changes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyoxigraph
import pytest

from miggraph.errors import MiggraphError
from miggraph.sparql.checks import query_kind, with_prefixes
from miggraph.sparql.embedded import Embedded, embedded, select
from miggraph.sparql.results import GRAPH


@pytest.fixture
def own_dist(dist: Path, tmp_path: Path) -> Path:
    """A copy of the built graph that a test may change."""
    copy = tmp_path / "dist"
    copy.mkdir()
    shutil.copy2(dist / "miggraph.nt", copy / "miggraph.nt")
    return copy


def copies(cache: Path) -> list[Path]:
    """The copies of the graph in a cache (folders; each has a lock file beside it)."""
    return sorted(p for p in cache.iterdir() if p.is_dir())


def test_select_keeps_its_plain_rows_interface(dist: Path) -> None:
    names, rows = select(embedded(dist), "SELECT ?a WHERE { ?a a mg:Ministry } ORDER BY ?a")
    assert names == ["a"]
    assert [r["a"].value for r in rows] == ["https://w3id.org/miggraph/id/mfa-china",
                                            "https://w3id.org/miggraph/id/mps"]


def test_cache_is_built_once_and_reused(own_dist: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    messages: list[str] = []
    first = embedded(own_dist, cache=cache, progress=messages.append)
    assert len(first) == len(embedded(own_dist))
    folders = copies(cache)
    assert len(folders) == 1 and len(messages) == 1
    del first
    embedded(own_dist, cache=cache, progress=messages.append)
    assert copies(cache) == folders
    assert len(messages) == 1  # not loaded again


def test_cache_is_reloaded_when_the_built_graph_changes(own_dist: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    before = len(embedded(own_dist, cache=cache))
    source = own_dist / "miggraph.nt"
    with source.open("a", encoding="utf-8") as handle:
        handle.write('<https://example.org/a> <https://example.org/p> "new" .\n')
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    after = embedded(own_dist, cache=cache)
    assert len(after) == before + 1
    assert len(copies(cache)) == 1  # the stale copy is gone


def test_two_readers_can_open_the_cache_at_once(own_dist: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    one = embedded(own_dist, cache=cache)
    two = embedded(own_dist, cache=cache)
    assert len(one) == len(two) > 3000


def test_missing_build_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MiggraphError, match="run `miggraph build` first"):
        embedded(tmp_path)


def test_malformed_query_names_line_and_column(dist: Path) -> None:
    store = Embedded(embedded(dist))
    with pytest.raises(MiggraphError) as caught:
        store.run("SELECT ?s\nWHERE { ?s ?p }", source="broken.rq")
    assert caught.value.exit_code == 2
    assert str(caught.value).startswith("broken.rq:2:")


def test_query_kind_tells_select_ask_and_graph() -> None:
    assert query_kind("SELECT * WHERE { ?s ?p ?o }") == "select"
    assert query_kind("ASK { ?s ?p ?o }") == "ask"
    assert query_kind("CONSTRUCT WHERE { ?s ?p ?o }") == GRAPH
    assert query_kind("DESCRIBE mgd:mps") == GRAPH


def test_with_prefixes_declares_only_what_is_missing() -> None:
    text = with_prefixes("PREFIX mg: <x:> SELECT * WHERE { ?a mg:p mgd:b }")
    first, _ = text.split("\n", 1)
    assert "PREFIX mgd: <https://w3id.org/miggraph/id/>" in first
    assert "PREFIX mg:" not in first
    assert with_prefixes("SELECT * WHERE { ?s ?p ?o }").startswith("SELECT")


def test_embedded_results_keep_terms(dist: Path) -> None:
    result = Embedded(embedded(dist)).run(
        "SELECT ?v WHERE { mgd:fig-yiwu-foreign-residents-2014 mg:value ?v }")
    (value,), = result.rows
    assert isinstance(value, pyoxigraph.Literal)
    assert value.datatype.value.endswith("#integer") and value.value == "447000"
