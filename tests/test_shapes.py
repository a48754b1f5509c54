"""The shapes themselves: valid SHACL, and one broken/fixed case per rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph

from kg.resources import shapes_dir
from kg.validate.run import Target, load_shapes, validate
from kg.vocab import DEFAULT_BASE, SH

CASES = Path(__file__).resolve().parent / "data" / "validation"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "expected.json").is_file())


def test_shapes_pass_shacl_for_shacl():
    """pySHACL's meta-SHACL (the SHACL-for-SHACL shapes graph) accepts every shape."""
    import pyshacl
    from pyshacl.shapes_graph import ShapesGraph  # noqa: F401  (import proves the version has it)

    shapes = load_shapes(DEFAULT_BASE)
    conforms, _graph, text = pyshacl.validate(Graph(), shacl_graph=shapes, meta_shacl=True)
    assert conforms, text


def test_every_shape_has_a_message_and_a_severity():
    from rdflib import URIRef

    shapes = load_shapes(DEFAULT_BASE)
    constrained = set(shapes.subjects(URIRef(f"{SH}path"), None)) | set(shapes.subjects(URIRef(f"{SH}select"), None))
    constrained |= set(shapes.subjects(URIRef(f"{SH}nodeKind"), None))
    assert constrained
    for shape in constrained:
        assert shapes.value(shape, URIRef(f"{SH}message")) is not None, shape
        assert shapes.value(shape, URIRef(f"{SH}severity")) is not None, shape


def test_one_file_per_concern():
    names = {p.stem for p in shapes_dir().glob("*.ttl")}
    assert {"paper", "venue", "person", "authorship", "concept", "provenance", "abstract", "assignment", "identity"} <= names


def _rows(report) -> list[dict]:
    return sorted(
        (dict(focus=r.focus, path=r.path, severity=r.severity.label, source=r.source, value=r.value) for r in report.results),
        key=lambda d: json.dumps(d, sort_keys=True),
    )


@pytest.mark.parametrize("case", CASE_NAMES)
def test_broken_graph_gives_exactly_the_expected_results(case):
    expected = json.loads((CASES / case / "expected.json").read_text("utf-8"))
    report = validate(Target(files=(CASES / case / "broken.ttl",)), DEFAULT_BASE, jobs=1)
    assert _rows(report) == sorted(expected, key=lambda d: json.dumps(d, sort_keys=True))


@pytest.mark.parametrize("case", CASE_NAMES)
def test_correct_twin_gives_no_result(case):
    report = validate(Target(files=(CASES / case / "fixed.ttl",)), DEFAULT_BASE, jobs=1)
    assert report.results == ()


def test_cases_cover_every_rule_the_issue_names():
    wanted = {"paper-no-year", "paper-year-range", "paper-page-order", "paper-volume-not-numeric",
              "authorship-no-person", "authorship-no-position", "authorship-duplicate-position",
              "authorship-position-gap", "paper-doi-not-doi", "iri-outside-base", "paper-no-title",
              "paper-no-venue", "paper-no-abstract", "paper-truncated-authors", "paper-no-concept",
              "check-duplicate-doi", "check-duplicate-orcid", "check-probable-same-person",
              "check-concept-not-in-scheme"}
    assert wanted <= set(CASE_NAMES)


def test_base_iri_comes_from_configuration():
    """The same graph conforms under its own base and not under another."""
    graph = CASES / "paper-no-title" / "fixed.ttl"
    other = validate(Target(files=(graph,)), "https://example.org/kg/", jobs=1)
    assert {r.source for r in other.results} == {"<https://w3id.org/kg/shapes#OwnIriShape>"}
    assert all(r.severity.label == "violation" for r in other.results)


KGSH = "<https://w3id.org/kg/shapes#{}>"


def test_sparql_constraints_stay_standard_shacl_but_run_on_oxigraph():
    """The shapes keep their sh:sparql constraints for any SHACL engine; kg
    runs them on Oxigraph and hands pySHACL the shapes without them."""
    from rdflib import URIRef

    from kg.validate.shacl_sparql import plan

    shapes = load_shapes(DEFAULT_BASE)
    sparql = URIRef(f"{SH}sparql")
    assert len(list(shapes.triples((None, sparql, None)))) == 3
    native, for_pyshacl = plan(shapes)
    assert sorted(c.source for c in native) == [KGSH.format(n) for n in (
        "author-position-unique", "author-positions-contiguous", "paper-page-order")]
    assert (None, sparql, None) not in for_pyshacl
    assert len(list(shapes.triples((None, sparql, None)))) == 3  # the loaded shapes are left alone


@pytest.mark.parametrize("case", CASE_NAMES)
def test_native_sparql_gives_exactly_what_pyshacl_gives(case):
    for name in ("broken.ttl", "fixed.ttl"):
        target = Target(files=(CASES / case / name,))
        native = validate(target, DEFAULT_BASE, jobs=1)
        pyshacl_only = validate(target, DEFAULT_BASE, jobs=1, native_sparql=False)
        assert native.results == pyshacl_only.results


CUSTOM_SHAPES = '''
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix fabio: <http://purl.org/spar/fabio/> .
@prefix prism: <http://prismstandard.org/namespaces/basic/2.0/> .
@prefix pro: <http://purl.org/spar/pro/> .
@prefix ex: <https://example.org/shapes#> .

ex: a owl:Ontology ; sh:declare
    [ sh:prefix "pro" ; sh:namespace "http://purl.org/spar/pro/"^^xsd:anyURI ] ,
    [ sh:prefix "kg" ; sh:namespace "https://w3id.org/kg/ns#"^^xsd:anyURI ] .

ex:Counted a sh:NodeShape ;
    sh:targetClass fabio:JournalArticle ;
    sh:severity sh:Info ;
    sh:sparql ex:two-or-more , ex:silent , ex:sub-select , ex:off .

ex:two-or-more a sh:SPARQLConstraint ;
    sh:message "{$this} has {?n} authorships." ;
    sh:prefixes ex: ;
    sh:select """SELECT $this (COUNT(?a) AS ?n) WHERE { $this pro:isDocumentContextFor ?a } GROUP BY $this HAVING (COUNT(?a) > 1)""" .

ex:silent a sh:SPARQLConstraint ;
    sh:prefixes ex: ;
    sh:select """SELECT * WHERE { $this pro:isDocumentContextFor ?authorship . ?authorship kg:authorPosition 1 }""" .

ex:sub-select a sh:SPARQLConstraint ;
    sh:message "Last position {?value}." ;
    sh:prefixes ex: ;
    sh:select """SELECT $this ?value WHERE {
        { SELECT $this (MAX(?p) AS ?value) WHERE { $this pro:isDocumentContextFor ?a . ?a kg:authorPosition ?p } GROUP BY $this }
    }""" .

ex:off a sh:SPARQLConstraint ;
    sh:deactivated true ;
    sh:prefixes ex: ;
    sh:select """SELECT $this WHERE { $this ?p ?o }""" .

ex:start-page a sh:PropertyShape ;
    sh:targetSubjectsOf prism:startingPage ;
    sh:path prism:startingPage ;
    sh:severity sh:Warning ;
    sh:message "Shape says: {?value} on {$this}." ;
    sh:sparql [ a sh:SPARQLConstraint ;
        sh:message "Start page {?value}." ;
        sh:prefixes ex: ;
        sh:select """SELECT $this ?value WHERE { $this $PATH ?value . FILTER (STRLEN(STR(?value)) > 0) }""" ] .
'''


@pytest.mark.parametrize("case", ["authorship-duplicate-position", "paper-page-order"])
def test_native_sparql_follows_pyshacl_on_messages_paths_and_severities(case, tmp_path):
    """Property shapes ($PATH, the shape's path), the shape's severity and
    messages, SELECT *, constraints without a message, deactivated ones; a
    sub-select stays with pySHACL."""
    from kg.validate.shacl_sparql import plan

    shapes_dir = tmp_path / "shapes"
    shapes_dir.mkdir()
    (shapes_dir / "custom.ttl").write_text(CUSTOM_SHAPES, "utf-8")
    native, _for_pyshacl = plan(load_shapes(DEFAULT_BASE, shapes_dir))
    sources = {c.source for c in native}
    assert "<https://example.org/shapes#two-or-more>" in sources and "<https://example.org/shapes#silent>" in sources
    assert "<https://example.org/shapes#sub-select>" not in sources and len(native) == 3
    target = Target(files=(CASES / case / "broken.ttl",))
    ours = validate(target, DEFAULT_BASE, shapes_directory=shapes_dir, jobs=1)
    theirs = validate(target, DEFAULT_BASE, shapes_directory=shapes_dir, jobs=1, native_sparql=False)
    assert ours.results == theirs.results
    assert {r.severity.label for r in ours.results} == {"info", "warning"}
    assert any(r.path == "http://prismstandard.org/namespaces/basic/2.0/startingPage" for r in ours.results)
