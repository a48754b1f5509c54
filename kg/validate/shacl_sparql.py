"""SHACL-SPARQL constraints (``sh:sparql``) run natively on Oxigraph, once over
the whole graph, instead of by pySHACL once per focus node.

The shapes keep their constraints as standard SHACL-SPARQL (any SHACL engine
still sees them). :func:`plan` picks those it can run exactly as pySHACL would,
and returns the shapes graph without them for pySHACL. Each picked ``sh:select``
runs once with ``$this`` left unbound but joined, at the start of its WHERE
group, to the distinct focus nodes of the shape's targets; every solution
becomes the result pySHACL would make of it (focus node, path, value, message
with ``{?var}``/``{$var}`` filled in, the *shape's* severity, the constraint
as source). This equals pre-binding ``$this`` for queries whose ``$this`` is
in the top-level group: the guard in :func:`_native_query` leaves everything
else (sub-selects, aggregates not grouped by ``$this``, ``$currentShape``,
``$shapesGraph``, shapes reached through other shapes) to pySHACL.

One difference remains by construction: joins compare terms as Oxigraph
stores them, pySHACL's as rdflib parsed them from Oxigraph's text, and rdflib
also normalises some lexical forms Oxigraph keeps (``" 1"^^xsd:integer``
equals ``"1"^^xsd:integer`` in rdflib only). kg writes canonical forms, and
the shapes flag non-canonical datatypes and values separately.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from ..query.sparql import code_only, syntax_error, to_rdflib
from ..vocab import RDF, RDFS, SH
from .report import Severity

SPARQL_COMPONENT = f"{SH}SPARQLConstraintComponent"
_AGGREGATE = re.compile(r"\b(COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\s*\(|\bGROUP\s+BY\b|\bHAVING\b", re.IGNORECASE)
_GROUP_BY = re.compile(r"\bGROUP\s+BY\b(.*?)(?:\bHAVING\b|\bORDER\s+BY\b|\bLIMIT\b|\bOFFSET\b|$)", re.IGNORECASE | re.DOTALL)
_THIS = re.compile(r"[$?]this\b")
# Keys of a shape that carry no constraint: a shape left with only these after
# its sh:sparql are taken out has nothing for pySHACL to check.
_INERT = {f"{SH}{k}" for k in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "severity",
                               "message", "name", "description", "deactivated", "order", "group")}
_INERT |= {f"{RDF}type", f"{RDFS}label", f"{RDFS}comment"}


@dataclass(frozen=True)
class NativeConstraint:
    """One (shape, sh:sparql constraint) pair, ready to run on Oxigraph."""

    shape: object
    """The shape node (rdflib)."""
    constraint: object
    """The constraint node (rdflib)."""
    query: str
    """The full query: prefixes, $PATH substituted, targets joined in."""
    severity: Severity
    source: str
    messages: tuple
    """rdflib Literals: the shape's sh:message, then the constraint's (pySHACL's order)."""
    path: str | None
    """A property shape's path as report text; None for node shapes."""


def plan(shapes) -> tuple[list[NativeConstraint], object]:
    """The sh:sparql constraints to run natively, and a copy of ``shapes``
    without them (and without shapes left with nothing to check) for pySHACL."""
    from pyshacl.helper import get_query_helper_cls
    from pyshacl.shapes_graph import ShapesGraph
    from rdflib import Graph, URIRef

    sh_sparql = URIRef(f"{SH}sparql")
    if (None, sh_sparql, None) not in shapes:
        return [], shapes
    copy = Graph()
    for triple in shapes:
        copy.add(triple)
    sg = ShapesGraph(copy)  # which adds pySHACL's system triples to the graph it gets
    helper_cls = get_query_helper_cls()
    native: list[NativeConstraint] = []
    taken: set = set()
    for shape in sg.shapes:
        if (shape.node, sh_sparql, None) not in shapes or not _stands_alone(shapes, shape):
            continue
        targets = _target_pattern(shape)
        if targets is None:
            continue
        for node in sorted(shapes.objects(shape.node, sh_sparql)):
            made = _native_query(shapes, shape, node, targets, helper_cls)
            if made is None:
                continue
            taken.add((shape.node, node))
            if not shape.deactivated and not made[1]:
                native.append(_constraint(shapes, shape, node, made[0]))
    if not taken:
        return [], shapes
    stripped = Graph()
    for prefix, namespace in shapes.namespaces():
        stripped.bind(prefix, namespace, override=True)
    for triple in shapes:
        if triple[1] == sh_sparql and (triple[0], triple[2]) in taken:
            continue
        stripped.add(triple)
    for shape_node in {s for s, _ in taken}:
        if all(str(p) in _INERT for p in stripped.predicates(shape_node, None)):
            stripped.remove((shape_node, None, None))
    return native, stripped


def _stands_alone(shapes, shape) -> bool:
    """The shape is validated only through its own targets: nothing in the
    shapes graph validates through it (sh:node, sh:property, sh:not,
    sh:qualifiedValueShape, or a member of an sh:and/sh:or/sh:xone list).
    Other mentions (a test manifest's expected sh:sourceShape) do not count."""
    from rdflib import URIRef

    nesting = {URIRef(f"{SH}{k}") for k in ("node", "property", "not", "qualifiedValueShape")} | {URIRef(f"{RDF}first")}
    return not any(p in nesting for p in shapes.predicates(None, shape.node))


def _target_pattern(shape) -> str | None:
    """A sub-select of the shape's distinct focus nodes as ``?this``; None when
    it has none pySHACL would use or one that cannot be written here."""
    from rdflib import URIRef

    nodes, classes, implicit, objects_of, subjects_of = shape.target()
    branches = []
    for node in nodes:
        if not isinstance(node, URIRef):
            return None
        branches.append(f"{{ BIND ({node.n3()} AS ?this) }}")
    for cls in sorted(set(classes) | set(implicit)):
        if not isinstance(cls, URIRef):
            return None
        branches.append(f"{{ ?this <{RDF}type>/<{RDFS}subClassOf>* {cls.n3()} }}")
    for prop in sorted(subjects_of):
        if not isinstance(prop, URIRef):
            return None
        branches.append(f"{{ ?this {prop.n3()} [] }}")
    for prop in sorted(objects_of):
        if not isinstance(prop, URIRef):
            return None
        branches.append(f"{{ [] {prop.n3()} ?this }}")
    if not branches:
        return None
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(branches) + " } }"


def _native_query(shapes, shape, node, targets: str, helper_cls) -> tuple[str, bool] | None:
    """(query, deactivated) for a constraint pySHACL would run the same way;
    None to leave it to pySHACL (which also reports its load errors)."""
    from rdflib import Literal, URIRef

    selects = list(shapes.objects(node, URIRef(f"{SH}select")))
    if len(selects) != 1 or not (isinstance(selects[0], Literal) and isinstance(selects[0].value, str)):
        return None
    deactivated = [d for d in shapes.objects(node, URIRef(f"{SH}deactivated"))]
    if deactivated and not (isinstance(deactivated[0], Literal) and isinstance(deactivated[0].value, bool)):
        return None
    messages = set(shapes.objects(node, URIRef(f"{SH}message")))
    if any(not (isinstance(m, Literal) and isinstance(m.value, str)) for m in messages):
        return None
    text = selects[0].value
    try:
        helper = helper_cls(shape, node, text, messages=messages or None)
        helper.collect_prefixes()
        bindings, text = helper.pre_bind_variables(URIRef("urn:kg:this"))
    except Exception:  # noqa: BLE001 (pySHACL raises several types: let it raise them where it always did)
        return None
    _check_syntax(helper, selects[0].value, (node if isinstance(node, URIRef) else shape.node).n3())
    if set(bindings) != {"this"} or helper.bind_sg_regex.search(text):
        return None
    scanned = code_only(text)
    brace = scanned.find("{")
    select = re.search(r"\bSELECT\b", scanned, re.IGNORECASE)
    if brace < 0 or select is None or select.start() > brace:
        return None
    head, body = scanned[select.end():brace], scanned[brace:]
    if len(re.findall(r"\bSELECT\b", scanned, re.IGNORECASE)) != 1 or re.search(r"\bEXISTS\b|\bSERVICE\b", head, re.IGNORECASE):
        return None
    if not (_THIS.search(head) or re.match(r"\s*(DISTINCT|REDUCED)?\s*\*", head, re.IGNORECASE)):
        return None  # $this not projected: pySHACL reports such rows on the pre-bound node
    if _AGGREGATE.search(scanned):
        grouped = _GROUP_BY.search(body)
        if grouped is None or not _THIS.search(grouped.group(1)):
            return None
    query = text[:brace + 1] + " " + targets + " " + text[brace + 1:]
    return helper.apply_prefixes(query), bool(deactivated and deactivated[0].value)


def _check_syntax(helper, text: str, source: str) -> None:
    """A usage error naming the constraint, and the line and column in its
    sh:select, when the query with its sh:prefixes does not parse (it would
    fail when run, with a traceback and the exit code of a failed validation)."""
    try:
        ox.Store().query(helper.apply_prefixes(text))  # a SELECT is parsed here, evaluated only when read
    except SyntaxError as exc:
        raise syntax_error(f"shapes: sh:select of {source}", exc, skipped=helper.apply_prefixes("").count("\n")) from None


def _constraint(shapes, shape, node, query: str) -> NativeConstraint:
    from rdflib import URIRef

    from .shacl import render_path

    messages = list(shape.message)
    messages += sorted((m for m in shapes.objects(node, URIRef(f"{SH}message")) if m not in messages), key=str)
    return NativeConstraint(
        shape=shape.node, constraint=node, query=query,
        severity=Severity.from_iri(str(shape.severity)),
        source=(node if isinstance(node, URIRef) else shape.node).n3(),
        messages=tuple(messages),
        path=render_path(shapes, shape.path()) if shape.is_property_shape else None,
    )


def _fill(message: str, values: dict) -> str:
    """pySHACL's substitution of ``{?var}`` and ``{$var}`` in a message."""
    for var, val in values.items():
        message = re.sub(f"{{[?$]{var}}}", str(val), message)
    return message


def run_native(constraints: list[NativeConstraint], store: ox.Store) -> set[tuple]:
    """Every constraint's results, as the raw tuples kg.validate.shacl makes of
    pySHACL's report: (severity, focus, message, source, path, value, component)."""
    from rdflib import URIRef

    found: set[tuple] = set()
    for constraint in constraints:
        solutions = store.query(constraint.query)
        names = [v.value for v in solutions.variables]
        failed: set = set()
        for solution in solutions:
            row = {n: to_rdflib(solution[n]) for n in names if solution[n] is not None}
            focus = row.get("this")
            if focus is None:
                continue
            if "failure" in row:
                row.pop("failure")
                if focus in failed:  # pySHACL keeps one failure per focus node
                    continue
                failed.add(focus)
                bound, value, path = row, None if constraint.path else focus, None
            else:
                path, value, this = row.pop("path", None), row.pop("value", None), row.pop("this")
                if value is None:
                    value = None if constraint.path else focus
                bound = {**row, "this": this}
                if path is not None:
                    bound["path"] = path
                if value is not None:
                    bound["value"] = value
            # pySHACL reports no sh:resultMessage for a SPARQL constraint without messages
            message = sorted(_fill(str(m.value), bound) for m in constraint.messages) or [""]
            if path is None:
                shown = constraint.path
            else:
                shown = str(path) if isinstance(path, URIRef) else path.n3()
            found.add((int(constraint.severity), focus.n3(), message[0], constraint.source, shown,
                       value.n3() if value is not None else None, SPARQL_COMPONENT))
    return found
