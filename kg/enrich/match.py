"""Whether a fetched record is the same work as one of ours: kg's identity rules, never a guess.

A fetched record joins a work on the same DOI; or, when the work has no DOI,
on the same year, volume, first page (or article number) and first author's
family name, all present on both sides, with titles that agree when both have
one. Whatever the rule, the authors the work already lists must be the fetched
record's first authors in the same order, and a preprint never joins a journal
article (nor the other way round). A candidate that agrees on some of this
evidence but not all is *needs review*, with the evidence, and never joins.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..identity.works import TITLE_SIMILARITY, Features, family_key, features, title_similarity
from ..model import Author, Record
from ..text import fold

MATCH = "match"
REVIEW = "review"
NO = "no"

FIELDS = ("title", "venue", "doi", "authors", "abstract")
"""The fields enrichment fills, in report order."""


@dataclass(frozen=True)
class Verdict:
    kind: str
    """``match``, ``review`` or ``no``."""
    evidence: tuple[str, ...]
    """What agreed and what did not, in words."""


def titles_agree(a: Features, b: Features) -> bool:
    """Titles that agree as the build compares them (numbers included, a bracketed
    translation part by part), or one the other plus a subtitle."""
    if not a.title or not b.title:
        return True
    similarity = title_similarity(a, b)
    if similarity is not None and similarity >= TITLE_SIMILARITY:
        return True
    shorter, longer = sorted((a.title, b.title), key=len)
    return len(shorter.split()) >= 4 and longer.startswith(shorter + " ")


def same_name(a: Author, b: Author) -> bool:
    """The same family name, or the same words in another order ("Faraj K." / "K. Faraj")."""
    if family_key(a.family or a.name) == family_key(b.family or b.name):
        return True
    return sorted(fold(a.name).split()) == sorted(fold(b.name).split())


def authors_agree(ours: Record, theirs: Record) -> str | None:
    """Why the author lists disagree, or None: each author we list is theirs at the same place."""
    if len(theirs.authors) < len(ours.authors):
        return f"they list {len(theirs.authors)} author(s), we list {len(ours.authors)}"
    for position, (a, b) in enumerate(zip(ours.authors, theirs.authors), start=1):
        if not same_name(a, b):
            return f"author {position} differs ({a.name} / {b.name})"
    return None


def judge(ours: Record, theirs: Record) -> Verdict:
    """Is ``theirs`` (fetched) the work ``ours`` describes? See the module doc."""
    a, b = features(ours), features(theirs)
    if a.doi and b.doi and a.doi != b.doi:
        return Verdict(NO, (f"other DOI {b.doi}",))
    agree: list[str] = []
    disagree: list[str] = []
    same_doi = bool(a.doi and a.doi == b.doi)
    if same_doi:
        agree.append(f"same DOI {a.doi}")
    key_parts = 0
    same_first = bool(ours.authors and theirs.authors and same_name(ours.authors[0], theirs.authors[0]))
    for name, x, y in (
        ("year", a.year, b.year), ("volume", a.volume, b.volume),
        ("first page", a.first_page, b.first_page), ("first author", a.family, b.family),
    ):
        if name == "first author" and same_first:
            agree.append(f"same first author {ours.authors[0].name}")
            key_parts += 1
        elif x and y and x == y:
            agree.append(f"same {name} {x}")
            key_parts += 1
        elif x and y:
            disagree.append(f"{name} {y} / {x}")
    if a.title and b.title:
        if titles_agree(a, b):
            agree.append("titles agree")
        else:
            disagree.append("titles differ")
    if a.edition != b.edition:  # a preprint or an erratum is not its article
        disagree.append(f"a {b.edition or theirs.doc_type or 'work'} / a {a.edition or ours.doc_type or 'work'}")
    if wrong_authors := authors_agree(ours, theirs):
        disagree.append(wrong_authors)
    if (same_doi or key_parts == 4) and not disagree:
        return Verdict(MATCH, tuple(agree))
    if same_doi or len(agree) >= 2:
        missing = [] if same_doi or key_parts == 4 else ["year, volume, first page and first author not all present on both"]
        return Verdict(REVIEW, tuple(agree + [f"but {d}" for d in disagree] + missing))
    return Verdict(NO, tuple(agree + [f"but {d}" for d in disagree]))


def fills(ours: Record, theirs: Record) -> tuple[str, ...]:
    """The fields of :data:`FIELDS` that ``theirs`` gives and ``ours`` lacks."""
    filled = []
    if theirs.title and not ours.title:
        filled.append("title")
    if theirs.venue and theirs.venue.title and not (ours.venue and ours.venue.title):
        filled.append("venue")
    if theirs.doi and not ours.doi:
        filled.append("doi")
    if theirs.authors and (ours.authors_truncated or not ours.authors) and len(theirs.authors) >= len(ours.authors):
        filled.append("authors")
    if theirs.abstract and not ours.abstract:
        filled.append("abstract")
    return tuple(filled)


def needs(record: Record) -> bool:
    """True when a work lacks a DOI, title, venue or full author list."""
    return not (record.doi and record.title and record.venue and record.venue.title and record.authors) or record.authors_truncated
