"""The native SHACL engine: SHACL Core shapes compiled to SPARQL and run on
Oxigraph, once over the whole graph per query, in worker processes when
the store is on disk.

:func:`plan` compiles every shape that has targets; a shape holding a
construct the compiler refuses (:class:`~kg.validate.native.expressions.Unsupported`,
which names it) stays in the shapes graph handed to pySHACL, and only its
targets do (a compiled shape may still be reached by sh:node from one that
falls back). :func:`run` turns solutions into the raw tuples
kg.validate.shacl makes of pySHACL's report, so both engines' results merge
and compare.

Modules: ``expressions`` (paths and per-value conditions), ``queries``
(a shape's queries and what their solutions mean).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ...query.sparql import to_rdflib
from ...vocab import RDF
from ..shacl_sparql import run_native
from .expressions import Compiler, Unsupported, sh
from .queries import Compiled, compile_shape, findings_of, focus_pattern, severity_of

__all__ = ["NativePlan", "Unsupported", "plan", "run"]

TARGETS = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")


@dataclass
class NativePlan:
    """What the native engine runs, what is left for pySHACL, and why."""

    queries: list[Compiled] = field(default_factory=list)
    fallback: object = None
    """The shapes graph for pySHACL: only shapes that did not compile keep targets."""
    engines: dict[str, str] = field(default_factory=dict)
    """Shape (N-Triples form) -> ``native`` or ``pyshacl: <the construct>``."""
    messages: dict = field(default_factory=dict)
    severities: dict = field(default_factory=dict)

    @property
    def needs_pyshacl(self) -> bool:
        return any(e != "native" for e in self.engines.values())


def targeted_shapes(graph) -> list:
    from rdflib import RDFS as RDFS_NS
    from rdflib import URIRef

    found = {s for key in TARGETS + ("target",) for s in graph.subjects(sh(key), None)}
    for kind in (sh("NodeShape"), sh("PropertyShape")):
        for shape in graph.subjects(URIRef(f"{RDF}type"), kind):
            if (shape, URIRef(f"{RDF}type"), RDFS_NS.Class) in graph:
                found.add(shape)
    return sorted(found, key=lambda s: (type(s).__name__, str(s)))


def plan(shapes) -> NativePlan:
    """Compile every targeted shape of ``shapes`` (rdflib) that compiles."""
    from rdflib import Graph

    result = NativePlan()
    keep_targets: set = set()
    for shape in targeted_shapes(shapes):
        compiler = Compiler(shapes)
        try:
            focus = focus_pattern(shapes, shape)
            made = compile_shape(compiler, shape, focus) if focus else []
        except Unsupported as why:
            keep_targets.add(shape)
            result.engines[shape.n3()] = f"pyshacl: {why}"
            continue
        result.engines[shape.n3()] = "native"
        result.queries.extend(made)
        for compiled in made:
            node = compiled.shape
            result.messages[node] = sorted(str(m) for m in shapes.objects(node, sh("message")))
            result.severities[node] = severity_of(shapes, node)
    fallback = Graph()
    for prefix, namespace in shapes.namespaces():
        fallback.bind(prefix, namespace, override=True)
    targets = {sh(k) for k in TARGETS + ("target",)}
    compiled_shapes = set(targeted_shapes(shapes)) - keep_targets
    for triple in shapes:
        if triple[0] in compiled_shapes and (triple[1] in targets or _implicit(triple)):
            continue
        fallback.add(triple)
    result.fallback = fallback
    return result


def _implicit(triple) -> bool:
    from rdflib import RDFS as RDFS_NS
    from rdflib import URIRef

    return triple[1] == URIRef(f"{RDF}type") and triple[2] == RDFS_NS.Class


def _n3(term, cache: dict) -> str:
    """rdflib's N-Triples form of a pyoxigraph term (pySHACL's results are
    rdflib terms, and the two engines must give equal text)."""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    found = cache.get(term)
    if found is None:
        found = cache[term] = to_rdflib(term).n3()
    return found


def results_of(messages: dict, severities: dict, compiled: Compiled, rows, cache: dict) -> set[tuple]:
    """The raw result tuples (severity, focus, message, source, path, value,
    component) of one query's solutions."""
    out: set[tuple] = set()
    shape = compiled.shape
    source = shape.n3()
    message = (messages.get(shape) or [""])[0]
    for row in rows:
        focus = _n3(row["this"], cache)
        for finding, value, path in findings_of(compiled, row):
            shown = compiled.path
            if path is not None:
                shown = path.value if isinstance(path, ox.NamedNode) else _n3(path, cache)
            out.add((int(severities[shape]), focus, message, source, shown,
                     _n3(value, cache) if value is not None else None, finding.component))
    return out


_WORKER: dict = {}
"""A worker process's store, messages and severities (set by :func:`_start_worker`)."""


def _start_worker(location: str, messages: dict, severities: dict) -> None:
    from ...sinks.store import open_store

    _WORKER.update(store=open_store(Path(location), read_only=True), messages=messages, severities=severities)


def _in_worker(task) -> set[tuple]:
    return _execute(task, _WORKER["store"], _WORKER["messages"], _WORKER["severities"])


def _execute(task, store: ox.Store, messages: dict, severities: dict) -> set[tuple]:
    """One task: a compiled query, or an sh:sparql constraint (kg.validate.shacl_sparql)."""
    if not isinstance(task, Compiled):
        return run_native([task], store)
    solutions = store.query(task.sparql)
    names = [v.value for v in solutions.variables]
    rows = ({n: s[n] for n in names if s[n] is not None} for s in solutions)
    return results_of(messages, severities, task, rows, {})


def run(found: NativePlan, store: ox.Store, jobs: int = 2, on_done: Callable[[], None] | None = None,
        sparql: tuple = (), location: Path | None = None) -> set[tuple]:
    """Every compiled query, and the ``sparql`` constraints (first: they are
    the longest), on ``store``. With ``jobs`` > 1 and the store's
    ``location`` (an embedded store on disk), in ``jobs`` worker processes
    that open it read-only: pyoxigraph holds the GIL while it evaluates, so
    threads would take turns. Otherwise one after the other, here."""
    tasks = [*sparql, *found.queries]
    results: set[tuple] = set()
    if location is None or jobs <= 1 or len(tasks) < 2:
        for task in tasks:
            results |= _execute(task, store, found.messages, found.severities)
            if on_done is not None:
                on_done()
        return results
    context = multiprocessing.get_context("spawn")  # no fork of a process holding RocksDB threads
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker,
                             initargs=(str(location), found.messages, found.severities)) as pool:
        for done in as_completed([pool.submit(_in_worker, task) for task in tasks]):
            results |= done.result()
            if on_done is not None:
                on_done()
    return results
