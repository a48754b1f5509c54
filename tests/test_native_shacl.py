"""The native SHACL engine (kg.validate.native): kg's shapes compiled to
SPARQL give exactly pySHACL's results, on every golden case, on the example
and on randomly corrupted copies of it and of a generated corpus."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.validate import native
from kg.validate.run import Target, load_shapes, validate
from kg.validate.shacl_sparql import plan as plan_sparql
from kg.vocab import DEFAULT_BASE, XSD

ROOT = Path(__file__).resolve().parents[1]
CASES = Path(__file__).resolve().parent / "data" / "validation"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "expected.json").is_file())
KGSH = "https://w3id.org/kg/shapes#"


def both(path: Path, shapes_directory: Path | None = None):
    target = Target(files=(path,))
    ours = validate(target, DEFAULT_BASE, jobs=1, engine="native", shapes_directory=shapes_directory)
    # pySHACL on the whole graph (partitions see an orphaned node's neighbours
    # only in part); the sh:sparql constraints on Oxigraph in both runs, so the
    # comparison is of the SHACL Core engines (rdflib's SPARQL aggregates
    # order ill-typed values unlike Oxigraph's: see kg.validate.shacl_sparql).
    theirs = validate(target, DEFAULT_BASE, jobs=1, engine="pyshacl", shapes_directory=shapes_directory,
                      partition_size=None, native_sparql=True)
    return ours, theirs


def test_every_kg_shape_compiles():
    _sparql, rest = plan_sparql(load_shapes(DEFAULT_BASE))
    made = native.plan(rest)
    assert len(made.engines) == 42
    assert set(made.engines.values()) == {"native"}
    assert not made.needs_pyshacl


@pytest.mark.parametrize("case", CASE_NAMES)
def test_native_equals_pyshacl_on_the_golden_cases(case):
    for name in ("broken.ttl", "fixed.ttl"):
        ours, theirs = both(CASES / case / name)
        assert ours.results == theirs.results


def test_native_equals_pyshacl_on_the_example(example_build):
    ours, theirs = both(example_build.ntriples)
    assert ours.results == theirs.results
    assert len(ours.results) == len(theirs.results) > 0


def corrupt(lines: list[str], seed: int, changes: int) -> list[str]:
    """Random deletions, wrong values and datatypes, second values and lost
    types: each a defect some shape is about. (No well-formed date against a
    numeric bound: SPARQL finds them incomparable, a violation as SHACL
    says; rdflib compares them and pySHACL lets them pass.)"""
    rng = random.Random(seed)
    out = list(lines)
    junk = ['"junk"', f'"12"^^<{XSD}integer>', f'"-3"^^<{XSD}integer>', f'"2.5"^^<{XSD}decimal>', '"x"@en',
            f'"abc"^^<{XSD}gYear>', "<https://example.org/elsewhere>"]
    for _ in range(changes):
        i = rng.randrange(len(out))
        subject, predicate, rest = out[i].rstrip("\n").split(" ", 2)
        kind = rng.randrange(4)
        if kind == 0:
            del out[i]
        elif kind == 1:
            out[i] = f"{subject} {predicate} {rng.choice(junk)} .\n"
        elif kind == 2:
            out.append(f"{subject} {predicate} {rng.choice(junk)} .\n")
        else:
            out[i] = f"{rng.choice(['_:b' + str(i), subject])} {predicate} {rest}\n"
    return out


@pytest.mark.parametrize("seed", range(6))
def test_native_equals_pyshacl_on_a_corrupted_example(example_build, tmp_path, seed):
    path = tmp_path / "corrupt.nt"
    path.write_text("".join(corrupt(example_build.lines, seed, 60)), "utf-8")
    ours, theirs = both(path)
    assert ours.results == theirs.results
    assert len(ours.results) > 0


@pytest.fixture(scope="module")
def corpus_lines():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate_graph import generate

    return generate(1000)


@pytest.mark.parametrize("seed", range(3))
def test_native_equals_pyshacl_on_a_corrupted_generated_corpus(corpus_lines, tmp_path, seed):
    path = tmp_path / "corrupt.nt"
    path.write_text("".join(corrupt(corpus_lines, 100 + seed, 400)), "utf-8")
    ours, theirs = both(path)
    assert ours.results == theirs.results
    assert len(ours.results) > 400


UNSUPPORTED = '''
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix ex: <https://example.org/shapes#> .

ex:person-knows a sh:PropertyShape ;
    sh:targetClass foaf:Person ;
    sh:path foaf:knows ;
    sh:minCount 1 ;
    sh:sparql [ sh:select """SELECT $this WHERE {
        { SELECT $this (COUNT(?k) AS ?n) WHERE { $this <http://xmlns.com/foaf/0.1/knows> ?k } GROUP BY $this }
        FILTER (?n > 100) }""" ] ;
    sh:severity sh:Info ;
    sh:message "Knows nobody." .
'''


def test_a_shape_that_does_not_compile_goes_to_pyshacl_and_verbose_says_so(tmp_path):
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    for source in (ROOT / "shapes").glob("*.ttl"):
        (shapes / source.name).write_text(source.read_text("utf-8"), "utf-8")
    (shapes / "extra.ttl").write_text(UNSUPPORTED, "utf-8")
    graph = CASES / "person-no-name" / "broken.ttl"
    ours, theirs = both(graph, shapes)
    assert ours.results == theirs.results
    assert any(r.source == "<https://example.org/shapes#person-knows>" for r in ours.results)
    assert dict(ours.engines)["<https://example.org/shapes#person-knows>"] == "pyshacl: sh:sparql"
    done = CliRunner().invoke(cli, ["validate", str(graph), "--shapes", str(shapes), "--verbose", "--fail-on", "none"])
    assert done.exit_code == 0, done.output
    assert "pyshacl: sh:sparql: <https://example.org/shapes#person-knows>" in done.stderr
    assert f"native: <{KGSH}person-name>" in done.stderr
    assert f"native SHACL-SPARQL: <{KGSH}paper-page-order>" in done.stderr


def test_cli_engines_give_the_same_report(tmp_path):
    graph = CASES / "authorship-no-position" / "broken.ttl"
    runs = [CliRunner().invoke(cli, ["validate", str(graph), "--engine", e, "--format", "json", "-q"]) for e in ("native", "pyshacl")]
    assert [r.exit_code for r in runs] == [1, 1]
    assert runs[0].stdout == runs[1].stdout


def test_compiled_paths_cover_every_shacl_path_kind():
    from rdflib import Graph

    from kg.validate.native.expressions import sparql_path

    graph = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
        ex:s sh:path ( [ sh:inversePath ex:a ] [ sh:alternativePath ( ex:b [ sh:zeroOrMorePath ex:c ] ) ]
                       [ sh:oneOrMorePath ex:d ] [ sh:zeroOrOnePath ex:e ] ) .""", format="turtle")
    path = next(o for s, p, o in graph if str(p).endswith("#path"))
    assert sparql_path(graph, path) == ("(^(<https://example.org/a>)/(<https://example.org/b>|(<https://example.org/c>)*)"
                                        "/(<https://example.org/d>)+/(<https://example.org/e>)?)")


def test_native_in_worker_processes_on_a_store_equals_pyshacl(example_build):
    """On an embedded store the queries run in worker processes that open it read-only."""
    target = Target(store=example_build.store)
    ours = validate(target, DEFAULT_BASE, jobs=2, engine="native")
    theirs = validate(target, DEFAULT_BASE, jobs=2, engine="pyshacl")
    assert ours.results == theirs.results
    assert len(ours.results) > 0


NESTED = '''
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/shapes#> .

ex:has-named a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:property ex:has-named-part .
ex:has-named-part a sh:PropertyShape ;
    sh:path ex:part ;
    sh:node ex:Named ;
    sh:message "A part has no name." .
ex:Named a sh:NodeShape ;
    sh:property ex:Named-name .
ex:Named-name a sh:PropertyShape ;
    sh:path ex:name ;
    sh:minCount 1 ;
    sh:message "No name." .
'''


def test_pyshacl_reports_no_sh_detail_as_a_result(tmp_path):
    """pySHACL nests why a value failed sh:node under the result as sh:detail;
    those are not results of the report (SHACL 3.6.2), in either engine."""
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "nested.ttl").write_text(NESTED, "utf-8")
    graph = tmp_path / "data.ttl"
    graph.write_text("@prefix ex: <https://example.org/shapes#> .\n"
                     "ex:a a ex:Thing ; ex:part ex:x , ex:y .\nex:x ex:name \"x\" .\n", "utf-8")
    ours, theirs = both(graph, shapes)
    assert ours.results == theirs.results
    assert [(r.focus, r.value, r.message) for r in theirs.results] == [
        ("<https://example.org/shapes#a>", "<https://example.org/shapes#y>", "A part has no name.")]


def pattern_shapes(tmp_path, pattern: str) -> Path:
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "pattern.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<https://example.org/twice> a sh:PropertyShape ; sh:targetSubjectsOf <https://example.org/code> ;\n"
        f"  sh:path <https://example.org/code> ; sh:pattern {pattern} ; sh:message \"Not a doubled letter.\" .\n",
        "utf-8")
    return shapes


def test_a_pattern_oxigraph_cannot_compile_goes_to_pyshacl(tmp_path):
    """A back-reference: Python's re reads it, Oxigraph's REGEX does not (every
    value would have failed it natively)."""
    shapes = pattern_shapes(tmp_path, r'"^(.)\\1$"')
    graph = tmp_path / "data.ttl"
    graph.write_text('<https://example.org/a> <https://example.org/code> "aa" , "ab" .\n', "utf-8")
    ours, theirs = both(graph, shapes)
    assert dict(ours.engines)["<https://example.org/twice>"] == "pyshacl: sh:pattern that Oxigraph cannot compile"
    assert ours.results == theirs.results
    assert [r.value for r in ours.results] == ['"ab"']


def test_a_pattern_that_is_no_regular_expression_is_a_usage_error(tmp_path):
    graph = tmp_path / "data.ttl"
    graph.write_text('<https://example.org/a> <https://example.org/code> "aa" .\n', "utf-8")
    done = CliRunner().invoke(cli, ["validate", str(graph), "--shapes", str(pattern_shapes(tmp_path, '"(ab"'))])
    assert done.exit_code == 2, done.output
    assert "sh:pattern '(ab' is not a regular expression" in done.stderr
