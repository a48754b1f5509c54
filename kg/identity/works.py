"""Which records describe the same work: rules, blocking and evidence.

Records are clustered with a union-find in a fixed order (records sorted by
source, rules in the order below), so the clusters and the evidence recorded
for them do not depend on the order the input files were named in.

1. Same DOI (normalised by the readers: lower case, URL prefixes stripped).
2. Same PubMed id.
3. Same identity key (the key a DOI-less paper IRI is minted from): two such
   records would get the same IRI, so they must be one work.
4. Titled records: candidates share a block, (year, title prefix), (year,
   first author) or (title prefix, first author), and are confirmed by title
   similarity (rapidfuzz ratio of normalised titles), the same year, the same
   first author, and no disagreement on volume, first page or numbers in the
   title ("Part 1" / "Part 2").
5. A record without a title (a listing) joins a work only on strong agreement:
   the same year, volume, issue, first page and first author, all present, and
   only when that names one cluster.

Two clusters with different DOIs are never joined: a DOI is the strongest
evidence there is that two records are different works. A curation file's
``same-work`` and ``not-same-work`` rows beat all of these rules.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Indel

from .iris import edition
from ..model import Record, SourceRef
from ..text import NAME_SUFFIXES, fold
from .unionfind import KeptApart, UnionFind

TITLE_SIMILARITY = 0.9
"""Least title similarity (0-1) for two titled records to be one work, given
the same year and first author."""
TITLE_SIMILARITY_WITHOUT_AUTHOR = 0.97
"""Least title similarity when a first author is missing on one side; the
volume and first page must then agree instead."""
TITLE_PREFIX = 16
"""Characters of the normalised title that make its blocking key."""
BLOCK_WINDOW = 30
"""Blocks larger than this compare each record only with its next neighbours
in title order (sorted neighbourhood), keeping the work near-linear."""

_DIGITS = re.compile(r"\d+")
_BRACKETED = re.compile(r"^\s*(\S.*?)\s*\[([^\[\]]+)\]\.?\s*$")
"""``English title [Original-language title]``, as Scopus and MEDLINE give a translated title."""


@lru_cache(maxsize=262144)
def family_key(family: str | None) -> str:
    """A family name reduced to its letters, suffixes ("Jr") dropped, so that
    "Varley-Campbell", "Varley Campbell" and "Faggion Jr" compare equal to
    their plainer forms."""
    words = [w for w in fold(family or "").split() if w not in NAME_SUFFIXES]
    return "".join(words)


@dataclass(frozen=True)
class Features:
    """What matching compares, computed once per record."""

    title: str
    year: int | None
    family: str
    volume: str
    issue: str
    first_page: str
    doi: str | None
    pmid: str | None
    digits: tuple[str, ...]
    edition: str
    """``preprint``, ``erratum`` or empty (:func:`edition`): records of other editions never join
    except by DOI, PMID or a curator's word (an erratum and a preprint are linked to an article, not merged)."""
    variants: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Other forms of the title to compare (:func:`title_forms`), each with its numbers."""

    @property
    def prefix(self) -> str:
        return self.title.replace(" ", "")[:TITLE_PREFIX]

    @property
    def strong_key(self) -> tuple | None:
        """The agreement an untitled record needs; None when any part is missing."""
        parts = (self.year, self.volume, self.issue, self.first_page, self.family)
        return (*parts, self.edition) if all(parts) else None


def features(record: Record) -> Features:
    first = record.authors[0] if record.authors else None
    family = family_key((first.family or first.name) if first else None)
    forms = title_forms(record.title)
    title = forms[0]
    pmid = next((value for scheme, value in record.identifiers if scheme == "pmid"), None)
    return Features(
        title=title,
        year=record.year,
        family=family,
        volume=fold(record.volume or ""),
        issue=fold(record.issue or ""),
        first_page=fold(record.first_page or ""),
        doi=record.doi,
        pmid=pmid,
        digits=tuple(_DIGITS.findall(title)),
        edition=edition(record),
        variants=tuple((form, tuple(_DIGITS.findall(form))) for form in forms[1:]),
    )


def title_forms(title: str | None) -> tuple[str, ...]:
    """The folded title, then, for a title given as ``English title
    [Original-language title]`` (Scopus, MEDLINE), each of its two parts."""
    forms = [fold(title or "")]
    bracketed = _BRACKETED.match(title or "")
    if bracketed:
        forms += [form for form in (fold(bracketed.group(1)), fold(bracketed.group(2))) if form]
    return tuple(forms)


def title_similarity(a: Features, b: Features) -> float | None:
    """The best similarity of the two titles, or of a part of a bracketed
    title with the other title, among forms with the same numbers ("Part 1"
    is not "Part 2"); None when no forms agree on their numbers."""
    best = None
    for x, x_digits in ((a.title, a.digits), *a.variants):
        for y, y_digits in ((b.title, b.digits), *b.variants):
            if x_digits != y_digits:
                continue
            similarity = Indel.normalized_similarity(x, y)
            best = similarity if best is None else max(best, similarity)
    return best


@dataclass(frozen=True)
class Link:
    """Why two records were found to be one work."""

    left: int
    right: int
    evidence: str


class Clusters(UnionFind[int]):
    """Record indices joined into works; never two DOIs in one work, never
    two sides of a curated ``apart`` (lists of record indices) in one work."""

    def __init__(self, dois: list[str | None], apart: Iterable[list[list[int]]] = ()) -> None:
        super().__init__(range(len(dois)))
        self.dois = [{d} if d else set() for d in dois]
        self.links: list[Link] = []
        self.apart: KeptApart[int] = KeptApart()
        for row, sides in enumerate(apart):
            for side, members in enumerate(sides):
                for i in members:
                    self.apart.add(i, row, side)

    def join(self, a: int, b: int, evidence: str, *, force: bool = False) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        merged = self.dois[ra] | self.dois[rb]
        if len(merged) > 1 and not force:
            return False
        if self.apart.forbids(ra, rb):
            return False
        low, high = self.union(ra, rb)
        self.dois[low] = merged
        self.dois[high] = set()
        self.apart.merge(low, high)
        self.links.append(Link(a, b, evidence))
        return True


def title_match(a: Features, b: Features) -> str | None:
    """Evidence that two titled records are one work, or None."""
    if a.edition != b.edition:
        return None
    if a.year and b.year and a.year != b.year:
        return None
    if a.volume and b.volume and a.volume != b.volume:
        return None
    if a.first_page and b.first_page and a.first_page != b.first_page:
        return None
    similarity = title_similarity(a, b)
    if similarity is None:
        return None
    same_author = bool(a.family and a.family == b.family)
    if a.family and b.family and not same_author:
        return None
    if same_author and a.year and b.year:
        if similarity < TITLE_SIMILARITY:
            return None
    elif similarity < TITLE_SIMILARITY_WITHOUT_AUTHOR or not (
        a.volume and a.first_page and a.volume == b.volume and a.first_page == b.first_page
    ):
        return None
    parts = [f"title similarity {similarity:.2f}"]
    if a.year and a.year == b.year:
        parts.append(f"same year {a.year}")
    if same_author:
        parts.append(f"same first author {a.family}")
    if a.volume and a.volume == b.volume:
        parts.append(f"same volume {a.volume}")
    if a.first_page and a.first_page == b.first_page:
        parts.append(f"same first page {a.first_page}")
    return "; ".join(parts)


def block_pairs(blocks: dict[object, list[int]], order: list[Features]) -> Iterator[tuple[int, int]]:
    """Candidate pairs from blocks, each pair once, in a fixed order."""
    seen: set[tuple[int, int]] = set()
    for key in sorted(blocks, key=repr):
        members = blocks[key]
        if len(members) < 2:
            continue
        if len(members) > BLOCK_WINDOW:
            members = sorted(members, key=lambda i: (order[i].title, i))
            candidates: Iterable[tuple[int, int]] = (
                (members[i], members[j])
                for i in range(len(members))
                for j in range(i + 1, min(i + 1 + BLOCK_WINDOW, len(members)))
            )
        else:
            candidates = ((a, b) for n, a in enumerate(members) for b in members[n + 1 :])
        for a, b in candidates:
            pair = (min(a, b), max(a, b))
            if pair not in seen:
                seen.add(pair)
                yield pair


def match_works(
    records: list[Record], identity_iris: list[str | None], same: Iterable[tuple[SourceRef, SourceRef, str]] = (),
    *, together: Iterable[tuple[list[int], str]] = (), apart: Iterable[list[list[int]]] = (),
) -> tuple[list[list[int]], list[Link]]:
    """Clusters of indices into ``records`` (each cluster one work) and the
    links that joined them. ``records`` must already be in a fixed order;
    ``identity_iris`` holds each record's IRI
    (:func:`~kg.identity.iris.mint_paper_iri`) when it has no DOI.
    ``same`` holds pairs of records known to be one work, with the evidence
    (enrichment, :mod:`kg.enrich`): they are joined first. A curator's
    ``together`` (record indices, evidence) are joined before them, and the
    sides of each ``apart`` are never joined (:mod:`kg.identity.overrides`)."""
    found = [features(r) for r in records]
    clusters = Clusters([f.doi for f in found], apart)
    for members, evidence in together:  # a curator's word beats every rule, even two DOIs
        for i in members[1:]:
            clusters.join(members[0], i, evidence, force=True)
    index_of = {r.source: i for i, r in enumerate(records)} if same else {}
    for left, right, evidence in sorted(same):
        if left in index_of and right in index_of:
            clusters.join(index_of[left], index_of[right], evidence)

    def join_equal(key_of, describe) -> None:
        first_with: dict[object, int] = {}
        for i, f in enumerate(found):
            key = key_of(i, f)
            if key is None:
                continue
            if key in first_with:
                clusters.join(first_with[key], i, describe(key))
            else:
                first_with[key] = i

    join_equal(lambda i, f: f.doi, lambda doi: f"same DOI {doi}")
    join_equal(lambda i, f: f.pmid, lambda pmid: f"same PMID {pmid}")
    join_equal(
        lambda i, f: None if f.doi else (identity_iris[i], f.edition),
        lambda key: "same identity key (first author, year, volume, issue, first page, title)",
    )

    blocks: dict[object, list[int]] = defaultdict(list)
    for i, f in enumerate(found):
        if not f.title:
            continue
        if f.year:
            blocks[("yt", f.year, f.prefix)].append(i)
            if f.family:
                blocks[("ya", f.year, f.family)].append(i)
        if f.family:
            blocks[("ta", f.prefix, f.family)].append(i)
    for a, b in block_pairs(blocks, found):
        if clusters.find(a) == clusters.find(b):
            continue
        evidence = title_match(found[a], found[b])
        if evidence:
            clusters.join(a, b, evidence)

    by_strong_key: dict[tuple, list[int]] = defaultdict(list)
    for i, f in enumerate(found):
        key = f.strong_key
        if key is not None:
            by_strong_key[key].append(i)
    for key, members in sorted(by_strong_key.items(), key=lambda item: repr(item[0])):
        untitled = [i for i in members if not found[i].title]
        titled_roots = {clusters.find(i) for i in members if found[i].title}
        if not untitled or len(titled_roots) > 1:
            continue
        anchor = min(titled_roots) if titled_roots else untitled[0]
        for i in untitled:
            clusters.join(anchor, i, "no title: same year, volume, issue, first page and first author")

    return clusters.groups(), clusters.links
