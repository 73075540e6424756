"""How maps scale: today's map code against the code of commit 7b28d59 (before issue 11), on
the same network, written and opened in the same headless Chromium, in one run.

The network is the `participation` view (actors, held activities, places) of a seeded
`miggraph.graph.synth` graph: realistic class shares, heavy-tailed participation with hubs,
about 10,000 nodes and 22,000 edges at the default size (MIGGRAPH_MAP_BENCH_TRIPLES, default
400,000 triples). It is projected once and pickled; then

- the new code writes the map (`maps.write_map` with no metrics given: what `miggraph map`
  does after projecting: metrics, layout, page), first call and best of three;
- the old code does the same in a subprocess that imports `miggraph` from
  `git archive 7b28d59 src/miggraph` unpacked in a temporary folder (the old package
  imports nothing from the new one), the same pickled graph in, the same measure;
- Chromium opens each map three times: "first view" is when the page first drew (the page
  records it: nodes for the old map, the community overview for the new one), "complete"
  when the edges are in and, in the new map, the labels placed and every control live.
  Both as milliseconds from navigation, and as ratios to an empty map of the same code.

    python -m bench map_bench            (or: make bench)
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

import networkx as nx
from playwright.sync_api import Page, sync_playwright

from miggraph.graph import build, synth
from miggraph.network import maps, views
from miggraph.project import Project
from miggraph.sparql.embedded import embedded

ROOT = Path(__file__).resolve().parents[1]
OLD_COMMIT = "7b28d59"
TRIPLES = int(os.environ.get("MIGGRAPH_MAP_BENCH_TRIPLES", "400000"))
VIEW = "participation"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-quic"]

OLD_WRITER = """
import pickle, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from miggraph import maps
assert maps.__file__.startswith(sys.argv[1]), maps.__file__
import networkx as nx
maps.write_map(nx.Graph(name="empty"), Path(sys.argv[4]), "empty")
graph = pickle.loads(Path(sys.argv[2]).read_bytes())
times = []
for _ in range(3):
    started = time.perf_counter()
    maps.write_map(graph, Path(sys.argv[3]), "old")
    times.append(time.perf_counter() - started)
print(times[0], min(times))
"""


def old_package(folder: Path) -> Path:
    """`src/miggraph` as it was at OLD_COMMIT, unpacked under `folder`; returns its src/."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", OLD_COMMIT, "src/miggraph"],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder / "src"


def network(work: Path) -> nx.Graph:
    """The participation view of a seeded synthetic graph of about TRIPLES triples."""
    curated = work / "curated"
    build.build(Project(ROOT), out=curated)
    synth.write(work / "synth", TRIPLES, curated / "miggraph.nt", seed=42)
    return views.project_view(embedded(work / "synth"), Project(ROOT), VIEW)


def open_ms(page: Page, path: Path) -> tuple[float, float]:
    """Milliseconds from navigation to the map's first drawing and to the complete map."""
    page.goto(path.as_uri(), timeout=180_000)
    page.wait_for_function("document.body.dataset.readyMs !== undefined", timeout=180_000)
    first, ready = page.evaluate("[document.body.dataset.openedMs, document.body.dataset.readyMs]")
    return float(first), float(ready)


def best_of_three(page: Page, path: Path) -> tuple[float, float]:
    runs = [open_ms(page, path) for _ in range(3)]
    return min(r[0] for r in runs), min(r[1] for r in runs)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        work = Path(folder)
        started = time.perf_counter()
        graph = network(work)
        print(f"{VIEW} view of synth at {TRIPLES:,} triples: {graph.number_of_nodes():,} nodes, "
              f"{graph.number_of_edges():,} edges (made in {time.perf_counter() - started:.0f} s)")
        pickled = work / "graph.pickle"
        pickled.write_bytes(pickle.dumps(graph))

        new_out, old_out = work / "new.html", work / "old.html"
        new_empty, old_empty = work / "new-empty.html", work / "old-empty.html"
        maps.write_map(nx.Graph(name="empty"), new_empty, "empty")
        new_times = []
        for _ in range(3):
            started = time.perf_counter()
            maps.write_map(graph, new_out, "new")
            new_times.append(time.perf_counter() - started)
        done = subprocess.run([sys.executable, "-c", OLD_WRITER, str(old_package(work / "old")),
                               str(pickled), str(old_out), str(old_empty)],
                              capture_output=True, text=True, check=True)
        old_first, old_best = (float(x) for x in done.stdout.split())

        context = playwright.chromium.launch_persistent_context(
            str(work / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
            offline=True, viewport={"width": 1280, "height": 800})
        page = context.new_page()
        open_ms(page, new_empty)  # warm the browser's caches once
        base = {"old": best_of_three(page, old_empty)[1], "new": best_of_three(page, new_empty)[1]}
        opened = {"old": best_of_three(page, old_out), "new": best_of_three(page, new_out)}
        drawn = page.evaluate("document.body.dataset.drawnNodes")
        context.close()

        size = {"old": old_out.stat().st_size / 1e6, "new": new_out.stat().st_size / 1e6}
        print(f"{'':28}{'old (' + OLD_COMMIT + ')':>16}{'new':>12}{'new/old':>10}")
        rows = [("map written, first call (s)", old_first, new_times[0]),
                ("map written, best of 3 (s)", old_best, min(new_times)),
                ("file size (MB)", size["old"], size["new"]),
                ("first view drawn (ms)", opened["old"][0], opened["new"][0]),
                ("complete, interactive (ms)", opened["old"][1], opened["new"][1]),
                ("  x the empty map", opened["old"][1] / base["old"], opened["new"][1] / base["new"])]
        for name, old, new in rows:
            print(f"  {name:<26}{old:>16.2f}{new:>12.2f}{new / old:>10.2f}")
        print(f"  load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"  the new map's first view drew {drawn} nodes (communities, and the ones opened); "
              f"targets: written < 1 s, first view < 1,000 ms, interactive < 2,000 ms")


if __name__ == "__main__":
    main()
