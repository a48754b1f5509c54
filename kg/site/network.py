"""Networks laid out with networkx and drawn as SVG from templates/network.svg.j2."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import networkx as nx

from .render import render

SIZE = 520
PAD = 24
LABEL_ROOM = 150
"""Room right of the rightmost node for its name."""
MAX_LABELS = 40
SHELL_UP_TO = 30


def layout(
    names: Mapping[str, str], edges: Sequence[tuple[str, str, int]], centre: str | None = None, seed: int = 7
) -> dict[str, tuple[float, float]]:
    """Node positions in [0, 1]², the same for the same graph (seeded, nodes sorted):
    a person among co-authors in the middle of a ring (up to :data:`SHELL_UP_TO`
    people), any other graph by the spring layout."""
    graph = nx.Graph()
    graph.add_nodes_from(sorted(names))
    for a, b, weight in sorted(edges):
        graph.add_edge(a, b, weight=weight)
    if len(graph) == 1:
        return {next(iter(graph)): (0.5, 0.5)}
    if centre is not None and len(graph) <= SHELL_UP_TO:
        others = sorted(n for n in graph if n != centre)
        return _unit(nx.shell_layout(graph, nlist=[[centre], others]))
    # Each group of connected people is laid out alone and the groups are put
    # in a grid, largest first: one spring layout pushes groups to the edges.
    groups = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c))
    columns = math.ceil(math.sqrt(len(groups)))
    rows = math.ceil(len(groups) / columns)
    out = {}
    for i, group in enumerate(groups):
        sub = nx.Graph()  # not graph.subgraph(): its nodes come in set order, which varies between runs
        sub.add_nodes_from(group)
        sub.add_weighted_edges_from(sorted((a, b, graph[a][b]["weight"]) for a, b in graph.edges(group)))
        if len(group) <= 4:
            inner = _unit(nx.circular_layout(sub)) if len(group) > 1 else {group[0]: (0.5, 0.5)}
        else:
            inner = _unit(nx.spring_layout(sub, seed=seed, weight="weight", iterations=100 if len(sub) < 200 else 30))
        column, row = i % columns, i // columns
        for node, (x, y) in inner.items():
            out[node] = (round((column + 0.15 + 0.7 * x) / columns, 4), round((row + 0.15 + 0.7 * y) / rows, 4))
    return out


def _unit(positions) -> dict[str, tuple[float, float]]:
    """Positions scaled into [0, 1]²."""
    xs = [float(p[0]) for p in positions.values()]
    ys = [float(p[1]) for p in positions.values()]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    return {n: (round((float(p[0]) - min(xs)) / span_x, 4), round((float(p[1]) - min(ys)) / span_y, 4)) for n, p in positions.items()}

def network_svg(
    names: Mapping[str, str],
    edges: Sequence[tuple[str, str, int]],
    *,
    title: str,
    centre: str | None = None,
    links: Mapping[str, str] | None = None,
) -> str:
    """The network as standalone SVG: a line per edge (wider for more shared
    works), a circle and a name per node; ``links`` makes names links."""
    if not names:
        return render("network.svg.j2", title=title, size=SIZE, nodes=[], edges=[], empty=True)
    where = layout(names, edges, centre)
    width, height = SIZE - PAD - LABEL_ROOM, SIZE - 2 * PAD

    def at(node: str) -> tuple[float, float]:
        x, y = where[node]
        return round(PAD + x * width, 1), round(PAD + y * height, 1)

    degree: dict[str, int] = {}
    for a, b, _ in edges:
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1
    labelled = set(sorted(names, key=lambda n: (n != centre, -degree.get(n, 0), names[n]))[:MAX_LABELS])
    nodes = [
        {"x": at(n)[0], "y": at(n)[1], "name": names[n], "centre": n == centre, "label": n in labelled,
         "href": (links or {}).get(n)}
        for n in sorted(names, key=lambda n: (names[n], n))
    ]
    lines = [
        {"x1": at(a)[0], "y1": at(a)[1], "x2": at(b)[0], "y2": at(b)[1], "width": min(1 + w, 6), "works": w,
         "a": names[a], "b": names[b]}
        for a, b, w in sorted(edges)
    ]
    return render("network.svg.j2", title=title, size=SIZE, nodes=nodes, edges=lines, empty=False)
