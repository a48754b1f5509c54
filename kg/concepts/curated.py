"""A curator's concept assignments, which win over the tagger, so a rebuild
never undoes a person's correction: the ``[[concept]]`` rows of a curation
file (:mod:`kg.identity.curation`), and the older CSV (``--curated``,
columns paper, concept, action, note), still read as it was."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..errors import UsageError
from ..identity.curation import CurationRow, expand, work_keys
from ..model import Assignment, Corpus, Curated
from ..read.decoding import read_user_text
from ..read.identifiers import normalise_doi
from .scheme import Concept, Scheme, load_scheme

CURATED_COLUMNS = ("paper", "concept", "action", "note")


@dataclass(frozen=True)
class CuratedAssignment:
    paper: str
    """A lower-case DOI (no ``https://doi.org/``) or a paper IRI."""
    concept: str
    label: str
    action: str
    """``add`` or ``remove``."""
    note: str
    file: str
    line: int
    """Where the row is, for messages."""
    who: str = ""
    when: str = ""
    """Who decided, and the ISO date (rows of a curation file; "" in the CSV)."""

    @property
    def source(self) -> str:
        return f"{self.file}:{self.line}"


def _paper_id(raw: str) -> str | None:
    """The DOI in the form readers give it (so a row matches its paper whatever
    the curator pasted: a URL, ``doi:``, a trailing full stop), else an IRI."""
    raw = raw.strip()
    doi = normalise_doi(raw.strip("{}"))
    if doi:
        return doi
    if re.match(r"^(?:https?|urn):\S+$", raw, re.I):
        return raw
    return None


def read_csv_rows(path: Path, what: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """(header with names stripped, [(line, row)]) of a small CSV a person wrote.

    Raises :class:`~kg.errors.UsageError` naming the file, and the line when
    known, for a file that cannot be read, is binary, is not UTF-8 (or the
    encoding its byte order mark names) or is not CSV.
    """
    reader = csv.DictReader(read_user_text(path, what).splitlines())
    try:
        reader.fieldnames = [h.strip() for h in reader.fieldnames or ()]
        return reader.fieldnames, [(reader.line_num, row) for row in reader]
    except csv.Error as exc:  # line_num counts the rows read whole: the bad one starts after them
        raise UsageError(f"{path}:{reader.line_num + 1}: {what} is not CSV: {exc}") from exc


def load_curated(path: Path | str, scheme: Scheme | None = None) -> list[CuratedAssignment]:
    """Read a curator's CSV (columns paper, concept, action, note).

    ``concept`` may be a concept IRI, ``kgc:slug`` or a prefLabel. A bad row, or
    the same paper and concept both added and removed, raises
    :class:`~kg.errors.UsageError` naming file and line.
    """
    path = Path(path)
    scheme = scheme or load_scheme()
    header, csv_rows = read_csv_rows(path, "curated assignments")
    missing = [c for c in CURATED_COLUMNS[:3] if c not in header]
    if missing:
        raise UsageError(f"{path}:1: curated assignments need the columns paper, concept, action (missing {', '.join(missing)})")
    rows: list[CuratedAssignment] = []
    seen: dict[tuple[str, str], CuratedAssignment] = {}
    for line, row in csv_rows:
        where = f"{path}:{line}"
        values = {k: (row.get(k) or "").strip() for k in CURATED_COLUMNS}
        if not any(values.values()) or values["paper"].startswith("#"):
            continue
        paper = _paper_id(values["paper"])
        if paper is None:
            raise UsageError(f"{where}: paper {values['paper']!r} is neither a DOI nor an IRI")
        concept: Concept | None = scheme.resolve(values["concept"]) if values["concept"] else None
        if concept is None:
            raise UsageError(f"{where}: unknown concept {values['concept']!r}")
        action = values["action"].casefold()
        if action not in ("add", "remove"):
            raise UsageError(f"{where}: action must be add or remove, not {values['action']!r}")
        item = CuratedAssignment(paper, concept.iri, concept.pref_label, action, values["note"], str(path), line)
        previous = seen.get((paper, concept.iri))
        if previous is not None and previous.action != action:
            raise UsageError(f"{where}: contradicts {previous.source} ({previous.action} {concept.pref_label!r})")
        if previous is None:
            seen[(paper, concept.iri)] = item
            rows.append(item)
    return rows


def apply_curated(assignments: Iterable[Assignment], curated: Iterable[CuratedAssignment]) -> list[Assignment]:
    """Machine assignments with one paper's curated rows applied: a removal drops
    the machine tag, an addition replaces it with a curated one (score 1.0)."""
    curated = list(curated)
    overridden = {c.concept for c in curated}
    result = [a for a in assignments if a.concept not in overridden]
    added = {c.concept: c for c in curated if c.action == "add"}
    result += [Assignment(c.concept, c.label, 1.0, "curated", "", "") for c in added.values()]
    return sorted(result, key=lambda a: a.concept)


def from_curation(rows: Iterable[CurationRow], base: str, scheme: Scheme | None = None) -> list[CuratedAssignment]:
    """The ``[[concept]]`` rows of a curation file (:mod:`kg.identity.curation`)
    as curated assignments. An unknown concept, or one paper and concept both
    added and removed, raises :class:`~kg.errors.UsageError` naming file and line."""
    rows = [row for row in rows if row.kind == "concept"]
    if not rows:
        return []
    scheme = scheme or load_scheme()
    found: list[CuratedAssignment] = []
    seen: dict[tuple[str, str], CuratedAssignment] = {}
    for row in rows:
        [(action, name)] = row.values
        concept = scheme.resolve(name)
        if concept is None:
            raise UsageError(f"{row.where}: unknown concept {name!r}")
        item = CuratedAssignment(expand(row.refs[0], base), concept.iri, concept.pref_label, action, row.note,
                                 row.file, row.line, row.who, row.when)
        previous = seen.setdefault((item.paper, item.concept), item)
        if previous.action != action:
            raise UsageError(f"{row.where}: contradicts {previous.source} ({previous.action} {concept.pref_label!r})")
        found.append(item)
    return found


def concept_outcomes(rows: Iterable[CuratedAssignment], corpus: Corpus, base: str, *, tagged: bool = True) -> list[Curated]:
    """What each curated concept row did: the works it names, or why it had no effect."""
    rows = list(rows)
    if not rows:
        return []
    works_by_key: dict[str, set[str]] = {}
    for work in corpus.works:
        for key in work_keys(work, base):
            works_by_key.setdefault(key, set()).add(work.iri)
    done = []
    for row in rows:
        targets = tuple(sorted(works_by_key.get(row.paper, ()))) if tagged else ()
        problem = None
        if not tagged:
            problem = "concepts are not assigned in this build (--no-tag)"
        elif not targets:
            problem = f"curated row names {row.paper}, which is no paper of this build"
        done.append(Curated(f"{row.action}-concept", row.file, row.line, row.who, row.when, row.note,
                            concept=row.concept, targets=targets, problem=problem))
    return done
