"""Screening decisions made in a screening tool, brought back to the works.

Three layouts are read, told apart by their header:

- an ASReview export (CSV): ``included`` (ASReview 1) or ``asreview_label``
  (ASReview 2) is 1 (include), 0 (exclude) or empty (not screened);
- a Rayyan export (CSV): the ``notes`` column holds
  ``RAYYAN-INCLUSION: {"Reviewer"=>"Included"}`` (or ``"Excluded"``,
  ``"Maybe"``) and ``RAYYAN-EXCLUSION-REASONS: reason``;
- a plain CSV with ``work``, ``decision`` (include, exclude, maybe) and
  ``reason``.

Each row is matched to a work of the graph by what the exported file carried
(:mod:`kg.sinks.works`): the work IRI (in any column, e.g. the ``kg work:``
note), the key, else the DOI, else the title. A row that names no work is a
data error naming the file and line.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataProblems, UsageError
from ..rdf.mapping import screening_lines, without_screening
from ..rdf.sort import SortedStatements
from ..read import decode
from ..read.identifiers import normalise_doi
from ..sinks.export import store_lines
from ..sinks.store import replace_contents
from ..sinks.works import ExportWork
from ..text import fold

DECISIONS = ("include", "exclude", "maybe")
_IRI_IN_TEXT = re.compile(r"kg work: (\S+?)[;\s]")
_RAYYAN_DECISION = re.compile(r'RAYYAN-INCLUSION:\s*\{[^}]*=>\s*"(\w+)"')
_RAYYAN_REASONS = re.compile(r"RAYYAN-EXCLUSION-REASONS:\s*([^|]+)")
_WORDS = {"1": "include", "0": "exclude", "included": "include", "excluded": "exclude", "yes": "include",
          "no": "exclude", "include": "include", "exclude": "exclude", "maybe": "maybe"}


@dataclass(frozen=True)
class Decision:
    """A screening decision about one work, from one row of a file."""

    work: str
    decision: str
    """``include``, ``exclude`` or ``maybe``."""
    reason: str
    file: str
    line: int


@dataclass(frozen=True)
class Screening:
    """The decisions of one file, and the works screened."""

    decisions: list[Decision]
    layout: str
    """``asreview``, ``rayyan`` or ``plain``."""

    def counts(self, works: int) -> dict:
        """Records screened, excluded (with reasons), included and not decided."""
        final = {d.work: d for d in self.decisions}  # a later row about a work wins
        excluded = [d for d in final.values() if d.decision == "exclude"]
        reasons = Counter(d.reason or "no reason given" for d in excluded)
        included = sum(1 for d in final.values() if d.decision == "include")
        return {
            "screened": works,
            "excluded": len(excluded),
            "exclusion_reasons": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
            "included": included,
            "undecided": works - len(excluded) - included,
        }


def _layout(header: list[str]) -> str:
    names = {h.strip().lower() for h in header}
    if {"included"} & names or "asreview_label" in names:
        return "asreview"
    if "notes" in names and "key" in names:
        return "rayyan"
    if {"work", "decision"} <= names:
        return "plain"
    raise UsageError("screening file: not an ASReview or Rayyan export, nor a CSV with work and decision columns")


def _decision(layout: str, row: dict[str, str]) -> tuple[str | None, str]:
    """The decision and reason a row says; None when it says none (not screened)."""
    if layout == "asreview":
        value = (row.get("asreview_label") or row.get("included") or "").strip()
        return _WORDS.get(value.removesuffix(".0")), ""
    if layout == "rayyan":
        notes = row.get("notes") or ""
        found = _RAYYAN_DECISION.search(notes)
        reasons = _RAYYAN_REASONS.search(notes)
        return (_WORDS.get(found.group(1).lower()) if found else None), (reasons.group(1).strip() if reasons else "")
    value = (row.get("decision") or "").strip().lower()
    return _WORDS.get(value, value or None), (row.get("reason") or "").strip()


class _Index:
    """Works by IRI, key, DOI and folded title."""

    def __init__(self, works: list[ExportWork]) -> None:
        self.by_iri = {w.iri: w.iri for w in works}
        self.by_key = {w.key: w.iri for w in works}
        self.by_doi = {d: w.iri for w in works for d in w.dois}
        titles = Counter(fold(w.title) for w in works if w.title)
        self.by_title = {fold(w.title): w.iri for w in works if w.title and titles[fold(w.title)] == 1}

    def find(self, row: dict[str, str]) -> str | None:
        cells = [v.strip() for v in row.values() if isinstance(v, str) and v.strip()]
        for cell in cells:
            if cell in self.by_iri:
                return cell
            if (found := _IRI_IN_TEXT.search(cell + ";")) and found.group(1) in self.by_iri:
                return found.group(1)
        for name in ("work", "key", "id", "ID", "citation_key"):
            if (value := (row.get(name) or "").strip()) in self.by_key:
                return self.by_key[value]
        for name in ("doi", "DOI"):
            doi = normalise_doi((row.get(name) or "").split(";")[0])
            if doi and doi in self.by_doi:
                return self.by_doi[doi]
        title = fold((row.get("title") or "").strip())
        return self.by_title.get(title) if title else None


def read_screening(path: Path, works: list[ExportWork]) -> Screening:
    """The decisions in ``path``; rows not screened yet are left out. Raises
    :class:`DataProblems` naming the file and line of a row that names no
    work of the graph or says no decision kg knows."""
    try:
        content = decode(path.read_bytes())
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    reader = csv.DictReader(io.StringIO(content))
    layout = _layout(reader.fieldnames or [])
    index = _Index(works)
    decisions, problems = [], []
    for row in reader:
        line = reader.line_num
        decision, reason = _decision(layout, row)
        if decision is None:
            continue
        if decision not in DECISIONS:
            problems.append(f"{path.name}:{line}: decision {decision!r} is not include, exclude or maybe")
            continue
        work = index.find(row)
        if work is None:
            problems.append(f"{path.name}:{line}: names no work of the graph (no work IRI, key, DOI or title matched)")
            continue
        decisions.append(Decision(work, decision, reason, path.name, line))
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DataProblems(problems[0] + more)
    return Screening(decisions, layout)


def decision_lines(screening: Screening) -> list[str]:
    """The decisions as N-Triples lines (:func:`kg.rdf.mapping.screening_lines`),
    the last row about a work winning."""
    final = {d.work: d for d in screening.decisions}
    return screening_lines([(d.work, d.decision, d.reason, f"{d.file}:{d.line}") for d in final.values()])


def record_screening(store_path: str | Path, screening: Screening) -> int:
    """Put the decisions into the store's graph, replacing those of an earlier
    screening file; the store is replaced whole or not at all (as a build does).
    Returns the statements written. A later ``kg build`` starts afresh: run
    ``kg prisma --screening`` again after it."""
    statements = SortedStatements()
    statements.extend(without_screening(store_lines(store_path)))
    statements.extend(decision_lines(screening))
    statements.finish()
    replace_contents(store_path, statements)
    return statements.count
