"""Loading the store while the build is still mapping.

A build that will load the store whole (a first build, ``--full``, a store
another command wrote since the last build) need not wait for the sorted
graph: the store keeps no order and ignores repeats. So each run the sort
spills (:class:`kg.rdf.sort.SortedStatements`, half a million statements)
goes at once to threads that bulk-load it into a new generation of the
store, while Python maps the next run. Oxigraph's loader releases the GIL,
so the loading and the mapping overlap.

Two threads load (:data:`LOADERS`). With one, the loader set the pace: at a
million listing records, with the tagger run ahead (:mod:`kg.concepts.ahead`),
mapping and tagging waited 137 s for it and the build took 590 s; with two,
they waited 37 s and the build took 543 s.

The generation is committed like any other (:func:`kg.sinks.store.complete_generation`),
after the sort and the ``-o`` file, and never seen by readers before; a build
that fails or is interrupted first discards it.
"""

from __future__ import annotations

import queue
import shutil
import threading
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError, Interrupted
from ..rdf.sort import SortedStatements, line_blocks
from ..text import first_line
from . import store as store_module

_DONE = None
LOADERS = 2
"""Threads that bulk-load runs at once (each holds about 60 MB for its block)."""


class EarlyLoad:
    """A new generation of the store at ``store``, loaded by ``loaders``
    threads from the runs given to :meth:`add` (one queue: the store keeps
    no order), sealed (compacted) by a thread of its own after
    :meth:`close`, then committed by :meth:`commit`."""

    def __init__(self, store: str | Path, backlog: int = 8, loaders: int = LOADERS):
        self.location = Path(store)
        self.building: Path | None = store_module.begin_generation(self.location)
        self.runs = 0
        """Runs handed to the loader."""
        try:
            self._database = store_module.open_new_database(self.building)
        except OSError as exc:
            shutil.rmtree(self.building, ignore_errors=True)
            raise InputError(f"cannot write the store at {self.location}: {exc}") from None
        # Bounded, so that a mapping far ahead of the loader waits instead of
        # holding open a file for every run.
        self._queue: queue.Queue[BinaryIO | None] = queue.Queue(maxsize=backlog)
        self._closed = False
        self._sealed = False
        self._failure: BaseException | None = None
        self._loaded = threading.Event()
        """Set when every run is loaded (or loading failed), before the seal."""
        self._loaders = [threading.Thread(target=self._load_runs, name=f"kg-early-load-{n + 1}", daemon=True)
                         for n in range(loaders)]
        for loader in self._loaders:
            loader.start()
        self._thread = threading.Thread(target=self._seal_once_loaded, name="kg-early-load", daemon=True)
        self._thread.start()

    def add(self, run: BinaryIO) -> None:
        """Hand one run (its file, open, of N-Triples lines in UTF-8; the
        loader closes it) to the loaders; waits while they are ``backlog``
        runs behind."""
        if self._closed:
            run.close()
            raise RuntimeError("the early load takes no more runs")
        if self._failure is not None:  # say so now, not after mapping the rest
            run.close()
            raise InputError(self._failure_message())
        self._queue.put(run)
        self.runs += 1

    def _failure_message(self) -> str:
        return f"cannot write the store at {self.location}: loading failed: {first_line(self._failure)}"

    def close(self) -> None:
        """No more runs: returns once the loaders have loaded them all. It then
        seals the generation, which is single-threaded, while the build merges
        its runs (to count them) on the other core. Merged while the loader
        still loaded (on both cores), the sort competed with it, and the seal
        ran alone after."""
        if not self._closed:
            self._closed = True
            for _ in self._loaders:
                self._queue.put(_DONE)
        self._loaded.wait()

    def _seal_once_loaded(self) -> None:
        try:
            for loader in self._loaders:
                loader.join()
        finally:
            self._loaded.set()  # never leave close() waiting
        if self._failure is None and self.runs and self.building is not None:
            try:
                store_module.seal(self._database)
                self._sealed = True
            except BaseException as exc:  # noqa: BLE001
                self._failure = exc

    def _load_runs(self) -> None:
        while (run := self._queue.get()) is not _DONE:
            with run:
                # In blocks, not a run at once: the build still holds its corpus (LOAD_BLOCK_BYTES).
                blocks = line_blocks(run, store_module.LOAD_BLOCK_BYTES)
                # After a failure (in either loader), only drain the queue so that add() never blocks.
                while self._failure is None and (block := next(blocks, None)) is not None:
                    try:
                        store_module.bulk_load_block(self._database, block)
                    except BaseException as exc:  # noqa: BLE001 - raised again in the main thread
                        self._failure = self._failure or exc

    def _wait(self) -> None:
        self.close()
        self._thread.join()

    def commit(self, statements: SortedStatements) -> str:
        """Wait for the loader, then make the new generation the one readers
        open; returns its name. ``statements`` are the build's, finished:
        when the sort never spilled a run (a graph that fits in one), they
        are loaded here."""
        if self.building is None:
            raise RuntimeError("the early load was already committed or discarded")
        try:
            self._wait()
        except KeyboardInterrupt:
            self.discard()
            raise Interrupted(f"interrupted; the store {self.location} still holds the previous graph",
                              committed=False) from None
        building, self.building = self.building, None

        def fill(folder: Path) -> None:
            if self._failure is not None:
                raise InputError(self._failure_message())
            if not self._sealed:
                store_module.load_statements(self._database, statements)
                store_module.seal(self._database)
            self._database = None  # closes it before its folder is renamed

        try:
            return store_module.complete_generation(self.location, building, fill)
        finally:
            self._database = None

    def discard(self) -> None:
        """Stop loading and remove the unfinished generation; nothing after a
        :meth:`commit`."""
        building, self.building = self.building, None
        if building is None:
            return
        try:
            self._wait()
        finally:
            self._database = None
            shutil.rmtree(building, ignore_errors=True)

