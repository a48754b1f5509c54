"""Where records came from: counts per source and the overlap between sources.

A *source* is the database or search an input file was exported from, as
recorded on each source record (``kg:sourceLabel``). The counts come from the
store through three named queries (``queries/sources-*.rq``) and are what a
systematic review reports: records identified per database, duplicates
removed, works left to screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from ..query.registry import get_query
from ..query.results import plain_value
from ..query.run import run_local


@dataclass(frozen=True)
class SourceCount:
    """One source: its files, the records read from it, and the works they make."""

    name: str
    files: int
    records: int
    works: int
    unique: int
    """Works found in this source only."""

    @property
    def duplicates_within(self) -> int:
        """Records of this source that are the same work as another record of it."""
        return self.records - self.works

    @property
    def shared(self) -> int:
        """Works of this source that other sources found too."""
        return self.works - self.unique


@dataclass
class SourceReport:
    """The counts of every source and the totals across them."""

    sources: list[SourceCount]
    records_identified: int
    works: int
    files: int = 0
    """Input files, each once (a file may hold records of several sources)."""
    overlap: dict[tuple[str, str], int] = field(default_factory=dict)
    """Works in common for each pair of sources (both orders, and each source
    with itself: its own works)."""

    @property
    def duplicates_removed(self) -> int:
        return self.records_identified - self.works

    def as_json(self, overlap: bool = False) -> dict:
        """The JSON object of ``kg sources --format json``."""
        data: dict = {
            "sources": [
                {
                    "name": s.name, "files": s.files, "records": s.records,
                    "duplicates_within": s.duplicates_within, "shared": s.shared, "unique": s.unique,
                    "works": s.works,
                }
                for s in self.sources
            ],
            "files": self.files,
            "records_identified": self.records_identified,
            "duplicates_removed": self.duplicates_removed,
            "works": self.works,
        }
        if overlap:
            names = [s.name for s in self.sources]
            data["overlap"] = {
                "sources": names,
                "works": [[self.overlap.get((a, b), 0) for b in names] for a in names],
            }
        return data

    def rows(self) -> tuple[list[str], list[list]]:
        """The table and CSV: a header and one row per source, then the totals."""
        header = ["source", "files", "records", "duplicates_within", "shared", "unique", "works"]
        rows = [[s.name, s.files, s.records, s.duplicates_within, s.shared, s.unique, s.works] for s in self.sources]
        rows.append(["total", self.files, self.records_identified,
                     self.duplicates_removed, "", "", self.works])
        return header, rows

    def overlap_rows(self) -> tuple[list[str], list[list]]:
        """The overlap matrix as a header and one row per source."""
        names = [s.name for s in self.sources]
        return ["source", *names], [[a, *(self.overlap.get((a, b), 0) for b in names)] for a in names]


def _answer(store: ox.Store, name: str) -> list[dict]:
    result = run_local(store, get_query(name))
    return [dict(zip(result.variables, (plain_value(t) for t in row))) for row in result.rows]


def source_report(store: ox.Store) -> SourceReport:
    """Counts per source, totals and the overlap matrix, from a built graph."""
    sources = [
        SourceCount(str(r["source"]), int(r["files"]), int(r["records"]), int(r["works"]), int(r["unique"]))
        for r in _answer(store, "sources-counts")
    ]
    totals = (_answer(store, "sources-totals") or [{}])[0]
    overlap = {(str(r["source"]), str(r["other"])): int(r["works"]) for r in _answer(store, "sources-overlap")}
    return SourceReport(sources, int(totals.get("records") or 0), int(totals.get("works") or 0),
                        int(totals.get("files") or 0), overlap)
