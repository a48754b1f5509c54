"""Checked query parameters: IRIs as CURIEs or paths under the base, closed
lists of values, and DOIs, ISSNs and ORCIDs as people paste them."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import UsageError
from kg.query.registry import Parameter, parse_query_file, to_term
from kg.vocab import DEFAULT_BASE

REPPER = f"{DEFAULT_BASE}person/julie-repper"
HODGES = f"{DEFAULT_BASE}work/hodges-2007-0336e28305"


@pytest.fixture
def kg(example_build, monkeypatch, tmp_path):
    """`kg query ...` on the example graph, from a folder with no kg.toml."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KG_BASE", raising=False)

    def invoke(*args, store: Path | None = None):
        return CliRunner().invoke(cli, ["query", *args, "--store", str(store or example_build.store)])

    return invoke


def rows(outcome) -> list[dict[str, str]]:
    assert outcome.exit_code == 0, outcome.output
    return list(csv.DictReader(io.StringIO(outcome.stdout)))


def refused(outcome) -> str:
    """The one-line message of a usage error (exit 2)."""
    assert outcome.exit_code == 2, outcome.output
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error: "), outcome.stderr
    assert "Traceback" not in outcome.output
    return lines[0]


# -- IRIs: full, CURIEs, paths under the base ---------------------------------------


def coauthors(kg, author: str) -> list[str]:
    return [row["coauthor"] for row in rows(kg("author-coauthors", "-p", "author", author, "--format", "csv"))]


@pytest.mark.parametrize("given", ["person:julie-repper", "person/julie-repper", f" {REPPER} "])
def test_an_author_as_curie_path_or_full_iri_gives_the_same_rows(kg, given):
    full = coauthors(kg, REPPER)
    assert len(full) == 5 and all(iri.startswith(f"{DEFAULT_BASE}person/") for iri in full)
    assert coauthors(kg, given) == full


def test_work_venue_and_vocabulary_curies(kg):
    details = rows(kg("work-details", "-p", "work", "work:hodges-2007-0336e28305", "--format", "csv"))
    assert details and details == rows(kg("work-details", "-p", "work", HODGES, "--format", "csv"))
    works = rows(kg("concept-works", "-p", "concept", "kgc:peer-support", "--format", "csv"))
    assert HODGES in [row["work"] for row in works]


def test_curies_of_kg_prefixes_follow_the_base_in_use(kg, monkeypatch):
    monkeypatch.setenv("KG_BASE", "https://example.org/review/")
    assert coauthors(kg, "person:julie-repper") == []  # https://example.org/review/person/julie-repper
    assert len(coauthors(kg, REPPER)) == 5
    term = to_term(Parameter("author", "iri", True, None, ""), "person/julie-repper", base="https://example.org/r#")
    assert term == ox.NamedNode("https://example.org/r#person/julie-repper")


@pytest.mark.parametrize("given", ["foo:bar", "julie-repper", "people/julie-repper", "doi:10.1000/xyz"])
def test_an_iri_of_an_unknown_scheme_or_prefix_is_refused(kg, given):
    message = refused(kg("author-coauthors", "-p", "author", given))
    assert f"parameter author: {given!r} is not an IRI kg knows" in message
    for expected in ("full IRI (https://", "person:", "work:", "venue:", "source:", "kgc:", "fabio:", "path under the base"):
        assert expected in message


def test_full_iris_keep_working_whatever_their_namespace(kg):
    assert rows(kg("author-coauthors", "-p", "author", "urn:uuid:0b8f3a3e-1d0e-4f51-9d1c-2f1a1a1a1a1a", "--format", "csv")) == []
    assert rows(kg("author-coauthors", "-p", "author", "https://example.org/someone", "--format", "csv")) == []
    assert rows(kg("author-coauthors", "-p", "author", "tag:example.org,2026:julie", "--format", "csv")) == []
    assert rows(kg("author-coauthors", "-p", "author", "mailto:julie@example.org", "--format", "csv")) == []


# -- closed lists of values ---------------------------------------------------------


@pytest.mark.parametrize("query, name, allowed", [
    ("curation-merges", "kind", "all, work, person"),
    ("curation-missing-metadata", "field", "all, title, venue, abstract, year, authors"),
])
def test_an_enumerated_parameter_refuses_other_values_and_help_lists_them(kg, query, name, allowed):
    assert refused(kg(query, "-p", name, "nonsense")) == f"kg: error: parameter {name}: 'nonsense' is not one of {allowed}"
    help_text = CliRunner().invoke(cli, ["query", query, "--help"])
    assert help_text.exit_code == 0
    assert f"{name} (one of {allowed}; optional, default all)" in " ".join(help_text.output.split())


def test_enumerated_values_filter_and_ignore_case(kg):
    everything = rows(kg("curation-merges", "--format", "csv"))
    work = rows(kg("curation-merges", "-p", "kind", "work", "--format", "csv"))
    people = rows(kg("curation-merges", "-p", "kind", "PERSON", "--format", "csv"))
    assert sorted(map(str, work + people)) == sorted(map(str, everything))
    assert all("/work/" in row["merged"] for row in work) and all("/person/" in row["merged"] for row in people)
    titles = rows(kg("curation-missing-metadata", "-p", "field", "Abstract", "--format", "csv"))
    assert {row["missing"] for row in titles} <= {"abstract"}


@pytest.mark.parametrize("declared, problem", [
    ("kind enum optional -- no values", "enum(a|b|c)"),
    ("kind enum(a||b) optional -- an empty value", "enum(a|b|c)"),
    ("kind enum(a|A) optional -- a value twice", "enum(a|b|c)"),
    ("kind string(a|b) optional -- a list on another type", "no other type takes a list"),
    ("kind enum(a|b) optional default=c -- a default not listed", "'c' is not one of a, b"),
])
def test_a_bad_enum_declaration_is_the_files_fault(tmp_path, declared, problem):
    path = tmp_path / "q.rq"
    path.write_text(f"# title: t\n# param: {declared}\nSELECT ?s WHERE {{ ?s ?p $kind }} ORDER BY ?s\n", encoding="utf-8")
    with pytest.raises(UsageError, match=re.escape(problem)):
        parse_query_file(path)


def test_an_enum_declaration_parses(tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("# param: kind enum(work|person) required -- which\nSELECT ?s WHERE { ?s ?p $kind } ORDER BY ?s\n")
    (parameter,) = parse_query_file(path).parameters
    assert (parameter.type, parameter.choices) == ("enum", ("work", "person"))
    assert to_term(parameter, " Person ") == ox.Literal("person")


# -- DOIs, ISSNs and ORCIDs as pasted --------------------------------------------------

CSL = [{
    "id": "w1", "type": "article-journal", "title": "Peer support workers in practice",
    "DOI": "10.1108/MHSI-01-2016-0001", "ISSN": ["2042-8308"], "container-title": "Mental Health and Social Inclusion",
    "issued": {"date-parts": [[2016]]},
    "author": [{"family": "Author", "given": "Ada", "ORCID": "https://orcid.org/0000-0002-1694-233X"},
               {"family": "Baker", "given": "Ben"}],
}]


@pytest.fixture(scope="module")
def identifiers_store(tmp_path_factory) -> Path:
    """A graph built by `kg build` from one CSL-JSON record with a DOI, an ISSN and an ORCID."""
    folder = tmp_path_factory.mktemp("identifiers")
    (folder / "refs.json").write_text(json.dumps(CSL), encoding="utf-8")
    built = CliRunner().invoke(cli, ["build", str(folder / "refs.json"), "--store", str(folder / "store"), "--no-tag", "-q",
                                     "--base", DEFAULT_BASE])
    assert built.exit_code == 0, built.output
    return folder / "store"


@pytest.mark.parametrize("query, name, pasted, column", [
    ("lookup-doi", "doi", "https://doi.org/10.1108/MHSI-01-2016-0001", "work"),
    ("lookup-doi", "doi", " doi: 10.1108/MHSI-01- 2016-0001 ", "work"),
    ("lookup-doi", "doi", "10.1108/mhsi-01-2016-0001", "work"),
    ("lookup-issn", "issn", "20428308", "venue"),
    ("lookup-issn", "issn", "2042 8308", "venue"),
    ("lookup-orcid", "orcid", "https://orcid.org/0000-0002-1694-233x", "person"),
    ("lookup-orcid", "orcid", "0000 0002 1694 233X", "person"),
])
def test_identifiers_are_found_as_pasted(kg, identifiers_store, query, name, pasted, column):
    found = rows(kg(query, "-p", name, pasted, "--format", "csv", store=identifiers_store))
    assert len(found) == 1 and found[0][column].startswith(f"{DEFAULT_BASE}{column}/")


@pytest.mark.parametrize("query, name, pasted, expected", [
    ("lookup-doi", "doi", "MHSI-01-2016-0001", "is not a DOI"),
    ("lookup-issn", "issn", "2042-8309", "is not one ISSN"),  # check digit
    ("lookup-issn", "issn", "2042-8308 2042-8316", "is not one ISSN"),
    ("lookup-orcid", "orcid", "0000-0002-1694-2338", "is not an ORCID iD"),  # check digit
])
def test_what_is_not_an_identifier_is_refused(kg, identifiers_store, query, name, pasted, expected):
    message = refused(kg(query, "-p", name, pasted, store=identifiers_store))
    assert f"parameter {name}: {pasted!r} {expected}" in message


def test_a_bad_parameter_is_reported_before_a_missing_store(tmp_path):
    from click.testing import CliRunner

    from kg.cli import cli

    result = CliRunner().invoke(cli, ["query", "author-coauthors", "-p", "author", "foo:bar",
                                      "--store", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "is not an IRI kg knows" in result.output and "no kg store" not in result.output
