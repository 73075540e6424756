"""How validation time grows: pyshacl on the curated graph and on a copy 100 times larger.

The large graph is the curated data replicated: every node of the data namespace gets a
suffix per copy, so it has the same shape mix (actors, activities, participations, figures)
as the real data; the ontology and vocabularies stay single. Figures are printed as seconds and
as ratios to the curated run measured in the same process.

    python -m bench validate_bench [copies]
"""

from __future__ import annotations

import resource
import sys
import time

from rdflib import Graph, URIRef

from miggraph.build import load
from miggraph.project import MGD, find_project
from miggraph.validate import load_shapes, validate_graph


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


def timed_validation(graph: Graph, shapes: Graph) -> tuple[float, int]:
    started = time.perf_counter()
    report = validate_graph(graph, shapes)
    return time.perf_counter() - started, len(report.violations)


def main(copies: int = 100) -> None:
    project = find_project()
    shapes = load_shapes(project.shapes)
    curated = load(project).graph
    base_seconds, base_violations = timed_validation(curated, shapes)
    print(f"curated: {len(curated):>9,} triples  {base_seconds:7.2f} s  violations {base_violations}")
    big = replicate(curated, copies)
    seconds, violations = timed_validation(big, shapes)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"x{copies}:    {len(big):>9,} triples  {seconds:7.2f} s  violations {violations}  "
          f"(time ratio {seconds / base_seconds:.0f}x for {len(big) / len(curated):.0f}x the triples; "
          f"peak RSS {peak_mb:,.0f} MB)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
