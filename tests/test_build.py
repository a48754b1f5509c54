"""kg build end to end: golden graphs, the example's facts, determinism, the store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, to_isomorphic

from kg.sinks.store import open_store
from kg.rdf.sort import SortedStatements
from kg.pipeline import build_graph, write_outputs
from kg.read.inputs import display_names
from kg.vocab import DEFAULT_BASE, KG

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLE = ROOT / "examples" / "peer-support" / "peer-support-listing.txt"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())


def case_inputs(case: Path) -> list[Path]:
    listed = case / "inputs"
    if listed.is_file():
        return [ROOT / line for line in listed.read_text().split()]
    return sorted(p for p in case.iterdir() if p.name.startswith("input"))


@pytest.mark.parametrize("case", CASES)
def test_golden_graph(case):
    """Each case folder holds inputs and the expected graph, checked by hand."""
    built = build_graph(case_inputs(GOLDEN / case), DEFAULT_BASE, tag=False)
    actual = Graph().parse(data="".join(built.lines), format="nt")
    expected = Graph().parse(GOLDEN / case / "expected.nt", format="nt")
    if to_isomorphic(actual) != to_isomorphic(expected):
        _, only_actual, only_expected = graph_diff(to_isomorphic(actual), to_isomorphic(expected))
        pytest.fail(
            "graph differs from golden\nonly in actual:\n"
            + only_actual.serialize(format="nt")
            + "\nonly in expected:\n"
            + only_expected.serialize(format="nt")
        )


@pytest.fixture(scope="module")
def example_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("build")
    built = build_graph([EXAMPLE], DEFAULT_BASE, tag=False)
    write_outputs(built, store=folder / "store", output=None)
    return open_store(folder / "store"), built


PREFIXES = """
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX pro: <http://purl.org/spar/pro/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX kg: <https://w3id.org/kg/ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""


def rows(store, query):
    return [tuple(None if v is None else v.value for v in solution) for solution in store.query(PREFIXES + query)]


def test_example_papers_as_printed(example_store):
    store, _ = example_store
    found = rows(store, """
        SELECT ?line ?year ?vol ?issue ?first ?last (COUNT(?a) AS ?authors) ?truncated WHERE {
          ?p fabio:hasPublicationYear ?year ; prov:wasDerivedFrom/kg:sourceLine ?line .
          OPTIONAL { ?p prism:volume ?vol } OPTIONAL { ?p prism:number ?issue }
          OPTIONAL { ?p prism:startingPage ?first } OPTIONAL { ?p prism:endingPage ?last }
          OPTIONAL { ?p kg:authorListTruncated ?truncated }
          ?p pro:isDocumentContextFor ?a .
        } GROUP BY ?line ?year ?vol ?issue ?first ?last ?truncated ORDER BY ?line""")
    assert found == [
        ("1", "2007", "14", "3", "81", "92", "1", None),
        ("8", "2016", "20", "3", "149", "152", "1", None),
        ("17", "2014", "18", "1", "35", "44", "2", None),
        ("27", "2016", "20", "2", "80", "91", "3", None),
        ("38", "2019", "17", "2", "29", "31", "2", None),
        ("48", "2020", None, None, None, None, "3", None),
        ("57", "2019", "85", "1", None, None, "5", "true"),
    ]


def test_example_has_one_title(example_store):
    store, _ = example_store
    assert rows(store, "SELECT ?t WHERE { ?p dcterms:title ?t }") == [
        ("Peer Support Among Consumers of Professional Mental Health Services",)
    ]


def test_julie_repper_is_one_person_with_two_papers(example_store):
    store, built = example_store
    found = rows(store, """
        SELECT ?person (COUNT(DISTINCT ?p) AS ?papers) WHERE {
          ?person foaf:name "Julie Repper" . ?p dcterms:creator ?person } GROUP BY ?person""")
    assert found == [(f"{DEFAULT_BASE}person/julie-repper", "2")]
    assert built.summary.people == 16 and built.summary.papers == 7


def test_authorship_positions_and_names_as_printed(example_store):
    store, _ = example_store
    found = rows(store, """
        SELECT ?pos ?printed ?given ?family WHERE {
          ?p prov:wasDerivedFrom/kg:sourceLine 57 ; pro:isDocumentContextFor ?a .
          ?a kg:authorPosition ?pos ; kg:nameAsPrinted ?printed ; pro:isHeldBy ?who ;
             pro:withRole pro:author .
          ?who foaf:givenName ?given ; foaf:familyName ?family .
        } ORDER BY ?pos""")
    assert found == [
        ("1", "Bernd Puschner", "Bernd", "Puschner"),
        ("2", "Julie Repper", "Julie", "Repper"),
        ("3", "Candelaria Mahlke", "Candelaria", "Mahlke"),
        ("4", "Rebecca Nixdorf", "Rebecca", "Nixdorf"),
        ("5", "David Basangwa", "David", "Basangwa"),
    ]


def test_abstract_sections_in_order(example_store):
    store, _ = example_store
    found = rows(store, """
        SELECT ?n ?label WHERE {
          ?p prov:wasDerivedFrom/kg:sourceLine 48 ; kg:abstractSection ?s .
          ?s kg:sectionPosition ?n ; kg:sectionLabel ?label } ORDER BY ?n""")
    assert found == [("1", "Background"), ("2", "Methods"), ("3", "Results"), ("4", "Conclusions")]


def test_no_blank_nodes(example_store):
    store, _ = example_store
    for quad in store:
        assert not isinstance(quad.subject, ox.BlankNode) and not isinstance(quad.object, ox.BlankNode)


def test_rebuild_replaces_instead_of_duplicating(tmp_path):
    store_dir = tmp_path / "store"
    first = build_graph([EXAMPLE], DEFAULT_BASE, tag=False)
    write_outputs(first, store=store_dir, output=None)
    other = tmp_path / "other.txt"
    other.write_text("2021 ◽\nAuthor(s):\nAna Silva\n", encoding="utf-8")
    write_outputs(build_graph([other], DEFAULT_BASE, tag=False), store=store_dir, output=None)
    write_outputs(first, store=store_dir, output=None)
    store = open_store(store_dir)
    assert len(store) == len(first.lines)


def test_base_iri_is_used_for_every_minted_iri():
    built = build_graph([EXAMPLE], "http://example.org/lit/", tag=False)
    subjects = {line.split(" ", 1)[0] for line in built.lines}
    assert subjects and all(s.startswith("<http://example.org/lit/") for s in subjects)


def test_file_order_and_hash_seed_do_not_change_output(tmp_path):
    second = tmp_path / "b" / "second.txt"
    second.parent.mkdir()
    second.write_text("A second corpus\n\n2021 ◽\nAuthor(s):\nJulie Repper ◽\nAna Silva\n", encoding="utf-8")
    outputs = []
    for seed, order in (("1", [EXAMPLE, second]), ("4242", [second, EXAMPLE])):
        out = tmp_path / f"out-{seed}.nt"
        subprocess.run(
            [sys.executable, "-m", "kg", "build", *map(str, order), "--no-tag", "--no-store", "-q", "-o", str(out)],
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=tmp_path,
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert b"Julie Repper" in outputs[0]


@pytest.mark.parametrize("suffix", [".nt", ".nq", ".ttl", ".trig", ".jsonld", ".nt.gz"])
def test_every_output_format_parses_back_to_the_same_graph(tmp_path, suffix):
    built = build_graph([EXAMPLE], DEFAULT_BASE, tag=False)
    out = tmp_path / f"graph{suffix}"
    write_outputs(built, store=None, output=out)
    again = tmp_path / f"again{suffix}"
    write_outputs(built, store=None, output=again)
    assert out.read_bytes() == again.read_bytes()
    if suffix.endswith(".gz"):
        import gzip

        data = gzip.decompress(out.read_bytes())
        fmt = ox.RdfFormat.N_TRIPLES
    else:
        data = out.read_bytes()
        fmt = ox.RdfFormat.from_extension(suffix[1:])
    parsed = sorted(f"{t.subject} {t.predicate} {t.object} .\n" for t in ox.parse(data, format=fmt))
    assert parsed == built.lines


def test_display_names_are_shortest_distinguishing_suffix(tmp_path):
    a, b, c = tmp_path / "x" / "refs.txt", tmp_path / "y" / "refs.txt", tmp_path / "y" / "other.txt"
    assert display_names([a, b, c]) == {a: "x/refs.txt", b: "y/refs.txt", c: "other.txt"}


def test_store_holds_exactly_the_statements_of_the_file(example_build):
    """Literals are written in the canonical form Oxigraph stores, so a dump of
    the store equals the N-Triples file line for line."""
    store = open_store(example_build.store)
    dumped = sorted(f"{q.subject} {q.predicate} {q.object} .\n" for q in store)
    assert dumped == example_build.lines
    assert example_build.ntriples.read_text("utf-8") == "".join(example_build.lines)


def test_author_keywords_and_index_terms_stay_apart_in_the_graph(tmp_path):
    nbib = tmp_path / "one.nbib"
    nbib.write_text(
        "PMID- 1\nTI  - Peer support in psychosis.\nDP  - 2020 Jan\nFAU - Silva, Ana\nAU  - Silva A\n"
        "OT  - peer support\nMH  - *Peer Group\nMH  - Humans\n",
        encoding="utf-8",
    )
    built = build_graph([nbib], DEFAULT_BASE, tag=False)
    objects = {
        (line.split(" ", 2)[1], line.split(" ", 2)[2].rsplit(" .", 1)[0])
        for line in built.lines
        if "/work/" in line.split(" ", 1)[0]
    }
    assert ("<http://prismstandard.org/namespaces/basic/2.0/keyword>", '"peer support"') in objects
    assert ("<https://w3id.org/kg/ns#subjectHeading>", '"Peer Group"') in objects
    assert ("<https://w3id.org/kg/ns#subjectHeading>", '"Humans"') in objects
    assert ("<https://w3id.org/kg/ns#majorHeading>", '"Peer Group"') in objects
    assert ("<https://w3id.org/kg/ns#majorHeading>", '"Humans"') not in objects


def test_spilled_runs_give_the_same_output_as_one_run(tmp_path):
    """Past run_size lines the statements are sorted in runs on disk and merged;
    the files and the store must not tell the difference."""
    whole = build_graph([EXAMPLE], DEFAULT_BASE)
    spilled = build_graph([EXAMPLE], DEFAULT_BASE, run_size=100)
    assert len(spilled.statements.files) == 1 and whole.statements.files == []  # runs merged into one file
    assert spilled.summary.triples == whole.summary.triples == len(whole.lines)
    write_outputs(spilled, store=tmp_path / "store", output=tmp_path / "spilled.nt")
    write_outputs(whole, store=None, output=tmp_path / "whole.nt")
    assert (tmp_path / "spilled.nt").read_bytes() == (tmp_path / "whole.nt").read_bytes()
    assert len(open_store(tmp_path / "store")) == whole.summary.triples


def test_the_summary_counts_every_concept_assignment_in_the_graph():
    # Assignments are tagged and counted after the rest of the graph is mapped.
    example = ROOT / "examples" / "peer-support"
    built = build_graph([example], DEFAULT_BASE)
    in_graph = [line for line in built.lines if f" <{KG}conceptAssignment> " in line]
    assert built.summary.assignments == len(in_graph) > 0
    assert build_graph([example], DEFAULT_BASE, tag=False).summary.assignments == 0


def spilled(lines: list[str], keep_runs: bool) -> SortedStatements:
    """``lines`` sorted in runs of 150, some of them repeated in later runs."""
    statements = SortedStatements(run_size=150, keep_runs=keep_runs)
    for start in range(0, len(lines), 100):
        statements.extend(lines[start:start + 100])
    statements.extend(lines[::7])
    return statements.finish()


@pytest.mark.parametrize("keep_runs", [False, True], ids=["merged", "runs kept"])
def test_spilled_statements_are_the_lines_sorted_once_each_merged_or_kept_as_runs(keep_runs):
    lines = build_graph([ROOT / "examples" / "peer-support"], DEFAULT_BASE).lines[::-1]
    statements = spilled(lines, keep_runs)
    assert len(statements.files) > 1 if keep_runs else len(statements.files) == 1
    assert list(statements) == sorted(lines) and statements.count == len(lines)
    assert list(statements.sorted_lines()) == [line.encode("utf-8") for line in sorted(lines)]
    with statements.open_sorted() as merged:
        assert merged.read() == "".join(sorted(lines)).encode("utf-8")


def test_a_run_longer_than_one_write_is_written_whole(monkeypatch):
    from kg.rdf import sort as sort_module

    monkeypatch.setattr(sort_module, "WRITE_LINES", 40)  # runs of 150 lines: four writes each
    lines = build_graph([ROOT / "examples" / "peer-support"], DEFAULT_BASE).lines[::-1]
    statements = spilled(lines, keep_runs=True)
    assert list(statements) == sorted(lines) and statements.count == len(lines)


@pytest.mark.parametrize("keep_runs", [False, True], ids=["merged", "runs kept"])
@pytest.mark.parametrize("name", ["graph.nt", "graph.nq", "graph.ttl", "graph.nt.gz"])
def test_spilled_statements_write_the_file_their_lines_give_and_hash_it_while_writing(tmp_path, name, keep_runs):
    # N-Triples are copied from the sorted files as bytes; the hash is taken while writing.
    import hashlib

    from kg.read.cache import content_hash
    from kg.sinks.files import write_file

    statements = spilled(build_graph([ROOT / "examples" / "peer-support"], DEFAULT_BASE).lines, keep_runs)
    from_files, from_lines = tmp_path / "a" / name, tmp_path / "b" / name
    from_files_digest, from_lines_digest = hashlib.sha256(), hashlib.sha256()
    write_file(statements, from_files, digest=from_files_digest)
    write_file(list(statements), from_lines, digest=from_lines_digest)
    assert from_lines_digest.hexdigest() == from_files_digest.hexdigest() == content_hash(from_files)
    assert from_files.read_bytes() == from_lines.read_bytes()


@pytest.mark.parametrize("how", ["merged", "runs kept", "in one run"])
def test_statements_go_to_the_loader_in_blocks_of_whole_lines_of_about_the_size_asked(how):
    built = build_graph([ROOT / "examples" / "peer-support"], DEFAULT_BASE)
    statements = built.statements if how == "in one run" else spilled(built.lines, keep_runs=how == "runs kept")
    blocks = list(statements.byte_chunks(4096))
    assert len(blocks) > 1 and all(block.endswith(b"\n") for block in blocks)
    assert all(len(block) < 4096 + 2048 for block in blocks)  # a block ends at the first line end past the size
    assert b"".join(blocks).decode("utf-8") == "".join(built.lines)
