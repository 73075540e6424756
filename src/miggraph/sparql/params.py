"""Parameters: the values a user gives a named query, parsed into RDF terms and bound.

A parameter is a one-variable `VALUES ?name { ... }` block in the query: its content is the
default. A value a user gives is parsed into one RDF term (never spliced in as text) and bound
through pyoxigraph's substitutions, or a VALUES block of the parsed terms for a remote endpoint,
so the file stays a plain query that runs as is in any SPARQL tool.

Which activities an answer counts is one such parameter, `?statusIn`: counting a plan as
participation overstates what happened, so every query and network view that counts or links
through activities has a VALUES block for it whose default is `status:held`;
`--include-planned` sets it to held and planned.
"""

from __future__ import annotations

import re

import pyoxigraph

from ..errors import MiggraphError
from ..vocab import QUERY_PREFIXES
from .results import Term

_VALUES = re.compile(r"VALUES\s+\?(\w+)\s*\{([^{}]*)\}", re.IGNORECASE)


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


# ---------------------------------------------------------------- held and planned

PARAMETER = "statusIn"
HELD = "status:held"
PLANNED = "status:planned"


def values(include_planned: bool) -> list[str]:
    """The statuses an answer covers."""
    return [HELD, PLANNED] if include_planned else [HELD]


def bind_status(text: str, include_planned: bool, name: str = "query") -> str:
    """`text` with its status parameter set; a query without one cannot take --include-planned."""
    if PARAMETER not in parameters(text):
        if include_planned:
            raise MiggraphError(f"--include-planned: {name} does not filter activities by status "
                                f"(it has no ?{PARAMETER} parameter)")
        return text
    return bind(text, {PARAMETER: values(include_planned)})
