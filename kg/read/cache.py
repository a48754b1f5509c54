"""What each input file gave, kept between builds so an unchanged file is not read again.

A build into the store keeps each file's :class:`~kg.model.ReadResult` in
``<store>/cache/records/`` under a key made of the file's content hash, the
name it goes by in the graph, the format it was read as, and kg's own
code (:func:`kg.resources.code_fingerprint`): a file is read again when
its bytes, its name or kg's readers changed, and never otherwise.

The entries are pickles of kg's own values, written by kg into the store
folder it owns; an entry that does not load (cut short, or written by
another Python) is read from the file again.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path

from ..errors import InputError
from ..model import ReadResult
from ..resources import code_fingerprint
from ..sinks.files import atomic_output
from . import read_path

_UNREADABLE = (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError)


def content_hash(path: Path) -> str:
    """The SHA-256 of the file's bytes, in hex; a file that cannot be read
    is an input error naming it, as when a reader meets it."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc


class RecordCache:
    """Read files through the cache folder ``folder``.

    With ``refresh`` (``kg build --full``) every file is read again and its
    entry rewritten, so the next build finds them fresh.
    """

    def __init__(self, folder: Path, *, refresh: bool = False):
        self.folder = folder
        self.refresh = refresh
        self.hits = 0
        self.reads = 0
        self.edited: list[str] = []
        """Names of the files that changed while this build read them."""
        self._unwritten: list[tuple[Path, tuple]] = []
        self._keys: dict[tuple[Path, str, str | None], tuple[str, str]] = {}

    def key(self, path: Path, name: str, format: str | None) -> str:
        """The entry's key for ``path`` read under ``name`` as ``format``
        (hashing the file once per build)."""
        return self._key_and_content(path, name, format)[0]

    def _key_and_content(self, path: Path, name: str, format: str | None) -> tuple[str, str]:
        known = self._keys.get((path, name, format))
        if known is None:
            content = content_hash(path)
            parts = [code_fingerprint(), content, name, format]
            known = hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest(), content
            self._keys[(path, name, format)] = known
        return known

    def _entry(self, path: Path, name: str, format: str | None) -> Path:
        return self.folder / f"{self.key(path, name, format)}.pickle"

    def holds(self, path: Path, name: str, format: str | None) -> bool:
        """Whether :meth:`read` would take ``path`` from the cache (unless its entry does not load)."""
        return not self.refresh and self._entry(path, name, format).is_file()

    def read(self, path: Path, name: str, format: str | None) -> tuple[str, ReadResult, bool]:
        """``read_path``'s answer, from the cache when it holds the entry;
        the third value says whether it did."""
        entry = self._entry(path, name, format)
        if not self.refresh:
            try:
                with open(entry, "rb") as f:
                    used, result = pickle.load(f)
                self.hits += 1
                return used, result, True
            except _UNREADABLE:
                pass
        used, result = read_path(path, name, format)
        if self._kept_as_read(path, name, format, content_hash(path)):
            # Written later (write_entries), while the store loads: pickling is
            # a seventh of reading, and the read is on the build's critical path.
            self._unwritten.append((entry, (used, result)))
        return used, result, False

    def take_file(self, path: Path, name: str, format: str | None, file: Path,
                  content_after: str) -> tuple[str, ReadResult, bool]:
        """What a worker process read of ``path`` (:mod:`kg.read.parallel`):
        ``file``, in :attr:`folder`, holds ``read_path``'s answer pickled as
        an entry is, and ``content_after`` is the hash of the file's content
        once read. ``file`` becomes the entry as it is (or is removed)."""
        used, result = pickle.loads(file.read_bytes())
        if self._kept_as_read(path, name, format, content_after):
            self.folder.mkdir(parents=True, exist_ok=True)
            os.replace(file, self._entry(path, name, format))
        else:
            file.unlink()
        return used, result, False

    def _kept_as_read(self, path: Path, name: str, format: str | None, content_after: str) -> bool:
        self.reads += 1
        if content_after != self._key_and_content(path, name, format)[1]:
            self.edited.append(name)  # edited while it was read: not kept under the old bytes' key
            return False
        return True

    def write_entries(self) -> None:
        """Keep what the files read by this build gave, for the next build."""
        if self._unwritten:
            self.folder.mkdir(parents=True, exist_ok=True)
        while self._unwritten:
            entry, value = self._unwritten.pop()
            with atomic_output(entry) as out:
                pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)

    def prune(self) -> None:
        """Remove the entries of files this build did not read (edited or gone)."""
        kept = {f"{key}.pickle" for key, _ in self._keys.values()}
        if self.folder.is_dir():
            for entry in self.folder.iterdir():
                if entry.name not in kept and entry.suffix == ".pickle":
                    entry.unlink(missing_ok=True)
