"""Write a built graph to files, the format chosen by the file extension."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox

from .errors import UsageError
from .vocab import PREFIXES

FORMATS = {
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
}


def format_for(path: Path) -> ox.RdfFormat:
    suffixes = [s for s in path.suffixes if s != ".gz"]
    suffix = suffixes[-1].lower() if suffixes else ""
    try:
        return FORMATS[suffix]
    except KeyError:
        known = ", ".join(FORMATS)
        raise UsageError(f"{path}: cannot tell the output format from {suffix or 'no extension'!r}; use one of {known}") from None


def render(sorted_lines: list[str], fmt: ox.RdfFormat, graph: str | None = None) -> bytes:
    """Serialise sorted N-Triples lines; line formats stay sorted byte for byte.

    N-Triples and N-Quads are written as the sorted lines themselves. Other
    formats are serialised by pyoxigraph from the sorted statements, so their
    order is deterministic too.
    """
    ntriples = "".join(sorted_lines).encode("utf-8")
    if fmt == ox.RdfFormat.N_TRIPLES or (fmt == ox.RdfFormat.N_QUADS and graph is None):
        return ntriples
    triples = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
    if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        name = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        quads = (ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)
        return ox.serialize(quads, format=fmt, prefixes=PREFIXES if fmt == ox.RdfFormat.TRIG else None)
    prefixes = PREFIXES if fmt != ox.RdfFormat.N_TRIPLES else None
    return ox.serialize((t for t in triples), format=fmt, prefixes=prefixes)


def write_file(sorted_lines: list[str], path: Path, graph: str | None = None) -> None:
    """Write the graph to ``path``; a ``.gz`` suffix compresses it."""
    data = render(sorted_lines, format_for(path), graph)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        # mtime=0 keeps the gzip header, and so the file, byte-identical.
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
            out.write(data)
    else:
        path.write_bytes(data)
