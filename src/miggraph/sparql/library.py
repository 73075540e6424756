"""Query library: the competency questions in `queries/` and the network views in
`queries/network/`, read through the one parser of their header comment.

A named query is a `.rq` file whose leading comment says what it is for:

    # title: Who took part in one activity
    # question: Which actors took part in a given activity, ...
    #   (a line indented under a field continues it)
    # parameters:
    #   ?activity  the activity (default: mgd:yiwu-field-assessment-2015)
    # returns: actor, label, role, sources

A network view (`queries/network/*.rq`) has the same header, its `title` naming the view and
its `question` saying what links what. Parameters are `VALUES` blocks (see `params.py`).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import MiggraphError
from .params import parameters

_FIELD = re.compile(r"#\s?(\w+):\s*(.*)")


@dataclass
class NamedQuery:
    """One query of the library, with what its header says about it."""

    name: str
    path: Path
    text: str
    title: str = ""
    question: str = ""
    parameters: dict[str, str] = field(default_factory=dict)
    returns: list[str] = field(default_factory=list)

    @property
    def defaults(self) -> dict[str, list[str]]:
        return parameters(self.text)


def parse_header(text: str) -> dict[str, str]:
    """The `# key: value` fields of the leading comment; indented lines continue a field."""
    fields: dict[str, str] = {}
    key = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _FIELD.fullmatch(line.rstrip())
        if match and not line.startswith("#  "):
            key = match.group(1).lower()
            fields[key] = match.group(2).strip()
        elif key is not None:
            fields[key] = (fields[key] + "\n" + line[1:].strip()).strip()
    return fields


def _parameter_docs(block: str) -> dict[str, str]:
    docs: dict[str, str] = {}
    for line in block.splitlines():
        match = re.match(r"\?(\w+)\s+(.*)", line.strip())
        if match:
            docs[match.group(1)] = match.group(2).strip()
    return docs


def read(path: Path) -> NamedQuery:
    """Read one query file and its header."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MiggraphError(f"cannot read: {exc.strerror}", location=str(path)) from exc
    header = parse_header(text)
    return NamedQuery(
        name=path.stem, path=path, text=text,
        title=header.get("title", ""),
        question=" ".join(header.get("question", "").split()),
        parameters=_parameter_docs(header.get("parameters", "")),
        returns=[c.strip() for c in header.get("returns", "").split(",") if c.strip()],
    )


def library(folder: Path) -> list[NamedQuery]:
    """Every query of the library (`queries/*.rq`), by name."""
    return [read(path) for path in sorted(folder.glob("*.rq"))]


def resolve(spec: str, folder: Path) -> tuple[str, str]:
    """The (name for messages, text) of a query given as a file, a library name, or `-`."""
    if spec == "-":
        return "<stdin>", sys.stdin.read()
    path = Path(spec)
    if path.is_file():
        return str(path), read(path).text
    named = folder / (spec if spec.endswith(".rq") else f"{spec}.rq")
    if named.is_file():
        return f"{folder.name}/{named.name}", read(named).text
    raise MiggraphError(f"{spec}: no such query file, and no query of that name in {folder}; "
                        "`miggraph queries` lists them")


# ---------------------------------------------------------------- the library's README

NOTES = "dialects.md"  # appended to the README: what differs between SPARQL engines


def render_readme(queries: list[NamedQuery]) -> str:
    """`queries/README.md`: every query with its title, question, parameters and columns,
    then the library's notes on engine dialects (`queries/dialects.md`, if present)."""
    lines = [
        "# Competency questions",
        "",
        "The questions the graph is built to answer, one SPARQL query each. Run one with",
        "`miggraph query NAME` (`--param name=value` to change a parameter, `--format` for",
        "CSV, TSV, JSON or Turtle), list them with `miggraph queries`. Each file runs as is in",
        "any SPARQL 1.1 tool: a parameter is a `VALUES` block whose content is the default.",
        "",
        "This file is generated: `miggraph queries --markdown > queries/README.md`;",
        "a test fails when it is out of date.",
        "",
        "| query | question | parameters (defaults) | returns |",
        "| --- | --- | --- | --- |",
    ]
    for q in queries:
        params = "<br>".join(f"`{name}` = {' '.join(values)}"
                             for name, values in q.defaults.items()) or "none"
        returns = ", ".join(q.returns)
        question = q.question.replace("|", "\\|")
        lines.append(f"| [`{q.name}`]({q.path.name}) | **{q.title}.** {question} "
                     f"| {params} | {returns} |")
    notes = queries[0].path.parent / NOTES if queries else None
    if notes is not None and notes.is_file():
        lines += ["", notes.read_text(encoding="utf-8").rstrip()]
    return "\n".join(lines) + "\n"
