"""Competency questions: the embedded store (pyoxigraph) against rdflib's in-memory engine.

For the curated graph and seeded synthetic graphs of about 100 thousand and 1 million triples
(`miggraph.synth`), measures load times and the median latency of every query in `queries/`
on pyoxigraph in memory, on the on-disk store `miggraph query` uses, and on rdflib, all in the
same run, and prints the ratios. rdflib runs in a worker process so that a query that takes
too long can be stopped (shown as "> N s"); the worker is then started again.

    python -m bench query_bench                    # all three sizes
    MIGGRAPH_BENCH_SIZES=100000 python -m bench query_bench
"""

from __future__ import annotations

import multiprocessing as mp
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph

from miggraph.graph import build, synth
from miggraph.project import find_project
from miggraph.sparql import library as query_mod
from miggraph.sparql.embedded import embedded
from miggraph.vocab import QUERY_PREFIXES

REPEATS = 5
BUDGET_S = 10.0  # per query and engine: fewer repeats when one run is slow
RDFLIB_CAP_S = {"curated": 60.0, "100k": 30.0, "1M": 20.0}


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def median_time(work: Callable[[], object]) -> float:
    """Median of up to REPEATS runs, after one warm-up run that also counts when slow."""
    first = timed(work)
    times = [first]
    while len(times) < REPEATS and sum(times) < BUDGET_S:
        times.append(timed(work))
    return statistics.median(times[1:] if len(times) > 2 else times)


def consume(store: pyoxigraph.Store, text: str) -> int:
    answer = store.query(text, prefixes=QUERY_PREFIXES)
    if isinstance(answer, pyoxigraph.QueryBoolean):
        return 1
    return sum(1 for _ in answer)


# ---------------------------------------------------------------- the rdflib worker

def _rdflib_worker(nt_file: str, conn: Connection) -> None:
    from rdflib import Graph

    started = time.perf_counter()
    graph = Graph()
    graph.parse(nt_file, format="nt")
    conn.send(("loaded", time.perf_counter() - started))
    while True:
        text = conn.recv()
        if text is None:
            return
        started = time.perf_counter()
        try:
            rows = len(list(graph.query(text)))
        except Exception as exc:  # rdflib fails on some valid queries; report, do not die
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
            continue
        conn.send(("done", time.perf_counter() - started, rows))


class RdflibRunner:
    """An rdflib graph in a worker process; queries over the cap are stopped."""

    def __init__(self, nt_file: Path, cap: float) -> None:
        self.nt_file = nt_file
        self.cap = cap
        self.load_s = 0.0
        self._start()

    def _start(self) -> None:
        context = mp.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_rdflib_worker, args=(str(self.nt_file), child),
                                       daemon=True)
        self.process.start()
        _, self.load_s = self.conn.recv()

    def run(self, text: str) -> float | str | None:
        """Seconds for one run, None when it exceeded the cap (the worker is restarted), or
        rdflib's error message when it could not run the query."""
        self.conn.send(text)
        if self.conn.poll(self.cap):
            answer = self.conn.recv()
            return answer[1]
        self.process.kill()
        self.process.join()
        self._start()
        return None

    def median(self, text: str) -> float | str | None:
        times: list[float] = []
        while len(times) < REPEATS and sum(times) < BUDGET_S:
            elapsed = self.run(text)
            if elapsed is None or isinstance(elapsed, str):
                return elapsed
            times.append(elapsed)
        return statistics.median(times)

    def close(self) -> None:
        self.conn.send(None)
        self.process.join(timeout=10)


# ---------------------------------------------------------------- the benchmark

def graphs(workdir: Path) -> list[tuple[str, Path]]:
    """The curated build and the synthetic graphs, as dist folders."""
    project = find_project()
    curated = workdir / "curated"
    build.build(project, out=curated)
    sizes = [int(s) for s in os.environ.get("MIGGRAPH_BENCH_SIZES", "100000,1000000").split(",")]
    folders = [("curated", curated)]
    for size in sizes:
        folder = workdir / f"synth-{size}"
        synth.write(folder, size, curated / "miggraph.nt")
        folders.append((f"{size // 1000}k" if size < 1_000_000 else f"{size // 1_000_000}M",
                        folder))
    return folders


def fmt(seconds: float | str | None, cap: float) -> str:
    if isinstance(seconds, str):
        return "fails"
    if seconds is None:
        return f"> {cap:g} s"
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def bench_size(label: str, dist: Path, queries: list[query_mod.NamedQuery]) -> None:
    nt_file = dist / "miggraph.nt"
    memory = pyoxigraph.Store()
    memory_load = timed(lambda: memory.bulk_load(path=nt_file,
                                                 format=pyoxigraph.RdfFormat.N_TRIPLES))
    cache = dist / ".miggraph"
    disk_load = timed(lambda: embedded(dist, cache=cache))
    disk = embedded(dist, cache=cache)
    reopen = timed(lambda: embedded(dist, cache=cache))
    cap = RDFLIB_CAP_S.get(label, 60.0)
    rdflib = RdflibRunner(nt_file, cap)
    print(f"\n## {label}: {len(memory)} triples", flush=True)
    print(f"load: pyoxigraph in memory {memory_load:.2f} s, on disk {disk_load:.2f} s "
          f"(reopen {reopen * 1000:.0f} ms), rdflib {rdflib.load_s:.2f} s "
          f"(ratio {rdflib.load_s / memory_load:.0f}x)", flush=True)
    print("| query | rows | oxigraph memory | oxigraph disk | rdflib | rdflib / memory |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |", flush=True)
    for q in queries:
        rows = consume(memory, q.text)
        in_memory = median_time(lambda q=q: consume(memory, q.text))
        on_disk = median_time(lambda q=q: consume(disk, q.text))
        baseline = rdflib.median(q.text)
        if isinstance(baseline, str):
            ratio = "n/a"
        elif baseline is None:
            ratio = f"> {cap / in_memory:.0f}x"
        else:
            ratio = f"{baseline / in_memory:.0f}x"
        print(f"| {q.name} | {rows} | {fmt(in_memory, cap)} | {fmt(on_disk, cap)} | "
              f"{fmt(baseline, cap)} | {ratio} |", flush=True)
    rdflib.close()


def main() -> None:
    project = find_project()
    queries = query_mod.library(project.queries)
    with tempfile.TemporaryDirectory(prefix="miggraph-bench-") as folder:
        for label, dist in graphs(Path(folder)):
            bench_size(label, dist, queries)


if __name__ == "__main__":
    main()
