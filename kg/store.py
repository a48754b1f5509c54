"""The embedded Oxigraph store on disk that `kg build` writes and others read."""

from __future__ import annotations

import tempfile
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


def replace_contents(path: str | Path, lines: list[str]) -> None:
    """Replace everything in the store with the N-Triples ``lines``.

    The store holds one graph built from one set of inputs, so a rebuild
    replaces it instead of adding to it. The lines go through a temporary
    file so that no second copy of the whole graph is held in memory.
    """
    store = open_store(path, create=True)
    with tempfile.TemporaryDirectory(prefix="kg-load-") as tmp:
        text = Path(tmp) / "graph.nt"
        with open(text, "w", encoding="utf-8", newline="\n") as out:
            out.writelines(lines)
        store.clear()
        store.bulk_load(path=str(text), format=ox.RdfFormat.N_TRIPLES)
    store.optimize()
    store.flush()
