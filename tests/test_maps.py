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
from miggraph.project import Project
from miggraph.sparql.embedded import embedded
from miggraph.vocab import MGD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-quic"]
IN_CI = os.environ.get("CI", "").lower() == "true"
# `make docs` sets MIGGRAPH_SCREENSHOT to docs/map.png; tests alone write to a temporary file.
SCREENSHOT = Path(os.environ.get("MIGGRAPH_SCREENSHOT") or tempfile.mkdtemp() + "/map.png")
OFFICE = str(MGD["iom-liaison-office-china"])

if not CHROMIUM.exists() and not IN_CI:
    pytest.skip(f"{CHROMIUM} is not installed (CI installs it)", allow_module_level=True)

from playwright.sync_api import BrowserContext, Page, sync_playwright  # noqa: E402


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
    """One offline Chromium with a fresh profile; every request that is not a file is refused
    and recorded."""
    refused: list[str] = []
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
            offline=True, viewport={"width": 1280, "height": 800})

        def guard(route) -> None:
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                refused.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        yield context, refused
        context.close()


def open_map(context: BrowserContext, path: Path) -> tuple[Page, list[str]]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    page.wait_for_function("document.body.dataset.readyMs !== undefined")
    return page, errors


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


def test_main_map_screenshot_shows_the_network(browser: tuple[BrowserContext, list[str]],
                                               map_files: dict[str, Path]) -> None:
    context, _ = browser
    page, _ = open_map(context, map_files[network.DEFAULT_VIEW])
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 20_000
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


def test_year_filter_keeps_only_that_years_activities(browser: tuple[BrowserContext, list[str]],
                                                       planned_maps: dict[str, Path],
                                                       planned_graphs: dict[str, nx.Graph]) -> None:
    context, _ = browser
    graph = planned_graphs["participation"]
    planned = {n for n, d in graph.nodes(data=True)
               if d["group"] == "activity" and d["years"] == ["2016"]}
    assert planned
    page, _ = open_map(context, planned_maps["participation"])
    page.locator('details[data-facet-group="year"] summary').click()
    page.locator('input[data-facet="year"][value="2015"]').uncheck()
    shown = set(page.evaluate("window.miggraph.nodes.getIds({filter: n => !n.hidden})"))
    assert planned <= shown
    assert str(MGD["return-workshop-2015"]) not in shown
    assert drawn(page)[0] == len(shown)
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
