"""One reader per input format, chosen by content (the extension is a hint).

A reader is a function ``read(text: str, file: str) -> ReadResult``: it takes
the decoded file content and the display name of the file, and returns the
records it read and the problems it met. It never raises on bad data.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Callable

from ..errors import UsageError, InputError
from ..model import Problem, ReadResult
from . import bibtex, crossref, csljson, listing, medline, openalex, pubmed, ris
from .decoding import decode, decode_bytes

__all__ = ["READERS", "SNIFFERS", "EXTENSION_HINTS", "decode", "detect_format", "read_bytes", "read_path"]

Reader = Callable[[str, str], ReadResult]

READERS: dict[str, Reader] = {
    "listing": listing.read_listing,
    "ris": ris.read_ris,
    "bibtex": bibtex.read_bibtex,
    "csl-json": csljson.read_csl_json,
    "openalex": openalex.read_openalex,
    "crossref": crossref.read_crossref,
    "pubmed-xml": pubmed.read_pubmed_xml,
    "medline": medline.read_medline,
}

# Content sniffers, tried in order; each returns True when the text looks like
# its format. The listing layout is the fallback.
SNIFFERS: list[tuple[str, Callable[[str, str], bool]]] = [
    ("pubmed-xml", pubmed.looks_like_pubmed_xml),
    # JSON Lines of works (Crossref data file, OpenAlex snapshot) before the one-document JSON readers.
    ("crossref", crossref.looks_like_crossref),
    # OpenAlex before CSL-JSON: both are JSON, OpenAlex has telltale keys.
    ("openalex", openalex.looks_like_openalex),
    ("csl-json", csljson.looks_like_csl_json),
    # MEDLINE before RIS: both align tags as "XX  - "; MEDLINE opens with PMID-.
    ("medline", medline.looks_like_medline),
    ("ris", ris.looks_like_ris),
    ("bibtex", bibtex.looks_like_bibtex),
]

EXTENSION_HINTS: dict[str, str] = {
    ".txt": "listing",
    ".ris": "ris",
    ".bib": "bibtex",
    ".json": "csl-json",
    ".jsonl": "crossref",
    ".ndjson": "crossref",
    ".xml": "pubmed-xml",
    ".nbib": "medline",
    ".medline": "medline",
}


def detect_format(text: str, path: str) -> str:
    """The format name for ``text`` read from ``path``."""
    head = text[:4096]
    for name, sniff in SNIFFERS:
        if sniff(head, path):
            return name
    return EXTENSION_HINTS.get(Path(path).suffix.lower(), "listing")


def read_path(path: Path, file: str, format: str | None = None) -> tuple[str, ReadResult]:
    """Read one file; returns the format used and the result.

    Raises :class:`InputError` when the file cannot be read at all and
    :class:`UsageError` for an unknown format name.
    """
    if format is not None and format not in READERS:
        raise UsageError(f"unknown input format {format!r}; known: {', '.join(sorted(READERS))}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return read_bytes(data, str(path), file, format)


# Lines read as cp1252 reported one by one; past this, one Problem sums up the rest.
MAX_FALLBACK_REPORTS = 10


def read_bytes(data: bytes, path: str, file: str, format: str | None = None) -> tuple[str, ReadResult]:
    """Decode and read one file's bytes; ``path`` is for format detection,
    ``file`` the name problems and records carry. A binary file is skipped
    whole, with one Problem (format ``binary``)."""
    decoded = decode_bytes(data)
    if decoded.binary:
        result = ReadResult()
        result.skip(file, 0, decoded.binary)
        return "binary", result
    chosen = format or detect_format(decoded.text, path)
    result = READERS[chosen](decoded.text, file)
    # nameparser and pylatexenc leave reference cycles (about 170 objects a RIS
    # record) that the build's paused collector (kg.gc_pause) never frees: a
    # million mixed records kept about 3 GB of them. A young-generation pass
    # once a file looks only at what that file made, so it stays linear.
    gc.collect(0)
    result.problems.extend(_fallback_problems(decoded.fallback_lines, decoded.encoding, file))
    return chosen, result


def _fallback_problems(lines: list[int], encoding: str, file: str) -> list[Problem]:
    how = "read as cp1252" if encoding == "utf-8" else "undecodable bytes replaced"
    reason = f"line is not valid {encoding.upper()}; {how}"
    problems = [Problem(file, line, reason) for line in lines[:MAX_FALLBACK_REPORTS]]
    rest = lines[MAX_FALLBACK_REPORTS:]
    if rest:
        problems.append(Problem(file, rest[0], f"{len(rest)} more line(s) up to line {rest[-1]} are not valid {encoding.upper()}; {how}"))
    return problems
