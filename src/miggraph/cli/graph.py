"""Sub-commands that make and check the graph: build, validate, stats."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..formats import REPORT_FORMATS, STATS_FORMATS
from ..graph import stats as stats_mod
from ..graph import validate as validate_mod
from . import HelpFormatter, open_kg

BUILD_HELP = """\
Parse the ontology (ontology/*.ttl, without the shapes) and the curated data (data/**/*.ttl),
apply the derivation rules (ontology/rules/*.rq, SPARQL CONSTRUCT), and write the graph to
the output folder in four serialisations:

  miggraph.ttl     everything as one graph (Turtle)
  miggraph.nt      the same as N-Triples
  miggraph.jsonld  the same as JSON-LD
  miggraph.trig    one named graph per input file and per rule (TriG)

A syntax error stops the build with the file, line and column; nothing in the output folder
is touched until every file is written, then all are renamed into place. Typos in IRIs of
the project's namespace parse fine and are caught by `miggraph validate`.

Examples:
  miggraph build
  miggraph build --out /tmp/dist --data data/ --data extra/new-report.ttl
"""

VALIDATE_HELP = """\
Run the SHACL shapes (ontology/shapes.ttl) and print the results grouped by shape and by the
node they concern, each with a message that says what to fix. Exits 1 if there is any result
of severity sh:Violation; warnings and notes (sh:Warning, sh:Info) are printed and exit 0.

Without FILE arguments, validates the built graph (dist/miggraph.ttl, or --graph). With FILE
arguments, validates those Turtle files together with the rest of data/, the ontology and the
derivation rules, as the build would combine them (a FILE inside data/ replaces itself): handy
for checking a new or edited data file. With --standalone, validates exactly the FILEs, with
nothing added (no ontology, no data/, no rules): that is how the W3C SHACL test suite runs.

Two engines give the same report. `oxigraph` (the default) is miggraph's own SHACL Core engine
on pyoxigraph: it reads the Turtle as written (an ill-formed literal fails sh:datatype), passes
all 98 cases of the W3C SHACL Core test suite, and stops with exit 2 naming any construct it does not
implement. `pyshacl` is the reference implementation, slower on large graphs.

Examples:
  miggraph validate
  miggraph validate --format json > report.json
  miggraph validate data/activities.ttl
  miggraph validate --standalone --shapes my-shapes.ttl my-data.ttl
  miggraph validate --engine pyshacl
"""

STATS_HELP = """\
Count the built graph: triples; actors, activities, participations, instruments, places,
figures and sources (subclasses included); instances per class and triples per property;
and the share of facts (actors, activities, participations, instruments, figures, projects)
that cite a source section.
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("build", help="parse ontology and data, write dist/",
                       description=BUILD_HELP, formatter_class=HelpFormatter)
    p.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: dist/)")
    p.add_argument("--data", type=Path, action="append", metavar="PATH",
                   help="a data file or folder; repeat for several (default: data/)")
    p.set_defaults(func=run_build)

    p = sub.add_parser("validate", help="check the built graph against the SHACL shapes",
                       description=VALIDATE_HELP, formatter_class=HelpFormatter)
    p.add_argument("files", nargs="*", type=Path, metavar="FILE",
                   help="Turtle files to validate with data/ and the ontology instead of the built graph")
    p.add_argument("--standalone", action="store_true",
                   help="validate exactly the FILEs, with nothing added")
    p.add_argument("--graph", type=Path, metavar="FILE",
                   help="the built graph to validate (default: dist/miggraph.ttl)")
    p.add_argument("--shapes", type=Path, metavar="FILE",
                   help="the shapes (default: ontology/shapes.ttl)")
    p.add_argument("--format", choices=REPORT_FORMATS, default="text",
                   help="report as text (default), JSON, or the SHACL results graph as Turtle")
    p.add_argument("--engine", choices=validate_mod.ENGINES, default="oxigraph",
                   help="oxigraph (default, fast) or pyshacl (the reference)")
    p.set_defaults(func=run_validate)

    p = sub.add_parser("stats", help="count what the graph holds",
                       description=STATS_HELP, formatter_class=HelpFormatter)
    p.add_argument("--graph", type=Path, metavar="FILE",
                   help="the built graph (default: dist/miggraph.ttl)")
    p.add_argument("--format", choices=STATS_FORMATS, default="text",
                   help="plain text (default), CSV (kind,name,count) or JSON")
    p.set_defaults(func=run_stats)


def run_build(args: argparse.Namespace) -> int:
    kg = open_kg(args)
    started = time.perf_counter()
    result = kg.build(out=args.out, data=args.data)
    elapsed = time.perf_counter() - started
    print(f"Built the graph from {len(result.inputs)} files in {elapsed:.1f} s "
          f"({result.derived_triples} triples derived by rules).")
    for line in stats_mod.summary_lines(stats_mod.compute(result.graph)):
        print(line)
    print("Wrote:")
    for path in result.outputs.values():
        print(f"  {path}")
    return 0


def run_validate(args: argparse.Namespace) -> int:
    kg = open_kg(args)
    started = time.perf_counter()
    report = kg.validate(args.files, engine=args.engine, shapes=args.shapes,
                         standalone=args.standalone, graph_file=args.graph)
    elapsed = time.perf_counter() - started
    sys.stdout.write(validate_mod.FORMATTERS[args.format](report) + "\n")
    if args.format == "text":
        count = report.files
        print(f"Validated {count} file{'s' if count != 1 else ''} in {elapsed:.1f} s ({args.engine}).",
              file=sys.stderr)
    return 1 if report.violations else 0


def run_stats(args: argparse.Namespace) -> int:
    stats = open_kg(args).stats(args.graph)
    sys.stdout.write(stats_mod.FORMATTERS[args.format](stats))
    return 0
