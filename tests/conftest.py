"""Shared fixtures: the example corpus built once, and a real Oxigraph server."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from kg.pipeline import build_graph, write_outputs
from kg.vocab import DEFAULT_BASE

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "peer-support"
DATA = Path(__file__).resolve().parent / "data"


@dataclass
class BuiltExample:
    store: Path
    ntriples: Path
    lines: list[str]


@pytest.fixture(scope="session")
def example_build(tmp_path_factory) -> BuiltExample:
    """The example corpus built once per test session into a store and a file."""
    folder = tmp_path_factory.mktemp("example")
    built = build_graph([EXAMPLE], DEFAULT_BASE)
    store, nt = folder / "store", folder / "graph.nt"
    write_outputs(built, store=store, output=nt)
    return BuiltExample(store, nt, built.lines)


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(found).exists():
        pytest.fail("the oxigraph server is a test dependency: pip install -e '.[test]'")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class OxigraphServer:
    """A real `oxigraph serve` on 127.0.0.1, started and stopped by PID."""

    location: Path
    port: int
    process: subprocess.Popen | None = None
    read_only: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.url}/update"

    @property
    def store_url(self) -> str:
        return f"{self.url}/store"

    def start(self) -> "OxigraphServer":
        command = "serve-read-only" if self.read_only else "serve"
        self.process = subprocess.Popen(
            [oxigraph_binary(), command, "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph exited: {self.process.stderr.read().decode()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.query_url}?query=ASK%7B%7D", timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("oxigraph did not answer within 30 s")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process and self.process.stderr:
            self.process.stderr.close()

    def kill(self) -> None:
        self.stop(signal.SIGKILL)


@pytest.fixture
def oxigraph_server(tmp_path):
    """A fresh, empty Oxigraph server for one test."""
    server = OxigraphServer(tmp_path / "oxigraph", free_port()).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def loaded_oxigraph(tmp_path_factory, example_build):
    """An Oxigraph server holding the example graph in its default graph."""
    location = tmp_path_factory.mktemp("oxigraph-example")
    subprocess.run(
        [oxigraph_binary(), "load", "--location", str(location), "--file", str(example_build.ntriples)],
        check=True,
        capture_output=True,
    )
    server = OxigraphServer(location, free_port()).start()
    yield server
    server.stop()


def interrupt_on_call(monkeypatch, module, name: str, number: int = 1) -> None:
    """Make the ``number``-th call of ``module.name`` raise KeyboardInterrupt, as
    Ctrl-C arriving at that moment would."""
    real = getattr(module, name)
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(1)
        if len(calls) == number:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)


# ------------------------------------------------------------------ Virtuoso


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    """A real Virtuoso 7 (tests/virtuoso.py), fresh database, with a user
    `virtuoso.LOADER` who may update through the Digest-authenticated
    endpoints; skipped where `virtuoso-t` is not installed."""
    from virtuoso import VirtuosoServer, isql_binary, virtuoso_binary

    if not virtuoso_binary() or not isql_binary():
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso"), free_port(), free_port()).start()
    try:
        server.add_loader()
        yield server
    finally:
        server.stop()


@dataclass
class LoadedGraph:
    query_url: str
    graph: str | None


def kg_load_into(base: str, profile: str, ntriples: Path, graph: str) -> None:
    """`kg load FILE --profile PROFILE --endpoint-base BASE --graph GRAPH`, as a user runs it
    (with the test Virtuoso's loader account for the `virtuoso` profile)."""
    from click.testing import CliRunner

    from kg.cli import cli

    env = {}
    if profile == "virtuoso":
        from virtuoso import LOADER

        env = {"KG_ENDPOINT_USER": LOADER[0], "KG_ENDPOINT_PASSWORD": LOADER[1]}
    answer = CliRunner().invoke(
        cli, ["load", str(ntriples), "--profile", profile, "--endpoint-base", base, "--graph", graph],
        catch_exceptions=False, env=env,
    )
    assert answer.exit_code == 0, answer.output


@pytest.fixture(scope="session")
def virtuoso_example(virtuoso_server, example_build) -> LoadedGraph:
    """The example graph in Virtuoso's named graph `.graph`, loaded with `kg load`
    (profile `virtuoso`); query it at `.query_url` (/sparql)."""
    graph = "https://example.org/graph/kg-example"
    kg_load_into(virtuoso_server.url, "virtuoso", example_build.ntriples, graph)
    return LoadedGraph(virtuoso_server.query_url, graph)
