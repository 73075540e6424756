"""Sub-commands that grow the graph from new documents: ingest, review, accept."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..graph import validate as validate_mod
from . import HelpFormatter, open_kg

INGEST_HELP = """\
Read a document (.txt and .md as they are, .html through trafilatura, .pdf through pypdf with
one section per page), find every mention of a node the graph knows (by all its labels, through
loose spellings) and propose what it does not know (organisations, acronyms, people, activities
with their dates and places, figures, agreements). Writes OUT/<slug>/:

  text.txt            the exact text all offsets point into (a .txt input is copied unchanged)
  document.json       the document, its sections and their pages
  annotations.jsonld  W3C Web Annotations: `identifying` a known node or `tagging` a proposal,
                      each with a TextQuoteSelector and a TextPositionSelector
  decisions.tsv       one row per annotation; mark `accept` or `reject` (or use `miggraph review`)

Relative dates ("today", "on Monday", "3-4 November") are resolved against --date.

Examples:
  miggraph ingest press-release.html --url https://example.org/pr --date 2016-03-01 --out review/
  miggraph ingest report.pdf --out review/ --slug report-2016
"""

REVIEW_HELP = """\
Write FOLDER/review.html: the text with every mention and proposal highlighted, the proposals
with accept / reject controls, and an export of the decisions as decisions.tsv. The page is
one file that works offline.

Example:
  miggraph review review/press-release/
"""

ACCEPT_HELP = """\
Turn the rows of FOLDER/decisions.tsv marked `accept` into Turtle: a mention cites the new
source on the known node, an alias becomes a skos:altLabel, a proposal a new node with its
statements; each cites the new source's section. The file is validated with the ontology and
data/ first; only if there is no violation is it written to data/<slug>.ttl and the graph
built. Rejected and unreviewed rows never enter data/. Exit 1 on violations (nothing written).

Example:
  miggraph accept review/press-release/
"""


def run_ingest(args: argparse.Namespace) -> int:
    result = open_kg(args).ingest(args.file, args.out, url=args.url, date=args.date, title=args.title,
                                  publisher=args.publisher, slug=args.slug)
    print(f"{result.folder}: {result.mentions} mentions of known nodes, {result.proposals} proposals")
    print(f"next: miggraph review {result.folder}")
    return 0


def run_review(args: argparse.Namespace) -> int:
    path = open_kg(args).review(args.folder, args.output)
    print(path)
    return 0


def run_accept(args: argparse.Namespace) -> int:
    result = open_kg(args).accept(args.folder, engine=args.engine)
    print(f"{result.data_file}: {result.accepted} accepted ({result.rejected} rejected, {result.unreviewed} "
          "not reviewed, left out); validated and built", file=sys.stdout)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="annotate a new document: mentions and proposals",
                       description=INGEST_HELP, formatter_class=HelpFormatter)
    p.add_argument("file", type=Path, metavar="FILE", help="a .txt, .md, .html or .pdf document")
    p.add_argument("--out", type=Path, default=Path("review"), metavar="DIR",
                   help="where the review folder goes (default: review/)")
    p.add_argument("--url", help="the document's address")
    p.add_argument("--date", help="the document's date, YYYY-MM-DD (relative dates resolve against it)")
    p.add_argument("--title", help="the document's title (default: found in it)")
    p.add_argument("--publisher", help="who published it")
    p.add_argument("--slug", help="the short name of the source (default: from the file name)")
    p.set_defaults(func=run_ingest)

    p = sub.add_parser("review", help="write the offline review page of an ingested document",
                       description=REVIEW_HELP, formatter_class=HelpFormatter)
    p.add_argument("folder", type=Path, metavar="FOLDER", help="a folder written by `miggraph ingest`")
    p.add_argument("--output", type=Path, metavar="FILE", help="the page (default: FOLDER/review.html)")
    p.set_defaults(func=run_review)

    p = sub.add_parser("accept", help="write accepted annotations to data/, validated, and build",
                       description=ACCEPT_HELP, formatter_class=HelpFormatter)
    p.add_argument("folder", type=Path, metavar="FOLDER", help="a folder written by `miggraph ingest`")
    p.add_argument("--engine", choices=validate_mod.ENGINES, default="oxigraph",
                   help="the validation engine (default: oxigraph)")
    p.set_defaults(func=run_accept)
