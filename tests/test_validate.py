"""`kg validate` end to end: the example corpus, exit codes, renderers, determinism."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

from kg.cli import cli
from kg.validate.renderers import plain_iri
from kg.validate.run import Target, validate
from kg.vocab import DEFAULT_BASE

ROOT = Path(__file__).resolve().parents[1]
CASES = Path(__file__).resolve().parent / "data" / "validation"
SHAPE = "<https://w3id.org/kg/shapes#{}>"
W = "https://w3id.org/kg/id/work/"
PAPERS = {
    "hodges": f"<{W}hodges-2007-0336e28305>", "watson": f"<{W}watson-2016-c3dcc4841e>",
    "conchar": f"<{W}conchar-2014-6fe40b3397>", "gillard": f"<{W}gillard-2016-0a20ccf569>",
    "parry": f"<{W}parry-2019-0e563e4b60>", "collopy": f"<{W}collopy-2020-ec3b0156b6>",
    "puschner": f"<{W}puschner-2019-6f1efec9f9>",
}
TITLE, VENUE, ABSTRACT = "http://purl.org/dc/terms/title", "http://purl.org/dc/terms/isPartOf", "http://purl.org/dc/terms/abstract"
TRUNCATED = "https://w3id.org/kg/ns#authorListTruncated"


@pytest.fixture(scope="module")
def example_report(example_build):
    return validate(Target(store=Path(example_build.store)), DEFAULT_BASE, jobs=1)


def test_example_has_no_violation_and_exactly_the_warnings_it_deserves(example_report):
    warnings = {(r.focus, r.path, r.severity.label, r.source) for r in example_report.results if r.severity.label != "info"}
    expected = {(PAPERS[p], TITLE, "warning", SHAPE.format("paper-title")) for p in PAPERS if p != "hodges"}
    expected |= {(PAPERS[p], VENUE, "warning", SHAPE.format("paper-venue")) for p in PAPERS}
    expected |= {(PAPERS["puschner"], TRUNCATED, "warning", SHAPE.format("paper-truncated"))}
    expected |= {(PAPERS[p], ABSTRACT, "warning", SHAPE.format("paper-abstract")) for p in ("hodges", "puschner")}
    assert warnings == expected
    assert len(expected) == 6 + 7 + 1 + 2


def test_example_results_point_at_their_input_record(example_report):
    lines = {r.focus: (r.file, r.line) for r in example_report.results}
    assert lines[PAPERS["hodges"]] == ("peer-support-listing.txt", 1)
    assert lines[PAPERS["puschner"]] == ("peer-support-listing.txt", 57)
    assert all(r.file for r in example_report.results)


def _invoke(*args):
    return CliRunner().invoke(cli, ["validate", *args], catch_exceptions=False)


def test_exit_0_when_conforming_at_the_chosen_level(example_build):
    result = _invoke("--store", str(example_build.store))
    assert result.exit_code == 0, result.output
    assert "Results: " in result.output and "violation: 0" in result.output


def test_exit_1_for_warnings_with_fail_on_warning(example_build):
    result = _invoke("--store", str(example_build.store), "--fail-on", "warning")
    assert result.exit_code == 1


def test_exit_1_for_a_violation_in_files():
    result = _invoke(str(CASES / "paper-page-order" / "broken.ttl"))
    assert result.exit_code == 1
    assert _invoke(str(CASES / "paper-page-order" / "fixed.ttl")).exit_code == 0


def test_exit_0_with_fail_on_none():
    assert _invoke(str(CASES / "paper-page-order" / "broken.ttl"), "--fail-on", "none").exit_code == 0


def test_exit_2_for_usage_errors(tmp_path):
    assert _invoke("--fail-on", "sometimes").exit_code == 2
    assert _invoke("--store", str(tmp_path / "missing")).exit_code == 2
    assert _invoke(str(tmp_path / "missing.ttl")).exit_code == 2


def test_exit_2_for_unreadable_shapes_with_file_and_line(tmp_path):
    bad = tmp_path / "shapes"
    bad.mkdir()
    (bad / "broken.ttl").write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n<a> sh:path <b>\n<c> <d> .\n")
    result = CliRunner().invoke(cli, ["validate", str(CASES / "paper-no-title" / "fixed.ttl"), "--shapes", str(bad)])
    assert result.exit_code == 2
    assert "broken.ttl" in result.output


@pytest.mark.parametrize("engine", ["native", "pyshacl"])
def test_exit_2_for_an_sh_select_that_does_not_parse_naming_it_and_its_line(tmp_path, engine):
    """Not a traceback with exit 1, the code of a validation that found violations."""
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "bad.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<https://example.org/s> a sh:NodeShape ; sh:targetClass <http://xmlns.com/foaf/0.1/Person> ;\n"
        '  sh:sparql <https://example.org/c> .\n<https://example.org/c> sh:select """SELECT $this\n'
        'WHERE { $this nope:knows ?x }""" .\n')
    result = CliRunner().invoke(cli, ["validate", str(CASES / "person-no-name" / "broken.ttl"), "--shapes", str(shapes),
                                      "--engine", engine])
    assert result.exit_code == 2, result.output
    assert "sh:select of <https://example.org/c>:2:" in result.stderr


def test_exit_3_when_the_endpoint_is_unreachable():
    from tests.conftest import free_port

    result = _invoke("--endpoint", f"http://127.0.0.1:{free_port()}/query")
    assert result.exit_code == 3


def test_remote_endpoint_matches_the_store(loaded_oxigraph, example_build):
    result = _invoke("--endpoint", loaded_oxigraph.query_url, "--format", "json")
    assert result.exit_code == 0, result.output
    remote = json.loads(result.output.split("\nResults:")[0] if "\nResults:" in result.output else result.output)
    local = validate(Target(store=Path(example_build.store)), DEFAULT_BASE, jobs=1)
    assert [(r["focus"], r["source"], r["file"], r["line"]) for r in remote["results"]] == [
        (plain_iri(r.focus), plain_iri(r.source), r.file, r.line) for r in local.results]


@pytest.fixture(scope="module")
def broken_file():
    return str(CASES / "paper-page-order" / "broken.ttl")


def _output(*args) -> str:
    result = CliRunner().invoke(cli, ["validate", *args])
    return result.stdout


def test_json_renderer_loads(broken_file):
    document = json.loads(_output(broken_file, "--format", "json"))
    assert document["conforms"] is False
    assert document["counts"]["violation"] == 1
    assert document["results"][0]["line"] == 1 and document["results"][0]["file"] == "test.ris"


def test_turtle_renderer_is_a_shacl_report(broken_file, tmp_path):
    out = tmp_path / "report.ttl"
    CliRunner().invoke(cli, ["validate", broken_file, "--format", "turtle", "-o", str(out)])
    graph = Graph().parse(out, format="turtle")
    sh = "http://www.w3.org/ns/shacl#"
    assert (None, URIRef(f"{sh}conforms"), Literal(False)) in graph
    assert len(list(graph.subjects(URIRef(f"{sh}resultSeverity"), URIRef(f"{sh}Violation")))) == 1
    fixed = _output(str(CASES / "paper-page-order" / "fixed.ttl"), "--format", "turtle")
    assert (None, URIRef(f"{sh}conforms"), Literal(True)) in Graph().parse(data=fixed, format="turtle")


def test_sh_conforms_is_false_beside_warning_results_while_fail_on_sets_the_exit(example_build, tmp_path):
    """SHACL 3.6.1: conforms is false whenever there is a result, of any
    severity; the example has warnings only, so it exits 0 and does not conform."""
    store = str(example_build.store)
    out = tmp_path / "report.ttl"
    result = _invoke("--store", store, "--format", "turtle", "-o", str(out))
    assert result.exit_code == 0, result.output
    sh = "http://www.w3.org/ns/shacl#"
    graph = Graph().parse(out, format="turtle")
    assert list(graph.objects(None, URIRef(f"{sh}conforms"))) == [Literal(False)]
    assert len(list(graph.objects(None, URIRef(f"{sh}result")))) > 0
    document = json.loads(_output("--store", store, "--format", "json"))
    assert (document["conforms"], document["fail_on"], document["failing"]) == (False, "violation", 0)
    assert document["counts"]["violation"] == 0 and document["counts"]["warning"] > 0
    last = _output("--store", store).rstrip().splitlines()[-1]
    assert last.endswith("; fail on violation: PASS (exit 0); sh:conforms false (SHACL: false on any result)")
    failing = _invoke("--store", store, "--fail-on", "warning")
    assert failing.exit_code == 1
    assert "fail on warning: FAIL (exit 1)" in failing.output
    clean = _output(str(CASES / "paper-page-order" / "fixed.ttl"))
    assert clean.rstrip().splitlines()[-1].endswith("; fail on violation: PASS (exit 0); sh:conforms true")


def test_junit_renderer_parses(broken_file):
    root = ET.fromstring(_output(broken_file, "--format", "junit"))
    assert root.tag == "testsuites"
    assert root.get("failures") == "1"
    assert len(root.findall(".//failure")) == 1


def test_github_renderer_emits_annotations(broken_file):
    lines = _output(broken_file, "--format", "github", "--source-root", "refs").splitlines()
    assert lines[0].startswith("::error file=refs/test.ris,line=1,title=")
    assert lines[-1].startswith("Results: 1")


def test_text_renderer_groups_by_record(example_build):
    text = _output("--store", str(example_build.store))
    assert "peer-support-listing.txt:57\n" in text
    assert text.rstrip().splitlines()[-1].startswith("Results: ")


def test_result_order_is_the_same_whatever_the_hash_seed(example_build):
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-m", "kg", "validate", "--store", str(example_build.store), "--format", "json", "--jobs", "2",
             "--partition-size", "2"],
            env=env, capture_output=True, text=True, cwd=ROOT, check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["results"]


@pytest.mark.slow
def test_partitioned_equals_whole_graph_on_a_generated_corpus(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate_graph import generate

    graph = tmp_path / "generated.nt"
    graph.write_text("".join(generate(120, seed=7)), "utf-8")
    whole = validate(Target(files=(graph,)), DEFAULT_BASE, partition_size=None, engine="pyshacl")
    parts = validate(Target(files=(graph,)), DEFAULT_BASE, partition_size=25, jobs=2, engine="pyshacl")
    assert whole.results == parts.results
    assert {r.source for r in whole.results} >= {SHAPE.format("paper-page-order"), SHAPE.format("paper-title")}


def test_a_blank_node_paper_is_partitioned_and_checked_like_the_whole_graph(tmp_path):
    """Blank nodes cannot go into the partition queries' VALUES blocks: they
    are looked up one by one, and the sh:sparql rules still reach them."""
    text = (CASES / "authorship-duplicate-position" / "broken.ttl").read_text("utf-8")
    graph = tmp_path / "blank.ttl"
    graph.write_text(text.replace("<https://w3id.org/kg/id/work/doi/10.1000/x1>", "_:paper"), "utf-8")

    def blank(term):  # blank node labels differ between runs
        return "_:" if term and term.startswith("_:") else term or ""

    def rows(report):
        return sorted((blank(r.focus), r.source, r.path or "", blank(r.value), r.message) for r in report.results)

    whole = validate(Target(files=(graph,)), DEFAULT_BASE, partition_size=None, engine="pyshacl")
    parts = validate(Target(files=(graph,)), DEFAULT_BASE, partition_size=1, jobs=1, engine="pyshacl")
    assert rows(whole) == rows(parts)
    assert {(r[0], r[1]) for r in rows(parts)} >= {("_:", SHAPE.format("author-position-unique")),
                                                   ("_:", SHAPE.format("OwnIriShape"))}


@pytest.mark.slow
def test_partitioned_equals_whole_graph_with_author_list_defects(tmp_path):
    """The generated corpus with duplicate and missing author positions added,
    so every sh:sparql rule fires: pySHACL on partitions == pySHACL on the whole graph."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate_graph import generate

    lines = generate(60, seed=3)
    position = "<https://w3id.org/kg/ns#authorPosition>"
    changed, out = 0, []
    for line in lines:
        if position in line and '"2"' in line and changed < 4:
            line = line.replace('"2"', '"1"' if changed % 2 else '"5"')
            changed += 1
        out.append(line)
    graph = tmp_path / "defects.nt"
    graph.write_text("".join(out), "utf-8")
    whole = validate(Target(files=(graph,)), DEFAULT_BASE, partition_size=None, engine="pyshacl")
    parts = validate(Target(files=(graph,)), DEFAULT_BASE, partition_size=7, jobs=2, engine="pyshacl")
    assert whole.results == parts.results
    assert {SHAPE.format(n) for n in ("author-position-unique", "author-positions-contiguous", "paper-page-order")} <= {
        r.source for r in whole.results}


def test_partition_graphs_are_what_rdflib_parses_from_the_same_text():
    """The worker's term-caching reader gives rdflib's own terms, odd literals included."""
    import pyoxigraph as ox
    from rdflib.compare import isomorphic

    from kg.validate.shacl import partition_graph

    store = ox.Store()
    store.load(
        '<https://e.org/a> <https://e.org/p> "line\\nbreak \\"quoted\\" back\\\\slash \u2028 sep \u0085 x . y"@en-GB .\n'
        '<https://e.org/a> <https://e.org/p> "01"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        '<https://e.org/a> <https://e.org/p> "plain"^^<http://www.w3.org/2001/XMLSchema#string> .\n'
        '<https://e.org/a> <https://e.org/q> _:b1 .\n_:b1 <https://e.org/p> "tab\\there" .\n'
        '<https://e.org/caf\u00e9> <https://e.org/p> <https://e.org/a> .\n',
        format=ox.RdfFormat.N_TRIPLES)
    text = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).decode("utf-8")
    ours = partition_graph(text)
    assert len(ours) == 6
    assert isomorphic(ours, Graph().parse(data=text, format="nt"))


def test_an_authorship_cut_off_from_its_paper_is_checked_with_its_person_in_partitions(tmp_path):
    """An authorship no paper owns lands in the last partition; without the
    description of the person it points at, pySHACL there reported a false
    sh:class violation that the whole graph and the native engine do not."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate_graph import generate

    context = "<http://purl.org/spar/pro/isDocumentContextFor>"
    lines = generate(12, seed=5)
    cut = next(line for line in lines if context in line)
    graph = tmp_path / "orphan.nt"
    graph.write_text("".join(line for line in lines if line != cut), "utf-8")
    whole = validate(Target(files=(graph,)), DEFAULT_BASE, partition_size=None, engine="pyshacl")
    parts = validate(Target(files=(graph,)), DEFAULT_BASE, partition_size=4, jobs=1, engine="pyshacl")
    native = validate(Target(files=(graph,)), DEFAULT_BASE)
    assert parts.results == whole.results == native.results
    orphan = cut.split()[2]
    assert any(r.focus == orphan for r in parts.results)  # it is checked: it has no paper
    assert not [r for r in parts.results if r.focus == orphan and r.component.endswith("ClassConstraintComponent")]
