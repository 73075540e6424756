"""Ingest one document end to end: read, match, propose, write the review folder.

The folder `OUT/<slug>/` gets text.txt (the exact text offsets point into), document.json
(what is known about the document and its sections), annotations.jsonld and decisions.tsv
(one row per annotation, decisions empty; a re-ingest keeps decisions already made).
"""

from __future__ import annotations

import csv
import gc
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ExitCode, MiggraphError
from ..files import make_folder, write_text_atomic
from ..project import Project
from .annotations import Source, collection, decision_rows, mention_annotation, proposal_annotation, write_decisions
from .dates import find_dates, parse_document_date
from .documents import Document, read_document
from .labels import load_labels
from .matcher import LabelIndex
from .rules import Proposer


@dataclass
class Ingested:
    folder: Path
    mentions: int
    proposals: int


def slug_of(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60].strip("-")
    return slug or "document"


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while annotating.

    Annotating a long text allocates hundreds of thousands of small dicts, lists and tuples and
    no reference cycles; the cyclic collector would rescan them all again and again (it more
    than doubled the time for 1 MB of text). Reference counting still frees everything.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def annotate(doc: Document, index: LabelIndex, source: Source) -> dict[str, Any]:
    """All annotations of one document, in text order (mentions before proposals at a tie)."""
    with without_cycle_collection():
        return _annotate(doc, index, source)


def _annotate(doc: Document, index: LabelIndex, source: Source) -> dict[str, Any]:
    base = parse_document_date(doc.date)
    mentions = index.find(doc.text)
    dates = find_dates(doc.text, base)
    proposals = Proposer(doc.text, mentions, dates, base).all()
    spans = sorted([(m.start, m.end, 0, m) for m in mentions] + [(p.start, p.end, 1, p) for p in proposals],
                   key=lambda x: x[:3])
    items = []
    for n, (_s, _e, is_proposal, item) in enumerate(spans, start=1):
        make = proposal_annotation if is_proposal else mention_annotation
        items.append(make(doc, source, n, item))  # type: ignore[arg-type]
    return collection(source, doc, items)


def publisher_node(publisher: str | None, index: LabelIndex) -> str | None:
    """The known actor the publisher's name is a label of, if exactly one is."""
    if not publisher:
        return None
    found = index.find(publisher.strip())
    if len(found) == 1 and found[0].exact == publisher.strip() and len(found[0].nodes) == 1 \
            and any(label.kind == "actor" for label in found[0].labels):
        return found[0].nodes[0]
    return None


def document_json(doc: Document, source: Source, index: LabelIndex) -> dict[str, Any]:
    return {"id": source.iri, "slug": source.slug, "file": doc.path.name, "format": doc.format,
            "title": doc.title, "url": doc.url, "date": doc.date, "publisher": doc.publisher,
            "publisherNode": publisher_node(doc.publisher, index), "pages": doc.pages,
            "sections": [{"id": source.section(i), "number": i, "title": s.title, "start": s.start, "end": s.end,
                          "page": s.page} for i, s in enumerate(doc.sections, start=1)]}


def _previous_decisions(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    anno = json.loads(path.with_name("annotations.jsonld").read_text(encoding="utf-8")) \
        if path.with_name("annotations.jsonld").is_file() else None
    if anno is None:
        return {}
    keys = {row["id"]: row["_key"] for row in decision_rows(anno)}
    return {keys[row["id"]]: row["decision"] for row in rows if row.get("decision") and row["id"] in keys}


def ingest(path: Path, project: Project, out: Path, url: str | None = None, date: str | None = None,
           title: str | None = None, publisher: str | None = None, slug: str | None = None,
           index: LabelIndex | None = None) -> Ingested:
    """Ingest `path` into `out/<slug>/` and say how many mentions and proposals it found."""
    doc = read_document(path)
    doc.url = url or doc.url
    doc.date = date or doc.date
    doc.title = title or doc.title or path.stem
    doc.publisher = publisher or doc.publisher
    if date and parse_document_date(date) is None:
        raise MiggraphError(f"--date {date!r} is not a date (write it as YYYY-MM-DD)", exit_code=ExitCode.BAD_INPUT)
    source = Source(slug or slug_of(path.stem))
    index = index or LabelIndex(load_labels(project))
    annotations = annotate(doc, index, source)
    folder = out / source.slug
    make_folder(folder)
    previous = _previous_decisions(folder / "decisions.tsv")
    write_text_atomic(folder / "text.txt", doc.text)
    write_text_atomic(folder / "document.json",
                      json.dumps(document_json(doc, source, index), ensure_ascii=False, indent=1))
    write_text_atomic(folder / "annotations.jsonld", json.dumps(annotations, ensure_ascii=False, indent=1))
    write_text_atomic(folder / "decisions.tsv", write_decisions(decision_rows(annotations, previous)))
    items = annotations["first"]["items"]
    mentions = sum(1 for a in items if a["motivation"] == "identifying")
    return Ingested(folder, mentions, len(items) - mentions)
