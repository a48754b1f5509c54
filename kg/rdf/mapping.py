"""Records to RDF: the only module that knows the vocabulary.

It writes N-Triples lines as text, because building terms one by one in
rdflib or pyoxigraph is 5-20x slower than formatting strings (measured: the
README's "Speed" section). Every line is a complete N-Triples statement ending in " .".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import PurePath

from ..identity.iris import (
    mint_assignment_iri,
    mint_authorship_iri,
    mint_curation_iri,
    mint_section_iri,
    mint_source_iri,
    mint_venue_iri,
)
import pyoxigraph as ox

from ..model import Assignment, Corpus, Curated, Merge, Person, Record, Work
from ..resources import ontology_dir
from .ntriples import TripleWriter, canonical_decimal, integer, iri, text, typed
from ..vocab import DCTERMS, FABIO, FOAF, KG, PRISM, PRO, PROV, RDF, WORK_CLASSES

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Identifier schemes readers may report; each is a property declared in ontology/kg.ttl.
IDENTIFIER_PROPERTIES = {"pmid", "pmcid", "openalex", "isbn", "url"}

VENUE_CLASSES = {
    "conference-paper": f"{FABIO}AcademicProceedings",
    "book-chapter": f"{FABIO}Book",
}
DEFAULT_VENUE_CLASS = f"{FABIO}Journal"

def map_corpus(corpus: Corpus, base: str, assignments: dict[str, list[Assignment]] | None = None) -> list[str]:
    """N-Triples lines (unsorted, possibly repeated) for a resolved corpus.

    ``assignments`` maps a work IRI to its concept assignments
    (:class:`kg.model.Assignment` values).
    """
    return [line for batch in iter_mapped(corpus, base, assignments) for line in batch]


def iter_mapped(
    corpus: Corpus, base: str, assignments: dict[str, list[Assignment]] | None = None, batch_size: int = 5000
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
    for curated in corpus.curated:
        map_curated(out, curated, base)
    yield out.lines


def iter_assignment_lines(
    assigned: Iterable[tuple[str, list[Assignment]]], batch_size: int = 5000
) -> Iterator[tuple[list[str], int]]:
    """The lines of each work's concept assignments ((work IRI, assignments)
    pairs, as :func:`kg.concepts.assign.iter_assignments` gives them), in
    batches of ``batch_size`` works, each with how many assignments it holds:
    the build maps a work's assignments apart from the rest of it."""
    out, count = TripleWriter(), 0
    for index, (paper, assignments) in enumerate(assigned, start=1):
        for assignment in assignments:
            map_assignment(out, paper, assignment)
        count += len(assignments)
        if index % batch_size == 0:
            yield out.lines, count
            out, count = TripleWriter(), 0
    yield out.lines, count


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
    """The paper's venue, under the IRI the journal's works share (:mod:`kg.identity.venues`)."""
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
    out.add_if(node, f"{KG}sourceLabel", source.label)
    if source.retrieved:  # a work fetched by `kg enrich`: its DOI or OpenAlex URL, and when
        if source.file.startswith(("https://", "http://")):
            out.add(node, f"{KG}retrievedFrom", iri(source.file))
        out.add(node, f"{KG}retrievedAt", typed(source.retrieved, "dateTime"))


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


CURATION_CLASSES = {
    "correct": "FieldCorrection",
    "same-person": "SamePersonDecision",
    "not-same-person": "DifferentPeopleDecision",
    "same-work": "SameWorkDecision",
    "not-same-work": "DifferentWorksDecision",
    "add-concept": "ConceptAddition",
    "remove-concept": "ConceptRemoval",
}
CURATED_FIELDS = {
    "title": (f"{DCTERMS}title",),
    "year": (f"{FABIO}hasPublicationYear",),
    "venue": (f"{DCTERMS}isPartOf",),
    "doi": (f"{PRISM}doi",),
    "volume": (f"{PRISM}volume",),
    "issue": (f"{PRISM}number",),
    "pages": (f"{PRISM}startingPage", f"{PRISM}endingPage"),
}
"""The properties a curated field sets on the work."""


def map_curated(out: TripleWriter, curated: Curated, base: str) -> None:
    """A row of the curation file: who decided what, when and why, what it
    applied to, or why it had no effect (a warning of `kg validate`)."""
    name = PurePath(curated.file).name
    node = mint_curation_iri(base, name, curated.line)
    out.add(node, f"{RDF}type", iri(f"{KG}Curation"))
    out.add(node, f"{RDF}type", iri(f"{KG}{CURATION_CLASSES[curated.kind]}"))
    out.add_if(node, f"{KG}curationFile", name)
    out.add(node, f"{KG}curationLine", integer(curated.line))
    out.add_if(node, f"{KG}curator", curated.who)
    if curated.when:
        out.add(node, f"{KG}curatedOn", typed(curated.when, "date"))
    out.add_if(node, f"{KG}curationNote", curated.note)
    for target in curated.targets:
        out.add(node, f"{KG}curates", iri(target))
    for field in curated.fields:
        for prop in CURATED_FIELDS[field]:
            out.add(node, f"{KG}curatedProperty", iri(prop))
    if curated.concept:
        out.add(node, f"{KG}curatedConcept", iri(curated.concept))
    out.add_if(node, f"{KG}curationProblem", curated.problem)


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


def screening_lines(decisions: list[tuple[str, str, str, str]]) -> list[str]:
    """Screening decisions (work IRI, include/exclude/maybe, reason, file:line)
    as lines: a ``kg:ScreeningDecision`` node beside each work (``WORK/screening``)."""
    out = TripleWriter()
    for work, decision, reason, where in decisions:
        node = f"{work}/screening"
        out.add(work, f"{KG}screeningDecision", iri(node))
        out.add(node, f"{RDF}type", iri(f"{KG}ScreeningDecision"))
        out.add(node, f"{KG}screeningOutcome", text(decision))
        out.add_if(node, f"{KG}exclusionReason", reason)
        out.add(node, f"{KG}decisionSource", text(where))
    return out.lines


def without_screening(lines: list[str]) -> list[str]:
    """``lines`` without those :func:`screening_lines` wrote (an earlier
    screening, replaced by the next): the decision nodes and the links to them."""
    typed_as = f" <{RDF}type> <{KG}ScreeningDecision> ."
    nodes = {line.partition(" ")[0] for line in lines if line.rstrip("\n").endswith(typed_as)}
    link = f"<{KG}screeningDecision>"
    return [line for line in lines if line.partition(" ")[0] not in nodes and line.split(" ", 2)[1] != link]


def scheme_lines() -> list[str]:
    """The concept scheme as N-Triples lines, so queries can walk it."""
    path = ontology_dir() / "concepts.ttl"
    if not path.is_file():
        return []
    triples = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    return [f"{t} .\n" for t in triples]
