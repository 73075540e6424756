"""Every namespace the project uses, defined once.

`PREFIXES` are the prefixes a query may use without declaring them and the ones the outputs
are written with; the namespaces are rdflib `Namespace`s, and `str(NS)` is the IRI text where
pyoxigraph needs a string (`NamedNode(MG.Actor)` works as `MG.Actor` is a `str`).
"""

from __future__ import annotations

from rdflib import Namespace

BASE = "https://w3id.org/miggraph/"
MG = Namespace(BASE + "def#")
MGD = Namespace(BASE + "id/")
MGS = Namespace(BASE + "shapes#")
ROLE = Namespace(BASE + "role/")
STATUS = Namespace(BASE + "status/")
SIDE = Namespace(BASE + "side/")
THEME = Namespace(BASE + "theme/")
UNIT = Namespace(BASE + "unit/")
GRAPH = Namespace(BASE + "graph/")

RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
WD = Namespace("http://www.wikidata.org/entity/")

PREFIXES: dict[str, str] = {
    "mg": str(MG),
    "mgd": str(MGD),
    "mgs": str(MGS),
    "role": str(ROLE),
    "status": str(STATUS),
    "side": str(SIDE),
    "theme": str(THEME),
    "unit": str(UNIT),
    "schema": str(SCHEMA),
    "org": str(ORG),
    "geo": str(GEO),
    "prov": str(PROV),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "owl": str(OWL),
    "foaf": str(FOAF),
    "wd": str(WD),
}

# What a query may use undeclared: the project's prefixes plus the W3C basics.
QUERY_PREFIXES: dict[str, str] = {**PREFIXES, "rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD)}

XSD_STRING = str(XSD.string)
RDF_LANG_STRING = str(RDF.langString)


def shorten(iri: str) -> str:
    """An IRI as a prefixed name where one of our prefixes fits, else the IRI in <>."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"
