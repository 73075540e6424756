"""The review page: one self-contained, offline HTML file per ingested document.

It shows text.txt with every mention (blue) and proposal (amber) highlighted, the list of
annotations with accept / reject controls, and exports the decisions as decisions.tsv (the
same columns `miggraph accept` reads). The page embeds its data and script; it loads nothing.
"""

from __future__ import annotations

import csv
import html
import json
from pathlib import Path

from jinja2.utils import htmlsafe_json_dumps

from ..errors import ExitCode, MiggraphError
from ..files import write_text_atomic
from .annotations import DECISION_COLUMNS, items_of, position

TEMPLATE = Path(__file__).with_name("review.html")


def page(folder: Path) -> str:
    """The review page of an ingest folder, as HTML text."""
    try:
        text = (folder / "text.txt").read_text(encoding="utf-8")
        document = json.loads((folder / "document.json").read_text(encoding="utf-8"))
        annotations = json.loads((folder / "annotations.jsonld").read_text(encoding="utf-8"))
        with (folder / "decisions.tsv").open(encoding="utf-8", newline="") as handle:
            decisions = {row["id"]: row for row in csv.DictReader(handle, delimiter="\t")}
    except FileNotFoundError as exc:
        raise MiggraphError(f"{exc.filename}: missing; is this a folder written by `miggraph ingest`?",
                            exit_code=ExitCode.BAD_INPUT) from exc
    rows = []
    for anno in items_of(annotations):
        start, end = position(anno)
        row = decisions.get(anno["id"])
        if row is None:
            raise MiggraphError(f"decisions.tsv has no row for {anno['id']}", location=str(folder / "decisions.tsv"))
        rows.append({**{c: row.get(c) or "" for c in DECISION_COLUMNS}, "start": start, "end": end})
    data = {"text": text, "document": document, "columns": DECISION_COLUMNS, "rows": rows}
    # the data first, then the title: each placeholder once, so neither can fill the other
    return (TEMPLATE.read_text(encoding="utf-8")
            .replace("__DATA__", htmlsafe_json_dumps(data, ensure_ascii=False), 1)
            .replace("__TITLE__", html.escape(document.get("title") or document["slug"]), 1))


def write_review(folder: Path, out: Path | None = None) -> Path:
    target = out or folder / "review.html"
    write_text_atomic(target, page(folder))
    return target
