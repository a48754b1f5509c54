"""Decide which records describe the same work and which names the same person.

``resolve(records, base)`` is a pure function: the same records, in any order,
give the same :class:`Corpus`. Matching lives in :mod:`kg.identity.works` (same
DOI, PMID, identity key, similar titles, strong agreement for untitled
listings) and :mod:`kg.identity.people` (ORCID, same printed name, the same
paper in another source, compatible names plus a shared co-author or venue).
Every merge is kept as a :class:`Merge` value with its evidence, for the graph.

Field precedence when records of one work are combined (deterministic, never
the order files were named in):

- Records are ranked by format, then by source (file, line): PubMed XML,
  MEDLINE, CSL-JSON (Crossref), OpenAlex, BibTeX, RIS, listing. Curated
  database records beat reference-manager exports, which beat scraped listings.
- Title, type, year, date, volume, issue, DOI and venue parts: the first
  ranked record that has the value. Pages come as a pair from one record.
- Venues are then resolved across works (:mod:`kg.identity.venues`): every work of a
  journal shares one venue IRI and one description, whichever ISSN or title
  spelling its records give.
- Abstract: the longest (ties by rank); its sections from the same record
  when it has them, else from the first ranked record with sections.
- Authors: the first ranked record with a complete (not truncated) list, else
  the longest list; ORCIDs and affiliations missing there are filled from the
  other records' author at the same place with the same family name.
- Keywords and other identifiers: the union, in rank order, without repeats.
- The paper IRI: from the DOI when any record has one, else from the identity
  key of the best ranked record.
- A curation file's ``correct`` rows then set their fields on the combined
  record, over every source (:mod:`kg.identity.overrides`); the IRI stays.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from ..gc_pause import paused_gc
from .iris import mint_paper_iri, mint_person_iri
from .people import Mention, given_parts, match_people, name_key, node_key, node_name_key
from .works import family_key, fold, match_works
from ..model import Author, Corpus, Merge, Person, Record, SourceRef, Venue, Work
from .venues import unify_venues
from .curation import CurationRow
from .overrides import Overrides

FORMAT_RANK = {
    "pubmed-xml": 0,
    "medline": 1,
    "csl-json": 2,
    "crossref": 2,
    "openalex": 3,
    "bibtex": 4,
    "ris": 5,
    "listing": 6,
}


def rank(record: Record) -> tuple:
    return (FORMAT_RANK.get(record.source.format, len(FORMAT_RANK)), record.source)


def label(source: SourceRef) -> str:
    return f"{source.file}:{source.line}"


# -- combining the records of one work --------------------------------------

_FIRST_WINS = ("title", "doc_type", "year", "date", "volume", "issue", "doi")


def combine(records: list[Record]) -> Record:
    """One record from several of one work, by the precedence in the module doc."""
    if len(records) == 1:  # most works: nothing to combine or rank
        return records[0]
    ranked = sorted(records, key=rank)
    best = ranked[0]
    updates: dict[str, object] = {}
    for name in _FIRST_WINS:
        updates[name] = next((getattr(r, name) for r in ranked if getattr(r, name)), getattr(best, name))
    paged = next((r for r in ranked if r.first_page), best)
    updates["first_page"], updates["last_page"] = paged.first_page, paged.last_page
    updates["venue"] = combine_venues([r.venue for r in ranked if r.venue])
    with_abstract = sorted((r for r in ranked if r.abstract), key=lambda r: -len(r.abstract or ""))
    if with_abstract:
        updates["abstract"] = with_abstract[0].abstract
    sectioned = [r for r in with_abstract[:1] if r.abstract_sections] or [r for r in ranked if r.abstract_sections]
    updates["abstract_sections"] = sectioned[0].abstract_sections if sectioned else ()
    listed = next((r for r in ranked if r.authors and not r.authors_truncated), None)
    listed = listed or max(ranked, key=lambda r: len(r.authors))
    updates["authors"] = enrich_authors(listed.authors, [r.authors for r in ranked if r is not listed])
    updates["authors_truncated"] = listed.authors_truncated
    updates["keywords"] = union(k for r in ranked for k in r.keywords)
    updates["subject_headings"] = union(h for r in ranked for h in r.subject_headings)
    updates["major_headings"] = union(h for r in ranked for h in r.major_headings)
    updates["identifiers"] = tuple(dict.fromkeys(i for r in ranked for i in r.identifiers))
    return replace(best, **updates)


def combine_venues(venues: list[Venue]) -> Venue | None:
    """The first ranked value of each field; the ISSNs from a source that says
    which is print and which electronic, when one of them does."""
    if not venues:
        return None
    typed = [v for v in venues if v.issns_typed]

    def first(name: str, among: list[Venue] = venues) -> str | None:
        return next((getattr(v, name) for v in among if getattr(v, name)), None)

    return Venue(
        title=first("title"),
        issn=first("issn", typed or venues),
        eissn=first("eissn", typed or venues),
        publisher=first("publisher"),
        issns_typed=bool(typed),
    )


def enrich_authors(authors: tuple[Author, ...], others: list[tuple[Author, ...]]) -> tuple[Author, ...]:
    """Fill a missing ORCID or affiliation from another record's author at
    the same place with the same family name."""
    out = []
    for position, author in enumerate(authors):
        for other_list in others:
            if author.orcid and author.affiliations:
                break
            if position >= len(other_list):
                continue
            other = other_list[position]
            if family_key(other.family or other.name) != family_key(author.family or author.name):
                continue
            if not author.orcid and other.orcid:
                author = replace(author, orcid=other.orcid)
            if not author.affiliations and other.affiliations:
                author = replace(author, affiliations=other.affiliations)
        out.append(author)
    return tuple(out)


def union(values) -> tuple[str, ...]:
    """Values in order, dropping later ones that fold to an earlier one."""
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(fold(value) or value, value)
    return tuple(seen.values())


# -- resolving --------------------------------------------------------------


def best_name(authors: list[Author]) -> Author:
    """The fullest form of a person's name: most full given names, then most
    parts, then the folded key, so the choice never depends on input order."""

    def score(author: Author) -> tuple:
        parts = given_parts(author.given)
        return (-sum(1 for _, initial, _ in parts if not initial), -len(parts), name_key(author), author.name)

    return min(authors, key=score)


def resolve(
    records: list[Record], base: str, same: list[tuple[SourceRef, SourceRef, str]] | None = None,
    *, curation: Sequence[CurationRow] = (),
) -> Corpus:
    """Group records into works and author names into people, with the merges;
    ``same`` pairs records known to be one work (with the evidence), as enrichment does;
    ``curation`` rows (:mod:`kg.identity.curation`) beat the matchers and every source."""
    with paused_gc():
        return _resolve(records, base, same or [], curation)


def _resolve(
    records: list[Record], base: str, same: list[tuple[SourceRef, SourceRef, str]], curation: Sequence[CurationRow] = ()
) -> Corpus:
    # The order of r.source, by a plain tuple: a dataclass's generated __lt__
    # runs in Python for each of the n log n comparisons.
    ordered = sorted(records, key=lambda r: (r.source.file, r.source.line, r.source.format, r.source.retrieved,
                                             r.source.label))
    overrides = Overrides(curation, ordered, base)
    identity_iris = [None if r.doi else mint_paper_iri(base, r) for r in ordered]
    groups, links = match_works(ordered, identity_iris, same, together=overrides.same_works,
                                apart=overrides.different_works)

    # A cluster's IRI comes from its combined record; two clusters that would
    # share an IRI would be one node in the graph anyway, so they are one work.
    by_iri: dict[str, list[int]] = defaultdict(list)
    combined_of: dict[str, Record | None] = {}  # None where clusters share the IRI: combined again, together
    for group in groups:
        combined = combine([ordered[i] for i in group])
        if combined.doi:
            iri = mint_paper_iri(base, combined)
        else:  # no member has a DOI: the IRI of the first ranked
            iri = identity_iris[min(group, key=lambda i: rank(ordered[i]))]
        combined_of[iri] = None if iri in by_iri else combined
        by_iri[iri].extend(group)

    drafts = []
    for iri, members in sorted(by_iri.items()):
        members = sorted(members)
        combined = combined_of[iri]
        if combined is None:
            combined = combine([ordered[i] for i in members])
        drafts.append((iri, combined, members))
    drafts = overrides.correct(drafts)
    venues = unify_venues([record.venue for _, record, _ in drafts], base)
    drafts = [(iri, replace(record, venue=v.venue) if v else record, members, v.iri if v else None)
              for (iri, record, members), v in zip(drafts, venues)]

    mentions: list[Mention] = []
    primary_records: set[int] = set()
    author_nodes: list[list[str]] = []  # per work, the node of each author it keeps
    for work_index, (iri, record, members, venue_iri) in enumerate(drafts):
        keeps = primary_source(record, [ordered[i] for i in members], members)
        primary_records.add(keeps)
        venue, venue_title = venue_iri, record.venue.title if record.venue else None
        for i in members:
            authors = record.authors if i == keeps else ordered[i].authors
            where = label(ordered[i].source)  # one string shared by the record's authors
            nodes = [node_key(author) for author in authors]
            if i == keeps:
                author_nodes.append(nodes)
            for position, (author, node) in enumerate(zip(authors, nodes)):
                mentions.append(Mention(work_index, i, where, position, author, node, venue, venue_title))

    root_of, person_links = match_people(mentions, primary_records, **overrides.people(mentions))
    people = make_people(mentions, root_of, base)

    works: list[Work] = []
    merges: list[Merge] = []
    member_links = defaultdict(list)
    for link in links:
        member_links[link.left].append(link)
    person_of = {node: people[root].iri for node, root in root_of.items()}
    for (iri, record, members, venue_iri), nodes in zip(drafts, author_nodes):
        person_iris = tuple(map(person_of.__getitem__, nodes))
        sources = tuple(ordered[i] for i in members)
        works.append(Work(iri, record, sources, person_iris, venue_iri))
        if len(members) > 1:
            inside = set(members)
            evidence = sorted(
                {
                    f"{label(ordered[l.left].source)} ~ {label(ordered[l.right].source)}: {l.evidence}"
                    for i in members
                    for l in member_links[i]
                    if l.right in inside
                }
            ) or ["same IRI key"]
            merges.append(Merge("work", iri, tuple(s.source for s in sources), evidence=tuple(evidence)))

    # A person is a merge when names that fold to different keys were joined;
    # the same printed name in several records is one person by definition.
    by_root: dict[str, set[str]] = defaultdict(set)
    for link in person_links:
        by_root[root_of[link.left]].add(link.evidence)
    keys_of: dict[str, set[str]] = defaultdict(set)
    seen: set[str] = set()
    for mention in mentions:
        node = mention.node
        if node in seen:
            continue
        key = node_name_key(node)
        if key is None:
            keys_of[root_of[node]].add(name_key(mention.author))
        else:
            seen.add(node)
            keys_of[root_of[node]].add(key)
    persons: dict[str, Person] = {}
    for root, person in sorted(people.items()):
        persons[person.iri] = person
        if len(keys_of[root]) > 1:
            merges.append(Merge("person", person.iri, names=person.variants, evidence=tuple(sorted(by_root[root]))))
    merges.sort(key=lambda m: (m.kind, m.subject))
    curated = []
    if overrides.rows:
        work_of = {i: work.iri for work, (_, _, members, _) in zip(works, drafts) for i in members}
        curated = overrides.outcomes(work_of, person_of)
    return Corpus(works, persons, merges, curated)


def primary_source(record: Record, sources: list[Record], members: list[int]) -> int:
    """The record whose author list the combined record kept."""
    if len(members) == 1:
        return members[0]
    names = [a.name for a in record.authors]
    for i, source in sorted(zip(members, sources), key=lambda pair: rank(pair[1])):
        if [a.name for a in source.authors] == names:
            return i
    return members[0]


def make_people(mentions: list[Mention], root_of: dict[str, str], base: str) -> dict[str, Person]:
    """One :class:`Person` per root node, keyed by root."""
    authors_of: dict[str, list[Author]] = defaultdict(list)
    for mention in mentions:
        authors_of[root_of[mention.node]].append(mention.author)
    people = {}
    for root, authors in authors_of.items():
        orcid = min((a.orcid for a in authors if a.orcid), default=None)
        # A name printed in many records is one shared object (kg.read.names), scored once.
        best = best_name(list({id(a): a for a in authors}.values()))
        iri = mint_person_iri(base, name_key(best), orcid)
        variants = tuple(sorted({a.name for a in authors}))
        people[root] = Person(iri, best.name, best.given, best.family, orcid, variants)
    return people

