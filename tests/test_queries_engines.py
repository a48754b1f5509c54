"""The parameter tables and helpers the engine tests share, and engine edge cases.

Every named query on every engine (rdflib, an Oxigraph server through
`kg query --endpoint`, Jena, Virtuoso) is compared with the embedded store in
tests/test_engines_conformance.py; this file keeps the cases that are not
row-for-row comparisons.
"""

from __future__ import annotations

import pytest
import rdflib
from click.testing import CliRunner

from kg.cli import cli
from kg.query.registry import load_queries
from kg.query.run import run_local, run_rdflib
from kg.sinks.store import open_store
from test_queries import ID, KGC, rows, simple

CORPUS_PARAMS = {
    "work": f"{ID}work/puschner-2019-6f1efec9f9",
    "author": f"{ID}person/julie-repper",
    "concept": f"{KGC}peer-support",
    "venue": f"{ID}venue/none",
    "doi": "10.1108/none",
    "orcid": "0000-0002-1825-0097",
    "issn": "2042-8308",
    "text": "rep",
    "year": "2016",
}
FIXTURE_PARAMS = dict(
    CORPUS_PARAMS,
    work=f"{ID}work/doi/10.1108/mhsi-01-2016-0001",
    author=f"{ID}person/ben-baker",
    venue=f"{ID}venue/issn/2042-8308",
    doi="https://doi.org/10.1108/MHSI-01-2016-0001",
    text="peer",
)
QUERIES = sorted(load_queries())


def params_for(query, table):
    return {p.name: table[p.name] for p in query.parameters if p.required}


def plain(result):
    if result.form == "ask":
        return result.boolean
    if result.form == "graph":
        return sorted((simple(t.subject), simple(t.predicate), simple(t.object)) for t in result.triples)
    return result.variables, rows(result)


@pytest.fixture(scope="module")
def corpus_graph(example_build):
    return rdflib.Graph().parse(example_build.ntriples, format="nt")


@pytest.fixture(scope="module")
def corpus_store(example_build):
    return open_store(example_build.store, read_only=True)


def remote(server, name, params, fmt="sparql-json"):
    args = ["query", name, "--endpoint", server.query_url, "--format", fmt]
    for key, value in params.items():
        args += ["-p", key, value]
    outcome = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert outcome.exit_code == 0, outcome.output
    return outcome.output


def test_most_corpus_answers_are_not_empty(corpus_store):
    """Guard against three engines agreeing on nothing."""
    answered = []
    for name, query in load_queries().items():
        result = run_local(corpus_store, query, params_for(query, CORPUS_PARAMS))
        if result.boolean or result.rows or result.triples:
            answered.append(name)
    assert len(answered) >= 25


def test_update_words_in_comments_do_not_make_a_query_an_update(loaded_oxigraph):
    """Regression: SPARQLWrapper took "add" in a header comment for an update."""
    from kg.sinks import endpoint

    query = (
        "# title: count\n# solution: add the ORCID to the record.\n"
        "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nSELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    )
    answer = endpoint.select(loaded_oxigraph.query_url, query)
    assert int(answer["results"]["bindings"][0]["n"]["value"]) > 0


NOTHING = {
    "iri": "https://example.org/nothing", "string": "zz-matches-nothing", "integer": "1", "decimal": "0", "year": "1700",
    "doi": "10.9999/nothing", "issn": "1234-5679", "orcid": "0000-0002-1694-233X",
}


@pytest.mark.parametrize("name", QUERIES)
def test_rdflib_agrees_when_nothing_matches(name, corpus_store, corpus_graph):
    """rdflib 7 joins an empty grouped subquery as one empty row; the queries guard
    against it, so an answer that should be empty is empty on both engines."""
    query = load_queries()[name]
    params = {p.name: NOTHING[p.type] for p in query.parameters if p.required}
    assert plain(run_rdflib(corpus_graph, query, params)) == plain(run_local(corpus_store, query, params))
