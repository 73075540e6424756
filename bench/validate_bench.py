"""Validation time on the curated graph and on a copy 100 times larger, for both engines.

The large graph is the curated data replicated: every node of the data namespace gets a
suffix per copy, so it has the same shape mix (actors, activities, participations, figures)
as the real data; the ontology and vocabularies stay single. Each size is validated with
pyshacl (the reference) and with the shapes compiled to SPARQL on pyoxigraph; the two reports
must be identical. Figures are seconds and ratios measured in the same process.

    python -m bench validate_bench            # curated and x100
    python -m bench.validate_bench 10         # curated and x10
"""

from __future__ import annotations

import resource
import sys
import time

import pyoxigraph
from rdflib import Graph, URIRef

from miggraph.build import load
from miggraph.project import MGD, find_project
from miggraph.validate import load_shapes, validate_graph, validate_store


def replicate(graph: Graph, copies: int) -> Graph:
    """`copies` renamed copies of the data nodes, sharing the ontology's terms."""
    data_ns = str(MGD)

    def rename(term: object, k: int) -> object:
        if isinstance(term, URIRef) and str(term).startswith(data_ns):
            return URIRef(f"{term}-x{k}")
        return term

    big = Graph()
    for s, p, o in graph:
        if isinstance(s, URIRef) and not str(s).startswith(data_ns):
            big.add((s, p, o))
            continue
        for k in range(copies):
            big.add((rename(s, k), p, rename(o, k)))  # type: ignore[arg-type]
    return big


def measure(label: str, graph: Graph, shapes: Graph) -> None:
    started = time.perf_counter()
    reference = validate_graph(graph, shapes, engine="pyshacl")
    pyshacl_s = time.perf_counter() - started

    started = time.perf_counter()
    store = pyoxigraph.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    fast = validate_store(store, shapes)
    oxigraph_s = time.perf_counter() - started

    same = "same report" if fast.findings == reference.findings else "REPORTS DIFFER"
    print(f"{label:>8} {len(graph):>9,} triples | pyshacl {pyshacl_s:7.2f} s | oxigraph {oxigraph_s:6.2f} s "
          f"(+ load {load_s:5.2f} s) | pyshacl/oxigraph {pyshacl_s / oxigraph_s:5.0f}x | "
          f"{len(reference.violations)} violations, {same}", flush=True)


def main(copies: int = 100) -> None:
    project = find_project()
    shapes = load_shapes(project.shapes)
    curated = load(project).graph
    measure("curated", curated, shapes)
    measure(f"x{copies}", replicate(curated, copies), shapes)
    # The same with the broken examples of the test suite mixed in, so that the reports compared
    # at scale hold thousands of violations of every kind.
    broken_cases = sorted((project.root / "tests" / "shapes").glob("*.ttl"))
    broken = load(project, data=[project.data, *broken_cases]).graph
    measure(f"x{copies}+err", replicate(broken, copies), shapes)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
