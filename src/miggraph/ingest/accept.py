"""Closing the loop: accepted annotations become a new data file, if the graph still validates.

Only rows of decisions.tsv marked `accept` enter the Turtle: a mention adds `mg:statedIn` to
the known node, an alias adds its `skos:altLabel`, a proposal becomes a new node with its
class, label and statements. Everything cites the new source's section the text is in. The
file is staged in the review folder, validated with the ontology, data/ and the rules, and only
then copied into data/ and built; on a violation nothing in data/ changes (exit 1).
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import ExitCode, MiggraphError
from ..files import write_text_atomic
from ..graph import build as build_mod
from ..graph import validate as validate_mod
from ..project import Project
from ..vocab import MGD, QUERY_PREFIXES
from .annotations import DECISION_COLUMNS, DECISIONS, items_of, position
from .pipeline import slug_of
from .rules import literal

HEADER = "# Facts accepted with `miggraph accept` from"


@dataclass
class Accepted:
    data_file: Path
    accepted: int
    rejected: int
    unreviewed: int


def read_decisions(path: Path) -> list[dict[str, str]]:
    """The rows of a decisions.tsv; an unknown decision or a missing column names its line."""
    if not path.is_file():
        raise MiggraphError("no decisions.tsv here: run `miggraph ingest` first", location=str(path),
                            exit_code=ExitCode.BAD_INPUT)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        missing = [c for c in DECISION_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise MiggraphError(f"missing column(s): {', '.join(missing)}", location=f"{path}:1")
        rows = []
        for line, row in enumerate(reader, start=2):
            decision = (row.get("decision") or "").strip().lower()
            if decision not in DECISIONS:
                raise MiggraphError(f"decision {row['decision']!r} is not one of accept, reject or empty",
                                    location=f"{path}:{line}")
            rows.append(row | {"decision": decision, "_line": str(line)})
    return rows


def _term(value: str) -> str:
    return value if re.match(r"^[a-z]+:[\w\-]+$", value) else f"<{value}>"


def new_iri(label: str, taken: set[str]) -> str:
    base = str(MGD[slug_of(label)])
    iri, n = base, 2
    while iri in taken:
        iri, n = f"{base}-{n}", n + 1
    taken.add(iri)
    return iri


def turtle(document: dict[str, Any], annotations: dict[str, Any], rows: list[dict[str, str]],
           known: set[str]) -> str:
    """The Turtle for the accepted rows (and the source and the sections they cite)."""
    sections = {s["id"]: s for s in document["sections"]}
    by_id = {a["id"]: a for a in items_of(annotations)}
    lines = [f"@prefix {p}: <{ns}> ." for p, ns in sorted(QUERY_PREFIXES.items())]
    lines += ["", f"{HEADER} {document['file']}; each cites its section.", ""]
    src = document["id"]
    source = [f"<{src}> a mg:Source", f"skos:prefLabel {literal(document['title'] or document['slug'])}",
              f"dcterms:title {literal(document['title'] or document['slug'])}",
              f"dcterms:identifier {literal(document['slug'], None)}",
              f"mg:fileName {literal(document['file'], None)}"]
    if document.get("url"):
        source.append(f"schema:url <{document['url']}>")
    if document.get("date"):
        source.append(f"dcterms:issued {literal(document['date'][:10], None)}^^xsd:date")
    if document.get("publisherNode"):
        source.append(f"dcterms:publisher <{document['publisherNode']}>")
    elif document.get("publisher"):
        source.append(f"dcterms:description {literal('Published by ' + document['publisher'])}")
    if document.get("pages"):
        source.append(f"schema:numberOfPages {int(document['pages'])}")
    lines.append(" ;\n    ".join(source) + " .")
    cited: set[str] = set()
    facts: list[str] = []
    taken = set(known)
    for row in rows:
        if row["decision"] != "accept":
            continue
        anno = by_id.get(row["id"])
        if anno is None:
            raise MiggraphError(f"no annotation {row['id']} in annotations.jsonld",
                                location=f"decisions.tsv:{row['_line']}")
        section = anno["target"]["mg:section"]["id"]
        cited.add(section)
        start, end = position(anno)
        note = f"# {row['kind']} at {start}-{end}: {row['exact'][:80]}"
        if row["kind"] == "mention":
            facts += [note, f"<{row['node']}> mg:statedIn <{section}> ."]
            continue
        parts = [row["statements"].strip()] if row["statements"].strip() else []
        if row["kind"] == "alias":
            facts += [note, f"<{row['node']}> " + " ;\n    ".join([*parts, f"mg:statedIn <{section}>"]) + " ."]
            continue
        iri = new_iri(row["label"], taken)
        head = [f"<{iri}> a {_term(row['class'])}", f"skos:prefLabel {literal(row['label'])}"]
        facts += [note, " ;\n    ".join([*head, *parts, f"mg:statedIn <{section}>"]) + " ."]
    for section_id in sorted(cited, key=lambda s: sections[s]["number"]):
        s = sections[section_id]
        title = s["title"] or f"Section {s['number']}"
        lines.append(f"<{section_id}> a mg:SourceSection ; dcterms:isPartOf <{src}> ; mg:section {s['number']} ;\n"
                     f"    skos:prefLabel {literal(title)} ; dcterms:title {literal(title)} ;\n"
                     f"    schema:pageStart {s['page']} ; schema:pageEnd {s['page']} .")
    return "\n".join(lines + [""] + facts) + "\n"


def _known_nodes(inputs: list[Path], project: Project) -> set[str]:
    """The IRIs the graph of `inputs` already uses as subjects: a new node must not take one."""
    store, _ = validate_mod.load_store(inputs, project.rules)
    return {q.subject.value for q in store if isinstance(q.subject, ox.NamedNode)}


def accept(folder: Path, project: Project, engine: str = "oxigraph") -> Accepted:
    """Write data/<slug>.ttl from the accepted rows of `folder`, validated; then build."""
    try:
        document = json.loads((folder / "document.json").read_text(encoding="utf-8"))
        annotations = json.loads((folder / "annotations.jsonld").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise MiggraphError(f"{exc.filename}: missing; is this a folder written by `miggraph ingest`?",
                            exit_code=ExitCode.BAD_INPUT) from exc
    rows = read_decisions(folder / "decisions.tsv")
    counts = {d: sum(1 for r in rows if r["decision"] == d) for d in DECISIONS}
    if not counts["accept"]:
        raise MiggraphError("nothing accepted in decisions.tsv: mark rows `accept` (or use `miggraph review`)",
                            location=str(folder / "decisions.tsv"))
    staged = folder / f"{document['slug']}.ttl"
    target = project.data / staged.name
    # the graph without this document's earlier accept: accepting again keeps the same IRIs
    others = [p for p in build_mod.collect_inputs(project) if p.resolve() != target.resolve()]
    write_text_atomic(staged, turtle(document, annotations, rows, _known_nodes(others, project)))
    if target.is_file() and not target.read_text(encoding="utf-8").count(HEADER):
        raise MiggraphError(f"{target} exists and was not written by `miggraph accept`; ingest with another --slug",
                            exit_code=ExitCode.BAD_INPUT)
    report = validate_mod.validate_paths(others + [staged], project.shapes, engine, project.rules)
    if report.violations:
        first = report.violations[0]
        raise MiggraphError(f"{len(report.violations)} violation(s) with the accepted facts, nothing written to "
                            f"{project.data}: {first.focus} {first.path}: {first.message} (see {staged}; fix "
                            "decisions.tsv and accept again)", exit_code=ExitCode.VIOLATIONS)
    write_text_atomic(target, staged.read_text(encoding="utf-8"))
    build_mod.build(project)
    return Accepted(target, counts["accept"], counts["reject"], counts[""])
