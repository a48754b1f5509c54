"""Decide which records describe the same work and which names the same person.

Works: records with the same DOI, or with the same identity key (first author,
year, volume, issue, first page, title), are one work. People: the same ORCID,
or within one build the same printed name (case, accents and dots folded), are
one person.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from .iris import mint_paper_iri, mint_person_iri
from .model import Author, Record
from .names import normalise_name


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


@dataclass
class Corpus:
    works: list[Work]
    people: dict[str, Person]


def combine(records: list[Record]) -> Record:
    """The first record's fields, with gaps filled from the following ones."""
    first, *rest = records
    updates = {}
    for f in fields(Record):
        if f.name == "source" or getattr(first, f.name):
            continue
        for other in rest:
            value = getattr(other, f.name)
            if value:
                updates[f.name] = value
                break
    return replace(first, **updates) if updates else first


def group_works(records: list[Record], base: str) -> dict[str, list[Record]]:
    groups: dict[str, list[Record]] = {}
    for record in sorted(records, key=lambda r: r.source):
        groups.setdefault(mint_paper_iri(base, record), []).append(record)
    return groups


def person_key(author: Author) -> str:
    return f"orcid:{author.orcid}" if author.orcid else normalise_name(author.name)


def resolve(records: list[Record], base: str) -> Corpus:
    """Group records into works and author names into people."""
    people: dict[str, Person] = {}
    iri_by_key: dict[str, str] = {}
    works = []
    for iri, group in sorted(group_works(records, base).items()):
        record = combine(group)
        person_iris = []
        for author in record.authors:
            key = person_key(author)
            person_iri = iri_by_key.get(key)
            if person_iri is None:
                person_iri = mint_person_iri(base, normalise_name(author.name), author.orcid)
                iri_by_key[key] = person_iri
            known = people.get(person_iri)
            if known is None:
                people[person_iri] = Person(
                    person_iri, author.name, author.given, author.family, author.orcid, (author.name,)
                )
            elif author.name not in known.variants:
                people[person_iri] = replace(known, variants=tuple(sorted(known.variants + (author.name,))))
            person_iris.append(person_iri)
        works.append(Work(iri, record, tuple(group), tuple(person_iris)))
    return Corpus(works, people)
