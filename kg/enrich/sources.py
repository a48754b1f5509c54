"""The requests `kg enrich` sends to Crossref and OpenAlex for one work, and the works they return.

- Crossref: ``/works/{doi}`` when the work has a DOI; otherwise
  ``/works?query.bibliographic=…&filter=from-pub-date:Y,until-pub-date:Y&rows=5``.
- OpenAlex: ``/works/doi:{doi}``; otherwise ``/works?filter=publication_year:Y,
  biblio.volume:V,biblio.first_page:P&search=…&per-page=5``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from ..model import Problem, Record
from ..read.crossref import build_any
from .found import Found, works_in
from .http import Answer, Client

CROSSREF_URL = "https://api.crossref.org"
OPENALEX_URL = "https://api.openalex.org"
BASE_URLS = {"crossref": CROSSREF_URL, "openalex": OPENALEX_URL}
RATES = {"crossref": 5.0, "openalex": 8.0}
"""Requests a second before the service says otherwise: Crossref's polite pool
publishes its limit in headers (followed when lower); OpenAlex allows 100."""
ROWS = 5


@dataclass(frozen=True)
class Lookup:
    """What the service gave for one work: candidates, or why it could not say."""

    found: tuple[Found, ...] = ()
    error: str = ""
    requests: tuple[str, ...] = ()
    """The requests sent to the service (none when answered from the cache)."""
    uncached: bool = False
    """Offline, and the answer is not in the cache."""


def crossref_request(record: Record) -> tuple[str, dict[str, str]] | None:
    if record.doi:
        return f"/works/{quote(record.doi, safe='/:;()')}", {}
    words = [record.title or ""]
    words += [a.family or a.name for a in record.authors[:3]]
    words += [record.venue.title if record.venue and record.venue.title else "", record.volume or "", record.first_page or ""]
    query = " ".join(w for w in words if w).strip()
    if not query or record.year is None:
        return None
    year = str(record.year)
    return "/works", {"query.bibliographic": query, "filter": f"from-pub-date:{year},until-pub-date:{year}",
                      "rows": str(ROWS)}


def openalex_request(record: Record) -> tuple[str, dict[str, str]] | None:
    if record.doi:
        return f"/works/doi:{quote(record.doi, safe='/:;()')}", {}
    if record.year is None:
        return None
    filters = [f"publication_year:{record.year}"]
    if record.volume:
        filters.append(f"biblio.volume:{record.volume}")
    if record.first_page:
        filters.append(f"biblio.first_page:{record.first_page}")
    first = record.authors[0] if record.authors else None
    search = record.title or ((first.family or first.name) if first else "")
    if len(filters) == 1 and not search:
        return None
    params = {"filter": ",".join(f.replace(",", " ") for f in filters), "per-page": str(ROWS)}
    if search:
        params["search"] = search.replace(",", " ")
    return "/works", params


REQUESTS = {"crossref": crossref_request, "openalex": openalex_request}


def found_in(answer: Answer) -> list[Found]:
    found = []
    for index, work in enumerate(works_in(answer.body), start=1):
        problems: list[Problem] = []
        try:
            record = build_any(work, index, answer.url, problems)
        except (TypeError, AttributeError, ValueError, ArithmeticError):
            continue  # a malformed work is no candidate
        found.append(Found.of(work, record, answer.retrieved, origin=answer.url))
    return found


def look_up(client: Client, source: str, record: Record) -> Lookup:
    """Ask ``source`` about the work ``record`` describes."""
    request = REQUESTS[source](record)
    if request is None:
        return Lookup()
    answer = client.get(*request)
    sent = () if answer.cached or client.offline else (answer.url,)
    if client.offline and not answer.cached:
        return Lookup(uncached=True)
    if answer.status == 404:
        return Lookup(requests=sent)
    if answer.status != 200:
        return Lookup(error=f"{answer.url}: {answer.error or f'HTTP {answer.status}'}", requests=sent)
    return Lookup(tuple(found_in(answer)), requests=sent)
