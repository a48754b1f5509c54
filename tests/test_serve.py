"""`kg serve`: a read-only SPARQL endpoint over the embedded store."""

from __future__ import annotations

import json
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request

import pytest
from click.testing import CliRunner

from conftest import free_port
from serving import kg_serve, store_copy
from kg.sinks import serve as serve_module
from kg.cli import cli
from kg.sinks.endpoint import select
from kg.errors import InputError


@pytest.fixture(scope="module")
def example_store(tmp_path_factory, example_build):
    """A copy of the example store, so the server has it to itself."""
    return store_copy(tmp_path_factory, example_build), len(example_build.lines)


@pytest.fixture
def served(example_store):
    """`kg serve` in a child process; SIGTERM stops it and its Oxigraph server."""
    store, triples = example_store
    with kg_serve(store) as server:
        yield server.url, triples


def test_select_over_http(served):
    url, triples = served
    answer = select(f"{url}/query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(answer["results"]["bindings"][0]["n"]["value"]) == triples
    query = urllib.parse.urlencode({"query": "SELECT ?class WHERE { ?x a ?class } ORDER BY ?class LIMIT 1"})
    request = urllib.request.Request(f"{url}/query?{query}", headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.load(response)["results"]["bindings"]


def test_updates_are_refused(served):
    url, triples = served
    for path, body, kind in [
        ("/update", b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", "application/sparql-update"),
        ("/store?default", b"<urn:a> <urn:b> <urn:c> .\n", "application/n-triples"),
    ]:
        request = urllib.request.Request(f"{url}{path}", data=body, headers={"Content-Type": kind}, method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 403
    answer = select(f"{url}/query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(answer["results"]["bindings"][0]["n"]["value"]) == triples


def test_missing_server_binary_tells_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InputError) as missing:
        serve_module.find_oxigraph()
    assert missing.value.exit_code == 3 and "pip install oxigraph" in str(missing.value)


def test_busy_port_and_missing_store(example_store, tmp_path):
    store, _ = example_store
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--store", str(store), "--port", str(port)])
    assert result.exit_code == 3 and f"127.0.0.1:{port}" in result.output
    result = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path / "nothing"), "--port", str(free_port())])
    assert result.exit_code == 2 and "kg build" in result.output
