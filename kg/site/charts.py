"""Charts: Vega-Lite specs built with altair, drawn as SVG by vl-convert (no browser).

:data:`CHARTS` maps a chart name to a function ``(store, params) -> SVG
text``, where ``store`` is an open ``pyoxigraph.Store`` and ``params`` the
``-p NAME VALUE`` pairs as strings. `kg plot` draws these and the charts of
later stages (``overlap`` in :mod:`kg.review.overlap`): see
:func:`kg.cli.site.charts`.

The site draws the same pictures from rows it already holds, through the
spec builders below (:func:`year_bars`, :func:`heatmap`) and :func:`svg`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache

import altair as alt
import pyoxigraph as ox
import vl_convert

from ..errors import UsageError
from ..query.registry import get_query
from ..query.run import run_local
from ..query.results import plain_value
from .network import network_svg

Chart = Callable[[ox.Store, Mapping[str, str]], str]
"""A registered chart: an open store and the ``-p`` parameters in, SVG text out."""

ACCENT = "#1f5f8b"
WIDTH = 560


def svg(chart: alt.TopLevelMixin | dict) -> str:
    """The SVG of an altair chart or a Vega-Lite spec (a dict); the same spec
    always gives the same text, drawn once per process."""
    spec = chart if isinstance(chart, dict) else chart.to_dict()
    return _draw(json.dumps(spec, sort_keys=True))


@lru_cache(maxsize=4096)
def _draw(spec: str) -> str:
    return vl_convert.vegalite_to_svg(json.loads(spec))


def png(svg_text: str, scale: float = 2.0) -> bytes:
    """A PNG of SVG text, at ``scale`` times its size."""
    return vl_convert.svg_to_png(svg_text, scale=scale)


def year_bars(counts: Sequence[tuple[str, int]], title: str, width: int = WIDTH) -> alt.Chart:
    """Works per year as bars, every year between the first and the last shown."""
    years = {int(year): n for year, n in counts if str(year).isdigit()}
    values = [{"year": str(y), "works": years.get(y, 0)} for y in range(min(years), max(years) + 1)] if years else []
    return (
        alt.Chart(alt.Data(values=values), title=title, width=width, height=160)
        .mark_bar(color=ACCENT)
        .encode(
            x=alt.X("year:O", title="year", axis=alt.Axis(labelAngle=-45 if len(values) > 12 else 0)),
            y=alt.Y("works:Q", title="works", axis=alt.Axis(tickMinStep=1, format="d", tickCount=_ticks(values))),
            tooltip=["year:O", "works:Q"],
        )
    )


def _ticks(values: list[dict]) -> int:
    """Ticks on a count axis: one per whole number up to five."""
    return max(1, min(5, max((v["works"] for v in values), default=1)))


def top_bars(rows: Sequence[tuple[str, int]], title: str, label: str, width: int = 360) -> alt.Chart:
    """Horizontal bars, largest first (the order given)."""
    values = [{label: name, "works": n, "rank": i} for i, (name, n) in enumerate(rows)]
    return (
        alt.Chart(alt.Data(values=values), title=title, width=width, height=max(60, 18 * len(values)))
        .mark_bar(color=ACCENT)
        .encode(
            y=alt.Y(f"{label}:N", title=None, sort=alt.EncodingSortField("rank", order="ascending")),
            x=alt.X("works:Q", title="works", axis=alt.Axis(tickMinStep=1, format="d", tickCount=_ticks(values))),
            tooltip=[f"{label}:N", "works:Q"],
        )
    )


def heatmap(cells: Sequence[tuple[str, str, int]], title: str) -> alt.Chart:
    """Concept co-occurrence: a cell per pair of concepts, shaded by shared works."""
    values = [{"a": a, "b": b, "works": n} for a, b, n in cells]
    side = max(160, 16 * len({a for a, _, _ in cells}))
    return (
        alt.Chart(alt.Data(values=values), title=title, width=side, height=side)
        .mark_rect()
        .encode(
            x=alt.X("a:N", title=None, sort="ascending"),
            y=alt.Y("b:N", title=None, sort="ascending"),
            color=alt.Color("works:Q", scale=alt.Scale(scheme="blues"), title="shared works"),
            tooltip=["a:N", "b:N", "works:Q"],
        )
    )


# -- the charts of `kg plot`, from the named queries ---------------------------------

def _rows(store: ox.Store, name: str, params: Mapping[str, str] | None = None) -> list[list]:
    result = run_local(store, get_query(name), dict(params or {}))
    return [[plain_value(term) for term in row] for row in result.rows]


def works_per_year_svg(store: ox.Store, params: Mapping[str, str]) -> str:
    """Works per year of the whole graph (query works-per-year), or of one
    concept with ``-p concept IRI`` (concept-works-per-year)."""
    _refuse_unknown(params, {"concept"})
    if params.get("concept"):
        rows = _rows(store, "concept-works-per-year", {"concept": params["concept"]})
        return svg(year_bars([(str(r[0]), int(r[1])) for r in rows], "Works per year"))
    rows = _rows(store, "works-per-year")
    return svg(year_bars([(str(r[0]), int(r[1])) for r in rows], "Works per year"))


def cooccurrence_svg(store: ox.Store, params: Mapping[str, str]) -> str:
    """Concept co-occurrence heatmap of the ``-p top N`` (default 20) most used
    concepts (query site-concept-pairs)."""
    _refuse_unknown(params, {"top"})
    top = _positive(params.get("top", "20"), "top")
    pairs = [(str(a), str(b), int(n)) for _, a, _, b, n in _rows(store, "site-concept-pairs")]
    return svg(heatmap(cooccurrence_cells(pairs, top), "Concepts that occur together"))


def cooccurrence_cells(pairs: Sequence[tuple[str, str, int]], top: int) -> list[tuple[str, str, int]]:
    """The heatmap cells (both halves) of the ``top`` concepts with most co-occurrences."""
    weight: dict[str, int] = {}
    for a, b, n in pairs:
        weight[a] = weight.get(a, 0) + n
        weight[b] = weight.get(b, 0) + n
    keep = set(sorted(weight, key=lambda k: (-weight[k], k))[:top])
    cells = [(a, b, n) for a, b, n in pairs if a in keep and b in keep]
    return sorted(cells + [(b, a, n) for a, b, n in cells])


def concept_coauthors_svg(store: ox.Store, params: Mapping[str, str]) -> str:
    """The co-author network within one concept (``-p concept IRI``; query
    concept-coauthor-graph), laid out with networkx."""
    if not params.get("concept"):
        raise UsageError("chart concept-coauthors needs -p concept IRI")
    _refuse_unknown(params, {"concept"})
    rows = _rows(store, "concept-coauthor-graph", {"concept": params["concept"]})
    names = {}
    edges = []
    for a, a_name, b, b_name, n in rows:
        names[a], names[b] = a_name or a, b_name or b
        edges.append((a, b, int(n)))
    return network_svg(names, edges, title="Co-authors within the concept")


def _refuse_unknown(params: Mapping[str, str], known: set[str]) -> None:
    unknown = sorted(set(params) - known)
    if unknown:
        raise UsageError(f"unknown parameter {unknown[0]!r} for this chart")


def _positive(value: str, name: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise UsageError(f"-p {name} needs a positive whole number, not {value!r}")
    return int(value)


CHARTS: dict[str, Chart] = {
    "works-per-year": works_per_year_svg,
    "concept-cooccurrence": cooccurrence_svg,
    "concept-coauthors": concept_coauthors_svg,
}
