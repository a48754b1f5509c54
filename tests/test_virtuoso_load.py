"""`kg load --profile virtuoso` against a real Virtuoso 7, through the endpoints
that take a user's updates (/sparql-auth, /sparql-graph-crud-auth) behind HTTP
Digest auth, and `kg query --endpoint` over Digest giving the embedded store's
rows. Skipped where Virtuoso is not installed (`.ci/run` installs it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request

import pytest
from click.testing import CliRunner

from conftest import free_port
from kg.cli import cli
from kg.config import Config
from kg.errors import EndpointError
from kg.model import NoProgress
from kg.query.registry import load_queries
from kg.sinks.load import STAGING_PREFIX, load, make_plan, payload_from_files
from virtuoso import LOADER, VirtuosoServer, isql_binary, virtuoso_binary

pytestmark = pytest.mark.skipif(
    not virtuoso_binary() or not isql_binary(), reason="Virtuoso is not installed (apt-get install virtuoso-opensource)"
)

TARGET = "https://example.org/graph/digest-target"
LOADER_ENV = {"KG_ENDPOINT_USER": LOADER[0], "KG_ENDPOINT_PASSWORD": LOADER[1]}


def anonymous_select(server: VirtuosoServer, query: str) -> list[dict]:
    """Read through the anonymous /sparql, not through the code under test."""
    body = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(server.query_url, data=body,
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.load(answer)["results"]["bindings"]


def triples_in(server: VirtuosoServer, graph: str) -> int:
    rows = anonymous_select(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(rows[0]["n"]["value"])


def staging_graphs(server: VirtuosoServer) -> list[str]:
    rows = anonymous_select(server, f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
                                    f'FILTER(STRSTARTS(STR(?g), "{STAGING_PREFIX}")) }}')
    return sorted(row["g"]["value"] for row in rows)


def kg_load(server: VirtuosoServer, source, env: dict[str, str]):
    return CliRunner().invoke(
        cli, ["load", str(source), "--profile", "virtuoso", "--endpoint-base", server.url, "--graph", TARGET],
        env=env,
    )


def numbered_ntriples(path, papers: int, tag: str = "a"):
    with path.open("w", encoding="utf-8") as out:
        for i in range(papers):
            out.write(f'<https://example.org/{tag}/{i}> <http://purl.org/dc/terms/title> "paper {tag} {i}" .\n')
            out.write(f'<https://example.org/{tag}/{i}> <http://purl.org/dc/terms/identifier> "{i}" .\n')
    return path


def test_digest_load_puts_exactly_the_graph_in_and_loading_again_changes_nothing(virtuoso_server, example_build):
    expected = len(set(example_build.lines))
    first = kg_load(virtuoso_server, example_build.ntriples, LOADER_ENV)
    assert first.exit_code == 0, first.output
    assert triples_in(virtuoso_server, TARGET) == expected
    again = kg_load(virtuoso_server, example_build.ntriples, LOADER_ENV)
    assert again.exit_code == 0, again.output
    assert triples_in(virtuoso_server, TARGET) == expected
    assert staging_graphs(virtuoso_server) == []


def test_digest_load_replace_drops_the_old_triples(virtuoso_server, example_build, tmp_path):
    assert kg_load(virtuoso_server, example_build.ntriples, LOADER_ENV).exit_code == 0
    smaller = numbered_ntriples(tmp_path / "small.nt", 10, tag="replace")
    result = kg_load(virtuoso_server, smaller, LOADER_ENV)
    assert result.exit_code == 0, result.output
    assert triples_in(virtuoso_server, TARGET) == 20
    titles = anonymous_select(virtuoso_server, f"SELECT ?t WHERE {{ GRAPH <{TARGET}> {{ ?s <http://purl.org/dc/terms/title> ?t }} }}")
    assert sorted(row["t"]["value"] for row in titles)[:2] == ["paper replace 0", "paper replace 1"]


def test_wrong_digest_password_exits_3_and_never_shows_it(virtuoso_server, example_build):
    before = triples_in(virtuoso_server, TARGET)
    password = "not-the-Pa55word"
    env = {**os.environ, "KG_ENDPOINT_USER": LOADER[0], "KG_ENDPOINT_PASSWORD": password}
    done = subprocess.run(
        [sys.executable, "-c", "from kg.cli import main; main()", "load", str(example_build.ntriples),
         "--profile", "virtuoso", "--endpoint-base", virtuoso_server.url, "--graph", TARGET],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 3
    assert "authentication failed (HTTP 401)" in done.stderr
    assert f"{virtuoso_server.url}/sparql-auth" in done.stderr
    assert password not in done.stdout + done.stderr
    assert triples_in(virtuoso_server, TARGET) == before


def test_digest_profile_without_credentials_says_which_variables_to_set(virtuoso_server, example_build):
    result = kg_load(virtuoso_server, example_build.ntriples, {"KG_ENDPOINT_USER": "", "KG_ENDPOINT_PASSWORD": ""})
    assert result.exit_code == 3
    assert "KG_ENDPOINT_USER" in result.output and "KG_ENDPOINT_AUTH=digest" in result.output


def test_unknown_auth_scheme_is_a_usage_error(virtuoso_server, example_build):
    result = kg_load(virtuoso_server, example_build.ntriples, {**LOADER_ENV, "KG_ENDPOINT_AUTH": "kerberos"})
    assert result.exit_code == 2
    assert "KG_ENDPOINT_AUTH='kerberos'" in result.output


def test_virtuoso_killed_mid_upload_keeps_the_old_graph_and_the_next_load_drops_its_staging_graph(tmp_path, example_build,
                                                                                   monkeypatch):
    for name, value in LOADER_ENV.items():
        monkeypatch.setenv(name, value)
    server = VirtuosoServer(tmp_path / "db", free_port(), free_port()).start()
    try:
        server.add_loader()
        server.isql("checkpoint")
        plan = make_plan(Config(profiles={}), profile="virtuoso", endpoint_base=server.url, graph=TARGET,
                         chunk_size=2_000, timeout=30)
        with payload_from_files([example_build.ntriples]) as payload:
            load(payload, plan)
        before = triples_in(server, TARGET)
        server.isql("checkpoint")

        big = numbered_ntriples(tmp_path / "big.nt", 5_000, tag="big")  # 10,000 triples: five chunks
        uploads = []

        class KillAfterTwoChunks(NoProgress):
            def advance(self, n: int = 1, note: str | None = None) -> None:
                uploads.append(n)
                if len(uploads) == 2:
                    server.process.kill()
                    server.process.wait()

        with payload_from_files([big]) as payload:
            with pytest.raises(EndpointError) as failure:
                load(payload, plan, KillAfterTwoChunks())
        assert failure.value.exit_code == 3 and "127.0.0.1" in str(failure.value)
        assert len(uploads) == 2
    finally:
        server.stop()

    restarted = VirtuosoServer(server.folder, free_port(), free_port()).start()
    try:
        assert triples_in(restarted, TARGET) == before
        plan = make_plan(Config(profiles={}), profile="virtuoso", endpoint_base=restarted.url, graph=TARGET)
        with payload_from_files([big]) as payload:
            report = load(payload, plan)
        assert report.target_triples == 10_000
        assert triples_in(restarted, TARGET) == 10_000
        assert staging_graphs(restarted) == []
    finally:
        restarted.stop()


def test_kg_query_over_digest_gives_the_embedded_rows(virtuoso_server, example_build):
    assert kg_load(virtuoso_server, example_build.ntriples, LOADER_ENV).exit_code == 0
    runner = CliRunner()
    env = {**LOADER_ENV, "KG_ENDPOINT_AUTH": "digest"}
    # Every named query is compared across engines, Virtuoso included, by
    # tests/test_engines_conformance.py; here the point is the Digest path.
    names = ["class-counts", "concept-list", "curation-missing-metadata", "curation-truncated-author-lists",
             "graph-summary", "property-counts", "top-authors", "works-per-year"]
    queries = load_queries()
    opener_before = urllib.request._opener
    for query in (queries[name] for name in names):
        assert not any(p.required for p in query.parameters), query.name
        local = runner.invoke(cli, ["query", query.name, "--store", str(example_build.store), "--format", "json"])
        remote = runner.invoke(cli, ["query", query.name, "--endpoint", f"{virtuoso_server.url}/sparql-auth",
                                     "--graph", TARGET, "--format", "json"], env=env)
        assert local.exit_code == 0 and remote.exit_code == 0, (query.name, local.output, remote.output)
        assert sorted(map(json.dumps, json.loads(remote.output))) == sorted(map(json.dumps, json.loads(local.output))), query.name
    assert urllib.request._opener is opener_before  # the Digest opener, with the password, did not stay installed


def test_a_swap_too_large_for_one_virtuoso_transaction_names_the_setting_and_keeps_the_target(tmp_path, example_build):
    """Found by the 100k-paper benchmark: Virtuoso refused the MOVE of 5.5 M
    triples (SR325, the transaction's log outgrew TransactionAfterImageLimit)."""
    server = VirtuosoServer(tmp_path / "db", free_port(), free_port(),
                            parameters="TransactionAfterImageLimit = 1000000").start()
    try:
        server.add_loader()
        small = numbered_ntriples(tmp_path / "small.nt", 10)
        assert kg_load(server, small, LOADER_ENV).exit_code == 0
        large = numbered_ntriples(tmp_path / "large.nt", 20_000, tag="b")
        result = CliRunner().invoke(cli, ["load", str(large), "--profile", "virtuoso", "--endpoint-base", server.url,
                                          "--graph", TARGET, "--chunk-size", "1000"], env=LOADER_ENV)
        assert result.exit_code == 3, result.output
        assert "SR325" in result.output and "raise TransactionAfterImageLimit" in result.output
        assert "the target graph was not changed" in result.output
        assert triples_in(server, TARGET) == 20
        assert staging_graphs(server) == []
        assert LOADER[1] not in result.output
    finally:
        server.stop()
