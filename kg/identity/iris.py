"""Mint deterministic IRIs for everything kg writes.

Every IRI is the base IRI plus a path built from the thing's identity, with
anything that is not an unreserved character percent-encoded, so that it
parses in rdflib and Oxigraph whatever the input holds (quotes, spaces,
braces, non-Latin scripts).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from urllib.parse import quote

from ..model import Record
from ..text import slug

_SAFE_PATH = "-._~/()"


def encode(segment: str) -> str:
    """Percent-encode everything an IRI path must not hold as is."""
    return quote(segment, safe=_SAFE_PATH)


def short_hash(*parts: object) -> str:
    key = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


_ERRATUM = re.compile(r"^\W*(erratum|errata|corrigendum|correction|retraction)\b", re.IGNORECASE)


def edition(record: Record) -> str:
    """``preprint`` (by its type), ``erratum`` (a correction or retraction notice,
    by its type or title), or empty for the article itself or an unknown type."""
    if record.doc_type == "preprint":
        return "preprint"
    if record.doc_type in ("erratum", "correction", "retraction") or _ERRATUM.match(record.title or ""):
        return "erratum"
    return ""


def mint_paper_iri(base: str, record: Record) -> str:
    """From the DOI when there is one, else from a key that needs no title
    (a preprint's or an erratum's key also names its edition, so it never
    takes its article's IRI)."""
    if record.doi:
        return f"{base}work/doi/{encode(record.doi)}"
    first = record.authors[0] if record.authors else None
    family = slug((first.family or first.name) if first else "") or "anon"
    title = slug(record.title or "")
    kind = edition(record)
    key = short_hash(family, record.year, record.volume, record.issue, record.first_page, title, *([kind] if kind else []))
    return f"{base}work/{encode(family)}-{record.year or 'nd'}-{key}"


def mint_person_iri(base: str, name_key: str, orcid: str | None = None) -> str:
    """From the ORCID when known, else from the normalised name."""
    if orcid:
        return f"{base}person/orcid/{encode(orcid)}"
    return f"{base}person/{encode(slug(name_key) or 'unnamed-' + short_hash(name_key))}"


def mint_venue_iri(base: str, issn: str | None, title: str | None) -> str:
    if issn:
        return f"{base}venue/issn/{encode(issn)}"
    return f"{base}venue/{encode(slug(title or '') or 'unnamed')}"


def mint_authorship_iri(paper_iri: str, position: int) -> str:
    return f"{paper_iri}/authorship/{position}"


def mint_section_iri(paper_iri: str, position: int) -> str:
    return f"{paper_iri}/abstract/{position}"


def mint_assignment_iri(paper_iri: str, concept_iri: str) -> str:
    return f"{paper_iri}/subject/{_concept_segment(concept_iri)}"


@lru_cache(maxsize=4096)  # a scheme has hundreds of concepts, assigned to every work
def _concept_segment(concept_iri: str) -> str:
    return encode(concept_iri.rstrip("/").rsplit("/", 1)[-1])


def mint_curation_iri(base: str, file: str, line: int) -> str:
    """A row of a curation file, by the file's name (not its path, so the
    graph does not depend on where the file lies) and the row's line."""
    return f"{base}curation/{encode(slug(file) or 'curation')}-{short_hash(file)[:6]}/{line}"


def mint_source_iri(base: str, file: str, line: int) -> str:
    return f"{_source_file_iri(base, file)}/{line}"


@lru_cache(maxsize=4096)  # one file gives thousands of records
def _source_file_iri(base: str, file: str) -> str:
    return f"{base}source/{encode(slug(file) or 'input')}-{short_hash(file)[:6]}"
