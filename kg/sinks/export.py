"""`kg export`: the whole graph from the embedded store, for the bulk loaders of big stores.

Output is sorted N-Triples order in every format, so the same store gives
byte-identical files (gzip headers carry no time or name). Shards split the
sorted statements into files of at most N triples each, numbered
``NAME.00001.nt.gz``, ``NAME.00002.nt.gz``... so loaders can read them in
parallel.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from ..errors import UsageError
from ..rdf.sort import unique_sorted
from .files import FORMATS, extension_for, render, write_file
from .store import open_store

def store_lines(store_path: str | Path) -> list[str]:
    """The default graph of the store as sorted, distinct N-Triples lines."""
    store = open_store(store_path, read_only=True)
    text = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).decode("utf-8")
    return unique_sorted(text.splitlines(keepends=True))


def output_path(path: Path, format_name: str | None) -> Path:
    """``path`` with the extension of --format when one is given and differs."""
    if format_name is None:
        return path
    wanted = extension_for(format_name)
    suffixes = [s for s in path.suffixes if s != ".gz"]
    if suffixes and suffixes[-1].lower() == wanted:
        return path
    gz = ".gz" if path.suffix == ".gz" else ""
    stem = path.name[: -len(gz)] if gz else path.name
    return path.with_name(f"{stem}{wanted}{gz}")


def shard_path(path: Path, number: int) -> Path:
    """graph.nt.gz, 3 -> graph.00003.nt.gz (the number before the format suffixes)."""
    name = path.name
    tail = ".gz" if name.endswith(".gz") else ""
    core = name[: -len(tail)] if tail else name
    stem, dot, ext = core.rpartition(".")
    if not dot or f".{ext.lower()}" not in FORMATS:
        stem, ext = core, ""
    suffix = f".{ext}" if ext else ""
    return path.with_name(f"{stem}.{number:05d}{suffix}{tail}")


def export(lines: list[str], path: Path, *, shard_size: int | None = None, graph: str | None = None) -> list[Path]:
    """Write sorted ``lines`` to ``path`` (or to shards of it); returns the files written."""
    if shard_size is not None and shard_size < 1:
        raise UsageError("--shard-size must be at least 1")
    if not shard_size:
        write_file(lines, path, graph)
        return [path]
    written = []
    for number, start in enumerate(range(0, max(len(lines), 1), shard_size), start=1):
        shard = shard_path(path, number)
        write_file(lines[start : start + shard_size], shard, graph)
        written.append(shard)
    return written


def export_bytes(lines: list[str], format_name: str, graph: str | None = None) -> bytes:
    """The whole graph in one format, for standard output."""
    return render(lines, FORMATS[extension_for(format_name)], graph)
