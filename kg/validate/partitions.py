"""Partitions of a graph for pySHACL: each a batch of papers with everything
they own and the full descriptions of what they point at (see kg.validate.run).

Partitions are made one at a time as the consumer asks for them
(kg.validate.shacl keeps at most two per worker in flight). Papers and subjects
come from Oxigraph without ORDER BY (Oxigraph sorts terms slowly: 31 s for
the 92k subjects of 10k papers) and are sorted here. What the paper
partitions covered is kept as 16-byte BLAKE2b digests of the nodes (about
half the memory of pyoxigraph terms: some 170 MB fewer for the ~1M nodes of
100k papers); a collision, which would leave a node unchecked, has a
probability of about 2**-128 per pair.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from ..vocab import DCTERMS, KG, PAPER_CLASSES, PRO, PROV, SKOS

DEFAULT_PARTITION_SIZE = 1000
"""Papers per partition: ~60 MB of rdflib per worker, and enough work per task
that pySHACL's per-call setup stays small."""

# What belongs to a paper's partition (see the module docstring).
OWNED_LINKS = {f"{PRO}isDocumentContextFor", f"{KG}abstractSection", f"{KG}conceptAssignment"}
REFERENCE_LINKS = {f"{DCTERMS}creator", f"{DCTERMS}isPartOf", f"{PROV}wasDerivedFrom", f"{DCTERMS}subject",
                   f"{PRO}isHeldBy", f"{KG}assignedConcept"}
SCHEME_CLASSES = [f"{SKOS}Concept", f"{SKOS}ConceptScheme"]


def _line(quad: ox.Quad) -> str:
    return f"{quad.subject} {quad.predicate} {quad.object} .\n"


def paper_nodes(store: ox.Store) -> list:
    classes = " ".join(f"<{c}>" for c in PAPER_CLASSES)
    query = f"""SELECT DISTINCT ?paper WHERE {{
        {{ ?paper <{PROV}wasDerivedFrom> ?source }} UNION {{ VALUES ?class {{ {classes} }} ?paper a ?class }}
    }}"""
    return sorted((s["paper"] for s in store.query(query)), key=term_order)


def term_order(term) -> tuple:
    """Blank nodes first, then IRIs, each by their text (as SPARQL's ORDER BY)."""
    return (not isinstance(term, ox.BlankNode), term.value)


def alternatives(iris: Iterable[str]) -> str:
    return "|".join(f"<{i}>" for i in sorted(iris))


CHUNK = 5000
"""Nodes per VALUES block in the partition queries."""


class Partitioner:
    """Cuts a store into N-Triples texts that pySHACL can validate one by one.

    Per batch of papers, three queries with a plain VALUES block of node IRIs
    (no UNION: Oxigraph does not push VALUES into UNION branches, and such a
    query ran for minutes): the papers' links, their owned nodes' links, and a
    CONSTRUCT of every node's description that Oxigraph serialises itself.
    That is 0.75 s for 1000 papers against 1.6 s for one pattern lookup per
    node from Python. Blank nodes cannot go into VALUES: they are looked up
    one by one.
    """

    def __init__(self, store: ox.Store, size: int = DEFAULT_PARTITION_SIZE) -> None:
        self.store = store
        self.size = max(1, size)
        self.covered: set = set()
        self._owned = {ox.NamedNode(i) for i in OWNED_LINKS}
        self._refs = {ox.NamedNode(i) for i in REFERENCE_LINKS}

    def links(self, nodes: Iterable, predicates: set) -> Iterator[tuple]:
        """(predicate, object) of every triple whose subject is in ``nodes``,
        predicate in ``predicates`` and object not a literal."""
        iris, blanks = _split(nodes)
        among = ", ".join(sorted(str(p) for p in predicates))
        for start in range(0, len(iris), CHUNK):
            values = " ".join(str(n) for n in iris[start:start + CHUNK])
            yield from self.store.query(
                f"SELECT ?p ?o WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o FILTER (?p IN ({among}) && !isLiteral(?o)) }}")
        for node in blanks:
            for quad in self.store.quads_for_pattern(node, None, None, ox.DefaultGraph()):
                if quad.predicate in predicates and not isinstance(quad.object, ox.Literal):
                    yield quad.predicate, quad.object

    def describe(self, nodes: Iterable) -> str:
        """N-Triples text of every triple whose subject is in ``nodes``."""
        iris, blanks = _split(nodes)
        parts = []
        for start in range(0, len(iris), CHUNK):
            values = " ".join(str(n) for n in iris[start:start + CHUNK])
            found = self.store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}")
            parts.append(found.serialize(format=ox.RdfFormat.N_TRIPLES).decode("utf-8"))
        for node in blanks:
            parts.append("".join(_line(q) for q in self.store.quads_for_pattern(node, None, None, ox.DefaultGraph())))
        return "".join(parts)

    def papers(self, papers: list) -> str:
        """The papers, what they own, and what either points at."""
        owned, refs = set(), set()
        for predicate, obj in self.links(papers, self._owned | self._refs):
            (owned if predicate in self._owned else refs).add(obj)
        refs.update(obj for _predicate, obj in self.links(owned, self._refs))
        nodes = set(papers) | owned | refs
        self.covered.update(map(_digest, nodes))
        return self.describe(nodes)

    def __iter__(self) -> Iterator[str]:
        papers = paper_nodes(self.store)
        for start in range(0, len(papers), self.size):
            yield self.papers(papers[start:start + self.size])
        yield from self.rest()

    def rest(self) -> Iterator[str]:
        """The concept scheme whole, then what no paper reaches, with the
        descriptions of what that points at."""
        classes = " ".join(f"<{c}>" for c in SCHEME_CLASSES)
        scheme = sorted((s["node"] for s in self.store.query(
            f"SELECT DISTINCT ?node WHERE {{ VALUES ?class {{ {classes} }} ?node a ?class }}")), key=term_order)
        if scheme:
            self.covered.update(map(_digest, scheme))
            yield self.describe(scheme)
        left = sorted((s["s"] for s in self.store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }")
                       if _digest(s["s"]) not in self.covered), key=term_order)
        self.covered = set()
        for start in range(0, len(left), self.size * 10):
            batch = left[start:start + self.size * 10]
            # What they point at too, as for papers: an authorship no paper owns
            # still needs its person's type for sh:class.
            refs = {obj for _predicate, obj in self.links(batch, self._refs)}
            yield self.describe(set(batch) | refs)


def _digest(node) -> bytes:
    return hashlib.blake2b(str(node).encode("utf-8"), digest_size=16).digest()


def _split(nodes: Iterable) -> tuple[list, list]:
    """IRIs and blank nodes, each sorted; literals dropped."""
    iris = sorted(n for n in nodes if isinstance(n, ox.NamedNode))
    blanks = sorted((n for n in nodes if isinstance(n, ox.BlankNode)), key=term_order)
    return iris, blanks


def whole_graph(store: ox.Store) -> Iterator[str]:
    """The store as one partition (for small graphs and for comparisons)."""
    yield store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).decode("utf-8")
