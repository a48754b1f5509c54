"""Reader for CSL-JSON and Crossref REST API JSON.

Accepted shapes: one CSL item (``{...}``), a list of items (``[{...}, ...]``),
a Crossref work (``{"status": "ok", "message": {...}}``) and a Crossref work
list (``{"message": {"items": [...]}}``).

JSON has no useful line numbers: ``SourceRef.line`` and ``Problem.line`` are
the 1-based index of the item in its list (1 for a single item), except for
JSON that does not parse: its Problem gives the line and column of the error.

Quirks handled: Crossref gives ``title`` and ``container-title`` as lists
and CSL as strings; Crossref abstracts are JATS (``<jats:p>``) and DataCite
ones HTML, both stripped; ``ISSN`` is a string or a list, and Crossref's
``issn-type`` says which is print and which electronic; types come in both
vocabularies (CSL ``article-journal``, Crossref ``journal-article``); dates
are taken from ``issued``, then ``published-print``/``published-online``;
Crossref's ``article-number`` stands in for a missing page.
"""

from __future__ import annotations

import json
import re

from .abstracts import split_structured_abstract
from .identifiers import (
    find_issns,
    missing_identity,
    normalise_doi,
    normalise_orcid,
    normalise_pmcid,
    parse_date,
    split_pages,
    strip_markup,
    year_problem,
)
from ..model import Author, Problem, ReadResult, Record, SourceRef, Venue
from ..text import first_line
from .names import make_author, make_author_from_parts
from .headings import collect_headings, is_mesh_like, split_heading

FORMAT = "csl-json"

DOC_TYPES = {
    # CSL
    "article-journal": "journal-article",
    "chapter": "book-chapter",
    "book": "book",
    "paper-conference": "conference-paper",
    "thesis": "thesis",
    "article": "preprint",  # CSL 1.0.2: "preprint, working paper"
    # Crossref
    "journal-article": "journal-article",
    "book-chapter": "book-chapter",
    "book-section": "book-chapter",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "proceedings-article": "conference-paper",
    "dissertation": "thesis",
    "posted-content": "preprint",
}


def read_json(text: str, file: str, items_of, build) -> ReadResult:
    """Parse ``text`` and read the items ``items_of(data)`` finds with ``build``;
    JSON that does not parse is the whole file skipped, at the line and
    column where it broke."""
    result = ReadResult()
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        result.skip(file, exc.lineno, f"not valid JSON: {exc.msg}", column=exc.colno)
        return result
    except (ValueError, RecursionError) as exc:  # an integer of 4300+ digits, nesting too deep
        result.skip(file, 0, f"unreadable JSON: {first_line(exc)}")
        return result
    return read_items(items_of(data), file, build)


def unwrap_crossref(data: object) -> object:
    """The item or item list inside a Crossref envelope; other data unchanged."""
    if isinstance(data, dict) and isinstance(data.get("message"), dict):
        message = data["message"]
        return message["items"] if isinstance(message.get("items"), list) else message
    return data


def _first_string(value: object) -> str | None:
    """A string, or the first string of a list (Crossref wraps titles in lists)."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if isinstance(value, (str, int)):
        text = str(value).strip()
        return text or None
    return None


def _authors(item: dict) -> tuple[Author, ...]:
    authors = []
    for person in item.get("author") or []:
        if not isinstance(person, dict):
            continue
        orcid = normalise_orcid(person.get("ORCID") or person.get("orcid"))
        affiliations = tuple(
            a["name"].strip()
            for a in person.get("affiliation") or []
            if isinstance(a, dict) and isinstance(a.get("name"), str) and a["name"].strip()
        )
        if person.get("family") or person.get("given"):
            family = " ".join(str(p) for p in (person.get("non-dropping-particle"), person.get("family")) if p)
            authors.append(make_author_from_parts(family or None, person.get("given"), orcid, affiliations))
        elif person.get("literal") or person.get("name"):
            authors.append(make_author(person.get("literal") or person.get("name"), orcid, affiliations))
    return tuple(authors)


def _issns(item: dict) -> tuple[str | None, str | None, bool]:
    """(print ISSN, electronic ISSN, typed); Crossref's ``issn-type`` decides when given."""
    typed = {
        entry.get("type"): entry.get("value")
        for entry in item.get("issn-type") or []
        if isinstance(entry, dict)
    }
    if typed:
        return (find_issns(typed.get("print")) or [None])[0], (find_issns(typed.get("electronic")) or [None])[0], True
    raw = item.get("ISSN")
    values = raw if isinstance(raw, list) else [raw]
    found: list[str] = []
    for value in values:
        if isinstance(value, str):
            found.extend(i for i in find_issns(value) if i not in found)
    return (found[0] if found else None), (found[1] if len(found) > 1 else None), False


def _given(value: object) -> bool:
    """True when a JSON value holds something other than nulls and empty
    strings (Crossref writes an unknown date as ``{"date-parts": [[null]]}``)."""
    stack = [value]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif value is not None and value != "":
            return True
    return False


def _date(item: dict, index: int, file: str, problems: list[Problem]) -> tuple[int | None, str | None]:
    for key in ("issued", "published-print", "published-online", "published"):
        raw = item.get(key)
        if not _given(raw):
            continue
        year, date = parse_date(raw)
        if year:
            return year, date
        problems.append(year_problem(file, index, key, raw))
    return None, None


def _keywords(item: dict) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(keywords, subject_headings, major_headings) from ``keyword``: CSL has one
    field for both, so a value marked as MeSH (``*``, a ``/qualifier``, a check
    tag such as ``Humans``: Zotero's PubMed tags) is a subject heading."""
    raw = item.get("keyword")
    # Split on the separators alone (the values are stripped below): "\s*[,;]\s*" is
    # quadratic on a long run of spaces.
    values = raw if isinstance(raw, list) else re.split(r"[,;]", raw) if isinstance(raw, str) else []
    keywords: dict[str, None] = {}
    pairs = []
    for value in values:
        if isinstance(value, str) and value.strip():
            if is_mesh_like(value):
                pairs.append(split_heading(value))
            else:
                keywords.setdefault(value.strip(), None)
    return (tuple(keywords), *collect_headings(pairs))


def _identifiers(item: dict) -> tuple[tuple[str, str], ...]:
    found = []
    pmid = _first_string(item.get("PMID"))
    if pmid and pmid.isdigit():
        found.append(("pmid", pmid))
    pmcid = normalise_pmcid(_first_string(item.get("PMCID")))
    if pmcid:
        found.append(("pmcid", pmcid))
    return tuple(found)


def build_record(item: dict, index: int, file: str, problems: list[Problem]) -> Record:
    first_page, last_page = split_pages(_first_string(item.get("page")))
    if first_page is None:
        first_page = _first_string(item.get("article-number"))
    issn, eissn, typed = _issns(item)
    venue_title = strip_markup(_first_string(item.get("container-title")))
    publisher = _first_string(item.get("publisher"))
    venue = Venue(venue_title, issn, eissn, publisher, typed) if (venue_title or issn or eissn or publisher) else None
    raw_doi = _first_string(item.get("DOI"))
    doi = normalise_doi(raw_doi)
    if raw_doi and not doi:
        problems.append(Problem(file, index, "DOI field holds no DOI; ignored", raw_doi))
    abstract = strip_markup(_first_string(item.get("abstract")))
    sections: tuple = ()
    if abstract:
        abstract, sections = split_structured_abstract(abstract) or (abstract, ())
    year, date = _date(item, index, file, problems)
    keywords, subject_headings, major_headings = _keywords(item)
    return Record(
        source=SourceRef(file, index, FORMAT, label=_first_string(item.get("source")) or ""),
        title=strip_markup(_first_string(item.get("title"))),
        doc_type=DOC_TYPES.get(str(item.get("type") or "").lower()),
        year=year,
        date=date,
        volume=_first_string(item.get("volume")),
        issue=_first_string(item.get("issue")),
        first_page=first_page,
        last_page=last_page,
        doi=doi,
        authors=_authors(item),
        abstract=abstract,
        abstract_sections=sections,
        venue=venue,
        keywords=keywords,
        subject_headings=subject_headings,
        major_headings=major_headings,
        identifiers=_identifiers(item),
    )


def read_items(items: list, file: str, build, lines: list[int] | None = None) -> ReadResult:
    """Build a record from each dict in ``items``; anything else is skipped.
    Each item is numbered by its index, or by its line in ``lines`` (JSON Lines)."""
    result = ReadResult()
    for index, item in zip(lines or range(1, len(items) + 1), items):
        if not isinstance(item, dict):
            result.skip(file, index, f"item {index} is a JSON {type(item).__name__}, not an object")
            continue
        problems: list[Problem] = []
        try:
            record = build(item, index, file, problems)
        except (TypeError, AttributeError, ValueError, ArithmeticError, RecursionError) as exc:
            # JSON lets any field hold any type; an item whose fields are not
            # the types its format defines is unusable, not a reason to stop.
            result.skip(file, index, f"item {index} has a field of the wrong type ({exc})")
            continue
        reason = missing_identity(record)
        result.keep(record, problems, skip_reason=reason and f"item {index}: {reason}", line=index)
    return result


def read_csl_json(text: str, file: str) -> ReadResult:
    """Read CSL-JSON or Crossref API JSON; see the module docstring."""
    return read_json(text, file, _items, build_record)


def _items(data: object) -> list:
    data = unwrap_crossref(data)
    return data if isinstance(data, list) else [data]


def starts_like_json(head: str) -> bool:
    """True when the text opens a JSON object or array (after a BOM or spaces)."""
    return head.lstrip("\ufeff \t\n").startswith(("{", "["))


def looks_like_csl_json(head: str, path: str) -> bool:
    """JSON whose first keys are CSL or Crossref ones."""
    if not starts_like_json(head):
        return False
    return re.search(r'"(?:message-type|container-title|DOI|issued|author|type|title)"\s*:', head) is not None
