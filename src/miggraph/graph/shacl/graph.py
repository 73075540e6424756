"""Read access to a pyoxigraph store: objects, subjects, RDF lists, and per-predicate indexes.

Indexes are built lazily, one per predicate (subject -> objects and object -> subjects), so an
engine that asks for the same predicate on many nodes pays one store scan instead of one
lookup per node.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from ... import vocab
from ...errors import MiggraphError

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Node = ox.NamedNode | ox.BlankNode

RDF, RDFS, XSD, SH = str(vocab.RDF), str(vocab.RDFS), str(vocab.XSD), str(vocab.SH)

TYPE = ox.NamedNode(RDF + "type")
SUBCLASS = ox.NamedNode(RDFS + "subClassOf")
FIRST, REST, NIL = ox.NamedNode(RDF + "first"), ox.NamedNode(RDF + "rest"), ox.NamedNode(RDF + "nil")


# (subject, predicate, literal as the store keeps it) -> the literal as written
AsWritten = dict[tuple[Term, Term, Term], Term]


# Lexical forms pyoxigraph keeps unchanged; other numbers and booleans may be rewritten.
CANONICAL = {
    XSD + "integer": re.compile(r"^-?(0|[1-9][0-9]*)$"),
    XSD + "decimal": re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$"),
    XSD + "boolean": re.compile(r"^(true|false)$"),
}
REWRITTEN = {XSD + n for n in ("integer", "decimal", "boolean", "double", "float", "long", "int", "short",
                               "byte", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
                               "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}


def load(store: ox.Store, path: str, fmt: ox.RdfFormat, base_iri: str, as_written: AsWritten) -> None:
    """Load a file into `store`, noting the literals the store would rewrite.

    pyoxigraph stores numbers and booleans by value ("91.0"^^xsd:decimal comes back as "91",
    "300"^^xsd:byte as "300"^^xsd:integer); SHACL must see them as written, so `as_written`
    maps the stored form back to the written one. N-Triples (large built graphs) load in Rust and
    only the lines with a suspicious typed literal are parsed again; Turtle is parsed triple by
    triple.
    """
    if fmt == ox.RdfFormat.N_TRIPLES:
        store.load(path=path, format=fmt, base_iri=base_iri)
        _scan_ntriples(path, as_written)
        return
    stored_as: dict[ox.Literal, ox.Literal] = {}
    batch: list[ox.Quad] = []
    with open(path, "rb") as stream:
        for triple in ox.parse(stream, format=fmt, base_iri=base_iri):  # type: ignore[arg-type]
            _note(triple, stored_as, as_written)
            batch.append(ox.Quad(triple.subject, triple.predicate, triple.object))
            if len(batch) >= 100_000:
                store.extend(batch)
                batch = []
    store.extend(batch)


def _note(triple: ox.Triple, stored_as: dict[ox.Literal, ox.Literal], as_written: AsWritten) -> None:
    from .literals import well_formed

    obj = triple.object
    if not isinstance(obj, ox.Literal) or obj.datatype.value not in REWRITTEN:
        return
    canonical = CANONICAL.get(obj.datatype.value)
    if canonical is not None and canonical.match(obj.value) and well_formed(obj):
        return
    if obj not in stored_as:
        probe = ox.Store()
        probe.add(ox.Quad(triple.subject, triple.predicate, obj))
        stored_as[obj] = next(iter(probe)).object  # type: ignore[assignment]
    if stored_as[obj] != obj:
        as_written[(triple.subject, triple.predicate, stored_as[obj])] = obj


TYPED_NT = re.compile(rb'"((?:[^"\\\n]|\\.)*)"\^\^<http://www\.w3\.org/2001/XMLSchema#(\w+)>')
# The datatype suffixes of the literals the store may rewrite: finding these first is ten times
# faster than matching every typed literal.
REWRITTEN_NT = re.compile(rb"\^\^<http://www\.w3\.org/2001/XMLSchema#(" +
                          "|".join(sorted(d[len(XSD):] for d in REWRITTEN)).encode() + rb")>")


def _scan_ntriples(path: str, as_written: AsWritten) -> None:
    """Find the typed literals of an N-Triples file the store may have rewritten."""
    stored_as: dict[ox.Literal, ox.Literal] = {}
    with open(path, "rb") as stream:
        rest = b""
        while True:
            chunk = stream.read(1 << 24)
            data = rest + chunk
            cut = data.rfind(b"\n") + 1 if chunk else len(data)
            block, rest = data[:cut], data[cut:]
            for suffix in REWRITTEN_NT.finditer(block):
                start = block.rfind(b"\n", 0, suffix.start()) + 1
                end = block.find(b"\n", suffix.end())
                line = block[start:end if end >= 0 else len(block)]
                match = TYPED_NT.search(line)
                if match is None:
                    continue
                datatype, lexical = XSD + match.group(2).decode(), match.group(1)
                pattern = CANONICAL.get(datatype)
                if pattern is not None and b"\\" not in lexical and pattern.match(lexical.decode()):
                    continue
                for triple in ox.parse(line, format=ox.RdfFormat.N_TRIPLES):
                    _note(triple, stored_as, as_written)  # type: ignore[arg-type]
            if not chunk:
                break


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
        self._supers: dict[Term, set[Term]] = {}
        self._objects: dict[tuple[Term, ox.NamedNode], list[Term]] = {}
        self._subjects: dict[tuple[ox.NamedNode, Term], list[Term]] = {}
        self._stored = {written: stored for (_s, _p, stored), written in self.as_written.items()}
        self._written = {stored: written for (_s, _p, stored), written in self.as_written.items()}

    def as_written_term(self, term: Term) -> Term:
        """A term a SPARQL query returned, as the data wrote it (see `load`)."""
        return self._written.get(term, term) if self._written else term

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
        if self.store is None:
            if predicate not in self._out:
                self._index(predicate)
            return self._out[predicate].get(subject, [])
        key = (subject, predicate)
        if key not in self._objects:  # a store answers one node at a time, as fast as an index
            if isinstance(subject, ox.Literal):
                found: list[Term] = []
            else:
                fixes = self.as_written
                found = [fixes.get((q.subject, q.predicate, q.object), q.object) if fixes else q.object
                         for q in self.store.quads_for_pattern(subject, predicate, None, ox.DefaultGraph())]
            self._objects[key] = found
        return self._objects[key]

    def subjects(self, predicate: ox.NamedNode, obj: Term) -> list[Term]:
        if self.store is None:
            if predicate not in self._in:
                self._index(predicate)
            return self._in[predicate].get(obj, [])
        key = (predicate, obj)
        if key not in self._subjects:
            stored = self._stored.get(obj, obj)
            self._subjects[key] = [q.subject for q in self.store.quads_for_pattern(
                None, predicate, stored, ox.DefaultGraph())]
        return self._subjects[key]

    def all_subjects(self, predicate: ox.NamedNode) -> list[Term]:
        if self.store is None:
            if predicate not in self._out:
                self._index(predicate)
            return list(self._out[predicate])
        return list(dict.fromkeys(q.subject for q in self.store.quads_for_pattern(
            None, predicate, None, ox.DefaultGraph())))

    def all_objects(self, predicate: ox.NamedNode) -> list[Term]:
        if self.store is None:
            if predicate not in self._in:
                self._index(predicate)
            return list(self._in[predicate])
        fixes = self.as_written
        return list(dict.fromkeys(fixes.get((q.subject, q.predicate, q.object), q.object) if fixes else q.object
                                  for q in self.store.quads_for_pattern(None, predicate, None, ox.DefaultGraph())))

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
        if cls not in self._supers:
            found, todo = {cls}, [cls]
            while todo:
                for parent in self.objects(todo.pop(), SUBCLASS):
                    if parent not in found:
                        found.add(parent)
                        todo.append(parent)
            self._supers[cls] = found
        return self._supers[cls]

    def subclasses(self, cls: Term) -> set[Term]:
        """`cls` and all the classes below it (rdfs:subClassOf*)."""
        classes, todo = {cls}, [cls]
        while todo:
            for child in self.subjects(SUBCLASS, todo.pop()):
                if child not in classes:
                    classes.add(child)
                    todo.append(child)
        return classes

    def instances(self, cls: Term) -> frozenset[Term]:
        """The SHACL instances of `cls`: typed with it or one of its subclasses."""
        if cls not in self._instances:
            classes = self.subclasses(cls)
            self._instances[cls] = frozenset(n for c in classes for n in self.subjects(TYPE, c))
        return self._instances[cls]

    def is_instance(self, node: Term, cls: Term) -> bool:
        return any(cls in self.superclasses(t) for t in self.objects(node, TYPE))
