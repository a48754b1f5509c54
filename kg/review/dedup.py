"""How well kg finds duplicate records: precision and recall on a labelled gold.

The gold (``tests/data/dedup-gold.csv``) names pairs of records by file name
and line (the ``file:line`` kg reports), each labelled ``same`` (one work)
or ``different``, with the kind of pair (a cross-database duplicate, an
erratum and its article, the same first author and year but another
paper...) and a short reason. :func:`evaluate` reads the files the gold names
from a folder, resolves them together as a build does, and counts the pairs
kg put in one work against the labels.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataProblems, UsageError
from ..identity.resolve import resolve
from ..read.inputs import read_inputs
from ..vocab import DEFAULT_BASE

LABELS = ("same", "different")


@dataclass(frozen=True)
class GoldPair:
    a: tuple[str, int]
    b: tuple[str, int]
    same: bool
    kind: str
    reason: str


@dataclass
class DedupScores:
    """Pair counts and the pairs kg got wrong."""

    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    true_negative: int = 0
    kinds: Counter = field(default_factory=Counter)
    """Gold pairs by kind."""
    wrong: list[GoldPair] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positive + self.false_negative
        return self.true_positive / wanted if wanted else 1.0

    def summary(self) -> str:
        pairs = self.true_positive + self.false_positive + self.false_negative + self.true_negative
        return (f"{pairs} pairs ({self.true_positive + self.false_negative} same, "
                f"{self.false_positive + self.true_negative} different): precision {self.precision:.3f}, "
                f"recall {self.recall:.3f}")


def load_gold(path: Path) -> list[GoldPair]:
    """The pairs of a gold CSV (file_a, line_a, file_b, line_b, label, kind, reason)."""
    pairs = []
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            where = f"{path.name}:{reader.line_num}"
            if row.get("label") not in LABELS:
                raise DataProblems(f"{where}: label must be same or different, not {row.get('label')!r}")
            try:
                a, b = (row["file_a"], int(row["line_a"])), (row["file_b"], int(row["line_b"]))
            except (KeyError, TypeError, ValueError):
                raise DataProblems(f"{where}: file_a, line_a, file_b, line_b must name two records") from None
            pairs.append(GoldPair(a, b, row["label"] == "same", row.get("kind", ""), row.get("reason", "")))
    return pairs


def evaluate(gold: list[GoldPair], folder: Path) -> DedupScores:
    """Read the files the gold names (found by name under ``folder``), resolve
    them together, and score kg's merges on the gold pairs."""
    names = sorted({file for pair in gold for file, _ in (pair.a, pair.b)})
    found = {p.name: p for p in folder.rglob("*") if p.is_file() and p.name in names}
    missing = [n for n in names if n not in found]
    if missing:
        raise UsageError(f"{folder}: gold file(s) not found: {', '.join(missing)}")
    read, _ = read_inputs([found[n] for n in names])
    work_of = {}
    for index, work in enumerate(resolve(read.records, DEFAULT_BASE).works):
        for record in work.sources:
            work_of[(record.source.file, record.source.line)] = index
    scores = DedupScores()
    for pair in gold:
        if pair.a not in work_of or pair.b not in work_of:
            absent = pair.a if pair.a not in work_of else pair.b
            raise DataProblems(f"gold names {absent[0]}:{absent[1]}, which is no record kg read")
        merged = work_of[pair.a] == work_of[pair.b]
        scores.kinds[pair.kind] += 1
        if merged and pair.same:
            scores.true_positive += 1
        elif merged:
            scores.false_positive += 1
            scores.wrong.append(pair)
        elif pair.same:
            scores.false_negative += 1
            scores.wrong.append(pair)
        else:
            scores.true_negative += 1
    return scores
