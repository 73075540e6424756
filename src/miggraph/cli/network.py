"""Sub-commands that look at the graph as a network: network (metrics), map, export."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import time
from pathlib import Path

from ..errors import MiggraphError
from ..formats import EXPORT_FORMATS, RDF_FILES
from ..network import export as export_mod
from ..network import maps as maps_mod
from ..network import metrics as metrics_mod
from ..network import views as network_mod
from ..project import Project, built_name
from ..sparql.embedded import embedded
from ..sparql.results import cut
from ..vocab import shorten
from . import HelpFormatter, progress_printer, project_from

VIEWS_TEXT = """\
Views (queries/network/*.rq; each returns one row per edge with its kind, weight, label and
the source sections it rests on):
  coparticipation  actor - actor, linked by the activities they took part in together;
                   weight: how many activities; label: their names (the default view)
  participation    actor - activity - place; roles on the actor-activity edges
  instruments      actor - instrument, as party or issuer
  structure        sub-organisations, states, representation, posts, seats and their places
Add a view by adding a query file there."""

NETWORK_HELP = f"""\
Project the built graph onto a network (one view) and print, for each node, its degree,
weighted degree, betweenness, PageRank and Louvain community (fixed seed, so the numbers
are the same on every run), after a summary of the network: nodes, edges, density,
connected components and communities. Betweenness is exact up to
{metrics_mod.EXACT_BETWEENNESS_LIMIT} nodes and estimated from {metrics_mod.BETWEENNESS_SAMPLE} \
seeded pivots above.

{VIEWS_TEXT}

Examples:
  miggraph network
  miggraph network --view structure --top 10 --sort betweenness
  miggraph network --format csv > centrality.csv
"""

MAP_HELP = f"""\
Write an interactive map of a view as one HTML file that opens in any browser with no network
at all (vis-network is in-line, nothing is fetched). Positions are computed beforehand, so
the map opens laid out and still, even at ten thousand nodes. Colour and shape show the kind
of node, size its PageRank; the panel holds a legend, a search box (English or Chinese names)
and filters by kind, side, theme and year; hovering a node or an edge shows its facts and the
source sections and pages behind them.

{VIEWS_TEXT}

Examples:
  miggraph map                       writes dist/maps/coparticipation.html
  miggraph map --view structure --out /tmp/structure.html
  miggraph map --all                 writes one map per view into dist/maps/
"""

EXPORT_HELP = f"""\
Export a network view for Gephi, Cytoscape or a spreadsheet, or the built RDF graph.

Network formats (node attributes: label, label_zh, kind, group, side, sources, themes, years
and the metrics of `miggraph network`; edge attributes: kind, weight, label, sources, themes,
years and source_node, the node the view's query names first):
  graphml   GraphML (Gephi, Cytoscape, yEd)
  gexf      GEXF (Gephi)
  csv       two files, VIEW-nodes.csv and VIEW-edges.csv, in the folder --out
  json      networkx node-link JSON
Multi-valued attributes are joined with " | ".

RDF formats (copies of what `miggraph build` wrote to dist/): ttl, nt, jsonld, trig.

{VIEWS_TEXT}

Examples:
  miggraph export --format graphml                  writes dist/exports/coparticipation.graphml
  miggraph export --format csv --view structure --out tables/
  miggraph export --format ttl --out /tmp/miggraph.ttl
"""

SORT_KEYS = ("pagerank", "betweenness", "degree", "weighted_degree")
COLUMNS = ("node", "label", "kind", "side", "degree", "weighted_degree", "betweenness",
           "pagerank", "community")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--view", default=network_mod.DEFAULT_VIEW, metavar="NAME",
                   help=f"the network view (default: {network_mod.DEFAULT_VIEW})")
    p.add_argument("--dist", type=Path, metavar="DIR",
                   help="the built graph's folder (default: dist/)")
    p.add_argument("--include-planned", action="store_true",
                   help="count planned activities too (default: held ones only)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("network", help="centrality and communities of a network view",
                       description=NETWORK_HELP, formatter_class=HelpFormatter)
    _common(p)
    p.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help="a plain-text table (default), CSV, or JSON with the summary")
    p.add_argument("--top", type=int, metavar="N", help="show only the first N nodes")
    p.add_argument("--sort", choices=SORT_KEYS, default="pagerank",
                   help="the measure that orders the nodes, highest first (default: pagerank)")
    p.set_defaults(func=run_network)

    p = sub.add_parser("map", help="write an offline interactive HTML map of a view",
                       description=MAP_HELP, formatter_class=HelpFormatter)
    _common(p)
    p.add_argument("--all", action="store_true", help="one map per view, into dist/maps/ or --out DIR")
    p.add_argument("--out", type=Path, metavar="PATH",
                   help="the HTML file (default: dist/maps/VIEW.html); with --all, a folder")
    p.set_defaults(func=run_map)

    p = sub.add_parser("export", help="write a view as GraphML, GEXF, CSV or JSON, or the RDF",
                       description=EXPORT_HELP, formatter_class=HelpFormatter)
    _common(p)
    p.add_argument("--format", choices=EXPORT_FORMATS, required=True, help="see above")
    p.add_argument("--out", metavar="PATH",
                   help="the file to write (default: dist/exports/VIEW.FORMAT, or dist/exports/miggraph."
                        "FORMAT for RDF), or a folder to write it into (an existing folder, or "
                        "a path ending in /); for csv, always a folder (default: dist/exports/)")
    p.set_defaults(func=run_export)


def _dist(args: argparse.Namespace, project: Project) -> Path:
    return args.dist or project.dist


def _check_view(project: Project, name: str) -> None:
    network_mod.get_view(project, name)


def run_network(args: argparse.Namespace) -> int:
    project = project_from(args)
    _check_view(project, args.view)
    if args.top is not None and args.top < 1:
        raise MiggraphError("--top must be at least 1")
    graph = network_mod.project_view(embedded(_dist(args, project)), project, args.view,
                                     args.include_planned)
    started = time.perf_counter()
    metrics = metrics_mod.measure(graph)
    elapsed = time.perf_counter() - started
    rows = [{"node": shorten(node), "label": graph.nodes[node]["label"],
             "kind": graph.nodes[node]["kind"], "side": graph.nodes[node]["side"], **scores}
            for node, scores in metrics.nodes.items()]
    rows.sort(key=lambda r: (-r[args.sort], r["label"]))
    rows = rows[: args.top] if args.top else rows
    if args.format == "json":
        print(json.dumps({"view": args.view, "summary": metrics.summary, "nodes": rows},
                         ensure_ascii=False, indent=2))
    elif args.format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.write(buffer.getvalue())
    else:
        s = metrics.summary
        print(f"View {args.view}: {s['nodes']} nodes, {s['edges']} edges, density "
              f"{s['density']:.3f}, {s['components']} components, {s['communities']} communities "
              f"(measured in {elapsed:.1f} s).")
        print(f"{'label':<48} {'kind':<24} {'side':<13} {'deg':>4} {'w.deg':>6} "
              f"{'betw.':>6} {'PageRank':>8} {'comm.':>5}")
        for r in rows:
            print(f"{cut(r['label'], 48):<48} {cut(r['kind'], 24):<24} {cut(r['side'], 13):<13} "
                  f"{r['degree']:>4} {r['weighted_degree']:>6g} {r['betweenness']:>6.3f} "
                  f"{r['pagerank']:>8.4f} {r['community']:>5}")
    return 0


def run_map(args: argparse.Namespace) -> int:
    project = project_from(args)
    names = list(network_mod.list_views(project)) if args.all else [args.view]
    for name in names:
        _check_view(project, name)
    if args.all or args.out is None:
        outs = {name: (args.out or project.maps) / f"{name}.html" for name in names}
    else:
        outs = {args.view: args.out}
    for out in outs.values():
        if out.suffix != ".html":
            raise MiggraphError(f"{out}: a map is an .html file")
    store = embedded(_dist(args, project))
    show = progress_printer(args)
    for name, out in outs.items():
        show(f"projecting {name}")
        graph = network_mod.project_view(store, project, name, args.include_planned)
        show(f"laying out and writing {graph.number_of_nodes()} nodes")
        view = network_mod.get_view(project, name)
        maps_mod.write_map(graph, out, title=f"miggraph: {name}", description=view.description)
        print(out)
    return 0


def export_target(out: str | None, default_folder: Path, file_name: str) -> Path:
    """The file an export writes: `--out` as a file, or `file_name` inside `--out` when that is
    an existing folder or ends with a slash, or inside the default folder."""
    if out is None:
        return default_folder / file_name
    path = Path(out)
    if out.endswith(("/", os.sep)) or path.is_dir():
        return path / file_name
    return path


def run_export(args: argparse.Namespace) -> int:
    project = project_from(args)
    dist = _dist(args, project)
    default_folder = project.exports
    if args.format in RDF_FILES:
        out = export_target(args.out, default_folder, built_name(args.format))
        written = export_mod.export_rdf(dist, args.format, out)
    else:
        _check_view(project, args.view)
        if args.format == "csv":
            out = Path(args.out) if args.out else default_folder
            if out.exists() and not out.is_dir():
                raise MiggraphError(f"{out}: csv writes two files; --out must be a folder")
        else:
            out = export_target(args.out, default_folder, f"{args.view}.{args.format}")
        graph = network_mod.project_view(embedded(dist), project, args.view, args.include_planned)
        written = export_mod.export_network(graph, metrics_mod.measure(graph), args.format, out)
    for path in written:
        print(path)
    return 0
