"""Speed-ups for pySHACL that reach into its and rdflib's private internals.

None changes a result; each saves work pySHACL repeats for every focus node or
partition. Because they rely on private names, pyproject.toml pins pySHACL to
the release line they were checked against (0.40, with rdflib 7).

They are applied only where kg owns the process: :func:`apply` in the
initializer of kg's pySHACL worker processes, and :func:`applied` around a
validation kg runs in the caller's process (one partition, or one job), which
undoes them afterwards. Importing kg patches nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

_applied = False


def apply() -> Callable[[], None]:
    """Patch rdflib and pySHACL; returns the function that undoes it."""
    global _applied
    if _applied:
        return lambda: None
    undo = [_memoise_sparql_queries(), _constant_time_parameter_lookup()]
    _applied = True

    def restore() -> None:
        global _applied
        for step in reversed(undo):
            step()
        _applied = False

    return restore


@contextmanager
def applied() -> Iterator[None]:
    """The patches, for the duration of a ``with`` block."""
    undo = apply()
    try:
        yield
    finally:
        undo()


def _memoise_sparql_queries() -> Callable[[], None]:
    """rdflib's SPARQL processor parses and translates the text of a
    sh:sparql constraint again for every focus node pySHACL runs it on
    (pySHACL passes the text, with ``$this`` in initBindings). Caching the
    translated query by (text, base, namespaces) made 10k papers 13x faster."""
    from rdflib.plugins.sparql import processor
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.evaluate import evalQuery
    from rdflib.plugins.sparql.parser import parseQuery

    original = processor.SPARQLProcessor.__dict__["query"]
    cache: dict = {}

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # rdflib's signature
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((initNs or {}).items())))
            if key not in cache:
                cache[key] = translateQuery(parseQuery(strOrQuery), base, initNs)
            strOrQuery = cache[key]
        return evalQuery(self.graph, strOrQuery, initBindings, base)

    processor.SPARQLProcessor.query = query

    def undo() -> None:
        processor.SPARQLProcessor.query = original
        cache.clear()

    return undo


class _SetList(list):
    """A list whose ``in`` is a set lookup."""

    def __init__(self, items) -> None:
        super().__init__(items)
        self._set = frozenset(items)

    def __contains__(self, item) -> bool:
        return item in self._set


def _constant_time_parameter_lookup() -> Callable[[], None]:
    """Every time a shape validates, pySHACL tests each of the shape's
    predicates for membership in the *list* of constraint parameters (about
    forty). pyshacl.shape keeps that list, with the parameter map, in its
    module attribute ``CONSTRAINT_PARAMS`` (set on first use); giving it a
    set-backed list makes the test constant time."""
    from pyshacl import constraints, shape

    missing = object()
    before = getattr(shape, "CONSTRAINT_PARAMS", missing)
    shape.CONSTRAINT_PARAMS = (_SetList(constraints.ALL_CONSTRAINT_PARAMETERS), constraints.CONSTRAINT_PARAMETERS_MAP)

    def undo() -> None:
        if before is missing:
            del shape.CONSTRAINT_PARAMS
        else:
            shape.CONSTRAINT_PARAMS = before

    return undo


def use_data_graph(validator, data) -> None:
    """Point a pySHACL Validator at another data graph, so that one validator
    (its shapes graph parsed and its shapes harvested once) serves every
    partition. The Validator takes its data graph only in ``__init__``; these
    are the attributes ``__init__`` and ``run`` set from it (pySHACL 0.40)."""
    validator.data_graph = data
    validator.data_graph_is_multigraph = data.is_multigraph()
    validator._target_graph = data
