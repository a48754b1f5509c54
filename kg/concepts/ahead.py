"""The tagger run ahead, in a worker process, while the build resolves.

Reading and resolving run in one Python thread, and the machine's other
core idles until mapping begins; from then on the store's loader keeps
both cores busy. The tagger needs a record's words, not its identity, so a
build of many records sends every record's words to a worker process once
they are read, and the worker tags them while the build resolves and maps.
When the build reaches the tagging stage, a work made of one record whose
words are still those read (no curation row corrected them) takes that
record's assignments; any other work is tagged there, as before. The
assignments are the same either way: the worker runs the same tagger on the
same words.

At a million listing records the tagging stage took 83 s instead of
151-161 s, and mapping went faster too, the worker done before the store's
loading needed the second core: 543 s for the build, against 626-656 s.
At 100k records, 44-46 s against 46-55 s.
"""

from __future__ import annotations

import marshal
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from functools import partial

from ..model import AbstractSection, Assignment, Record, Work
from ..workers import worker_pool
from .tagger import METHOD, Tagger

AHEAD_FROM = 20_000
"""Records from which a build tags ahead: a worker process takes about a
second to start, the time the tagger needs for some 15,000 records."""
BATCH = 5_000
"""Records sent to the worker at once."""
IN_FLIGHT = 3
"""Batches sent and not yet tagged: the words of the rest are not copied."""
FIELDS = ("title", "abstract", "keywords", "abstract_sections", "subject_headings", "major_headings")
"""What the tagger reads of a record (:meth:`Tagger.tag_record`)."""
_ZONES = ("title", "abstract", "keywords")

_tagger: Tagger | None = None


def _words(record: Record) -> tuple:
    sections = tuple((s.label, s.text) for s in record.abstract_sections)
    return (record.title, record.abstract, tuple(record.keywords), sections,
            tuple(record.subject_headings), tuple(record.major_headings))


def _pack_words(records: Sequence[Record]) -> bytes:
    # marshal, not pickle: pickling a str that is not ASCII keeps its UTF-8
    # copy in the str for good, which at a million listing records held
    # 1.1 GB more until the build ended.
    return marshal.dumps([_words(record) for record in records])


def _start_worker() -> None:
    global _tagger
    _tagger = Tagger.from_scheme()


def _tag_batch(words: bytes) -> tuple[list[tuple[str, str]], list[bytes]]:
    """In the worker: each record's assignments packed (:func:`_unpack`),
    with the concepts they point into."""
    assert _tagger is not None
    concepts: dict[str, int] = {}
    table: list[tuple[str, str]] = []
    packed = []
    for title, abstract, keywords, sections, headings, major in marshal.loads(words):
        sections = tuple(AbstractSection(label, text) for label, text in sections)
        rows = []
        for a in _tagger.tag(title, abstract, keywords, sections, headings, major):
            if a.concept not in concepts:
                concepts[a.concept] = len(table)
                table.append((a.concept, a.label))
            rows.append((concepts[a.concept], a.score, a.matched, _ZONES.index(a.field), a.evidence))
        # Bytes, not assignments: a million records' assignments as objects
        # held close to a gigabyte until the tagging stage took them.
        packed.append(marshal.dumps(tuple(rows)) if rows else b"")
    return table, packed


def _unpack(table: list[tuple[str, str]], packed: bytes) -> list[Assignment]:
    if not packed:
        return []
    return [Assignment(table[concept][0], table[concept][1], score, METHOD, matched, _ZONES[zone], evidence)
            for concept, score, matched, zone, evidence in marshal.loads(packed)]


class TaggedAhead:
    """``records`` sent to a worker process to be tagged, a few batches at a
    time (by a thread); :meth:`assignments` gives a work's, or None when the
    work must be tagged where it is."""

    def __init__(self, records: Sequence[Record]):
        self._position = {id(record): n for n, record in enumerate(records)}
        self._records = records  # keeps the ids above the records' own
        self._size = BATCH
        self._batches: list[Future] = [Future() for _ in range(0, len(records), self._size)]
        self._room = threading.Semaphore(IN_FLIGHT)
        self._closed = False
        self.failed: BaseException | None = None
        """What stopped the worker, when it stopped; the build then tags the rest itself."""
        self._executor = worker_pool(1, _start_worker)
        self._feeder = threading.Thread(target=self._send, name="kg-tagging-ahead", daemon=True)
        self._feeder.start()

    @classmethod
    def start(cls, records: Sequence[Record], tag: bool = True) -> TaggedAhead | None:
        """Tagging ahead for a build of ``records`` that tags, when there are enough of them."""
        return cls(records) if tag and len(records) >= AHEAD_FROM else None

    def _send(self) -> None:
        number = 0
        try:
            for number, batch in enumerate(self._batches):
                self._room.acquire()
                if self._closed:
                    return
                words = _pack_words(self._records[number * self._size:(number + 1) * self._size])
                self._executor.submit(_tag_batch, words).add_done_callback(partial(self._arrived, batch))
        except BaseException as exc:  # noqa: BLE001 - a dead worker: said by the batches left
            for left in self._batches[number:]:
                if not left.done():
                    left.set_exception(exc)

    def _arrived(self, batch: Future, sent: Future) -> None:
        self._room.release()
        if sent.cancelled():
            batch.cancel()
        elif sent.exception() is not None:
            batch.set_exception(sent.exception())
        else:
            batch.set_result(sent.result())

    def assignments(self, work: Work) -> list[Assignment] | None:
        if self._closed or len(work.sources) != 1:
            return None
        source = work.sources[0]
        position = self._position.get(id(source))
        if position is None:  # a record the build did not read (none today)
            return None
        if any(getattr(work.record, name) is not getattr(source, name) for name in FIELDS):
            return None  # corrected by a curation row since it was read
        try:
            table, packed = self._batches[position // self._size].result()
        except Exception as exc:  # noqa: BLE001 - a worker that died: the build tags the rest itself
            self.failed = exc
            self.close()
            return None
        return _unpack(table, packed[position % self._size])

    def close(self) -> None:
        """Stop the worker (what it has not tagged is dropped)."""
        if self._closed:
            return
        self._closed = True
        self._room.release()  # a feeder waiting for room sees the close
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._feeder.join()
        self._batches = []
        self._position = {}
