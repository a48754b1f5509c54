"""One venue node per journal, whichever ISSN or title spelling each record gives.

Records name the same journal in different ways: PubMed gives the print ISSN
and the electronic one, a Zotero RIS export the electronic one first, a
scraped listing only the title, with its own capitalisation. Left alone,
``Blood`` would become two venues (one per ISSN) and the venue's works would
be split between them. :func:`unify_venues` groups the venues of all works:

- venues that share any ISSN are one venue (transitively);
- a venue with a title and no ISSN joins the ISSN group whose titles fold to
  the same key, when exactly one group does; otherwise venues with that
  title and no ISSN are one venue on their own. Two venues with the same
  title and different ISSNs stay apart: titles are not unique.

A group's fields are chosen by vote over its works (ties broken by the text,
so input order never matters): the most given print ISSN, the most given
electronic ISSN (else another ISSN of the group), where only sources that say
which ISSN is which vote when there are any (a Zotero RIS export lists the
electronic ISSN first; PubMed labels both); the most given title
(mixed case before all-capitals), the most given publisher. Its IRI is
minted from the lowest of all its ISSNs, or from its title when it has none,
so the same journal gets the same IRI whichever of its ISSNs a record gives.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable, Sequence

from .iris import mint_venue_iri
from ..text import fold
from .unionfind import UnionFind
from ..model import Venue


@dataclass(frozen=True)
class ResolvedVenue:
    iri: str
    venue: Venue


def issns_of(venue: Venue) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in (venue.issn, venue.eissn) if i))


def unify_venues(venues: Sequence[Venue | None], base: str) -> list[ResolvedVenue | None]:
    """The resolved venue for each of ``venues`` (None where there is none)."""
    counts = Counter(v for v in venues if v is not None and (v.title or v.issn or v.eissn))
    distinct = sorted(counts, key=_sort_key)
    sets = UnionFind(range(len(distinct)))
    find, join = sets.find, sets.union

    owner: dict[str, int] = {}
    for i, venue in enumerate(distinct):
        for issn in issns_of(venue):
            if issn in owner:
                join(i, owner[issn])
            else:
                owner[issn] = i

    # Titles, once ISSN groups are known: a title-only venue joins the one
    # ISSN group with that title, else the other title-only venues.
    groups_by_title: dict[str, set[int]] = defaultdict(set)
    for i, venue in enumerate(distinct):
        if issns_of(venue) and venue.title:
            groups_by_title[fold(venue.title)].add(find(i))
    title_only: dict[str, int] = {}
    for i, venue in enumerate(distinct):
        if issns_of(venue) or not venue.title:
            continue
        key = fold(venue.title)
        roots = groups_by_title.get(key, set())
        if len(roots) == 1:
            join(i, next(iter(roots)))
        elif key in title_only:
            join(i, title_only[key])
        else:
            title_only[key] = i

    resolved_of: dict[Venue, ResolvedVenue] = {}
    for group in sets.groups():
        resolved = _combine([(distinct[i], counts[distinct[i]]) for i in group], base)
        for i in group:
            resolved_of[distinct[i]] = resolved
    return [resolved_of.get(v) if v is not None else None for v in venues]


def _sort_key(venue: Venue) -> tuple:
    return tuple(getattr(venue, name) or "" for name in ("issn", "eissn", "title", "publisher"))


def _vote(values: Iterable[tuple[str | None, int]], prefer=lambda value: ()) -> str | None:
    tally: Counter[str] = Counter()
    for value, count in values:
        if value:
            tally[value] += count
    if not tally:
        return None
    return min(tally, key=lambda value: (-tally[value], *prefer(value), value))


def _title_preference(title: str) -> tuple:
    # "Journal of Clinical Epidemiology" before "JOURNAL OF CLINICAL EPIDEMIOLOGY"
    # and before "Journal of clinical epidemiology".
    return (title.isupper(), -sum(ch.isupper() for ch in title))


def _combine(group: list[tuple[Venue, int]], base: str) -> ResolvedVenue:
    # Sources that say which ISSN is which outvote any number that guess.
    typed = [(v, n) for v, n in group if v.issns_typed]
    voters = typed or group
    issn = _vote((v.issn, n) for v, n in voters)
    eissn = _vote((v.eissn, n) for v, n in voters if v.eissn != issn) or _vote(
        (i, n) for v, n in group for i in issns_of(v) if i != issn
    )
    title = _vote(((v.title, n) for v, n in group), _title_preference)
    publisher = _vote((v.publisher, n) for v, n in group)
    every_issn = sorted({i for v, _ in group for i in issns_of(v)})
    iri = mint_venue_iri(base, every_issn[0] if every_issn else None, title)
    return ResolvedVenue(iri, Venue(title=title, issn=issn, eissn=eissn, publisher=publisher, issns_typed=bool(typed)))
