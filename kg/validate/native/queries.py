"""Shapes with targets compiled into SELECT queries whose solutions are the
validation results: one query for the per-value constraints of a shape (each
constraint a column), one for its cardinalities (grouped counts), and one
per constraint that needs its own pattern (property pairs, sh:closed,
sh:uniqueLang, sh:hasValue, qualified counts).

The focus nodes of a shape are a sub-select of its targets (SHACL 2.1.3,
``rdf:type/rdfs:subClassOf*`` for class targets) joined at the start of
every query, so each query runs once over the whole graph.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ...vocab import RDF, RDFS, SH
from ..report import Severity
from .expressions import (
    RDF_TYPE,
    SUBCLASS,
    Compiler,
    Unsupported,
    check_keys,
    node_pair,
    pair_violation,
    same_language,
    sh,
    sparql_path,
    term,
)

Row = dict
"""One solution: variable name -> pyoxigraph term."""


@dataclass(frozen=True)
class Finding:
    """What a solution means: a result of ``shape`` for ``component``, the
    value (and path, for sh:closed) taken from the row's variables."""

    component: str
    value_var: str | None = "value"
    path_var: str | None = None
    when: str | None = None
    """The boolean column that must be false for this finding (per-value queries)."""
    count: tuple[int | None, int | None] | None = None
    """(low, high) for a count column ``n``: a finding when outside."""


@dataclass(frozen=True)
class Compiled:
    """One query and how its solutions become results of one shape."""

    shape: object
    sparql: str
    findings: tuple[Finding, ...]
    path: str | None
    """The shape's path as report text (kg.validate.shacl.render_path)."""


@dataclass(frozen=True)
class Focus:
    """A shape's focus nodes as ``?this``: a pattern that binds them, and,
    where one can be written, a test of a bound ``?this`` (cheaper than the
    pattern when only a few candidate nodes are to be checked)."""

    pattern: str
    test: str | None = None

    def after(self) -> str:
        """What keeps only focus nodes among solutions already binding ``?this``."""
        return f"FILTER ({self.test})" if self.test else self.pattern


def focus_pattern(graph, shape) -> Focus | None:
    """The distinct focus nodes of ``shape``'s targets; None when it has no target."""
    from rdflib import URIRef

    branches, tests = [], []
    for node in sorted(graph.objects(shape, sh("targetNode")), key=str):
        branches.append(f"{{ BIND ({term(node)} AS ?this) }}")
        tests.append(f"sameTerm(?this, {term(node)})")
    classes = set(graph.objects(shape, sh("targetClass")))
    kinds = set(graph.objects(shape, URIRef(f"{RDF}type")))
    if URIRef(f"{RDFS}Class") in kinds and kinds & {sh("NodeShape"), sh("PropertyShape")}:
        classes.add(shape)
    for cls in sorted(classes, key=str):
        branches.append(f"{{ ?this {RDF_TYPE}/{SUBCLASS}* {term(cls)} }}")
        tests.append(f"EXISTS {{ ?this {RDF_TYPE}/{SUBCLASS}* {term(cls)} }}")
    for prop in sorted(graph.objects(shape, sh("targetSubjectsOf")), key=str):
        branches.append(f"{{ ?this {term(prop)} [] }}")
        tests.append(f"EXISTS {{ ?this {term(prop)} [] }}")
    for prop in sorted(graph.objects(shape, sh("targetObjectsOf")), key=str):
        branches.append(f"{{ [] {term(prop)} ?this }}")
        tests.append(f"EXISTS {{ [] {term(prop)} ?this }}")
    if (shape, sh("target"), None) in graph:
        raise Unsupported("sh:target (SPARQL-based targets)")
    if not branches:
        return None
    return Focus("{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(branches) + " } }", " || ".join(tests))


def compile_shape(compiler: Compiler, shape, focus: Focus) -> list[Compiled]:
    """The queries of ``shape`` (and of its sh:property shapes) on ``focus``."""
    from ..shacl import render_path

    g = compiler.graph
    if compiler.is_true(shape, "deactivated"):
        return []
    check_keys(g, shape, parameters=compiler.parameters())
    path_node = compiler.one(shape, "path")
    path = sparql_path(g, path_node) if path_node is not None else None
    shown = render_path(g, path_node) if path_node is not None else None
    out: list[Compiled] = []

    def add(sparql: str, *findings: Finding) -> None:
        out.append(Compiled(shape, sparql, findings, shown))

    value = f"?this {path} ?value ." if path else "BIND (?this AS ?value)"
    conditions = compiler.value_conditions(shape, "?value")
    if conditions:
        columns = " ".join(f"(COALESCE({expr}, false) AS ?c{i})" for i, (_c, expr) in enumerate(conditions))
        failing = " || ".join(f"!?c{i}" for i in range(len(conditions)))
        # A property shape's values are checked over the whole graph first and
        # the few failing ones joined to the focus nodes; a node shape's are its focus nodes.
        where = f"{value}" if path else f"{focus.pattern} {value}"
        add(f"SELECT ?this ?value {' '.join(f'?c{i}' for i in range(len(conditions)))} WHERE {{ "
            f"{{ SELECT DISTINCT ?this ?value {columns} WHERE {{ {where} }} }} FILTER ({failing}) "
            f"{focus.after() if path else ''} }}",
            *(Finding(f"{SH}{component}", when=f"c{i}") for i, (component, _e) in enumerate(conditions)))
    if path is None:
        for constant in g.objects(shape, sh("hasValue")):
            add(f"SELECT ?this WHERE {{ {focus.pattern} FILTER (!sameTerm(?this, {term(constant)})) }}",
                Finding(f"{SH}HasValueConstraintComponent", value_var=None))
        if compiler.is_true(shape, "closed"):
            allowed = ", ".join(compiler.allowed(shape))
            add(f"SELECT ?this ?p ?value WHERE {{ {focus.pattern} ?this ?p ?value FILTER (?p NOT IN ({allowed})) }}",
                Finding(f"{SH}ClosedConstraintComponent", path_var="p"))
        compiler.node_only(shape, "?this", pairs=False)  # refuses what a node shape cannot hold
    else:
        out.extend(_property_queries(compiler, shape, focus, path, shown))
    for key, other in compiler.pairs(shape):
        if path:
            pattern = f"{focus.pattern} {pair_violation(key, '?this', path, other, '?value', '?other')}"
        else:
            pattern = node_pair(key, "?this", other, "?value", "?other", focus.pattern)
        add(f"SELECT DISTINCT ?this ?value WHERE {{ {pattern} }}",
            Finding(f"{SH}{key[0].upper()}{key[1:]}ConstraintComponent"))
    inner = focus
    if path is not None:  # the values of the path are the focus nodes of the inner shapes
        inner = Focus(f"{{ SELECT DISTINCT ?this WHERE {{ {{ SELECT (?this AS ?outer) WHERE {{ {focus.pattern} }} }} "
                      f"?outer {path} ?this }} }}")
    for child in sorted(g.objects(shape, sh("property")), key=str):
        if compiler.one(child, "path") is None:
            raise Unsupported("sh:property without sh:path")
        out.extend(compile_shape(compiler, child, inner))
    return out


def _no_value(shape, shown, component: str, sparql: str) -> Compiled:
    return Compiled(shape, sparql, (Finding(f"{SH}{component}", value_var=None),), shown)


def _holders(path: str, low: int) -> str:
    """The nodes with at least ``low`` distinct values on ``path``, over the
    whole graph: one scan of the path, grouped (a hash aggregate), which
    Oxigraph does far faster than a lookup per focus node."""
    if low <= 1:
        return f"{{ ?this {path} [] }}"
    return f"{{ SELECT ?this WHERE {{ ?this {path} ?v }} GROUP BY ?this HAVING (COUNT(DISTINCT ?v) >= {low}) }}"


def _property_queries(compiler: Compiler, shape, focus: Focus, path: str, shown: str | None) -> Iterator[Compiled]:
    """Cardinality, sh:hasValue and sh:uniqueLang: the focus nodes MINUS
    those that meet the constraint, or the nodes breaking it (found over the
    whole graph) joined to the focus nodes."""
    g = compiler.graph
    low, high = compiler.integer(shape, "minCount"), compiler.integer(shape, "maxCount")
    if low:
        yield _no_value(shape, shown, "MinCountConstraintComponent",
                        f"SELECT ?this WHERE {{ {focus.pattern} MINUS {_holders(path, low)} }}")
    if high is not None:
        yield _no_value(shape, shown, "MaxCountConstraintComponent",
                        f"SELECT ?this WHERE {{ {_holders(path, high + 1)} {focus.after()} }}")
    for constant in g.objects(shape, sh("hasValue")):
        yield _no_value(shape, shown, "HasValueConstraintComponent",
                        f"SELECT ?this WHERE {{ {focus.pattern} MINUS {{ ?this {path} {term(constant)} }} }}")
    if compiler.is_true(shape, "uniqueLang"):
        yield _no_value(shape, shown, "UniqueLangConstraintComponent",
                        f"SELECT ?this WHERE {{ {{ SELECT DISTINCT ?this WHERE {{ ?this {path} ?a , ?b "
                        f"FILTER ({same_language('?a', '?b')}) }} }} {focus.after()} }}")
    qualified = compiler.one(shape, "qualifiedValueShape")
    if qualified is not None:
        yield _qualified(compiler, shape, focus, path, shown, qualified)
    if compiler.is_true(shape, "closed"):
        raise Unsupported("sh:closed on a property shape")


def _qualified(compiler: Compiler, shape, focus: Focus, path: str, shown, qualified) -> Compiled:
    """sh:qualifiedValueShape (4.7.3), with the sibling shapes when disjoint."""
    g = compiler.graph
    condition = compiler.conforms(qualified, "?value")
    if compiler.is_true(shape, "qualifiedValueShapesDisjoint"):
        siblings = {q for parent in g.subjects(sh("property"), shape) for prop in g.objects(parent, sh("property"))
                    if prop != shape for q in g.objects(prop, sh("qualifiedValueShape"))}
        for sibling in sorted(siblings, key=str):
            condition = f"({condition}) && !({compiler.conforms(sibling, '?value')})"
    low, high = compiler.integer(shape, "qualifiedMinCount"), compiler.integer(shape, "qualifiedMaxCount")
    having = " || ".join(filter(None, (f"?n < {low}" if low else "", f"?n > {high}" if high is not None else ""))) or "false"
    return Compiled(shape, f"SELECT ?this ?n WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {focus.pattern} "
                    f"OPTIONAL {{ ?this {path} ?value FILTER (COALESCE({condition}, false)) }} }} GROUP BY ?this }} "
                    f"FILTER ({having}) }}",
                    (Finding(f"{SH}QualifiedMinCountConstraintComponent", value_var=None, count=(low, None)),
                     Finding(f"{SH}QualifiedMaxCountConstraintComponent", value_var=None, count=(None, high))), shown)


def findings_of(compiled: Compiled, row: Row) -> Iterator[tuple[Finding, object, object]]:
    """(finding, value term or None, path term or None) for one solution."""
    for finding in compiled.findings:
        if finding.when is not None:
            flag = row.get(finding.when)
            if flag is not None and flag.value == "true":
                continue
        if finding.count is not None:
            n = int(row["n"].value)
            low, high = finding.count
            if not ((low is not None and n < low) or (high is not None and n > high)):
                continue
        value = row.get(finding.value_var) if finding.value_var else None
        yield finding, value, row.get(finding.path_var) if finding.path_var else None


def severity_of(graph, shape) -> Severity:
    value = graph.value(shape, sh("severity"))
    return Severity.from_iri(str(value)) if value is not None else Severity.VIOLATION

