"""Which author names are the same person: rules, blocking and evidence.

Precision matters more than recall here: two different people merged is a
wrong fact in the graph, one person under two IRIs is a gap a curator can
close. The units matched are *name nodes*: an ORCID, or a printed name folded
to a key ("Collopy, Catherine M." and "Catherine M Collopy" are one key). Within
one build the same printed name is the same person. Nodes are then joined, in
this order:

1. A printed name seen with exactly one ORCID joins that ORCID. A name seen
   with two ORCIDs is ambiguous and takes part in no further join.
2. Same paper in another source: when records of one work are merged, the
   author at the same place (or the one author with that family name) in each
   record is the same person, if the given names are compatible.
3. Compatible names plus evidence: the same family name, compatible given
   names ("Catherine M" / "C. M." / "C."), and either a shared co-author, or
   the same venue when the given names agree on more than a single initial
   (two initials, or the same full first name). A bare initial ("C. Collopy")
   needs a shared co-author: "Y. Wang" in one journal is not enough.

A join is refused when it would put two ORCIDs in one person, two names
printed in one author list in one person, or given names that are not all
pairwise compatible into one person (so "J. Smith" cannot chain "John Smith"
to "Jane Smith"). A curation file's ``same-person`` and ``not-same-person``
rows beat all of these rules.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import NamedTuple

from ..model import Author
from ..text import NAME_SUFFIXES, fold
from .unionfind import KeptApart, UnionFind
from .works import family_key

_GIVEN_PART = re.compile(r"(?<!\d)\d*[^\W\d_]+")
"""A given name, or an ordinal suffix ("3rd") that is dropped."""


class Mention(NamedTuple):
    """One author in one source record (a named tuple: a million papers make
    3.5 million of them, built and read in tight loops)."""

    work: int
    record: int
    """Index of the source record (mentions in one record are different people)."""
    label: str
    """The record as a curator finds it: ``file:line``."""
    position: int
    author: Author
    node: str
    """:func:`node_key` of ``author``, computed once: hashing an ``Author`` for
    the cache costs more than the lookup saves when done for every use."""
    venue: str | None = None
    """The work's venue IRI (one per journal, :mod:`kg.identity.venues`), for evidence."""
    venue_title: str | None = None


NAMES_CACHED = 1 << 21
"""Authors whose keys are kept: a million records name about 500k different
authors, and a smaller cache (it was 262,144) missed 2.3 million times there."""


@lru_cache(maxsize=NAMES_CACHED)  # names recur across records; folding is the cost
def name_key(author: Author) -> str:
    """The printed name folded; an inverted name ("Collopy, Catherine M") in
    given-family order, so it is the same key as "Catherine M Collopy". Names
    printed family first without a comma ("李 小龙") keep their order."""
    if "," in author.name and author.family and author.given:
        return fold(f"{author.given} {author.family}")
    return fold(author.name)


@lru_cache(maxsize=NAMES_CACHED)
def node_key(author: Author) -> str:
    return f"orcid:{author.orcid}" if author.orcid else f"name:{name_key(author)}"


def node_name_key(node: str) -> str | None:
    """The :func:`name_key` every author of a name node has; None for an
    ORCID node, whose authors may print their name in several ways."""
    return None if node.startswith("orcid:") else node.removeprefix("name:")


@lru_cache(maxsize=262144)
def given_parts(given: str | None) -> tuple[tuple[str, bool, bool], ...]:
    """Given names as (folded text, is_initial, continues_hyphenated) triples.

    "Catherine M" -> catherine (full), m (initial); "C.M." and "CM" (MEDLINE's
    squashed initials: all capitals, at most three letters) -> two initials;
    "Jean-Pierre" -> jean, then pierre marked as continuing a hyphenated name,
    so it matches "J.-P." but not "Jean" alone. Suffixes ("3rd", "Jr") drop out.
    """
    parts: list[tuple[str, bool, bool]] = []
    for match in _GIVEN_PART.finditer(given or ""):
        word = match[0]
        if word[0].isdigit() or (word.casefold() in NAME_SUFFIXES and not word.isupper()):  # "II" is initials
            continue
        hyphenated = match.start() > 0 and (given or "")[match.start() - 1] == "-"
        if len(word) <= 3 and word.isupper() and len(word) > 1:
            parts.extend((fold(ch), True, hyphenated and n == 0) for n, ch in enumerate(word))
        else:
            folded = fold(word)
            parts.append((folded, len(folded) == 1, hyphenated))
    return tuple(parts)


def compatible(a, b) -> bool:
    """Given names that can belong to one person: each aligned pair agrees
    (full names equal, an initial equal to the other's first letter); a missing
    middle name is no disagreement, but a missing second half of a hyphenated
    name is when the first halves are written out ("Min-Hui" is not "Min").
    No given name at all is not compatible."""
    if not a or not b:
        return False
    for (x, x_initial, _), (y, y_initial, _) in zip(a, b):
        if x_initial or y_initial:
            if x[0] != y[0]:
                return False
        elif x != y:
            return False
    shorter, longer = sorted((a, b), key=len)
    if len(longer) > len(shorter):
        last_shared = shorter[-1]
        next_extra = longer[len(shorter)]
        if next_extra[2] and not last_shared[1] and not longer[len(shorter) - 1][1]:
            return False
    return True


def strongly_compatible(a, b) -> bool:
    """Compatible and agreeing on more than one initial: the same full first
    name, or at least two aligned given names."""
    if not compatible(a, b):
        return False
    same_full_first = not a[0][1] and not b[0][1] and a[0][0] == b[0][0]
    return same_full_first or min(len(a), len(b)) >= 2


@dataclass(slots=True)  # one per name node: a million papers make about a million
class Cluster:
    """What a set of joined nodes holds, for checking a join."""

    orcids: set[str] = field(default_factory=set)
    givens: set[tuple] = field(default_factory=set)
    records: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class PersonLink:
    """Why two name nodes were found to be one person."""

    left: str
    right: str
    evidence: str


class People(UnionFind[str]):
    """Name nodes joined into people, with the refusals described above."""

    def __init__(self) -> None:
        super().__init__()
        self.cluster: dict[str, Cluster] = {}
        self.links: list[PersonLink] = []
        self.apart: KeptApart[str] = KeptApart()
        """Per root, the (row, side) of each curated ``apart`` it holds."""

    def add_mentions(self, mentions: list[Mention]) -> None:
        """Every mention's node, with what its author holds; before any join,
        when each node is its own root."""
        assert not self.links, "mentions are added before nodes are joined"
        add, cluster = self.add, self.cluster
        for mention in mentions:
            node, author = mention.node, mention.author
            held = cluster.get(node)
            if held is None:
                add(node)
                held = cluster[node] = Cluster()
            if author.orcid:
                held.orcids.add(author.orcid)
            parts = given_parts(author.given)
            if parts:
                held.givens.add(parts)
            held.records.add(mention.record)

    def can_join(self, a: str, b: str, *, force: bool = False) -> bool:
        """Whether the two may be joined; ``force`` (a curator's word) skips
        every refusal but a curated ``apart``."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if self.apart.forbids(ra, rb):
            return False
        if force:
            return True
        left, right = self.cluster[ra], self.cluster[rb]
        if len(left.orcids | right.orcids) > 1 or left.records & right.records:
            return False
        return all(compatible(x, y) for x in left.givens for y in right.givens)

    def join(self, a: str, b: str, evidence: str, *, force: bool = False) -> bool:
        if not self.can_join(a, b, force=force):
            return False
        low, high = self.union(a, b)
        self.apart.merge(low, high)
        kept, gone = self.cluster[low], self.cluster.pop(high)
        kept.orcids |= gone.orcids
        kept.givens |= gone.givens
        kept.records |= gone.records
        self.links.append(PersonLink(a, b, evidence))
        return True


def same_person_across_sources(primary: list[Mention], other: list[Mention]) -> list[tuple[Mention, Mention]]:
    """Pairs (other mention, primary mention) of one work's two author lists
    that name the same person: same place and compatible, else the one
    compatible author with that family name."""
    pairs = []
    for mention in other:
        family = family_key(mention.author.family or mention.author.name)
        parts = given_parts(mention.author.given)

        def fits(candidate: Mention) -> bool:
            return family_key(candidate.author.family or candidate.author.name) == family and (
                compatible(parts, given_parts(candidate.author.given))
                or name_key(candidate.author) == name_key(mention.author)
            )

        same_place = [p for p in primary if p.position == mention.position and fits(p)]
        found = same_place or [p for p in primary if fits(p)]
        if len(found) == 1:
            pairs.append((mention, found[0]))
    return pairs


def match_people(
    mentions: list[Mention], primary_records: set[int], *,
    together: list[tuple[list[str], str]] = (), apart: list[list[list[str]]] = (),
) -> tuple[dict[str, str], list[PersonLink]]:
    """Map every node key to its person's root node key, and the links made.

    ``primary_records`` are the records whose author lists the works keep;
    the other mentions only add names and evidence. ``mentions`` must be in a
    fixed order. A curator's ``together`` (node keys, evidence) are joined
    first, whatever the rules say; the sides of each ``apart`` (lists of node
    keys) are never joined (:mod:`kg.identity.overrides`).
    """
    people = People()
    author_of: dict[str, Author] = {}
    people.add_mentions(mentions)
    for mention in mentions:
        author_of.setdefault(mention.node, mention.author)
    for row, sides in enumerate(apart):
        for side, nodes in enumerate(sides):
            for node in nodes:
                people.apart.add(people.find(node), row, side)
    for nodes, evidence in together:
        for node in nodes[1:]:
            people.join(nodes[0], node, evidence, force=True)

    # 1. a printed name seen with exactly one ORCID joins it
    orcids_of_name: dict[str, set[str]] = defaultdict(set)
    for mention in mentions:
        if mention.author.orcid:
            orcids_of_name[name_key(mention.author)].add(mention.author.orcid)
    ambiguous = {f"name:{name}" for name, found in orcids_of_name.items() if len(found) > 1}
    for name in sorted(orcids_of_name):
        found = orcids_of_name[name]
        if len(found) == 1 and f"name:{name}" in people.parent:
            orcid = next(iter(found))
            people.join(f"orcid:{orcid}", f"name:{name}", f"same printed name as ORCID {orcid}")

    # 2. the same paper in another source
    by_record: dict[int, list[Mention]] = defaultdict(list)
    records_of_work: dict[int, list[int]] = defaultdict(list)
    for mention in mentions:
        if not by_record[mention.record]:
            records_of_work[mention.work].append(mention.record)
        by_record[mention.record].append(mention)
    for work in sorted(records_of_work):
        records = records_of_work[work]
        primary = next((r for r in records if r in primary_records), None)
        if primary is None:
            continue
        for record in records:
            if record == primary:
                continue
            for other, kept in same_person_across_sources(by_record[primary], by_record[record]):
                people.join(
                    kept.node,
                    other.node,
                    f"same paper in another source: {kept.label} and {other.label}",
                )

    # 3. compatible names with a shared co-author or venue, blocked by
    #    (family name, first initial) so no block is compared with all others
    # A co-author is identified by their person after rules 1-2 (not by
    # family name and initial, which many people share).
    blocks: dict[tuple[str, str], list[str]] = defaultdict(list)
    for node in sorted(people.parent):
        author = author_of[node]
        if author.given and node not in ambiguous:
            blocks[(family_key(author.family or author.name), first_initial(author))].append(node)
    # Only a node that shares its block is ever compared: most do not, and
    # gathering evidence for them was most of this rule's time.
    compared = {node for nodes in blocks.values() if len(nodes) > 1 for node in nodes}
    coauthors: dict[str, dict[str, str]] = defaultdict(dict)
    venues: dict[str, dict[str, str]] = defaultdict(dict)
    printed: dict[str, str] = {}
    roots_in: dict[int, list[str]] = {}  # no joins happen in this loop: each record's roots are found once
    for mention in mentions:
        node = mention.node
        if node not in compared:
            continue
        printed.setdefault(node, mention.author.name)
        if mention.venue:
            venues[node].setdefault(mention.venue, mention.venue_title or mention.venue)
        in_record = by_record[mention.record]
        roots = roots_in.get(mention.record)
        if roots is None:
            roots = roots_in[mention.record] = [people.find(other.node) for other in in_record]
        held = coauthors[node]
        for other, root in zip(in_record, roots):
            if other.position != mention.position:
                held.setdefault(root, other.author.name)

    for block_key in sorted(blocks):
        nodes = blocks[block_key]
        for i, j in sharing_pairs(nodes, coauthors, venues):
            a, b = nodes[i], nodes[j]
            if not people.can_join(a, b):
                continue
            evidence = person_evidence(a, b, coauthors, venues, people, block_key)
            if evidence:
                people.join(a, b, f"{printed[a]} ~ {printed[b]}: {evidence}")

    return {node: people.find(node) for node in people.parent}, people.links


def sharing_pairs(nodes: list[str], coauthors: dict[str, dict[str, str]],
                  venues: dict[str, dict[str, str]]) -> list[tuple[int, int]]:
    """The pairs (i, j), i < j, of a block's ``nodes`` that share a co-author
    or a venue, in the order of a loop over all pairs: only these can have
    evidence (:func:`person_evidence`), and the others are never joined.

    Found from who shares what, not by trying every pair: blocks grow with
    the corpus (in the generated mixed corpus, most blocks hold one or two
    names at 100k records and 5 to 11 at a million), and trying every pair
    made this rule quadratic in the block."""
    if len(nodes) == 2:
        return [(0, 1)]
    by_coauthor: dict[str, list[int]] = defaultdict(list)
    by_venue: dict[str, list[int]] = defaultdict(list)
    for i, node in enumerate(nodes):
        for coauthor in coauthors.get(node, ()):
            by_coauthor[coauthor].append(i)
        for venue in venues.get(node, ()):
            by_venue[venue].append(i)
    pairs = {pair for sharing in (by_coauthor, by_venue) for members in sharing.values() if len(members) > 1
             for pair in combinations(members, 2)}
    return sorted(pairs)


def first_initial(author: Author) -> str:
    parts = given_parts(author.given)
    return parts[0][0][0] if parts else ""


def person_evidence(a, b, coauthors, venues, people: People, block_key) -> str | None:
    """A shared co-author (other than the two themselves), or a shared venue
    when the given names agree on more than one initial."""
    root_a, root_b = people.cluster[people.find(a)], people.cluster[people.find(b)]
    shared = sorted(set(coauthors[a]) & set(coauthors[b]) - {people.find(a), people.find(b)})
    if shared:
        return f"shared co-author {coauthors[a][shared[0]]}"
    strong = all(strongly_compatible(x, y) for x in root_a.givens for y in root_b.givens)
    same_venue = sorted(set(venues[a]) & set(venues[b]))
    if strong and same_venue:
        return f"same venue {venues[a][same_venue[0]]}"
    return None
