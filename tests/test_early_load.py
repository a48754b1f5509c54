"""The store loaded while the build maps (kg.sinks.early_load): the same
graph as a load after the sort, and nothing left behind when a build fails,
is interrupted, or is never written."""

from __future__ import annotations

import heapq
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import InputError, Interrupted
from kg.model import NoProgress
from kg.pipeline import build_graph, write_outputs
from kg.sinks import store as store_module
from kg.sinks.early_load import LOADERS, EarlyLoad
from kg.sinks.store import current_generation, open_store
from kg.vocab import DEFAULT_BASE

ROOT = Path(__file__).resolve().parents[1]
INPUTS = [ROOT / "examples" / "peer-support" / "peer-support-listing.txt",
          ROOT / "tests" / "data" / "merge" / "day-in-the-life.ris",
          ROOT / "tests" / "data" / "review" / "pubmed.ris"]
SMALL_RUNS = 150
"""Statements per sorted run: small enough that the example graph spills several."""


def dump(store: Path) -> bytes:
    return open_store(store).dump(format=ox.RdfFormat.N_QUADS)


def loader_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("kg-early-load")]


def leftovers(store: Path) -> list[str]:
    """Unfinished generations (the sort's folder, ``building-PID-sort…``, goes with the build's statements)."""
    return sorted(p.name for p in store.iterdir() if p.name.startswith("building-") and "-sort" not in p.name)


class InterruptAfter(NoProgress):
    """Progress that raises Ctrl-C once ``limit`` statements were mapped."""

    def __init__(self, limit: int):
        self.limit, self.done = limit, 0

    def advance(self, n: int = 1, note: str | None = None) -> None:
        self.done += n
        if self.done >= self.limit:
            raise KeyboardInterrupt


def test_a_store_loaded_while_mapping_holds_the_graph_a_load_after_the_sort_gives(tmp_path):
    early = build_graph(INPUTS, DEFAULT_BASE, store=tmp_path / "early", run_size=SMALL_RUNS)
    assert early.early is not None and early.early.runs >= 2  # a run before the sort and the last one at it
    write_outputs(early, store=tmp_path / "early", output=tmp_path / "early.nt")
    late = build_graph(INPUTS, DEFAULT_BASE, store=tmp_path / "late", run_size=SMALL_RUNS, load_early=False)
    assert late.early is None
    write_outputs(late, store=tmp_path / "late", output=tmp_path / "late.nt")

    assert dump(tmp_path / "early") == dump(tmp_path / "late")
    assert len(open_store(tmp_path / "early")) == early.summary.triples == late.summary.triples
    # The store loaded the runs, so they were kept as they are; the file is their merge all the same.
    assert len(early.statements.files) == early.early.runs and len(late.statements.files) == 1
    assert (tmp_path / "early.nt").read_bytes() == (tmp_path / "late.nt").read_bytes()
    assert not loader_threads() and not leftovers(tmp_path / "early")


def test_a_graph_that_fits_in_one_run_is_loaded_when_committed(tmp_path):
    built = build_graph(INPUTS, DEFAULT_BASE, store=tmp_path / "store")
    assert built.early is not None and built.early.runs == 0
    write_outputs(built, store=tmp_path / "store", output=None)
    assert len(open_store(tmp_path / "store")) == built.summary.triples == len(built.lines)


def test_an_interrupted_mapping_discards_the_early_load_and_keeps_the_previous_graph(tmp_path):
    store = tmp_path / "store"
    write_outputs(build_graph(INPUTS[:1], DEFAULT_BASE, store=store), store=store, output=None)
    before, generation = dump(store), current_generation(store)

    with pytest.raises(KeyboardInterrupt):
        build_graph(INPUTS, DEFAULT_BASE, store=store, full=True, run_size=SMALL_RUNS,
                    progress=InterruptAfter(SMALL_RUNS * 3))

    assert dump(store) == before and current_generation(store) == generation
    assert not leftovers(store) and not loader_threads()


class InterruptWhileTagging(NoProgress):
    """Progress that raises Ctrl-C at the first statements of the tagging stage."""

    def __init__(self) -> None:
        self.current = ""

    def stage(self, name: str, total: int | None = None, unit: str = "") -> None:
        self.current = name

    def advance(self, n: int = 1, note: str | None = None) -> None:
        if self.current.startswith("tagging"):
            raise KeyboardInterrupt


def test_an_interrupted_tagging_discards_the_store_load_begun_before_it(tmp_path, monkeypatch):
    # Concepts are tagged after the rest is mapped, while the store loads it.
    loaded_runs = []
    add = EarlyLoad.add
    monkeypatch.setattr(EarlyLoad, "add", lambda self, run: (loaded_runs.append(run.name), add(self, run))[1])
    store = tmp_path / "store"
    write_outputs(build_graph(INPUTS[:1], DEFAULT_BASE, store=store), store=store, output=None)
    before, generation = dump(store), current_generation(store)
    loaded_runs.clear()

    with pytest.raises(KeyboardInterrupt):
        build_graph(INPUTS, DEFAULT_BASE, store=store, full=True, run_size=SMALL_RUNS,
                    progress=InterruptWhileTagging())

    assert loaded_runs  # the store was loading when the tagger began
    assert dump(store) == before and current_generation(store) == generation
    assert not leftovers(store) and not loader_threads()


def test_a_failing_loader_keeps_the_previous_graph_and_says_why(tmp_path, monkeypatch):
    store = tmp_path / "store"
    write_outputs(build_graph(INPUTS[:1], DEFAULT_BASE, store=store), store=store, output=None)
    before = dump(store)
    real, calls = store_module.bulk_load_block, []

    def fail_on_the_second_run(database, block):
        calls.append(len(block))
        if len(calls) == 2:
            raise OSError("No space left on device")
        real(database, block)

    monkeypatch.setattr(store_module, "bulk_load_block", fail_on_the_second_run)
    # Said by the next run handed to the loader, or at the commit when none comes after the failure.
    with pytest.raises(InputError, match=r"^cannot write the store at .*: loading failed: No space left on device$"):
        built = build_graph(INPUTS, DEFAULT_BASE, store=store, full=True, run_size=SMALL_RUNS)
        write_outputs(built, store=store, output=None)

    # The loaders stopped at the failure and only drained the rest; the other
    # loader may have begun one block before it.
    assert 2 <= len(calls) <= 1 + LOADERS
    assert dump(store) == before
    assert not leftovers(store) and not loader_threads()


def test_a_loader_failure_stops_the_build_at_the_next_run(tmp_path, monkeypatch):
    def full_disk(database, block):
        raise OSError("No space left on device")

    monkeypatch.setattr(store_module, "bulk_load_block", full_disk)
    runs = []
    for n in range(2):
        runs.append(tmp_path / f"run-{n}.nt")
        runs[-1].write_bytes(b"<http://example.org/a> <http://example.org/b> <http://example.org/%d> .\n" % n)
    early = EarlyLoad(tmp_path / "store")
    first, second = open(runs[0], "rb"), open(runs[1], "rb")
    early.add(first)
    for _ in range(500):  # the loader meets the failure in its own thread
        if early._failure is not None:
            break
        time.sleep(0.01)
    with pytest.raises(InputError, match="loading failed: No space left on device"):
        early.add(second)
    early.discard()
    assert first.closed and second.closed  # the loader closes the runs it is given, refused ones too
    assert not leftovers(tmp_path / "store") and not loader_threads()


def test_the_sort_merges_only_once_the_loader_has_loaded_every_run(tmp_path, monkeypatch):
    """So that the merge runs beside the loader's single-threaded seal, not
    beside the loading, which uses both cores: a slow loader is waited for."""
    events = []
    real_load, real_merge = store_module.bulk_load_block, heapq.merge

    def slow_load(database, block):
        time.sleep(0.05)
        real_load(database, block)
        events.append("load")

    def merge(*files):
        events.append("merge")
        return real_merge(*files)

    monkeypatch.setattr(store_module, "bulk_load_block", slow_load)
    monkeypatch.setattr(heapq, "merge", merge)
    built = build_graph(INPUTS, DEFAULT_BASE, store=tmp_path / "store", run_size=SMALL_RUNS)
    assert events.count("load") == built.early.runs >= 2 and events[-1] == "merge"
    write_outputs(built, store=tmp_path / "store", output=None)
    assert len(open_store(tmp_path / "store")) == built.summary.triples


def test_two_loaders_load_runs_at_once(tmp_path, monkeypatch):
    """At a million records one loader set the pace, mapping waiting 98 s for it."""
    loading, most, lock = [0], [0], threading.Lock()
    real_load = store_module.bulk_load_block

    def slow_load(database, block):
        with lock:
            loading[0] += 1
            most[0] = max(most[0], loading[0])
        time.sleep(0.05)
        real_load(database, block)
        with lock:
            loading[0] -= 1

    monkeypatch.setattr(store_module, "bulk_load_block", slow_load)
    built = build_graph(INPUTS, DEFAULT_BASE, store=tmp_path / "store", run_size=SMALL_RUNS)
    write_outputs(built, store=tmp_path / "store", output=None)
    assert most[0] == LOADERS == 2
    assert len(open_store(tmp_path / "store")) == built.summary.triples
    assert not loader_threads()


def test_ctrl_c_while_writing_the_file_discards_the_early_load(tmp_path, monkeypatch):
    store = tmp_path / "store"
    built = build_graph(INPUTS, DEFAULT_BASE, store=store, run_size=SMALL_RUNS)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("kg.pipeline.write_file", interrupted)
    with pytest.raises(Interrupted, match="as before"):
        write_outputs(built, store=store, output=tmp_path / "graph.nt")
    assert current_generation(store) is None
    assert not leftovers(store) and not loader_threads()


def test_a_build_never_written_can_be_discarded(tmp_path):
    built = build_graph(INPUTS, DEFAULT_BASE, store=tmp_path / "store", run_size=SMALL_RUNS)
    assert leftovers(tmp_path / "store")
    built.discard()
    built.discard()  # twice is harmless
    assert not leftovers(tmp_path / "store") and not loader_threads()
    write_outputs(built, store=None, output=tmp_path / "graph.nt")  # the file is still written from the statements
    assert (tmp_path / "graph.nt").read_bytes().count(b"\n") == built.summary.triples


def test_an_incremental_build_loads_early_only_when_it_loads_whole(tmp_path):
    store = tmp_path / "store"
    write_outputs(build_graph(INPUTS[:2], DEFAULT_BASE, store=store, run_size=SMALL_RUNS), store=store, output=None)
    changed = build_graph(INPUTS, DEFAULT_BASE, store=store, run_size=SMALL_RUNS)
    assert changed.early is None  # the difference may be small: it waits for the comparison
    write_outputs(changed, store=store, output=None)

    store_module.replace_contents(store, build_graph(INPUTS[:1], DEFAULT_BASE).statements)  # as kg enrich would
    rebuilt = build_graph(INPUTS[:2], DEFAULT_BASE, store=store, run_size=SMALL_RUNS)
    assert rebuilt.early is not None and rebuilt.early.runs > 0
    write_outputs(rebuilt, store=store, output=None)
    assert rebuilt.summary.store_change == "loaded whole: the store was written by another command since the last build"
    assert len(open_store(store)) == rebuilt.summary.triples



def test_a_store_database_that_cannot_be_opened_is_an_input_error_naming_the_store(tmp_path, monkeypatch):
    def refused(folder):
        raise OSError("IO error: While lock file: LOCK: Resource temporarily unavailable")

    monkeypatch.setattr(store_module, "open_new_database", refused)
    with pytest.raises(InputError, match=r"^cannot write the store at .*store: IO error: While lock file"):
        build_graph(INPUTS, DEFAULT_BASE, store=tmp_path / "store")
    assert not leftovers(tmp_path / "store") and not loader_threads()


def test_an_interrupted_mapping_removes_its_sort_files_at_once(tmp_path):
    store = tmp_path / "store"
    try:
        build_graph(INPUTS, DEFAULT_BASE, store=store, run_size=SMALL_RUNS, progress=InterruptAfter(SMALL_RUNS * 3))
    except KeyboardInterrupt:  # while it is handled, its traceback keeps the build's frame, statements and all
        assert not [p.name for p in store.iterdir() if p.name.startswith("building-")]
    else:
        pytest.fail("the build was not interrupted")
