"""Namespace IRIs used by kg, as plain strings for the text fast path."""

from __future__ import annotations

from functools import lru_cache

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
KGSH = "https://w3id.org/kg/shapes#"
"""kg's SHACL shapes (shapes/*.ttl)."""

XSD_STRING = f"{XSD}string"

WORK_CLASSES = {
    "journal-article": f"{FABIO}JournalArticle",
    "preprint": f"{FABIO}Preprint",
    "book-chapter": f"{FABIO}BookChapter",
    "book": f"{FABIO}Book",
    "conference-paper": f"{FABIO}ConferencePaper",
    "thesis": f"{FABIO}Thesis",
    None: f"{FABIO}Expression",
}
"""The class of a paper (a work) by the record's ``doc_type``; fabio:Expression
when the type is unknown."""
PAPER_CLASSES = tuple(dict.fromkeys(WORK_CLASSES.values()))
"""Every class kg gives a paper. fabio:Book is also the class of a book chapter's venue."""

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

BASE_PATHS = ("work", "person", "venue", "source")
"""The first path segment of every IRI kg mints under the base (kg/identity/iris.py)."""


def base_prefixes(base: str) -> dict[str, str]:
    """The prefixes of what kg mints under ``base``: ``work:`` -> ``{base}work/``,
    and likewise ``person:``, ``venue:``, ``source:``. One table, for reading
    CURIEs (query parameters) and for showing IRIs."""
    return {name: f"{base}{name}/" for name in BASE_PATHS}


# For text people read (tables, reports). kgsh is not in PREFIXES: those head
# every Turtle file kg writes, used or not, and kg's graphs hold no shapes.
@lru_cache(maxsize=8)
def display_prefixes(base: str = DEFAULT_BASE) -> tuple[tuple[str, str], ...]:
    """(prefix, namespace) pairs for text people read, longest namespace first:
    PREFIXES, ``kgsh``, and :func:`base_prefixes` (``person:`` …) under ``base``."""
    known = {**PREFIXES, "kgsh": KGSH, **base_prefixes(base)}
    return tuple(sorted(known.items(), key=lambda item: (-len(item[1]), item[0])))


def prefixed_name(iri: str, base: str = DEFAULT_BASE) -> str | None:
    """``kg:Person`` or ``person:julie-repper`` for an IRI in a namespace kg knows
    (the longest match), else None. The one display prefix lookup."""
    for prefix, namespace in display_prefixes(base):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return None
