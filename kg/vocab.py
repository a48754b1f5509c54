"""Namespace IRIs used by kg, as plain strings for the text fast path."""

from __future__ import annotations

KG = "https://w3id.org/kg/ns#"
CONCEPTS = "https://w3id.org/kg/concepts/"
CONCEPT_SCHEME = "https://w3id.org/kg/concepts"
DEFAULT_BASE = "https://w3id.org/kg/id/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
FABIO = "http://purl.org/spar/fabio/"
PRISM = "http://prismstandard.org/namespaces/basic/2.0/"
PRO = "http://purl.org/spar/pro/"
SH = "http://www.w3.org/ns/shacl#"
VOID = "http://rdfs.org/ns/void#"

PREFIXES: dict[str, str] = {
    "kg": KG,
    "kgc": CONCEPTS,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "skos": SKOS,
    "prov": PROV,
    "fabio": FABIO,
    "prism": PRISM,
    "pro": PRO,
}
