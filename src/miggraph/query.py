"""Query library: the competency questions in `queries/`, their parameters, and result formats.

A named query is a `.rq` file whose leading comment says what it is for:

    # title: Who took part in one activity
    # question: Which actors took part in a given activity, ...
    #   (a line indented under a field continues it)
    # parameters:
    #   ?activity  the activity (default: mgd:yiwu-field-assessment-2015)
    # returns: actor, label, role, sources

A parameter is a one-variable `VALUES ?name { ... }` block in the query: its content is the
default. A value a user gives is parsed into one RDF term (never spliced in as text) and bound
through pyoxigraph's substitutions, or a VALUES block of the parsed terms for a remote endpoint,
so the file stays a plain query that runs as is in any SPARQL tool. Results are written as they
come as a plain-text table or in the W3C formats (SPARQL 1.1 JSON, CSV and TSV results; Turtle
for CONSTRUCT and DESCRIBE).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import TextIO

import pyoxigraph

from .errors import MiggraphError
from .project import shorten
from .store import ASK, GRAPH, QUERY_PREFIXES, Result, Stream, Term

FORMATS = ("table", "csv", "tsv", "json", "ttl")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
CELL_WIDTH = 80
TABLE_LOOKAHEAD = 1000  # rows read before the table's column widths are fixed

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


def declared_prefixes(text: str) -> dict[str, str]:
    """The prefixes a query may use: its own PREFIX declarations over the default ones."""
    declared = dict(QUERY_PREFIXES)
    declared.update(dict(re.findall(r"(?i)\bPREFIX\s+([\w.-]*):\s*<([^<>\s]*)>", text)))
    return declared


_PLAIN = re.compile(r"[\w.+\-/@%]+")  # text that needs no quotes: 2015, 2015-09-01, Zhejiang
_PREFIXED = re.compile(r"([A-Za-z][\w.-]*)?:(\S*)")


def _bad(value: str, why: str) -> MiggraphError:
    return MiggraphError(f"--param value {value!r}: {why}")


def parse_term(value: str, prefixes: dict[str, str]) -> Term:
    """A parameter value as exactly one RDF term, or a one-line error (exit 2).

    Accepted: an IRI (`<https://...>`, or a bare http(s) address), a prefixed name whose
    prefix is declared (`mgd:mps`), a literal in SPARQL syntax (`"Zhejiang"@en`,
    `"2015"^^xsd:gYear`), or plain text without spaces or SPARQL punctuation (`2015-09-01`),
    which is the string literal it spells. The term is built from the value, never spliced
    into the query, so no value can change a query's structure.
    """
    text = value.strip()
    if not text:
        raise _bad(value, "empty")
    if text.startswith("<"):
        if not re.fullmatch(r"<[^<>\"{}|^`\\\s]*>", text):
            raise _bad(value, "not one IRI")
        try:
            return pyoxigraph.NamedNode(text[1:-1])
        except ValueError as exc:
            raise _bad(value, f"not an absolute IRI ({exc})") from exc
    if text.startswith(('"', "'")):
        return _literal(value, text, prefixes)
    if re.fullmatch(r"(?i)https?://[^<>\"{}|^`\\\s]+", text):
        return pyoxigraph.NamedNode(text)
    match = _PREFIXED.fullmatch(text)
    if match:
        prefix = match.group(1) or ""
        if prefix not in prefixes:
            raise _bad(value, f"the prefix {prefix}: is not declared (in the query or by "
                              "miggraph); write the full IRI in <>")
        try:
            return _parse_one(f"{prefix}:{match.group(2)}", {prefix: prefixes[prefix]})
        except SyntaxError as exc:
            raise _bad(value, "not a prefixed name") from exc
    if _PLAIN.fullmatch(text):
        return pyoxigraph.Literal(text)
    raise _bad(value, "not one RDF term; quote text that has spaces or punctuation, "
                      'e.g. name=\'"Yiwu city"\'')


def _literal(value: str, text: str, prefixes: dict[str, str]) -> Term:
    try:
        term = _parse_one(text, prefixes)
    except SyntaxError as exc:
        raise _bad(value, "not one literal") from exc
    if not isinstance(term, pyoxigraph.Literal):
        raise _bad(value, "not one literal")
    return term


def _parse_one(text: str, prefixes: dict[str, str]) -> Term:
    """Parse `text` as the object of one Turtle triple; exactly one triple must come out."""
    declarations = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes.items())
    document = f"{declarations}<urn:miggraph:s> <urn:miggraph:p> {text}\n.\n"
    triples = list(pyoxigraph.parse(document.encode("utf-8"), format=pyoxigraph.RdfFormat.TURTLE))
    if len(triples) != 1 or isinstance(triples[0].object, (pyoxigraph.BlankNode, pyoxigraph.Triple)):
        raise SyntaxError("not exactly one term")
    return triples[0].object


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


def parse_values(text: str, values: dict[str, list[str]]) -> dict[str, list[Term]]:
    """Each parameter's values as RDF terms; the names must be parameters of `text`."""
    known = parameters(text)
    unknown = sorted(set(values) - set(known))
    if unknown:
        takes = ", ".join(known) if known else "no parameters"
        raise MiggraphError(f"this query has no parameter {unknown[0]!r} (it takes: {takes})")
    prefixes = declared_prefixes(text)
    return {name: [parse_term(v, prefixes) for v in given] for name, given in values.items()}


def bind(text: str, values: dict[str, list[str]]) -> str:
    """`text` with each named parameter's VALUES block holding the given values instead.

    The values are parsed into RDF terms first and written back by pyoxigraph, so the new
    block holds exactly those terms; this is how parameters reach a remote endpoint.
    """
    terms = parse_values(text, values)

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in terms:
            return match.group(0)
        return f"VALUES ?{name} {{ {' '.join(str(t) for t in terms[name])} }}"

    return _VALUES.sub(replace, text)


def bind_embedded(text: str, values: dict[str, list[str]]) -> tuple[str, dict[str, Term], str]:
    """The query and substitutions for pyoxigraph, and the same query bound by `bind`.

    A parameter given once is bound through `Store.query(substitutions=...)` with its VALUES
    blocks removed; one given several times gets a VALUES block of its parsed terms (a
    substitution holds one value). pyoxigraph substitutes only variables the query returns;
    for the others the store runs the third item, the query with VALUES blocks.
    """
    terms = parse_values(text, values)
    single = {name: ts[0] for name, ts in terms.items() if len(ts) == 1}
    several = {name: [str(t) for t in ts] for name, ts in terms.items() if len(ts) > 1}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in single:
            return re.sub(r"[^\n]", " ", match.group(0))  # keeps the positions of later errors
        if name in several:
            return f"VALUES ?{name} {{ {' '.join(several[name])} }}"
        return match.group(0)

    return _VALUES.sub(replace, text), single, bind(text, values)


# ---------------------------------------------------------------- formats, written as rows come

_shorten = lru_cache(maxsize=1 << 16)(shorten)  # the same IRIs come back row after row


def _cell(value: Term | None) -> str:
    if value is None:
        return ""
    if isinstance(value, pyoxigraph.NamedNode):
        return _shorten(value.value)
    if isinstance(value, pyoxigraph.BlankNode):
        return f"_:{value.value}"
    return value.value


def cut(text: str, width: int) -> str:
    """`text` on one line, at most `width` characters, an ellipsis marking a cut."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def write_table(stream: Stream, out: TextIO, limit: int | None = None) -> int:
    """A plain-text table (IRIs shortened, long cells cut) and the row count.

    Rows are written as they come; the column widths are taken from the first
    TABLE_LOOKAHEAD rows, and a later cell wider than its column is cut with an ellipsis.
    """
    if stream.kind == ASK:
        out.write("yes\n" if stream.boolean else "no\n")
        return 0
    if stream.kind == GRAPH:
        return write_turtle(stream, out, limit)
    names = stream.variables
    rows = _limited(stream.items, limit)
    first = [[cut(_cell(v), CELL_WIDTH) for v in row] for row in islice(rows, TABLE_LOOKAHEAD)]
    widths = [max([len(n)] + [len(row[i]) for row in first]) for i, n in enumerate(names)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip() + "\n"

    out.write(line(names))
    out.write("  ".join("-" * w for w in widths) + "\n")
    count = 0
    for cells in first:
        out.write(line(cells))
        count += 1
    for row in rows:
        out.write(line([cut(_cell(v), w) for v, w in zip(row, widths, strict=True)]))
        count += 1
    out.write(f"({count} row{'s' if count != 1 else ''})\n")
    return count


def _limited(items: Iterator, limit: int | None) -> Iterator:
    return items if limit is None else islice(items, limit)


def write_csv(stream: Stream, out: TextIO, limit: int | None = None) -> int:
    """SPARQL 1.1 Query Results CSV: plain values, CRLF line ends, quoted where needed."""
    _require_rows(stream, "csv")
    writer = csv.writer(out, lineterminator="\r\n")
    if stream.kind == ASK:
        writer.writerow(["_askResult"])
        writer.writerow(["true" if stream.boolean else "false"])
        return 0
    writer.writerow(stream.variables)
    count = 0
    for row in _limited(stream.items, limit):
        writer.writerow(["" if v is None else f"_:{v.value}"
                         if isinstance(v, pyoxigraph.BlankNode) else v.value for v in row])
        count += 1
    return count


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


def write_tsv(stream: Stream, out: TextIO, limit: int | None = None) -> int:
    """SPARQL 1.1 Query Results TSV: terms in SPARQL syntax, `?`-prefixed header."""
    _require_rows(stream, "tsv")
    if stream.kind == ASK:
        out.write("?_askResult\n" + ("true" if stream.boolean else "false") + "\n")
        return 0
    out.write("\t".join(f"?{n}" for n in stream.variables) + "\n")
    count = 0
    for row in _limited(stream.items, limit):
        out.write("\t".join(_tsv_term(v) for v in row) + "\n")
        count += 1
    return count


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


def write_json(stream: Stream, out: TextIO, limit: int | None = None) -> int:
    """SPARQL 1.1 Query Results JSON, one binding per line."""
    _require_rows(stream, "json")
    if stream.kind == ASK:
        out.write(json.dumps({"head": {}, "boolean": stream.boolean}, indent=2) + "\n")
        return 0
    out.write('{"head": {"vars": ' + json.dumps(stream.variables, ensure_ascii=False)
              + '},\n "results": {"bindings": [')
    count = 0
    for row in _limited(stream.items, limit):
        binding = {n: _json_term(v) for n, v in zip(stream.variables, row, strict=True)
                   if v is not None}
        out.write(("\n  " if count == 0 else ",\n  ") + json.dumps(binding, ensure_ascii=False))
        count += 1
    out.write("\n]}}\n")
    return count


class _TextSink(io.RawIOBase):
    """A binary file that pyoxigraph's serializer writes to, passed on to a text stream."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.decoder = codecs.getincrementaldecoder("utf-8")()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self.out.write(self.decoder.decode(bytes(data)))
        return len(data)


def write_turtle(stream: Stream, out: TextIO, limit: int | None = None) -> int:
    """The triples of a CONSTRUCT or DESCRIBE as Turtle with the project's prefixes."""
    if stream.kind != GRAPH:
        raise MiggraphError("--format ttl is for CONSTRUCT and DESCRIBE queries; "
                            "use table, csv, tsv or json for SELECT and ASK")
    counted = [0]

    def counting() -> Iterator[pyoxigraph.Triple]:
        for triple in _limited(stream.items, limit):
            counted[0] += 1
            yield triple

    pyoxigraph.serialize(counting(), _TextSink(out), format=pyoxigraph.RdfFormat.TURTLE,
                         prefixes=QUERY_PREFIXES)
    return counted[0]


def _require_rows(stream: Stream | Result, fmt: str) -> None:
    if stream.kind == GRAPH:
        raise MiggraphError(f"--format {fmt} is for SELECT and ASK queries; "
                            "CONSTRUCT and DESCRIBE give a graph: use --format ttl")


WRITERS = {"table": write_table, "csv": write_csv, "tsv": write_tsv, "json": write_json,
           "ttl": write_turtle}


def write_stream(stream: Stream, fmt: str | None, out: TextIO, limit: int | None = None) -> int:
    """Write `stream` in the format asked for (default: a table, or Turtle for a graph) as it
    comes; return the number of rows or triples written."""
    fmt = fmt or ("ttl" if stream.kind == GRAPH else "table")
    writer = WRITERS[fmt]
    if fmt != "ttl" and fmt != "table":
        _require_rows(stream, fmt)
    try:
        return writer(stream, out, limit)
    finally:
        stream.close()


def _as_stream(result: Result) -> Stream:
    items = iter(result.triples if result.kind == GRAPH else result.rows)
    return Stream(result.kind, list(result.variables), result.boolean, items)


def format_result(result: Result, fmt: str | None) -> str:
    """`result` (held in memory) in the format asked for, as one string."""
    buffer = io.StringIO()
    write_stream(_as_stream(result), fmt, buffer)
    return buffer.getvalue()


def format_table(result: Result) -> str:
    return format_result(result, "table").rstrip("\n")


def format_csv(result: Result) -> str:
    return format_result(result, "csv")


def format_tsv(result: Result) -> str:
    return format_result(result, "tsv")


def format_json(result: Result) -> str:
    return format_result(result, "json")


def format_turtle(result: Result) -> str:
    return format_result(result, "ttl")


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
