"""`kg serve` refuses federated queries and bounds what one query may cost,
against real servers: kg serve, its Oxigraph child, and a listener standing in
for a server a SERVICE clause would make it call."""

from __future__ import annotations

import json
import select
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from conftest import free_port
from kg.cli import cli
from kg.sinks import serve as serve_module
from kg.sinks.guard import GuardServer, Limits, federated
from kg.sinks.serve import Oxigraph, find_oxigraph
from kg.sinks.store import current_location
from serving import answer, form, kg_serve, store_copy

# SERVICE as Oxigraph 0.5 reads it: each was seen to call the listener when allowed.
ODD_SPELLINGS = {
    "plain": "SELECT * WHERE { SERVICE <LISTENER/plain> { ?s ?p ?o } }",
    "lower": "select * where { service <LISTENER/lower> { ?s ?p ?o } }",
    "silent": "SELECT * { service silent <LISTENER/silent> { ?s ?p ?o } }",
    "nested": "SELECT * { { OPTIONAL { { SeRvIcE <LISTENER/nested> { ?s ?p ?o } } } } }",
    "comments": "# a comment\nSELECT * { # another\n SERVICE # and one more\n <LISTENER/comments> { ?s ?p ?o } }",
    "carriage-return": "SELECT * { # Oxigraph ends a comment here:\rSERVICE <LISTENER/carriage-return> { ?s ?p ?o } }",
    "glued": "SELECT * { SERVICESILENT<LISTENER/glued> { ?s ?p ?o } }",
    "prefix": "PREFIX : <LISTENER/> SELECT * { service:prefix { ?s ?p ?o } }",
    "after-true": "SELECT * { ?s ?p trueSERVICE <LISTENER/after-true> { ?s ?p ?o } }",
}
SENT_AS = ["get", "form", "body", "sparql"]  # cycled over the spellings

NOT_SERVICE = [
    'SELECT ("service" AS ?x) {}',
    "SELECT ('''SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }''' AS ?x) {}",
    "SELECT * { <http://example.org/service> ?p ?o }",
    "# SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }\nASK {}",
    "SELECT ?service { BIND(1 AS ?service) }",
    "PREFIX kgc: <https://w3id.org/kg/concepts/> SELECT * { kgc:service-user ?p ?o }",
    "SELECT * { ?s ?p ?o FILTER(?o = <urn:service>) } LIMIT 1",
]


@pytest.mark.parametrize("query", [
    *ODD_SPELLINGS.values(),
    "SELECT * { ?s ?p 1e0SERVICE <u:> { ?s ?p ?o } }",
    "SELECT * { BIND(<u:> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "SELECT * { \\u0053ERVICE <u:> { ?s ?p ?o } }",
    "SELECT * { FILTER(1<2)SERVICE<u:>{ ?s ?p ?o } }",
])
def test_service_is_seen_in_every_spelling(query):
    assert federated(query)


@pytest.mark.parametrize("query", NOT_SERVICE)
def test_the_word_in_strings_iris_comments_and_names_is_not_service(query):
    assert not federated(query)


class Listener(ThreadingHTTPServer):
    """Stands in for a server a SERVICE clause names: answers with no rows and
    keeps the paths asked for. Listening from the start; answering only once
    ``start`` is called, so until then a connection waits in the backlog."""

    daemon_threads = True

    def __init__(self):
        self.paths: list[str] = []
        self.started = False
        super().__init__(("127.0.0.1", 0), _ListenerHandler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"

    def start(self):
        self.started = True
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def contacted(self) -> bool:
        """Whether a connection came in, answered or still waiting."""
        return bool(self.paths) or bool(select.select([self.socket], [], [], 0)[0])


class _ListenerHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.paths.append(self.path)
        body = json.dumps({"head": {"vars": []}, "results": {"bindings": []}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    server = Listener()
    yield server
    if server.started:
        server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def store(tmp_path_factory, example_build):
    return store_copy(tmp_path_factory, example_build)


def send(url: str, query: str, how: str, **extra):
    if how == "get":
        return answer(f"{url}/query", params={"query": query}, **extra)
    if how == "body":
        return answer(f"{url}/query", data=query.encode(), content_type="application/sparql-query", **extra)
    return answer(f"{url}/{'sparql' if how == 'sparql' else 'query'}", **form(query, **extra))


def test_federated_queries_never_reach_the_network_unless_allowed(store, listener):
    queries = {name: text.replace("LISTENER", listener.url) for name, text in ODD_SPELLINGS.items()}
    with kg_serve(store) as served:
        for index, (name, query) in enumerate(queries.items()):
            status, _, body = send(served.url, query, SENT_AS[index % len(SENT_AS)])
            assert status == 403 and b"--allow-service" in body, name
        for query in NOT_SERVICE:
            status, _, body = send(served.url, query, "form")
            assert status == 200, (query, body)
        # Oxigraph calls a service before it answers, and every answer is in.
        assert not listener.contacted()
    listener.start()
    with kg_serve(store, "--allow-service") as served:
        for index, (name, query) in enumerate(queries.items()):
            status, _, body = send(served.url, query, SENT_AS[index % len(SENT_AS)])
            assert status == 200, (name, body)
            assert f"/{name}" in listener.paths, name


@pytest.fixture(scope="module")
def limited(store):
    """kg serve with a 1 s time limit and a 2,000-byte answer limit."""
    with kg_serve(store, "--timeout", "1", "--max-result-bytes", "2000") as served:
        yield served
    assert served.returncode == 0 and served.stdout == b""
    assert served.stderr.decode().startswith(f"kg: serving {store} read-only at {served.url}/query")


def test_a_slow_query_is_cut_at_the_time_limit(limited):
    # 2 271 triples cubed: Oxigraph stops it at --timeout-s and ends its 200
    # answer cleanly with its message; the client must get an error instead.
    cross_join = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    status, kind, body = answer(f"{limited.url}/query", **form(cross_join))
    assert (status, kind) == (503, "text/plain; charset=utf-8")
    assert b"limit of 1 s (--timeout)" in body
    assert answer(f"{limited.url}/query", **form("ASK {}"))[0] == 200


def test_an_answer_over_the_size_limit_is_refused_not_cut(limited):
    status, kind, body = answer(f"{limited.url}/query", **form("SELECT * { ?s ?p ?o }"), accept="text/csv")
    assert (status, kind) == (507, "text/plain; charset=utf-8")
    assert b"2,000 bytes (--max-result-bytes)" in body
    assert answer(f"{limited.url}/store?default")[0] == 507
    status, _, body = answer(f"{limited.url}/query", **form("SELECT * { ?s ?p ?o } LIMIT 3"),
                             accept="application/sparql-results+json")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 3


def test_the_protocol_as_oxigraph_speaks_it(limited, example_build):
    url = limited.url
    count = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    for how in SENT_AS:
        status, kind, body = send(url, count, how, accept="text/csv")
        assert (status, kind, body.split()[-1]) == (200, "text/csv; charset=utf-8", str(len(example_build.lines)).encode())
    status, _, body = answer(f"{url}/query", params={"query": count, "default-graph-uri": "urn:no-such-graph"}, accept="text/csv")
    assert (status, body.split()[-1]) == (200, b"0")
    status, _, body = answer(f"{url}/sparql", **form("SELECT (<x> AS ?i) {}"), accept="text/csv")
    assert body.split()[-1] == f"{url}/x".encode()  # relative IRIs resolve against kg serve's URL
    assert answer(f"{url}/query?query=ASK%7B%7D&query=ASK%7B%7D")[0] == 400
    assert answer(f"{url}/query", **form("SELEC nothing"))[0] == 400
    assert answer(f"{url}/query", data=b"ASK {}", content_type="text/plain")[0] == 415
    assert answer(f"{url}/sparql", data=b"update=CLEAR+ALL", content_type="application/x-www-form-urlencoded")[0] == 403
    assert answer(f"{url}/store", data=b"", method="DELETE")[0] == 403
    status, kind, _ = answer(f"{url}/")
    assert (status, kind) == (200, "text/html")
    assert answer(f"{url}/nothing")[0] == 404


@pytest.fixture
def guard(store):
    """kg serve's two halves in this process, to swap stores and watch restarts."""
    lines: list[str] = []
    said = threading.Event()

    def say(line):
        lines.append(line)
        said.set()

    location = {"now": current_location(store)}
    oxigraph = Oxigraph(store, find_oxigraph(), 1, locate=lambda _: location["now"], say=say)
    server = GuardServer(0, oxigraph, Limits(timeout=1, max_result_bytes=10**6), grace=0.2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    try:
        oxigraph.start()
        thread.start()
        yield f"http://127.0.0.1:{server.server_port}", oxigraph, location, lines, said
    finally:
        server.shutdown()
        server.server_close()
        oxigraph.close()


def count(url: str) -> int:
    status, _, body = answer(f"{url}/query", **form("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"), accept="text/csv")
    assert status == 200, body
    return int(body.split()[-1])


def test_a_query_oxigraph_does_not_stop_ends_its_process(guard):
    url, oxigraph, _, lines, said = guard
    first = oxigraph.acquire()
    oxigraph.release(first)
    # No triple is read, so Oxigraph's cancellation never runs: only a restart stops it.
    numbers = " ".join(map(str, range(100)))
    endless = "SELECT (COUNT(*) AS ?n) {" + "".join(f" VALUES ?{v} {{ {numbers} }}" for v in "abcde") + " }"
    assert answer(f"{url}/query", **form(endless))[0] == 503
    assert said.wait(timeout=30), "the runaway query was not noticed"
    assert "Oxigraph did not stop it" in lines[0]
    first.process.wait(timeout=30)
    assert count(url) > 0


def test_a_rebuilt_store_is_served_from_the_next_request(guard, tmp_path):
    url, oxigraph, location, lines, _ = guard
    before = count(url)
    old = oxigraph.acquire()
    oxigraph.release(old)
    rebuilt = tmp_path / "g-000002"
    small = ox.Store(str(rebuilt))
    small.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("c")))
    small.flush()
    del small
    location["now"] = rebuilt
    assert count(url) == 1 != before
    assert lines == ["serving the rebuilt graph (g-000002)"]
    old.process.wait(timeout=30)


def test_an_oxigraph_that_cannot_start_is_one_line_and_exit_3(monkeypatch, tmp_path):
    empty = tmp_path / "not-a-database"
    empty.mkdir()
    monkeypatch.setattr(serve_module, "current_location", lambda _: empty)
    result = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path), "--port", str(free_port())])
    assert result.exit_code == 3, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"kg: error: the Oxigraph server did not start on {empty}: ")


def test_requests_over_max_running_are_refused_at_once(store):
    oxigraph = Oxigraph(store, find_oxigraph(), 2, locate=current_location)
    server = GuardServer(0, oxigraph, Limits(timeout=2, max_result_bytes=10**6, max_running=1), grace=0.2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    url = f"http://127.0.0.1:{server.server_port}"
    numbers = " ".join(map(str, range(100)))
    slow = "SELECT (COUNT(*) AS ?n) {" + "".join(f" VALUES ?{v} {{ {numbers} }}" for v in "abcde") + " }"
    try:
        oxigraph.start()
        thread.start()
        first = threading.Thread(target=answer, args=(f"{url}/query",), kwargs=form(slow), daemon=True)
        first.start()
        deadline = time.monotonic() + 30
        while server.running._value and time.monotonic() < deadline:  # until the slow one holds the slot
            time.sleep(0.01)
        status, _, body = answer(f"{url}/query", **form("ASK { ?s ?p ?o }"))
        assert status == 503 and b"busy" in body
        first.join(timeout=60)
        assert answer(f"{url}/query", **form("ASK { ?s ?p ?o }"))[0] == 200
    finally:
        server.shutdown()
        server.server_close()
        oxigraph.close()
