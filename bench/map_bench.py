"""How maps and metrics scale: 1,000 and 10,000-node networks, written and opened in Chromium.

The networks are seeded random partition graphs (communities of 10 to 150 nodes, about 2.5
edges per node, like the 12.8 k-node projection of DESIGN.md section 5) carrying the attributes
`miggraph.network` gives real views: labels (some Chinese), kind, group, side, themes, years
and source citations on every node and edge. For each size it prints:

- metric times (PageRank, Louvain, betweenness: exact up to 2,000 nodes, sampled above),
  as ratios to building the networkx graph, the baseline measured in the same run;
- layout and write times and the file size;
- the time headless Chromium takes to open the map (from navigation to the first drawing, as
  the page itself records it), as a ratio to an empty map with the same inlined vis-network;
- the time one filter takes (hide a side, redraw) on the open map.

It also opens the 1,000-node map with vis-network's default physics and no positions (what
pyvis does by default) and reports when that settles, capped at 90 s.

    python -m bench map_bench            (or: make bench)
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from pathlib import Path

import networkx as nx
from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from miggraph import network
from miggraph.network import maps

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-quic"]
SIZES = (1000, 10000)
KINDS = [("ministry", "actor"), ("embassy", "actor"), ("NGO", "actor"),
         ("intergovernmental organisation", "actor"), ("group of actors", "actor"),
         ("workshop", "activity"), ("exchange visit", "activity"), ("law", "instrument"),
         ("agreement", "instrument"), ("city", "place"), ("country", "place")]
SIDES = ["EU", "China", "international", "other", ""]
THEMES = ["trafficking in human beings", "return and readmission", "visas and borders",
          "tourism", "labour migration", "migrants and cities"]


def synthetic(n: int, seed: int = 7) -> nx.Graph:
    """A seeded network of about `n` nodes with communities and miggraph's attributes."""
    rng = random.Random(seed)
    sizes: list[int] = []
    while sum(sizes) < n:
        sizes.append(min(rng.randint(10, 150), n - sum(sizes)))
    raw = nx.random_partition_graph(sizes, 0.0, 0.0, seed=seed)
    graph = nx.Graph(name=f"synthetic-{n}")
    for node in raw:
        kind, group = rng.choice(KINDS)
        years = [str(rng.randint(2010, 2016))]
        graph.add_node(f"n{node}", label=f"Actor {node} of {kind}",
                       label_zh=f"行为者{node}" if node % 5 == 0 else "", kind=kind, group=group,
                       side=rng.choice(SIDES), status="", date="", description="",
                       sources=[f"Section {rng.randint(1, 40)} (p. {rng.randint(1, 8)})"],
                       themes=rng.sample(THEMES, 2), years=years)
    start = 0
    for size in sizes:
        members = list(range(start, start + size))
        for u in members:
            inside = rng.sample(members, min(3, size - 1))
            targets = [v for v in inside if v != u][:2]
            if rng.random() < 0.25:
                targets.append(rng.randrange(sum(sizes)))
            for v in targets:
                if v != u:
                    graph.add_edge(f"n{u}", f"n{v}", kind="co-participation",
                                   weight=float(rng.randint(1, 3)), label=f"Activity {u}-{v}",
                                   sources=[f"Section {rng.randint(1, 40)} (p. 3)"],
                                   themes=[rng.choice(THEMES)], years=["2015"], **{"from": f"n{u}"})
        start += size
    return graph


def timed(function, *args, **kwargs):
    """Seconds a call takes, and its result."""
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def open_ms(page: Page, path: Path) -> tuple[float, float]:
    """Milliseconds from navigation to the map's first drawing (its laid-out nodes) and to
    the complete map (edges in and drawn), as the page measured them."""
    page.goto(path.as_uri(), timeout=120_000)
    page.wait_for_function("document.body.dataset.readyMs !== undefined", timeout=120_000)
    first, ready = page.evaluate("[document.body.dataset.openedMs, document.body.dataset.readyMs]")
    return float(first), float(ready)


def filter_ms(page: Page) -> float:
    """Milliseconds to hide one side with the filter and redraw."""
    return float(page.evaluate("""(() => {
        const t = performance.now();
        document.querySelector('input[data-facet="side"][value="China"]').checked = false;
        window.miggraph.applyFilters();
        window.miggraph.network.redraw();
        return performance.now() - t;
    })()"""))


PHYSICS_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><script>%s</script></head>
<body style="margin:0"><div id="net" style="width:1280px;height:800px"></div><script>
var network = new vis.Network(document.getElementById("net"), {}, {});
network.on("stabilized", function () {
  if (!document.body.dataset.settledMs) {
    document.body.dataset.settledMs = Math.round(performance.now());
  }
});
network.setData({nodes: new vis.DataSet(%s), edges: new vis.DataSet(%s)});
</script></body></html>"""


def physics_settle_s(page: Page, graph: nx.Graph, metrics: network.Metrics, folder: Path) -> str:
    """Seconds until vis-network's default physics (pyvis's default) settles the same nodes and
    edges given no positions; "not settled" past 90 s."""
    nodes, edges, _ = maps.vis_data(graph, metrics)
    for node in nodes:
        del node["x"], node["y"]
    vis_js = (maps.PYVIS_TEMPLATES / maps.VIS_JS).read_text(encoding="utf-8")
    page_path = folder / "physics.html"
    page_path.write_text(PHYSICS_PAGE % (vis_js, json.dumps(nodes), json.dumps(edges)),
                         encoding="utf-8")
    page.goto(page_path.as_uri())
    try:
        page.wait_for_function("document.body.dataset.settledMs !== undefined", timeout=90_000)
    except PlaywrightTimeout:
        return "> 90 s (not settled)"
    return f"{float(page.evaluate('document.body.dataset.settledMs')) / 1000:.1f} s"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        work = Path(folder)
        context = playwright.chromium.launch_persistent_context(
            str(work / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
            offline=True, viewport={"width": 1280, "height": 800})
        page = context.new_page()
        empty = maps.write_map(nx.Graph(name="empty"), work / "empty.html", "empty")
        open_ms(page, empty)  # warm the browser's caches once
        base_ms = min(open_ms(page, empty)[1] for _ in range(3))
        print(f"empty map (baseline): opens in {base_ms:.0f} ms, "
              f"{empty.stat().st_size / 1e6:.2f} MB")
        for n in SIZES:
            build_s, graph = timed(synthetic, n)
            pr_s, _ = timed(nx.pagerank, graph, weight="weight")
            louvain_s, _ = timed(network.communities, graph)
            metrics_s, metrics = timed(network.measure, graph)
            rank = {k: v["pagerank"] for k, v in metrics.nodes.items()}
            community = {k: v["community"] for k, v in metrics.nodes.items()}
            layout_s, _ = timed(maps.layout, graph, community, rank)
            out = work / f"map-{n}.html"
            write_s, _ = timed(maps.write_map, graph, out, "bench", metrics=metrics)
            runs = sorted(open_ms(page, out) for _ in range(3))
            first, ready = runs[0], runs[1]
            drawn = page.evaluate("document.body.dataset.drawnNodes")
            filtered = filter_ms(page)
            print(f"{graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges "
                  f"(graph built in {build_s:.2f} s, the metrics' baseline):")
            print(f"  metrics: all {metrics_s:.2f} s ({metrics_s / build_s:.1f}x); PageRank "
                  f"{pr_s:.2f} s ({pr_s / build_s:.1f}x); Louvain {louvain_s:.2f} s "
                  f"({louvain_s / build_s:.1f}x); betweenness "
                  f"{'exact' if metrics.summary['betweenness_exact'] else 'sampled'}")
            print(f"  map: layout {layout_s:.2f} s, layout+render+write {write_s:.2f} s, "
                  f"{out.stat().st_size / 1e6:.1f} MB")
            print(f"  Chromium: nodes drawn in {first[0]:.0f} ms, complete in {first[1]:.0f} ms "
                  f"(best of 3; median run {ready[0]:.0f} / {ready[1]:.0f} ms; "
                  f"{first[1] / base_ms:.1f}x the empty map), drew {drawn} nodes; "
                  f"a side filter takes {filtered:.0f} ms")
            if n == 1000:
                settle = physics_settle_s(page, graph, metrics, work)
                print(f"  default physics, no positions (pyvis's default): settles in {settle}")
        context.close()


if __name__ == "__main__":
    main()
