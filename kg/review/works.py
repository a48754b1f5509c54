"""The works of a built graph as values for the screening export (:mod:`kg.sinks.works`)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from ..query.registry import get_query
from ..query.run import run_local
from ..sinks.files import atomic_output
from ..sinks.store import open_store
from ..sinks.works import ExportWork, render_works, work_key, works_format
from ..vocab import WORK_CLASSES

DOC_TYPE_OF_CLASS = {cls: doc_type for doc_type, cls in WORK_CLASSES.items()}


def export_works(store: ox.Store) -> list[ExportWork]:
    """Every work of the graph (a node derived from a source record), in key order."""
    result = run_local(store, get_query("works-for-screening"))
    fields: dict[str, dict[str, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
    for work, field, position, value in result.rows:
        fields[work.value][field.value].append((int(position.value) if position is not None else 0, value.value))
    return sorted((_work(iri, got) for iri, got in fields.items()), key=lambda w: (w.key, w.iri))


def _work(iri: str, got: dict[str, list[tuple[int, str]]]) -> ExportWork:
    """One work from its rows: field -> (author position or 0, value) pairs."""

    def one(name: str) -> str | None:
        values = sorted(got.get(name, []))
        return values[0][1] if values else None

    def many(name: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v for _, v in sorted(got.get(name, []))))

    family = dict(got.get("author_family", []))
    given = dict(got.get("author_given", []))
    authors = tuple((name, family.get(pos), given.get(pos)) for pos, name in sorted(got.get("author", [])))
    types = [DOC_TYPE_OF_CLASS.get(v) for _, v in got.get("type", []) if v in DOC_TYPE_OF_CLASS]
    return ExportWork(
        iri=iri, key=work_key(iri), doc_type=next((t for t in types if t), None),
        title=one("title"), year=one("year"), date=one("date"), volume=one("volume"), issue=one("issue"),
        first_page=one("first_page"), last_page=one("last_page"), venue=one("venue"),
        issns=many("issn") + many("eissn"), abstract=one("abstract"), authors=authors,
        keywords=many("keyword"), dois=many("doi"), pmids=many("pmid"), sources=many("source"),
    )


def write_works(store_path: str | Path, path: Path) -> int:
    """Write the works of the store at ``store_path`` to ``path`` (.ris, .bib
    or .csl.json, by its name), replaced whole; returns how many were written."""
    fmt = works_format(path.name)
    works = export_works(open_store(store_path, read_only=True))
    with atomic_output(path) as out:
        out.write(render_works(works, fmt).encode("utf-8"))
    return len(works)
