"""The curated data: in our own words, with the names the newsletter gives."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Literal

from miggraph.build import BuildResult
from miggraph.project import MGD

SOURCE = Path(__file__).resolve().parents[2] / "shared" / "sources" / "000_8287c1e76c18ae22.txt"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


PROSE = ("http://purl.org/dc/terms/description", "https://w3id.org/miggraph/def#effect",
         "https://w3id.org/miggraph/def#measure", "http://www.w3.org/2004/02/skos/core#editorialNote")


@pytest.mark.skipif(not SOURCE.is_file(), reason="the shared sources are not beside this checkout")
def test_no_sentence_of_the_newsletter_is_copied_into_the_data(built: BuildResult) -> None:
    """Names and titles may be cited; descriptions, effects and measures are in our own words:
    none shares a run of 10 words with the source text."""
    from rdflib import URIRef

    source = _words(SOURCE.read_text(encoding="utf-8"))
    runs = {" ".join(source[i:i + 10]) for i in range(len(source) - 9)}
    checked = 0
    for prop in PROSE:
        for subject, text in built.graph.subject_objects(URIRef(prop)):
            words = _words(str(text))
            copied = {" ".join(words[i:i + 10]) for i in range(len(words) - 9)} & runs
            assert not copied, f"{subject} copies the source: {sorted(copied)[:2]}"
            checked += 1
    assert checked > 100


def _labels(built: BuildResult, slug: str) -> dict[str, str]:
    from rdflib import URIRef
    return {lit.language or "": str(lit) for lit in built.graph.objects(MGD[slug], URIRef(SKOS_PREF))
            if isinstance(lit, Literal)}


def test_chinese_names_given_by_the_newsletter_are_kept(built: BuildResult) -> None:
    assert _labels(built, "eu-china-mmsp")["zh"] == "支持中欧人员往来和移民领域对话项目"
    assert _labels(built, "iom-liaison-office-china")["zh"] == "国际移民组织驻华联络处"
    assert _labels(built, "ilo-country-office-china-mongolia")["zh"] == "国际劳工组织内蒙局"
    assert _labels(built, "mps")["en"] == "Ministry of Public Security of China"
