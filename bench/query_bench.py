"""Competency questions at 100k and 1M triples, on the store `miggraph query` uses.

For seeded synthetic graphs (`miggraph.graph.synth`, seed 42) of about 100 thousand and 1 million
triples, with the build's summaries derived on them (`build.summarise`, as `miggraph build` does),
measures in one run:

- what the summaries cost: the summary rules' time against the whole build of the curated data
  (with and without them) and against loading each synthetic graph;
- every question's median (after a warm-up) on the store `miggraph query` uses (one question
  per process: the on-disk copy under `dist/cache/`, opened read-only), on pyoxigraph in memory
  (where a session of several questions in one process moves once the graph is loaded: see
  `sparql/embedded.py`), and on rdflib as the baseline where it finishes within its cap (it runs
  in a worker process that is stopped and started again when a question takes too long; a
  question over the cap at one size is not asked at the next);
- a session of every question once, as the command line sees it: on-disk copy (open, then
  ask), in memory (load, then ask) and a warm Oxigraph server (`miggraph serve`, over HTTP).

The line before the last says the same for the graph in memory; the last line is
`N of M questions under 100 ms at 1M; slowest NAME X ms`, on the store `miggraph query` uses.

    python -m bench query_bench
    MIGGRAPH_BENCH_SIZES=100000 python -m bench query_bench
"""

from __future__ import annotations

import multiprocessing as mp
import os
import socket
import statistics
import tempfile
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph

from miggraph.graph import build, synth
from miggraph.project import built_name, find_project
from miggraph.sparql import library as query_mod
from miggraph.sparql import server
from miggraph.sparql.embedded import embedded
from miggraph.sparql.params import bind
from miggraph.sparql.remote import Remote
from miggraph.vocab import QUERY_PREFIXES

REPEATS = 5
BUDGET_S = 5.0  # per question and store: fewer repeats when one run is slow
RDFLIB_CAP_S = {"100k": 10.0, "1M": 5.0}
TARGET_MS = 100.0


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def median_time(work: Callable[[], object]) -> float:
    """Median of up to REPEATS runs after one warm-up run (which counts only when slow)."""
    times = [timed(work)]
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
    """An rdflib graph in a worker process; a question over the cap is stopped."""

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
        """Seconds for one run, None over the cap (the worker is restarted), or rdflib's error."""
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
        while len(times) < 3 and sum(times) < self.cap:
            elapsed = self.run(text)
            if elapsed is None or isinstance(elapsed, str):
                return elapsed
            times.append(elapsed)
        return statistics.median(times)

    def close(self) -> None:
        self.conn.send(None)
        self.process.join(timeout=10)


# ---------------------------------------------------------------- the graphs

def build_cost(workdir: Path) -> tuple[Path, float, float]:
    """Build the curated data with and without the summaries (median of 3 each); return the
    folder of a build without them (the base of the synthetic graphs) and both times."""
    project = find_project()
    plain, full = workdir / "curated-plain", workdir / "curated"
    without = statistics.median(timed(lambda: build.build(project, out=plain, summaries=False))
                                for _ in range(3))
    with_summaries = statistics.median(timed(lambda: build.build(project, out=full))
                                       for _ in range(3))
    return plain / built_name("nt"), without, with_summaries


def synthetic(workdir: Path, size: int, base_nt: Path) -> tuple[Path, float, float]:
    """A synthetic graph of about `size` triples with its summaries, as a dist folder; return
    it, the seconds the summary rules took on it and the seconds pyoxigraph took to load it."""
    folder = workdir / f"synth-{size}"
    synth.write(folder, size, base_nt)
    nt_file = folder / built_name("nt")
    load_s = timed(lambda: pyoxigraph.Store().bulk_load(path=nt_file, format=pyoxigraph.RdfFormat.N_TRIPLES))
    summarise_s = build.add_summaries(nt_file, build.summary_rules(find_project()))
    return folder, summarise_s, load_s


def label_of(size: int) -> str:
    return f"{size // 1000}k" if size < 1_000_000 else f"{size // 1_000_000}M"


def fmt(seconds: float | str | None, cap: float) -> str:
    if isinstance(seconds, str):
        return "fails"
    if seconds is None:
        return f"> {cap:g} s"
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


BUSIEST = """SELECT ?actor (COUNT(*) AS ?n) WHERE { ?p mg:agent ?actor } GROUP BY ?actor
ORDER BY DESC(?n) ?actor LIMIT 2"""


def cases(store: pyoxigraph.Store, queries: list[query_mod.NamedQuery]) -> list[tuple[str, str]]:
    """Every question with its defaults, and the dense parts: the questions about actors asked of
    the two actors with the most participations (connection-path only below a million triples:
    between the two busiest actors it runs for minutes there, see the README)."""
    first, second = (str(row[0]) for row in store.query(BUSIEST, prefixes=QUERY_PREFIXES))
    texts = {q.name: q.text for q in queries}
    dense = [("connection-path", {"from": [first], "to": [second]})] if len(store) < 1_000_000 else []
    dense += [("co-participation", {"actorA": [first], "actorB": [second]}),
             ("partners", {"actor": [first]}),
             ("actor-facts", {"actor": [first]})]
    return [(q.name, q.text) for q in queries] + [
        (f"{name} (busiest)", bind(texts[name], params)) for name, params in dense if name in texts]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ---------------------------------------------------------------- one size

def bench_size(label: str, dist: Path, queries: list[query_mod.NamedQuery],
               too_slow: set[str]) -> tuple[dict[str, float], dict[str, float]]:
    """Print the table for one graph; return each question's median on the on-disk copy and in
    memory. Questions in `too_slow` are not asked of rdflib; those over its cap are added."""
    nt_file = dist / built_name("nt")
    cache = dist / "cache"
    memory = pyoxigraph.Store()
    memory_load = timed(lambda: memory.bulk_load(path=nt_file, format=pyoxigraph.RdfFormat.N_TRIPLES))
    disk_first = timed(lambda: embedded(dist, cache=cache))
    disk_open = statistics.median(timed(lambda: embedded(dist, cache=cache)) for _ in range(5))
    disk = embedded(dist, cache=cache)
    cap = RDFLIB_CAP_S.get(label, 10.0)
    rdflib = RdflibRunner(nt_file, cap)
    print(f"\n## {label}: {len(memory)} triples", flush=True)
    print(f"load: pyoxigraph in memory {memory_load:.2f} s; on-disk copy {disk_first:.2f} s the "
          f"first time, then opened in {disk_open * 1000:.0f} ms; rdflib {rdflib.load_s:.2f} s",
          flush=True)
    print("\n| question | rows | `miggraph query` store (on disk) | pyoxigraph in memory | rdflib "
          "| rdflib / in memory |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |", flush=True)
    medians: dict[str, float] = {}
    in_memory_medians: dict[str, float] = {}
    asked = cases(memory, queries)
    for name, text in asked:
        rows = consume(memory, text)
        in_memory = median_time(lambda text=text: consume(memory, text))
        on_disk = median_time(lambda text=text: consume(disk, text))
        baseline = None if name in too_slow else rdflib.median(text)
        if baseline is None:
            too_slow.add(name)
        medians[name] = on_disk
        in_memory_medians[name] = in_memory
        if isinstance(baseline, str):
            ratio = "n/a"
        elif baseline is None:
            ratio = f"> {cap / in_memory:.0f}x"
        else:
            ratio = f"{baseline / in_memory:.0f}x"
        print(f"| {name} | {rows} | {fmt(on_disk, cap)} | {fmt(in_memory, cap)} | "
              f"{fmt(baseline, cap)} | {ratio} |", flush=True)
    rdflib.close()
    library = [(q.name, q.text) for q in queries]
    session(label, dist, library, disk_open + sum(medians[name] for name, _ in library),
            memory_load + sum(in_memory_medians[name] for name, _ in library))
    return medians, in_memory_medians


def session(label: str, dist: Path, asked: list[tuple[str, str]], disk_s: float,
            memory_s: float) -> None:
    """A session of every question once: open the on-disk copy or load into memory or ask a
    warm server (whose start is paid once per session, not per question)."""
    nt_file = dist / built_name("nt")
    port = free_port()
    started = time.perf_counter()
    with server.running(nt_file, port=port, timeout_s=None) as (endpoint, _process):
        start_s = time.perf_counter() - started
        remote = Remote(endpoint.query)
        for _, text in asked:  # warm-up, as for the other stores
            remote.run(text)
        started = time.perf_counter()
        for _, text in asked:
            remote.run(text)
        remote_s = time.perf_counter() - started
    print(f"\nsession of {len(asked)} questions at {label}: on-disk copy {disk_s:.2f} s "
          f"(open + answers), in memory {memory_s:.2f} s (load + answers), warm server "
          f"{remote_s:.2f} s over HTTP after {start_s:.1f} s to start it", flush=True)


def main() -> None:
    project = find_project()
    queries = query_mod.library(project.queries)
    sizes = [int(s) for s in os.environ.get("MIGGRAPH_BENCH_SIZES", "100000,1000000").split(",")]
    with tempfile.TemporaryDirectory(prefix="miggraph-bench-") as folder:
        workdir = Path(folder)
        base_nt, without, with_summaries = build_cost(workdir)
        print(f"build of the curated data: {without:.2f} s without the summaries, "
              f"{with_summaries:.2f} s with them (+{(with_summaries / without - 1) * 100:.0f}%)",
              flush=True)
        last: dict[str, float] = {}
        last_memory: dict[str, float] = {}
        last_label = ""
        too_slow: set[str] = set()
        for size in sizes:
            dist, summarise_s, load_s = synthetic(workdir, size, base_nt)
            print(f"\nsummary rules on {label_of(size)}: {summarise_s:.2f} s "
                  f"(loading that graph into pyoxigraph: {load_s:.2f} s)", flush=True)
            last, last_memory = bench_size(label_of(size), dist, queries, too_slow)
            last_label = label_of(size)
        print()
        print(summary_line(last_memory, last_label) + " (in memory, a session's store)")
        print(summary_line(last, last_label), flush=True)


def summary_line(medians: dict[str, float], label: str) -> str:
    under = sum(1 for seconds in medians.values() if seconds * 1000 < TARGET_MS)
    slowest = max(medians, key=lambda name: medians[name])
    return (f"{under} of {len(medians)} questions under {TARGET_MS:.0f} ms at {label}; "
            f"slowest {slowest} {medians[slowest] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
