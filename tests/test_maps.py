"""Maps in a real browser: headless Chromium opens each map file with networking disabled and the
page itself says what it drew, what a filter hides and what a tooltip shows.

Chromium is Debian's (`/usr/bin/chromium`, installed by .ci/run), driven by Playwright; nothing
is downloaded. Without CI these tests skip only when that browser is missing; in CI they run.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from miggraph import network
from miggraph.cli import main
from miggraph.graph import model
from miggraph.network import maps
from miggraph.project import Project
from miggraph.sparql.embedded import embedded
from miggraph.vocab import MGD

# `make docs` sets MIGGRAPH_SCREENSHOT to docs/map.png; tests alone write to a temporary file.
SCREENSHOT = Path(os.environ.get("MIGGRAPH_SCREENSHOT") or tempfile.mkdtemp() + "/map.png")
OFFICE = str(MGD["iom-liaison-office-china"])

from browser import offline_browser, open_page  # noqa: E402 - skips the module without Chromium
from playwright.sync_api import BrowserContext, Page  # noqa: E402


@pytest.fixture(scope="module")
def graphs(dist: Path, project: Project) -> dict[str, nx.Graph]:
    store = embedded(dist)
    return {name: network.project_view(store, project, name) for name in network.list_views(project)}


@pytest.fixture(scope="module")
def map_files(project: Project, dist: Path, tmp_path_factory: pytest.TempPathFactory
              ) -> dict[str, Path]:
    """Every view's map, written by the real command line."""
    out = tmp_path_factory.mktemp("maps")
    assert main(["--quiet", "--project", str(project.root), "map", "--all",
                 "--dist", str(dist), "--out", str(out)]) == 0
    return {path.stem: path for path in sorted(out.glob("*.html"))}


@pytest.fixture(scope="module")
def planned_maps(project: Project, dist: Path, tmp_path_factory: pytest.TempPathFactory
                 ) -> dict[str, Path]:
    """The co-participation and participation maps with planned activities, by the command line."""
    out = tmp_path_factory.mktemp("planned-maps")
    for name in ("coparticipation", "participation"):
        assert main(["--quiet", "--project", str(project.root), "map", "--view", name, "--include-planned",
                     "--dist", str(dist), "--out", str(out / f"{name}.html")]) == 0
    return {path.stem: path for path in sorted(out.glob("*.html"))}


@pytest.fixture(scope="module")
def planned_graphs(dist: Path, project: Project) -> dict[str, nx.Graph]:
    store = embedded(dist)
    return {name: network.project_view(store, project, name, include_planned=True)
            for name in ("coparticipation", "participation")}


@pytest.fixture(scope="module")
def browser() -> Iterator[tuple[BrowserContext, list[str]]]:
    """One offline Chromium for the module; requests that are not files are refused."""
    with offline_browser() as opened:
        yield opened


def open_map(context: BrowserContext, path: Path) -> tuple[Page, list[str]]:
    return open_page(context, path, "document.body.dataset.readyMs !== undefined")


def drawn(page: Page) -> tuple[int, int]:
    page.evaluate("window.miggraph.network.redraw()")
    counts = page.evaluate("[document.body.dataset.drawnNodes, document.body.dataset.drawnEdges]")
    return int(counts[0]), int(counts[1])


def test_each_map_draws_every_node_and_edge_offline(
        browser: tuple[BrowserContext, list[str]], map_files: dict[str, Path],
        graphs: dict[str, nx.Graph]) -> None:
    context, refused = browser
    assert set(map_files) == set(graphs)
    for name, path in map_files.items():
        page, errors = open_map(context, path)
        graph = graphs[name]
        assert drawn(page) == (graph.number_of_nodes(), graph.number_of_edges()), name
        assert page.evaluate("window.miggraph.network.physics.physicsEnabled") is False
        titles = page.evaluate("""[
            window.miggraph.nodes.get().map(n => n.title),
            window.miggraph.edges.get().map(e => e.title)]""")
        assert all("Sources:" in t for t in titles[0] + titles[1]), name
        assert errors == [], name
        page.close()
    assert refused == []


def side_pixels(page: Page, colours: list[str]) -> dict[str, int]:
    """How many pixels of the map's canvas have each colour (exactly, as drawn)."""
    return page.evaluate("""(colours) => {
        const canvas = document.querySelector("#network canvas");
        const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        const wanted = new Map(colours.map(c => [c.toLowerCase(), 0]));
        const hex = v => v.toString(16).padStart(2, "0");
        for (let i = 0; i < data.length; i += 4) {
            const key = "#" + hex(data[i]) + hex(data[i + 1]) + hex(data[i + 2]);
            if (wanted.has(key)) { wanted.set(key, wanted.get(key) + 1); }
        }
        return Object.fromEntries(wanted);
    }""", colours)


def test_main_map_screenshot_shows_every_side_and_the_central_labels(
        browser: tuple[BrowserContext, list[str]], map_files: dict[str, Path],
        graphs: dict[str, nx.Graph], project: Project) -> None:
    """The screenshot in the README: the canvas holds each side's fill, and the labels of the
    most central actors are drawn, with their acronyms."""
    context, _ = browser
    page, _ = open_map(context, map_files[network.DEFAULT_VIEW])
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    sides = {s.label: s.colour for s in model.load(project.ontology).sides.values()}
    drawn_sides = {d["side"] for _, d in graphs[network.DEFAULT_VIEW].nodes(data=True)}
    assert drawn_sides == set(sides)
    pixels = side_pixels(page, list(sides.values()))
    assert all(pixels[colour.lower()] > 100 for colour in sides.values()), pixels
    labelled = {box["id"]: box for box in page.evaluate("window.miggraph.labelBoxes()")}
    labels = page.evaluate("Object.fromEntries(window.miggraph.nodes.get().map(n => [n.id, n.label]))")
    assert labels[str(MGD["mps"])] == "MPS"
    metrics = network.measure(graphs[network.DEFAULT_VIEW])
    top = sorted(metrics.nodes, key=lambda n: -metrics.nodes[n]["pagerank"])[:3]
    assert set(top) <= set(labelled)
    page.close()


def test_side_filter_hides_that_side_and_its_edges(browser: tuple[BrowserContext, list[str]],
                                                    map_files: dict[str, Path],
                                                    graphs: dict[str, nx.Graph]) -> None:
    context, _ = browser
    graph = graphs["coparticipation"]
    china = {n for n, d in graph.nodes(data=True) if d["side"] == "China"}
    assert china
    kept_edges = [e for e in graph.edges if not set(e) & china]
    page, _ = open_map(context, map_files["coparticipation"])
    page.locator('input[data-facet="side"][value="China"]').uncheck()
    assert drawn(page) == (graph.number_of_nodes() - len(china), len(kept_edges))
    page.locator('input[data-facet="side"][value="China"]').check()
    assert drawn(page) == (graph.number_of_nodes(), graph.number_of_edges())
    page.close()


def test_year_slider_keeps_only_that_years_items(browser: tuple[BrowserContext, list[str]],
                                                  planned_maps: dict[str, Path],
                                                  planned_graphs: dict[str, nx.Graph]) -> None:
    context, _ = browser
    graph = planned_graphs["participation"]
    years = sorted({int(y) for _, d in graph.nodes(data=True) for y in d["years"]})
    assert years[0] < 2016 <= years[-1]
    page, errors = open_map(context, planned_maps["participation"])
    for slider in ("#year-from", "#year-to"):
        page.eval_on_selector(slider, "(el) => { el.value = 2016; el.dispatchEvent(new Event('input')); }")
    assert page.inner_text("#year-range") == "2016 – 2016"
    shown = set(page.evaluate("window.miggraph.nodes.getIds({filter: n => !n.hidden})"))
    expected = {n for n, d in graph.nodes(data=True) if not d["years"] or "2016" in d["years"]}
    assert shown == expected
    assert str(MGD["policy-seminar-migrants-cities-2016"]) in shown
    assert str(MGD["return-workshop-2015"]) not in shown
    assert drawn(page)[0] == len(shown)
    assert errors == []
    page.close()


def test_maps_leave_plans_out_unless_asked(map_files: dict[str, Path],
                                           graphs: dict[str, nx.Graph]) -> None:
    assert str(MGD["policy-seminar-migrants-cities-2016"]) not in graphs["participation"]
    assert '"dashes": true' not in map_files["coparticipation"].read_text(encoding="utf-8")


def test_planned_edges_are_dashed_and_the_status_filter_hides_them(
        browser: tuple[BrowserContext, list[str]], planned_maps: dict[str, Path],
        planned_graphs: dict[str, nx.Graph]) -> None:
    context, _ = browser
    graph = planned_graphs["coparticipation"]
    planned_only = {frozenset((u, v)) for u, v, d in graph.edges(data=True) if d["statuses"] == ["planned"]}
    assert planned_only
    page, errors = open_map(context, planned_maps["coparticipation"])
    dashed = page.evaluate("window.miggraph.edges.get({filter: e => e.dashes}).map(e => [e.from, e.to])")
    assert {frozenset(pair) for pair in dashed} == planned_only
    assert drawn(page) == (graph.number_of_nodes(), graph.number_of_edges())
    page.locator('input[data-facet="status"][value="planned"]').uncheck()
    assert drawn(page)[1] == graph.number_of_edges() - len(planned_only)
    page.locator('input[data-facet="status"][value="held"]').uncheck()
    assert drawn(page)[1] == 0
    assert errors == []
    page.close()


def test_node_tooltip_names_its_facts_and_source(browser: tuple[BrowserContext, list[str]],
                                                 map_files: dict[str, Path]) -> None:
    context, _ = browser
    page, _ = open_map(context, map_files["coparticipation"])
    # Leave only the country offices (one node) on the map, so no neighbour sits under the mouse.
    page.click('a[data-none="kind"]')
    page.locator('input[data-facet="kind"][value="country office"]').check()
    assert drawn(page) == (1, 0)
    page.evaluate(f"window.miggraph.network.focus({OFFICE!r}, {{scale: 1.5, animation: false}})")
    x, y = page.evaluate(f"""(() => {{
        const net = window.miggraph.network;
        const p = net.canvasToDOM(net.getPositions([{OFFICE!r}])[{OFFICE!r}]);
        const box = document.getElementById("network").getBoundingClientRect();
        return [box.left + p.x, box.top + p.y];
    }})()""")
    page.mouse.move(x - 20, y - 20)
    page.mouse.move(x, y)
    tooltip = page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible")
    text = tooltip.inner_text()
    assert text.startswith("IOM Liaison Office in China\n国际移民组织驻华联络处")
    assert "country office · side: international" in text
    assert "Contact details of the IOM and ILO offices (p. 8)" in text
    page.close()


def test_search_finds_chinese_names_and_selects_them(browser: tuple[BrowserContext, list[str]],
                                                     map_files: dict[str, Path]) -> None:
    context, _ = browser
    page, _ = open_map(context, map_files["coparticipation"])
    page.fill("#search", "国际移民组织")
    page.press("#search", "Enter")
    assert page.evaluate("window.miggraph.network.getSelectedNodes()") == [OFFICE]
    assert page.inner_text("#found") == "1 found and selected"
    page.close()


def test_search_finds_acronyms_and_whole_names_first(browser: tuple[BrowserContext, list[str]],
                                                     map_files: dict[str, Path]) -> None:
    context, _ = browser
    page, _ = open_map(context, map_files["coparticipation"])
    for query, expected in (("MPS", ["mps"]), ("mps", ["mps"]), ("BEEA", ["mps-beea"]),
                            ("Ministry of Public Security", ["mps"]),
                            ("ministry of", ["mfa-china", "mps", "mps-beea"])):
        page.fill("#search", query)
        page.press("#search", "Enter")
        selected = sorted(page.evaluate("window.miggraph.network.getSelectedNodes()"))
        assert selected == sorted(str(MGD[slug]) for slug in expected), query
        assert page.inner_text("#found") == f"{len(expected)} found and selected"
    page.close()


def overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    return [(a["id"], b["id"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a["left"] < b["right"] and b["left"] < a["right"]
            and a["top"] < b["bottom"] and b["top"] < a["bottom"]]


def assert_labels_fit(page: Page) -> list[dict]:
    """The drawn label boxes: none overlaps another, a node's shape or the panel's edge."""
    boxes = page.evaluate("window.miggraph.labelBoxes()")
    shapes = page.evaluate("window.miggraph.shapeBoxes()")
    width, height = page.evaluate("[document.getElementById('network').clientWidth, "
                                  "document.getElementById('network').clientHeight]")
    assert overlapping(boxes) == []
    for box in boxes:
        assert 0 <= box["left"] < box["right"] <= width, box
        assert 0 <= box["top"] < box["bottom"] <= height, box
        assert [s["id"] for s in shapes if s["id"] != box["id"] and overlapping([box, s])] == [], box
    return boxes


def test_labels_never_overlap_and_zooming_in_shows_more(browser: tuple[BrowserContext, list[str]],
                                                         map_files: dict[str, Path]) -> None:
    context, _ = browser
    for name, path in map_files.items():
        page, errors = open_map(context, path)
        first = assert_labels_fit(page)
        assert len(first) >= 10, name
        heights = {round(b["bottom"] - b["top"]) for b in first}
        assert min(heights) >= 14, (name, heights)  # readable: 14 px text at the initial zoom
        page.evaluate("""new Promise(done => {
            const net = window.miggraph.network;
            net.moveTo({scale: net.getScale() * 2.5, animation: false});
            window.miggraph.placeLabels(done);
        })""")
        zoomed = assert_labels_fit(page)
        assert {b["id"] for b in zoomed} - {b["id"] for b in first}, name
        assert errors == [], name
        page.close()


def test_every_kind_has_its_own_shape_and_outline_and_every_side_its_fill(
        browser: tuple[BrowserContext, list[str]], map_files: dict[str, Path],
        project: Project) -> None:
    ontology = model.load(project.ontology)
    pairs = [(k.shape, k.colour) for k in ontology.kinds.values()]
    assert len(pairs) == len(set(pairs)) == len(ontology.kinds) > 50
    context, _ = browser
    for name, path in map_files.items():
        page, _ = open_map(context, path)
        drawn_nodes = page.evaluate("window.miggraph.nodes.get().map(n => "
                                    "[n.kind, n.side, n.shape, n.color.border, n.color.background])")
        for kind, side, shape, border, fill in drawn_nodes:
            assert (shape, border) == (ontology.kind(kind).shape, ontology.kind(kind).colour), kind
            assert fill == (ontology.side(side).colour if side != maps.NO_SIDE else maps.NO_SIDE_COLOUR)
        legend = page.evaluate("""Array.from(document.querySelectorAll('input[data-facet="kind"]'))
                                  .map(b => b.value)""")
        assert sorted(legend) == sorted({row[0] for row in drawn_nodes}), name
        page.close()


def test_neighbourhood_in_the_page_and_from_the_command_line(
        browser: tuple[BrowserContext, list[str]], map_files: dict[str, Path],
        graphs: dict[str, nx.Graph], project: Project, dist: Path, tmp_path: Path) -> None:
    graph = graphs["coparticipation"]
    mps = str(MGD["mps"])
    two_steps = set(nx.single_source_shortest_path_length(graph, mps, cutoff=2))
    one_step = {mps, *graph.neighbors(mps)}
    assert one_step < two_steps < set(graph)
    context, _ = browser
    page, _ = open_map(context, map_files["coparticipation"])
    assert page.evaluate(f"window.miggraph.egoView({mps!r}, 1)") == sorted(one_step)
    assert set(page.evaluate("window.miggraph.nodes.getIds({filter: n => !n.hidden})")) == one_step
    page.click("#ego-clear")
    assert drawn(page)[0] == graph.number_of_nodes()
    page.close()
    out = tmp_path / "ego.html"
    assert main(["--quiet", "--project", str(project.root), "map", "coparticipation", "--ego", "MPS",
                 "--depth", "2", "--dist", str(dist), "--out", str(out)]) == 0
    page, errors = open_map(context, out)
    assert set(page.evaluate("window.miggraph.nodes.getIds()")) == two_steps
    assert drawn(page) == (len(two_steps), graph.subgraph(two_steps).number_of_edges())
    assert page.evaluate(f"window.miggraph.nodes.get({mps!r}).hidden") in (None, False)
    assert "around Ministry of Public Security of China (2 steps)" in page.title()
    assert errors == []
    page.close()


def test_large_map_opens_as_an_overview_of_communities(browser: tuple[BrowserContext, list[str]],
                                                       tmp_path: Path) -> None:
    graph = nx.relaxed_caveman_graph(60, 25, 0.05, seed=5)  # 1,500 nodes
    graph = nx.relabel_nodes(graph, {n: f"n{n}" for n in graph})
    for node, data in graph.nodes(data=True):
        data.update(label=f"Node {node}", label_zh="", alt_labels=[], kind="ministry",
                    group="actor", side="China", status="", date="", description="",
                    sources=[], themes=[], years=[])
    for _, _, data in graph.edges(data=True):
        data.update(kind="co-participation", weight=1.0, label="", sources=[], themes=[],
                    years=[], statuses=[])
    metrics = maps.fast_metrics(graph)
    out = maps.write_map(graph, tmp_path / "large.html", "large", metrics=metrics)
    members: dict[int, set[str]] = {}
    for node, scores in metrics.nodes.items():
        members.setdefault(scores["community"], set()).add(node)
    context, _ = browser
    page, errors = open_map(context, out)
    assert drawn(page)[0] == len(members)
    assert_labels_fit(page)
    page.evaluate("window.miggraph.openCommunity(1)")
    shown = set(page.evaluate("window.miggraph.nodes.getIds()"))
    assert shown == members[1] | {f"community:{c}" for c in members if c != 1}
    assert drawn(page)[0] == len(members) - 1 + len(members[1])
    inside = graph.subgraph(members[1]).number_of_edges()
    direct = page.evaluate("window.miggraph.edges.get({filter: e => typeof e.id === 'number'}).length")
    assert direct == inside
    page.fill("#search", "Node n1499")
    page.press("#search", "Enter")
    assert page.evaluate("window.miggraph.network.getSelectedNodes()") == ["n1499"]
    assert errors == []
    page.close()
