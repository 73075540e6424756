"""Read access to a pyoxigraph store: objects, subjects, RDF lists, and per-predicate indexes.

Indexes are built lazily, one per predicate (subject -> objects and object -> subjects), so an
engine that asks for the same predicate on many nodes pays one store scan instead of one
lookup per node.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from ..errors import MiggraphError

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Node = ox.NamedNode | ox.BlankNode

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SH = "http://www.w3.org/ns/shacl#"

TYPE = ox.NamedNode(RDF + "type")
SUBCLASS = ox.NamedNode(RDFS + "subClassOf")
FIRST, REST, NIL = ox.NamedNode(RDF + "first"), ox.NamedNode(RDF + "rest"), ox.NamedNode(RDF + "nil")


# (subject, predicate, literal as the store keeps it) -> the literal as written
AsWritten = dict[tuple[Term, Term, Term], Term]


def load(store: ox.Store, path: str, fmt: ox.RdfFormat, base_iri: str, as_written: AsWritten) -> None:
    """Load a file into `store`, noting the ill-formed literals the store would rewrite.

    pyoxigraph stores some typed literals by value ("300"^^xsd:byte becomes "300"^^xsd:integer);
    SHACL must see them as written, so `as_written` maps the stored form back.
    """
    from .literals import well_formed

    batch: list[ox.Quad] = []
    with open(path, "rb") as stream:
        for triple in ox.parse(stream, format=fmt, base_iri=base_iri):  # type: ignore[arg-type]
            obj = triple.object
            if isinstance(obj, ox.Literal) and obj.datatype.value.startswith(XSD) and not well_formed(obj):
                probe = ox.Store()
                probe.add(ox.Quad(triple.subject, triple.predicate, obj))
                stored = next(iter(probe)).object
                if stored != obj:
                    as_written[(triple.subject, triple.predicate, stored)] = obj
            batch.append(ox.Quad(triple.subject, triple.predicate, obj))
            if len(batch) >= 100_000:
                store.extend(batch)
                batch = []
    store.extend(batch)


def sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(SH + name)


class Graph:
    """One RDF graph, a store's default graph or a list of triples, with cached predicate indexes.

    A pyoxigraph store keeps canonical forms of some literals ("1"^^xsd:boolean becomes "true"),
    so the shapes graph, where such details matter, is read as parsed triples instead.
    """

    def __init__(self, store: ox.Store | None = None, triples: list[ox.Triple] | None = None,
                 as_written: AsWritten | None = None) -> None:
        self.store = store
        self.triples = triples
        self.as_written = as_written or {}
        self._out: dict[ox.NamedNode, dict[Term, list[Term]]] = {}
        self._in: dict[ox.NamedNode, dict[Term, list[Term]]] = {}
        self._instances: dict[Term, frozenset[Term]] = {}

    def _index(self, predicate: ox.NamedNode) -> None:
        out: dict[Term, list[Term]] = defaultdict(list)
        inv: dict[Term, list[Term]] = defaultdict(list)
        fixes = self.as_written
        for quad in self._pattern(None, predicate):
            obj = fixes.get((quad.subject, quad.predicate, quad.object), quad.object) if fixes else quad.object
            out[quad.subject].append(obj)
            inv[obj].append(quad.subject)
        self._out[predicate], self._in[predicate] = dict(out), dict(inv)

    def _pattern(self, subject: Term | None, predicate: ox.NamedNode | None) -> Iterable[ox.Triple | ox.Quad]:
        if self.store is not None:
            return self.store.quads_for_pattern(subject, predicate, None, ox.DefaultGraph())
        assert self.triples is not None
        return [t for t in self.triples if (subject is None or t.subject == subject)
                and (predicate is None or t.predicate == predicate)]

    def objects(self, subject: Term, predicate: ox.NamedNode) -> list[Term]:
        if predicate not in self._out:
            self._index(predicate)
        return self._out[predicate].get(subject, [])

    def subjects(self, predicate: ox.NamedNode, obj: Term) -> list[Term]:
        if predicate not in self._in:
            self._index(predicate)
        return self._in[predicate].get(obj, [])

    def all_subjects(self, predicate: ox.NamedNode) -> list[Term]:
        if predicate not in self._out:
            self._index(predicate)
        return list(self._out[predicate])

    def all_objects(self, predicate: ox.NamedNode) -> list[Term]:
        if predicate not in self._in:
            self._index(predicate)
        return list(self._in[predicate])

    def value(self, subject: Term, predicate: ox.NamedNode) -> Term | None:
        found = self.objects(subject, predicate)
        return found[0] if found else None

    def outgoing(self, subject: Term) -> list[tuple[ox.NamedNode, Term]]:
        if isinstance(subject, ox.Literal):
            return []
        fixes = self.as_written
        return [(q.predicate, fixes.get((q.subject, q.predicate, q.object), q.object) if fixes else q.object)
                for q in self._pattern(subject, None)]

    def items(self, head: Term, where: str) -> list[Term]:
        """The members of the RDF list starting at `head`."""
        members: list[Term] = []
        seen: set[Term] = set()
        while head != NIL:
            first = self.value(head, FIRST)
            if first is None or head in seen:
                raise MiggraphError(f"{where}: not a well-formed RDF list")
            seen.add(head)
            members.append(first)
            head = self.value(head, REST) or NIL
        return members

    def superclasses(self, cls: Term) -> set[Term]:
        """`cls` and all its rdfs:subClassOf ancestors."""
        found, todo = {cls}, [cls]
        while todo:
            for parent in self.objects(todo.pop(), SUBCLASS):
                if parent not in found:
                    found.add(parent)
                    todo.append(parent)
        return found

    def instances(self, cls: Term) -> frozenset[Term]:
        """The SHACL instances of `cls`: typed with it or one of its subclasses."""
        if cls not in self._instances:
            classes, todo = {cls}, [cls]
            while todo:
                for child in self.subjects(SUBCLASS, todo.pop()):
                    if child not in classes:
                        classes.add(child)
                        todo.append(child)
            self._instances[cls] = frozenset(n for c in classes for n in self.subjects(TYPE, c))
        return self._instances[cls]

    def is_instance(self, node: Term, cls: Term) -> bool:
        return node in self.instances(cls)
