"""The curation file: a person's corrections that win over every source.

A TOML file of arrays of tables, one table a row, reviewed in a pull request
like any other text (README: "Curating the graph")::

    [[correct]]                      # set fields of a work
    work = "peer-support-listing.txt:17"
    title = "..."                    # title, year, venue, doi, volume, issue, pages
    who = "A. Curator"
    when = 2026-11-29
    note = "from the publisher's page"

    [[same-person]]                  # also: not-same-person (names = [...])
    names = ["C. Collopy", "Catherine M Collopy"]

    [[same-work]]                    # also: not-same-work (works = [...])
    works = ["refs.ris:12", "10.1108/mhsi-02-2014-0003"]

    [[concept]]                      # add = or remove = a concept
    work = "10.1108/mhsi-02-2014-0003"
    add = "kgc:wounded-healer"

Every row names ``who`` and ``when`` (a TOML date), and may give a ``note``.
A work or record is named by a DOI, a source record ``file:line`` (as
`kg build` and `kg inspect` print it), or a work IRI (``work:…`` under the
base); a person by a printed name, an ORCID, or a person IRI (``person:…``).
This module reads the file (every bad row a :class:`~kg.errors.UsageError`
naming file and line) and tells which records and names a reference means;
:mod:`kg.identity.overrides` applies the rows, :mod:`kg.concepts.curated`
takes the concept rows.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..model import Curated, Record, Work
from ..read.decoding import read_user_text
from ..read.identifiers import (
    normalise_doi,
    normalise_orcid,
    plausible_year,
    split_pages,
)
from .iris import mint_paper_iri

FIELDS = ("title", "year", "venue", "doi", "volume", "issue", "pages")
"""The work fields a ``[[correct]]`` row may set."""
KINDS = {
    "correct": ("work",),
    "same-person": ("names",),
    "not-same-person": ("names",),
    "same-work": ("works",),
    "not-same-work": ("works",),
    "concept": ("work",),
}
"""Each kind of row and the key that names what it is about."""
_COMMON = ("who", "when", "note")
_HEADER = re.compile(r"""^\s*\[\[\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*\]\]""")
_TOP_KEY = re.compile(r"""^\s*(?:\[\s*)?("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*(?:=|\])""")
_IRI = re.compile(r"^(?:https?|urn):\S+$", re.IGNORECASE)


@dataclass(frozen=True)
class CurationRow:
    """One row of a curation file, checked but not yet applied."""

    kind: str
    file: str
    line: int
    who: str
    when: str
    """ISO date, ``YYYY-MM-DD``."""
    note: str
    refs: tuple[str, ...]
    """What the row is about: one work (``correct``, ``concept``), or the
    names or works it says are (not) the same."""
    values: tuple[tuple[str, object], ...] = ()
    """``correct``: (field, value) pairs, pages as (first, last); ``concept``:
    (("add" or "remove", concept))."""

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def label(self) -> str:
        """The row as the graph names it: the file's name (not its path) and line."""
        return f"{Path(self.file).name}:{self.line}"

    def outcome(self, targets=(), problem: str | None = None, *, fields=(), concept=None) -> Curated:
        """What the row did: the IRIs it applied to, or why it had no effect."""
        return Curated(
            self.kind, self.file, self.line, self.who, self.when, self.note,
            fields=tuple(fields), concept=concept, targets=tuple(sorted(set(targets))),
            problem=None if targets and not problem else problem or f"{' / '.join(self.refs)} matches nothing in this build",
        )


def load_curation(path: Path | str) -> list[CurationRow]:
    """The rows of a curation file, in file order.

    Raises :class:`~kg.errors.UsageError` naming the file and the line for a
    file that is not TOML, an unknown kind of row or key, a row written as an
    inline table, a missing ``who``/``when``, or a value of the wrong type.
    """
    path = Path(path)
    text = read_user_text(path, "curation file")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+)", str(exc))
        line = found[1] if found else max(1, len(text.splitlines()))  # "(at end of document)"
        raise UsageError(f"{path}:{line}: curation file is not TOML: {exc}") from exc
    lines = text.splitlines()
    headers: dict[str, list[int]] = {}
    for number, line in enumerate(lines, start=1):
        if match := _HEADER.match(line):
            headers.setdefault(match[1].strip("\"'"), []).append(number)
    every_header = sorted(n for found in headers.values() for n in found)
    rows: list[CurationRow] = []
    for kind, tables in data.items():
        if kind not in KINDS:
            raise UsageError(f"{path}:{_top_line(lines, kind, headers)}: unknown kind of curation row {kind!r} "
                             f"(known: {', '.join(KINDS)})")
        starts = headers.get(kind, [])
        if not isinstance(tables, list) or len(starts) != len(tables):
            raise UsageError(f"{path}:{_top_line(lines, kind, headers)}: write each {kind} row as a [[{kind}]] table")
        for table, start in zip(tables, starts):
            after = bisect.bisect_right(every_header, start)
            end = every_header[after] if after < len(every_header) else len(lines) + 1
            rows.append(_row(kind, table, _Place(path, lines, start, end)))
    return sorted(rows, key=lambda row: row.line)


@dataclass(frozen=True)
class _Place:
    """Where a table is in the file, to name the line of a bad key."""

    path: Path
    lines: list[str]
    start: int
    end: int

    def error(self, message: str, key: str | None = None) -> UsageError:
        line = self.start
        if key is not None:
            pattern = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*=""")
            line = next((n for n in range(self.start, self.end) if pattern.match(self.lines[n - 1])), self.start)
        return UsageError(f"{self.path}:{line}: {message}")


def _top_line(lines: list[str], key: str, headers: dict[str, list[int]]) -> int:
    if key in headers:
        return headers[key][0]
    return next((n for n, line in enumerate(lines, start=1) if (m := _TOP_KEY.match(line)) and m[1].strip("\"'") == key), 1)


def _row(kind: str, table: dict, place: _Place) -> CurationRow:
    allowed = set(_COMMON) | set(KINDS[kind]) | (set(FIELDS) if kind == "correct" else set())
    allowed |= {"add", "remove"} if kind == "concept" else set()
    for key in table:
        if key not in allowed:
            raise place.error(f"{kind} rows have no key {key!r} (they take {', '.join(sorted(allowed))})", key)
    who = _text(table, "who", place, required=True)
    when = _date(table, place)
    note = _text(table, "note", place) or ""
    about = KINDS[kind][0]
    if about in ("names", "works"):
        refs = table.get(about)
        if not isinstance(refs, list) or len(refs) < 2 or not all(isinstance(r, str) and r.strip() for r in refs):
            raise place.error(f"{kind} rows need {about} = [at least two non-empty strings]", about if about in table else None)
        refs = tuple(r.strip() for r in refs)
        if len(set(refs)) < len(refs):
            raise place.error(f"{kind} row names the same {about[:-1]} twice", about)
    else:
        refs = (_text(table, about, place, required=True),)
    values: list[tuple[str, object]] = []
    if kind == "correct":
        values = [(name, _field(name, table[name], place)) for name in FIELDS if name in table]
        if not values:
            raise place.error(f"correct rows set at least one of {', '.join(FIELDS)}")
    elif kind == "concept":
        actions = [a for a in ("add", "remove") if a in table]
        if len(actions) != 1:
            raise place.error("concept rows give exactly one of add = or remove = (a concept)")
        values = [(actions[0], _text(table, actions[0], place, required=True))]
    return CurationRow(kind, str(place.path), place.start, who, when, note, refs, tuple(values))


def _text(table: dict, key: str, place: _Place, *, required: bool = False) -> str | None:
    value = table.get(key)
    if value is None:
        if required:
            raise place.error(f"the row needs {key} = \"...\"")
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise place.error(f"{key} must be a non-empty string, not {value!r}", key)
    return value.strip()


def _date(table: dict, place: _Place) -> str:
    value = table.get("when")
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise place.error(f"when must be a date such as 2026-11-29, not {value!r}", "when") from None
    if not isinstance(value, dt.date):
        raise place.error("the row needs when = YYYY-MM-DD (the day of the decision)", "when" if "when" in table else None)
    return value.isoformat()


def _field(name: str, value: object, place: _Place) -> object:
    if name == "year":
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or not plausible_year(value):
            raise place.error(f"year must be a year between 1500 and 2099, not {value!r}", name)
        return value
    if isinstance(value, int) and not isinstance(value, bool) and name in ("volume", "issue", "pages"):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise place.error(f"{name} must be a non-empty string, not {value!r}", name)
    value = " ".join(value.split())
    if name == "doi":
        doi = normalise_doi(value)
        if doi is None:
            raise place.error(f"doi {value!r} is not a DOI", name)
        return doi
    if name == "pages":
        return split_pages(value)
    return value


# -- what a reference names -----------------------------------------------------


def expand(ref: str, base: str) -> str:
    """A reference in the form it is compared in: a DOI normalised, a CURIE
    (``work:``, ``person:``) as the IRI under ``base``; anything else as written."""
    prefix, _, rest = ref.partition(":")
    if prefix in ("work", "person", "venue") and rest and not rest.startswith("//"):
        return f"{base}{prefix}/{rest}"
    if _IRI.match(ref) and not re.match(r"^https?://(dx\.)?doi\.org/", ref, re.IGNORECASE):
        return ref
    return normalise_doi(ref) or normalise_orcid(ref) or ref


def record_keys(record: Record, base: str) -> set[str]:
    """Every reference that names ``record``: its ``file:line`` (also with the
    file's name alone), its DOI, and the IRI it would have on its own."""
    source = record.source
    keys = {f"{source.file}:{source.line}", f"{Path(source.file).name}:{source.line}", mint_paper_iri(base, record)}
    if record.doi:
        keys.add(record.doi)
    return keys


def work_keys(work: Work, base: str) -> set[str]:
    """Every reference that names ``work``: its IRI, its DOI, and the keys of
    each of its source records."""
    keys = {work.iri}
    if work.record.doi:
        keys.add(work.record.doi)
    for record in work.sources:
        keys |= record_keys(record, base)
    return keys
