"""The embedded Oxigraph store on disk that `kg build` writes and others read."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError, UsageError
from ..rdf.sort import SortedStatements


def open_store(path: str | Path, *, create: bool = False, read_only: bool = False) -> ox.Store:
    """Open the store at ``path``.

    A missing store is a usage error (exit 2: run `kg build` first); a store
    that cannot be opened (locked by another process, corrupt) is a runtime
    error (exit 3).
    """
    location = Path(path)
    if not create and not location.is_dir():
        raise UsageError(f"no kg store at {location}; run `kg build` first or pass --store")
    try:
        if read_only:
            return ox.Store.read_only(str(location))
        location.mkdir(parents=True, exist_ok=True)
        return ox.Store(str(location))
    except OSError as exc:
        raise InputError(f"cannot open the store at {location}: {exc}") from exc


def replace_contents(path: str | Path, statements: SortedStatements, chunk_lines: int = 500_000) -> None:
    """Replace everything in the store with ``statements``.

    The store holds one graph built from one set of inputs, so a rebuild
    replaces it instead of adding to it. Statements go to the bulk loader in
    chunks: one call on 5 M triples peaks at 1.7 GB, chunks of 500k at 0.5 GB.
    The statements are kg's own output, already checked by the property
    tests, so the loader's IRI validation is skipped (``lenient``).
    """
    store = open_store(path, create=True)
    store.clear()
    for chunk in statements.chunks(chunk_lines):
        store.bulk_load(input=chunk.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, lenient=True)
    store.optimize()
    store.flush()
