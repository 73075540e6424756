"""Candidate focus nodes: a SPARQL query per shape that finds every node that MAY violate it.

On a large graph most focus nodes conform, and materialising every triple in Python is what makes
a pure-Python engine slow. So each shape is translated into a SPARQL boolean expression that is
true for every node that might not conform (a superset: sound, not necessarily exact), pyoxigraph
evaluates it over all targets at once, and the exact checks of engine.py then run only on the
candidates. A construct without a translation makes the expression unknown (None): the engine then
checks every focus node of that shape, as it would without this module. The W3C suite and the
differential tests run through this path, so an unsound translation shows up there.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import pyoxigraph as ox

from .graph import RDF, XSD, Graph, Term, sh
from .shapes import Shape, Shapes

# (expression, exact, blocks): exact means "true if and only if the node does not conform";
# blocks are the OPTIONAL sub-selects binding the flags the expression tests. (pyoxigraph runs
# FILTER EXISTS once per row, about a thousand times slower than joining a sub-select once.)
Expr = tuple[str, bool, tuple[str, ...]] | None

TRUE: Expr = ("true", True, ())
FALSE: Expr = ("false", True, ())
# Lexical forms certainly well-formed (days above 28 are left to the exact check).
SAFE = {
    "integer": r"^[+-]?[0-9]+$",
    "decimal": r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$",
    "boolean": r"^(true|false|1|0)$",
    "date": r"^-?[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9])?$",
    "gYear": r"^-?[0-9]{4}(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9])?$",
    "gYearMonth": r"^-?[0-9]{4}-(0[1-9]|1[0-2])(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9])?$",
    "double": r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$",
    "float": r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$",
    "string": r"",
}
SIMPLE_REGEX = re.compile(r"[\w\s^$\[\].\-()|?*+{},:/#@!=<>'\"\\]*")


def _term(term: Term) -> str | None:
    return None if isinstance(term, ox.BlankNode) else str(term)


def _join(parts: list[Expr], op: str, empty: Expr) -> Expr:
    if any(p is None for p in parts):
        return None
    if not parts:
        return empty
    blocks = tuple(b for p in parts for b in p[2])  # type: ignore[index]
    return "(" + f" {op} ".join(p[0] for p in parts) + ")", all(p[1] for p in parts), blocks  # type: ignore[index]


def _any(parts: list[Expr]) -> Expr:
    return _join(parts, "||", FALSE)


def _all(parts: list[Expr]) -> Expr:
    return _join(parts, "&&", TRUE)


class Prefilter:
    def __init__(self, shapes: Shapes, data: Graph) -> None:
        self.shapes = shapes
        self.graph: Graph = shapes.graph
        self.data = data
        self.counter = itertools.count()

    def exists(self, v: str, body: str, inner: Expr = TRUE, negate: bool = False, exact: bool = True) -> Expr:
        """EXISTS { body FILTER(inner) } about `v`, as a flag bound by a joined sub-select."""
        if inner is None:
            return None
        flag = self.var()
        where = " ".join((body, *inner[2])) + (f" FILTER({inner[0]})" if inner[0] != "true" else "")
        block = f"OPTIONAL {{ SELECT DISTINCT {v} (true AS {flag}) WHERE {{ {where} }} }}"
        return (f"!BOUND({flag})" if negate else f"BOUND({flag})"), exact and inner[1], (block,)

    def counted(self, v: str, a: str, body: str, op: str, n: int, inner: Expr = TRUE, negate: bool = False) -> Expr:
        """Whether `v` has (or, negated, has not) COUNT(DISTINCT a) op n rows of `body`, as a flag."""
        if inner is None:
            return None
        flag = self.var()
        where = " ".join((body, *inner[2])) + (f" FILTER({inner[0]})" if inner[0] != "true" else "")
        block = (f"OPTIONAL {{ SELECT {v} (true AS {flag}) WHERE {{ {where} }} GROUP BY {v} "
                 f"HAVING (COUNT(DISTINCT {a}) {op} {n}) }}")
        return (f"!BOUND({flag})" if negate else f"BOUND({flag})"), inner[1], (block,)

    def typed(self, x: str, cls: Term) -> str | None:
        """A pattern: `x` is a SHACL instance of `cls` (its subclasses listed, no path to follow)."""
        classes = [_term(c) for c in self.data.subclasses(cls)]
        if any(c is None for c in classes):
            return None
        t = self.var()
        return f"{x} <{RDF}type> {t} . VALUES {t} {{ {' '.join(classes)} }}"  # type: ignore[arg-type]

    def var(self) -> str:
        return f"?pf{next(self.counter)}"

    # ------------------------------------------------------------------ shapes

    def bad(self, node: Term, v: str, depth: int = 0) -> Expr:
        """An expression true for every `v` that may not conform to the shape `node`."""
        if depth > 8:
            return None
        shape = self.shapes.get(node)
        if shape.deactivated:
            return FALSE
        parts: list[Expr] = []
        if shape.path is None:
            for name, arg in shape.constraints:
                parts.append(self.value_bad(shape, name, arg, v, depth))
            return _any(parts)
        path = shape.path.sparql()
        x = self.var()
        value_parts: list[Expr] = []
        for name, arg in shape.constraints:
            count = self.count_bad(shape, name, arg, v, path, depth)
            if count is not NotImplemented:
                parts.append(count)  # type: ignore[arg-type]
            else:
                value_parts.append(self.value_bad(shape, name, arg, x, depth))
        if value_parts:
            parts.append(self.exists(v, f"{v} {path} {x} .", _any(value_parts)))
        return _any(parts)

    def count_bad(self, shape: Shape, name: str, arg: Term, v: str, path: str, depth: int) -> Expr | object:
        a, b = self.var(), self.var()
        if name == "minCount":
            n = int(arg.value)  # type: ignore[union-attr]
            return FALSE if n == 0 else self.counted(v, a, f"{v} {path} {a} .", ">=", n, negate=True)
        if name == "maxCount":
            return self.counted(v, a, f"{v} {path} {a} .", ">", int(arg.value))  # type: ignore[union-attr]
        if name == "hasValue":
            term = _term(arg)
            return None if term is None else self.exists(v, f"{v} {path} {term} .", negate=True)
        if name == "uniqueLang":
            if not (isinstance(arg, ox.Literal) and arg.value == "true"):
                return FALSE
            flag, lang = self.var(), self.var()
            block = (f"OPTIONAL {{ SELECT DISTINCT {v} (true AS {flag}) WHERE {{ {{ SELECT {v} WHERE {{ "
                     f'{v} {path} {a} FILTER(lang({a}) != "") BIND(LCASE(lang({a})) AS {lang}) }} '
                     f"GROUP BY {v} {lang} HAVING (COUNT(DISTINCT {a}) > 1) }} }} }}")
            return f"BOUND({flag})", True, (block,)
        if name in ("lessThan", "lessThanOrEquals"):
            op = "<" if name == "lessThan" else "<="
            return self.exists(v, f"{v} {path} {a} . {v} {arg} {b} .",
                               (f"!COALESCE({a} {op} {b}, false)", True, ()), exact=False)
        if name == "disjoint":
            return self.exists(v, f"{v} {path} {a} . {v} {arg} {a} .")
        if name == "qualifiedValueShape":
            return self.qualified(shape, arg, v, path, depth)
        if name in ("equals", "closed", "sparql"):
            return None
        return NotImplemented

    def qualified(self, shape: Shape, arg: Term, v: str, path: str, depth: int) -> Expr:
        g = self.graph
        if any(isinstance(d, ox.Literal) and d.value == "true"
               for d in g.objects(shape.node, sh("qualifiedValueShapesDisjoint"))):
            return None
        a = self.var()
        bad_a = self.bad(arg, a, depth + 1)
        if bad_a is None or not bad_a[1]:
            return None
        ok_a: Expr = (f"!{bad_a[0]}", True, bad_a[2])
        parts: list[Expr] = []
        low, high = g.value(shape.node, sh("qualifiedMinCount")), g.value(shape.node, sh("qualifiedMaxCount"))
        if low is not None and int(low.value) > 0:  # type: ignore[union-attr]
            parts.append(self.counted(v, a, f"{v} {path} {a} .", ">=", int(low.value), ok_a, negate=True))  # type: ignore[union-attr]
        if high is not None:
            parts.append(self.counted(v, a, f"{v} {path} {a} .", ">", int(high.value), ok_a))  # type: ignore[union-attr]
        return _any(parts)

    # ------------------------------------------------------------------ one value node

    def value_bad(self, shape: Shape, name: str, arg: Term, x: str, depth: int) -> Expr:
        handler: Callable[[Shape, Term, str, int], Expr] | None = getattr(self, f"_{name}", None)
        return None if handler is None else handler(shape, arg, x, depth)

    def _class(self, shape: Shape, arg: Term, x: str, depth: int) -> Expr:
        typed = self.typed(x, arg)
        return None if typed is None else self.exists(x, typed, negate=True)

    def _datatype(self, shape: Shape, arg: Term, x: str, depth: int) -> Expr:
        iri = arg.value  # type: ignore[union-attr]
        if iri == RDF + "langString":
            return f'(!isLiteral({x}) || lang({x}) = "")', True, ()
        wrong = f'(!isLiteral({x}) || lang({x}) != "" || datatype({x}) != <{iri}>)'
        if not iri.startswith(XSD):
            return wrong, True, ()
        safe = SAFE.get(iri[len(XSD):])
        if safe is None:
            return None
        escaped = safe.replace("\\", "\\\\")
        return (wrong if not safe else f'({wrong} || !REGEX(STR({x}), "{escaped}"))'), False, ()

    def _nodeKind(self, shape: Shape, arg: Term, x: str, depth: int) -> Expr:
        ok = {"IRI": f"isIRI({x})", "BlankNode": f"isBlank({x})", "Literal": f"isLiteral({x})",
              "BlankNodeOrIRI": f"!isLiteral({x})", "BlankNodeOrLiteral": f"!isIRI({x})",
              "IRIOrLiteral": f"!isBlank({x})"}.get(arg.value.rsplit("#", 1)[-1])  # type: ignore[union-attr]
        return None if ok is None else (f"!({ok})", True, ())

    def _compare(self, x: str, op: str, arg: Term) -> Expr:
        term = _term(arg)
        return None if term is None else (f"!COALESCE({x} {op} {term}, false)", False, ())

    def _minInclusive(self, shape: Shape, arg: Term, x: str, depth: int) -> Expr:
        return self._compare(x, ">=", arg)

    def _minExclusive(self, shape: Shape, arg: Term, x: str, depth: int) -> Expr:
        return self._compare(x, ">", arg)

    def _maxInclusive(self, shape: Shape, arg: Term, x: str, depth: int) -> Expr:
        return self._compare(x, "<=", arg)

    def _maxExclusive(self, shape: Shape, arg: Term, x: str, depth: int) -> Expr:
        return self._compare(x, "<", arg)

    def _minLength(self, shape: Shape, arg: Term, x: str, depth: int) -> Expr:
        return f"(isBlank({x}) || STRLEN(STR({x})) < {int(arg.value)})", True, ()  # type: ignore[union-attr]

    def _maxLength(self, shape: Shape, arg: Term, x: str, depth: int) -> Expr:
        return f"(isBlank({x}) || STRLEN(STR({x})) > {int(arg.value)})", True, ()  # type: ignore[union-attr]

    def _pattern(self, shape: Shape, arg: Term, x: str, depth: int) -> Expr:
        pattern = arg.value  # type: ignore[union-attr]
        flags = self.graph.value(shape.node, sh("flags"))
        if not SIMPLE_REGEX.fullmatch(pattern) or "(?" in pattern or "\\p" in pattern:
            return None
        prefix = re.fullmatch(r"\^((?:[\w:/\-#~]|\[\.\]|\\\.)+)", pattern)
        if prefix and not isinstance(flags, ox.Literal):  # "^https://w3id[.]org/" as a fast prefix test
            text = prefix.group(1).replace("[.]", ".").replace("\\.", ".")
            return f'(isBlank({x}) || !STRSTARTS(STR({x}), "{text}"))', True, ()
        escaped = pattern.replace("\\", "\\\\").replace('"', '\\"')
        flag = f', "{flags.value}"' if isinstance(flags, ox.Literal) else ""
        return f'(isBlank({x}) || !REGEX(STR({x}), "{escaped}"{flag}))', True, ()

    def _languageIn(self, shape: Shape, arg: Term, x: str, depth: int) -> Expr:
        ranges = [r.value for r in self.graph.items(arg, f"sh:languageIn of {shape.node}")]  # type: ignore[union-attr]
        if any('"' in r or "\\" in r for r in ranges):
            return None
        ok = " || ".join(f'langMatches(lang({x}), "{r}")' for r in ranges) or "false"
        return f'(!isLiteral({x}) || lang({x}) = "" || !({ok}))', True, ()

    def _in(self, shape: Shape, arg: Term, x: str, depth: int) -> Expr:
        members = [_term(m) for m in self.graph.items(arg, f"sh:in of {shape.node}")]
        if any(m is None for m in members):
            return None
        same = " || ".join(f"sameTerm({x}, {m})" for m in members) or "false"
        return f"!({same})", True, ()

    def _hasValue(self, shape: Shape, arg: Term, x: str, depth: int) -> Expr:
        term = _term(arg)
        return None if term is None else (f"!sameTerm({x}, {term})", True, ())

    def _not(self, shape: Shape, arg: Term, x: str, depth: int) -> Expr:
        inner = self.bad(arg, x, depth + 1)
        return None if inner is None or not inner[1] else (f"!{inner[0]}", True, inner[2])

    def _members(self, shape: Shape, arg: Term, x: str, depth: int, name: str) -> list[Expr]:
        return [self.bad(m, x, depth + 1) for m in self.graph.items(arg, f"sh:{name} of {shape.node}")]

    def _and(self, shape: Shape, arg: Term, x: str, depth: int) -> Expr:
        return _any(self._members(shape, arg, x, depth, "and"))

    def _or(self, shape: Shape, arg: Term, x: str, depth: int) -> Expr:
        return _all(self._members(shape, arg, x, depth, "or"))

    def _node(self, shape: Shape, arg: Term, x: str, depth: int) -> Expr:
        return self.bad(arg, x, depth + 1)

    def _property(self, shape: Shape, arg: Term, x: str, depth: int) -> Expr:
        return self.bad(arg, x, depth + 1)


def target_pattern(prefilter: Prefilter, shape: Shape, implicit: bool) -> str | None:
    """A SPARQL group binding ?this to each focus node of `shape`, or None if not expressible."""
    graph = prefilter.graph
    parts: list[str] = []
    classes = list(graph.objects(shape.node, sh("targetClass"))) + ([shape.node] if implicit else [])
    for cls in classes:
        typed = prefilter.typed("?this", cls)
        if typed is None:
            return None
        parts.append(typed)
    for node in graph.objects(shape.node, sh("targetNode")):
        term = _term(node)
        if term is None or isinstance(node, ox.Literal):  # the store may rewrite a literal
            return None
        parts.append(f"VALUES ?this {{ {term} }}")
    for prop in graph.objects(shape.node, sh("targetSubjectsOf")):
        parts.append(f"?this {prop} [] .")
    for prop in graph.objects(shape.node, sh("targetObjectsOf")):
        parts.append(f"[] {prop} ?this .")
    if graph.objects(shape.node, sh("target")):
        return None
    if not parts:
        return None
    return " UNION ".join(f"{{ {p} }}" for p in parts)


def candidates(store: ox.Store, prefilter: Prefilter, shape: Shape, implicit: bool) -> list[Term] | None:
    """The focus nodes of `shape` that may violate it, or None to check every focus node."""
    pattern = target_pattern(prefilter, shape, implicit)
    if pattern is None:
        return None
    expr = prefilter.bad(shape.node, "?this")
    if expr is None:
        return None
    blocks = " ".join(expr[2])
    query = (f"SELECT DISTINCT ?this WHERE {{ {{ SELECT DISTINCT ?this WHERE {{ {pattern} }} }} {blocks} "
             f"FILTER({expr[0]}) }}")
    return [s["this"] for s in store.query(query)]  # type: ignore[index,union-attr]


INF = 1_000


def path_length(path: object) -> int:
    """How many triples a path crosses at most (INF for * and +)."""
    kind, parts = path.kind, path.parts  # type: ignore[attr-defined]
    if kind == "pred":
        return 1
    if kind == "seq":
        return sum(path_length(p) for p in parts)
    if kind in ("alt", "inv", "opt"):
        return max(path_length(p) for p in parts)
    return INF


def reach(shapes: Shapes, node: Term, seen: frozenset[Term] = frozenset()) -> int:
    """How many triples away from a focus node checking `node` may look (INF if unbounded)."""
    if node in seen:
        return INF
    shape = shapes.get(node)
    own = path_length(shape.path) if shape.path is not None else 0
    nested = 1 if any(name in ("equals", "disjoint", "lessThan", "lessThanOrEquals", "closed", "sparql")
                      for name, _ in shape.constraints) else 0
    if any(name == "sparql" for name, _ in shape.constraints):
        return INF
    for member in shapes.nested(shape):
        nested = max(nested, reach(shapes, member, seen | {node}))
    return min(INF, own + nested)


def near(graph: Graph, start: set[Term], hops: int) -> set[Term]:
    """`start` and every node within `hops` triples of it, in either direction."""
    found, frontier = set(start), set(start)
    store = graph.store
    assert store is not None
    for _ in range(hops):
        step: set[Term] = set()
        for node in frontier:
            if isinstance(node, ox.Literal):
                continue
            step.update(q.object for q in store.quads_for_pattern(node, None, None, ox.DefaultGraph())
                        if not isinstance(q.object, ox.Literal))
            step.update(q.subject for q in store.quads_for_pattern(None, None, node, ox.DefaultGraph()))
        frontier = step - found
        found |= frontier
    return found
