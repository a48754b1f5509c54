"""Curation rows applied in identity: they beat the matchers and the sources.

- ``same-work`` / ``not-same-work``: the records named are joined before any
  matcher runs (even across two DOIs), or kept apart whatever the matchers
  find (:class:`kg.identity.works.Clusters`).
- ``same-person`` / ``not-same-person``: the same for name nodes
  (:class:`kg.identity.people.People`); a curated join overrides the ORCID,
  co-author and given-name refusals.
- ``correct``: the fields are set on a work's combined record after the
  records were combined (:func:`kg.identity.resolve.combine`), so they win
  over every source, enriched records included. The work keeps the IRI its
  records give it, so a correction never moves a work.

Each row ends as a :class:`kg.model.Curated` saying what it applied to, or
why it had no effect (it names nothing in this build, or the records still
share one IRI) -- never dropped silently.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from ..model import Curated, Record, Venue
from ..read.identifiers import normalise_orcid
from ..read.names import make_author
from ..text import fold
from .curation import CurationRow, expand, record_keys
from .iris import mint_person_iri
from .people import Mention, name_key, node_key

_PERSON_KINDS = ("same-person", "not-same-person")
_WORK_KINDS = ("same-work", "not-same-work")


class Overrides:
    """The identity rows of a curation file, resolved against one build's records."""

    def __init__(self, rows: Sequence[CurationRow], records: list[Record], base: str) -> None:
        self.rows = [row for row in rows if row.kind in ("correct", *_PERSON_KINDS, *_WORK_KINDS)]
        self.base = base
        self.records = records
        self.named: dict[int, list[list[int]]] = {}
        """Row index -> record indices per reference (work rows)."""
        self.missing: dict[int, str] = {}
        self.corrected: dict[int, list[str]] = defaultdict(list)
        """Row index -> IRIs of the works it corrected."""
        self.person_nodes: dict[int, list[list[str]]] = {}
        if not any(row.kind in _WORK_KINDS for row in self.rows):
            return
        index: dict[str, list[int]] = defaultdict(list)
        for i, record in enumerate(records):
            for key in record_keys(record, base):
                index[key].append(i)
        for n, row in enumerate(self.rows):
            if row.kind in _WORK_KINDS:
                sides = [sorted(set(index.get(expand(ref, base), ()))) for ref in row.refs]
                unknown = [ref for ref, side in zip(row.refs, sides) if not side]
                if unknown:
                    self.missing[n] = f"{', '.join(unknown)} names no record of this build"
                else:
                    self.named[n] = sides

    # -- works -----------------------------------------------------------------

    @property
    def same_works(self) -> list[tuple[list[int], str]]:
        """(record indices, evidence) of each ``same-work`` row that names records."""
        return [
            (sorted({i for side in sides for i in side}), f"curated: same work ({self.rows[n].label})")
            for n, sides in sorted(self.named.items()) if self.rows[n].kind == "same-work"
        ]

    @property
    def different_works(self) -> list[list[list[int]]]:
        """The sides of each ``not-same-work`` row: records that stay in different works."""
        return [sides for n, sides in sorted(self.named.items())
                if self.rows[n].kind == "not-same-work" and not overlapping(sides)]

    def correct(self, drafts: list[tuple[str, Record, list[int]]]) -> list[tuple[str, Record, list[int]]]:
        """The drafts (IRI, combined record, record indices) with each
        ``correct`` row's fields set on the work it names, rows in file order."""
        corrections = [(n, row) for n, row in enumerate(self.rows) if row.kind == "correct"]
        if not corrections:
            return drafts
        index: dict[str, list[int]] = defaultdict(list)
        for d, (iri, record, members) in enumerate(drafts):
            keys = {iri, *(k for i in members for k in record_keys(self.records[i], self.base))}
            if record.doi:
                keys.add(record.doi)
            for key in keys:
                index[key].append(d)
        drafts = list(drafts)
        for n, row in corrections:
            for d in index.get(expand(row.refs[0], self.base), ()):
                iri, record, members = drafts[d]
                drafts[d] = (iri, corrected(record, row.values), members)
                self.corrected[n].append(iri)
        return drafts

    # -- people ----------------------------------------------------------------

    def people(self, mentions: list[Mention]) -> dict[str, list]:
        """``together`` and ``apart`` for :func:`kg.identity.people.match_people`:
        the name nodes each person row names."""
        if not any(row.kind in _PERSON_KINDS for row in self.rows):
            return {}
        index: dict[str, set[str]] = defaultdict(set)
        for mention in mentions:
            author, node = mention.author, node_key(mention.author)
            for key in (fold(author.name), name_key(author), author.orcid,
                        mint_person_iri(self.base, name_key(author)),
                        mint_person_iri(self.base, name_key(author), author.orcid)):
                if key:
                    index[key].add(node)
        together, apart = [], []
        for n, row in enumerate(self.rows):
            if row.kind not in _PERSON_KINDS:
                continue
            sides = [sorted(self._nodes(ref, index)) for ref in row.refs]
            unknown = [ref for ref, side in zip(row.refs, sides) if not side]
            if unknown:
                self.missing[n] = f"{', '.join(unknown)} names no author of this build"
                continue
            self.person_nodes[n] = sides
            if row.kind == "same-person":
                together.append((sorted({x for side in sides for x in side}), f"curated: same person ({row.label})"))
            elif not overlapping(sides):
                apart.append(sides)
        return {"together": together, "apart": apart}

    def _nodes(self, ref: str, index: dict[str, set[str]]) -> set[str]:
        key = normalise_orcid(ref) or expand(ref, self.base)
        if key != ref or key.startswith(("http://", "https://", "urn:")):
            return index.get(key, set())
        return index.get(name_key(make_author(ref)), set()) | index.get(fold(ref), set())

    # -- what each row did -----------------------------------------------------

    def outcomes(self, work_of: dict[int, str], person_of: dict[str, str]) -> list[Curated]:
        """One :class:`Curated` per row. ``work_of`` maps a record index to its
        work's IRI, ``person_of`` a name node to its person's IRI."""
        done = []
        for n, row in enumerate(self.rows):
            if n in self.missing:
                done.append(row.outcome(problem=self.missing[n]))
            elif row.kind == "correct":
                done.append(row.outcome(self.corrected.get(n, ()), fields=[name for name, _ in row.values]))
            elif row.kind in _WORK_KINDS:
                done.append(self._decided(row, [{work_of[i] for i in side} for side in self.named[n]], "works"))
            else:
                done.append(self._decided(row, [{person_of[x] for x in side} for side in self.person_nodes[n]], "people"))
        return done

    @staticmethod
    def _decided(row: CurationRow, sides: list[set[str]], what: str) -> Curated:
        everything = set().union(*sides)
        if row.kind.startswith("same-"):
            if len(everything) == 1:
                return row.outcome(everything)
            return row.outcome(problem=f"{' and '.join(row.refs)} could not be made one: a not-same row keeps them apart")
        if all(not (a & b) for i, a in enumerate(sides) for b in sides[i + 1:]):
            return row.outcome(everything)
        return row.outcome(problem=f"{' and '.join(row.refs)} are still one of the {what} (the same printed name, "
                           f"DOI or identity key gives them one IRI), so kg cannot keep them apart")


def overlapping(sides: list[list]) -> bool:
    """Whether two sides of a row name one record or name node (then the row
    cannot keep them apart, and says so)."""
    return any(set(a) & set(b) for i, a in enumerate(sides) for b in sides[i + 1:])


def corrected(record: Record, values: tuple[tuple[str, object], ...]) -> Record:
    """``record`` with the curated values set."""
    updates: dict[str, object] = {}
    for name, value in values:
        if name == "pages":
            updates["first_page"], updates["last_page"] = value
        elif name == "venue":
            updates["venue"] = Venue(title=str(value))
        elif name == "year":
            updates["year"] = value
            if record.date and not record.date.startswith(f"{value:04d}"):
                updates["date"] = None
        else:
            updates[name] = value
    return replace(record, **updates)
