"""What the site shows, read from the store by the named queries in one pass.

Each bulk query (``site-*`` and a few shared ones) runs once over the whole
graph; pages are then cut from these values, so a site of 100k works costs a
handful of queries rather than several per page. :data:`QUERIES_USED` names
every query whose rows reach a page, so the site can link to their text.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..model import NO_PROGRESS, Progress
from ..query.registry import get_query
from ..query.results import plain_value
from ..query.run import run_local

BULK = (
    "graph-summary", "site-works", "site-authorships", "site-assignments", "site-sources", "site-abstracts",
    "site-concepts", "site-venues", "site-concept-pairs", "curation-merges",
)
CURATION = {
    "curation-missing-metadata": "Works missing metadata",
    "curation-truncated-author-lists": "Truncated author lists",
    "curation-concepts-to-review": "Concepts awaiting review",
    "curation-merges": "Merges and their evidence",
}
CURATION_ROWS = 500
"""Rows of each curation table written into the page; the rest are counted."""


@dataclass
class Authorship:
    position: int
    printed: str | None
    person: str | None
    name: str | None
    orcid: str | None


@dataclass
class Tag:
    concept: str
    label: str
    curated: bool
    score: float | None
    method: str | None
    matched: str | None
    field: str | None


@dataclass
class WorkData:
    iri: str
    type: str | None = None
    title: str | None = None
    year: str | None = None
    date: str | None = None
    venue: str | None = None
    volume: str | None = None
    issue: str | None = None
    start: str | None = None
    end: str | None = None
    doi: str | None = None
    truncated: bool = False
    authors: list[Authorship] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    sources: list[tuple[str, int | None, str | None]] = field(default_factory=list)
    abstract: list[tuple[str | None, str]] = field(default_factory=list)


@dataclass
class PersonData:
    iri: str
    name: str
    orcid: str | None = None
    works: list[str] = field(default_factory=list)


@dataclass
class VenueData:
    iri: str
    title: str
    issn: str | None = None
    eissn: str | None = None
    works: list[str] = field(default_factory=list)


@dataclass
class ConceptData:
    iri: str
    label: str
    definition: str | None = None
    broader: list[str] = field(default_factory=list)
    narrower: list[str] = field(default_factory=list)
    works: list[str] = field(default_factory=list)


@dataclass
class CurationTable:
    query: str
    title: str
    columns: list[str]
    rows: list[list]
    total: int


@dataclass
class SiteData:
    summary: dict
    works: dict[str, WorkData]
    people: dict[str, PersonData]
    venues: dict[str, VenueData]
    concepts: dict[str, ConceptData]
    pairs: list[tuple[str, str, int]]
    merges: dict[str, list[tuple[int, str]]]
    curation: list[CurationTable]


def _select(store: ox.Store, name: str, values: dict | None = None, limit: int | None = None):
    result = run_local(store, get_query(name), values or {}, limit=limit)
    return result.variables, [[plain_value(term) for term in row] for row in result.rows], result.truncated


def _rows(store: ox.Store, name: str) -> list[list]:
    return _select(store, name)[1]


def read_site_data(store: ox.Store, progress: Progress = NO_PROGRESS) -> SiteData:
    """Every value the pages need, by the queries in :data:`BULK` and :data:`CURATION`."""
    progress.stage("reading the graph", total=len(set(BULK) | set(CURATION)), unit="queries")
    names, summary_rows, _ = _select(store, "graph-summary")
    summary = dict(zip(names, summary_rows[0])) if summary_rows else {}
    progress.advance(note="graph-summary")

    works: dict[str, WorkData] = {}
    for work, kind, title, year, date, venue, volume, issue, start, end, doi, truncated in _rows(store, "site-works"):
        if work not in works:
            works[work] = WorkData(work, kind, title, _text(year), _text(date), venue, _text(volume), _text(issue),
                                   _text(start), _text(end), doi, truncated is True)
    progress.advance(note="site-works")

    people: dict[str, PersonData] = {}
    for work, position, printed, person, name, orcid in _rows(store, "site-authorships"):
        if work not in works:
            continue
        works[work].authors.append(Authorship(int(position), printed, person, name, orcid))
        if person:
            entry = people.setdefault(person, PersonData(person, name or printed or person, orcid))
            if not entry.works or entry.works[-1] != work:
                entry.works.append(work)
    progress.advance(note="site-authorships")

    concepts: dict[str, ConceptData] = {}
    for concept, label, definition, broader in _rows(store, "site-concepts"):
        entry = concepts.setdefault(concept, ConceptData(concept, label or concept.rsplit("/", 1)[-1], definition))
        if broader:
            entry.broader.append(broader)
    for entry in concepts.values():
        for broader in entry.broader:
            if broader in concepts:
                concepts[broader].narrower.append(entry.iri)
    progress.advance(note="site-concepts")

    for work, concept, label, assigned_by, score, method, matched, where in _rows(store, "site-assignments"):
        if work not in works:
            continue
        works[work].tags.append(Tag(concept, label or concept.rsplit("/", 1)[-1], assigned_by == "curated", score, method,
                                    matched, where))
        entry = concepts.setdefault(concept, ConceptData(concept, label or concept.rsplit("/", 1)[-1]))
        if not entry.works or entry.works[-1] != work:
            entry.works.append(work)
    progress.advance(note="site-assignments")

    for work, file, line, fmt in _rows(store, "site-sources"):
        if work in works and file:
            works[work].sources.append((file, line, fmt))
    progress.advance(note="site-sources")
    for work, _position, label, text in _rows(store, "site-abstracts"):
        if work in works:
            works[work].abstract.append((label, text))
    progress.advance(note="site-abstracts")

    venues: dict[str, VenueData] = {}
    for venue, title, issn, eissn in _rows(store, "site-venues"):
        venues.setdefault(venue, VenueData(venue, title or issn or eissn or venue.rsplit("/", 1)[-1], issn, eissn))
    for work in works.values():
        if work.venue:
            venues.setdefault(work.venue, VenueData(work.venue, work.venue.rsplit("/", 1)[-1])).works.append(work.iri)
    progress.advance(note="site-venues")

    pairs = [(a, b, int(n)) for a, _, b, _, n in _rows(store, "site-concept-pairs")]
    progress.advance(note="site-concept-pairs")

    merge_answer = _select(store, "curation-merges")
    merges: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for merged, _label, members, evidence in merge_answer[1]:
        merges[merged].append((int(members), str(evidence)))
    progress.advance(note="curation-merges")

    curation = []
    for name, title in CURATION.items():
        # curation-merges was read above, for the work pages: one run serves both
        columns, rows, _ = merge_answer if name == "curation-merges" else _select(store, name)
        curation.append(CurationTable(name, title, columns, rows[:CURATION_ROWS], len(rows)))
        if name != "curation-merges":
            progress.advance(note=name)
    return SiteData(summary, works, people, venues, concepts, pairs, dict(merges), curation)


def _text(value) -> str | None:
    return None if value is None else str(value)


QUERIES_USED = (*BULK, *CURATION, "works-per-year", "work-details", "work-authors", "work-related", "author-works",
                "author-coauthors", "author-works-per-year", "author-concepts", "author-venues", "venue-works",
                "venue-authors", "venue-concepts-per-year", "concept-works", "concept-works-per-year", "concept-cooccurring", "concept-authors",
                "concept-coauthor-graph", "top-authors", "concept-list")
"""Every query a page names: the bulk queries its rows came from, and the
one-entity queries a visitor can run on `kg serve` for the same answer."""
