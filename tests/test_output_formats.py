"""Output conventions: CURIEs in text for people, full IRIs in machine formats,
plain query formats for shells and spreadsheets, visible control characters,
--limit 0 refused, one order of the named queries."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.query.results import QUERY_FORMATS, plain_value
from kg.sinks.store import open_store
from kg.vocab import CONCEPTS, PREFIXES, XSD, display_prefixes, prefixed_name

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "peer-support"
CASES = ROOT / "tests" / "data" / "validation"
MY_BASE = "https://w3id.org/my-review/"
REPPER = "person/julie-repper"


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env)


# -- the one display prefix lookup -------------------------------------------------


def test_display_prefixes_follow_the_base_and_leave_turtle_prefixes_alone():
    assert prefixed_name(f"https://w3id.org/kg/id/{REPPER}") == "person:julie-repper"
    assert prefixed_name(f"{MY_BASE}work/doi/10.1/x", MY_BASE) == "work:doi/10.1/x"
    assert prefixed_name(f"{MY_BASE}venue/issn/0006-4971", MY_BASE) == "venue:issn/0006-4971"
    assert prefixed_name(f"https://w3id.org/kg/id/{REPPER}", MY_BASE) is None  # another base: no CURIE
    assert prefixed_name(f"{CONCEPTS}peer-support", MY_BASE) == "kgc:peer-support"
    assert dict(display_prefixes(MY_BASE))["source"] == f"{MY_BASE}source/"
    assert not {"work", "person", "venue", "source", "kgsh"} & set(PREFIXES)  # Turtle headers unchanged


# -- kg stats ------------------------------------------------------------------------


def test_stats_is_a_class_table_in_curies_then_the_triple_count(example_build):
    outcome = invoke("stats", "--store", str(example_build.store))
    assert outcome.exit_code == 0, outcome.output
    table, triples = outcome.stdout.split("\n\n")
    lines = table.splitlines()
    assert lines[0].split() == ["class", "count"] and set(lines[1]) == {"-", " "}
    classes = [line.split()[0] for line in lines[2:]]
    assert "foaf:Person" in classes and "kg:SourceRecord" in classes and classes == sorted(classes)
    assert not any(c.startswith("http") or c == "triples" for c in classes)
    assert triples == f"triples: {len(open_store(example_build.store))}\n"


# -- CURIEs under the base in use --------------------------------------------------


@pytest.fixture(scope="module")
def my_store(tmp_path_factory) -> str:
    store = tmp_path_factory.mktemp("my-base") / "store"
    outcome = invoke("build", str(EXAMPLE), "--store", str(store), "--base", MY_BASE, "--no-tag", "-q")
    assert outcome.exit_code == 0, outcome.output
    return str(store)


def test_tables_use_the_configured_base_and_machine_formats_full_iris(my_store):
    args = ("query", "author-coauthors", "-p", "author", MY_BASE + REPPER, "--store", my_store)
    table = invoke(*args, "--format", "table", env={"KG_BASE": MY_BASE})
    assert table.exit_code == 0, table.output
    assert table.stdout.splitlines()[2].split()[0] == "person:bernd-puschner"
    other = invoke(*args, "--format", "table", env={"KG_BASE": None})  # the default base: no CURIE fits
    assert other.stdout.splitlines()[2].split()[0] == f"{MY_BASE}person/bernd-puschner"
    rows = json.loads(invoke(*args, "--format", "json", env={"KG_BASE": MY_BASE}).stdout)
    assert rows[0]["coauthor"] == f"{MY_BASE}person/bernd-puschner"
    stats = invoke("stats", "--store", my_store, env={"KG_BASE": MY_BASE})
    assert stats.exit_code == 0 and "foaf:Person" in stats.stdout


# -- plain formats, escapes, control characters --------------------------------------

ODD_QUERY = r"""# title: Odd values
# description: Literals with tabs, line breaks, control characters and numbers.
SELECT ?text ?n ?d ?big ?inf ?b ?iri ?none
WHERE {
  VALUES (?text ?n ?d ?big ?inf ?b ?iri) {
    ("a\tb\nc\\d\u0007e\u0000f\u0085g\u202Eh" 42 2.5 "007"^^<http://www.w3.org/2001/XMLSchema#integer>
     "INF"^^<http://www.w3.org/2001/XMLSchema#double> true <https://w3id.org/kg/id/person/x>)
  }
  OPTIONAL { ?iri <urn:x:nothing> ?none }
}
ORDER BY ?text
"""
ODD_TEXT = "a\tb\nc\\d\x07e\x00f\x85g\u202eh"


@pytest.fixture(scope="module")
def odd(example_build, tmp_path_factory):
    folder = tmp_path_factory.mktemp("queries")
    (folder / "odd.rq").write_text(ODD_QUERY, "utf-8")

    def run(fmt: str):
        outcome = invoke("query", "--queries", str(folder), "odd", "--store", str(example_build.store), "--format", fmt)
        assert outcome.exit_code == 0, outcome.output
        return outcome.stdout
    return run


ODD_ROW = {"text": ODD_TEXT, "n": 42, "d": 2.5, "big": 7, "inf": "INF", "b": True,
           "iri": "https://w3id.org/kg/id/person/x", "none": None}


def test_json_and_jsonl_hold_plain_values(odd):
    assert json.loads(odd("json")) == [ODD_ROW]
    lines = odd("jsonl").splitlines()  # splitlines also breaks at U+0085: JSON escapes it
    assert len(lines) == 1 and json.loads(lines[0]) == ODD_ROW


def test_tsv_escapes_what_would_break_a_row_and_csv_quotes(odd):
    header, row = odd("tsv").split("\n")[:2]
    assert header.split("\t") == list(ODD_ROW)
    cells = row.split("\t")
    assert cells[0] == "a\\tb\\nc\\\\d\x07e\x00f\x85g\u202eh"
    assert cells[1:] == ["42", "2.5", "7", "INF", "true", "https://w3id.org/kg/id/person/x", ""]
    table = list(csv.reader(io.StringIO(odd("csv"), newline="")))
    assert table[1][0] == ODD_TEXT and table[1][6] == "https://w3id.org/kg/id/person/x"


def test_table_makes_control_characters_visible(odd):
    text = odd("table")
    assert "a b c\\d␇e␀f\\u0085g\\u202eh" in text  # layout folded to spaces, controls shown
    assert not any(c in text for c in "\x07\x00\x85\u202e\t")
    assert text.splitlines()[2].split()[-2:] == ["true", "person:x"]


def test_plain_values_keep_what_is_not_a_valid_number():
    from pyoxigraph import Literal, NamedNode

    def typed(text: str, name: str):
        return plain_value(Literal(text, datatype=NamedNode(f"{XSD}{name}")))
    assert (typed("1_000", "integer"), typed("NaN", "double"), typed("-3", "int"), typed("1e3", "double")) == ("1_000", "NaN", -3, 1000.0)
    assert (typed("1", "boolean"), typed("yes", "boolean")) == (True, "yes")


# -- formats are listed once -----------------------------------------------------------


def test_query_formats_are_the_ones_the_option_offers():
    from kg.cli.options import QUERY_FORMATS as offered

    assert offered is QUERY_FORMATS
    assert {"table", "json", "jsonl", "csv", "tsv", "sparql-json", "sparql-xml", "sparql-csv", "sparql-tsv",
            "ttl", "nt", "jsonld"} == set(QUERY_FORMATS)
    outcome = invoke("query", "top-authors", "--format", "xml")
    assert outcome.exit_code == 2 and "sparql-xml" in outcome.output


# -- --limit 0, query order --------------------------------------------------------------


def test_limit_zero_is_refused(example_build):
    outcome = invoke("query", "top-authors", "--store", str(example_build.store), "--limit", "0", "--format", "csv")
    assert outcome.exit_code == 2
    assert outcome.stdout == "" and "more matched" not in outcome.output and "--limit" in outcome.output
    one = invoke("query", "top-authors", "--store", str(example_build.store), "--limit", "1", "--format", "csv")
    assert one.exit_code == 0 and len(one.stdout.splitlines()) == 2 and "first 1 result(s)" in one.stderr


def test_list_and_help_order_the_queries_by_name():
    listing = invoke("query", "list")
    assert listing.exit_code == 0
    listed = [line.split()[0] for line in listing.stdout.splitlines()]
    help_text = invoke("query", "--help")
    assert help_text.exit_code == 0
    section = help_text.stdout.split("Queries (kg query NAME --help for parameters):\n")[1]
    helped = [line.split()[0] for line in section.splitlines() if line.startswith("  ") and line[2] != " "]
    as_json = [q["name"] for q in json.loads(invoke("query", "list", "--json").stdout)]
    assert listed == helped == as_json == sorted(listed)
    assert listed.index("author-works") < listed.index("author-works-per-year")


# -- concepts and validate follow the same rule ---------------------------------------------


def test_concepts_list_text_has_curies_and_json_full_iris():
    text = invoke("concepts", "list")
    assert text.exit_code == 0 and "peer support  (kgc:peer-support)" in text.stdout.splitlines()
    tree = json.loads(invoke("concepts", "list", "--format", "json").stdout)
    assert {node["concept"] for node in tree} >= {f"{CONCEPTS}peer-support"}
    assert all(node["concept"].startswith(CONCEPTS) for node in tree)


def test_validate_json_has_plain_iris_and_text_curies():
    broken = str(CASES / "paper-year-range" / "broken.ttl")
    outcome = invoke("validate", broken, "--format", "json")
    assert outcome.exit_code == 1
    document = json.loads(outcome.stdout)
    assert not any(rule.startswith("<") for rule in document["rules"])
    result = document["results"][0]
    assert result["focus"] == "https://w3id.org/kg/id/work/doi/10.1000/x1"
    assert result["source"] == "https://w3id.org/kg/shapes#paper-year-range"
    assert (result["value"], result["value_datatype"], result["value_language"]) == ("2999", f"{XSD}gYear", None)
    text = invoke("validate", broken).stdout
    assert "  work:doi/10.1000/x1\n" in text and '= "2999"^^xsd:gYear]' in text
