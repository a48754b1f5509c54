"""Worker processes for the build's stages: started clean, deaf to Ctrl-C."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor


def spare_cores() -> int:
    """The cores this process may use beyond the one it runs on."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return cores - 1


def worker_pool(workers: int, start: Callable[..., None] | None = None, *args) -> ProcessPoolExecutor:
    """``workers`` processes, spawned (a fork would copy the build's
    gigabytes of records, and its threads' locks), each running
    ``start(*args)`` first; ``start`` must be a module-level function."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start, initargs=(start, args))


def _start(start: Callable[..., None] | None, args: tuple) -> None:
    # Ctrl-C reaches the whole process group: the build stops its workers
    # itself, and a worker interrupted on its own would print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if start is not None:
        start(*args)
