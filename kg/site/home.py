"""The site-wide pages: home, curation, the lists, search and one page per named query."""

from __future__ import annotations

import json
from collections import Counter

from ..query.registry import NamedQuery
from .charts import cooccurrence_cells, heatmap, svg, top_bars, year_bars
from .pages import Pages, newest_first, work_label
from .paths import root

TOP = 10
LIST_PAGE = 1000
"""Rows on one page of a list (works, people, venues)."""


def home_page(pages: Pages, report: dict | None) -> tuple[str, str]:
    data = pages.data
    here = "index.html"
    years = Counter(w.year for w in data.works.values() if w.year)
    concepts = sorted(((c.iri, len(c.works)) for c in data.concepts.values() if c.works), key=lambda kv: (-kv[1], pages.label(kv[0])))[:TOP]
    venues = sorted(((v.iri, len(v.works)) for v in data.venues.values()), key=lambda kv: (-kv[1], pages.label(kv[0])))[:TOP]
    authors = sorted(((p.iri, len(p.works)) for p in data.people.values()), key=lambda kv: (-kv[1], pages.label(kv[0]), kv[0]))[:TOP]
    latest = newest_first(data.works.values())[:TOP]
    labels = {c.iri: c.label for c in data.concepts.values()}
    cells = cooccurrence_cells([(labels.get(a, a), labels.get(b, b), n) for a, b, n in data.pairs], 20)
    counts = [
        ("works", len(data.works)), ("people", len(data.people)), ("venues", len(data.venues)),
        ("concepts", len(data.concepts)), ("source files", len({s[0] for w in data.works.values() for s in w.sources})),
        ("triples", data.summary.get("triples", 0)),
    ]

    def ranked(rows):
        return [{"label": pages.label(i), "href": pages.link(here, i), "works": n} for i, n in rows]

    return pages.page(
        "home.html", here, "The graph at a glance",
        counts=counts,
        per_year={"svg": svg(year_bars(sorted(years.items()), "Works per year")) if years else None,
                  "title": "Works per year", "rows": sorted(years.items())},
        concepts=ranked(concepts), venues=ranked(venues), authors=ranked(authors),
        concepts_svg=svg(top_bars([(pages.label(i), n) for i, n in concepts], "Top concepts", "concept")) if concepts else None,
        heatmap_svg=svg(heatmap(cells, "Concepts that occur together")) if cells else None, cells=cells,
        latest=pages.works_rows(here, [w.iri for w in latest]),
        report=report,
        src_counts=pages.source(here, "graph-summary"),
        src_years=pages.source(here, "site-works", "works-per-year"),
        src_concepts=pages.source(here, "site-assignments", "concept-list"),
        src_pairs=pages.source(here, "site-concept-pairs"),
        src_venues=pages.source(here, "site-works"),
        src_authors=pages.source(here, "site-authorships", "top-authors"),
        src_latest=pages.source(here, "site-works"),
    )


def curation_page(pages: Pages) -> tuple[str, str]:
    here = "curation.html"
    tables = []
    for table in pages.data.curation:
        rows = [[_cell(pages, here, value) for value in row] for row in table.rows]
        tables.append({"title": table.title, "columns": table.columns, "rows": rows, "total": table.total,
                       "shown": len(rows), "src": pages.source(here, table.query, table.query)})
    return pages.page("curation.html", here, "Curation", tables=tables)


def _cell(pages: Pages, here: str, value) -> dict:
    if isinstance(value, str) and pages.has_page(value):
        return {"text": pages.label(value), "href": pages.link(here, value)}
    if isinstance(value, float):
        return {"text": f"{value:g}", "href": None}
    return {"text": "" if value is None else str(value), "href": None}


def list_pages(pages: Pages) -> list[tuple[str, str]]:
    """Every work, person, venue and concept, in pages of :data:`LIST_PAGE` rows."""
    data = pages.data
    kinds = [
        ("works", "Works", sorted(data.works, key=lambda i: (work_label(data.works[i]).casefold(), i))),
        ("people", "People", sorted(data.people, key=lambda i: (data.people[i].name.casefold(), i))),
        ("venues", "Venues", sorted(data.venues, key=lambda i: (data.venues[i].title.casefold(), i))),
        ("concepts", "Concepts", sorted(data.concepts, key=lambda i: (data.concepts[i].label.casefold(), i))),
    ]
    out = []
    for key, title, iris in kinds:
        chunks = [iris[i:i + LIST_PAGE] for i in range(0, len(iris), LIST_PAGE)] or [[]]
        for number, chunk in enumerate(chunks, start=1):
            here = f"list/{key}-{number}.html"
            rows = [{"label": pages.label(i), "href": pages.link(here, i)} for i in chunk]
            nav = [{"number": n, "href": f"{key}-{n}.html", "current": n == number} for n in range(1, len(chunks) + 1)]
            out.append(pages.page("list.html", here, f"{title} ({len(iris)})" + (f", page {number}" if len(chunks) > 1 else ""),
                                  rows=rows, nav=nav if len(chunks) > 1 else [], total=len(iris)))
    return out


def search_page(pages: Pages) -> tuple[str, str]:
    return pages.page("search.html", "search.html", "Search")


def search_index(pages: Pages) -> str:
    """The client-side index: a script that sets ``KG_SEARCH`` to [kind, label, path] rows."""
    data = pages.data
    rows = [["work", work_label(w), pages.path(w.iri)] for w in data.works.values()]
    rows += [["person", p.name, pages.path(p.iri)] for p in data.people.values()]
    rows += [["venue", v.title, pages.path(v.iri)] for v in data.venues.values()]
    rows += [["concept", c.label, pages.path(c.iri)] for c in data.concepts.values()]
    rows.sort()
    return "window.KG_SEARCH = " + json.dumps(rows, ensure_ascii=False, separators=(",", ":")) + ";\n"


def query_page(pages: Pages, query: NamedQuery) -> tuple[str, str]:
    here = f"queries/{query.name}.html"
    return pages.page("query.html", here, query.title or query.name, query=query, top=root(here))
