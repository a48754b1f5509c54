"""Write a built graph to files, the format chosen by the file extension."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable
from typing import BinaryIO
from pathlib import Path

import pyoxigraph as ox

from ..errors import UsageError
from ..vocab import PREFIXES

# One row per RDF file format kg writes: its extension, pyoxigraph's format,
# and the names --format accepts for it.
_FORMAT_TABLE = (
    (".nt", ox.RdfFormat.N_TRIPLES, ("nt", "ntriples", "n-triples")),
    (".nq", ox.RdfFormat.N_QUADS, ("nq", "nquads", "n-quads")),
    (".ttl", ox.RdfFormat.TURTLE, ("ttl", "turtle")),
    (".trig", ox.RdfFormat.TRIG, ("trig",)),
    (".jsonld", ox.RdfFormat.JSON_LD, ("jsonld", "json-ld")),
)
FORMATS = {extension: fmt for extension, fmt, _ in _FORMAT_TABLE}
FORMAT_NAMES = {name: extension for extension, _, names in _FORMAT_TABLE for name in names}


def extension_for(name: str) -> str:
    """The file extension of a --format name (nt, nq, ttl, trig, jsonld)."""
    try:
        return FORMAT_NAMES[name.lower()]
    except KeyError:
        known = ", ".join(names[0] for _, _, names in _FORMAT_TABLE)
        raise UsageError(f"unknown format {name!r}; use one of {known}") from None


def format_for(path: Path) -> ox.RdfFormat:
    suffixes = [s for s in path.suffixes if s != ".gz"]
    suffix = suffixes[-1].lower() if suffixes else ""
    try:
        return FORMATS[suffix]
    except KeyError:
        known = ", ".join(FORMATS)
        raise UsageError(f"{path}: cannot tell the output format from {suffix or 'no extension'!r}; use one of {known}") from None


def _write(lines: Iterable[str], fmt: ox.RdfFormat, out: BinaryIO, graph: str | None) -> None:
    """Stream sorted N-Triples ``lines`` to ``out`` in ``fmt``.

    N-Triples and N-Quads are the sorted lines themselves (with the graph
    name added for N-Quads). Other formats are serialised by pyoxigraph from
    the sorted statements, so their order is deterministic too.
    """
    if fmt == ox.RdfFormat.N_TRIPLES or (fmt == ox.RdfFormat.N_QUADS and graph is None):
        for line in lines:
            out.write(line.encode("utf-8"))
        return
    if fmt == ox.RdfFormat.N_QUADS:
        name = f" <{ox.NamedNode(graph).value}> .\n"
        for line in lines:
            out.write((line[:-3] + name).encode("utf-8"))
        return
    source = getattr(lines, "path", None)
    if source is not None:
        triples = ox.parse(path=str(source), format=ox.RdfFormat.N_TRIPLES)
    else:
        triples = ox.parse("".join(lines).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    if fmt == ox.RdfFormat.TRIG:
        name = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        quads = (ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)
        ox.serialize(quads, output=out, format=fmt, prefixes=PREFIXES)
    else:
        ox.serialize(triples, output=out, format=fmt, prefixes=PREFIXES)


def render(lines: Iterable[str], fmt: ox.RdfFormat, graph: str | None = None) -> bytes:
    """The serialisation of sorted N-Triples ``lines`` as bytes."""
    buffer = io.BytesIO()
    _write(lines, fmt, buffer, graph)
    return buffer.getvalue()


def write_file(lines: Iterable[str], path: Path, graph: str | None = None) -> None:
    """Write sorted N-Triples ``lines`` to ``path`` in the format its extension
    names; a ``.gz`` suffix compresses it."""
    fmt = format_for(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw:
        if path.suffix == ".gz":
            # mtime=0 and no name keep the gzip header, and so the file, byte-identical.
            with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
                _write(lines, fmt, out, graph)
        else:
            _write(lines, fmt, raw, graph)
