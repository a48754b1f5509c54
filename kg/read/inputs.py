"""Which files a build reads, the names they go by in the graph, and reading them."""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import UsageError
from ..model import NO_PROGRESS, Progress, ReadResult
from . import EXTENSION_HINTS, read_path
from .cache import RecordCache
from .parallel import Sent, SharedReading

INPUT_SUFFIXES = frozenset(EXTENSION_HINTS)
"""What a folder is searched for: every extension a reader is known by."""


@dataclass
class FileSummary:
    file: str
    format: str
    records: int
    skipped: int
    why_empty: str = ""
    """Why the file gave no record ("empty file", a binary file, JSON that
    does not parse...); empty when it gave at least one."""


def expand_inputs(inputs: Sequence[str | Path]) -> list[Path]:
    """Files named, and the bibliographic files inside folders named, each
    real file once (a folder and a file in it, two paths, a symlink)."""
    files: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            # Hidden files and folders stay out: .kg/ holds the store's and kg enrich's own JSON.
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    if not files:
        raise UsageError("no input files found")
    return unique_files(files)


def unique_files(files: Sequence[Path]) -> list[Path]:
    """``files`` without the ones that are the same real file as an earlier one."""
    seen: set[Path] = set()
    unique = []
    for path in files:
        real = path.resolve()
        if real not in seen:
            seen.add(real)
            unique.append(path)
    return unique


def display_names(files: list[Path]) -> dict[Path, str]:
    """The shortest trailing part of each path that tells the files apart.

    Names recorded in the graph must not depend on the working directory or
    the order of the arguments, so absolute paths are out.
    """
    resolved = {f: f.resolve().parts for f in files}
    names: dict[Path, str] = {}
    for f, parts in resolved.items():
        for depth in range(1, len(parts) + 1):
            tail = parts[-depth:]
            clash = any(o != f and op[-depth:] == tail for o, op in resolved.items() if op != parts)
            if not clash:
                names[f] = "/".join(tail)
                break
        else:
            names[f] = "/".join(parts)
    return names


def source_label(path: Path, labels: Mapping[str | Path, str]) -> str | None:
    """The label the user gave ``path`` (``--source-label NAME=PATH``, ``[sources]``
    in kg.toml), naming the file or a folder above it; None when none does."""
    real = path.resolve()
    found = None
    for named, label in labels.items():
        target = Path(named).resolve()
        nearer = found is None or len(target.parts) > len(found[0].parts)  # the nearest wins
        if (real == target or target in real.parents) and nearer:
            found = (target, label)
    return found[1] if found else None


def label_sources(result: ReadResult, name: str, label: str | None) -> ReadResult:
    """Every record of one file with its source label: ``label`` when the user
    gave one, else what the record's own metadata said (RIS ``DB``, PubMed...),
    else the label most records of the file gave, else the file name without
    its extension."""
    said = Counter(r.source.label for r in result.records if r.source.label)
    fallback = min(said, key=lambda k: (-said[k], k)) if said else Path(name).name.split(".")[0] or name
    result.records = [
        r if r.source.label and not label else r.with_source(replace(r.source, label=label or fallback))
        for r in result.records
    ]
    return result


def read_inputs(
    files: list[Path], format: str | None = None, progress: Progress = NO_PROGRESS,
    labels: Mapping[str | Path, str] | None = None, cache: RecordCache | None = None,
    scratch: Path | None = None,
) -> tuple[ReadResult, list[FileSummary]]:
    """Every file read, in the order of its name; ``progress`` hears each file
    done and how many records it gave. ``labels`` maps a file or folder to the
    source label of its records (see :func:`label_sources`). With ``cache``, a
    file read by an earlier build and unchanged since is taken from it. With
    enough to read, worker processes read some of the files
    (:mod:`kg.read.parallel`) into ``scratch``, a folder on the cache's file
    system (a temporary folder when None); the records are the same."""
    result = ReadResult()
    summaries = []
    files = unique_files(files)
    names = display_names(files)
    progress.stage("reading", total=len(files), unit="files")
    ordered = sorted(files, key=lambda p: names[p])
    outcomes: dict[Path, tuple[str, ReadResult]] = {}

    def done(path: Path, outcome: tuple[str, ReadResult, bool]) -> None:
        used, one, kept = outcome
        # Labelled as each file comes, while the workers still read.
        outcomes[path] = used, label_sources(one, names[path], source_label(path, labels or {}))
        skipped = f", {len(one.skipped):,} skipped" if one.skipped else ""
        unchanged = " (unchanged, not read again)" if kept else ""
        progress.advance(1, note=f"{names[path]}: {len(one.records):,} records{skipped}{unchanged}")

    def read_here(path: Path) -> tuple[str, ReadResult, bool]:
        if cache is None:
            return *read_path(path, names[path], format), False
        return cache.read(path, names[path], format)

    def take(path: Path, sent: Sent | None) -> tuple[str, ReadResult, bool]:
        if sent is None:
            return read_here(path)
        if cache is None:
            file = sent[0]
            used, one = pickle.loads(file.read_bytes())
            file.unlink()
            return used, one, False
        return cache.take_file(path, names[path], format, *sent)

    to_read = [path for path in ordered if cache is None or not cache.holds(path, names[path], format)]
    sharing = SharedReading.start(to_read, lambda path: (path, names[path], format), scratch)
    if sharing is None:
        for path in ordered:
            done(path, read_here(path))
    else:
        with sharing:
            unread = set(to_read)
            for path in ordered:
                if path not in unread:  # taken from the cache
                    done(path, read_here(path))
            while (path := sharing.next_here()) is not None:
                done(path, read_here(path))
                for theirs, sent in sharing.arrived():
                    done(theirs, take(theirs, sent))
            for theirs, sent in sharing.rest():
                done(theirs, take(theirs, sent))
    for path in ordered:
        used, one = outcomes.pop(path)
        result.extend(one)
        summaries.append(FileSummary(names[path], used, len(one.records), len(one.skipped), why_empty(path, one)))
    if len(files) > 1:
        progress.advance(0, note=f"{len(result.records):,} records in all")
    return result, summaries


def why_empty(path: Path, result: ReadResult) -> str:
    """Why reading ``path`` gave no record; "" when it gave some."""
    if result.records:
        return ""
    skipped = result.skipped
    if len(skipped) == 1:  # often the whole file: binary, JSON that does not parse
        return skipped[0].reason.removesuffix("; skipped")
    if skipped:
        return f"all {len(skipped)} record(s) skipped"
    if not path.stat().st_size:
        return "empty file"
    return "no record found"
