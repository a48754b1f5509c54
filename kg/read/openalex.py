"""Reader for OpenAlex work JSON.

Accepted shapes: one work (``{"id": "https://openalex.org/W...", ...}``), a
list of works, and the API's ``{"meta": ..., "results": [...]}`` envelope.
``SourceRef.line`` and ``Problem.line`` are the 1-based index of the work in
its list (1 for a single work): JSON has no useful line numbers.

Quirks handled: the abstract exists only as ``abstract_inverted_index``
(word -> positions) and is rebuilt; DOIs, ORCIDs, PMIDs and PMCIDs are URLs;
the venue is ``primary_location.source`` (older dumps: ``host_venue``);
OpenAlex lists a journal's ISSNs without saying which is print, so ``issn``
is the linking ISSN (``issn_l``) and ``eissn`` stays empty. OpenAlex has no
author keywords, so ``keywords`` stays empty: subject headings are the MeSH
descriptors (``mesh[].descriptor_name``, major when ``is_major_topic`` on any
of its rows), then OpenAlex's own ``keywords`` and ``topics``. The legacy
machine ``concepts`` are left out: scored guesses, many of them wrong
("Schizophrenia (object-oriented programming)").
"""

from __future__ import annotations

import re

from .abstracts import split_structured_abstract
from .identifiers import (
    find_issns,
    normalise_doi,
    normalise_orcid,
    normalise_pmcid,
    parse_date,
    plausible_year,
    split_pages,
    strip_markup,
    year_problem,
)
from ..model import Author, Problem, ReadResult, Record, SourceRef, Venue
from .names import make_author
from .csljson import read_json, starts_like_json
from .headings import collect_headings

FORMAT = "openalex"

DOC_TYPES = {
    "article": "journal-article",
    "journal-article": "journal-article",
    "review": "journal-article",
    "letter": "journal-article",
    "editorial": "journal-article",
    "book-chapter": "book-chapter",
    "book": "book",
    "monograph": "book",
    "dissertation": "thesis",
    "preprint": "preprint",
    "posted-content": "preprint",
    "proceedings-article": "conference-paper",
}


def rebuild_abstract(inverted: object) -> str | None:
    """Text from OpenAlex's {word: [positions]} index."""
    if not isinstance(inverted, dict) or not inverted:
        return None
    positions: dict[int, str] = {}
    for word, places in inverted.items():
        for place in places if isinstance(places, list) else []:
            if isinstance(place, int):
                positions[place] = word
    return " ".join(positions[i] for i in sorted(positions)) or None


def _string(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _id_tail(value: object) -> str | None:
    """``https://pubmed.ncbi.nlm.nih.gov/30091375`` -> ``30091375``."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value.rstrip("/").rsplit("/", 1)[-1]


def _authors(work: dict) -> tuple[Author, ...]:
    authors = []
    for authorship in work.get("authorships") or []:
        if not isinstance(authorship, dict):
            continue
        person = authorship.get("author") if isinstance(authorship.get("author"), dict) else {}
        name = person.get("display_name") or authorship.get("raw_author_name")
        if not name:
            continue
        affiliations: list[str] = []
        raw = authorship.get("raw_affiliation_strings") or [authorship.get("raw_affiliation_string")]
        for value in raw:
            if isinstance(value, str) and value.strip() and value.strip() not in affiliations:
                affiliations.append(value.strip())
        if not affiliations:
            affiliations = [
                i["display_name"] for i in authorship.get("institutions") or []
                if isinstance(i, dict) and isinstance(i.get("display_name"), str) and i["display_name"]
            ]
        authors.append(make_author(name, normalise_orcid(person.get("orcid")), tuple(affiliations)))
    return tuple(authors)


def _venue(work: dict) -> Venue | None:
    location = work.get("primary_location") or {}
    source = location.get("source") if isinstance(location, dict) else None
    if isinstance(source, dict):
        title = source.get("display_name")
        issn_l = source.get("issn_l")
        issns = source.get("issn") or []
        publisher = source.get("host_organization_name")
    else:
        venue = work.get("host_venue") or {}
        title, issn_l, issns, publisher = (
            venue.get("display_name"), venue.get("issn_l"), venue.get("issn") or [], venue.get("publisher"),
        )
    title, publisher = _string(title), _string(publisher)
    issn = (find_issns(_string(issn_l)) or [None])[0]
    if issn is None:
        for value in issns if isinstance(issns, list) else []:
            issn = issn or (find_issns(_string(value)) or [None])[0]
    if not (title or issn or publisher):
        return None
    return Venue(title=title, issn=issn, eissn=None, publisher=publisher)


def _headings(work: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    pairs: list[tuple[str, bool]] = []
    for heading in work.get("mesh") or []:
        if isinstance(heading, dict) and isinstance(heading.get("descriptor_name"), str):
            pairs.append((heading["descriptor_name"].strip(), heading.get("is_major_topic") is True))
    for key in ("keywords", "topics"):
        for item in work.get(key) or []:
            name = item.get("display_name") if isinstance(item, dict) else item
            if isinstance(name, str) and name.strip():
                pairs.append((name.strip(), False))
    return collect_headings(pairs)


def _identifiers(work: dict) -> tuple[tuple[str, str], ...]:
    ids = work.get("ids") if isinstance(work.get("ids"), dict) else {}
    found = []
    openalex = _id_tail(work.get("id") or ids.get("openalex"))
    if openalex:
        found.append(("openalex", openalex))
    pmid = _id_tail(ids.get("pmid"))
    if pmid and pmid.isdigit():
        found.append(("pmid", pmid))
    pmcid = normalise_pmcid(_id_tail(ids.get("pmcid")))
    if pmcid:
        found.append(("pmcid", pmcid))
    return tuple(found)


def _doc_type(work: dict) -> str | None:
    kind = str(work.get("type") or "").lower()
    source = ((work.get("primary_location") or {}).get("source") or {}) if isinstance(work.get("primary_location"), dict) else {}
    if kind == "article" and isinstance(source, dict) and source.get("type") == "repository":
        return "preprint"
    return DOC_TYPES.get(kind)


def _date(work: dict, index: int, file: str, problems: list[Problem]) -> tuple[int | None, str | None]:
    """(year, date) from ``publication_year`` (an int) and ``publication_date``."""
    raw_year, raw_date = work.get("publication_year"), work.get("publication_date")
    year = raw_year if plausible_year(raw_year) else None
    if raw_year is not None and year is None:
        problems.append(year_problem(file, index, "publication_year", raw_year))
    date_year, date = parse_date(raw_date)
    if raw_date and date_year is None:
        problems.append(year_problem(file, index, "publication_date", raw_date))
    return year or date_year, date


def build_record(work: dict, index: int, file: str, problems: list[Problem]) -> Record:
    biblio = work.get("biblio") if isinstance(work.get("biblio"), dict) else {}
    biblio = {key: _string(value) for key, value in biblio.items()}
    first_page, last_page = biblio.get("first_page"), biblio.get("last_page")
    if first_page and not last_page:
        first_page, last_page = split_pages(first_page)
    elif first_page and last_page:
        # OpenAlex passes on abbreviated last pages (first 91, last 8 for 91-98).
        first_page, last_page = split_pages(f"{first_page}-{last_page}")
    year, date = _date(work, index, file, problems)
    raw_doi = work.get("doi") or (work.get("ids") or {}).get("doi")
    doi = normalise_doi(raw_doi) if isinstance(raw_doi, str) else None
    if raw_doi and not doi:
        problems.append(Problem(file, index, "doi holds no DOI; ignored", str(raw_doi)))
    abstract = strip_markup(rebuild_abstract(work.get("abstract_inverted_index")))
    sections: tuple = ()
    if abstract:
        abstract, sections = split_structured_abstract(abstract) or (abstract, ())
    subject_headings, major_headings = _headings(work)
    return Record(
        source=SourceRef(file, index, FORMAT, label="OpenAlex"),
        title=strip_markup(_string(work.get("title")) or _string(work.get("display_name"))),
        doc_type=_doc_type(work),
        year=year,
        date=date,
        volume=biblio.get("volume") or None,
        issue=biblio.get("issue") or None,
        first_page=first_page or None,
        last_page=last_page or None,
        doi=doi,
        authors=_authors(work),
        abstract=abstract,
        abstract_sections=sections,
        venue=_venue(work),
        identifiers=_identifiers(work),
        subject_headings=subject_headings,
        major_headings=major_headings,
    )


def read_openalex(text: str, file: str) -> ReadResult:
    """Read OpenAlex works JSON; see the module docstring."""
    return read_json(text, file, _items, build_record)


def _items(data: object) -> list:
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        data = data["results"]
    return data if isinstance(data, list) else [data]


def looks_like_openalex(head: str, path: str) -> bool:
    """JSON naming OpenAlex work IDs or OpenAlex-only keys."""
    if not starts_like_json(head):
        return False
    return re.search(r'"https://openalex\.org/W\d+|"(?:abstract_inverted_index|authorships|publication_year)"\s*:', head) is not None
