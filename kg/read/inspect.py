"""How kg reads a file, record by record, before anything is merged (`kg inspect`).

:func:`inspect_files` reads each file as `kg build` would and keeps the records
and problems apart per file; :func:`record_json` and :func:`problem_json` give
the stable JSON Lines form, :func:`render_text` the form people read.

JSON Lines, one object a line, ``"kind"`` first:

- ``{"kind": "file", "file", "format", "records", "skipped"}`` opens each file;
- ``{"kind": "record", "file", "line", "format", "doc_type", "title", "year",
  "date", "volume", "issue", "first_page", "last_page", "doi", "venue",
  "authors", "authors_truncated", "abstract_sections", "abstract_chars",
  "keywords", "subject_headings", "identifiers", "delimited"}`` — ``authors`` a list of
  ``{"printed", "given", "family", "orcid"}``, ``venue`` ``{"title", "issn",
  "eissn", "publisher"}`` or null, ``abstract_sections`` a list of ``{"label",
  "chars"}``; ``delimited`` how the reader cut the record out of the file (for
  listings ``{"title_line": N or null, "ended_by": "the next year line at line
  N"}``, else null); a field the record lacks is null (or an empty list);
- ``{"kind": "problem", "file", "line", "column", "reason", "skipped", "text"}``
  for a record skipped or a line the reader could not place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Problem, Record
from ..text import visible
from . import read_path
from .inputs import display_names, expand_inputs


@dataclass
class FileInspection:
    file: str
    format: str
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: dict[int, dict] = field(default_factory=dict)
    """How the reader delimited each record, by its first line (listings)."""


def inspect_files(inputs: Sequence[str | Path], format: str | None = None) -> list[FileInspection]:
    """Each input file (folders expanded, as `kg build` does) as its reader sees it."""
    files = expand_inputs(inputs)
    names = display_names(files)
    found = []
    for path in sorted(files, key=lambda p: names[p]):
        used, result = read_path(path, names[path], format)
        found.append(FileInspection(names[path], used, result.records, sorted(result.problems), result.notes))
    return found


def record_json(record: Record, delimited: dict | None = None) -> dict:
    venue = record.venue
    return {
        "kind": "record",
        "file": record.source.file,
        "line": record.source.line,
        "format": record.source.format,
        "doc_type": record.doc_type,
        "title": record.title,
        "year": record.year,
        "date": record.date,
        "volume": record.volume,
        "issue": record.issue,
        "first_page": record.first_page,
        "last_page": record.last_page,
        "doi": record.doi,
        "venue": None if venue is None else {
            "title": venue.title, "issn": venue.issn, "eissn": venue.eissn, "publisher": venue.publisher,
        },
        "authors": [
            {"printed": a.name, "given": a.given, "family": a.family, "orcid": a.orcid} for a in record.authors
        ],
        "authors_truncated": record.authors_truncated,
        "abstract_sections": [{"label": s.label, "chars": len(s.text)} for s in record.abstract_sections],
        "abstract_chars": len(record.abstract) if record.abstract else 0,
        "keywords": list(record.keywords),
        "subject_headings": list(record.subject_headings),
        "identifiers": [{"scheme": scheme, "value": value} for scheme, value in record.identifiers],
        "delimited": delimited,
    }


def problem_json(problem: Problem) -> dict:
    return {
        "kind": "problem",
        "file": problem.file,
        "line": problem.line,
        "column": problem.column or None,
        "reason": problem.reason,
        "skipped": problem.skipped,
        "text": problem.text,
    }


def file_json(inspection: FileInspection) -> dict:
    return {
        "kind": "file",
        "file": inspection.file,
        "format": inspection.format,
        "records": len(inspection.records),
        "skipped": sum(1 for p in inspection.problems if p.skipped),
    }


def json_objects(inspections: Iterable[FileInspection]) -> Iterable[dict]:
    """The JSON Lines objects, file by file: the file, its records, its problems."""
    for inspection in inspections:
        yield file_json(inspection)
        yield from (record_json(r, inspection.notes.get(r.source.line)) for r in inspection.records)
        yield from (problem_json(p) for p in inspection.problems)


def render_text(inspections: Iterable[FileInspection]) -> str:
    """Each record as an indented block, then the problems with ``file:line``."""
    out: list[str] = []
    for inspection in inspections:
        skipped = sum(1 for p in inspection.problems if p.skipped)
        out.append(f"{inspection.file}: {inspection.format}, {len(inspection.records)} record(s), {skipped} skipped")
        for record in inspection.records:
            out.extend(_record_lines(record, inspection.notes.get(record.source.line)))
        for problem in inspection.problems:
            kind = "skipped" if problem.skipped else "not placed"
            out.append(f"  {kind}: {visible(str(problem))}")
        out.append("")
    return "\n".join(out)


def _record_lines(record: Record, delimited: dict | None) -> list[str]:
    data = record_json(record, delimited)
    how = ""
    if delimited:
        title = f"title from line {delimited['title_line']}" if delimited["title_line"] else "no title line"
        how = f"  ({title}; ended by {delimited['ended_by']})"
    lines = [f"  {record.source.file}:{record.source.line}{how}"]
    for key in ("doc_type", "title", "year", "date", "volume", "issue", "first_page", "last_page", "doi"):
        if data[key] not in (None, ""):
            lines.append(f"    {key:<11} {visible(str(data[key]))}")
    if data["venue"]:
        venue = ", ".join(f"{k} {v}" for k, v in data["venue"].items() if v)
        lines.append(f"    {'venue':<11} {visible(venue)}")
    for position, author in enumerate(data["authors"], start=1):
        split = f"{author['family'] or '?'}, {author['given'] or '?'}"
        orcid = f" (ORCID {author['orcid']})" if author["orcid"] else ""
        lines.append(f"    {'author ' + str(position):<11} {visible(author['printed'])}  ->  {visible(split)}{orcid}")
    if record.authors_truncated:
        lines.append(f"    {'':<11} ... (author list cut short in the source)")
    for section in record.abstract_sections:
        lines.append(f"    {'abstract':<11} [{visible(section.label)}] {len(section.text)} characters")
    if record.abstract and not record.abstract_sections:
        lines.append(f"    {'abstract':<11} {len(record.abstract)} characters")
    for key in ("keywords", "subject_headings"):
        if data[key]:
            lines.append(f"    {key.replace('_', ' '):<11} {visible('; '.join(data[key]))}")
    return lines
