"""The tagger run ahead in a worker process (kg.concepts.ahead): the same
assignments as tagging in the build, the build's own tagging wherever a
work's words are not those of the one record sent ahead, and no worker left
behind."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest

from kg.concepts import ahead as ahead_module
from kg.concepts.ahead import TaggedAhead
from kg.concepts.tagger import Tagger
from kg.identity import resolve
from kg.model import NoProgress
from kg.pipeline import build_graph
from kg.read.inputs import read_inputs
from kg.vocab import DEFAULT_BASE

from benchmarks.generate import write_mixed_corpus

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = [ROOT / "examples" / "peer-support" / "peer-support-listing.txt",
            ROOT / "tests" / "data" / "merge" / "day-in-the-life.ris",
            ROOT / "tests" / "data" / "merge" / "listing.txt"]
KGC = "https://w3id.org/kg/concepts/"
DOI = "10.1234/gardens.1"
GARDENING = f"TY  - JOUR\nTI  - Allotment gardening in later life\nAU  - Doe, Jane\nPY  - 2021\nDO  - {DOI}\nER  - \n"
CORRECTED = f"""
[[correct]]
work = "{DOI}"
title = "Peer support workers in adult mental health services"
who = "Ann Curator"
when = 2026-11-29
"""


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[Path]:
    """The examples, and a generated corpus of every format where a quarter
    of the exported works come twice (merged works)."""
    folder = tmp_path_factory.mktemp("mixed")
    write_mixed_corpus(folder, 400, per_file=100)
    return EXAMPLES + sorted(folder.iterdir())


@pytest.fixture
def always_ahead(monkeypatch):
    monkeypatch.setattr(ahead_module, "AHEAD_FROM", 1)
    monkeypatch.setattr(ahead_module, "BATCH", 37)  # several batches, sent a few at a time


@pytest.fixture
def never_ahead(monkeypatch):
    monkeypatch.setattr(ahead_module, "AHEAD_FROM", 10**12)


def corpus_and_records(inputs):
    read, _ = read_inputs(inputs)
    return resolve(read.records, DEFAULT_BASE), read.records


def test_a_work_of_one_record_takes_the_assignments_the_worker_gave_that_record(inputs, always_ahead):
    corpus, records = corpus_and_records(inputs)
    tagger = Tagger.from_scheme()
    ahead = TaggedAhead(records)
    try:
        given = {work.iri: ahead.assignments(work) for work in corpus.works}
    finally:
        ahead.close()
    single = [w for w in corpus.works if len(w.sources) == 1]
    merged = [w for w in corpus.works if len(w.sources) > 1]
    assert len(single) > 250 and len(merged) > 40
    assert sum(1 for w in single if given[w.iri]) > 200  # works with concepts among them
    for work in single:
        assert given[work.iri] == tagger.tag_record(work.record), work.iri
    assert all(given[w.iri] is None for w in merged)  # their words are combined: tagged in the build
    assert ahead.assignments(single[0]) is None  # closed


def test_a_build_tagging_ahead_writes_the_graph_a_build_tagging_in_place_writes(inputs, tmp_path, monkeypatch):
    (tmp_path / "gardens.ris").write_text(GARDENING, encoding="utf-8")
    (tmp_path / "curation.toml").write_text(CORRECTED, encoding="utf-8")
    inputs = inputs + [tmp_path / "gardens.ris"]
    monkeypatch.setattr(ahead_module, "AHEAD_FROM", 10**12)
    in_place = build_graph(inputs, DEFAULT_BASE, curation=tmp_path / "curation.toml")
    monkeypatch.setattr(ahead_module, "AHEAD_FROM", 1)
    monkeypatch.setattr(ahead_module, "BATCH", 37)
    answers: list[bool] = []
    real = TaggedAhead.assignments
    monkeypatch.setattr(TaggedAhead, "assignments",
                        lambda self, work: (found := real(self, work), answers.append(found is not None))[0])
    tagged_ahead = build_graph(inputs, DEFAULT_BASE, curation=tmp_path / "curation.toml")

    assert tagged_ahead.lines == in_place.lines
    assert answers.count(True) > 250 and answers.count(False) > 40  # merged works, and the corrected one
    # The corrected title's concept, which the words read ahead never named.
    paper = f"{DEFAULT_BASE}work/doi/{DOI}"
    assert any(line.startswith(f"<{paper}> ") and f"<{KGC}peer-support-worker>" in line
               for line in tagged_ahead.lines)
    assert not multiprocessing.active_children()


def test_a_worker_killed_midway_leaves_the_rest_to_the_build(inputs, always_ahead):
    corpus, records = corpus_and_records(inputs)
    tagger = Tagger.from_scheme()
    ahead = TaggedAhead(records)
    while not ahead._executor._processes:  # started with the first batch sent
        time.sleep(0.01)
    [worker] = ahead._executor._processes.values()
    os.kill(worker.pid, signal.SIGKILL)  # as the kernel's out-of-memory killer would
    worker.join()
    try:
        given = [ahead.assignments(work) for work in corpus.works]
    finally:
        ahead.close()
    assert ahead.failed is not None
    for work, found in zip(corpus.works, given):  # none wrong: each taken from the worker, or left to the build
        assert found is None or found == tagger.tag_record(work.record)
    assert given[-1] is None and not multiprocessing.active_children()


def test_ctrl_c_reaching_the_worker_leaves_the_stopping_to_the_build(inputs, always_ahead, monkeypatch):
    """Ctrl-C goes to the whole process group; the build stops its worker
    itself, and a worker interrupted on its own would print a traceback."""
    monkeypatch.setattr(ahead_module, "BATCH", 1)  # hundreds of batches still to come at the signal
    corpus, records = corpus_and_records(inputs)
    tagger = Tagger.from_scheme()
    ahead = TaggedAhead(records)
    try:
        ahead._batches[0].result()  # the worker has started
        [worker] = ahead._executor._processes.values()
        os.kill(worker.pid, signal.SIGINT)
        given = [ahead.assignments(work) for work in corpus.works]
        assert ahead.failed is None and worker.is_alive()
    finally:
        ahead.close()
    assert all(found == tagger.tag_record(work.record) for work, found in zip(corpus.works, given) if found is not None)
    assert sum(1 for found in given if found is not None) > 250


class InterruptWhileMapping(NoProgress):
    def stage(self, name: str, total: int | None = None, unit: str = "") -> None:
        if name.startswith("mapping"):
            raise KeyboardInterrupt


def test_an_interrupted_build_stops_its_worker(inputs, always_ahead):
    with pytest.raises(KeyboardInterrupt):
        build_graph(inputs, DEFAULT_BASE, progress=InterruptWhileMapping())
    assert not multiprocessing.active_children()


def test_a_small_build_or_one_that_does_not_tag_starts_no_worker(inputs, never_ahead, monkeypatch):
    records = read_inputs(inputs)[0].records
    assert TaggedAhead.start(records) is None
    monkeypatch.setattr(ahead_module, "AHEAD_FROM", 1)
    assert TaggedAhead.start(records, tag=False) is None
