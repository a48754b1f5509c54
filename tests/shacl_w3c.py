"""A runner of the W3C SHACL test suite (core/ and sparql/) on kg's native engine.

Judged as the suite's README says: a test passes when the engine's
conformance equals the expected ``sh:conforms`` and its results equal the
expected ones as a set of (focus node, path, value, severity, constraint
component, source shape); blank nodes are compared by their description
(the triples they start, to a small depth), so a blank node of the data
matches its copy in the expected report. A test whose shapes hold a
construct the native engine leaves to pySHACL is skipped with that
construct named; so is one that expects the engine to refuse the shapes
(``sht:Failure``), which kg's native engine does by leaving them to pySHACL.

    python tests/shacl_w3c.py [SUITE]     # prints the table
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUITE = (ROOT.parent / "shared" / "conformance" / "shacl-w3c").resolve()
"""Resolved, as the manifests' file IRIs are (``shared`` may be a link)."""
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
SHT = "http://www.w3.org/ns/shacl-test#"
SH = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True)
class Outcome:
    test: str
    """The test's path under the suite, e.g. ``core/node/and-001``."""
    status: str
    """passed, failed or skipped."""
    why: str = ""


@cache
def parsed(path: Path):
    from rdflib import Graph

    return Graph().parse(path, format="turtle", publicID=path.resolve().as_uri())


def entries(manifest: Path) -> list[tuple[Path, object]]:
    """(file, test node) of every test a manifest reaches through mf:include and mf:entries."""
    from rdflib import URIRef
    from rdflib.collection import Collection

    graph = parsed(manifest)
    found = []
    for include in sorted(graph.objects(None, URIRef(f"{MF}include")), key=str):
        found += entries(Path(str(include).removeprefix("file://")))
    for head in graph.objects(None, URIRef(f"{MF}entries")):
        found += [(manifest, test) for test in Collection(graph, head)]
    return found


@cache
def canonical(node) -> str:
    """A term's text as Oxigraph stores it (``"4.0"^^xsd:decimal`` as
    ``"4"``), then as rdflib writes it: the native engine reports values as
    the store holds them."""
    import pyoxigraph as ox
    from rdflib import Literal

    from kg.query.sparql import from_rdflib, to_rdflib

    if not isinstance(node, Literal):
        return node.n3()
    store = ox.Store()
    here = ox.NamedNode("urn:x")
    store.add(ox.Quad(here, here, from_rdflib(node), ox.DefaultGraph()))
    return to_rdflib(next(iter(store)).object).n3()


def signature(graphs, node, depth: int = 0) -> str:
    """A term as text, blank nodes by what they say (depth-limited)."""
    from rdflib import BNode

    if not isinstance(node, BNode):
        return canonical(node)
    if depth > 3:
        return "_"
    parts = sorted({f"{p.n3()}={signature(graphs, o, depth + 1)}" for g in graphs for p, o in g.predicate_objects(node)})
    return "[" + " ".join(parts) + "]"


def path_text(graph, node) -> str:
    """A result path as kg's reports write it."""
    from kg.validate.shacl import render_path

    return render_path(graph, node)


def expected_results(graph, report, graphs) -> tuple[bool, set]:
    from rdflib import URIRef

    def sh(name):
        return URIRef(f"{SH}{name}")

    conforms = graph.value(report, sh("conforms"))
    rows = set()
    for result in graph.objects(report, sh("result")):
        path = graph.value(result, sh("resultPath"))
        value = graph.value(result, sh("value"))
        rows.add((
            signature(graphs, graph.value(result, sh("focusNode"))),
            path_text(graph, path) if path is not None else None,
            signature(graphs, value) if value is not None else None,
            str(graph.value(result, sh("resultSeverity"))),
            str(graph.value(result, sh("sourceConstraintComponent"))),
            signature(graphs, graph.value(result, sh("sourceShape"))),
        ))
    return bool(conforms.toPython()) if conforms is not None else not rows, rows


def store_of(path: Path):
    """The data graph read by Oxigraph (rdflib would rewrite ill-formed
    literals), and an rdflib copy of what the store holds, for signatures."""
    import pyoxigraph as ox
    from rdflib import Graph

    from kg.query.sparql import to_rdflib

    store = ox.Store()
    store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                 for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()))
    copy = Graph()
    for quad in store:
        copy.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return store, copy


def run_test(file: Path, test, suite: Path = SUITE) -> Outcome:
    from rdflib import BNode, URIRef

    from kg.validate import native
    from kg.validate.report import Severity
    from kg.validate.shacl_sparql import plan as plan_sparql
    from kg.validate.shacl_sparql import run_native

    graph = parsed(file)
    name = name_of(file, suite)
    action = graph.value(test, URIRef(f"{MF}action"))
    data_file = Path(str(graph.value(action, URIRef(f"{SHT}dataGraph"))).removeprefix("file://"))
    shapes_file = Path(str(graph.value(action, URIRef(f"{SHT}shapesGraph"))).removeprefix("file://"))
    data, shapes = parsed(data_file), parsed(shapes_file)
    expected = graph.value(test, URIRef(f"{MF}result"))
    sparql, rest = plan_sparql(shapes)
    made = native.plan(rest)
    left = sorted({why.removeprefix("pyshacl: ") for why in made.engines.values() if why != "native"})
    if expected == URIRef(f"{SHT}Failure"):
        return Outcome(name, "skipped", "expects the shapes to be refused: the native engine leaves them to pySHACL"
                       if left else "expects the shapes to be refused")
    if left:
        return Outcome(name, "skipped", "left to pySHACL: " + ", ".join(left))
    store, held = store_of(data_file)
    raw = native.run(made, store, jobs=1) | run_native(sparql, store)
    graphs = (data, shapes, graph)
    actual = set()
    for severity, focus, _message, source, path, value, component in raw:
        def back(text):
            return BNode(text[2:]) if text.startswith("_:") else None

        def sig(text, where=(held, shapes)):
            node = back(text)
            return signature(where, node) if node is not None else text

        if component == f"{SH}SPARQLConstraintComponent" and source.startswith("<"):
            # kg names the sh:sparql constraint as the source; the suite names its shape
            holder = next(iter(shapes.subjects(URIRef(f"{SH}sparql"), URIRef(source[1:-1]))), None)
            source = holder.n3() if holder is not None else source
        actual.add((sig(focus), path, sig(value) if value is not None else None, Severity(severity).iri,
                    component, sig(source, (shapes,))))
    conforms, rows = expected_results(graph, expected, graphs)
    if conforms == (not actual) and rows == actual:
        return Outcome(name, "passed")
    missing, extra = sorted(rows - actual), sorted(actual - rows)
    return Outcome(name, "failed", f"missing {missing[:2]} extra {extra[:2]}")


def name_of(file: Path, suite: Path) -> str:
    """``core/node/and-001`` for the file of that test."""
    return str(file.relative_to(suite).with_suffix("")).replace("\\", "/")


def run_suite(suite: Path = SUITE) -> list[Outcome]:
    suite = suite.resolve()
    outcomes = []
    for part in ("core", "sparql"):
        for file, test in entries(suite / part / "manifest.ttl"):
            try:
                outcomes.append(run_test(file, test, suite))
            except Exception as exc:  # noqa: BLE001 (a crash is a failure of that test, reported)
                outcomes.append(Outcome(name_of(file, suite), "failed", f"{type(exc).__name__}: {exc}"[:300]))
    return outcomes


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for outcome in run_suite(Path(sys.argv[1]) if len(sys.argv) > 1 else SUITE):
        print(f"{outcome.status:8} {outcome.test}  {outcome.why}")
