"""The entity pages: a work, a person, a venue, a concept. Each builder takes
the :class:`kg.site.data.SiteData` and an IRI and returns the page's path and HTML."""

from __future__ import annotations

import urllib.parse
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .bars import year_bars_svg
from .data import SiteData, WorkData
from .network import network_svg
from .paths import href, page_path, root
from .render import render

RELATED = 10
RELATED_MAX_WORKS = 200
"""Related works come through concepts shared by at most this many works
(broad concepts relate everything to everything, and cost the most)."""
NETWORK_MAX = 60
"""People drawn in a co-author network; the rest are in its table."""
CHART_MIN_YEARS = 3
"""A works-per-year chart is drawn from this many distinct years on; fewer are a table only."""


class Pages:
    """Links and labels shared by every page of one site."""

    def __init__(self, data: SiteData, base: str) -> None:
        self.data = data
        self.base = base
        self._paths: dict[str, str] = {}

    def path(self, iri: str) -> str:
        found = self._paths.get(iri)
        if found is None:
            found = self._paths[iri] = page_path(iri, self.base)
        return found

    def has_page(self, iri: str | None) -> bool:
        d = self.data
        return iri is not None and (iri in d.works or iri in d.people or iri in d.venues or iri in d.concepts)

    def link(self, here: str, iri: str | None) -> str | None:
        return href(here, self.path(iri)) if self.has_page(iri) else None

    def label(self, iri: str) -> str:
        d = self.data
        if iri in d.works:
            return work_label(d.works[iri])
        for table, attr in ((d.people, "name"), (d.venues, "title"), (d.concepts, "label")):
            if iri in table:
                return getattr(table[iri], attr)
        return iri

    def page(self, template: str, here: str, title: str, **context) -> tuple[str, str]:
        top = root(here)
        return here, render(template, root=top, here=here, title=title, **context)

    def source(self, here: str, query: str, run: str | None = None, **params: str) -> dict:
        """Where a table or chart came from: the query it was cut from, and the
        one-entity query a visitor can run on `kg serve` for the same answer."""
        top = root(here)
        out = {"query": query, "href": f"{top}queries/{query}.html", "run": None, "run_name": run}
        if run:
            out["run_href"] = f"{top}queries/{run}.html"
            out["run"] = f"{top}run/{run}?" + urllib.parse.urlencode(sorted(params.items()))
        return out

    def works_rows(self, here: str, iris: Iterable[str], position_of: str | None = None) -> list[dict]:
        """Works newest first; with ``position_of`` (a person), their place in each author list."""
        rows = []
        for w in newest_first(self.data.works[i] for i in iris):
            row = {"href": self.link(here, w.iri), "label": work_label(w), "year": w.year or "",
                   "venue": self.label(w.venue) if w.venue else "", "venue_href": self.link(here, w.venue)}
            if position_of:
                row["position"] = ", ".join(str(a.position) for a in w.authors if a.person == position_of)
            rows.append(row)
        return rows

    def year_chart(self, counts: Counter, title: str) -> dict:
        rows = sorted(counts.items())
        chart = year_bars_svg(rows, title) if len(rows) >= CHART_MIN_YEARS else None
        return {"svg": chart, "title": title, "rows": rows}

    def network(self, here: str, names: dict[str, str], edges: list[tuple[str, str, int]], title: str, centre: str | None = None) -> dict:
        weight = Counter()
        for a, b, n in edges:
            weight[a] += n
            weight[b] += n
        keep = set(sorted(names, key=lambda p: (p != centre, -weight[p], names[p], p))[:NETWORK_MAX])
        drawn = {p: names[p] for p in keep}
        lines = [(a, b, n) for a, b, n in edges if a in keep and b in keep]
        links = {p: self.link(here, p) for p in drawn if self.has_page(p)}
        picture = network_svg(drawn, lines, title=title, centre=centre, links=links) if len(drawn) > 1 else None
        table = [{"a": names[a], "a_href": self.link(here, a), "b": names[b], "b_href": self.link(here, b), "works": n}
                 for a, b, n in sorted(edges, key=lambda e: (-e[2], names[e[0]], names[e[1]]))]
        return {"svg": picture, "title": title, "rows": table, "shown": len(drawn), "total": len(names)}


def newest_first(works: Iterable[WorkData]) -> list[WorkData]:
    return sorted(works, key=lambda w: (-(int(w.year) if (w.year or "").isdigit() else 0), work_label(w), w.iri))


@dataclass
class Tally:
    """What a set of works adds up to: people, concepts, venues and years, by works."""

    people: Counter
    concepts: Counter
    venues: Counter
    years: Counter


def tally(data: SiteData, works: Iterable[str]) -> Tally:
    out = Tally(Counter(), Counter(), Counter(), Counter())
    for w in works:
        work = data.works[w]
        out.people.update({a.person for a in work.authors if a.person})
        out.concepts.update({t.concept for t in work.tags})
        if work.venue:
            out.venues[work.venue] += 1
        if work.year:
            out.years[work.year] += 1
    return out


def work_label(work: WorkData) -> str:
    if work.title:
        return work.title
    first = work.authors[0].name or work.authors[0].printed if work.authors else None
    return f"Untitled work ({first or 'unknown author'}, {work.year or 'no year'})"


def work_page(pages: Pages, iri: str) -> tuple[str, str]:
    data = pages.data
    work = data.works[iri]
    here = pages.path(iri)
    authors = [
        {"position": a.position, "printed": a.printed or a.name or "", "name": a.name, "href": pages.link(here, a.person),
         "orcid": a.orcid}
        for a in work.authors
    ]
    concepts = [
        {"label": t.label, "href": pages.link(here, t.concept), "curated": t.curated, "score": t.score,
         "method": t.method, "matched": t.matched, "field": t.field}
        for t in sorted(work.tags, key=lambda t: (not t.curated, -(t.score or 0), t.label))
    ]
    related = Counter()
    for tag in work.tags:
        members = data.concepts[tag.concept].works if tag.concept in data.concepts else []
        if len(members) <= RELATED_MAX_WORKS:
            related.update(m for m in members if m != iri)
    ranked = sorted(related.items(), key=lambda kv: (-kv[1], work_label(data.works[kv[0]]), kv[0]))[:RELATED]
    related_rows = [{"href": pages.link(here, w), "label": work_label(data.works[w]), "year": data.works[w].year or "",
                     "shared": n} for w, n in ranked]
    pages_text = "–".join(p for p in (work.start, work.end) if p)
    return pages.page(
        "work.html", here, work_label(work),
        work=work, iri=iri, kind=(work.type or "").rsplit("/", 1)[-1].rsplit("#", 1)[-1],
        venue=pages.label(work.venue) if work.venue else None, venue_href=pages.link(here, work.venue),
        pages_text=pages_text, authors=authors, concepts=concepts, related=related_rows,
        merges=data.merges.get(iri, []), doi_href=f"https://doi.org/{urllib.parse.quote(work.doi, safe='/:;()')}" if work.doi else None,
        src_details=pages.source(here, "site-works", "work-details", work=iri),
        src_authors=pages.source(here, "site-authorships", "work-authors", work=iri),
        src_concepts=pages.source(here, "site-assignments"),
        src_sources=pages.source(here, "site-sources"),
        src_abstract=pages.source(here, "site-abstracts"),
        src_merges=pages.source(here, "curation-merges", "curation-merges", kind="work"),
        src_related=pages.source(here, "site-assignments", "work-related", work=iri),
        related_cap=RELATED_MAX_WORKS,
    )


def _coauthorship(data: SiteData, works: Iterable[str]) -> tuple[dict[str, str], list[tuple[str, str, int]]]:
    """The people of ``works`` and how many of them each pair wrote together."""
    names: dict[str, str] = {}
    pairs: Counter = Counter()
    for w in works:
        people = sorted({a.person for a in data.works[w].authors if a.person})
        for p in people:
            names[p] = data.people[p].name if p in data.people else p
        for i, a in enumerate(people):
            for b in people[i + 1:]:
                pairs[(a, b)] += 1
    return names, [(a, b, n) for (a, b), n in sorted(pairs.items())]


def person_page(pages: Pages, iri: str) -> tuple[str, str]:
    data = pages.data
    person = data.people[iri]
    here = pages.path(iri)
    counts = tally(data, person.works)
    del counts.people[iri]
    names, edges = _coauthorship(data, person.works)
    return pages.page(
        "person.html", here, person.name,
        person=person, iri=iri, works=pages.works_rows(here, person.works, position_of=iri),
        per_year=pages.year_chart(counts.years, f"Works per year of {person.name}"),
        coauthors=_counted(pages, here, counts.people), concepts=_counted(pages, here, counts.concepts),
        venues=_counted(pages, here, counts.venues),
        network=pages.network(here, names, edges, f"Co-authors of {person.name}", centre=iri) if len(names) > 1 else None,
        src_works=pages.source(here, "site-authorships", "author-works", author=iri),
        src_years=pages.source(here, "site-works", "author-works-per-year", author=iri),
        src_coauthors=pages.source(here, "site-authorships", "author-coauthors", author=iri),
        src_concepts=pages.source(here, "site-assignments", "author-concepts", author=iri),
        src_venues=pages.source(here, "site-works", "author-venues", author=iri),
    )


def _counted(pages: Pages, here: str, counts: Counter) -> list[dict]:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], pages.label(kv[0]), kv[0]))
    return [{"label": pages.label(i), "href": pages.link(here, i), "works": n} for i, n in ranked]


def venue_page(pages: Pages, iri: str) -> tuple[str, str]:
    data = pages.data
    venue = data.venues[iri]
    here = pages.path(iri)
    counts = tally(data, venue.works)
    return pages.page(
        "venue.html", here, venue.title,
        venue=venue, iri=iri, works=pages.works_rows(here, venue.works),
        per_year=pages.year_chart(counts.years, f"Works per year in {venue.title}"),
        authors=_counted(pages, here, counts.people)[:50], concepts=_counted(pages, here, counts.concepts)[:50],
        src_works=pages.source(here, "site-works", "venue-works", venue=iri),
        src_authors=pages.source(here, "site-authorships", "venue-authors", venue=iri),
        src_concepts=pages.source(here, "site-assignments", "venue-concepts-per-year", venue=iri),
    )


def concept_page(pages: Pages, iri: str) -> tuple[str, str]:
    data = pages.data
    concept = data.concepts[iri]
    here = pages.path(iri)
    within = _narrower_closure(data, iri)
    works = sorted({w for c in within for w in data.concepts[c].works})
    counts = tally(data, works)
    cooccurring: Counter = Counter()
    for a, b, n in data.pairs:
        if a == iri:
            cooccurring[b] = n
        elif b == iri:
            cooccurring[a] = n
    names, edges = _coauthorship(data, works)
    return pages.page(
        "concept.html", here, concept.label,
        concept=concept, iri=iri,
        broader=[{"label": pages.label(b), "href": pages.link(here, b)} for b in sorted(concept.broader, key=pages.label)],
        narrower=[{"label": pages.label(n), "href": pages.link(here, n)} for n in sorted(concept.narrower, key=pages.label)],
        works=pages.works_rows(here, works)[:200], works_total=len(works), direct=len(concept.works),
        per_year=pages.year_chart(counts.years, f"Works per year on {concept.label}"),
        cooccurring=_counted(pages, here, cooccurring)[:30], authors=_counted(pages, here, counts.people)[:50],
        network=pages.network(here, names, edges, f"Co-authors writing on {concept.label}") if len(names) > 1 else None,
        src_works=pages.source(here, "site-assignments", "concept-works", concept=iri),
        src_years=pages.source(here, "site-works", "concept-works-per-year", concept=iri),
        src_cooccurring=pages.source(here, "site-concept-pairs", "concept-cooccurring", concept=iri),
        src_authors=pages.source(here, "site-authorships", "concept-authors", concept=iri),
        src_network=pages.source(here, "site-authorships", "concept-coauthor-graph", concept=iri),
        src_scheme=pages.source(here, "site-concepts"),
    )


def _narrower_closure(data: SiteData, iri: str) -> list[str]:
    seen, todo = {iri}, [iri]
    while todo:
        for n in data.concepts[todo.pop()].narrower:
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return sorted(seen)
