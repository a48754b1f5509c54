"""Which files a build reads, the names they go by in the graph, and reading them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..model import ReadResult
from . import read_path

INPUT_SUFFIXES = {".txt", ".ris", ".bib", ".json", ".xml", ".nbib", ".medline"}


@dataclass
class FileSummary:
    file: str
    format: str
    records: int
    skipped: int



def expand_inputs(inputs: Sequence[str | Path]) -> list[Path]:
    """Files named, and the bibliographic files inside folders named."""
    files: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES and not p.name.startswith(".")
            )
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    if not files:
        raise UsageError("no input files found")
    return files


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


def read_inputs(files: list[Path], format: str | None = None) -> tuple[ReadResult, list[FileSummary]]:
    result = ReadResult()
    summaries = []
    names = display_names(files)
    for path in sorted(set(files), key=lambda p: names[p]):
        used, one = read_path(path, names[path], format)
        result.extend(one)
        summaries.append(FileSummary(names[path], used, len(one.records), len(one.skipped)))
    return result, summaries


