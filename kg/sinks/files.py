"""Write a built graph to files, the format chosen by the file extension.

Every output file a command writes (build -o, export and its shards,
validate -o) goes through :func:`atomic_output`: whole or not at all.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import secrets
import shutil
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import BinaryIO
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError, UsageError
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


def format_for(path: Path, reading: bool = False) -> ox.RdfFormat:
    """The RDF format of ``path`` by its extension (``.gz`` aside); a usage
    error naming the extensions kg knows, for a file to read or to write."""
    suffixes = [s for s in path.suffixes if s != ".gz"]
    suffix = suffixes[-1].lower() if suffixes else ""
    try:
        return FORMATS[suffix]
    except KeyError:
        known = ", ".join(FORMATS)
        if reading:
            raise UsageError(
                f"{path}: an input file of unknown RDF format ({repr(suffix) if suffix else 'no extension'}); "
                f"kg reads RDF files ending in {known}, optionally .gz"
            ) from None
        raise UsageError(f"{path}: cannot tell the output format from {suffix or 'no extension'!r}; use one of {known}") from None


WRITE_BLOCK_BYTES = 1 << 20
"""What one write of N-Triples copied from a build's sorted file takes."""


def _write(lines: Iterable[str], fmt: ox.RdfFormat, out: BinaryIO, graph: str | None) -> None:
    """Stream sorted N-Triples ``lines`` to ``out`` in ``fmt``.

    N-Triples and N-Quads are the sorted lines themselves (with the graph
    name added for N-Quads). Other formats are serialised by pyoxigraph from
    the sorted statements, so their order is deterministic too.
    """
    # A build's statements kept in sorted files: read as bytes, not line by line as strings.
    in_files = bool(getattr(lines, "files", None))
    if fmt == ox.RdfFormat.N_TRIPLES or (fmt == ox.RdfFormat.N_QUADS and graph is None):
        if in_files:
            with lines.open_sorted() as sorted_file:
                shutil.copyfileobj(sorted_file, out, WRITE_BLOCK_BYTES)
            return
        for line in lines:
            out.write(line.encode("utf-8"))
        return
    if fmt == ox.RdfFormat.N_QUADS:
        name = f" <{ox.NamedNode(graph).value}> .\n"
        for line in lines:
            out.write((line[:-3] + name).encode("utf-8"))
        return
    with lines.open_sorted() if in_files else io.BytesIO("".join(lines).encode("utf-8")) as source:
        triples = ox.parse(source, format=ox.RdfFormat.N_TRIPLES)
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


def write_file(lines: Iterable[str], path: Path, graph: str | None = None, digest: hashlib._Hash | None = None) -> None:
    """Write sorted N-Triples ``lines`` to ``path`` in the format its extension
    names; a ``.gz`` suffix compresses it. The file is replaced atomically.
    ``digest`` (a :mod:`hashlib` object) is fed the bytes written, so a caller
    that keeps the file's hash need not read the file back."""
    fmt = format_for(path)
    with atomic_output(path) as raw:
        target = raw if digest is None else _Hashing(raw, digest)
        if path.suffix == ".gz":
            # mtime=0 and no name keep the gzip header, and so the file, byte-identical.
            with gzip.GzipFile(fileobj=target, mode="wb", mtime=0, filename="") as out:
                _write(lines, fmt, out, graph)
        else:
            _write(lines, fmt, target, graph)


class _Hashing:
    """A binary file, for writing only, that feeds ``digest`` what is
    written through it to ``out``."""

    def __init__(self, out: BinaryIO, digest: hashlib._Hash) -> None:
        self.out = out
        self.digest = digest

    def write(self, data) -> int:
        self.digest.update(data)
        return self.out.write(data)

    def flush(self) -> None:
        self.out.flush()


# -- one way to write a user's output file: whole or not at all ------------------


@contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """A binary file that replaces ``path`` in one rename when the block ends
    without an error; until then ``path`` keeps what it held.

    The new content is written in the same folder (a rename does not cross
    file systems): on Linux into a file without a name (``O_TMPFILE``), named
    only just before the rename, so even a killed process leaves nothing
    behind; elsewhere into a hidden ``.NAME.XXXXXXXX.tmp``, removed when the
    block fails. A file that is replaced keeps its permissions. A target that
    exists and is not a regular file (``/dev/null``, a pipe) is written in
    place. File-system errors are :class:`InputError` (exit 3) naming ``path``.
    """
    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    in_place = target.exists() and not target.is_file()
    name = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        out, name = (open(target, "wb"), None) if in_place else _temporary(target)  # noqa: SIM115 - closed below
        with out:
            yield out
            out.flush()
            if not in_place:
                os.fsync(out.fileno())
                if name is None:
                    name = _name_anonymous(out.fileno(), target)
        if not in_place:
            os.replace(name, target)
            _sync_folder(target.parent)
    except BaseException as exc:
        if name is not None:
            Path(name).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(f"cannot write {path}: {_reason(path, exc)}") from None
        raise


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` survive a power cut, not only a killed process."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _temporary(target: Path) -> tuple[BinaryIO, str | None]:
    """A new file in ``target``'s folder, and its name (None: it has none yet)."""
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
    fd, name = None, None
    if hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd"):
        try:
            fd = os.open(target.parent, os.O_TMPFILE | os.O_WRONLY, 0o666)
        except OSError:
            pass  # a file system without anonymous files: use a named one
    if fd is None:
        name, fd = _hidden_beside(target, lambda n: os.open(n, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        return os.fdopen(fd, "wb"), name
    except BaseException:
        os.close(fd)
        if name is not None:
            Path(name).unlink(missing_ok=True)
        raise


def _name_anonymous(fd: int, target: Path) -> str:
    """Give the anonymous file ``fd`` a hidden name beside ``target``."""
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        # src_dir_fd makes Python call linkat(), which follows /proc's link to the open file
        return _hidden_beside(target, lambda n: os.link(f"/proc/self/fd/{fd}", n, src_dir_fd=folder, follow_symlinks=True))[0]
    finally:
        os.close(folder)


def _hidden_beside(target: Path, create):
    """``(name, create(name))`` for the first free ``.NAME.XXXXXXXX.tmp`` beside ``target``."""
    while True:
        name = str(target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            return name, create(name)
        except FileExistsError:
            continue


def _reason(path: Path, exc: OSError) -> str:
    """Why ``path`` cannot be written, in words (a file where a folder should be, or the OS's)."""
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                return f"{parent} is a file, not a folder"
            break
    return exc.strerror or str(exc)
