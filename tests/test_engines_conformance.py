"""Every named query gives the same rows on every engine (README: "Named queries").

The reference is the embedded Oxigraph store (:func:`kg.query.run.run_local`); each
other engine runs the same query with the same parameters on the same data and must
give the same rows, compared as sorted CSV lines with numbers, booleans and dates
compared by value (engines spell ``2.0`` and ``2``, or a date's zone, differently).

Three data sets: the example corpus, a graph built here from a CSL-JSON record set
that has what the example listing lacks (DOIs, ISSNs, ORCIDs, volume and pages), and
the hand-written fixture of tests/test_queries.py. Engines run where they are
installed and skip saying how to install them otherwise; adding one is one line in
ENGINES. Where an engine is wrong rather than kg, the case is in KNOWN_DIFFERENCES
(an xfail, strict) and in docs/engines.md.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from engines import jena
from test_queries import DATA
from test_queries_engines import CORPUS_PARAMS, FIXTURE_PARAMS, params_for, remote

from kg.pipeline import build_graph, write_outputs
from kg.query.registry import NamedQuery, bind_parameters, load_queries
from kg.query.run import (
    QueryResult,
    from_sparql_json,
    run_local,
    run_rdflib,
    run_remote,
    with_values_block,
)
from kg.vocab import DEFAULT_BASE

ID = DEFAULT_BASE
XSD = "http://www.w3.org/2001/XMLSchema#"
QUERIES = sorted(load_queries())

# -- the data sets -----------------------------------------------------------------

RECORDS = [
    {
        "id": "one", "type": "article-journal", "DOI": "10.1186/s12888-019-2145-9",
        "title": "Peer support workers in mental health services: a trial",
        "container-title": "BMC Psychiatry", "ISSN": ["1471-244X"], "volume": "19", "issue": "1", "page": "109-118",
        "issued": {"date-parts": [[2019, 5, 14]]},
        "abstract": "Peer support by people with lived experience of mental illness aids recovery.",
        "author": [
            {"family": "Mahlke", "given": "Candelaria", "ORCID": "https://orcid.org/0000-0002-1825-0097"},
            {"family": "Slade", "given": "Mike"},
        ],
    },
    {
        "id": "two", "type": "article-journal", "DOI": "10.1186/s12888-021-0001-1",
        "title": "Recovery colleges and peer support",
        "container-title": "BMC Psychiatry", "ISSN": ["1471-244X"], "volume": "21", "page": "7",
        "issued": {"date-parts": [[2021]]},
        "author": [{"family": "Slade", "given": "Mike"}, {"family": "Mahlke", "given": "Candelaria", "ORCID": "0000-0002-1825-0097"}],
    },
    {  # a co-author's co-author, for author-potential-collaborators
        "id": "three", "type": "article-journal", "title": "Recovery and lived experience",
        "container-title": "Journal of Mental Health", "issued": {"date-parts": [[2020, 2]]},
        "author": [{"family": "Slade", "given": "Mike"}, {"family": "Repper", "given": "Julie"}],
    },
    {  # the first record again, exported twice: a work merge for curation-merges
        "id": "one-again", "type": "article-journal", "DOI": "https://doi.org/10.1186/S12888-019-2145-9",
        "title": "Peer support workers in mental health services: a trial", "container-title": "BMC Psychiatry",
        "issued": {"date-parts": [[2019]]}, "author": [{"family": "Mahlke", "given": "C."}, {"family": "Slade", "given": "M."}],
    },
]
CURATION = """
[[correct]]  # a value from the curation file, for the curation-* queries
work = "10.1186/s12888-021-0001-1"
pages = "7-15"
who = "A. Curator"
when = 2026-11-29
note = "from the PDF"

[[correct]]  # a row that matches nothing
work = "10.9999/nowhere"
title = "Lost"
who = "A. Curator"
when = 2026-11-29
"""
RECORD_PARAMS = dict(
    CORPUS_PARAMS,
    work=f"{ID}work/doi/10.1186/s12888-019-2145-9",
    author=f"{ID}person/orcid/0000-0002-1825-0097",
    venue=f"{ID}venue/issn/1471-244X",
    doi="https://doi.org/10.1186/S12888-019-2145-9",
    issn="1471244X",
    orcid="0000-0002-1825-0097",
    text="slade",
    year="2019",
)


@dataclass
class DataSet:
    name: str
    ntriples: Path
    params: dict[str, str]
    store: ox.Store


def load(name: str, path: Path, params: dict[str, str]) -> DataSet:
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    return DataSet(name, path, params, store)


def as_ntriples(turtle: Path, target: Path) -> Path:
    """The Turtle file as N-Triples (what `kg load` and every engine here read)."""
    ox.serialize(ox.parse(path=str(turtle), format=ox.RdfFormat.TURTLE), output=str(target), format=ox.RdfFormat.N_TRIPLES)
    return target


@pytest.fixture(scope="module")
def datasets(example_build, tmp_path_factory) -> dict[str, DataSet]:
    folder = tmp_path_factory.mktemp("conformance")
    (folder / "records.json").write_text(json.dumps(RECORDS), encoding="utf-8")
    (folder / "curation.toml").write_text(CURATION, encoding="utf-8")
    built = build_graph([folder / "records.json"], DEFAULT_BASE, curation=folder / "curation.toml")
    write_outputs(built, store=None, output=folder / "records.nt")
    return {
        "example": load("example", example_build.ntriples, CORPUS_PARAMS),
        "records": load("records", folder / "records.nt", RECORD_PARAMS),
        "fixture": load("fixture", as_ntriples(DATA / "fixture.ttl", folder / "fixture.nt"), FIXTURE_PARAMS),
    }


# -- answers as sorted CSV ------------------------------------------------------------

NUMBERS = {f"{XSD}{t}" for t in (
    "integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong",
    "unsignedShort", "unsignedByte",
)}


def cell(term) -> str:
    """A term as a CSV cell: IRIs as they are, literals by value where they have one."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:b"
    if isinstance(term, ox.NamedNode):
        return term.value
    kind, value = term.datatype.value if term.datatype else "", term.value
    if kind in NUMBERS:
        try:
            number = Decimal(value.strip())
            return "0" if number == 0 else format(number.normalize(), "f")
        except InvalidOperation:
            return value
    if kind == f"{XSD}boolean":
        return str(value.strip() in ("true", "1")).lower()
    if kind in (f"{XSD}date", f"{XSD}dateTime") and value.endswith(("Z", "+00:00")):
        return value.removesuffix("Z").removesuffix("+00:00")
    return f"{value}@{term.language}" if term.language else value


def as_csv(result: QueryResult) -> list[str] | bool:
    """The answer as sorted CSV lines (the header first), or the ASK answer."""
    if result.form == "ask":
        return bool(result.boolean)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if result.form == "graph":
        body = [[cell(t.subject), cell(t.predicate), cell(t.object)] for t in result.triples]
        header = ["subject", "predicate", "object"]
    else:
        body = [[cell(term) for term in row] for row in result.rows]
        header = list(result.variables)
    writer.writerows(sorted(body))
    return [",".join(header)] + out.getvalue().splitlines()


# -- the engines ----------------------------------------------------------------------

Runner = Callable[[pytest.FixtureRequest, DataSet, NamedQuery, dict], QueryResult]


def triples_result(ntriples: str) -> QueryResult:
    return QueryResult("graph", triples=[q.triple for q in ox.parse(ntriples.encode(), format=ox.RdfFormat.N_TRIPLES)])


def on_rdflib(request, data: DataSet, query: NamedQuery, params: dict) -> QueryResult:
    graphs = request.getfixturevalue("rdflib_graphs")
    if data.name not in graphs:
        graphs[data.name] = rdflib.Graph().parse(data.ntriples)
    return run_rdflib(graphs[data.name], query, params)


def on_oxigraph_server(request, data: DataSet, query: NamedQuery, params: dict) -> QueryResult:
    """A real Oxigraph server through `kg query --endpoint` (the CLI a user runs)."""
    server = request.getfixturevalue("loaded_oxigraph")
    if query.form == "graph":
        text = remote(server, query.name, params, "nt")
        return triples_result(text)
    return from_sparql_json(json.loads(remote(server, query.name, params)))


def on_jena(request, data: DataSet, query: NamedQuery, params: dict) -> QueryResult:
    answer = request.getfixturevalue("jena_answers")[(data.name, query.name)]
    if isinstance(answer, jena.JenaError):
        raise answer
    if query.form == "graph":
        return triples_result(answer)
    return from_sparql_json(json.loads(answer))


def on_virtuoso(request, data: DataSet, query: NamedQuery, params: dict) -> QueryResult:
    """Virtuoso 7 (tests/virtuoso.py): the example graph from the `virtuoso_example`
    fixture, the other data sets loaded by `kg load` into named graphs of its server."""
    try:
        server = request.getfixturevalue("virtuoso_example")
    except pytest.FixtureLookupError:
        pytest.skip("no virtuoso_example fixture in tests/conftest.py yet")
    graph = getattr(server, "graph", None)
    if data.name != "example":
        from conftest import kg_load_into

        loaded = request.getfixturevalue("virtuoso_loaded")
        graph = f"https://example.org/graph/kg-conformance-{data.name}"
        if data.name not in loaded:
            kg_load_into(request.getfixturevalue("virtuoso_server").url, "virtuoso", data.ntriples, graph)
            loaded.add(data.name)
    return run_remote(server.query_url, query, params, graph=graph)


EXAMPLE_ONLY = ("example",)
ALL_DATA = ("example", "records", "fixture")
# name -> (how to run a query, the data sets it holds)
ENGINES: dict[str, tuple[Runner, tuple[str, ...]]] = {
    "rdflib": (on_rdflib, ALL_DATA),
    "oxigraph-server": (on_oxigraph_server, EXAMPLE_ONLY),
    "jena": (on_jena, ALL_DATA),
    "virtuoso": (on_virtuoso, ALL_DATA),
}

# (engine, query) -> the engine's error or wrong answer; see docs/engines.md
KNOWN_DIFFERENCES: dict[tuple[str, str], str] = {}


def cases():
    for engine, (_run, holds) in ENGINES.items():
        for data in holds:
            for name in QUERIES:
                known = KNOWN_DIFFERENCES.get((engine, name))
                marks = [pytest.mark.xfail(strict=True, reason=known)] if known else []
                yield pytest.param(engine, data, name, marks=marks, id=f"{engine}-{data}-{name}")


@pytest.fixture(scope="module")
def rdflib_graphs() -> dict[str, rdflib.Graph]:
    return {}


@pytest.fixture(scope="module")
def virtuoso_loaded() -> set[str]:
    return set()


@pytest.fixture(scope="module")
def jena_answers(tmp_path_factory, datasets) -> dict[tuple[str, str], str | jena.JenaError]:
    """Jena's answer to every query on every data set, (data set, query) -> answer, run
    at once: one JVM a query, in parallel."""
    why_not = jena.available()
    if why_not:
        pytest.skip(f"Apache Jena is not installed: {why_not}")
    jobs = {}
    for data in datasets.values():
        for name, query in load_queries().items():
            text = with_values_block(query.text, bind_parameters(query, params_for(query, data.params)))
            jobs[(data.name, name)] = (data.ntriples, text, query.form == "graph")
    return jena.Jena(tmp_path_factory.mktemp("jena")).run_all(jobs)


@pytest.mark.parametrize(("engine", "data", "name"), list(cases()))
def test_engine_gives_the_embedded_store_rows(engine, data, name, datasets, request):
    dataset = datasets[data]
    query = load_queries()[name]
    params = params_for(query, dataset.params)
    expected = as_csv(run_local(dataset.store, query, params))
    run, _holds = ENGINES[engine]
    assert as_csv(run(request, dataset, query, params)) == expected


def test_every_query_answers_something_on_some_data_set(datasets):
    """Guard against engines agreeing on nothing: each query has rows (or true, or
    triples) on at least one data set."""
    silent = []
    for name, query in load_queries().items():
        results = [run_local(d.store, query, params_for(query, d.params)) for d in datasets.values()]
        if not any(r.boolean or r.rows or r.triples for r in results):
            silent.append(name)
    assert silent == []


def test_engine_versions_are_reported(record_property):
    """The Jena version the conformance cases ran on (the report's table)."""
    if jena.available():
        pytest.skip(jena.available())
    record_property("jena", jena.version())
    assert jena.version().startswith("4.")
