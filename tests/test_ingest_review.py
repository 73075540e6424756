"""The review page in headless Chromium: offline, every annotation highlighted, decisions exported.

`make docs` sets MIGGRAPH_REVIEW_SCREENSHOT to docs/review.png; alone, the screenshot goes to a
temporary file.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from miggraph.cli import main
from miggraph.vocab import MG, MGD

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = Path(os.environ.get("MIGGRAPH_REVIEW_SCREENSHOT") or tempfile.mkdtemp() + "/review.png")

from browser import offline_browser, open_page  # noqa: E402 - skips the module without Chromium
from playwright.sync_api import BrowserContext, Page  # noqa: E402


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    for name in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / name, root / name)
    out = tmp_path_factory.mktemp("review")
    assert main(["--project", str(root), "ingest", str(ROOT / "tests" / "ingest" / "loose-spellings.txt"),
                 "--date", "2015-11-20", "--out", str(out)]) == 0
    assert main(["review", str(out / "loose-spellings")]) == 0
    (out / "loose-spellings" / "project").write_text(str(root), encoding="utf-8")
    return out / "loose-spellings"


@pytest.fixture(scope="module")
def browser() -> Iterator[tuple[BrowserContext, list[str]]]:
    """One offline Chromium for the module; requests that are not files or downloads are refused."""
    with offline_browser(1280, 720, local=("file://", "blob:"), accept_downloads=True) as opened:
        yield opened


def open_review(context: BrowserContext, path: Path) -> tuple[Page, list[str]]:
    return open_page(context, path, "document.body.dataset.ready === '1'")


def annotations(folder: Path) -> list[dict]:
    return json.loads((folder / "annotations.jsonld").read_text(encoding="utf-8"))["first"]["items"]


def test_review_page_highlights_every_annotation_offline(browser, folder: Path) -> None:
    context, refused = browser
    page, errors = open_review(context, folder / "review.html")
    items = annotations(folder)
    marked = page.evaluate("""() => { const ids = new Set();
        for (const m of document.querySelectorAll('#text mark')) m.dataset.ids.split(' ').forEach(i => ids.add(i));
        return [...ids].sort(); }""")
    assert marked == sorted(a["id"] for a in items)
    assert page.evaluate("document.getElementById('text').textContent") == \
        (folder / "text.txt").read_text(encoding="utf-8")
    marks = page.evaluate("[...document.querySelectorAll('#text mark')].map(m => [m.textContent, m.className])")
    assert ["IOM’s Liaison Office in China", "m"] in marks and ["SMHRB", "p"] not in marks
    assert page.locator(".row").count() == len(items)
    assert page.locator("#summary").text_content() == f"{len(items)} annotations: 0 accepted, 0 rejected, " \
                                                      f"{len(items)} not reviewed"
    assert errors == [] and refused == []
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.locator(".row").nth(3).locator("input[value=accept]").check()
    page.locator(".row[data-kind=organisation]").first.locator("input[value=accept]").check()
    page.locator(".row[data-kind=person]").first.locator("input[value=reject]").check()
    page.evaluate("document.getElementById('side').scrollTop = 0")
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 20_000
    page.close()


def test_a_title_with_markup_or_a_placeholder_stays_text(browser, folder: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    document = json.loads((copy / "document.json").read_text(encoding="utf-8"))
    title = 'Notes __DATA__ </script><b>"x"</b> & more'
    (copy / "document.json").write_text(json.dumps({**document, "title": title}), encoding="utf-8")
    assert main(["review", str(copy)]) == 0
    context, refused = browser
    page, errors = open_review(context, copy / "review.html")
    assert page.title() == f"miggraph review: {title}"
    assert page.locator(".row").count() == len(annotations(copy))
    assert errors == [] and refused == []
    page.close()


def test_decisions_export_as_the_tsv_accept_reads(browser, folder: Path) -> None:
    context, refused = browser
    page, errors = open_review(context, folder / "review.html")
    items = annotations(folder)
    page.click("#accept-mentions")
    person = page.locator(".row[data-kind=person]").first
    person.locator("input[value=reject]").check()
    with page.expect_download() as download:
        page.click("#export")
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert exported == page.evaluate("document.getElementById('tsv').value")
    rows = list(csv.DictReader(io.StringIO(exported), delimiter="\t"))
    with (folder / "decisions.tsv").open(encoding="utf-8", newline="") as handle:
        written = list(csv.DictReader(handle, delimiter="\t"))
    assert [r["id"] for r in rows] == [a["id"] for a in items] == [r["id"] for r in written]
    for row, before in zip(rows, written, strict=True):
        expected = "accept" if row["kind"] == "mention" else "reject" if row["kind"] == "person" else ""
        assert row["decision"] == expected
        assert {k: v for k, v in row.items() if k != "decision"} == \
            {k: v for k, v in before.items() if k != "decision"}
    mentions = {r["id"] for r in rows if r["kind"] == "mention"}
    marks = page.evaluate("[...document.querySelectorAll('#text mark')].map(m => [m.dataset.ids, "
                          "m.classList.contains('accept')])")
    assert [accepted for _, accepted in marks] == [bool(set(ids.split()) & mentions) for ids, _ in marks]
    assert errors == [] and refused == []
    page.close()
    # the exported file closes the loop: the accepted mentions cite the new source, nothing else
    root = Path((folder / "project").read_text(encoding="utf-8"))
    (folder / "decisions.tsv").write_text(exported, encoding="utf-8")
    assert main(["--project", str(root), "accept", str(folder)]) == 0
    graph = Graph().parse(root / "data" / "loose-spellings.ttl", format="turtle")
    section = URIRef(MGD["src-loose-spellings-s1"])
    assert set(graph.subject_objects(MG.statedIn)) == {
        (URIRef(r["node"]), section) for r in rows if r["kind"] == "mention"}


def test_filter_shows_one_kind(browser, folder: Path) -> None:
    context, _ = browser
    page, errors = open_review(context, folder / "review.html")
    page.select_option("#filter", "figure")
    visible = page.evaluate("[...document.querySelectorAll('.row')].filter(r => !r.hidden).map(r => r.dataset.kind)")
    assert visible == ["figure"] * sum(1 for a in annotations(folder) if a["body"].get("mg:kind") == "figure")
    assert errors == []
    page.close()
