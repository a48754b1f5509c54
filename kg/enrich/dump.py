"""Candidates from a local dump, read once, streaming, in bounded memory.

A dump is Crossref works (the public data file: one work per line, or a REST
response with ``message.items``) or OpenAlex works (snapshot JSON Lines, or an
API response with ``results``), gzipped or not. JSON Lines are read line by
line: the works we look for are indexed first (by DOI, year + volume + first
page, year + first author's last name), and each line of the dump is reduced
to those keys and kept only when one of them is wanted, so memory grows with
the works sought and the lines that hit, not with the dump.
"""

from __future__ import annotations

import gzip
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import orjson

from ..errors import InputError
from ..model import NO_PROGRESS, Problem, Progress, Record
from ..read.crossref import build_any
from ..read.identifiers import normalise_doi
from ..text import fold
from .found import Found, works_in


def dump_keys(work: dict) -> list[tuple]:
    """The index keys of a raw Crossref or OpenAlex work, read cheaply (a million a dump)."""
    get = work.get
    if "authorships" in work or str(get("id", "")).startswith("https://openalex.org/"):
        doi, year = get("doi"), get("publication_year")
        biblio = get("biblio")
        volume, first = (biblio.get("volume"), biblio.get("first_page")) if isinstance(biblio, dict) else (None, None)
        authorships = get("authorships")
        head = authorships[0] if isinstance(authorships, list) and authorships and isinstance(authorships[0], dict) else {}
        person = head.get("author")
        family = (person.get("display_name") if isinstance(person, dict) else None) or head.get("raw_author_name")
    else:
        doi, year, volume = get("DOI"), _crossref_year(work), get("volume")
        page = get("page")
        first = page.replace("\u2013", "-").split("-", 1)[0].strip() if isinstance(page, str) else get("article-number")
        authors = get("author")
        head = authors[0] if isinstance(authors, list) and authors and isinstance(authors[0], dict) else {}
        family = head.get("family") or head.get("name")
    return keys_of(_doi(doi), year, volume, first, family)


def keys_of(doi: str | None, year: object, volume: object, first_page: object, family: object) -> list[tuple]:
    """Index keys from the parts: ("doi", doi), ("yvp", year, volume, page), ("ya", year, last name)."""
    keys: list[tuple] = []
    if doi:
        keys.append(("doi", doi))
    if not isinstance(year, int):
        return keys
    volume = _key(volume) if isinstance(volume, str) else ""
    first_page = _key(first_page) if isinstance(first_page, str) else ""
    if volume and first_page:
        keys.append(("yvp", year, volume, first_page))
    words = _key(family).split() if isinstance(family, str) else []
    if words:
        keys.append(("ya", year, words[-1]))
    return keys


def _key(value: str) -> str:
    """:func:`kg.text.fold`, with a fast path for the plain ASCII words most values are."""
    return value.lower() if value.isascii() and value.isalnum() else fold(value)


def _doi(value: object) -> str | None:
    """A DOI key cheaply: what :func:`normalise_doi` gives for the plain forms dumps hold."""
    if not isinstance(value, str):
        return None
    plain = value.lower().removeprefix("https://doi.org/")
    return plain if plain.startswith("10.") and plain.isascii() and " " not in plain else normalise_doi(value)


def record_keys(record: Record) -> list[tuple]:
    first = record.authors[0] if record.authors else None
    family = (first.family or first.name) if first else None
    return keys_of(record.doi, record.year, record.volume, record.first_page, family)


def _crossref_year(work: dict) -> int | None:
    for name in ("issued", "published-print", "published-online", "published"):
        date = work.get(name)
        parts = date.get("date-parts") if isinstance(date, dict) else None
        if parts and isinstance(parts[0], list) and parts[0] and isinstance(parts[0][0], int):
            return parts[0][0]
    return None


MAX_WEAK = 3
"""Candidates kept per work that share only the year and first author's last name:
they can only be *needs review* (a match needs the volume and page too), and a
common name in a large dump would otherwise keep thousands."""


@dataclass
class DumpHits:
    """What a scan found: candidates per sought work, and lines it could not read."""

    candidates: dict[int, list[Found]] = field(default_factory=lambda: defaultdict(list))
    problems: list[Problem] = field(default_factory=list)
    lines: int = 0


def scan_dumps(paths: list[Path], sought: list[Record], retrieved: str, progress: Progress = NO_PROGRESS) -> DumpHits:
    """Candidates in the dumps at ``paths`` for each record of ``sought`` (by its index):
    every work sharing its DOI or year, volume and first page, and the first
    :data:`MAX_WEAK` sharing only its year and first author."""
    wanted: dict[tuple, list[int]] = defaultdict(list)
    for index, record in enumerate(sought):
        for key in record_keys(record):
            wanted[key].append(index)
    hits = DumpHits()
    weak: dict[int, list[tuple[str, int, dict]]] = defaultdict(list)
    for path in paths:
        progress.stage(f"scanning {path.name}", unit="lines")
        for number, work in _works(path, hits):
            hits.lines += 1
            if hits.lines % 10000 == 0:
                progress.advance(10000)
            keys = dump_keys(work)
            strong = sorted({i for key in keys if key[0] != "ya" for i in wanted.get(key, ())})
            if strong:
                _add(hits, strong, path.name, number, work, retrieved)
            for i in sorted({i for key in keys if key[0] == "ya" for i in wanted.get(key, ())} - set(strong)):
                if len(weak[i]) < MAX_WEAK:
                    weak[i].append((path.name, number, work))
    for i, found in sorted(weak.items()):
        for name, number, work in found:
            _add(hits, [i], name, number, work, retrieved)
    return hits


def _add(hits: DumpHits, targets: list[int], name: str, number: int, work: dict, retrieved: str) -> None:
    problems: list[Problem] = []
    try:
        record = build_any(work, number, name, problems)
    except (TypeError, AttributeError, ValueError, ArithmeticError) as exc:
        hits.problems.append(Problem(name, number, f"work has a field of the wrong type ({exc}); skipped"))
        return
    found = Found.of(work, record, retrieved, origin=f"{name}:{number}")
    for i in targets:
        hits.candidates[i].append(found)


def _open(path: Path) -> BinaryIO:
    try:
        raw = path.open("rb")
        head = raw.peek(2)[:2]
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return gzip.open(raw) if head == b"\x1f\x8b" else raw  # type: ignore[return-value]


def _works(path: Path, hits: DumpHits) -> Iterator[tuple[int, dict]]:
    """(line or index, work) for every work in the dump."""
    try:
        with _open(path) as stream:
            first = stream.readline()
            if _is_work(first):
                yield from _lines(first, stream, path, hits)
                return
            try:
                data = orjson.loads(first + stream.read())
            except orjson.JSONDecodeError as exc:
                raise InputError(f"{path}: not JSON Lines and not a JSON document: {exc}") from None
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    yield from enumerate(works_in(data), start=1)


def _is_work(first: bytes) -> bool:
    """True when the first line is one whole work (JSON Lines), not the start of a document."""
    try:
        value = orjson.loads(first)
    except orjson.JSONDecodeError:
        return False
    return isinstance(value, dict) and not ({"message", "results"} & value.keys())


def _lines(first: bytes, rest: BinaryIO, path: Path, hits: DumpHits) -> Iterator[tuple[int, dict]]:
    yield from _parsed(1, first, path, hits)
    for number, line in enumerate(rest, start=2):
        yield from _parsed(number, line, path, hits)


def _parsed(number: int, line: bytes, path: Path, hits: DumpHits) -> Iterator[tuple[int, dict]]:
    try:
        work = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        if line.strip():
            hits.problems.append(Problem(path.name, number, f"line is not JSON: {exc}; skipped"))
        return
    if isinstance(work, dict):
        yield number, work
