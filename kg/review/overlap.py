"""`kg plot overlap`: the works each pair of sources has in common, as a heatmap.

Listed by `kg plot` beside the charts of :mod:`kg.site.charts`, and drawn
with their heatmap builder from the counts of :mod:`kg.review.sources`.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

from ..errors import UsageError
from ..site.charts import heatmap, svg
from .sources import source_report


def overlap_cells(overlap: Mapping[tuple[str, str], int], names: list[str]) -> list[tuple[str, str, int]]:
    """Every pair of sources (both orders, each with itself), 0 where they share nothing."""
    return [(a, b, overlap.get((a, b), 0)) for a in names for b in names]


def overlap_svg(store: ox.Store, params: Mapping[str, str]) -> str:
    """The overlap matrix of the sources (queries sources-counts, sources-overlap)
    as a heatmap; the diagonal is each source's own works."""
    if params:
        raise UsageError(f"unknown parameter {min(params)!r} for this chart")
    report = source_report(store)
    cells = overlap_cells(report.overlap, [s.name for s in report.sources])
    return svg(heatmap(cells, "Works in common between sources"))
