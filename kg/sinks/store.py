"""The embedded Oxigraph store on disk that `kg build` writes and others read.

A store is a folder that kg marks as its own (``kg-store.json``) and that holds
one or more *generations*, each a complete Oxigraph database, plus a pointer
file (``current``) naming the one readers open::

    .kg/store/kg-store.json
    .kg/store/current            -> "g-000007"
    .kg/store/g-000006/          the previous graph, kept for readers still on it
    .kg/store/g-000007/          the graph readers open now
    .kg/store/cache/             what the last build kept (kg.sinks.increment)

A rebuild makes a new generation beside the others, loaded whole or patched
from a hard-linked backup of the current one, and then replaces the pointer
with one atomic rename, so readers see the old graph until the new one is
complete, and a build killed at any point leaves the old graph. Nothing ever
writes into a generation that readers may open.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from ..errors import Interrupted, InputError, UsageError
from ..rdf.sort import SortedStatements
from ..text import first_line
from .files import atomic_output

MARKER = "kg-store.json"
POINTER = "current"
_GENERATION = re.compile(r"^g-(\d{6,})$")
_BUILDING = re.compile(r"^building-(\d+)-\w+$")
_FORMAT = {"format": "kg store", "version": 1}


def check_store_folder(path: str | Path) -> None:
    """Refuse a folder kg may not write a store into: kg writes only into a
    missing or empty folder, or one it marked as its own store."""
    location = Path(path)
    if location.exists() and not location.is_dir():
        raise UsageError(f"--store {location} is a file, not a folder")
    if not location.is_dir() or (location / MARKER).is_file():
        return
    if any(location.iterdir()):
        if _is_bare_oxigraph(location):
            raise UsageError(
                f"--store {location} holds an Oxigraph database without kg's {MARKER} (a store of an earlier "
                "kg, or another program's); kg does not write into it: remove it or choose another folder"
            )
        raise UsageError(
            f"--store {location} is a folder that is not a kg store (no {MARKER}); "
            "kg writes only into an empty folder or a store it made, so choose another folder"
        )


def _is_bare_oxigraph(location: Path) -> bool:
    return (location / "CURRENT").is_file() and any(location.glob("MANIFEST-*")) and any(location.glob("OPTIONS-*"))


def _read_pointer(location: Path) -> str | None:
    try:
        name = (location / POINTER).read_text("utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"cannot read the store at {location}: {exc.strerror or exc}") from None
    return name if _GENERATION.match(name) else None


def current_location(path: str | Path) -> Path:
    """The folder that holds the graph a reader of the store at ``path`` should
    open now.

    A missing or empty store is a usage error (exit 2: run `kg build` first);
    a folder that is not a kg store is refused the same way.
    """
    location = Path(path)
    if not location.is_dir():
        raise UsageError(f"no kg store at {location}; run `kg build` first or pass --store")
    if not (location / MARKER).is_file():
        raise UsageError(f"{location} is not a kg store (no {MARKER}); run `kg build` to make one, or pass --store")
    name = _read_pointer(location)
    if name is None or not (location / name).is_dir():
        raise UsageError(f"the kg store at {location} holds no graph yet; run `kg build`")
    return location / name


def open_store(path: str | Path, *, read_only: bool = True) -> ox.Store:
    """Open the graph of the store at ``path`` for reading.

    Readers never open a store for writing: only :func:`replace_contents` and
    :func:`apply_difference` write, each into a generation no reader sees
    until it is complete.
    """
    if not read_only:
        raise ValueError("the store is written only by replace_contents")
    folder = current_location(path)
    try:
        return ox.Store.read_only(str(folder))
    except (OSError, ValueError, RuntimeError) as exc:
        raise InputError(f"cannot open the store at {path}: {first_line(exc)}") from None


def replace_contents(path: str | Path, statements: SortedStatements) -> str:
    """Make ``statements`` the graph of the store at ``path``; returns the new
    generation's name.

    The store holds one graph built from one set of inputs, so a rebuild
    replaces it instead of adding to it (:func:`load_statements`).

    Ctrl-C raises :class:`~kg.errors.Interrupted`, saying whether the new
    graph was already committed.
    """
    return _commit_generation(Path(path), lambda building: _load(building, statements))


def apply_difference(path: str | Path, base: str, deletions: list[str], insertions: list[str]) -> str:
    """Make the store's graph the generation ``base`` without the N-Triples
    lines ``deletions`` and with ``insertions``; returns the new generation's
    name.

    The new generation starts as a backup of ``base`` (hard links to its
    immutable files, so it costs little whatever the graph's size) and takes
    the difference in one SPARQL update, one transaction; readers see it,
    as with :func:`replace_contents`, only once it is complete.
    """
    location = Path(path)
    if not _GENERATION.match(base) or not (location / base).is_dir():
        raise InputError(f"the store at {location} has no generation {base!r} to start from")
    return _commit_generation(location, lambda building: _patch(location / base, building, deletions, insertions))


def current_generation(path: str | Path) -> str | None:
    """The name of the generation readers of the store at ``path`` open now;
    None when there is no store or no graph in it yet."""
    location = Path(path)
    if not (location / MARKER).is_file():
        return None
    name = _read_pointer(location)
    return name if name is not None and (location / name).is_dir() else None


def make_store_folder(path: str | Path) -> Path:
    """The store folder at ``path``, made and marked as kg's when missing or
    empty; a folder kg may not write into is refused (a usage error)."""
    location = Path(path)
    check_store_folder(location)
    try:
        location.mkdir(parents=True, exist_ok=True)
        _write_marker(location)
    except OSError as exc:
        raise InputError(f"cannot write the store at {location}: {first_line(exc)}") from None
    return location


def _commit_generation(location: Path, fill: Callable[[Path], None]) -> str:
    """Fill a new generation beside the others with ``fill(folder)``, then
    make it the one readers open, in one rename."""
    return complete_generation(location, begin_generation(location), fill)


def begin_generation(path: str | Path) -> Path:
    """A new, empty folder in the store at ``path`` (made when missing) for
    a generation to be filled, then committed with :func:`complete_generation`."""
    return scratch_folder(path)


def scratch_folder(path: str | Path, purpose: str = "") -> Path:
    """A new, empty folder in the store at ``path`` (made when missing) for
    a build's own files: a generation being filled, or the sort's runs, as
    large as the graph, which then sit on the disk chosen for the store.
    Its name (``building-PID-PURPOSE…``) lets a later build remove it when
    the process that made it was killed; the caller removes it otherwise."""
    location = make_store_folder(path)
    try:
        return Path(tempfile.mkdtemp(prefix=f"building-{os.getpid()}-{purpose}", dir=location))
    except OSError as exc:
        raise InputError(f"cannot write the store at {location}: {first_line(exc)}") from None


def complete_generation(path: str | Path, building: Path, fill: Callable[[Path], None]) -> str:
    """Finish filling ``building`` (from :func:`begin_generation`) with
    ``fill(building)``, then make it the generation readers open, in one
    rename; returns its name. On any failure or Ctrl-C, ``building`` is
    removed and the store holds the graph it held before."""
    location = Path(path)
    previous = None
    name = None
    try:
        previous = _read_pointer(location)
        fill(building)
        name = _claim_generation(location, building)
        building = None
        _switch(location, name)
        _remove_old_generations(location, keep={name, previous})
    except KeyboardInterrupt:
        committed = name is not None and _read_pointer(location) == name
        if building is not None:
            shutil.rmtree(building, ignore_errors=True)
        if committed:
            raise Interrupted(f"interrupted after the new graph was committed to the store {location}", committed=True) from None
        if name is not None:
            shutil.rmtree(location / name, ignore_errors=True)
        raise Interrupted(f"interrupted; the store {location} still holds the previous graph", committed=False) from None
    except (OSError, InputError) as exc:
        if building is not None:
            shutil.rmtree(building, ignore_errors=True)
        if isinstance(exc, InputError):
            raise
        raise InputError(f"cannot write the store at {location}: {first_line(exc)}") from None
    return name


def _write_marker(location: Path) -> None:
    marker = location / MARKER
    if not marker.is_file():
        _replace_file(marker, json.dumps(_FORMAT) + "\n")


def _load(folder: Path, statements: SortedStatements) -> None:
    database = open_new_database(folder)
    load_statements(database, statements)
    seal(database)


LOAD_BLOCK_BYTES = 8 << 20
"""What one call of Oxigraph's bulk loader gets. The loader holds about
seven times the N-Triples it is given (one call on 5 M triples: 1.7 GB; a
block of 64 MB: 430 MB). Of the sizes tried on the 9.1 M statements of 100k
tagged papers (4 to 64 MB), 8 MB took the least time: 35.5-36.7 CPU-s,
against 40.4-40.9 for 16 MB, 40.5 for 6 MB and 53.7 for 64 MB, and held
0.12 GB (16 MB: 0.19 GB). Blocks of bytes read from a file, not lines
joined and encoded: 100k tagged papers loaded in 54 s instead of 77 s."""


def load_statements(database: ox.Store, statements: SortedStatements) -> None:
    """Bulk-load ``statements`` (finished) in blocks of :data:`LOAD_BLOCK_BYTES`."""
    for block in statements.byte_chunks(LOAD_BLOCK_BYTES):
        bulk_load_block(database, block)


def open_new_database(folder: Path) -> ox.Store:
    """The Oxigraph database of a generation being filled, open for writing."""
    try:
        return ox.Store(str(folder))
    except (OSError, ValueError, RuntimeError) as exc:
        raise OSError(first_line(exc)) from None


def bulk_load_block(database: ox.Store, block: bytes) -> None:
    """Load N-Triples (UTF-8, whole lines) with Oxigraph's bulk loader. The
    statements are kg's own output, checked by the property tests, so the
    loader's IRI validation is skipped (``lenient``)."""
    database.bulk_load(input=block, format=ox.RdfFormat.N_TRIPLES, lenient=True)


def seal(database: ox.Store) -> None:
    """Compact a bulk-loaded database for its readers and write it out; the
    caller then drops its last reference, which closes it (before its folder
    is renamed).

    The compaction is single-threaded (about 5 s at 100k records), and kept:
    on a 100k-record store left as loaded, `curation-merges` took 9.1 s
    instead of 1.3 s, `top-authors` 8.7 s instead of 1.9 s, and
    `sources-overlap` over 30 s instead of 1.4 s.

    At a million papers (93 M statements, one hour's machine) it took 236 s
    after the build's loading (blocks of 8 MB, whose files RocksDB compacts
    into deeper levels as they arrive, which this pass rewrites again) and
    137 s after pyoxigraph's one-call bulk load of the same file (everything
    ingested at once, compacted in one pass). That load costs more, though:
    661 CPU-s against 484, on the cores the mapping needs."""
    database.optimize()
    database.flush()


def _patch(base: Path, folder: Path, deletions: list[str], insertions: list[str]) -> None:
    folder.rmdir()  # a backup makes its own folder
    try:
        ox.Store.read_only(str(base)).backup(str(folder))
        store = ox.Store(str(folder))
    except (OSError, ValueError, RuntimeError) as exc:
        raise OSError(first_line(exc)) from None
    update = []
    if deletions:
        update.append("DELETE DATA {\n" + "".join(deletions) + "}")
    if insertions:
        update.append("INSERT DATA {\n" + "".join(insertions) + "}")
    if update:
        try:
            store.update(" ;\n".join(update))
        except (SyntaxError, ValueError) as exc:  # a line the strict SPARQL parser refuses (the bulk loader is lenient)
            raise OSError(f"the difference did not apply: {first_line(exc)}") from None
    # No optimize(): it compacts the whole database (3 s for 1 M triples) for a change of a few lines.
    store.flush()
    del store  # closes the database before its folder is renamed


def _generations(location: Path) -> list[str]:
    return sorted(p.name for p in location.iterdir() if _GENERATION.match(p.name) and p.is_dir())


def _claim_generation(location: Path, building: Path) -> str:
    """Rename ``building`` to the next free generation name (two builds at once
    each get their own)."""
    while True:
        existing = _generations(location)
        number = int(_GENERATION.match(existing[-1]).group(1)) + 1 if existing else 1
        name = f"g-{number:06d}"
        try:
            building.rename(location / name)
            return name
        except OSError:
            if not (location / name).exists():
                raise


def _switch(location: Path, name: str) -> None:
    """The commit: one atomic rename of the pointer file."""
    _replace_file(location / POINTER, name + "\n")


def _replace_file(target: Path, text: str) -> None:
    with atomic_output(target) as out:
        out.write(text.encode("utf-8"))


def _remove_old_generations(location: Path, keep: set[str | None]) -> None:
    """Generations older than the previous one, and what killed builds left.

    The previous generation stays: a reader that opened it just before the
    switch may still be reading it.
    """
    for name in _generations(location):
        if name not in keep:
            shutil.rmtree(location / name, ignore_errors=True)
    for folder in location.iterdir():
        found = _BUILDING.match(folder.name)
        if found and not _alive(int(found.group(1))):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
