"""The ingest loop on the real command line: every format in, Web Annotations out, accept into data/."""

from __future__ import annotations

import csv
import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from miggraph.cli import main
from miggraph.vocab import MG, MGD, XSD

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "ingest"
_spec = importlib.util.spec_from_file_location("make_pdf", FIXTURES / "make_pdf.py")
make_pdf = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(make_pdf)  # type: ignore[union-attr]


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A project of its own (ontology, data, queries), so accept may write its data/."""
    root = tmp_path / "project"
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


def run(*args: str) -> int:
    return main(list(args))


def load(folder: Path) -> tuple[str, dict, list[dict], list[dict]]:
    text = (folder / "text.txt").read_text(encoding="utf-8")
    anno = json.loads((folder / "annotations.jsonld").read_text(encoding="utf-8"))
    with (folder / "decisions.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return text, anno, anno["first"]["items"], rows


def check_annotations(text: str, anno: dict, items: list[dict], source: str) -> None:
    assert anno["@context"][0] == "http://www.w3.org/ns/anno.jsonld"
    assert anno["type"] == "AnnotationCollection" and anno["total"] == len(items)
    for item in items:
        assert item["type"] == "Annotation" and item["motivation"] in ("identifying", "tagging")
        quote, pos = item["target"]["selector"]
        assert item["target"]["source"] == source
        assert (quote["type"], pos["type"]) == ("TextQuoteSelector", "TextPositionSelector")
        assert text[pos["start"]:pos["end"]] == quote["exact"]
        if item["motivation"] == "identifying":
            body = item["body"] if isinstance(item["body"], dict) else item["body"][0]
            assert body["id"].startswith(str(MGD))
        else:
            assert item["body"]["purpose"] == "tagging" and item["body"]["value"]


def summary(items: list[dict]) -> list[tuple[str, str]]:
    out = []
    for item in items:
        body = item["body"] if isinstance(item["body"], dict) else item["body"][0]
        what = body["id"].removeprefix(str(MGD)) if item["motivation"] == "identifying" else \
            f"{body['mg:kind']}: {body['value']}"
        out.append((item["target"]["selector"][0]["exact"], what))
    return out


def test_txt_is_used_unchanged_and_every_annotation_points_at_its_text(copy: Path, tmp_path: Path) -> None:
    source = FIXTURES / "loose-spellings.txt"
    assert run("--project", str(copy), "ingest", str(source), "--date", "2015-11-20", "--out", str(tmp_path / "r")) == 0
    folder = tmp_path / "r" / "loose-spellings"
    text, anno, items, rows = load(folder)
    assert (folder / "text.txt").read_bytes() == source.read_bytes()
    check_annotations(text, anno, items, str(MGD["src-loose-spellings"]))
    assert summary(items) == [
        ("IOM’s Liaison Office in China", "iom-liaison-office-china"),
        ("Directorate General for Migration and Home Affairs", "dg-home"),
        ("DG HOME", "dg-home"),
        ("seminar in Beijing", "activity: Seminar in Beijing"),
        ("Beijing", "beijing"),
        ("Ministry of Public-Security", "mps"),
        ("MPS", "mps"),
        ("25 officials", "figure: 25 officials"),
        ("International Organization for Migration", "iom"),
        ("European Commission", "european-commission"),
        ("EU Delegation to China", "eu-delegation-china"),
        ("Shanghai", "shanghai"),
        ("Shanghai Municipal Human Resources Bureau", "organisation: Shanghai Municipal Human Resources Bureau"),
        ("Memorandum of Understanding on Labour Mobility",
         "instrument: Memorandum of Understanding on Labour Mobility"),
        ("ILO", "ilo"),
        ("Ms. Chen Lan, Director of the Shanghai Municipal Human Resources Bureau", "person: Chen Lan"),
        ("Shanghai", "shanghai"),
        ("Shanghai Municipal Human Resources Bureau", "organisation: Shanghai Municipal Human Resources Bureau"),
        ("120 migrants", "figure: 120 migrants"),
        ("migrants received training", "activity: Migrants received training"),
    ]
    seminar = next(i for i in items if i["body"].get("value") == "Seminar in Beijing")
    assert seminar["body"]["mg:statements"] == [
        {"predicate": "mg:status", "object": "status:held"},
        {"predicate": "schema:startDate", "object": '"2015-11-03"^^xsd:date'},
        {"predicate": "schema:endDate", "object": '"2015-11-04"^^xsd:date'},
        {"predicate": "mg:place", "object": f"<{MGD['beijing']}>"}]
    bureau = next(i for i in items if i["body"].get("value") == "Shanghai Municipal Human Resources Bureau")
    assert bureau["body"]["mg:proposedClass"] == {"id": str(MG.Bureau)}
    assert {"predicate": "skos:altLabel", "object": '"SMHRB"@en'} in bureau["body"]["mg:statements"]
    assert [r["decision"] for r in rows] == [""] * len(items)


def test_markdown_sections_start_at_headings(copy: Path, tmp_path: Path) -> None:
    assert run("--project", str(copy), "ingest", str(FIXTURES / "briefing.md"), "--out", str(tmp_path)) == 0
    doc = json.loads((tmp_path / "briefing" / "document.json").read_text(encoding="utf-8"))
    assert [(s["number"], s["title"], s["page"]) for s in doc["sections"]] == [
        (1, "Briefing on return cooperation", 1), (2, "Next steps", 1)]
    text, anno, items, _ = load(tmp_path / "briefing")
    check_annotations(text, anno, items, str(MGD["src-briefing"]))
    sections = {summary([i])[0][1]: i["target"]["mg:section"]["id"].rsplit("-", 1)[1] for i in items}
    assert sections["mps"] == "s1" and sections["activity: Follow-up workshop"] == "s2"
    workshop = next(i for i in items if i["body"].get("value") == "Follow-up workshop")
    assert workshop["body"]["mg:dates"] == ["2016-03", "2016-03"]
    assert {"predicate": "mg:status", "object": "status:planned"} in workshop["body"]["mg:statements"]


def test_html_keeps_the_main_text_and_its_metadata(copy: Path, tmp_path: Path) -> None:
    assert run("--project", str(copy), "ingest", str(FIXTURES / "event-page.html"), "--url",
               "https://example.org/news/1", "--out", str(tmp_path)) == 0
    folder = tmp_path / "event-page"
    text, anno, items, _ = load(folder)
    assert "cookie" not in text and "Subscribe" not in text and "Chengdu for 40 consular staff" in text
    doc = json.loads((folder / "document.json").read_text(encoding="utf-8"))
    assert (doc["title"], doc["date"], doc["url"], doc["publisher"]) == (
        "Training on visa facilitation in Chengdu", "2016-03-01", "https://example.org/news/1", "Example Mission News")
    check_annotations(text, anno, items, str(MGD["src-event-page"]))
    training = next(i for i in items
                    if i["body"].get("mg:kind") == "activity" and i["body"]["value"].startswith("Two-day training"))
    assert training["body"]["mg:dates"] == ["2016-02-29", "2016-02-29"]  # "On Monday" before 1 March 2016
    assert ("SPFAO", "Sichuan Provincial Foreign Affairs Office") in [
        (s["object"].split('"')[1], i["body"]["value"]) for i in items if i["motivation"] == "tagging"
        for s in i["body"]["mg:statements"] if s["predicate"] == "skos:altLabel"]


def test_pdf_gives_one_section_per_page(copy: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    make_pdf.write_pdf(pdf, [["Our test report: the IOM Liaison Office in China met the MPS."],
                             ["A workshop was held in Beijing on 3-4 November 2015."]], "A test report")
    assert run("--project", str(copy), "ingest", str(pdf), "--out", str(tmp_path / "r")) == 0
    folder = tmp_path / "r" / "report"
    text, anno, items, _ = load(folder)
    doc = json.loads((folder / "document.json").read_text(encoding="utf-8"))
    assert (doc["title"], doc["pages"]) == ("A test report", 2)
    assert [(s["title"], s["page"]) for s in doc["sections"]] == [("Page 1", 1), ("Page 2", 2)]
    check_annotations(text, anno, items, str(MGD["src-report"]))
    assert [(e, i["target"]["mg:section"]["id"][-2:]) for (e, _), i in zip(summary(items), items, strict=True)] == [
        ("IOM Liaison Office in China", "s1"), ("MPS", "s1"),
        ("workshop", "s2"), ("Beijing", "s2")]


def test_unknown_formats_and_bad_dates_are_refused(copy: Path, tmp_path: Path, capsys) -> None:
    odd = tmp_path / "notes.docx"
    odd.write_bytes(b"PK")
    assert run("--project", str(copy), "ingest", str(odd), "--out", str(tmp_path)) == 2
    assert "cannot ingest .docx" in capsys.readouterr().err
    assert run("--project", str(copy), "ingest", str(FIXTURES / "briefing.md"), "--date", "soon-ish",
               "--out", str(tmp_path)) == 2


def test_a_broken_labels_query_is_named_with_its_line(copy: Path, tmp_path: Path, capsys) -> None:
    labels = copy / "queries" / "ingest" / "labels.rq"
    text = labels.read_text(encoding="utf-8")
    labels.write_text(text.replace("SELECT DISTINCT", "SELEKT DISTINCT"), encoding="utf-8")
    line = text.splitlines().index(next(t for t in text.splitlines() if t.startswith("SELECT"))) + 1
    out = tmp_path / "review"
    assert run("--project", str(copy), "ingest", str(FIXTURES / "briefing.md"), "--out", str(out)) == 2
    assert capsys.readouterr().err.startswith(f"miggraph: error: {labels}:{line}:")
    assert not out.exists()


def decide(folder: Path, choose) -> None:
    path = folder / "decisions.tsv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        fields, rows = reader.fieldnames, list(reader)
    for row in rows:
        row["decision"], row["statements"] = choose(row)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fields, delimiter="\t", lineterminator="\n")  # type: ignore[arg-type]
        writer.writeheader()
        writer.writerows(rows)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_accept_writes_only_accepted_facts_with_their_source_then_builds(copy: Path, tmp_path: Path) -> None:
    assert run("--project", str(copy), "ingest", str(FIXTURES / "loose-spellings.txt"), "--date", "2015-11-20",
               "--url", "https://example.org/note", "--publisher", "IOM Liaison Office in China",
               "--out", str(tmp_path)) == 0
    folder = tmp_path / "loose-spellings"

    def choose(row: dict) -> tuple[str, str]:
        if row["kind"] == "mention" and row["label"] == "IOM Liaison Office in China":
            return "accept", row["statements"]
        if row["kind"] == "organisation" and "SMHRB" in row["statements"]:
            return "accept", 'mg:side side:china ; skos:altLabel "SMHRB"@en'
        if row["kind"] == "activity" and row["label"] == "Seminar in Beijing":
            return "accept", row["statements"]
        if row["kind"] == "person":
            return "reject", row["statements"]
        return "", row["statements"]

    decide(folder, choose)
    assert run("--project", str(copy), "accept", str(folder)) == 0
    data = copy / "data" / "loose-spellings.ttl"
    graph = Graph().parse(data, format="turtle")
    src, section = MGD["src-loose-spellings"], MGD["src-loose-spellings-s1"]
    bureau = MGD["shanghai-municipal-human-resources-bureau"]
    seminar = MGD["seminar-in-beijing"]
    assert set(graph.subjects(RDF.type, None)) == {src, section, bureau, seminar}
    assert set(graph.subject_objects(MG.statedIn)) == {
        (MGD["iom-liaison-office-china"], section), (bureau, section), (seminar, section)}
    assert set(graph.objects(bureau, SKOS.altLabel)) == {Literal("SMHRB", lang="en")}
    assert (src, URIRef("https://schema.org/url"), URIRef("https://example.org/note")) in graph
    assert (src, URIRef("http://purl.org/dc/terms/publisher"), MGD["iom-liaison-office-china"]) in graph
    assert (src, URIRef("http://purl.org/dc/terms/issued"), Literal("2015-11-20", datatype=XSD.date)) in graph
    assert not list(graph.subjects(RDF.type, MG.Person))  # rejected
    built = Graph().parse(copy / "dist" / "miggraph.nt", format="nt")
    assert (bureau, SKOS.prefLabel, Literal("Shanghai Municipal Human Resources Bureau", lang="en")) in built
    assert (MGD["iom-liaison-office-china"], MG.statedIn, section) in built
    # accepting the same folder again gives the same file: its own nodes keep their IRIs
    written = data.read_bytes()
    assert run("--project", str(copy), "accept", str(folder)) == 0
    assert data.read_bytes() == written


def test_accept_writes_nothing_to_data_when_validation_fails(copy: Path, tmp_path: Path, capsys) -> None:
    assert run("--project", str(copy), "ingest", str(FIXTURES / "loose-spellings.txt"), "--out", str(tmp_path)) == 0
    folder = tmp_path / "loose-spellings"
    # an organisation without its side is a violation of ontology/shapes.ttl
    decide(folder, lambda row: ("accept", "") if row["kind"] == "organisation" else ("", row["statements"]))
    before = snapshot(copy / "data")
    assert run("--project", str(copy), "accept", str(folder)) == 1
    assert "violation" in capsys.readouterr().err
    assert snapshot(copy / "data") == before
    assert not (copy / "dist").exists()


def test_accept_refuses_a_bad_decision_naming_its_line(copy: Path, tmp_path: Path, capsys) -> None:
    assert run("--project", str(copy), "ingest", str(FIXTURES / "briefing.md"), "--out", str(tmp_path)) == 0
    folder = tmp_path / "briefing"
    decide(folder, lambda row: ("maybe", row["statements"]))
    before = snapshot(copy / "data")
    assert run("--project", str(copy), "accept", str(folder)) == 2
    assert f"{folder / 'decisions.tsv'}:2" in capsys.readouterr().err
    assert snapshot(copy / "data") == before


def test_reingest_keeps_decisions_already_made(copy: Path, tmp_path: Path) -> None:
    args = ("--project", str(copy), "ingest", str(FIXTURES / "briefing.md"), "--out", str(tmp_path))
    assert run(*args) == 0
    folder = tmp_path / "briefing"
    decide(folder, lambda row: ("reject" if row["kind"] == "figure" else "", row["statements"]))
    assert run(*args) == 0
    rows = load(folder)[3]
    assert [(r["kind"], r["decision"]) for r in rows if r["decision"]] == [("figure", "reject")]


def test_review_and_accept_refuse_a_folder_ingest_did_not_write(tmp_path: Path, capsys) -> None:
    assert run("review", str(tmp_path)) == 2
    assert "text.txt: missing; is this a folder written by `miggraph ingest`?" in capsys.readouterr().err
    assert run("accept", str(tmp_path)) == 2
    assert "document.json: missing" in capsys.readouterr().err


def test_accept_with_nothing_accepted_writes_nothing(copy: Path, tmp_path: Path, capsys) -> None:
    assert run("--project", str(copy), "ingest", str(FIXTURES / "briefing.md"), "--out", str(tmp_path)) == 0
    before = snapshot(copy / "data")
    assert run("--project", str(copy), "accept", str(tmp_path / "briefing")) == 2
    assert "nothing accepted in decisions.tsv" in capsys.readouterr().err
    assert snapshot(copy / "data") == before
