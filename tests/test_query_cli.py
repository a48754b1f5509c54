"""`kg query` through click's CliRunner: formats, exit codes, help, safety."""

from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree as ET

import click
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.sinks.store import open_store
from kg.cli import cli
from kg.query.registry import NamedQuery, Parameter, bind_parameters, load_queries, parse_query_file
from kg.query.results import ROW_FORMATS
from kg.query.run import with_values_block

REPPER = "https://w3id.org/kg/id/person/julie-repper"
PUSCHNER = "https://w3id.org/kg/id/work/puschner-2019-6f1efec9f9"
HODGES = "https://w3id.org/kg/id/work/hodges-2007-0336e28305"
COAUTHORS = ["Bernd Puschner", "Candelaria Mahlke", "Catherine Conchar", "David Basangwa", "Rebecca Nixdorf"]


@pytest.fixture
def kg(example_build):
    def invoke(*args):
        return CliRunner().invoke(cli, ["query", *args, "--store", str(example_build.store)]
                                  if args and args[0] not in ("list", "show") else ["query", *args])
    return invoke


def coauthors(kg, fmt):
    outcome = kg("author-coauthors", "-p", "author", REPPER, "--format", fmt)
    assert outcome.exit_code == 0, outcome.output
    return outcome.output


# -- formats ------------------------------------------------------------------------


def test_sparql_json_is_w3c_results(kg):
    document = json.loads(coauthors(kg, "sparql-json"))
    assert document["head"]["vars"] == ["coauthor", "name", "works"]  # no parameter column
    names = [b["name"]["value"] for b in document["results"]["bindings"]]
    assert names == COAUTHORS
    first = document["results"]["bindings"][0]
    assert first["coauthor"] == {"type": "uri", "value": "https://w3id.org/kg/id/person/bernd-puschner"}
    assert first["works"] == {"type": "literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
    parsed = ox.parse_query_results(coauthors(kg, "sparql-json").encode(), format=ox.QueryResultsFormat.JSON)
    assert len(list(parsed)) == 5


def test_json_is_a_list_of_plain_objects(kg):
    rows = json.loads(coauthors(kg, "json"))
    assert rows[0] == {"coauthor": "https://w3id.org/kg/id/person/bernd-puschner", "name": "Bernd Puschner", "works": 1}
    assert [r["name"] for r in rows] == COAUTHORS and all(r["works"] == 1 for r in rows)


def test_plain_json_when_piped_by_default(kg):
    outcome = kg("author-coauthors", "-p", "author", REPPER)
    assert outcome.exit_code == 0
    assert json.loads(outcome.output) == json.loads(coauthors(kg, "json"))


def test_sparql_xml_is_w3c_results(kg):
    text = coauthors(kg, "sparql-xml")
    ns = {"s": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(text)
    assert [v.get("name") for v in root.findall("s:head/s:variable", ns)] == ["coauthor", "name", "works"]
    names = [b.find("s:literal", ns).text for b in root.findall("s:results/s:result/s:binding[@name='name']", ns)]
    assert names == COAUTHORS
    parsed = ox.parse_query_results(text.encode(), format=ox.QueryResultsFormat.XML)
    assert [s["name"].value for s in parsed] == COAUTHORS


def test_csv_and_tsv(kg):
    table = list(csv.reader(io.StringIO(coauthors(kg, "csv"))))
    assert table[0] == ["coauthor", "name", "works"]
    assert [row[1] for row in table[1:]] == COAUTHORS and all(row[2] == "1" for row in table[1:])
    raw = kg("author-coauthors", "-p", "author", REPPER, "--format", "csv").stdout_bytes
    assert raw.startswith(b"coauthor,name,works\r\n") and raw.count(b"\r\n") == 6
    assert coauthors(kg, "sparql-csv") == coauthors(kg, "csv")  # W3C CSV is plain values already
    lines = coauthors(kg, "tsv").splitlines()
    assert lines[0] == "coauthor\tname\tworks"
    assert lines[1].split("\t") == ["https://w3id.org/kg/id/person/bernd-puschner", "Bernd Puschner", "1"]


def test_sparql_tsv_is_w3c_results(kg):
    lines = coauthors(kg, "sparql-tsv").splitlines()
    assert lines[0] == "?coauthor\t?name\t?works"
    assert lines[1].split("\t")[0:2] == ["<https://w3id.org/kg/id/person/bernd-puschner>", '"Bernd Puschner"']
    parsed = ox.parse_query_results(coauthors(kg, "sparql-tsv").encode(), format=ox.QueryResultsFormat.TSV)
    assert [s["name"].value for s in parsed] == COAUTHORS


def test_table(kg):
    lines = coauthors(kg, "table").splitlines()
    assert lines[0].split() == ["coauthor", "name", "works"]
    assert set(lines[1]) == {"-", " "}
    assert [" ".join(line.split()[1:3]) for line in lines[2:]] == COAUTHORS
    assert lines[2].split()[0] == "person:bernd-puschner"  # CURIEs in tables, full IRIs elsewhere


def test_ask_formats(kg):
    args = ("work-has-author", "-p", "work", PUSCHNER, "-p", "author", REPPER)
    assert json.loads(kg(*args, "--format", "sparql-json").output) == {"head": {}, "boolean": True}
    assert json.loads(kg(*args, "--format", "json").output) == [{"boolean": True}]
    assert kg(*args, "--format", "jsonl").output == '{"boolean": true}\n'
    assert kg(*args, "--format", "tsv").output == "boolean\ntrue\n"
    assert kg(*args, "--format", "table").output == "true\n"
    assert "<boolean>true</boolean>" in kg(*args, "--format", "sparql-xml").output
    assert kg("work-has-author", "-p", "work", HODGES, "-p", "author", REPPER, "--format", "csv").output == "boolean\nfalse\n"  # CliRunner shows CRLF as LF


@pytest.mark.parametrize("fmt, rdf_format", [("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES), ("jsonld", ox.RdfFormat.JSON_LD)])
def test_construct_formats(kg, fmt, rdf_format):
    outcome = kg("work-export", "-p", "work", HODGES, "--format", fmt)
    assert outcome.exit_code == 0, outcome.output
    triples = {q.triple for q in ox.parse(outcome.output.encode(), format=rdf_format)}
    title = ox.Triple(ox.NamedNode(HODGES), ox.NamedNode("http://purl.org/dc/terms/title"),
                      ox.Literal("Peer Support Among Consumers of Professional Mental Health Services"))
    assert title in triples and len(triples) > 10


def test_construct_default_is_sorted_ntriples_when_piped(kg):
    lines = kg("work-export", "-p", "work", HODGES).output.splitlines()
    assert lines == sorted(lines) and all(line.endswith(" .") for line in lines)


@pytest.mark.parametrize("fmt", ROW_FORMATS)
def test_rows_end_with_a_newline_before_the_truncation_note(kg, fmt):
    for args in (("concept-works", "-p", "concept", "kgc:peer-support"), ("concept-works", "-p", "concept", "kgc:wounded-healer"),
                 ("author-coauthors", "-p", "author", "https://example.org/nobody")):
        outcome = kg(*args, "--format", fmt, "--limit", "1")
        assert outcome.exit_code == 0, outcome.output
        empty = fmt == "jsonl" and outcome.stdout == ""  # no rows: no lines
        assert empty or outcome.stdout.endswith("\n"), (args, fmt, outcome.stdout[-40:])


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld"])
def test_graphs_end_with_a_newline(kg, fmt):
    outcome = kg("work-export", "-p", "work", HODGES, "--format", fmt, "--limit", "2")
    assert outcome.exit_code == 0 and "more matched" in outcome.stderr
    assert outcome.stdout.endswith("\n") and not outcome.stdout.endswith("\n\n")
    assert kg("work-export", "-p", "work", "https://example.org/nothing", "--format", fmt).stdout in ("", "\n", "[]\n")


def test_format_must_suit_the_query(kg):
    assert kg("work-export", "-p", "work", HODGES, "--format", "csv").exit_code == 2
    assert kg("author-coauthors", "-p", "author", REPPER, "--format", "ttl").exit_code == 2


def test_limit_truncates_and_says_so(kg):
    outcome = kg("author-coauthors", "-p", "author", REPPER, "--limit", "2", "--format", "csv")
    assert outcome.exit_code == 0
    assert [row[1] for row in csv.reader(io.StringIO(outcome.stdout))][1:] == COAUTHORS[:2]
    assert "more matched" in outcome.stderr


def test_remote_limit_and_graph(loaded_oxigraph):
    args = ["query", "author-coauthors", "-p", "author", REPPER, "--endpoint", loaded_oxigraph.query_url, "--format", "csv"]
    outcome = CliRunner().invoke(cli, [*args, "--limit", "3"])
    assert outcome.exit_code == 0, outcome.output
    assert [row[1] for row in csv.reader(io.StringIO(outcome.stdout))][1:] == COAUTHORS[:3]
    assert "more matched" in outcome.stderr
    # the example lives in the server's default graph: a named graph that does not exist is empty
    empty = CliRunner().invoke(cli, [*args, "--graph", "https://example.org/no-such-graph"])
    assert empty.exit_code == 0 and empty.stdout.splitlines() == ["coauthor,name,works"]


def test_unreachable_endpoint_exits_3():
    outcome = CliRunner().invoke(cli, ["query", "class-counts", "--endpoint", "http://127.0.0.1:9/query"])
    assert outcome.exit_code == 3 and "cannot reach" in outcome.output


def test_store_and_endpoint_together_is_a_usage_error(example_build):
    outcome = CliRunner().invoke(cli, ["query", "class-counts", "--endpoint", "http://127.0.0.1:9/query",
                                       "--store", str(example_build.store)])
    assert outcome.exit_code == 2


# -- list, show, help ------------------------------------------------------------------


def test_list_and_show(kg):
    listing = kg("list").output
    first = listing.splitlines()[0]
    assert first.split()[0] == "author-coauthors" and first.endswith("Co-authors of an author  [author:iri]")
    assert len(listing.splitlines()) == len(load_queries()) >= 25
    registry = json.loads(kg("list", "--json").output)
    top = next(q for q in registry if q["name"] == "top-authors")
    assert top["parameters"] == [{"name": "min", "type": "integer", "required": False, "default": "1",
                                  "description": "count only people with at least this many works"}]
    assert kg("show", "author-coauthors").output.startswith("# title: Co-authors of an author")


def test_unknown_query_is_a_usage_error(kg):
    outcome = kg("author-coathors")
    assert outcome.exit_code == 2 and "no query named 'author-coathors'" in outcome.output
    assert "no query named 'author-coathors'" in kg("show", "author-coathors").output


def walk(command, path=()):
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            yield from walk(command.get_command(ctx, name), (*path, name))


def test_every_command_and_query_has_help_text():
    missing = [" ".join(path) for path, command in walk(cli) if not (command.help or "").strip()]
    assert missing == []
    for name, query in load_queries().items():
        outcome = CliRunner().invoke(cli, ["query", name, "--help"])
        assert outcome.exit_code == 0
        assert query.title in outcome.output and query.description[:40] in " ".join(outcome.output.split())
        for parameter in query.parameters:
            assert parameter.description in " ".join(outcome.output.split())


# -- parameters and safety ---------------------------------------------------------------


def test_missing_required_parameter_exits_2_with_its_description(kg):
    outcome = kg("author-coauthors")
    assert outcome.exit_code == 2
    assert "-p author" in outcome.output and "the person, e.g." in outcome.output


def test_unknown_and_repeated_parameters_exit_2(kg):
    assert kg("author-coauthors", "-p", "autor", REPPER).exit_code == 2
    assert kg("author-coauthors", "-p", "author", REPPER, "-p", "author", REPPER).exit_code == 2
    assert kg("top-authors", "-p", "min", "two").exit_code == 2
    assert kg("works-in-year", "-p", "year", "16").exit_code == 2


@pytest.mark.parametrize("bad", [
    "https://w3id.org/kg/id/person/x> } ; DROP ALL ; { <a:b",
    'https://example.org/"quoted"',
    "https://example.org/{braces}",
    "https://example.org/pipe|caret^back`tick",
    "https://example.org/back\\slash",
    "https://example.org/with space",
    "https://example.org/<angle>",
    "not-an-iri",
])
def test_bad_iris_are_refused_before_any_query(kg, bad):
    outcome = kg("author-coauthors", "-p", "author", bad)
    assert outcome.exit_code == 2
    assert "parameter author" in outcome.output and "IRI" in outcome.output


INJECTIONS = ['"} ; DROP ALL ; {"', "x' } ; DROP ALL ; { '", 'repper") } UNION { ?s ?p ?o } #', "\\\"} DROP ALL {", "rep\nDROP ALL"]


@pytest.mark.parametrize("text", INJECTIONS)
def test_strings_are_bound_as_inert_values(kg, corpus_store_size, text):
    store, size = corpus_store_size
    outcome = kg("lookup-name", "-p", "text", text, "--format", "json")
    assert outcome.exit_code == 0, outcome.output
    assert json.loads(outcome.output) == []  # matched nothing, dumped nothing
    assert len(open_store(store)) == size


@pytest.mark.parametrize("text", INJECTIONS)
def test_strings_are_inert_on_a_remote_endpoint(loaded_oxigraph, text):
    before = CliRunner().invoke(cli, ["query", "graph-summary", "--endpoint", loaded_oxigraph.query_url, "--format", "csv"]).stdout
    outcome = CliRunner().invoke(cli, ["query", "lookup-name", "-p", "text", text, "--endpoint", loaded_oxigraph.query_url, "--format", "json"])
    assert outcome.exit_code == 0, outcome.output
    assert json.loads(outcome.stdout) == []
    after = CliRunner().invoke(cli, ["query", "graph-summary", "--endpoint", loaded_oxigraph.query_url, "--format", "csv"]).stdout
    assert before == after and before.count("\n") == 2


@pytest.fixture
def corpus_store_size(example_build):
    return example_build.store, len(open_store(example_build.store))


def test_values_block_holds_escaped_terms_only():
    query = NamedQuery("q", None, "SELECT $t ?s WHERE { ?s ?p $t } ORDER BY ?s", parameters=(Parameter("t", "string", True, None, "t"),))
    text = with_values_block(query.text, bind_parameters(query, {"t": '"} ; DROP ALL ; {"'}))
    assert text == 'SELECT $t ?s WHERE { VALUES (?t) { ("\\"} ; DROP ALL ; {\\"") }\n ?s ?p $t } ORDER BY ?s'
    assert isinstance(ox.Store().query(text), ox.QuerySolutions)  # still one query, parsed as such


def test_values_blocks_open_the_innermost_group_of_each_use():
    text = "SELECT ?w ?n WHERE { { SELECT ?w WHERE { ?w <p:s> $c } } OPTIONAL { ?w <p:t> ?n FILTER(?n != $t) } FILTER($t != $c) } ORDER BY ?w"
    query = NamedQuery("q", None, text, parameters=(Parameter("c", "iri", True, None, "c"), Parameter("t", "string", True, None, "t")))
    bound = with_values_block(text, bind_parameters(query, {"c": "https://example.org/c", "t": "x"}))
    assert bound == ('SELECT ?w ?n WHERE { VALUES (?c ?t) { (<https://example.org/c> "x") }\n'
                     ' { SELECT ?w WHERE { VALUES (?c) { (<https://example.org/c>) }\n ?w <p:s> $c } }'
                     ' OPTIONAL { VALUES (?t) { ("x") }\n ?w <p:t> ?n FILTER(?n != $t) } FILTER($t != $c) } ORDER BY ?w')


def test_a_filter_in_a_union_branch_sees_the_parameter(fixture_query_store):
    text = 'SELECT ?x WHERE { { BIND("a" AS ?x) FILTER(?x = $t) } UNION { BIND("b" AS ?x) FILTER(?x = $t) } } ORDER BY ?x'
    query = NamedQuery("q", None, text, parameters=(Parameter("t", "string", True, None, "t"),))
    from kg.query.run import run_local

    assert [row[0].value for row in run_local(fixture_query_store, query, {"t": "b"}).rows] == ["b"]


@pytest.fixture
def fixture_query_store():
    return ox.Store()


def test_a_subquery_is_restricted_by_its_parameter():
    """A subquery that does not project the parameter must still see its value (a
    single VALUES block at the top would leave it counting every concept)."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("https://example.org/w1"), ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/a")))
    store.add(ox.Quad(ox.NamedNode("https://example.org/w2"), ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/b")))
    text = ("SELECT ?n WHERE { { SELECT (COUNT(?w) AS ?n) WHERE { ?w <https://example.org/s> $c } } } ORDER BY ?n")
    query = NamedQuery("q", None, text, parameters=(Parameter("c", "iri", True, None, "c"),))
    from kg.query.run import run_local

    assert [row[0].value for row in run_local(store, query, {"c": "https://example.org/a"}).rows] == ["1"]


def test_updates_are_refused(tmp_path):
    (tmp_path / "wipe.rq").write_text("# title: Wipe\n# description: Drops everything.\nDROP ALL\n", "utf-8")
    (tmp_path / "insert.rq").write_text("# title: Insert\n# description: x\nINSERT DATA { <a:a> <a:b> <a:c> }\n", "utf-8")
    for name in ("wipe", "insert"):
        outcome = CliRunner().invoke(cli, ["query", "--queries", str(tmp_path), name, "--store", str(tmp_path / "s")])
        assert outcome.exit_code == 2 and "SPARQL update" in outcome.output


def test_subfolders_are_not_named_queries(tmp_path):
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "dup.rq").write_text("# title: t\nSELECT * {} ORDER BY ?x\n", "utf-8")
    (tmp_path / "top.rq").write_text("# title: t\nSELECT * {} ORDER BY ?x\n", "utf-8")
    assert list(load_queries(tmp_path)) == ["top"]
    assert "checks" not in load_queries()


def test_malformed_parameter_line_is_a_usage_error(tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("# title: t\n# param: who uri required -- w\nSELECT * {}\n", "utf-8")
    with pytest.raises(Exception, match="unknown parameter type 'uri'"):
        parse_query_file(path)
