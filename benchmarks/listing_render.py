"""Render real records into the ScienceGate listing layout and score kg's reader.

The core of ``benchmarks/listing_accuracy.py``, kept importable for the tests.
Records come from the real exports (read with kg's own readers); their values
are the truth. Each is printed the way the search site prints it: most without a
title, some without an abstract, abstracts in one or more paragraphs, volumes,
issues and pages as the sources print them (abbreviated ranges, ``; discussion``
trailers, supplements), ``◽`` separators followed by odd Unicode spaces, page
boilerplate at the end. The text is read back with ``read_listing`` and every
field is compared with the source value.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KgError
from kg.model import Record
from kg.read import read_path
from kg.read.listing import read_listing
from kg.read.names import clean_printed_name

SEPARATOR = "◽"
ODD_SPACES = (" ", "  ", "\u00a0", "\u2009", "\u3000", "\u202f", " \u00a0 ", "\t")
BOILERPLATE = ("Export Citation Format", "Share Document", "Related Documents", "Cited By")
FIELDS = ("title", "year", "volume", "issue", "first_page", "last_page", "authors", "truncated", "abstract")
MAX_AUTHORS = 5
"""The site prints at most this many authors, then ``...``."""
TITLE_SHARE = 0.3
NO_ABSTRACT_SHARE = 0.25


def load_records(exports: Path) -> list[Record]:
    """Every record with a year in the exports, read with kg's readers."""
    records: list[Record] = []
    for path in sorted(p for p in exports.rglob("*") if p.is_file() and p.suffix != ".md"):
        try:
            _, result = read_path(path, path.name)
        except KgError:
            continue  # a file kg does not read is no listing source
        records.extend(r for r in result.records if r.year is not None)
    return records


@dataclass
class Truth:
    title: str | None
    year: int
    volume: str | None
    issue: str | None
    first_page: str | None
    last_page: str | None
    authors: tuple[str, ...]
    truncated: bool
    abstract: str | None


def _space(rng: random.Random) -> str:
    return rng.choice(ODD_SPACES)


def _one_line(text: str | None) -> str | None:
    text = re.sub(r"\s+", " ", text or "").strip()
    return text or None


def _printed_pages(first: str, last: str | None, rng: random.Random) -> str:
    if not last:
        return first
    if first.isdigit() and last.isdigit() and len(first) == len(last) and len(first) > 1 and rng.random() < 0.3:
        keep = next((i for i in range(len(first)) if first[i] != last[i]), len(first) - 1)
        short = last[keep:]
        if rng.random() < 0.3:
            return f"{first}-{short}; discussion {last}"
        return f"{first}-{short}"
    if rng.random() < 0.05:
        return f"{first}-{last}; author reply {last}"
    return f"{first}-{last}"


def _paragraphs(abstract: str, rng: random.Random) -> list[str]:
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", abstract)
    if len(sentences) < 3 or rng.random() < 0.6:
        return [abstract]
    cuts = sorted(rng.sample(range(1, len(sentences)), min(len(sentences) - 1, rng.randint(1, 3))))
    bounds = [0, *cuts, len(sentences)]
    return [" ".join(sentences[a:b]) for a, b in itertools.pairwise(bounds)]


def render(records: list[Record], rng: random.Random) -> tuple[str, list[Truth]]:
    """The listing text and the truth for each record, in order."""
    lines: list[str] = ["Sign in / Sign up", ""]
    truths: list[Truth] = []
    for record in records:
        title = _one_line(record.title) if rng.random() < TITLE_SHARE else None
        abstract = None if rng.random() < NO_ABSTRACT_SHARE else _one_line(record.abstract)
        names = [n for n in (clean_printed_name(_one_line(a.name) or "") for a in record.authors) if n]
        truncated = len(names) > MAX_AUTHORS or record.authors_truncated
        shown = names[:MAX_AUTHORS]
        volume, issue = _one_line(record.volume), _one_line(record.issue)
        first, last = _one_line(record.first_page), _one_line(record.last_page)
        if title:
            lines.append(title)
            if rng.random() < 0.8 or not lines[-2].strip():
                lines.append("")
        fields = [str(record.year)]
        if volume or issue:
            fields.append(f"Vol {volume or ''} ({issue})" if issue else f"Vol {volume}")
        if first:
            fields.append("pp. " + _printed_pages(first, last, rng))
        for i, text in enumerate(fields):
            # The last field line before "Author(s):" sometimes has no separator.
            end = "" if i == len(fields) - 1 and rng.random() < 0.3 else " " + SEPARATOR + _space(rng)
            lines.append(re.sub(r"Vol  \(", "Vol (", text) + end)
        if shown:
            lines.append("Author(s):" + _space(rng))
            for i, name in enumerate(shown):
                more = i < len(shown) - 1 or truncated
                lines.append(name + (" " + SEPARATOR + _space(rng) if more else ""))
            if truncated:
                lines.append("...")
        if abstract:
            for paragraph in _paragraphs(abstract, rng):
                lines += ["", paragraph]
            lines += ["", ""]
        elif rng.random() < 0.5:
            lines.append("")
        truths.append(
            Truth(title, record.year, volume, issue, first, last, tuple(shown), truncated, abstract)
        )
    lines += ["", *BOILERPLATE, ""]
    return "\n".join(lines), truths


def _read_truth(record: Record) -> Truth:
    abstract = record.abstract
    if record.abstract_sections:
        abstract = " ".join(f"{s.label}: {s.text}" if s.label else s.text for s in record.abstract_sections)
    return Truth(
        _one_line(record.title),
        record.year,
        record.volume,
        record.issue,
        record.first_page,
        record.last_page,
        tuple(a.name for a in record.authors),
        record.authors_truncated,
        _one_line(abstract),
    )


def _same_abstract(expected: str | None, got: str | None) -> bool:
    if expected is None or got is None:
        return expected == got
    fold = lambda s: re.sub(r"[\W_]+", "", s).casefold()  # section labels move spaces and colons
    return fold(expected).endswith(fold(got)) or fold(got) == fold(expected)


@dataclass
class Score:
    records: int = 0
    found: int = 0
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    wrong: dict[str, list[tuple[object, object]]] = field(default_factory=lambda: {f: [] for f in FIELDS})

    @property
    def recall(self) -> float:
        return self.found / self.records if self.records else 1.0

    @property
    def accuracy(self) -> float:
        total = self.records * len(FIELDS)
        return sum(self.right.values()) / total if total else 1.0

    def field_accuracy(self, name: str) -> float:
        return self.right[name] / self.records if self.records else 1.0


def score(truths: list[Truth], records: list[Record]) -> Score:
    """Compare the records read back with the truth, aligned in order by year line."""
    result = Score(records=len(truths), found=min(len(truths), len(records)))
    for expected, record in zip(truths, records):
        got = _read_truth(record)
        for name in FIELDS:
            want, have = getattr(expected, name), getattr(got, name)
            ok = _same_abstract(want, have) if name == "abstract" else want == have
            if ok:
                result.right[name] += 1
            else:
                result.wrong[name].append((want, have))
    return result


def measure(exports: Path, *, seed: int = 0, limit: int | None = None) -> Score:
    rng = random.Random(seed)
    records = load_records(exports)
    rng.shuffle(records)
    if limit is not None:
        records = records[:limit]
    text, truths = render(records, rng)
    return score(truths, read_listing(text, "rendered-listing.txt").records)
