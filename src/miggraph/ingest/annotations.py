"""The output of ingest: W3C Web Annotations (JSON-LD) and the curator's decisions table.

One annotation per mention (motivation `identifying`, body = the known node's IRI) or proposal
(motivation `tagging`, a TextualBody with the proposed class, label and statements). Each
target names the source document and its section and carries a TextQuoteSelector and a
TextPositionSelector in Unicode code points into text.txt, so text[start:end] == exact.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from ..vocab import MG, MGD, QUERY_PREFIXES
from .documents import Document
from .matcher import Mention
from .rules import Proposal

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CONTEXT: list[Any] = [ANNO_CONTEXT, {p: QUERY_PREFIXES[p] for p in ("mg", "mgd", "skos", "dcterms", "schema", "xsd")}]
ID = str(MGD)
QUOTE_CONTEXT = 32
DECISION_COLUMNS = ["id", "decision", "kind", "node", "class", "label", "statements", "confidence", "rule",
                    "exact"]
DECISIONS = ("accept", "reject", "")


@dataclass(frozen=True)
class Source:
    """The IRIs of the new source document and its sections."""

    slug: str

    @property
    def iri(self) -> str:
        return f"{ID}src-{self.slug}"

    def section(self, number: int) -> str:
        return f"{ID}src-{self.slug}-s{number}"


def selectors(text: str, start: int, end: int) -> list[dict[str, Any]]:
    return [
        {"type": "TextQuoteSelector", "exact": text[start:end],
         "prefix": text[max(0, start - QUOTE_CONTEXT):start], "suffix": text[end:end + QUOTE_CONTEXT]},
        {"type": "TextPositionSelector", "start": start, "end": end},
    ]


def _target(doc: Document, source: Source, start: int, end: int) -> dict[str, Any]:
    number = doc.sections.index(doc.section_at(start)) + 1
    return {"source": source.iri, "mg:section": {"id": source.section(number)},
            "selector": selectors(doc.text, start, end)}


def mention_annotation(doc: Document, source: Source, n: int, m: Mention) -> dict[str, Any]:
    by_node: dict[str, dict[str, Any]] = {}
    for lb in sorted(m.labels, key=lambda lb: lb.node):
        body = by_node.setdefault(lb.node, {"id": lb.node, "mg:kind": [], "mg:class": {"id": lb.cls},
                                           "mg:matchedLabel": lb.text})
        if lb.kind not in body["mg:kind"]:
            body["mg:kind"] = sorted([*body["mg:kind"], lb.kind])
    bodies = list(by_node.values())
    return {"id": f"{source.iri}/anno-{n}", "type": "Annotation", "motivation": "identifying",
            "body": bodies[0] if len(bodies) == 1 else bodies,
            "mg:rule": "known-label", "mg:confidence": 0.95 if len(bodies) == 1 else round(0.9 / len(bodies), 2),
            "target": _target(doc, source, m.start, m.end)}


def proposal_annotation(doc: Document, source: Source, n: int, p: Proposal) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "TextualBody", "purpose": "tagging", "value": p.label, "format": "text/plain",
                            "mg:kind": p.kind,
                            "mg:statements": [{"predicate": pred, "object": obj} for pred, obj in p.statements]}
    if p.cls:
        body["mg:proposedClass"] = {"id": str(MG[p.cls.split(":", 1)[1]])} if p.cls.startswith("mg:") else p.cls
    if p.target:
        body["mg:aliasOf"] = {"id": p.target}
    if p.value is not None:
        body["mg:value"] = p.value
    if p.dates:
        body["mg:dates"] = list(p.dates)
    return {"id": f"{source.iri}/anno-{n}", "type": "Annotation", "motivation": "tagging", "body": body,
            "mg:rule": p.rule, "mg:confidence": p.confidence, "target": _target(doc, source, p.start, p.end)}


def collection(source: Source, doc: Document, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"@context": CONTEXT, "id": f"{source.iri}/annotations", "type": "AnnotationCollection",
            "label": f"miggraph ingest of {doc.path.name}", "total": len(items),
            "first": {"type": "AnnotationPage", "id": f"{source.iri}/annotations/page-1", "items": items}}


def items_of(annotations: dict[str, Any]) -> list[dict[str, Any]]:
    return annotations.get("first", {}).get("items", [])


def position(annotation: dict[str, Any]) -> tuple[int, int]:
    sel = next(s for s in annotation["target"]["selector"] if s["type"] == "TextPositionSelector")
    return sel["start"], sel["end"]


def decision_rows(annotations: dict[str, Any], previous: dict[str, str] | None = None) -> list[dict[str, str]]:
    """One row per annotation for decisions.tsv; decisions kept from `previous` by (span, label)."""
    rows = []
    for anno in items_of(annotations):
        body = anno["body"]
        start, end = position(anno)
        exact = anno["target"]["selector"][0]["exact"]
        if anno["motivation"] == "identifying":
            first = body if isinstance(body, dict) else body[0]
            row = {"kind": "mention", "node": first["id"], "class": "", "label": first["mg:matchedLabel"],
                   "statements": ""}
        else:
            cls = body.get("mg:proposedClass", "")
            row = {"kind": body["mg:kind"], "node": body.get("mg:aliasOf", {}).get("id", ""),
                   "class": cls["id"] if isinstance(cls, dict) else cls, "label": body["value"],
                   "statements": " ; ".join(f"{s['predicate']} {s['object']}" for s in body["mg:statements"])}
        key = f"{start}:{end}:{row['kind']}:{row['label']}"
        row |= {"id": anno["id"], "decision": (previous or {}).get(key, ""), "confidence": str(anno["mg:confidence"]),
                "rule": anno["mg:rule"], "exact": " ".join(exact.split()), "_key": key}
        rows.append(row)
    return rows


def write_decisions(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, DECISION_COLUMNS, delimiter="\t", extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()
