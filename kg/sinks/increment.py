"""What the last build into a store was made of, so that the next one does less.

Kept in the store folder, beside the generations (kg owns that folder)::

    .kg/store/cache/records/KEY.pickle   what each input file gave (kg.read.cache)
    .kg/store/cache/last-build.pickle    the last build: its fingerprint, the generation
                                         it wrote, its summary, the files it wrote
    .kg/store/cache/g-000007/*.nt        that generation's statements, in sorted files
                                         (one, or the sort's runs: kg.rdf.sort)

A build whose fingerprint (the inputs' contents and names, the settings, kg
itself and its concept scheme) is the last one's does nothing. Otherwise its
statements are compared with the kept ones, both sorted, in one pass; when few
differ, the store's next generation is the last one with the difference
applied (:func:`kg.sinks.store.apply_difference`), else, or when the store no
longer holds the last build's generation, it is loaded whole. Either way the
store holds what a clean build of the same inputs gives, which the tests
assert over a sequence of edits.
"""

from __future__ import annotations

import os
import pickle
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ..errors import InputError
from ..model import NO_PROGRESS, Progress
from ..rdf.sort import SortedStatements
from ..read.cache import RecordCache, content_hash
from . import store as store_module
from .early_load import EarlyLoad
from .files import atomic_output, write_file

CACHE = "cache"
LAST_BUILD = "last-build.pickle"
T = TypeVar("T", str, bytes)
_UNREADABLE = (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError)


def cache_dir(store: str | Path) -> Path:
    """The cache folder of the store at ``store``."""
    return Path(store) / CACHE


@dataclass
class LastBuild:
    fingerprint: str
    generation: str
    """The store generation the build wrote."""
    statements: str
    """The folder, in the cache folder, of sorted files whose merge is its
    statements (a single sorted file, from an earlier kg, is read as well)."""
    count: int
    summary: Any
    """Its :class:`kg.pipeline.BuildSummary`, shown again when nothing changed."""
    outputs: dict[str, str] = field(default_factory=dict)
    """SHA-256 of each file it wrote (-o), by :func:`output_key`."""


def output_key(path: Path, graph: str | None) -> str:
    return f"{path.resolve()}\n{graph or ''}"


@dataclass
class Increment:
    """How a build relates to the last build into the same store."""

    folder: Path
    fingerprint: str
    records: RecordCache
    last: LastBuild | None
    """None on a first build, with ``--full``, or when the kept state does not load."""

    @property
    def unchanged(self) -> bool:
        return self.last is not None and self.last.fingerprint == self.fingerprint

    def kept_statements(self) -> SortedStatements:
        """The last build's statements, read from the cache folder as they are needed."""
        return kept_statements(self.folder, self.last)

    def output_unchanged(self, output: Path, graph: str | None) -> bool:
        """Whether ``output`` still holds what the last build wrote there."""
        kept = self.last.outputs.get(output_key(output, graph)) if self.unchanged else None
        return kept is not None and output.is_file() and content_hash(output) == kept

    def whole_load(self, store: Path) -> str | None:
        """Why the store at ``store`` will be loaded whole whatever the
        build gives ("" on a first build or with ``--full``), or None when
        the last build's generation may be updated by a difference."""
        last = self.last
        if last is None:
            return ""
        if store_module.current_generation(store) != last.generation or not (self.folder / last.statements).exists():
            return "loaded whole: the store was written by another command since the last build"
        return None

    def write_store(self, store: Path, statements: SortedStatements, progress: Progress = NO_PROGRESS,
                    early: EarlyLoad | None = None) -> tuple[str, str]:
        """Bring the store to ``statements`` by the cheapest safe path; returns
        the generation it holds and how it got there. ``early`` is the load
        the build began when :meth:`whole_load` said it would be one."""
        reason = self.whole_load(store)
        if reason is not None:
            return early.commit(statements) if early else store_module.replace_contents(store, statements), reason
        current, last = store_module.current_generation(store), self.last
        if self.unchanged:
            return current, "unchanged"
        progress.stage("comparing with the last build")
        # Past a twentieth of the graph, loading a fresh generation is faster than one large update.
        limit = max(10_000, last.count // 20)
        found = difference(self.kept_statements().sorted_lines(), statements.sorted_lines(), limit=limit)
        if found is None:
            return store_module.replace_contents(store, statements), f"loaded whole: over {limit:,} statements changed"
        deletions, insertions = ([line.decode("utf-8") for line in lines] for lines in found)
        progress.stage(f"updating the store: {len(deletions):,} statements out, {len(insertions):,} in")
        try:
            generation = store_module.apply_difference(store, current, deletions, insertions)
        except InputError as exc:  # a fresh generation, loaded leniently, still gives the same graph
            return store_module.replace_contents(store, statements), f"loaded whole: {exc}"
        return generation, f"updated: {len(deletions):,} statement(s) removed, {len(insertions):,} added"

    def save(self, generation: str, statements: SortedStatements, summary: Any, outputs: dict[str, str]) -> None:
        """Remember this build, after the store committed ``generation``."""
        self.records.write_entries()
        if not (self.unchanged and self.last.statements == generation):
            _keep_sorted_files(statements, self.folder / generation)
        # A file edited while it was read makes a graph of neither version: the next build must not find it up to date.
        fingerprint = "" if self.records.edited else self.fingerprint
        last = LastBuild(fingerprint, generation, generation, statements.count, summary, outputs)
        with atomic_output(self.folder / LAST_BUILD) as out:
            pickle.dump(last, out, protocol=pickle.HIGHEST_PROTOCOL)
        for old in [*self.folder.glob("g-*"), *self.folder.glob(".g-*.keep")]:
            if old.name != generation:  # earlier builds' statements (files, from an earlier kg), or a killed save's
                _remove(old)
        self.records.prune()


def _keep_sorted_files(statements: SortedStatements, target: Path) -> None:
    """Make the folder ``target`` hold ``statements`` as sorted files, in one
    rename: the build's own files linked, not copied (15 GB at a million
    papers), or, in memory or on another file system, written."""
    temporary = target.with_name(f".{target.name}.keep")
    _remove(temporary)
    try:
        temporary.mkdir()
        if not _link_files(statements.files, temporary):
            _remove(temporary)
            temporary.mkdir()
            write_file(statements, temporary / "00000.nt")
        _remove(target)
        os.replace(temporary, target)
    except BaseException:
        _remove(temporary)
        raise


def _link_files(files: list[Path], folder: Path) -> bool:
    """Give each of ``files`` a name in ``folder`` too, in order; False
    when there is none or one cannot be linked (another file system)."""
    try:
        for number, source in enumerate(files):
            with open(source, "rb") as written:
                os.fsync(written.fileno())  # on disk before the cache names it: a later build trusts it
            os.link(source, folder / f"{number:05d}.nt")
    except OSError:
        return False
    return bool(files)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def kept_statements(folder: Path, last: LastBuild) -> SortedStatements:
    """The statements of ``last``, kept in the cache folder ``folder``."""
    kept = folder / last.statements
    files = sorted(kept.glob("*.nt")) if kept.is_dir() else [kept]
    return SortedStatements.from_sorted_files(files, last.count)


def load_last_build(folder: Path) -> LastBuild | None:
    """The last build's state, or None when there is none or it does not load."""
    try:
        with open(folder / LAST_BUILD, "rb") as f:
            last = pickle.load(f)
    except _UNREADABLE:
        return None
    return last if isinstance(last, LastBuild) else None


def difference(old: Iterable[T], new: Iterable[T], limit: int) -> tuple[list[T], list[T]] | None:
    """The lines (strings, or bytes) only in ``old`` and the lines only in
    ``new``, both sorted and without repeats; None once more than ``limit``
    lines differ."""
    deletions: list[T] = []
    insertions: list[T] = []
    olds, news = iter(old), iter(new)
    a, b = next(olds, None), next(news, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a < b):
            deletions.append(a)
            a = next(olds, None)
        elif a is None or b < a:
            insertions.append(b)
            b = next(news, None)
        else:
            a, b = next(olds, None), next(news, None)
            continue
        if len(deletions) + len(insertions) > limit:
            return None
    return deletions, insertions
