"""The `miggraph` command: arguments in, calls out, text printed.

Each sub-module registers its sub-commands; the logic lives in the library modules
(`build`, `validate`, `stats`, `query`, `store`, `network`, `maps`, `export`).
Errors the user can fix print one line and exit 2 (bad input) or 3 (server unreachable).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from .. import __version__
from ..errors import MiggraphError
from ..project import Project, find_project

# Sub-modules that register commands, in the order `miggraph --help` lists them.
COMMAND_MODULES = ("graph", "sparql", "network")

DESCRIPTION = """\
miggraph: a knowledge graph of migration and mobility dialogue.

The graph holds the actors (organisations, ministries, embassies, NGOs, states, people),
the activities they run, the instruments that bind them, the places and the figures that
the sources report. Every fact cites the document section and page it comes from.

Typical session:
  miggraph build              parse ontology/ and data/, write dist/ (ttl, nt, jsonld, trig)
  miggraph validate           check the built graph against ontology/shapes.ttl
  miggraph stats              count what the graph holds
"""

EPILOG = """\
Each command has its own help: miggraph COMMAND --help.
Exit codes: 0 success, 1 validation found violations, 2 bad input or usage,
3 endpoint or server unreachable."""


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keep the paragraphs of descriptions as written; show defaults where they matter."""


def project_from(args: argparse.Namespace) -> Project:
    """The project a command works on: --project, else the one around the current folder."""
    return Project(Path(args.project).resolve()) if args.project else find_project()


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
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{name}":
                continue
            raise
        module.register(sub)
    for command in sub.choices.values():  # `miggraph build -q` works as well as `miggraph -q build`
        command.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                             help="print no progress messages")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except MiggraphError as exc:
        print(f"miggraph: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("miggraph: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
