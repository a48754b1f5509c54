"""Concepts for every work of a corpus: the tagger's, with a curator's rows on top."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..identity.curation import work_keys
from ..model import Assignment, Corpus
from .ahead import TaggedAhead
from .curated import CuratedAssignment, apply_curated
from .tagger import Tagger


def iter_assignments(
    corpus: Corpus, curated: Iterable[CuratedAssignment] = (), tagger: Tagger | None = None, base: str | None = None,
    ahead: TaggedAhead | None = None,
) -> Iterator[tuple[str, list[Assignment]]]:
    """(work IRI, assignments) for every work that gets a concept, in the
    corpus's order, one work at a time: the build maps them as they come, so
    a million works' assignments never wait in memory. A curated row names
    its work by DOI or IRI (with ``base``, also by a source record
    ``file:line`` or a record's own IRI); what each row did is
    :func:`kg.concepts.curated.concept_outcomes`. ``ahead`` holds what a
    worker process tagged while the build resolved (:mod:`kg.concepts.ahead`),
    with the scheme's tagger: it is not used with another ``tagger``."""
    if tagger is not None:
        ahead = None  # tagged ahead by the scheme's own tagger, not by this one
    tagger = tagger or Tagger.from_scheme()
    by_paper: dict[str, list[CuratedAssignment]] = {}
    for row in curated:
        by_paper.setdefault(row.paper, []).append(row)
    for work in corpus.works:
        found = ahead.assignments(work) if ahead is not None else None
        if found is None:
            found = tagger.tag_record(work.record)
        named = () if not by_paper else work_keys(work, base) if base is not None else {work.iri, work.record.doi}
        keys = sorted(key for key in named if key and key in by_paper)
        if keys:
            found = apply_curated(found, [row for key in keys for row in by_paper[key]])
        if found:
            yield work.iri, found
