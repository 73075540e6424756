"""Ingest finds what the graph knows through loose spellings, with honest offsets."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from miggraph.ingest.annotations import Source
from miggraph.ingest.dates import find_dates
from miggraph.ingest.documents import Document, Section
from miggraph.ingest.labels import Label, load_labels
from miggraph.ingest.matcher import LabelIndex
from miggraph.ingest.pipeline import annotate
from miggraph.project import Project
from miggraph.vocab import MGD


@pytest.fixture(scope="module")
def index(project: Project) -> LabelIndex:
    return LabelIndex(load_labels(project))


def found(index: LabelIndex, text: str) -> list[tuple[str, list[str]]]:
    return [(m.exact, [n.removeprefix(str(MGD)) for n in m.nodes]) for m in index.find(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Staff of the iom liaison office in china came.", [("iom liaison office in china", ["iom-liaison-office-china"])]),
    ("The IOM’s Liaison Office in China said so.", [("IOM’s Liaison Office in China", ["iom-liaison-office-china"])]),
    ("The IOM's Liaison Office in China said so.", [("IOM's Liaison Office in China", ["iom-liaison-office-china"])]),
    ("Officials of the ‘Ministry of Public Security’ met.", [("Ministry of Public Security", ["mps"])]),
    ("Officials of the \"Ministry of Public Security\" met.", [("Ministry of Public Security", ["mps"])]),
    ("The Ministry of Public-Security met.", [("Ministry of Public-Security", ["mps"])]),
    ("the Directorate General for Migration and Home Affairs (DG HOME) came",
     [("Directorate General for Migration and Home Affairs", ["dg-home"]), ("DG HOME", ["dg-home"])]),
    ("the Directorate–General for Migration and Home Affairs came",
     [("Directorate–General for Migration and Home Affairs", ["dg-home"])]),
    ("a delegation of the Ministry of Public Security (MPS.) travelled",
     [("Ministry of Public Security", ["mps"]), ("MPS", ["mps"])]),
    ("the D.G. HOME team", [("D.G. HOME", ["dg-home"])]),
    ("a workshopInternational Organization for Migration staff",
     [("International Organization for Migration", ["iom"])]),
    ("as of 2015IOM works", [("IOM", ["iom"])]),
    ("国际移民组织驻华联络处的工作", [("国际移民组织驻华联络处", ["iom-liaison-office-china"])]),
    ("the eu and the iom", []),  # acronyms only in capitals
    ("the EU and the IOM", [("EU", ["european-union"]), ("IOM", ["iom"])]),
    ("the Pär Liljert team", [("Pär Liljert", ["par-liljert"])]),
])
def test_loose_spellings_find_the_known_node(index: LabelIndex, text: str, expected: list) -> None:
    assert found(index, text) == expected


def test_leading_the_is_optional_in_labels() -> None:
    index = LabelIndex([Label("urn:x:hp", "The Hague Process", "en", "actor", "urn:c")])
    assert [(m.start, m.end, m.exact) for m in index.find("At the Hague Process and The Hague Process")] == [
        (7, 20, "Hague Process"), (29, 42, "Hague Process")]


def test_the_longest_match_wins() -> None:
    index = LabelIndex([Label("urn:x:iom", "IOM", "en", "actor", "urn:c"),
                        Label("urn:x:lo", "IOM Liaison Office", "en", "actor", "urn:c"),
                        Label("urn:x:office", "Liaison Office", "en", "actor", "urn:c")])
    assert [(m.exact, m.nodes) for m in index.find("The IOM Liaison Office and IOM.")] == [
        ("IOM Liaison Office", ["urn:x:lo"]), ("IOM", ["urn:x:iom"])]


def test_a_shared_label_names_every_node_that_has_it() -> None:
    index = LabelIndex([Label("urn:x:a", "Delegation", "en", "actor", "urn:c"),
                        Label("urn:x:b", "delegation", "en", "actor", "urn:c")])
    assert [(m.exact, m.nodes) for m in index.find("A Delegation came.")] == [("Delegation", ["urn:x:a", "urn:x:b"])]


def test_words_inside_other_words_are_not_mentions() -> None:
    index = LabelIndex([Label("urn:x:eu", "Europe", "en", "place", "urn:c")])
    assert [(m.start, m.end, m.exact) for m in index.find("European and Europeans, in Europe.")] == [
        (27, 33, "Europe")]


TEXTS = st.lists(st.one_of(
    st.sampled_from(["IOM", "IOM’s", "the ", "Ministry of Public-Security", "(MPS.)", "D.G. HOME", "3-4 November",
                     "Beijing", "  ", "\n\n", "“", "”", ". ", "workshop", "25 officials", "国际移民组织", "é", "İ",
                     "ß"]),
    st.text(min_size=0, max_size=8)), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=TEXTS)
def test_offsets_are_always_honest(index: LabelIndex, text: str) -> None:
    doc = Document(path=__import__("pathlib").Path("random.txt"), format="text", text=text,
                   sections=[Section("", 0, len(text))], date="2015-12-01")
    annotations = annotate(doc, index, Source("random"))
    for anno in annotations["first"]["items"]:
        quote, pos = anno["target"]["selector"]
        assert text[pos["start"]:pos["end"]] == quote["exact"]
        assert quote["exact"] and pos["start"] < pos["end"]
        assert text[:pos["start"]].endswith(quote["prefix"]) and text[pos["end"]:].startswith(quote["suffix"])


BASE = dt.date(2015, 12, 2)  # a Wednesday


@pytest.mark.parametrize(("text", "expected"), [
    ("held today", [("today", "2015-12-02", None)]),
    ("held yesterday", [("yesterday", "2015-12-01", None)]),
    ("met on Monday", [("on Monday", "2015-11-30", None)]),
    ("met on 3-4 November", [("3-4 November", "2015-11-03", "2015-11-04")]),
    ("met on 3–4 November 2014", [("3–4 November 2014", "2014-11-03", "2014-11-04")]),
    ("from 30 November to 2 December", [("30 November to 2 December", "2015-11-30", "2015-12-02")]),
    ("on November 3-4, 2015", [("November 3-4, 2015", "2015-11-03", "2015-11-04")]),
    ("on 12<sup>th</sup> October 2015", [("12<sup>th</sup> October 2015", "2015-10-12", None)]),
    ("on October 12th, 2015", [("October 12th, 2015", "2015-10-12", None)]),
    ("planned for March 2016", [("March 2016", "2016-03", None)]),
    ("planned for 2016", [("2016", "2016", None)]),
    ("on 2016-01-12", [("2016-01-12", "2016-01-12", None)]),
    ("on 31 February", []),
    ("2015 was a year", []),
])
def test_dates_resolve_against_the_document_date(text: str, expected: list) -> None:
    assert [(d.exact, d.begin, d.finish) for d in find_dates(text, BASE)] == expected


def test_relative_dates_need_a_document_date() -> None:
    assert [(d.exact, d.begin) for d in find_dates("today, on Monday, 3-4 November, March 2016", None)] == [
        ("March 2016", "2016-03")]
