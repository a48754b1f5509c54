"""Reading shared with worker processes (kg.read.parallel): the same records,
problems and summaries as reading alone, cache entries that load back, the
build's own reading of what a dead worker left, and nothing left behind."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.model import Author, NoProgress
from kg.pipeline import build_graph
from kg.read import parallel, read_path
from kg.read.cache import RecordCache, content_hash
from kg.read.inputs import display_names, expand_inputs, read_inputs
from kg.read.parallel import SharedReading
from kg.vocab import DEFAULT_BASE

from benchmarks.generate import write_mixed_corpus

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[Path]:
    """Every reader's test files (skipped records, problems, odd encodings
    among them), the examples, and a generated corpus of every format."""
    folder = tmp_path_factory.mktemp("mixed")
    write_mixed_corpus(folder, 600, per_file=100)
    return expand_inputs([ROOT / "tests" / "data" / "readers", ROOT / "tests" / "data" / "merge",
                          ROOT / "examples", folder])


@pytest.fixture
def shared(monkeypatch) -> list[Path]:
    """Reading always shared; the files the workers read, as they come back."""
    monkeypatch.setattr(parallel, "SHARED_FROM_BYTES", 0)
    monkeypatch.setattr(parallel, "spare_cores", lambda: 1)  # one worker even on a machine of one core
    theirs: list[Path] = []
    outcome = SharedReading._outcome

    def counted(self, future):
        path, sent = outcome(self, future)
        if sent is not None:
            theirs.append(path)
        return path, sent

    monkeypatch.setattr(SharedReading, "_outcome", counted)
    return theirs


def read_both(inputs, monkeypatch, **kwargs):
    monkeypatch.setattr(parallel, "SHARED_FROM_BYTES", 1 << 62)
    by_itself = read_inputs(inputs, **kwargs)
    monkeypatch.setattr(parallel, "SHARED_FROM_BYTES", 0)
    return by_itself, read_inputs(inputs, **kwargs)


def test_shared_reading_gives_what_reading_alone_gives(inputs, shared, monkeypatch):
    (alone_read, alone_files), (shared_read, shared_files) = read_both(inputs, monkeypatch)
    assert len(shared) >= parallel.IN_FLIGHT  # at least the files sent first (the last by name)
    assert shared_read.records == alone_read.records
    assert shared_read.problems == alone_read.problems and shared_read.skipped == alone_read.skipped
    assert shared_files == alone_files
    assert [r.source.file for r in shared_read.records] == [r.source.file for r in alone_read.records]


def test_files_a_worker_read_become_cache_entries_that_load_back(inputs, shared, tmp_path):
    cache = RecordCache(tmp_path / "records")
    (tmp_path / "incoming").mkdir()
    first, files = read_inputs(inputs, cache=cache, scratch=tmp_path / "incoming")
    assert shared and cache.reads == len(inputs) and cache.hits == 0
    cache.write_entries()
    names = display_names(inputs)
    assert sorted(p.name for p in (tmp_path / "records").iterdir()) == sorted(
        f"{cache.key(path, names[path], None)}.pickle" for path in inputs)
    assert list((tmp_path / "incoming").iterdir()) == []  # each file renamed to its entry

    again = RecordCache(tmp_path / "records")
    second, files_again = read_inputs(inputs, cache=again)
    assert again.hits == len(inputs) and again.reads == 0
    assert second.records == first.records and files_again == files


def test_a_file_edited_while_a_worker_read_it_is_not_kept(tmp_path, shared):
    folder = tmp_path / "in"
    write_mixed_corpus(folder, 300, per_file=100)
    inputs = expand_inputs([folder])
    names = display_names(inputs)
    cache = RecordCache(tmp_path / "records")
    edited = inputs[-1]  # the first a worker takes
    cache.key(edited, names[edited], None)  # hashed as the build hashes it first
    edited.write_bytes(edited.read_bytes() + b"\n")
    (tmp_path / "incoming").mkdir()
    read_inputs(inputs, cache=cache, scratch=tmp_path / "incoming")
    cache.write_entries()
    assert edited in shared
    assert cache.edited == [names[edited]]
    assert len(list((tmp_path / "records").iterdir())) == len(inputs) - 1
    assert list((tmp_path / "incoming").iterdir()) == []


def test_with_several_workers_each_file_is_read_once(inputs, tmp_path):
    names = display_names(inputs)
    here, theirs = [], {}
    with SharedReading(inputs, lambda path: (path, names[path], None), workers=2, folder=tmp_path) as sharing:
        while (path := sharing.next_here()) is not None:
            here.append(path)
            theirs.update(sharing.arrived())
        theirs.update(sharing.rest())
    assert sorted(here + list(theirs)) == sorted(inputs) and len(theirs) >= 2 * parallel.IN_FLIGHT
    for path, (file, content) in theirs.items():
        assert pickle.loads(file.read_bytes()) == read_path(path, names[path], None)
        assert content == content_hash(path)


def test_files_a_dead_worker_did_not_read_are_read_by_the_build(inputs, tmp_path):
    names = display_names(inputs)
    sharing = SharedReading(inputs, lambda path: (path, names[path], None), workers=1, folder=tmp_path)
    given: dict[Path, object] = {}
    try:
        [worker] = sharing._pool._processes.values()
        os.kill(worker.pid, signal.SIGKILL)  # as the out-of-memory killer would
        while (path := sharing.next_here()) is not None:
            given[path] = "here"
            given.update(sharing.arrived())
        given.update(sharing.rest())
    finally:
        sharing.close()
    assert sorted(given) == sorted(inputs)  # each file once: read here, or given back to be read here
    assert all(sent is None or sent == "here" for sent in given.values())
    assert None in given.values() and not multiprocessing.active_children()
    assert list(tmp_path.iterdir()) == []


def test_files_a_worker_cannot_write_are_read_by_the_build(inputs, shared, tmp_path, monkeypatch):
    cache = RecordCache(tmp_path / "records")
    got, _ = read_inputs(inputs, cache=cache, scratch=tmp_path / "no-such-folder")  # as a full disk would
    assert not shared and cache.reads == len(inputs)  # none came from a worker: each read here
    monkeypatch.setattr(parallel, "SHARED_FROM_BYTES", 1 << 62)
    assert got.records == read_inputs(inputs)[0].records
    cache.write_entries()
    assert len(list((tmp_path / "records").iterdir())) == len(inputs)


def test_a_file_a_worker_cannot_read_fails_the_build_as_reading_alone_does(inputs, shared, monkeypatch, tmp_path):
    files = [*inputs, tmp_path / "zz-gone.ris"]  # last by name (a worker's), and removed since it was listed
    with pytest.raises(InputError) as by_worker:
        read_inputs(files)
    assert not multiprocessing.active_children()
    monkeypatch.setattr(parallel, "SHARED_FROM_BYTES", 1 << 62)
    with pytest.raises(InputError) as by_itself:
        read_inputs(files)
    assert str(by_worker.value) == str(by_itself.value) and "zz-gone.ris" in str(by_worker.value)


class InterruptWhileReading(NoProgress):
    def __init__(self):
        self.files = 0

    def advance(self, n: int = 1, note: str = "") -> None:
        self.files += n
        if self.files == 3:
            raise KeyboardInterrupt


def test_an_interrupted_read_stops_its_workers_and_leaves_no_file(inputs, shared, tmp_path):
    with pytest.raises(KeyboardInterrupt):
        build_graph(inputs, DEFAULT_BASE, progress=InterruptWhileReading(), store=tmp_path / "store")
    assert not multiprocessing.active_children()
    assert not [p for p in (tmp_path / "store").iterdir() if p.name.startswith("building-")]


def test_an_error_stops_the_workers_without_waiting_for_their_files(inputs, tmp_path):
    names = display_names(inputs)
    with pytest.raises(KeyboardInterrupt):
        with SharedReading(inputs, lambda path: (path, names[path], None), workers=1, folder=tmp_path) as sharing:
            [worker] = sharing._pool._processes.values()
            raise KeyboardInterrupt
    assert worker.exitcode == -signal.SIGTERM  # stopped, not left to finish the files it was given
    assert list(tmp_path.iterdir()) == []


def test_a_build_sharing_its_reading_writes_the_same_graph(inputs, shared, monkeypatch, tmp_path):
    with_workers = build_graph(inputs, DEFAULT_BASE, store=tmp_path / "a", load_early=False)
    assert shared
    monkeypatch.setattr(parallel, "SHARED_FROM_BYTES", 1 << 62)
    alone = build_graph(inputs, DEFAULT_BASE, store=tmp_path / "b", load_early=False)
    assert with_workers.lines == alone.lines
    assert not [p for p in (tmp_path / "a").iterdir() if p.name.startswith(f"building-{os.getpid()}-read")]


def test_small_reading_or_one_core_starts_no_worker(inputs, monkeypatch):
    job = lambda path: (path, path.name, None)  # noqa: E731
    assert SharedReading.start(inputs, job) is None  # the test files are far below SHARED_FROM_BYTES
    monkeypatch.setattr(parallel, "SHARED_FROM_BYTES", 0)
    monkeypatch.setattr(parallel, "spare_cores", lambda: 0)
    assert SharedReading.start(inputs, job) is None
    monkeypatch.setattr(parallel, "spare_cores", lambda: 1)
    assert SharedReading.start(inputs[:1], job) is None  # one file: the build reads it
    assert not multiprocessing.active_children()


def test_authors_pickled_file_by_file_load_as_one_object():
    author = Author("Jane Doe", "Jane", "Doe", "0000-0002-1825-0097", ("Univ",))
    first, second = (pickle.loads(pickle.dumps([author, author])) for _ in range(2))
    assert first[0] is first[1] is second[0] and first[0] == author
