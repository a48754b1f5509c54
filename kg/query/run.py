"""Binding named queries to values and running them on three engines.

Values are never pasted into the query text as the user wrote them. They are
validated and turned into RDF terms (:func:`kg.query.registry.bind_parameters`), then
bound:

- on the embedded store and on remote endpoints, by ``VALUES`` blocks written
  from those terms (IRIs were checked, literals are escaped), one opening the
  innermost group pattern around each use, so UNION branches, OPTIONALs,
  EXISTS patterns and subqueries see the value as substitution would give it;
- on an rdflib graph, with ``initBindings``.

pyoxigraph's own ``substitutions`` bind only projected variables, which would
put every parameter in the result columns; a VALUES join is also planned
better by Oxigraph.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..errors import KgError, QueryTimeout, UsageError
from ..sinks import endpoint as remote
from .registry import NamedQuery, Parameter, bind_parameters, to_term
from .sparql import (
    Term,
    Token,
    from_json_term,
    from_rdflib,
    has_top_level,
    json_rows,
    sparql_term,
    to_rdflib,
    tokens,
    where_group_start,
)

# -- VALUES blocks --------------------------------------------------------------


def parameter_groups(text: str) -> tuple[dict[int, set[str]], list[str]]:
    """Where each ``$name`` is used: the offset just inside the innermost group
    pattern around the use -> the names used there, and the uses that are in
    no group pattern (a projection, GROUP BY, HAVING or ORDER BY), which a
    VALUES block cannot reach. Uses in a CONSTRUCT template are left out: the
    template takes the value from the solutions.
    """
    toks = tokens(text)
    forms = [t.text.upper() for t in toks if t.depth == 0 and t.kind == "word"]
    template = next((t for t in toks if t.kind == "open" and t.depth == 0), None) if "CONSTRUCT" in forms else None
    if template is not None and any(t.depth == 0 and t.kind == "word" and t.text.upper() == "WHERE" and t.start < template.start for t in toks):
        template = None  # CONSTRUCT WHERE { ... }: the one group is the pattern
    groups: dict[int, set[str]] = {}
    outside: list[str] = []
    stack: list[tuple[Token, bool]] = []  # open braces, and whether each wraps a subquery
    for i, token in enumerate(toks):
        if token.kind == "open":
            following = toks[i + 1] if i + 1 < len(toks) else None
            stack.append((token, following is not None and following.kind == "word" and following.text.upper() == "SELECT"))
        elif token.kind == "close":
            if stack:
                stack.pop()
        elif token.kind == "var" and token.text.startswith("$"):
            if stack and template is not None and stack[0][0] is template:
                continue
            if not stack or stack[-1][1]:
                outside.append(token.text[1:])
            else:
                groups.setdefault(stack[-1][0].start + 1, set()).add(token.text[1:])
    return groups, outside


def values_positions(text: str, names: Iterable[str]) -> dict[int, list[str]]:
    """Where the VALUES blocks go: text offset -> the parameters bound there.

    A parameter is bound at the start of the innermost group pattern around
    each place it is written ``$name``: a UNION branch, an OPTIONAL, a FILTER
    (NOT) EXISTS or a subquery is evaluated on its own, so a block at the top
    of the query would leave the parameter unbound there (a FILTER in a
    UNION branch would reject every row, a subquery would count every value).
    Bound this way, every use sees the value, as substitution would give it.
    """
    wanted = set(names)
    groups, _outside = parameter_groups(text)
    places = {at: found & wanted for at, found in groups.items() if found & wanted}
    unplaced = wanted - {n for found in places.values() for n in found}
    if unplaced:  # used nowhere in a group pattern (lint says so): bind it at the top
        places.setdefault(where_group_start(text), set()).update(unplaced)
    return {at: sorted(found) for at, found in places.items()}


def with_values_block(text: str, bound: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """The query with ``VALUES (...) { (...) }`` opening each group pattern that uses a parameter."""
    if not bound:
        return text
    for at, names in sorted(values_positions(text, bound).items(), reverse=True):
        variables = " ".join("?" + n for n in names)
        terms = " ".join(sparql_term(bound[n]) for n in names)
        text = f"{text[:at]} VALUES ({variables}) {{ ({terms}) }}\n{text[at:]}"
    return text


# -- results -----------------------------------------------------------------

@dataclass
class QueryResult:
    """What a query returned, as pyoxigraph terms whatever engine ran it."""

    form: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False


def _finish(form: str, raw, limit: int | None) -> QueryResult:
    """Materialise up to ``limit`` rows (one more to know whether it was cut)."""
    if isinstance(raw, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(raw))
    cap = None if limit is None else limit + 1
    if isinstance(raw, ox.QueryTriples):
        return _graph_result(_take(raw, cap), limit)
    variables = [v.value for v in raw.variables]
    width = range(len(variables))  # by position: much faster than by Variable in pyoxigraph
    return _select_result(variables, [tuple(solution[i] for i in width) for solution in _take(raw, cap)], limit)


def _select_result(variables: list[str], rows: list, limit: int | None) -> QueryResult:
    """The rows, cut to ``limit``; ``truncated`` says whether some were left out."""
    truncated = limit is not None and len(rows) > limit
    return QueryResult("select", variables, rows[:limit] if truncated else rows, truncated=truncated)


def _graph_result(triples: list, limit: int | None) -> QueryResult:
    """The first ``limit`` triples, sorted; ``truncated`` says whether some were left out."""
    truncated = limit is not None and len(triples) > limit
    return QueryResult("graph", triples=sorted(triples[:limit] if truncated else triples, key=str), truncated=truncated)


def _take(iterator, cap: int | None) -> list:
    out = []
    for item in iterator:
        if cap is not None and len(out) >= cap:
            break
        out.append(item)
    return out


def run_local(
    store: ox.Store,
    query: NamedQuery,
    values: Mapping[str, str] | None = None,
    *,
    limit: int | None = None,
    timeout: float | None = None,
    graph: str | None = None,
) -> QueryResult:
    """Run a named query on a pyoxigraph store, parameters in VALUES blocks.

    The blocks are the ones a remote endpoint gets (:func:`with_values_block`):
    pyoxigraph's substitution binds only projected variables, and Oxigraph
    plans a VALUES join at least as well. The query runs in a worker thread
    (pyoxigraph releases the GIL) so that a timeout can stop waiting for it;
    the abandoned worker ends with the process.
    """
    form = query.form
    text = with_values_block(query.text, bind_parameters(query, values or {}))
    options: dict[str, object] = {}
    if graph:
        options["default_graph"] = [ox.NamedNode(to_term(Parameter("graph", "iri", True, None, ""), graph).value)]
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["result"] = _finish(form, store.query(text, **options), limit)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            outcome["error"] = exc

    if timeout is None:
        work()
    else:
        worker = threading.Thread(target=work, name=f"kg-query-{query.name}", daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            raise QueryTimeout(f"query {query.name} did not finish within {timeout:g} s")
    if "error" in outcome:
        error = outcome["error"]
        if isinstance(error, (SyntaxError, RuntimeError, ValueError)):
            raise UsageError(f"query {query.name}: {error}") from None
        if isinstance(error, OSError):
            raise KgError(f"query {query.name}: store error: {error}") from None
        raise error  # type: ignore[misc]
    return outcome["result"]  # type: ignore[return-value]


def run_remote(
    endpoint_url: str,
    query: NamedQuery,
    values: Mapping[str, str] | None = None,
    *,
    limit: int | None = None,
    timeout: float | None = None,
    graph: str | None = None,
) -> QueryResult:
    """Run a named query on a SPARQL 1.1 endpoint, parameters in a VALUES block."""
    form = query.form
    bound = bind_parameters(query, values or {})
    text = with_values_block(query.text, bound)
    # No LIMIT after a top-level (trailing) VALUES clause: it would not parse.
    if limit is not None and form != "ask" and not has_top_level(text, "LIMIT") and not has_top_level(text, "VALUES"):
        text = f"{text.rstrip()}\nLIMIT {limit + 1}\n"  # one more row tells us it was cut
    if form == "graph":
        data = remote.construct(endpoint_url, text, graph=graph, timeout=timeout)
        return _graph_result(sorted((q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE)), key=str), limit)
    answer = remote.select(endpoint_url, text, graph=graph, timeout=timeout)
    return from_sparql_json(answer, limit)


def from_sparql_json(answer: Mapping, limit: int | None = None) -> QueryResult:
    """A QueryResult from W3C SPARQL 1.1 JSON results."""
    if "boolean" in answer:
        return QueryResult("ask", boolean=bool(answer["boolean"]))
    variables = list(answer.get("head", {}).get("vars", []))
    return _select_result(variables, [tuple(from_json_term(b.get(v)) for v in variables) for b in json_rows(answer)], limit)


def run_rdflib(graph, query: NamedQuery, values: Mapping[str, str] | None = None, *, limit: int | None = None) -> QueryResult:
    """Run a named query on an rdflib graph, parameters bound with ``initBindings``.

    rdflib's engine is slow on large graphs; this is for small graphs and for
    checking that the queries mean the same on a second, independent engine.
    """
    from rdflib import Variable

    form = query.form
    bindings = {Variable(name): to_rdflib(term) for name, term in bind_parameters(query, values or {}).items()}
    raw = graph.query(query.text, initBindings=bindings)
    if form == "ask":
        return QueryResult("ask", boolean=bool(raw.askAnswer))
    if form == "graph":
        return _graph_result(sorted((ox.Triple(*(from_rdflib(t) for t in triple)) for triple in raw), key=str), limit)
    variables = [str(v) for v in raw.vars]
    return _select_result(variables, [tuple(from_rdflib(row[i]) for i in range(len(variables))) for row in raw], limit)

