"""`kg load` against a real Oxigraph server (tests/conftest.py starts it by PID).

A tiny local HTTP server stands in only where Oxigraph cannot show the fault:
an endpoint that demands authentication, and one that records whether
anything was sent at all.
"""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from conftest import EXAMPLE, OxigraphServer, free_port, interrupt_on_call
from kg.sinks.store import open_store
from kg.sinks import endpoint
from kg.sinks import load as load_module
from kg.pipeline import build_graph, write_outputs
from kg.cli import cli
from kg.config import Config
from kg.errors import EndpointError, UsageError
from kg.model import NoProgress
from kg.sinks.load import STAGING_PREFIX, load, make_plan, payload_from_files, payload_from_store, staging_prefix
from kg.resources import queries_dir
from kg.vocab import DEFAULT_BASE

TARGET = "https://example.org/graph/kg"


# ---------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The example corpus in an embedded store (tagged when the tagger is present)."""
    folder = tmp_path_factory.mktemp("load-example")
    try:
        built = build_graph([EXAMPLE], DEFAULT_BASE)
    except ModuleNotFoundError:
        built = build_graph([EXAMPLE], DEFAULT_BASE, tag=False)
    write_outputs(built, store=folder / "store", output=folder / "graph.nt")
    # What the store holds: Oxigraph canonicalises some literals ("0.870" -> "0.87").
    return folder / "store", folder / "graph.nt", canonical(built.lines)


def canonical(lines: list[str]) -> list[str]:
    """Sorted N-Triples lines as an Oxigraph store gives them back."""
    store = ox.Store()
    store.bulk_load(input="".join(lines).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    text = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).decode("utf-8")
    return sorted(text.splitlines(keepends=True))


def run_kg(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def load_args(server: OxigraphServer, *extra: str) -> list[str]:
    return ["load", "--profile", "oxigraph", "--endpoint-base", server.url, "--graph", TARGET, "-q", *extra]


def remote_lines(server: OxigraphServer, graph: str = TARGET) -> list[str]:
    url = f"{server.store_url}?graph={urllib.parse.quote(graph, safe='')}"
    request = urllib.request.Request(url, headers={"Accept": "application/n-triples"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return []
        raise
    return sorted(text.splitlines(keepends=True))


def named_graphs(server: OxigraphServer) -> list[str]:
    rows = endpoint.select(server.query_url, "SELECT DISTINCT ?g WHERE { GRAPH ?g { } } ORDER BY ?g")
    return [row["g"]["value"] for row in rows["results"]["bindings"]]


def generated_ntriples(path: Path, papers: int, tag: str = "") -> list[str]:
    """A synthetic corpus, 10 triples a paper, written as sorted N-Triples."""
    lines = []
    for i in range(papers):
        paper = f"<{DEFAULT_BASE}work/gen{tag}-{i:06d}>"
        lines.append(f"{paper} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://purl.org/spar/fabio/JournalArticle> .\n")
        lines.append(f'{paper} <http://purl.org/dc/terms/title> "Generated paper {i}{tag}, with \\"quotes\\" and ü" .\n')
        for a in range(8):
            lines.append(f"{paper} <http://purl.org/dc/terms/creator> <{DEFAULT_BASE}person/p{(i * 8 + a) % 5000}> .\n")
    lines = sorted(set(lines))
    path.write_text("".join(lines), "utf-8")
    return lines


class Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every request with ``status``; records what was asked and sent."""

    status = 401
    seen: list[tuple[str, str, dict, bytes]] = []

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        type(self).seen.append((self.command, self.path, dict(self.headers), body))
        self.send_response(self.status)
        if self.status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="kg test"')
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"no entry\n")

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def recorder():
    handler = type("Handler", (Recorder,), {"seen": [], "status": 401})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


# ------------------------------------------------------------------ tests


def test_load_puts_exactly_the_store_into_the_target_graph(oxigraph_server, example):
    store, _, _ = example
    result = run_kg(*load_args(oxigraph_server), "--store", str(store))
    assert result.exit_code == 0, result.output
    local = open_store(store)
    local_lines = sorted(f"{t.triple} .\n" for t in local.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    assert remote_lines(oxigraph_server) == local_lines
    assert named_graphs(oxigraph_server) == [TARGET], "no staging graph may remain"
    # A query reads the loaded graph as its default graph (default-graph-uri),
    # and gives the same rows through the server as on the embedded store.
    query = (queries_dir() / "class-counts.rq").read_text("utf-8")
    remote = endpoint.select(oxigraph_server.query_url, query, graph=TARGET)["results"]["bindings"]
    remote_rows = [(r["class"]["value"], int(r["count"]["value"])) for r in remote]
    local_rows = [(s["class"].value, int(s["count"].value)) for s in local.query(query)]
    assert remote_rows == local_rows and remote_rows


def test_loading_twice_changes_nothing_and_replace_drops_old_triples(oxigraph_server, example, tmp_path):
    store, _, lines = example
    for _ in range(2):
        assert run_kg(*load_args(oxigraph_server), "--store", str(store)).exit_code == 0
        assert remote_lines(oxigraph_server) == lines
    changed = tmp_path / "changed.nt"
    kept = lines[: len(lines) // 2] + ['<https://example.org/new> <http://purl.org/dc/terms/title> "new" .\n']
    changed.write_text("".join(kept), "utf-8")
    result = run_kg(*load_args(oxigraph_server), str(changed))
    assert result.exit_code == 0, result.output
    assert remote_lines(oxigraph_server) == sorted(kept)
    assert named_graphs(oxigraph_server) == [TARGET]


def test_append_adds_to_the_target(oxigraph_server, tmp_path):
    first, second = tmp_path / "a.nt", tmp_path / "b.nt"
    a = generated_ntriples(first, 5, "a")
    b = generated_ntriples(second, 5, "b")
    assert run_kg(*load_args(oxigraph_server), str(first)).exit_code == 0
    assert run_kg(*load_args(oxigraph_server, "--append"), str(second)).exit_code == 0
    assert run_kg(*load_args(oxigraph_server, "--append"), str(second)).exit_code == 0
    assert remote_lines(oxigraph_server) == sorted(set(a + b))
    assert named_graphs(oxigraph_server) == [TARGET]


def test_without_graph_store_protocol_insert_data_is_used(oxigraph_server, example):
    store, _, lines = example
    result = run_kg(
        "load", "--store", str(store), "--endpoint", oxigraph_server.query_url,
        "--update-endpoint", oxigraph_server.update_url, "--graph", TARGET, "--chunk-size", "50", "-q",
    )
    assert result.exit_code == 0, result.output
    assert remote_lines(oxigraph_server) == lines


def test_turtle_and_nquads_files_load_as_one_graph(oxigraph_server, tmp_path, example):
    _, _, lines = example
    ttl, nq = tmp_path / "part.ttl", tmp_path / "part.nq"
    triples = list(ox.parse("".join(lines).encode(), format=ox.RdfFormat.N_TRIPLES))
    half = len(triples) // 2
    ttl.write_bytes(ox.serialize(triples[:half], format=ox.RdfFormat.TURTLE))
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode("urn:x:g")) for t in triples[half - 5 :]]
    nq.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    assert run_kg(*load_args(oxigraph_server), str(ttl), str(nq)).exit_code == 0
    assert remote_lines(oxigraph_server) == lines


def test_killed_server_mid_upload_leaves_the_target_as_it_was(oxigraph_server, example, tmp_path):
    store, _, before = example
    assert run_kg(*load_args(oxigraph_server), "--store", str(store)).exit_code == 0
    big = tmp_path / "big.nt"
    lines = generated_ntriples(big, 3000)  # 30,000 triples: ten chunks of 3,000
    config = Config(profiles={})
    plan = make_plan(config, profile="oxigraph", endpoint_base=oxigraph_server.url, graph=TARGET,
                     chunk_size=3000, timeout=20)
    uploads = []

    class KillAfterThreeChunks(NoProgress):
        def advance(self, n: int = 1, note: str | None = None) -> None:
            uploads.append(n)
            if len(uploads) == 3:
                oxigraph_server.kill()

    with payload_from_files([big]) as payload:
        assert payload.triples == len(lines)
        with pytest.raises(EndpointError) as failure:
            load(payload, plan, KillAfterThreeChunks())
    assert "127.0.0.1" in str(failure.value) and failure.value.exit_code == 3
    assert len(uploads) == 3

    restarted = OxigraphServer(oxigraph_server.location, free_port()).start()
    try:
        assert remote_lines(restarted) == before
        leftovers = [g for g in named_graphs(restarted) if g.startswith(STAGING_PREFIX)]
        assert leftovers and all(g.startswith(staging_prefix(TARGET)) for g in leftovers)
        # The next run drops what the failed one left, and succeeds.
        plan = make_plan(config, profile="oxigraph", endpoint_base=restarted.url, graph=TARGET, chunk_size=10_000)
        with payload_from_files([big]) as payload:
            report = load(payload, plan)
        assert report.stale_dropped == leftovers
        assert remote_lines(restarted) == lines
        assert named_graphs(restarted) == [TARGET]
    finally:
        restarted.stop()


def test_malformed_input_is_refused_before_anything_is_sent(recorder, tmp_path):
    handler, url = recorder
    handler.status = 200
    bad = tmp_path / "bad.nt"
    bad.write_text('<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> "unterminated .\n', "utf-8")
    result = run_kg("load", str(bad), "--endpoint", f"{url}/sparql", "--graph", TARGET)
    assert result.exit_code == 3
    assert "bad.nt" in result.output and "nothing was sent" in result.output
    assert handler.seen == []


def test_malformed_input_leaves_a_real_store_untouched(oxigraph_server, example, tmp_path):
    store, _, before = example
    assert run_kg(*load_args(oxigraph_server), "--store", str(store)).exit_code == 0
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c ;\n ex:d", "utf-8")
    assert run_kg(*load_args(oxigraph_server), str(bad)).exit_code == 3
    assert remote_lines(oxigraph_server) == before
    assert named_graphs(oxigraph_server) == [TARGET]


def test_wrong_endpoint_exits_3_naming_it(example):
    store, _, _ = example
    url = f"http://127.0.0.1:{free_port()}"
    result = run_kg("load", "--store", str(store), "--profile", "oxigraph", "--endpoint-base", url, "--graph", TARGET)
    assert result.exit_code == 3
    assert f"cannot reach {url}/query" in result.output


def test_wrong_path_exits_3_with_the_http_status(oxigraph_server, example):
    store, _, _ = example
    result = run_kg("load", "--store", str(store), "--endpoint", f"{oxigraph_server.url}/nothing-here", "--graph", TARGET)
    assert result.exit_code == 3
    assert f"{oxigraph_server.url}/nothing-here" in result.output and "HTTP 404" in result.output


@pytest.mark.parametrize("secrets", [
    {"KG_ENDPOINT_USER": "librarian", "KG_ENDPOINT_PASSWORD": "s3cret-Pa55word"},
    {"KG_ENDPOINT_TOKEN": "tok-9f8e7d6c5b4a"},
])
def test_authentication_failure_exits_3_and_never_shows_credentials(recorder, example, secrets):
    handler, url = recorder
    store, _, _ = example
    env = {**os.environ, **secrets}
    done = subprocess.run(
        [sys.executable, "-c", "from kg.cli import main; main()", "load", "--store", str(store),
         "--profile", "fuseki", "--endpoint-base", f"{url}/ds", "--graph", TARGET],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 3
    assert "authentication failed" in done.stderr and f"{url}/ds/query" in done.stderr
    header = handler.seen[0][2].get("Authorization", "")
    assert header.startswith(("Basic ", "Bearer ")), "credentials must reach the server"
    shown = done.stdout + done.stderr
    for secret in [*secrets.values(), header.split()[-1]]:
        if secret != secrets.get("KG_ENDPOINT_USER"):
            assert secret not in shown


def test_credentials_in_the_url_are_refused():
    with pytest.raises(UsageError) as refused:
        make_plan(Config(), endpoint="http://user:pw@host/sparql", graph=TARGET)
    assert "pw" not in str(refused.value)


def test_profiles_derive_urls_and_users_can_extend_them():
    plan = make_plan(Config(), profile="oxigraph", endpoint_base="http://host:7878/", graph=TARGET)
    assert (plan.query, plan.update, plan.gsp) == ("http://host:7878/query", "http://host:7878/update", "http://host:7878/store")
    assert plan.upload_params == {"no_transaction": ""}
    graphdb = make_plan(Config(), profile="graphdb", endpoint_base="http://h:7200/repositories/kg", graph=TARGET)
    assert graphdb.update == "http://h:7200/repositories/kg/statements"
    user = Config(graph="https://example.org/from-config", profiles={
        "library": {"extends": "fuseki", "endpoint_base": "https://sparql.example.org/kg", "chunk_size": 5},
        "oxigraph": {"chunk_size": 7},
    })
    library = make_plan(user, profile="library")
    assert library.update == "https://sparql.example.org/kg/update" and library.gsp == "https://sparql.example.org/kg/data"
    assert library.chunk_size == 5 and library.graph == "https://example.org/from-config"
    assert make_plan(user, profile="oxigraph", endpoint_base="http://h").chunk_size == 7
    assert make_plan(user, endpoint="http://h/sparql").update == "http://h/sparql"
    for bad in ({"profile": "nope"}, {"profile": "oxigraph"}, {}):
        with pytest.raises(UsageError):
            make_plan(Config(graph=TARGET), **bad)
    with pytest.raises(UsageError):
        make_plan(Config(), endpoint="http://h/sparql")  # no target graph


def test_payload_from_store_counts_distinct_triples(example):
    store, _, lines = example
    with payload_from_store(store) as payload:
        assert payload.triples == len(lines)
        assert sorted(payload.path.read_text("utf-8").splitlines(keepends=True)) == lines


# ---------------------------------------------------------------- Ctrl-C


def test_sigint_after_the_move_reports_the_new_graph_committed(example, oxigraph_server, monkeypatch):
    store, _, lines = example
    # _count: the staging graph (before the move), then the target (after it)
    interrupt_on_call(monkeypatch, load_module, "_count", 2)
    result = CliRunner().invoke(cli, load_args(oxigraph_server, "--store", str(store)))
    assert result.exit_code == 0, result.output
    assert "interrupted after the new graph was committed" in result.output
    assert remote_lines(oxigraph_server) == lines


def test_sigint_during_the_upload_reports_the_target_unchanged(example, oxigraph_server, monkeypatch):
    store, _, lines = example
    assert run_kg(*load_args(oxigraph_server, "--store", str(store))).exit_code == 0
    interrupt_on_call(monkeypatch, load_module, "_upload", 1)
    result = CliRunner().invoke(cli, load_args(oxigraph_server, "--store", str(store)))
    assert result.exit_code == 3, result.output
    assert "is as it was" in result.output
    assert remote_lines(oxigraph_server) == lines


def test_sigint_while_waiting_for_the_move_answer_asks_the_server_what_happened(example, oxigraph_server, monkeypatch):
    store, _, lines = example
    real = load_module._Client.update

    def update_then_interrupt(self, url, text):
        real(self, url, text)
        if text.startswith("MOVE"):
            raise KeyboardInterrupt  # the server did the move; the answer never reached us

    monkeypatch.setattr(load_module._Client, "update", update_then_interrupt)
    result = CliRunner().invoke(cli, load_args(oxigraph_server, "--store", str(store)))
    assert result.exit_code == 0, result.output
    assert "interrupted after the new graph was committed" in result.output
    assert remote_lines(oxigraph_server) == lines
