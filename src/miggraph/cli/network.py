"""Sub-commands that look at the graph as a network: network (metrics), map, export."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..errors import MiggraphError
from ..formats import EXPORT_FORMATS, RDF_FILES, TABLE_FORMATS
from ..network import maps as maps_mod
from ..network import metrics as metrics_mod
from ..network import views as views_mod
from ..project import built_name
from . import HelpFormatter, open_kg

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
the map opens laid out and still. A node's fill shows its side (EU, China, international,
other), its shape the family of its kind and its outline the kind itself; size is PageRank.
Labels are acronyms where the data has them (MPS), only those that fit are drawn, and
zooming in shows more. The panel holds the legend, a search over every name (English,
Chinese, acronyms), filters by side, kind, status and theme, a slider over the years and a
neighbourhood view; hovering a node or an edge shows its names, facts and the source sections
and pages behind them. A map of more than {maps_mod.OVERVIEW_LIMIT:,} nodes opens as an
overview of its communities, each one circle sized by its members; a click opens one.

--ego ACTOR draws only ACTOR and its neighbours within --depth steps (default 1); ACTOR is an
IRI, a prefixed name (mgd:mps) or one of its names or acronyms (MPS).

{VIEWS_TEXT}

Examples:
  miggraph map                       writes dist/maps/coparticipation.html
  miggraph map --view structure --out /tmp/structure.html
  miggraph map coparticipation --ego MPS --depth 2   writes dist/maps/coparticipation-ego.html
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

def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--view", default=views_mod.DEFAULT_VIEW, metavar="NAME",
                   help=f"the network view (default: {views_mod.DEFAULT_VIEW})")
    p.add_argument("--dist", type=Path, metavar="DIR",
                   help="the built graph's folder (default: dist/)")
    p.add_argument("--include-planned", action="store_true",
                   help="count planned activities too (default: held ones only)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("network", help="centrality and communities of a network view",
                       description=NETWORK_HELP, formatter_class=HelpFormatter)
    _common(p)
    p.add_argument("--format", choices=TABLE_FORMATS, default="table",
                   help="a plain-text table (default), CSV, or JSON with the summary")
    p.add_argument("--top", type=int, metavar="N", help="show only the first N nodes")
    p.add_argument("--sort", choices=metrics_mod.SORT_KEYS, default="pagerank",
                   help="the measure that orders the nodes, highest first (default: pagerank)")
    p.set_defaults(func=run_network)

    p = sub.add_parser("map", help="write an offline interactive HTML map of a view",
                       description=MAP_HELP, formatter_class=HelpFormatter)
    _common(p)
    p.add_argument("view_name", nargs="?", metavar="VIEW",
                   help="the network view (the same as --view)")
    p.add_argument("--all", action="store_true", help="one map per view, into dist/maps/ or --out DIR")
    p.add_argument("--ego", metavar="ACTOR",
                   help="only ACTOR and its neighbours: an IRI, mgd:name, or a name or acronym")
    p.add_argument("--depth", type=int, default=1, metavar="N",
                   help="with --ego: neighbours within N steps (default: 1)")
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


def run_network(args: argparse.Namespace) -> int:
    kg = open_kg(args)
    views_mod.get_view(kg.project, args.view)
    if args.top is not None and args.top < 1:
        raise MiggraphError("--top must be at least 1")
    graph = kg.network(args.view, include_planned=args.include_planned)
    rows = metrics_mod.table(graph, sort=args.sort, top=args.top)
    sys.stdout.write(metrics_mod.format_table(args.view, graph.graph["summary"], rows, args.format))
    return 0


def run_map(args: argparse.Namespace) -> int:
    kg = open_kg(args)
    if args.view_name:
        args.view = args.view_name
    if args.depth < 1:
        raise MiggraphError("--depth must be at least 1")
    if args.ego and args.all:
        raise MiggraphError("--ego draws one view; leave out --all")
    names = list(kg.views()) if args.all else [args.view]
    for name in names:
        views_mod.get_view(kg.project, name)
    for name in names:  # kg.map names the default file and refuses one that is not .html
        out = args.out / f"{name}.html" if args.all and args.out else args.out
        print(kg.map(name, out, include_planned=args.include_planned, ego=args.ego,
                     depth=args.depth))
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
    kg = open_kg(args)
    default_folder = kg.project.exports
    if args.format in RDF_FILES:
        out = export_target(args.out, default_folder, built_name(args.format))
    else:
        views_mod.get_view(kg.project, args.view)
        if args.format == "csv":
            out = Path(args.out) if args.out else default_folder
            if out.exists() and not out.is_dir():
                raise MiggraphError(f"{out}: csv writes two files; --out must be a folder")
        else:
            out = export_target(args.out, default_folder, f"{args.view}.{args.format}")
    for path in kg.export(args.format, out, args.view, include_planned=args.include_planned):
        print(path)
    return 0
