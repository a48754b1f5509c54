"""The shapes themselves: valid SHACL, and one broken/fixed case per rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph

from kg.resources import shapes_dir
from kg.validate import Target, load_shapes, validate
from kg.vocab import DEFAULT_BASE

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

    sh = "http://www.w3.org/ns/shacl#"
    shapes = load_shapes(DEFAULT_BASE)
    constrained = set(shapes.subjects(URIRef(f"{sh}path"), None)) | set(shapes.subjects(URIRef(f"{sh}select"), None))
    constrained |= set(shapes.subjects(URIRef(f"{sh}nodeKind"), None))
    assert constrained
    for shape in constrained:
        assert shapes.value(shape, URIRef(f"{sh}message")) is not None, shape
        assert shapes.value(shape, URIRef(f"{sh}severity")) is not None, shape


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
