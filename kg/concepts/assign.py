"""Concepts for every work of a corpus: the tagger's, with a curator's rows on top."""

from __future__ import annotations

from collections.abc import Iterable

from ..identity.curation import work_keys
from ..model import Assignment, Corpus
from .curated import CuratedAssignment, apply_curated
from .tagger import Tagger


def assign_concepts(
    corpus: Corpus, curated: Iterable[CuratedAssignment] = (), tagger: Tagger | None = None, base: str | None = None
) -> tuple[dict[str, list[Assignment]], list[CuratedAssignment]]:
    """Assignments per work IRI, and the curated rows that name no work of the
    corpus (by DOI or IRI; with ``base``, also by a source record ``file:line``
    or a record's own IRI), so the caller can say which rows had no effect."""
    tagger = tagger or Tagger.from_scheme()
    by_paper: dict[str, list[CuratedAssignment]] = {}
    for row in curated:
        by_paper.setdefault(row.paper, []).append(row)
    used: set[str] = set()
    assignments: dict[str, list[Assignment]] = {}
    for work in corpus.works:
        found = tagger.tag_record(work.record)
        named = () if not by_paper else work_keys(work, base) if base is not None else {work.iri, work.record.doi}
        keys = sorted(key for key in named if key and key in by_paper)
        if keys:
            used.update(keys)
            found = apply_curated(found, [row for key in keys for row in by_paper[key]])
        if found:
            assignments[work.iri] = found
    unmatched = [row for key, rows in by_paper.items() if key not in used for row in rows]
    return assignments, sorted(unmatched, key=lambda row: row.line)
