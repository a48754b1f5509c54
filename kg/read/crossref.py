"""Reader for Crossref works JSON, and for JSON Lines of Crossref or OpenAlex works.

Accepted shapes: one work, a list of works, the REST API's ``{"message": {...}}``
and ``{"message": {"items": [...]}}`` envelopes (and OpenAlex's ``{"results": [...]}``),
and JSON Lines with one work
per line (Crossref's public data file, an OpenAlex snapshot). A JSON Lines
file's ``SourceRef.line`` is its line; elsewhere the 1-based index of the work.

The fields are read as :mod:`kg.read.csljson` reads Crossref API JSON (one home
for that); OpenAlex works met in JSON Lines are read by :mod:`kg.read.openalex`,
so a snapshot needs no reader of its own.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

from ..model import Problem, ReadResult, Record
from ..text import first_line
from . import csljson, openalex

FORMAT = "crossref"


def build_record(item: dict, index: int, file: str, problems: list[Problem]) -> Record:
    """A Crossref work as a :class:`Record` of format ``crossref``."""
    record = csljson.build_record(item, index, file, problems)
    return replace(record, source=replace(record.source, format=FORMAT))


def is_openalex_work(item: dict) -> bool:
    """True for an OpenAlex work (its ``id`` is an OpenAlex URL, or it has ``authorships``)."""
    ident = item.get("id")
    return (isinstance(ident, str) and ident.startswith("https://openalex.org/")) or "authorships" in item


def build_any(item: dict, index: int, file: str, problems: list[Problem]) -> Record:
    """A Crossref or an OpenAlex work, whichever ``item`` is."""
    build = openalex.build_record if is_openalex_work(item) else build_record
    return build(item, index, file, problems)


def read_crossref(text: str, file: str) -> ReadResult:
    """Read Crossref works JSON or works JSON Lines; see the module docstring."""
    stripped = text.lstrip("\ufeff")
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError:
        return read_json_lines(stripped, file)
    except (ValueError, RecursionError) as exc:
        result = ReadResult()
        result.skip(file, 0, f"unreadable JSON: {first_line(exc)}")
        return result
    items = data["results"] if isinstance(data, dict) and isinstance(data.get("results"), list) else csljson.unwrap_crossref(data)
    return csljson.read_items(items if isinstance(items, list) else [items], file, build_any)


def read_json_lines(text: str, file: str) -> ReadResult:
    """One work per line; a line that is not a JSON object is skipped at its line."""
    result = ReadResult()
    items, lines = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
            lines.append(number)
        except (ValueError, RecursionError) as exc:
            result.skip(file, number, f"line is not JSON: {first_line(exc)}")
    result.extend(csljson.read_items(items, file, build_any, lines))
    return result


_JSON_LINES = re.compile(r'\A\s*\{[^\n]*\}\s*\n\s*\{')


def looks_like_crossref(head: str, path: str) -> bool:
    """JSON Lines of works (a Crossref data file or an OpenAlex snapshot), or a
    ``.jsonl`` file; a single Crossref JSON document stays with the CSL-JSON reader."""
    head = head.lstrip("\ufeff")
    if path.lower().endswith((".jsonl", ".ndjson")) and csljson.starts_like_json(head):
        return True
    return _JSON_LINES.match(head) is not None and re.search(r'"(?:DOI|doi|title|issued|publication_year)"\s*:', head) is not None
