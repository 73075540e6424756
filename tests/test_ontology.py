"""The ontology documents itself (versioned, every term labelled, defined and aligned), stays in
OWL 2 DL, and the built graph is consistent with PROV-O and ORG under OWL 2 RL."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import owlrl
import pyhornedowl
import pytest
from owlrl.Namespaces import ERRNS
from pyhornedowl import profile as owl_profile
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS

from miggraph.project import Project
from miggraph.vocab import MG, MGD

VOCABULARIES = Path(__file__).resolve().parents[2] / "shared" / "vocabularies"
IN_CI = os.environ.get("CI", "").lower() == "true"
needs_vocabularies = pytest.mark.skipif(not VOCABULARIES.is_dir() and not IN_CI,
                                        reason="../shared/vocabularies is not beside this checkout")
VANN = Namespace("http://purl.org/vocab/vann/")
PROV = Namespace("http://www.w3.org/ns/prov#")
MATCHES = (SKOS.closeMatch, SKOS.exactMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)


def _ontology(project: Project) -> Graph:
    return Graph().parse(project.ontology / "miggraph.ttl")


def test_ontology_is_versioned_and_described(project: Project) -> None:
    g = _ontology(project)
    onto = URIRef("https://w3id.org/miggraph/def")
    assert (onto, RDF.type, OWL.Ontology) in g
    assert str(g.value(onto, OWL.versionIRI)).startswith("https://w3id.org/miggraph/def/")
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.created, DCTERMS.modified,
                 DCTERMS.publisher, OWL.priorVersion, VANN.preferredNamespacePrefix,
                 VANN.preferredNamespaceUri):
        assert g.value(onto, prop) is not None, prop
    assert str(g.value(onto, VANN.preferredNamespaceUri)) == str(MG)
    assert str(g.value(onto, VANN.preferredNamespacePrefix)) == "mg"
    assert g.value(onto, OWL.priorVersion) != g.value(onto, OWL.versionIRI)


def test_every_class_and_property_has_an_english_label_and_a_definition(project: Project) -> None:
    g = _ontology(project)
    terms = [t for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
             for t in g.subjects(RDF.type, kind) if str(t).startswith(str(MG))]
    assert len(terms) > 80
    for term in terms:
        labels = [lab for lab in g.objects(term, RDFS.label) if getattr(lab, "language", None) == "en"]
        assert len(labels) == 1, term
        assert g.value(term, SKOS.definition) or g.value(term, RDFS.comment), term


def test_every_class_is_placed_in_the_hierarchy(project: Project) -> None:
    g = _ontology(project)
    for cls in g.subjects(RDF.type, OWL.Class):
        if str(cls).startswith(str(MG)):
            assert g.value(cls, RDFS.subClassOf) is not None, cls


def test_near_matches_are_in_the_mapping_file_not_on_the_terms(project: Project) -> None:
    """skos:closeMatch on a class or property would make it a skos:Concept; near matches go in
    the SSSOM file instead."""
    for name in ("miggraph.ttl", "vocab.ttl", "themes.ttl"):
        g = Graph().parse(project.ontology / name)
        assert [(s, p, o) for p in MATCHES for s, o in g.subject_objects(p)] == [], name


def _sssom(project: Project) -> tuple[dict[str, str], list[dict[str, str]]]:
    lines = (project.ontology / "mappings.sssom.tsv").read_text(encoding="utf-8").splitlines()
    header = [line[2:] for line in lines if line.startswith("# ")]
    curies = {}
    in_map = False
    for line in header:
        if line.startswith("curie_map:"):
            in_map = True
        elif in_map and line.startswith("  "):
            prefix, _, iri = line.strip().partition(": ")
            curies[prefix] = iri
        else:
            in_map = False
    table = list(csv.DictReader([line for line in lines if not line.startswith("#")], delimiter="\t"))
    return curies | {"_header": "\n".join(header)}, table


def test_mapping_file_is_sssom_with_metadata_and_known_terms(project: Project) -> None:
    curies, rows = _sssom(project)
    header = curies.pop("_header")
    for key in ("mapping_set_id:", "mapping_set_version:", "license:", "curie_map:"):
        assert key in header, key
    assert rows, "no mappings"
    g = _ontology(project)
    declared = {str(t) for t in g.subjects(RDF.type, None) if str(t).startswith(str(MG))}
    allowed = {"skos:closeMatch", "skos:exactMatch", "skos:broadMatch", "skos:narrowMatch", "skos:relatedMatch"}
    for row in rows:
        assert row["predicate_id"] in allowed, row
        assert row["predicate_modifier"] in ("", "Not"), row
        assert row["mapping_justification"] == "semapv:ManualMappingCuration", row
        for column in ("subject_id", "object_id", "predicate_id"):
            assert row[column].split(":")[0] in curies, row[column]
        subject = curies["mg"] + row["subject_id"].removeprefix("mg:")
        assert subject in declared, row["subject_id"]
        assert row["comment"], row
    wrong = {(r["subject_id"], r["object_id"]) for r in rows if r["predicate_modifier"] == "Not"}
    assert {("mg:basedIn", "org:basedAt"), ("mg:measure", "qb:measure"),
            ("mg:inForceFrom", "eli:date_applicability")} <= wrong
    right = {(r["subject_id"], r["object_id"]) for r in rows if not r["predicate_modifier"]}
    assert ("mg:inForceFrom", "eli:first_date_entry_in_force") in right


def _dl_violations(graph: Graph) -> list[str]:
    ontology = pyhornedowl.open_ontology_from_string(graph.serialize(format="xml"), "rdf")
    report = owl_profile.check_profile(ontology, "DL")
    return [f"{type(v).__name__}: {getattr(v, 'iri', '')}" for v in report.violations]


def test_ontology_is_in_owl2_dl(project: Project) -> None:
    """Checked with horned-owl's OWL 2 DL profile checker (py-horned-owl)."""
    assert _dl_violations(_ontology(project)) == []


def test_dl_check_rejects_a_range_of_rdf_property(project: Project) -> None:
    """The checker sees what the old object property with rdfs:range rdf:Property did: a reserved
    IRI used as a class."""
    g = _ontology(project)
    g.add((MG.aProperty, RDF.type, OWL.ObjectProperty))
    g.add((MG.aProperty, RDFS.range, RDF.Property))
    assert any("22-rdf-syntax-ns#Property" in v for v in _dl_violations(g))


def _owl_rl_errors(graph: Graph) -> list[str]:
    for name in ("prov-o.ttl", "org.ttl"):
        graph.parse(VOCABULARIES / name)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    errors = [str(m) for m in graph.objects(None, ERRNS.error)]
    errors += [f"{s} is of type owl:Nothing" for s in graph.subjects(RDF.type, OWL.Nothing)]
    return sorted(errors)


@needs_vocabularies
def test_built_graph_is_consistent_with_prov_o_and_org_under_owl2_rl(dist: Path) -> None:
    graph = Graph().parse(dist / "miggraph.ttl")
    assert _owl_rl_errors(graph) == []
    # and no term of ours became a skos:Concept through an alignment
    concepts = {s for s in graph.subjects(RDF.type, SKOS.Concept)}
    terms = {s for s in graph.subjects(RDF.type, RDF.Property)} | set(graph.subjects(RDF.type, OWL.Class))
    assert {t for t in concepts & terms if str(t).startswith(str(MG))} == set()


@needs_vocabularies
def test_owl2_rl_check_reports_an_activity_cited_as_an_entity(project: Project) -> None:
    """The check can fail: prov:wasDerivedFrom on an activity (what the graph did before
    mg:statedIn) makes it an Entity too, which PROV-O declares disjoint from Activity."""
    graph = _ontology(project)
    graph.add((MGD["a-workshop"], RDF.type, MG.Workshop))
    graph.add((MGD["a-workshop"], PROV.wasDerivedFrom, MGD["a-section"]))
    graph.add((MGD["a-workshop"], RDFS.label, Literal("a workshop")))
    errors = _owl_rl_errors(graph)
    assert errors and any("a-workshop" in e for e in errors), errors


def test_reused_vocabularies_are_aligned(project: Project) -> None:
    text = (project.ontology / "miggraph.ttl").read_text(encoding="utf-8")
    for namespace in ("http://www.w3.org/ns/org#", "http://www.w3.org/ns/prov#", "https://schema.org/",
                      "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/",
                      "http://xmlns.com/foaf/0.1/", "http://data.europa.eu/m8g/"):
        prefix = text.split(f"<{namespace}>")[0].rsplit("@prefix", 1)[1].strip().rstrip(":")
        assert f" {prefix}:" in text.split(f"<{namespace}>", 1)[1], namespace


def test_vocabularies_label_every_concept(project: Project) -> None:
    for name in ("themes.ttl", "vocab.ttl"):
        g = Graph().parse(project.ontology / name)
        for concept in g.subjects(RDF.type, SKOS.Concept):
            assert g.value(concept, SKOS.prefLabel) is not None, concept
            assert g.value(concept, SKOS.inScheme) is not None, concept


def test_reference_shape_follows_every_object_property_of_the_ontology(project: Project) -> None:
    """The dangling-reference check finds linked IRIs through a listed set of properties: a new
    object property must be added to that list in shapes.ttl, or its typos go unnoticed."""
    ontology = _ontology(project)
    shapes = Graph().parse(project.shapes)
    sh = URIRef("http://www.w3.org/ns/shacl#targetObjectsOf")
    listed = set(shapes.objects(URIRef("https://w3id.org/miggraph/shapes#ReferenceShape"), sh))
    declared = {p for p in ontology.subjects(RDF.type, OWL.ObjectProperty) if str(p).startswith(str(MG))}
    assert declared - listed == set()


def test_took_part_in_is_derived_for_held_activities_only(built) -> None:
    """A plan is not participation: the ILO only plans activities, so it took part in none."""
    took_part = MG.tookPartIn
    assert list(built.graph.objects(MGD["ilo"], took_part)) == []
    assert (MGD["mps"], took_part, MGD["policy-seminar-migrants-cities-2016"]) not in built.graph
    assert (MGD["mps"], took_part, MGD["return-workshop-2015"]) in built.graph
