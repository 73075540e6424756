"""The SPARQL parts of SHACL the engine runs: SPARQL targets and SPARQL-based constraints
(`sh:sparql` with `sh:select`), with `$this` pre-bound through pyoxigraph substitutions.

Queries the SHACL spec forbids for pre-binding (MINUS, SERVICE, VALUES, a sub-select, `AS $this`)
and `$shapesGraph` are refused, as are SPARQL-based targets of other kinds and ASK validators.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ...vocab import OWL
from . import paths
from .graph import Graph, Term, sh
from .shapes import refuse

if TYPE_CHECKING:
    from .engine import Result
    from .shapes import Shape

FORBIDDEN = re.compile(r"\b(?i:MINUS|SERVICE|VALUES)\b|\b(?i:AS)\s*[?$](this|currentShape|shapesGraph)\b")
PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")


class Runner:
    def __init__(self, data: ox.Store, shapes: Graph, written: Callable[[Term], Term] = lambda t: t) -> None:
        self.data = data
        self.shapes = shapes
        self.written = written

    def _prefixes(self, node: Term) -> dict[str, str]:
        found: dict[str, str] = {}
        sources, seen = list(self.shapes.objects(node, sh("prefixes"))), set()
        while sources:
            source = sources.pop()
            if source in seen:
                continue
            seen.add(source)
            sources.extend(self.shapes.objects(source, ox.NamedNode(str(OWL.imports))))
            for decl in self.shapes.objects(source, sh("declare")):
                prefix, namespace = self.shapes.value(decl, sh("prefix")), self.shapes.value(decl, sh("namespace"))
                if prefix is not None and namespace is not None:
                    found[prefix.value] = namespace.value  # type: ignore[union-attr]
        return found

    def _query(self, node: Term, shape: Term, prebound: bool = True) -> str:
        select = self.shapes.value(node, sh("select"))
        if not isinstance(select, ox.Literal):
            kind = "sh:ask" if self.shapes.value(node, sh("ask")) is not None else f"a SPARQL construct {node}"
            raise refuse(f"{kind} without sh:select", shape)
        text = select.value
        body = text[text.find("{"):]
        if prebound and (FORBIDDEN.search(text) or re.search(r"\bSELECT\b", body, re.IGNORECASE)):
            raise refuse("a SPARQL query that SHACL pre-binding does not allow (MINUS, SERVICE, VALUES, "
                         "sub-select or AS $this)", shape)
        if "$shapesGraph" in text or "?shapesGraph" in text:
            raise refuse("$shapesGraph in a SPARQL query", shape)
        return text

    def target(self, target: Term, shape: Term) -> list[Term]:
        """The focus nodes a SPARQL target (`sh:target [ sh:select ... ]`) selects."""
        query = self._query(target, shape, prebound=False)
        solutions = self.data.query(query, prefixes=self._prefixes(target))
        return [s["this"] for s in solutions if s["this"] is not None]  # type: ignore[union-attr,index]

    def constraint(self, node: Term, shape: Shape, focus: Term, values: list[Term], default: str) -> list[Result]:
        from .engine import Result, _message

        g = self.shapes
        if any(isinstance(d, ox.Literal) and d.value == "true" for d in g.objects(node, sh("deactivated"))):
            return []
        query = self._query(node, shape.node)
        if shape.path is not None:
            query = re.sub(r"\$PATH\b", shape.path.sparql(), query)
        substitutions: dict[ox.Variable, Term] = {ox.Variable("this"): focus}
        if not isinstance(focus, ox.BlankNode):  # pre-bind $this in every nested pattern too
            start = query.find("{")
            body = re.sub(r"(?i:bound)\s*\(\s*[$?]this\s*\)", "true", query[start:])
            query = query[:start] + re.sub(r"[$?]this\b", str(focus), body)
        if re.search(r"[?$]currentShape\b", query):
            substitutions[ox.Variable("currentShape")] = shape.node
        messages = [m for m in g.objects(node, sh("message")) if isinstance(m, ox.Literal)]
        template = _message(messages) if messages else default
        results: list[Result] = []
        try:
            solutions = self.data.query(query, prefixes=self._prefixes(node), substitutions=substitutions)
        except SyntaxError as exc:
            raise refuse(f"a SPARQL constraint {node} that does not parse ({exc})", shape.node) from exc
        names = [v.value for v in solutions.variables]  # type: ignore[union-attr]
        for solution in solutions:  # type: ignore[union-attr]
            row = {name: None if solution[name] is None else self.written(solution[name]) for name in names}
            path = row.get("path")
            where = paths.Path("pred", pred=path) if isinstance(path, ox.NamedNode) else shape.path
            value = row.get("value") or focus
            text = _fill(template, row)
            results.append(Result(focus, where, value, shape.severity, shape.node,
                                  "SPARQLConstraintComponent", text, source_constraint=node))
        return results


def _fill(template: str, row: dict[str, Term | None]) -> str:
    """Replace {?var} and {$var} in a message with the row's values."""
    def word(match: re.Match[str]) -> str:
        term = row.get(match.group(1))
        return term.value if term is not None else match.group(0)
    return PLACEHOLDER.sub(word, template)
