"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint over the embedded store.

Two processes, one command: the guarding front server of
:mod:`kg.sinks.guard` listens on 127.0.0.1:PORT and hands each checked request
to Oxigraph's own ``oxigraph serve-read-only`` (from ``pip install
oxigraph``), run here as a child process on another free loopback port, with
``--timeout-s``, over the folder :func:`kg.sinks.store.current_location`
names. :class:`Oxigraph` keeps that child:

- a rebuild that switches the store to a new generation is picked up at the
  next request: a child opens the new folder, and the old one stops when its
  last request is answered;
- a child that died is started again; one that does not stop a query past the
  time limit is replaced (only ending the process stops such a query);
- Ctrl-C or SIGTERM stops the front server and every child.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import EndpointError, InputError, KgError, UsageError
from .guard import HOST, GuardServer, Limits
from .store import current_location

DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 60
DEFAULT_MAX_RESULT_BYTES = 100_000_000
STARTUP_SECONDS = 120.0
"""How long a child may take to open the store and listen."""


def find_oxigraph() -> str:
    """The `oxigraph` binary: beside this Python (a venv's bin/), else on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise InputError("the Oxigraph server is not installed; run `pip install oxigraph` (it provides the `oxigraph` command)")


def query_url(port: int) -> str:
    return f"http://{HOST}:{port}/query"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Child:
    """One ``oxigraph serve-read-only`` process and the requests it is answering."""

    def __init__(self, location: Path, port: int, process: subprocess.Popen) -> None:
        self.location = location
        self.port = port
        self.process = process
        self.leases = 0
        self.retired = False
        self.stderr: deque[str] = deque(maxlen=200)
        self._drain = threading.Thread(target=self._read_stderr, daemon=True)
        self._drain.start()

    def _read_stderr(self) -> None:
        for raw in self.process.stderr:  # kept, not shown, unless the child fails
            self.stderr.append(raw.decode("utf-8", "replace").rstrip())

    def alive(self) -> bool:
        return self.process.poll() is None

    def failure(self) -> str:
        """Oxigraph's own one-line reason for exiting."""
        self._drain.join(timeout=5)
        lines = [line.strip() for line in self.stderr if line.strip()]
        for line in lines:
            if line.startswith("Error:"):
                return line.removeprefix("Error:").strip()
        return lines[-1] if lines else f"it exited with status {self.process.returncode}"

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._drain.join(timeout=5)
        self.process.stderr.close()


def start_child(binary: str, location: Path, timeout: int, attempts: int = 3) -> Child:
    """An Oxigraph server over ``location`` on a free loopback port, answering."""
    environment = {**os.environ, "RUST_BACKTRACE": "0", "RUST_LIB_BACKTRACE": "0"}
    for _ in range(attempts):
        port = _free_port()
        process = subprocess.Popen(
            [binary, "serve-read-only", "--location", str(location), "--bind", f"{HOST}:{port}", "--timeout-s", str(timeout)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment,
        )
        child = Child(location, port, process)
        if _answers(child):
            return child
        reason = child.failure()
        child.stop()
        if "in use" not in reason.lower():  # else another process took the port first: try another
            break
    raise EndpointError(f"the Oxigraph server did not start on {location}: {reason}")


def _answers(child: Child) -> bool:
    """Wait until the child accepts connections (True) or exits (False)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while child.alive():
        try:
            socket.create_connection((HOST, child.port), timeout=1).close()
            return True
        except OSError:
            if time.monotonic() > deadline:
                child.stop()
                raise EndpointError(f"the Oxigraph server did not answer within {STARTUP_SECONDS:g} s") from None
            time.sleep(0.02)
    return False


class Oxigraph:
    """The child that answers now, for :class:`kg.sinks.guard.GuardServer`."""

    def __init__(
        self,
        store: str | Path,
        binary: str,
        timeout: int,
        locate: Callable[[str | Path], Path] = current_location,
        say: Callable[[str], None] = lambda line: print(f"kg: {line}", file=sys.stderr, flush=True),
    ) -> None:
        self.store = store
        self.binary = binary
        self.timeout = timeout
        self.locate = locate
        self.say = say
        self._lock = threading.Lock()
        self._current: Child | None = None
        self._children: set[Child] = set()
        self._unopenable: Path | None = None

    def start(self) -> Child:
        with self._lock:
            self._refresh()
            return self._current

    def acquire(self) -> Child:
        with self._lock:
            self._refresh()
            self._current.leases += 1
            return self._current

    def release(self, child: Child) -> None:
        with self._lock:
            child.leases -= 1
            if child.retired and child.leases == 0:
                self._stop(child)

    def retire(self, child: Child, why: str) -> None:
        with self._lock:
            if not child.retired:
                self.say(f"restarting the Oxigraph server: {why}")
                self._retire(child)

    def close(self) -> None:
        with self._lock:
            children, self._children, self._current = list(self._children), set(), None
        for child in children:
            if child.alive():
                child.process.terminate()
        for child in children:
            child.stop()

    def _refresh(self) -> None:
        """Make ``_current`` a live child over the store's current folder."""
        current = self._current
        try:
            location = self.locate(self.store)
        except KgError:
            if current is None:
                raise
            location = current.location  # mid-rebuild or gone: keep what is served
        serving = current is not None and current.alive() and not current.retired
        if serving and location in (current.location, self._unopenable):
            return
        try:
            fresh = start_child(self.binary, location, self.timeout)
        except KgError as exc:
            if not serving:
                raise
            self._unopenable = location
            self.say(f"cannot serve the rebuilt graph, still serving the previous one: {exc}")
            return
        if current is not None:
            if location != current.location:
                self.say(f"serving the rebuilt graph ({location.name})")
            elif not current.retired:
                self.say(f"the Oxigraph server stopped ({current.failure()}); started it again")
            self._retire(current)
        self._children.add(fresh)
        self._current = fresh

    def _retire(self, child: Child) -> None:
        child.retired = True
        if child.leases == 0:
            self._stop(child)

    def _stop(self, child: Child) -> None:
        self._children.discard(child)
        if child.alive():
            child.process.terminate()
        threading.Thread(target=child.stop, daemon=True).start()  # waits, kills if it must


def check_port(port: int) -> None:
    if not 1 <= port <= 65535:
        raise UsageError(f"not a TCP port: {port}")


def serve(
    store: str | Path, port: int, *, timeout: int = DEFAULT_TIMEOUT, max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES,
    max_running: int = 4, allow_service: bool = False, announce: Callable[[str], None] = lambda line: None,
    site: str | Path | None = None,
) -> None:
    """Serve the store read-only on 127.0.0.1:``port`` until Ctrl-C or SIGTERM;
    with ``site``, a folder `kg site` wrote, its pages from ``/`` as well."""
    check_port(port)
    if site is not None and not (Path(site) / "index.html").is_file():
        raise UsageError(f"{site} is not a site written by `kg site` (it has no index.html)")
    current_location(store)  # no store is a usage error, before anything starts
    binary = find_oxigraph()
    oxigraph = Oxigraph(store, binary, timeout, locate=current_location)
    try:
        server = GuardServer(port, oxigraph, Limits(timeout, max_result_bytes, allow_service, max_running), site=site)
    except OSError as exc:
        raise EndpointError(f"cannot listen on {HOST}:{port}: {exc.strerror or exc}") from None
    try:
        with _sigterm_stops():
            oxigraph.start()
            announce(query_url(server.server_port))
            server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        oxigraph.close()


@contextlib.contextmanager
def _sigterm_stops() -> Iterator[None]:
    """SIGTERM ends the server as Ctrl-C does, children included."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
