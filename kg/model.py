"""Plain values that flow through the pipeline.

Readers produce :class:`Record` values; identity turns them into a
:class:`Corpus` of :class:`Work` and :class:`Person` values with the
:class:`Merge` evidence; concepts add :class:`Assignment` values per work.
Every stage takes and returns values of these types. Nothing here knows RDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol


@dataclass(frozen=True, order=True)
class SourceRef:
    """Where a record came from: the input file as named in the build and the
    1-based line (or, for formats without lines, the 1-based record index)."""

    file: str
    line: int
    format: str = "listing"
    retrieved: str = ""
    """When a record fetched from Crossref or OpenAlex was retrieved (ISO 8601,
    UTC; ``file`` is then the record's DOI or OpenAlex URL); "" for files."""
    label: str = ""
    """The source (database or search) the record came from: set by the user,
    else from the file's own metadata (RIS ``DB``, PubMed...), else from the
    file name (:func:`kg.read.inputs.source_label`)."""


@dataclass(frozen=True)
class Author:
    """One author as printed in a record, with the parts of the name."""

    name: str
    given: str | None = None
    family: str | None = None
    orcid: str | None = None
    affiliations: tuple[str, ...] = ()

    def __reduce__(self):
        # Loaded as one shared object per author: the readers share equal
        # authors (kg.read.names), and records pickled file by file (the
        # record cache, a worker's reading) would otherwise come back with
        # a copy of each author per file.
        return shared_author, (self.name, self.given, self.family, self.orcid, self.affiliations)


@lru_cache(maxsize=1 << 21)
def shared_author(name: str, given: str | None, family: str | None, orcid: str | None,
                  affiliations: tuple[str, ...]) -> Author:
    """The one :class:`Author` with these parts, for pickles to load."""
    return Author(name, given, family, orcid, affiliations)


@dataclass(frozen=True)
class AbstractSection:
    """A labelled section of a structured abstract ("Purpose", "Methods")."""

    label: str
    text: str


@dataclass(frozen=True)
class Venue:
    """Where a work was published: a journal, book series or repository."""

    title: str | None = None
    issn: str | None = None
    eissn: str | None = None
    publisher: str | None = None
    issns_typed: bool = False
    """True when the source said which ISSN is print and which electronic
    (PubMed, MEDLINE, Crossref's issn-type, Web of Science's EI field); RIS,
    plain CSL-JSON and OpenAlex give a list, and ``issn``/``eissn`` are then
    a guess from the order."""


@dataclass(frozen=True)
class Record:
    """One bibliographic record exactly as one input file describes it.

    ``doc_type`` is one of ``journal-article``, ``preprint``, ``book-chapter``,
    ``book``, ``conference-paper``, ``thesis`` or ``None`` when unknown.
    Page numbers, volumes and issues stay strings: ``e15572`` and ``Suppl. 1``
    are real values.
    """

    source: SourceRef
    title: str | None = None
    doc_type: str | None = None
    year: int | None = None
    date: str | None = None
    volume: str | None = None
    issue: str | None = None
    first_page: str | None = None
    last_page: str | None = None
    doi: str | None = None
    authors: tuple[Author, ...] = ()
    authors_truncated: bool = False
    abstract: str | None = None
    abstract_sections: tuple[AbstractSection, ...] = ()
    venue: Venue | None = None
    keywords: tuple[str, ...] = ()
    """Author keywords only: the words the authors chose for their paper."""
    identifiers: tuple[tuple[str, str], ...] = ()
    """Other identifiers as (scheme, value) pairs, e.g. ("pmid", "123")."""
    subject_headings: tuple[str, ...] = ()
    """Index terms a database assigned from a controlled vocabulary (MeSH,
    Emtree, PsycINFO or ProQuest subjects, Web of Science Keywords Plus, Scopus
    index keywords, OpenAlex keywords/concepts/topics), without MeSH qualifiers
    or major-topic marks. Kept apart from ``keywords``: they include check tags
    such as "Humans" or "Adolescent"."""
    major_headings: tuple[str, ...] = ()
    """The subject headings the indexer flagged as a major topic of the paper
    (MeSH ``*``, ``MajorTopicYN="Y"``, OpenAlex ``is_major_topic``); each is also
    in ``subject_headings``."""

    def with_source(self, source: SourceRef) -> Record:
        """This record from ``source``: what ``dataclasses.replace`` gives, a
        tenth of its time (the generated ``__init__`` of a frozen class sets
        each of the eighteen fields through ``object.__setattr__``; every
        record read comes through here once)."""
        copied = object.__new__(Record)
        copied.__dict__.update(self.__dict__, source=source)
        return copied


@dataclass(frozen=True, order=True)
class Problem:
    """Something a reader could not use: a whole record (``skipped=True``) or a
    line it could not place inside an otherwise good record."""

    file: str
    line: int
    """1-based; 0 when the problem is the whole file (binary, unreadable JSON)."""
    reason: str
    text: str = ""
    skipped: bool = False
    column: int = 0
    """1-based column when the reader knows it (a JSON syntax error), else 0."""

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}" + (f":{self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass
class ReadResult:
    """What one reader made of one file."""

    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: dict[int, dict] = field(default_factory=dict)
    """How the reader delimited each record, by its first line (the listing
    reader: the title line and what ended the record), for `kg inspect`; of
    one file only, so :meth:`extend` leaves it out."""
    seen: int = 0
    """Records the reader met, counted by :meth:`keep` and :meth:`skip`: each is
    in ``records`` or skipped in ``problems``, so :attr:`counts_add_up` holds
    unless a reader bypassed them."""

    @property
    def skipped(self) -> list[Problem]:
        return [p for p in self.problems if p.skipped]

    @property
    def counts_add_up(self) -> bool:
        """Records kept plus records skipped equals records met."""
        return len(self.records) + len(self.skipped) == self.seen

    def keep(self, record: Record, problems: list[Problem], *, skip_reason: str | None, line: int, text: str = "") -> None:
        """Keep ``record`` and the problems met inside it or, when
        ``skip_reason`` says why it cannot be used, report it skipped instead."""
        if skip_reason:
            self.skip(record.source.file, line, skip_reason, text)
        else:
            self.seen += 1
            self.problems.extend(problems)
            self.records.append(record)

    def skip(self, file: str, line: int, reason: str, text: str = "", *, column: int = 0) -> None:
        """Report a record (or a whole file) that cannot be used: ``reason; skipped``."""
        self.seen += 1
        self.problems.append(Problem(file, line, f"{reason}; skipped", text, skipped=True, column=column))

    def extend(self, other: ReadResult) -> None:
        self.records.extend(other.records)
        self.problems.extend(other.problems)
        self.seen += other.seen


# -- identity: works, people and the merges that made them ----------------


@dataclass(frozen=True)
class Person:
    iri: str
    name: str
    given: str | None
    family: str | None
    orcid: str | None = None
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class Work:
    iri: str
    record: Record
    """The combined record: fields taken from ``sources`` in precedence order."""
    sources: tuple[Record, ...]
    people: tuple[str, ...]
    """Person IRIs, one per author of ``record`` in order."""
    venue_iri: str | None = None
    """The venue's IRI, shared by every work of the same journal (:mod:`kg.identity.venues`);
    ``record.venue`` is then that venue's combined description."""


@dataclass(frozen=True)
class Merge:
    """Several source records taken as one work, or several names as one person."""

    kind: str
    """``work`` or ``person``."""
    subject: str
    """The IRI of the merged work or person."""
    records: tuple[SourceRef, ...] = ()
    """For a work: the source records merged."""
    names: tuple[str, ...] = ()
    """For a person: the names as printed that were merged."""
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Curated:
    """One row of a curation file and what it did in this build."""

    kind: str
    """``correct``, ``same-person``, ``not-same-person``, ``same-work``,
    ``not-same-work``, ``add-concept`` or ``remove-concept``."""
    file: str
    line: int
    who: str = ""
    when: str = ""
    """ISO date of the decision; "" for rows of the older concept CSV."""
    note: str = ""
    fields: tuple[str, ...] = ()
    """For ``correct``: the fields it set (``title``, ``year``, ``pages``...)."""
    concept: str | None = None
    """For ``concept``: the concept IRI added or removed."""
    targets: tuple[str, ...] = ()
    """IRIs of the works or people the row applied to."""
    problem: str | None = None
    """Why the row had no effect (it matched nothing); None when it applied."""


@dataclass
class Corpus:
    works: list[Work]
    people: dict[str, Person]
    merges: list[Merge] = field(default_factory=list)
    curated: list[Curated] = field(default_factory=list)
    """What each row of the user's curation file did (:mod:`kg.identity.curation`)."""

    @property
    def merged_works(self) -> int:
        return sum(1 for m in self.merges if m.kind == "work")

    @property
    def merged_people(self) -> int:
        return sum(1 for m in self.merges if m.kind == "person")


# -- concepts ---------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    """A concept given to a work: by the tagger (``method`` ``label-match``, a
    score and the text matched) or by a curator (``curated``, score 1)."""

    concept: str
    label: str
    score: float
    method: str
    matched: str
    field: str
    """``title``, ``abstract`` or ``keywords``; empty for a curated assignment."""
    evidence: float = 0.0
    """Weighted mentions behind a machine assignment (title counted as TITLE_WEIGHT)."""


# -- progress ---------------------------------------------------------------


class Progress(Protocol):
    """What long work says about itself while it runs: a stage begins (the one
    before it ends), and units of it are done. Core code calls these and never
    prints; the command line decides whether and how anything is shown."""

    def stage(self, name: str, total: int | None = None, unit: str = "") -> None:
        """Stage ``name`` begins; ``total`` units (``unit``: "files", "triples") when known."""

    def advance(self, n: int = 1, note: str | None = None) -> None:
        """``n`` more units of the current stage are done; ``note`` says what
        was just done ("refs.ris: 1,200 records"), when there is something to say."""


class NoProgress:
    """Progress that goes nowhere: the default of every function that takes one."""

    def stage(self, name: str, total: int | None = None, unit: str = "") -> None:
        pass

    def advance(self, n: int = 1, note: str | None = None) -> None:
        pass


NO_PROGRESS: Progress = NoProgress()
