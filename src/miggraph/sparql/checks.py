"""Checks on a query's text before it runs: is it a query at all, is it well formed, does it call
another endpoint (SERVICE), and which of our prefixes it leaves undeclared.

pyoxigraph's parser gives a line and column; `malformed` turns that into one line naming the
place of the mistake (exit 2), before anything is sent to a store.
"""

from __future__ import annotations

import re

import pyoxigraph

from ..errors import MiggraphError
from ..vocab import QUERY_PREFIXES
from .results import ASK, GRAPH, SELECT

_ERROR_AT = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
_UPDATE = re.compile(r"(?i)(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b")
_PROLOGUE = re.compile(r"(?is)\s*(?:#[^\n]*|PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>)")


def _after_prologue(text: str) -> str:
    """`text` without its leading comments and PREFIX/BASE declarations."""
    position = 0
    while match := _PROLOGUE.match(text, position):
        if match.end() == position:
            break
        position = match.end()
    return text[position:].lstrip()


def is_update(query: str) -> bool:
    """Whether `query` is a SPARQL update (INSERT, DELETE, LOAD, CLEAR...), not a query."""
    return bool(_UPDATE.match(_after_prologue(query)))


def _mistake_position(text: str, line: int, column: int) -> tuple[int, int]:
    """Where the mistake is: the parser points where it gave up, which after a missing term is
    the next token, often lines below; step back over blank space and comments to the last
    token before it."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return line, column
    offset = sum(len(x) + 1 for x in lines[: line - 1]) + max(column - 1, 0)
    before = text[:offset]
    stripped = re.sub(r"(?:\s|#[^\n]*\n)+$", "", before + "\n") if before.strip() else before
    if len(stripped) == len(before) or "\n" not in before[len(stripped):]:
        return line, column  # the error is on the line of the last token already
    token = re.search(r"\S+$", stripped)
    start = token.start() if token else len(stripped)
    line = stripped.count("\n", 0, start) + 1
    column = start - (stripped.rfind("\n", 0, start) + 1) + 1
    return line, column


def malformed(exc: SyntaxError, source: str = "query", text: str | None = None) -> MiggraphError:
    """The parser's message as a one-line error with the line and column of the mistake."""
    message_text = str(exc.msg if exc.msg else exc)
    match = _ERROR_AT.search(message_text)
    if match:
        line, column, message = int(match.group(1)), int(match.group(2)), match.group(3)
        if text is not None:
            line, column = _mistake_position(text, line, column)
        return MiggraphError(f"malformed query: {' '.join(message.split())}",
                             location=f"{source}:{line}:{column}")
    return MiggraphError(f"malformed query: {' '.join(message_text.split())}", location=source)


_EMPTY = pyoxigraph.Store()


def check_query(query: str, source: str = "query") -> str:
    """Parse `query` (on an empty store, which costs nothing) and say what it returns.

    Refuses updates (exit 2): the query commands never change a store.
    """
    if is_update(query):
        raise MiggraphError("this is a SPARQL update (INSERT, DELETE, LOAD...); updates are not "
                            "accepted here, only SELECT, ASK, CONSTRUCT and DESCRIBE",
                            location=source)
    try:
        answer = _EMPTY.query(_with_service_unreachable(query), prefixes=QUERY_PREFIXES)
    except SyntaxError as exc:
        raise malformed(exc, source, query) from exc
    if isinstance(answer, pyoxigraph.QuerySolutions):
        return SELECT
    if isinstance(answer, pyoxigraph.QueryBoolean):
        return ASK
    return GRAPH


query_kind = check_query


_NOT_KEYWORDS = re.compile(
    r'"""(?:[^\\]|\\.)*?"""|\'\'\'(?:[^\\]|\\.)*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r"|<[^<>\s]*>|#[^\n]*", re.DOTALL)
_SERVICE = re.compile(r"(?i)(?<![\w:?$.-])SERVICE(?![\w:.-])(\s+SILENT(?![\w:.-]))?")


def _service_clauses(query: str) -> list[re.Match[str]]:
    """The SERVICE keywords of `query`, outside strings, IRIs and comments."""
    bare = _NOT_KEYWORDS.sub(lambda m: " " * len(m.group(0)), query)
    return list(_SERVICE.finditer(bare))


def uses_service(query: str) -> bool:
    """Whether `query` has a SERVICE clause."""
    return bool(_service_clauses(query))


def _with_service_unreachable(query: str) -> str:
    """`query` with each SERVICE written as GRAPH (same grammar, same positions), so that
    checking it on the empty store never calls another endpoint (ASK is evaluated at once)."""
    for match in reversed(_service_clauses(query)):
        query = query[: match.start()] + "GRAPH".ljust(len(match.group(0))) + query[match.end():]
    return query


def missing_prefixes(query: str) -> dict[str, str]:
    """The default prefixes (`vocab.QUERY_PREFIXES`) that `query` uses but does not declare,
    with the namespaces miggraph gives them."""
    declared = {m.lower() for m in re.findall(r"(?i)\bPREFIX\s+([\w.-]*):", query)}
    return {p: ns for p, ns in QUERY_PREFIXES.items()
            if p.lower() not in declared and re.search(rf"(?<![\w<]){re.escape(p)}:", query)}


def with_prefixes(query: str) -> str:
    """`query` with PREFIX lines for the default prefixes it uses but does not declare.

    Remote endpoints know none of our prefixes; the lines go first, on one line, so that a
    server's error positions are off by one line at most. An endpoint may predeclare one of
    these names for another namespace (Wikidata's `schema:` is http://schema.org/): the
    command line says which it added (`missing_prefixes`), and a PREFIX line in the query wins.
    """
    missing = [f"PREFIX {p}: <{ns}>" for p, ns in missing_prefixes(query).items()]
    return (" ".join(missing) + "\n" + query) if missing else query
