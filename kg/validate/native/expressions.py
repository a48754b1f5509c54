"""SHACL Core as SPARQL text: paths, and the conditions a value node (or a
node against a whole shape) must meet, as boolean expressions.

Every expression is written so an evaluation error counts as a failure
(``COALESCE(..., false)`` around anything that can raise), which is what
SHACL says of a value that cannot be compared. Constructs that have no
faithful SPARQL form here raise :class:`Unsupported`, naming the feature;
the caller then leaves the shape to pySHACL.
"""

from __future__ import annotations

import re
from functools import cache

from ...errors import UsageError
from ...query.sparql import from_rdflib, sparql_term
from ...vocab import RDF, RDFS, SH, XSD

RDF_TYPE = f"<{RDF}type>"
SUBCLASS = f"<{RDFS}subClassOf>"

# Datatypes whose lexical forms Oxigraph checks by casting (a cast of an
# ill-formed literal is an error; well-formed ones are stored canonical).
CASTABLE = {f"{XSD}{name}" for name in (
    "boolean", "integer", "decimal", "double", "float", "date", "dateTime", "time", "duration",
    "dayTimeDuration", "yearMonthDuration", "gYear", "gYearMonth", "gMonth", "gMonthDay", "gDay")}
# Integer types whose literals are well-formed when the text is an integer
# within the range. (Oxigraph stores a well-formed one as xsd:integer, so in a
# store only ill-formed ones keep these datatypes.)
INTEGER_RANGES = {
    "long": (-2**63, 2**63 - 1), "int": (-2**31, 2**31 - 1), "short": (-2**15, 2**15 - 1), "byte": (-128, 127),
    "nonNegativeInteger": (0, None), "positiveInteger": (1, None), "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1), "unsignedLong": (0, 2**64 - 1), "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1), "unsignedByte": (0, 255),
}
NODE_KINDS = {
    "IRI": "isIRI({v})", "BlankNode": "isBlank({v})", "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "!isLiteral({v})", "BlankNodeOrLiteral": "!isIRI({v})", "IRIOrLiteral": "!isBlank({v})",
}
RANGES = {"minInclusive": ">=", "minExclusive": ">", "maxInclusive": "<=", "maxExclusive": "<"}
MAX_COUNT_UNROLLED = 4
"""Cardinalities inside nested shapes are unrolled into that many variables at most."""


class Unsupported(Exception):
    """A construct the compiler leaves to pySHACL; ``str()`` names it."""


def sh(name: str):
    from rdflib import URIRef

    return URIRef(f"{SH}{name}")


def term(node) -> str:
    """A shapes-graph constant as SPARQL text; blank nodes have none."""
    from rdflib import BNode

    if isinstance(node, BNode):
        raise Unsupported("blank node as a constant")
    return sparql_term(from_rdflib(node))


def rdf_list(graph, head) -> list:
    from rdflib.collection import Collection

    return list(Collection(graph, head))


def sparql_path(graph, node, depth: int = 0) -> str:
    """A SHACL property path (3.3) as a SPARQL property path."""
    from rdflib import BNode, URIRef

    if depth > 20:
        raise Unsupported("recursive path")
    if isinstance(node, URIRef):
        return f"<{node}>"
    if not isinstance(node, BNode):
        raise Unsupported("ill-formed path")
    if graph.value(node, URIRef(f"{RDF}first")) is not None:
        parts = rdf_list(graph, node)
        if len(parts) < 2:
            raise Unsupported("ill-formed path")
        return "(" + "/".join(sparql_path(graph, p, depth + 1) for p in parts) + ")"
    for key, text in (("inversePath", "^({})"), ("zeroOrMorePath", "({})*"),
                      ("oneOrMorePath", "({})+"), ("zeroOrOnePath", "({})?")):
        inner = graph.value(node, sh(key))
        if inner is not None:
            return text.format(sparql_path(graph, inner, depth + 1))
    options = graph.value(node, sh("alternativePath"))
    if options is not None:
        return "(" + "|".join(sparql_path(graph, p, depth + 1) for p in rdf_list(graph, options)) + ")"
    raise Unsupported("ill-formed path")


def coalesce(expr: str) -> str:
    return f"COALESCE(({expr}), false)"


def datatype_condition(datatype, v: str) -> str:
    """sh:datatype: a literal of exactly that datatype, well-formed (4.2.2)."""
    iri = str(datatype)
    test = f"isLiteral({v}) && datatype({v}) = <{iri}>"
    if iri in CASTABLE:
        test += f" && isLiteral(<{iri}>({v}))"
    elif iri.startswith(XSD) and iri[len(XSD):] in INTEGER_RANGES:
        low, high = INTEGER_RANGES[iri[len(XSD):]]
        number = f"<{XSD}integer>(STR({v}))"
        test += f" && REGEX(STR({v}), \"^[+-]?[0-9]+$\") && isLiteral({number})"
        test += f" && {number} >= {low}" if low is not None else ""
        test += f" && {number} <= {high}" if high is not None else ""
    return coalesce(test)


@cache
def check_regex(pattern: str, flags: str | None) -> None:
    """Refuse an sh:pattern (with its sh:flags) that Oxigraph's REGEX cannot
    compile, for every value would fail it: one that Python's ``re`` reads
    (a back-reference, say) is left to pySHACL, one that neither reads is
    the shapes' error."""
    import pyoxigraph as ox

    extra = f", {sparql_term(ox.Literal(flags))}" if flags is not None else ""
    query = f"SELECT (REGEX('', {sparql_term(ox.Literal(pattern))}{extra}) AS ?ok) {{}}"
    if next(iter(ox.Store().query(query)))["ok"] is not None:
        return
    try:
        re.compile(pattern)
    except re.error as why:
        raise UsageError(f"shapes: sh:pattern {pattern!r} is not a regular expression: {why}") from None
    raise Unsupported("sh:pattern that Oxigraph cannot compile")


def class_condition(cls, v: str) -> str:
    return f"EXISTS {{ {v} {RDF_TYPE}/{SUBCLASS}* {term(cls)} }}"


class Compiler:
    """Turns shapes of one rdflib shapes graph into SPARQL, with fresh
    variable names, guarding against shapes that reach themselves."""

    def __init__(self, graph) -> None:
        self.graph = graph
        self.count = 0
        self.stack: list = []

    def var(self) -> str:
        self.count += 1
        return f"?v{self.count}"

    def one(self, node, key: str):
        values = list(self.graph.objects(node, sh(key)))
        if len(values) > 1:
            raise Unsupported(f"several sh:{key}")
        return values[0] if values else None

    def integer(self, node, key: str) -> int | None:
        value = self.one(node, key)
        if value is None:
            return None
        number = getattr(value, "value", None)
        if not isinstance(number, int) or isinstance(number, bool):
            raise Unsupported(f"sh:{key} not an integer")
        return number

    def is_true(self, node, key: str) -> bool:
        """``true`` exactly (SHACL names no other form: ``"1"^^xsd:boolean`` is not it)."""
        value = self.one(node, key)
        return value is not None and getattr(value, "value", None) is True and str(value) == "true"

    def parameters(self) -> set:
        """Parameters of SPARQL-based constraint components declared in the shapes graph."""
        from rdflib import URIRef

        found = getattr(self, "_parameters", None)
        if found is None:
            found = {key for parameter in self.graph.objects(None, sh("parameter"))
                     for key in self.graph.objects(parameter, sh("path")) if isinstance(key, URIRef)}
            self._parameters = found
        return found

    # ---------------------------------------------------------------- value conditions

    def value_conditions(self, shape, v: str) -> list[tuple[str, str]]:
        """(component, expression) for every constraint of ``shape`` that
        looks at one value node ``v`` at a time."""
        g = self.graph
        found: list[tuple[str, str]] = []
        for cls in sorted(g.objects(shape, sh("class"))):
            found.append(("ClassConstraintComponent", class_condition(cls, v)))
        for datatype in sorted(g.objects(shape, sh("datatype"))):
            found.append(("DatatypeConstraintComponent", datatype_condition(datatype, v)))
        for kind in sorted(g.objects(shape, sh("nodeKind"))):
            name = str(kind).removeprefix(SH)
            if name not in NODE_KINDS:
                raise Unsupported("unknown sh:nodeKind")
            found.append(("NodeKindConstraintComponent", NODE_KINDS[name].format(v=v)))
        for key, op in RANGES.items():
            for bound in sorted(g.objects(shape, sh(key))):
                found.append((f"{key[0].upper()}{key[1:]}ConstraintComponent", coalesce(f"{v} {op} {term(bound)}")))
        for key, op in (("minLength", ">="), ("maxLength", "<=")):
            for bound in g.objects(shape, sh(key)):
                found.append((f"{key[0].upper()}{key[1:]}ConstraintComponent",
                              coalesce(f"!isBlank({v}) && STRLEN(STR({v})) {op} {int(bound)}")))
        for pattern in sorted(g.objects(shape, sh("pattern"))):
            flags = self.one(shape, "flags")
            extra = f", {term(flags)}" if flags is not None else ""
            check_regex(str(pattern), str(flags) if flags is not None else None)
            found.append(("PatternConstraintComponent", coalesce(f"!isBlank({v}) && REGEX(STR({v}), {term(pattern)}{extra})")))
        for head in g.objects(shape, sh("languageIn")):
            tags = " || ".join(f"langMatches(lang({v}), {term(t)})" for t in rdf_list(g, head)) or "false"
            found.append(("LanguageInConstraintComponent", coalesce(f"isLiteral({v}) && ({tags})")))
        for head in g.objects(shape, sh("in")):
            members = " || ".join(f"sameTerm({v}, {term(t)})" for t in rdf_list(g, head)) or "false"
            found.append(("InConstraintComponent", f"({members})"))
        for other in sorted(g.objects(shape, sh("node")), key=str):
            found.append(("NodeConstraintComponent", self.conforms(other, v)))
        for other in sorted(g.objects(shape, sh("not")), key=str):
            found.append(("NotConstraintComponent", f"!({self.conforms(other, v)})"))
        for head in g.objects(shape, sh("and")):
            parts = [self.conforms(s, v) for s in rdf_list(g, head)]
            found.append(("AndConstraintComponent", " && ".join(f"({p})" for p in parts) or "true"))
        for head in g.objects(shape, sh("or")):
            parts = [self.conforms(s, v) for s in rdf_list(g, head)]
            found.append(("OrConstraintComponent", " || ".join(f"({p})" for p in parts) or "false"))
        for head in g.objects(shape, sh("xone")):
            parts = [self.conforms(s, v) for s in rdf_list(g, head)]
            total = " + ".join(f"IF({p}, 1, 0)" for p in parts) or "0"
            found.append(("XoneConstraintComponent", f"({total}) = 1"))
        return found

    # ---------------------------------------------------------------- whole shapes

    def conforms(self, shape, v: str) -> str:
        """An expression true when node ``v`` conforms to ``shape`` (used by
        sh:node, sh:not, sh:and, sh:or, sh:xone, sh:qualifiedValueShape)."""
        if shape in self.stack:
            raise Unsupported("recursive shapes")
        if self.is_true(shape, "deactivated"):
            return "true"
        check_keys(self.graph, shape, nested=True, parameters=self.parameters())
        self.stack.append(shape)
        try:
            parts = []
            path = self.one(shape, "path")
            if path is None:
                parts += [expr for _component, expr in self.value_conditions(shape, v)]
                parts += self.node_only(shape, v)
            else:
                path_text = sparql_path(self.graph, path)
                parts += self.property_conforms(shape, path_text, v)
            for prop in sorted(self.graph.objects(shape, sh("property")), key=str):
                if path is None:
                    parts.append(self.conforms(prop, v))
                else:  # the values of the path are the focus nodes of the inner shape
                    x = self.var()
                    parts.append(f"NOT EXISTS {{ {v} {path_text} {x} FILTER (!({self.conforms(prop, x)})) }}")
            return " && ".join(f"({p})" for p in parts) or "true"
        finally:
            self.stack.pop()

    def node_only(self, shape, v: str, pairs: bool = True) -> list[str]:
        """A node shape's own checks on the focus node that are not per value."""
        g, parts = self.graph, []
        if pairs:
            for key, other in self.pairs(shape):
                parts.append(f"NOT EXISTS {{ {node_pair(key, v, other, self.var(), self.var())} }}")
        for value in g.objects(shape, sh("hasValue")):
            parts.append(f"sameTerm({v}, {term(value)})")
        if self.is_true(shape, "closed"):
            p, o = self.var(), self.var()
            parts.append(f"NOT EXISTS {{ {v} {p} {o} FILTER ({p} NOT IN ({', '.join(self.allowed(shape))})) }}")
        for key in ("uniqueLang", "minCount", "maxCount", "qualifiedValueShape"):
            if (shape, sh(key), None) in g:
                raise Unsupported(f"sh:{key} on a node shape")
        return parts

    def pairs(self, shape) -> list[tuple[str, str]]:
        """(component key, the other property as SPARQL) of the property-pair constraints."""
        return [(key, f"<{other}>") for key in ("equals", "disjoint", "lessThan", "lessThanOrEquals")
                for other in sorted(self.graph.objects(shape, sh(key)), key=str)]

    def allowed(self, shape) -> list[str]:
        from rdflib import URIRef

        g = self.graph
        names = {f"<{p}>" for prop in g.objects(shape, sh("property")) for p in g.objects(prop, sh("path"))
                 if isinstance(p, URIRef)}
        for head in g.objects(shape, sh("ignoredProperties")):
            names.update(term(p) for p in rdf_list(g, head))
        return sorted(names) or [f"<{SH}none>"]

    def property_conforms(self, shape, path: str, v: str) -> list[str]:
        g, parts = self.graph, []
        x = self.var()
        conditions = [expr for _c, expr in self.value_conditions(shape, x)]
        if conditions:
            bad = " || ".join(f"!({c})" for c in conditions)
            parts.append(f"NOT EXISTS {{ {v} {path} {x} FILTER ({bad}) }}")
        low, high = self.integer(shape, "minCount"), self.integer(shape, "maxCount")
        if low:
            parts.append(self.at_least(v, path, low))
        if high is not None:
            parts.append(f"!({self.at_least(v, path, high + 1)})")
        for value in g.objects(shape, sh("hasValue")):
            parts.append(f"EXISTS {{ {v} {path} {term(value)} }}")
        if self.is_true(shape, "uniqueLang"):
            a, b = self.var(), self.var()
            parts.append(f"NOT EXISTS {{ {v} {path} {a} , {b} FILTER ({same_language(a, b)}) }}")
        for key, other in self.pairs(shape):
            parts.append(f"NOT EXISTS {{ {pair_violation(key, v, path, other, self.var(), self.var())} }}")
        for key in ("qualifiedValueShape", "closed"):
            if (shape, sh(key), None) in g:
                raise Unsupported(f"sh:{key} in a nested property shape")
        return parts

    def at_least(self, v: str, path: str, n: int) -> str:
        if n <= 0:
            return "true"
        if n > MAX_COUNT_UNROLLED:
            raise Unsupported("large cardinality in a nested shape")
        names = [self.var() for _ in range(n)]
        distinct = " && ".join(f"!sameTerm({a}, {b})" for i, a in enumerate(names) for b in names[i + 1:])
        return f"EXISTS {{ {v} {path} {', '.join(names)} {f'FILTER ({distinct})' if distinct else ''} }}"


def same_language(a: str, b: str) -> str:
    return (f"isLiteral({a}) && isLiteral({b}) && !sameTerm({a}, {b}) && lang({a}) != \"\" "
            f"&& LCASE(lang({a})) = LCASE(lang({b}))")


def pair_violation(key: str, v: str, path: str, other: str, a: str, b: str) -> str:
    """A pattern with a solution for each value breaking a property-pair
    constraint; ``a`` is bound to the value reported."""
    if key == "equals":
        return (f"{{ {v} {path} {a} FILTER NOT EXISTS {{ {v} {other} {a} }} }} UNION "
                f"{{ {v} {other} {a} FILTER NOT EXISTS {{ {v} {path} {a} }} }}")
    if key == "disjoint":
        return f"{v} {path} {a} . {v} {other} {a}"
    op = "<" if key == "lessThan" else "<="
    return f"{v} {path} {a} . {v} {other} {b} FILTER (!COALESCE({a} {op} {b}, false))"


# Keys the compiler understands on a shape; any other sh: key makes it Unsupported.
KNOWN = {
    "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "severity", "message", "name",
    "description", "deactivated", "order", "group", "defaultValue", "path", "class", "datatype", "nodeKind",
    "minInclusive", "minExclusive", "maxInclusive", "maxExclusive", "minLength", "maxLength", "pattern", "flags",
    "languageIn", "in", "node", "not", "and", "or", "xone", "property", "hasValue", "closed", "ignoredProperties",
    "minCount", "maxCount", "uniqueLang", "equals", "disjoint", "lessThan", "lessThanOrEquals",
    "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount", "qualifiedValueShapesDisjoint",
    "declare", "prefixes",
}


def node_pair(key: str, v: str, other: str, x: str, y: str, focus: str = "") -> str:
    """Property pairs on a node shape, whose value node is the focus node
    ``v`` itself: a pattern with a solution when the constraint is broken,
    ``x`` bound to the value reported (``y`` a spare variable); ``focus``
    goes first in each branch."""
    if key == "equals":
        return (f"{{ {focus} BIND ({v} AS {x}) FILTER NOT EXISTS {{ {v} {other} {v} }} }} UNION "
                f"{{ {focus} {v} {other} {x} FILTER (!sameTerm({x}, {v})) }}")
    if key == "disjoint":
        return f"{focus} {v} {other} {v} BIND ({v} AS {x})"
    op = "<" if key == "lessThan" else "<="
    return f"{focus} {v} {other} {y} FILTER (!COALESCE({v} {op} {y}, false)) BIND ({v} AS {x})"


def check_keys(graph, shape, nested: bool = False, parameters: set = frozenset()) -> None:
    for key in parameters:
        if (shape, key, None) in graph:
            raise Unsupported("SPARQL-based constraint components")
    for predicate in set(graph.predicates(shape, None)):
        name = str(predicate)
        if name.startswith(SH) and name[len(SH):] not in KNOWN:
            raise Unsupported(f"sh:{name[len(SH):]}")
        if nested and name[len(SH):] == "pattern" and len(list(graph.objects(shape, predicate))) > 1:
            raise Unsupported("several sh:pattern")
