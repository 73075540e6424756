"""Query library: the competency questions in `queries/`, their parameters, and result formats.

A named query is a `.rq` file whose leading comment says what it is for:

    # title: Who took part in one activity
    # question: Which actors took part in a given activity, ...
    #   (a line indented under a field continues it)
    # parameters:
    #   ?activity  the activity (default: mgd:yiwu-field-assessment-2015)
    # returns: actor, label, role, sources

A parameter is a one-variable `VALUES ?name { ... }` block in the query: its content is the
default, and `bind()` replaces it with the values a user gives, so the file stays a plain query
that runs as is in any SPARQL tool. Results are written as a plain-text table or in the W3C
formats (SPARQL 1.1 JSON, CSV and TSV results; Turtle for CONSTRUCT and DESCRIBE).
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph

from .errors import MiggraphError
from .project import shorten
from .store import ASK, GRAPH, QUERY_PREFIXES, Result, Term

FORMATS = ("table", "csv", "tsv", "json", "ttl")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
CELL_WIDTH = 80

_FIELD = re.compile(r"#\s?(\w+):\s*(.*)")
_VALUES = re.compile(r"VALUES\s+\?(\w+)\s*\{([^{}]*)\}", re.IGNORECASE)


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


# ---------------------------------------------------------------- parameters

def parameters(text: str) -> dict[str, list[str]]:
    """The query's parameters (one-variable VALUES blocks) and their default values."""
    return {m.group(1): m.group(2).split() for m in _VALUES.finditer(text)}


def _declared_prefixes(text: str) -> set[str]:
    return set(re.findall(r"(?i)\bPREFIX\s+([\w.-]*):", text)) | set(QUERY_PREFIXES)


def term(value: str, prefixes: set[str]) -> str:
    """A parameter value as SPARQL: an IRI, prefixed name or literal is kept; a bare http(s)
    address becomes an IRI; anything else becomes a string literal (so it cannot inject)."""
    value = value.strip()
    if re.fullmatch(r"<[^<>\"{}|^`\\\s]*>", value):
        return value
    if re.fullmatch(r'"(?:[^"\\\n]|\\.)*"(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^\S+)?', value):
        return value
    match = re.fullmatch(r"([A-Za-z][\w.-]*)?:([\w.-]*)", value)
    if match and (match.group(1) or "") in prefixes:
        return value
    if re.fullmatch(r"https?://[^<>\"{}|^`\\\s]+", value):
        return f"<{value}>"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def parse_assignments(items: list[str]) -> dict[str, list[str]]:
    """`--param name=value` arguments, grouped by name (repeat a name for several values)."""
    values: dict[str, list[str]] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("?")
        if not sep or not re.fullmatch(r"\w+", name) or not value.strip():
            raise MiggraphError(f"--param {item!r}: expected NAME=VALUE, e.g. actor=mgd:mps")
        values.setdefault(name, []).append(value)
    return values


def bind(text: str, values: dict[str, list[str]]) -> str:
    """`text` with each named parameter's VALUES block holding the given values instead."""
    known = parameters(text)
    unknown = sorted(set(values) - set(known))
    if unknown:
        takes = ", ".join(known) if known else "no parameters"
        raise MiggraphError(f"this query has no parameter {unknown[0]!r} (it takes: {takes})")
    prefixes = _declared_prefixes(text)

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        given = " ".join(term(v, prefixes) for v in values[name])
        return f"VALUES ?{name} {{ {given} }}"

    return _VALUES.sub(replace, text)


# ---------------------------------------------------------------- formats

def _cell(value: Term | None) -> str:
    if value is None:
        return ""
    if isinstance(value, pyoxigraph.NamedNode):
        return shorten(value.value)
    if isinstance(value, pyoxigraph.BlankNode):
        return f"_:{value.value}"
    return value.value


def format_table(result: Result) -> str:
    """A plain-text table (IRIs shortened, long cells cut) and the row count."""
    if result.kind == ASK:
        return "yes" if result.boolean else "no"
    if result.kind == GRAPH:
        return format_turtle(result)
    names = result.variables
    cells = [[_cell(v) for v in row] for row in result.rows]
    cut = [[c if len(c) <= CELL_WIDTH else c[:CELL_WIDTH - 1] + "…" for c in row]
           for row in cells]
    cut = [[" ".join(c.split()) for c in row] for row in cut]
    widths = [max([len(n)] + [len(row[i]) for row in cut]) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
              for row in cut]
    count = len(result.rows)
    lines.append(f"({count} row{'s' if count != 1 else ''})")
    return "\n".join(lines)


def format_csv(result: Result) -> str:
    """SPARQL 1.1 Query Results CSV: plain values, CRLF line ends, quoted where needed."""
    _require_rows(result, "csv")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if result.kind == ASK:
        writer.writerow(["_askResult"])
        writer.writerow(["true" if result.boolean else "false"])
        return buffer.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if v is None else f"_:{v.value}"
                         if isinstance(v, pyoxigraph.BlankNode) else v.value for v in row])
    return buffer.getvalue()


def _tsv_term(value: Term | None) -> str:
    if value is None:
        return ""
    if isinstance(value, pyoxigraph.NamedNode):
        return f"<{value.value}>"
    if isinstance(value, pyoxigraph.BlankNode):
        return f"_:{value.value}"
    text = (value.value.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
            .replace("\n", "\\n").replace("\r", "\\r"))
    if value.language:
        return f'"{text}"@{value.language}'
    if value.datatype.value == XSD_STRING:
        return f'"{text}"'
    return f'"{text}"^^<{value.datatype.value}>'


def format_tsv(result: Result) -> str:
    """SPARQL 1.1 Query Results TSV: terms in SPARQL syntax, `?`-prefixed header."""
    _require_rows(result, "tsv")
    if result.kind == ASK:
        return "?_askResult\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join(f"?{n}" for n in result.variables)]
    lines += ["\t".join(_tsv_term(v) for v in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def _json_term(value: Term) -> dict[str, str]:
    if isinstance(value, pyoxigraph.NamedNode):
        return {"type": "uri", "value": value.value}
    if isinstance(value, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": value.value}
    out = {"type": "literal", "value": value.value}
    if value.language:
        out["xml:lang"] = value.language
    elif value.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
        out["datatype"] = value.datatype.value
    return out


def format_json(result: Result) -> str:
    """SPARQL 1.1 Query Results JSON."""
    _require_rows(result, "json")
    if result.kind == ASK:
        return json.dumps({"head": {}, "boolean": result.boolean}, indent=2)
    bindings = [{n: _json_term(v) for n, v in zip(result.variables, row, strict=True)
                 if v is not None} for row in result.rows]
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}},
                      indent=2, ensure_ascii=False)


def format_turtle(result: Result) -> str:
    """The triples of a CONSTRUCT or DESCRIBE as Turtle with the project's prefixes."""
    if result.kind != GRAPH:
        raise MiggraphError("--format ttl is for CONSTRUCT and DESCRIBE queries; "
                            "use table, csv, tsv or json for SELECT and ASK")
    data = pyoxigraph.serialize(result.triples, format=pyoxigraph.RdfFormat.TURTLE,
                                prefixes=QUERY_PREFIXES)
    return (data or b"").decode("utf-8")


def _require_rows(result: Result, fmt: str) -> None:
    if result.kind == GRAPH:
        raise MiggraphError(f"--format {fmt} is for SELECT and ASK queries; "
                            "CONSTRUCT and DESCRIBE give a graph: use --format ttl")


def format_result(result: Result, fmt: str | None) -> str:
    """`result` in the format asked for (default: a table, or Turtle for a graph)."""
    fmt = fmt or ("ttl" if result.kind == GRAPH else "table")
    writer = {"table": format_table, "csv": format_csv, "tsv": format_tsv,
              "json": format_json, "ttl": format_turtle}[fmt]
    return writer(result)


# ---------------------------------------------------------------- the library's README

def render_readme(queries: list[NamedQuery]) -> str:
    """`queries/README.md`: every query with its title, question, parameters and columns."""
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
    return "\n".join(lines) + "\n"
