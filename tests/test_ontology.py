"""The ontology documents itself: versioned, and every term labelled, defined and aligned."""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

from miggraph.project import MG, Project


def _ontology(project: Project) -> Graph:
    return Graph().parse(project.ontology / "miggraph.ttl")


def test_ontology_is_versioned_and_described(project: Project) -> None:
    g = _ontology(project)
    onto = URIRef("https://w3id.org/miggraph/def")
    assert (onto, RDF.type, OWL.Ontology) in g
    assert str(g.value(onto, OWL.versionIRI)).startswith("https://w3id.org/miggraph/def/")
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.created):
        assert g.value(onto, prop) is not None, prop


def test_every_class_and_property_has_an_english_label_and_a_definition(project: Project) -> None:
    g = _ontology(project)
    terms = [t for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
             for t in g.subjects(RDF.type, kind) if str(t).startswith(str(MG))]
    assert len(terms) > 80
    for term in terms:
        labels = [lab for lab in g.objects(term, RDFS.label) if getattr(lab, "language", None) == "en"]
        assert len(labels) == 1, term
        assert g.value(term, SKOS.definition) or g.value(term, RDFS.comment), term


def test_every_class_is_placed_in_the_hierarchy_or_aligned(project: Project) -> None:
    g = _ontology(project)
    for cls in g.subjects(RDF.type, OWL.Class):
        assert g.value(cls, RDFS.subClassOf) is not None or g.value(cls, SKOS.closeMatch) is not None, cls


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
