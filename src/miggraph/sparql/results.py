"""Answers: the result model every store returns, and the writers for each result format.

A `Result` is an answer held in memory; a `Stream` is one handed over as it comes (see
`streaming.py`). The writers write a stream as it comes, as a plain-text table or in the W3C
formats (SPARQL 1.1 JSON, CSV and TSV results; Turtle for CONSTRUCT and DESCRIBE); the formats
themselves are listed in `miggraph.formats`.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import islice
from typing import TextIO

import pyoxigraph

from ..errors import MiggraphError
from ..vocab import QUERY_PREFIXES, RDF_LANG_STRING, XSD_STRING, shorten
from ..vocab import XSD as XSD_NS

XSD = str(XSD_NS)

Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal
SELECT, ASK, GRAPH = "select", "ask", "graph"
CELL_WIDTH = 80
TABLE_LOOKAHEAD = 1000  # rows read before the table's column widths are fixed


@dataclass
class Result:
    """The answer to one query, whichever store gave it, held in memory.

    `kind` is "select" (variables and rows), "ask" (boolean) or "graph" (triples, from
    CONSTRUCT or DESCRIBE). Cells are pyoxigraph terms, None where a variable is unbound.
    Iterating a SELECT answer gives one dict per row with plain Python values (see `value`);
    `to_csv`, `to_json`, `to_turtle` give the W3C formats and `to_dataframe` a pandas table.
    """

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool = False
    triples: list[pyoxigraph.Triple] = field(default_factory=list)

    def __iter__(self) -> Iterator[dict[str, object]]:
        return iter(self.records())

    def __len__(self) -> int:
        return len(self.triples) if self.kind == GRAPH else len(self.rows)

    def __bool__(self) -> bool:
        return self.boolean if self.kind == ASK else len(self) > 0

    def records(self) -> list[dict[str, object]]:
        """One dict per row, variable name to plain value (None where unbound)."""
        return [{name: value(cell) for name, cell in zip(self.variables, row, strict=True)}
                for row in self.rows]

    def to_csv(self) -> str:
        return format_result(self, "csv")

    def to_tsv(self) -> str:
        return format_result(self, "tsv")

    def to_json(self) -> str:
        return format_result(self, "json")

    def to_turtle(self) -> str:
        return format_result(self, "ttl")

    def to_table(self) -> str:
        return format_result(self, "table").rstrip("\n")

    def to_dataframe(self):  # -> pandas.DataFrame, typed loosely as pandas is optional
        """The rows as a pandas DataFrame, one column per variable (needs pandas)."""
        try:
            import pandas
        except ImportError as exc:
            raise MiggraphError("to_dataframe needs pandas: pip install pandas") from exc
        return pandas.DataFrame(self.records(), columns=self.variables)


_NUMBERS: dict[str, Callable[[str], object]] = {
    XSD + name: int for name in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
        "unsignedByte")
}
_NUMBERS.update({XSD + "decimal": Decimal, XSD + "double": float, XSD + "float": float,
                 XSD + "boolean": lambda text: text.strip() in ("true", "1"),
                 XSD + "date": date.fromisoformat, XSD + "dateTime": datetime.fromisoformat})


def value(term: Term | None) -> object:
    """A term as a plain Python value: an IRI as its text, a blank node as `_:id`, a number,
    boolean or date literal as int, Decimal, float, bool or date, any other literal as its
    text (its lexical form as written, when it does not parse as its datatype)."""
    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return term.value
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    convert = _NUMBERS.get(term.datatype.value)
    if convert is None:
        return term.value
    try:
        return convert(term.value)
    except (ValueError, ArithmeticError):  # Decimal raises InvalidOperation, an ArithmeticError
        return term.value


@dataclass
class Stream:
    """The answer to one query as it comes: `items` yields rows (tuples) or triples.

    Iterating may raise MiggraphError (deadline passed, endpoint failed). `close()` stops the
    producer; call it (or exhaust `items`) when done.
    """

    kind: str
    variables: list[str] = field(default_factory=list)
    boolean: bool = False
    items: Iterator = field(default_factory=lambda: iter(()))
    close: Callable[[], None] = lambda: None

    def collect(self) -> Result:
        try:
            items = list(self.items)
        finally:
            self.close()
        if self.kind == GRAPH:
            return Result(GRAPH, triples=items)
        return Result(self.kind, self.variables, items, self.boolean)


def head_and_items(answer: object) -> tuple[Stream, Iterator]:
    """Split a pyoxigraph answer (live, or parsed from a response) into head and items."""
    if isinstance(answer, pyoxigraph.QuerySolutions):
        return Stream(SELECT, [v.value for v in answer.variables]), (tuple(s) for s in answer)
    if isinstance(answer, pyoxigraph.QueryBoolean):
        return Stream(ASK, boolean=bool(answer)), iter(())
    return Stream(GRAPH), (t.triple if isinstance(t, pyoxigraph.Quad) else t
                           for t in answer)  # type: ignore[union-attr]


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


# Literals TSV writes in Turtle's short form, as pyoxigraph's serialiser does: 3, 1.5, 1.0E3, true.
_TURTLE_SHORT = {
    XSD + "integer": re.compile(r"[+-]?\d+"),
    XSD + "decimal": re.compile(r"[+-]?\d*\.\d+"),
    XSD + "double": re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)[eE][+-]?\d+"),
    XSD + "boolean": re.compile(r"true|false"),
}


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
    short = _TURTLE_SHORT.get(value.datatype.value)
    if short is not None and short.fullmatch(value.value):
        return value.value
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
