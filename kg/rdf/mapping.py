"""Records to RDF: the only module that knows the vocabulary.

It writes N-Triples lines as text, because building terms one by one in
rdflib or pyoxigraph is 5-20x slower than formatting strings (see the design's
speed notes). Every line is a complete N-Triples statement ending in " .".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from ..identity.iris import (
    mint_assignment_iri,
    mint_authorship_iri,
    mint_section_iri,
    mint_source_iri,
    mint_venue_iri,
)
from ..model import Record
from .sort import unique_sorted
from ..identity.resolve import Corpus, Merge, Person, Work
from ..vocab import DCTERMS, FABIO, FOAF, KG, PRISM, PRO, PROV, RDF, XSD

# Identifier schemes readers may report; each is a property declared in ontology/kg.ttl.
IDENTIFIER_PROPERTIES = {"pmid", "pmcid", "openalex", "isbn", "url"}

WORK_CLASSES = {
    "journal-article": f"{FABIO}JournalArticle",
    "preprint": f"{FABIO}Preprint",
    "book-chapter": f"{FABIO}BookChapter",
    "book": f"{FABIO}Book",
    "conference-paper": f"{FABIO}ConferencePaper",
    "thesis": f"{FABIO}Thesis",
    None: f"{FABIO}Expression",
}
VENUE_CLASSES = {
    "conference-paper": f"{FABIO}AcademicProceedings",
    "book-chapter": f"{FABIO}Book",
}
DEFAULT_VENUE_CLASS = f"{FABIO}Journal"

# N-Triples escapes; other C0 controls become \u escapes, lone surrogates
# (which cannot be written as UTF-8) become U+FFFD.
_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r"}
_ESCAPES.update({c: f"\\u{c:04X}" for c in range(0x20) if c not in (0x0A, 0x0D)})
_ESCAPES[0x7F] = "\\u007F"
_ESCAPES.update({c: "\ufffd" for c in range(0xD800, 0xE000)})
_NEEDS_ESCAPE = re.compile("[\\\\\"\x00-\x1f\x7f\ud800-\udfff]")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def iri(value: str) -> str:
    return f"<{value}>"


def escape(value: str) -> str:
    # Most values need no escape; a C-speed search first spares the costly translate.
    return value.translate(_ESCAPES) if _NEEDS_ESCAPE.search(value) else value


def text(value: str) -> str:
    return f'"{escape(value)}"'


def typed(value: object, datatype: str) -> str:
    return f'"{escape(str(value))}"^^<{XSD}{datatype}>'


def canonical_decimal(value: float) -> str:
    """The form triple stores give back ("0.87", "1"), so files and stores agree."""
    return format(Decimal(f"{value:.3f}").normalize(), "f")


def integer(value: int) -> str:
    return typed(value, "integer")


class TripleWriter:
    """Collects N-Triples lines; ``lines`` may hold duplicates."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, subject: str, predicate: str, obj: str) -> None:
        self.lines.append(f"<{subject}> <{predicate}> {obj} .\n")

    def add_if(self, subject: str, predicate: str, value: str | None) -> None:
        if value:
            self.lines.append(f"<{subject}> <{predicate}> {text(value)} .\n")


def map_corpus(corpus: Corpus, base: str, assignments: dict[str, list] | None = None) -> list[str]:
    """N-Triples lines (unsorted, possibly repeated) for a resolved corpus.

    ``assignments`` maps a work IRI to its concept assignments
    (:class:`kg.tagger.Assignment` values).
    """
    return [line for batch in iter_mapped(corpus, base, assignments) for line in batch]


def iter_mapped(
    corpus: Corpus, base: str, assignments: dict[str, list] | None = None, batch_size: int = 5000
) -> Iterator[list[str]]:
    """The lines of :func:`map_corpus` in batches of ``batch_size`` works, so
    that a large corpus never exists as one list of lines."""
    assignments = assignments or {}
    out = TripleWriter()
    for person in corpus.people.values():
        map_person(out, person)
    for index, work in enumerate(corpus.works, start=1):
        map_work(out, work, base)
        for assignment in assignments.get(work.iri, ()):
            map_assignment(out, work.iri, assignment)
        if index % batch_size == 0:
            yield out.lines
            out = TripleWriter()
    for merge in corpus.merges:
        map_merge(out, merge, base)
    yield out.lines


def map_person(out: TripleWriter, person: Person) -> None:
    out.add(person.iri, f"{RDF}type", iri(f"{FOAF}Person"))
    out.add_if(person.iri, f"{FOAF}name", person.name)
    out.add_if(person.iri, f"{FOAF}givenName", person.given)
    out.add_if(person.iri, f"{FOAF}familyName", person.family)
    out.add_if(person.iri, f"{KG}orcid", person.orcid)
    for variant in person.variants:
        if variant != person.name:
            out.add_if(person.iri, f"{KG}nameVariant", variant)


def map_work(out: TripleWriter, work: Work, base: str) -> None:
    paper, record = work.iri, work.record
    out.add(paper, f"{RDF}type", iri(WORK_CLASSES.get(record.doc_type, WORK_CLASSES[None])))
    out.add_if(paper, f"{DCTERMS}title", record.title)
    if record.year is not None:
        out.add(paper, f"{FABIO}hasPublicationYear", typed(f"{record.year:04d}", "gYear"))
    if record.date and _DATE.match(record.date):
        out.add(paper, f"{PRISM}publicationDate", typed(record.date, "date"))
    out.add_if(paper, f"{PRISM}volume", record.volume)
    out.add_if(paper, f"{PRISM}number", record.issue)
    out.add_if(paper, f"{PRISM}startingPage", record.first_page)
    out.add_if(paper, f"{PRISM}endingPage", record.last_page)
    out.add_if(paper, f"{PRISM}doi", record.doi)
    out.add_if(paper, f"{DCTERMS}abstract", record.abstract)
    for keyword in record.keywords:
        out.add_if(paper, f"{PRISM}keyword", keyword)
    for heading in record.subject_headings:
        out.add_if(paper, f"{KG}subjectHeading", heading)
    for heading in record.major_headings:
        out.add_if(paper, f"{KG}majorHeading", heading)
    for scheme, value in record.identifiers:
        if scheme in IDENTIFIER_PROPERTIES:
            out.add_if(paper, f"{KG}{scheme}", value)
        else:
            out.add_if(paper, f"{KG}identifier", f"{scheme}:{value}")
    if record.authors_truncated:
        out.add(paper, f"{KG}authorListTruncated", typed("true", "boolean"))
    map_venue(out, work, base)
    map_authorships(out, work)
    for position, section in enumerate(record.abstract_sections, start=1):
        node = mint_section_iri(paper, position)
        out.add(paper, f"{KG}abstractSection", iri(node))
        out.add(node, f"{RDF}type", iri(f"{KG}AbstractSection"))
        out.add(node, f"{KG}sectionPosition", integer(position))
        out.add_if(node, f"{KG}sectionLabel", section.label)
        out.add_if(node, f"{RDF}value", section.text)
    for source in work.sources:
        map_source(out, paper, source, base)


def map_venue(out: TripleWriter, work: Work, base: str) -> None:
    """The paper's venue, under the IRI the journal's works share (:mod:`kg.venues`)."""
    paper, record, venue = work.iri, work.record, work.record.venue
    if venue is None or not (venue.title or venue.issn or venue.eissn):
        return
    node = work.venue_iri or mint_venue_iri(base, venue.issn or venue.eissn, venue.title)
    out.add(paper, f"{DCTERMS}isPartOf", iri(node))
    out.add(node, f"{RDF}type", iri(f"{KG}Venue"))
    out.add(node, f"{RDF}type", iri(VENUE_CLASSES.get(record.doc_type, DEFAULT_VENUE_CLASS)))
    out.add_if(node, f"{DCTERMS}title", venue.title)
    out.add_if(node, f"{PRISM}issn", venue.issn)
    out.add_if(node, f"{PRISM}eIssn", venue.eissn)
    out.add_if(node, f"{KG}publisherName", venue.publisher)


def map_authorships(out: TripleWriter, work: Work) -> None:
    paper = work.iri
    for position, (author, person) in enumerate(zip(work.record.authors, work.people), start=1):
        node = mint_authorship_iri(paper, position)
        out.add(paper, f"{DCTERMS}creator", iri(person))
        out.add(paper, f"{PRO}isDocumentContextFor", iri(node))
        out.add(node, f"{RDF}type", iri(f"{PRO}RoleInTime"))
        out.add(node, f"{PRO}withRole", iri(f"{PRO}author"))
        out.add(node, f"{PRO}isHeldBy", iri(person))
        out.add(node, f"{KG}authorPosition", integer(position))
        out.add_if(node, f"{KG}nameAsPrinted", author.name)
        for affiliation in author.affiliations:
            out.add_if(node, f"{KG}affiliationAsPrinted", affiliation)


def map_source(out: TripleWriter, paper: str, record: Record, base: str) -> None:
    source = record.source
    node = mint_source_iri(base, source.file, source.line)
    out.add(paper, f"{PROV}wasDerivedFrom", iri(node))
    out.add(node, f"{RDF}type", iri(f"{KG}SourceRecord"))
    out.add_if(node, f"{KG}sourceFile", source.file)
    out.add(node, f"{KG}sourceLine", integer(source.line))
    out.add_if(node, f"{KG}sourceFormat", source.format)


def map_merge(out: TripleWriter, merge: Merge, base: str) -> None:
    """A merge node beside the merged work or person, with what was merged
    and the evidence, so a curator can review and undo it."""
    node = f"{merge.subject}/merge"
    out.add(node, f"{RDF}type", iri(f"{KG}Merge"))
    out.add(node, f"{RDF}type", iri(f"{KG}{'Work' if merge.kind == 'work' else 'Person'}Merge"))
    out.add(node, f"{KG}mergeOf", iri(merge.subject))
    for source in merge.records:
        out.add(node, f"{KG}mergedRecord", iri(mint_source_iri(base, source.file, source.line)))
    for name in merge.names:
        out.add_if(node, f"{KG}mergedName", name)
    for evidence in merge.evidence:
        out.add_if(node, f"{KG}evidence", evidence)


def map_assignment(out: TripleWriter, paper: str, assignment) -> None:
    node = mint_assignment_iri(paper, assignment.concept)
    curated = assignment.method == "curated"
    out.add(paper, f"{DCTERMS}subject", iri(assignment.concept))
    out.add(paper, f"{KG}conceptAssignment", iri(node))
    out.add(node, f"{RDF}type", iri(f"{KG}{'Curated' if curated else 'Machine'}ConceptAssignment"))
    out.add(node, f"{KG}assignedConcept", iri(assignment.concept))
    out.add(node, f"{KG}assignmentMethod", text(assignment.method))
    out.add(node, f"{KG}assignmentScore", typed(canonical_decimal(assignment.score), "decimal"))
    out.add_if(node, f"{KG}matchedText", assignment.matched)
    out.add_if(node, f"{KG}matchedIn", assignment.field)


def sorted_unique(lines: list[str]) -> list[str]:
    """Byte-order sorted, de-duplicated lines."""
    return unique_sorted(lines)
