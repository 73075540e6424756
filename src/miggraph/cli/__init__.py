"""The `miggraph` command: arguments in, calls out, text printed.

Each sub-module registers its sub-commands and is a thin client of the Python API
(`miggraph.KnowledgeGraph`): it parses arguments, calls one method and prints the answer.
Every expected failure prints one line and exits with its code from `ExitCode`; anything
unexpected is exit 5 with one line asking for a report (`--debug` shows the traceback).
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from .. import __version__
from ..api import KnowledgeGraph
from ..errors import EXIT_CODES_HELP, ExitCode, MiggraphError
from ..project import Project, find_project, stale_inputs

# Sub-modules that register commands, in the order `miggraph --help` lists them.
COMMAND_MODULES = ("graph", "sparql", "network", "ingest")

DESCRIPTION = """\
miggraph: a knowledge graph of migration and mobility dialogue.

The graph holds the actors (organisations, ministries, embassies, NGOs, states, people),
the activities they run, the instruments that bind them, the places and the figures that
the sources report. Every fact cites the document section and page it comes from.

Typical session:
  miggraph build              parse ontology/ and data/, write dist/ (ttl, nt, jsonld, trig)
  miggraph validate           check the built graph against ontology/shapes.ttl
  miggraph stats              count what the graph holds
  miggraph queries --run      answer every competency question into dist/answers/
  miggraph map --all          write the offline network maps into dist/maps/
  miggraph ingest FILE        propose cited facts from a new document, then review and accept

The same is a Python API: import miggraph; kg = miggraph.open(".") (see the README).
"""

EPILOG = "Each command has its own help: miggraph COMMAND --help.\n" + EXIT_CODES_HELP

# Commands that read the built graph in dist/, and warn when ontology/ or data/ are newer.
READS_DIST = ("validate", "stats", "query", "queries", "network", "map", "export", "serve",
              "publish")


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keep the paragraphs of descriptions as written; show defaults where they matter."""


def project_from(args: argparse.Namespace) -> Project:
    """The project a command works on: --project, else the one around the current folder."""
    return Project(Path(args.project).resolve()) if args.project else find_project()


def open_kg(args: argparse.Namespace, **options: object) -> KnowledgeGraph:
    """The `KnowledgeGraph` a command works on: --project, --dist and progress from the
    arguments; `options` (endpoint, user, ...) as the command gives them."""
    dist = getattr(args, "dist", None)
    return KnowledgeGraph(project_from(args), dist=dist.resolve() if dist else None,
                          progress=progress_printer(args), **options)  # type: ignore[arg-type]


def progress_printer(args: argparse.Namespace):
    """A callable that prints progress to stderr unless --quiet was given."""
    def show(message: str) -> None:
        if not getattr(args, "quiet", False):
            print(f"  {message}", file=sys.stderr, flush=True)
    return show


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="miggraph", description=DESCRIPTION, epilog=EPILOG, formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"miggraph {__version__}")
    parser.add_argument(
        "--project", metavar="DIR",
        help="the project folder (holding ontology/ and data/); default: the current folder "
             "or the nearest parent that is one",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print no progress messages")
    parser.add_argument("--debug", action="store_true",
                        help="on an error, print the Python traceback as well (or set "
                             "MIGGRAPH_DEBUG=1)")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{name}":
                continue
            raise
        module.register(sub)
    for command in sub.choices.values():
        if command.epilog is None:
            command.epilog = EXIT_CODES_HELP
  # `miggraph build -q` works as well as `miggraph -q build`
        command.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                             help="print no progress messages")
    return parser


def warn_if_stale(args: argparse.Namespace) -> None:
    """One line on stderr when the command reads dist/ but ontology/ or data/ changed after it
    was built (the one place this is checked; the command still runs on the old build)."""
    if getattr(args, "command", None) not in READS_DIST:
        return
    if getattr(args, "files", None) or getattr(args, "graph", None) and args.command != "publish":
        return  # validating given files, a graph file given, or a remote store's named graph
    if getattr(args, "endpoint", None) and args.command == "query":
        return  # querying a remote store: dist/ is not read
    if args.command == "queries" and not getattr(args, "run", None):
        return
    try:
        project = project_from(args)
        dist = getattr(args, "dist", None) or project.dist
        newer = stale_inputs(project, Path(dist))
    except (OSError, MiggraphError):
        return
    if newer is not None:
        print(f"miggraph: warning: {newer} changed after {dist} was built; this uses the old "
              "build (run `miggraph build`)", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return ExitCode.BAD_INPUT
    debug = args.debug or os.environ.get("MIGGRAPH_DEBUG") == "1"
    try:
        warn_if_stale(args)
        return int(args.func(args) or 0)
    except MiggraphError as exc:
        _traceback(debug)
        print(f"miggraph: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("miggraph: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _closed_pipe()
    except MemoryError:
        _traceback(debug)
        print("miggraph: error: out of memory (a value or an answer too large for this "
              "machine)", file=sys.stderr)
        return ExitCode.BAD_INPUT
    except OSError as exc:
        if exc.errno == errno.EPIPE:  # a closed pipe seen through another library
            return _closed_pipe()
        _traceback(debug)
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"miggraph: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return ExitCode.LOCAL_IO
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        _traceback(debug)
        print(f"miggraph: internal error: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
              " (a bug in miggraph: please report it with the output of --debug)",
              file=sys.stderr)
        return ExitCode.INTERNAL


def _traceback(debug: bool) -> None:
    if debug:
        traceback.print_exc()


def _closed_pipe() -> int:
    """The reader went away (`| head`): stop quietly, and keep Python from complaining about
    the unflushed output when it exits."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
