"""The embedded Oxigraph store on disk that `kg build` writes and others read."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from .errors import InputError, UsageError


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


def replace_contents(path: str | Path, ntriples: bytes) -> int:
    """Replace everything in the store with ``ntriples``; returns the quad count.

    The store holds one graph built from one set of inputs, so a rebuild
    replaces it instead of adding to it.
    """
    store = open_store(path, create=True)
    store.clear()
    store.bulk_load(input=ntriples, format=ox.RdfFormat.N_TRIPLES)
    store.optimize()
    store.flush()
    return len(store)
