"""A work found in Crossref or OpenAlex: the raw JSON, where and when it was found."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from ..identity.iris import encode
from ..model import Record, SourceRef
from ..read.crossref import build_any, is_openalex_work


def utc_stamp(moment: time.struct_time | None = None) -> str:
    """``2026-11-29T03:16:04Z``: when a work was retrieved, as the graph records it (xsd:dateTime)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", moment or time.gmtime())


@dataclass(frozen=True)
class Found:
    source: str
    """``crossref`` or ``openalex``."""
    ident: str
    """The work's DOI URL (Crossref) or OpenAlex URL: the source record's name in the graph;
    for a work with neither, where it was found (a request URL, a dump's ``file:line``)."""
    retrieved: str
    """When it was fetched or read (ISO 8601, UTC, seconds)."""
    work: dict
    record: Record
    origin: str
    """The request URL, or the dump file and line, it came from."""

    @classmethod
    def of(cls, work: dict, record: Record, retrieved: str, origin: str) -> Found:
        source = "openalex" if is_openalex_work(work) else "crossref"
        if source == "openalex" and isinstance(work.get("id"), str):
            ident = work["id"]
        elif record.doi:
            ident = f"https://doi.org/{encode(record.doi)}"
        else:
            ident = origin
        return cls(source, ident, retrieved, work, record, origin)


def as_source_record(work: dict, ident: str, retrieved: str) -> Record:
    """The record a build adds for a saved work, named by ``ident`` and dated."""
    record = build_any(work, 1, ident, [])
    return replace(record, source=SourceRef(ident, 1, record.source.format, retrieved))


def works_in(body: object) -> list[dict]:
    """The works in an API answer or a dump document: ``message`` or
    ``message.items`` (Crossref), ``results`` (OpenAlex), a list, or one work."""
    if isinstance(body, dict) and isinstance(body.get("message"), dict):
        message = body["message"]
        items = message.get("items") if isinstance(message.get("items"), list) else [message]
    elif isinstance(body, dict) and isinstance(body.get("results"), list):
        items = body["results"]
    else:
        items = body if isinstance(body, list) else [body]
    return [item for item in items if isinstance(item, dict)]
