"""One reader per input format, chosen by content (the extension is a hint).

A reader is a function ``read(text: str, file: str) -> ReadResult``: it takes
the decoded file content and the display name of the file, and returns the
records it read and the problems it met. It never raises on bad data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..errors import UsageError, InputError
from ..model import ReadResult
from . import bibtex, csljson, listing, medline, openalex, pubmed, ris

Reader = Callable[[str, str], ReadResult]

READERS: dict[str, Reader] = {
    "listing": listing.read_listing,
    "ris": ris.read_ris,
    "bibtex": bibtex.read_bibtex,
    "csl-json": csljson.read_csl_json,
    "openalex": openalex.read_openalex,
    "pubmed-xml": pubmed.read_pubmed_xml,
    "medline": medline.read_medline,
}

# Content sniffers, tried in order; each returns True when the text looks like
# its format. The listing layout is the fallback.
SNIFFERS: list[tuple[str, Callable[[str, str], bool]]] = [
    ("pubmed-xml", pubmed.looks_like_pubmed_xml),
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
    ".xml": "pubmed-xml",
    ".nbib": "medline",
    ".medline": "medline",
}


def decode(data: bytes) -> str:
    """Decode bytes as UTF-8 (dropping a BOM), falling back to cp1252."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


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
    text = decode(data)
    chosen = format or detect_format(text, str(path))
    return chosen, READERS[chosen](text, file)
