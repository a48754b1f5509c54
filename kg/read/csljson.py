"""Reader for CSL-JSON and Crossref REST API JSON.

Accepted shapes: one CSL item (``{...}``), a list of items (``[{...}, ...]``),
a Crossref work (``{"status": "ok", "message": {...}}``) and a Crossref work
list (``{"message": {"items": [...]}}``).

JSON has no useful line numbers: ``SourceRef.line`` and ``Problem.line`` are
the 1-based index of the item in its list (1 for a single item).

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
    parse_date,
    split_pages,
    strip_markup,
)
from ..model import Author, Problem, ReadResult, Record, SourceRef, Venue
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


def load_json(text: str, file: str) -> tuple[object, Problem | None]:
    """The parsed JSON, or a skipped Problem naming where it broke."""
    try:
        return json.loads(text.lstrip("\ufeff")), None
    except json.JSONDecodeError as exc:
        return None, Problem(file, exc.lineno, f"not valid JSON: {exc.msg}; skipped", skipped=True)


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


def _date(item: dict) -> tuple[int | None, str | None]:
    for key in ("issued", "published-print", "published-online", "published"):
        year, date = parse_date(item.get(key))
        if year:
            return year, date
    return None, None


def _keywords(item: dict) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(keywords, subject_headings, major_headings) from ``keyword``: CSL has one
    field for both, so a value marked as MeSH (``*``, a ``/qualifier``, a check
    tag such as ``Humans``: Zotero's PubMed tags) is a subject heading."""
    raw = item.get("keyword")
    values = raw if isinstance(raw, list) else re.split(r"\s*[,;]\s*", raw) if isinstance(raw, str) else []
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
    pmcid = _first_string(item.get("PMCID"))
    if pmcid:
        found.append(("pmcid", pmcid.upper() if pmcid.upper().startswith("PMC") else f"PMC{pmcid}"))
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
    year, date = _date(item)
    keywords, subject_headings, major_headings = _keywords(item)
    return Record(
        source=SourceRef(file, index, FORMAT),
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


def read_items(items: list, file: str, build) -> ReadResult:
    """Build a record from each dict in ``items``; anything else is skipped."""
    result = ReadResult()
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            result.problems.append(
                Problem(file, index, f"item {index} is a JSON {type(item).__name__}, not an object; skipped", skipped=True)
            )
            continue
        problems: list[Problem] = []
        try:
            record = build(item, index, file, problems)
        except (TypeError, AttributeError, ValueError) as exc:
            # JSON lets any field hold any type; an item whose fields are not
            # the types its format defines is unusable, not a reason to stop.
            reason = f"item {index} has a field of the wrong type ({exc}); skipped"
            result.problems.append(Problem(file, index, reason, skipped=True))
            continue
        reason = missing_identity(record)
        result.keep(record, problems, skip_reason=reason and f"item {index}: {reason}", line=index)
    return result


def read_csl_json(text: str, file: str) -> ReadResult:
    """Read CSL-JSON or Crossref API JSON; see the module docstring."""
    data, problem = load_json(text, file)
    if problem:
        return ReadResult(problems=[problem])
    data = unwrap_crossref(data)
    items = data if isinstance(data, list) else [data]
    return read_items(items, file, build_record)


def starts_like_json(head: str) -> bool:
    """True when the text opens a JSON object or array (after a BOM or spaces)."""
    return head.lstrip("\ufeff \t\n").startswith(("{", "["))


def looks_like_csl_json(head: str, path: str) -> bool:
    """JSON whose first keys are CSL or Crossref ones."""
    if not starts_like_json(head):
        return False
    return re.search(r'"(?:message-type|container-title|DOI|issued|author|type|title)"\s*:', head) is not None
