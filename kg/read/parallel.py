"""Reading a build's input files on more than one core.

Reading runs in one Python thread before anything else can start: at a
million records of mixed formats it took 102 s while the machine's other
core idled. So a build with enough to read shares it with worker
processes: the build reads files from the front of the list, the workers
from the back. A worker writes what a file gave to a file, pickled, which
the build loads in a tenth of the time reading took (7-21% by format, for
10k-record files) and keeps as the file's cache entry as it is. Through a
file, not the pool's pipe: the pipe passes 64 kB at a time to a thread of
the build's, which waits for the interpreter while the build reads, and a
worker's 22 MB took it 1.7 s. With one worker, the million records were read
in 66-74 s, and the whole build took 588-658 s in four runs (the machine's
speed varying between them) against 641 s.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ..gc_pause import paused_gc
from ..workers import spare_cores, worker_pool
from . import read_path
from .cache import content_hash

SHARED_FROM_BYTES = 32 << 20
"""What there is to read from which a build shares it (1.5-3 s of reading):
below it, what a worker saves is close to what it costs to start."""
WORKERS_AT_MOST = 3
"""Beyond a few workers, the build's own loading of what they send sets the pace."""
IN_FLIGHT = 2
"""Files sent to each worker and not yet back."""

Sent = tuple[Path, str]
"""What a worker gives for one file: the file holding ``read_path``'s answer
pickled, and the hash of the input's content once read
(:meth:`kg.read.cache.RecordCache.take_file`)."""


def read_into(path: Path, name: str, format: str | None, target: Path) -> str:
    """In a worker: ``read_path``'s answer for ``path`` pickled into ``target``;
    returns the hash of the content read."""
    with paused_gc():  # as in the build: no cyclic collection among the records made
        read = read_path(path, name, format)
        with open(target, "wb") as out:
            pickle.dump(read, out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()
            os.fsync(out.fileno())  # it may become a cache entry, by a rename
    return content_hash(path)


class SharedReading:
    """``paths`` (in order) read from both ends: the build takes the next
    from the front (:meth:`next_here`) while ``workers`` processes read from
    the back (:meth:`arrived`, then :meth:`rest`) into files in ``folder``
    (a temporary folder when None); ``job(path)`` is the first arguments of
    :func:`read_into` for one. A file a worker did not read because it died,
    or could not write, comes back as None, for the build to read itself."""

    def __init__(self, paths: Sequence[Path], job: Callable[[Path], tuple], workers: int,
                 folder: Path | None = None):
        self._pending = deque(paths)
        self._job = job
        self._temporary = Path(tempfile.mkdtemp(prefix="kg-read-")) if folder is None else None
        self._folder = folder or self._temporary
        self._sent: dict[Future, tuple[Path, Path]] = {}
        self._room = workers * IN_FLIGHT
        self._broken = False
        self._pool = worker_pool(workers)
        self._send()

    @classmethod
    def start(cls, paths: Sequence[Path], job: Callable[[Path], tuple],
              folder: Path | None = None) -> SharedReading | None:
        """Sharing for ``paths`` when there is enough to read and a core to spare."""
        workers = min(WORKERS_AT_MOST, spare_cores(), len(paths) - 1)
        if workers < 1 or sum(_size(path) for path in paths) < SHARED_FROM_BYTES:
            return None
        return cls(paths, job, workers, folder)

    def __enter__(self) -> SharedReading:
        return self

    def __exit__(self, kind, *exc_info) -> None:
        self.close(stop_now=kind is not None)

    def _send(self) -> None:
        # The build takes the last file itself when it gets there first: a file it reads costs no loading.
        while not self._broken and len(self._pending) > 1 and len(self._sent) < self._room:
            path = self._pending.pop()
            target = self._folder / f"{len(self._pending):06d}.pickle"  # unique: the files left only get fewer
            try:
                self._sent[self._pool.submit(read_into, *self._job(path), target)] = (path, target)
            except BrokenProcessPool:
                self._broken = True
                self._pending.append(path)

    def next_here(self) -> Path | None:
        """The next file for the build to read; None once none is left."""
        path = self._pending.popleft() if self._pending else None
        self._send()
        return path

    def arrived(self) -> Iterator[tuple[Path, Sent | None]]:
        """The files the workers have read since last asked."""
        for future in [f for f in self._sent if f.done()]:
            yield self._outcome(future)
        self._send()

    def rest(self) -> Iterator[tuple[Path, Sent | None]]:
        """Every file still with the workers, each as it is read (after the build read its own)."""
        while self._sent:
            yield self._outcome(next(iter(self._sent)))

    def _outcome(self, future: Future) -> tuple[Path, Sent | None]:
        path, target = self._sent.pop(future)
        try:
            return path, (target, future.result())  # a reader's error (an unreadable file) is raised here
        except BrokenProcessPool:  # a worker killed (the out-of-memory killer): the build reads the file itself
            self._broken = True
        except OSError:  # the worker could not write its file (a full disk): the build reads the input itself
            target.unlink(missing_ok=True)
        return path, None

    def close(self, stop_now: bool = False) -> None:
        """Stop the workers (what they have not given is dropped, with its
        file); with ``stop_now`` (Ctrl-C, an error), without waiting for the
        files they are reading, which can take minutes when they are large."""
        if stop_now:
            for worker in list(self._pool._processes.values()):  # no public way before Python 3.14
                worker.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)
        for _, target in self._sent.values():
            target.unlink(missing_ok=True)
        if self._temporary is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # said by the reader, which meets it first
        return 0
