"""`kg serve`: a read-only SPARQL 1.1 Protocol endpoint over the embedded store.

kg does not implement an HTTP server: it runs Oxigraph's own
``oxigraph serve-read-only``, which answers queries at /query and refuses every
update and Graph Store write with HTTP 403.
"""

from __future__ import annotations

import shutil
import socket
import sys
from pathlib import Path

from ..errors import EndpointError, InputError, UsageError

HOST = "127.0.0.1"
DEFAULT_PORT = 7878


def find_oxigraph() -> str:
    """The `oxigraph` binary: beside this Python (a venv's bin/), else on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise InputError("the Oxigraph server is not installed; run `pip install oxigraph` (it provides the `oxigraph` command)")


def check_port(port: int) -> None:
    """Refuse a port another process holds, before handing over to the server."""
    if not 1 <= port <= 65535:
        raise UsageError(f"not a TCP port: {port}")
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            raise EndpointError(f"cannot listen on {HOST}:{port}: {exc.strerror or exc}") from None


def serve_command(store: str | Path, port: int, binary: str | None = None) -> list[str]:
    """The command line that serves ``store`` read-only on 127.0.0.1:``port``."""
    location = Path(store)
    if not location.is_dir():
        raise UsageError(f"no kg store at {location}; run `kg build` first or pass --store")
    return [binary or find_oxigraph(), "serve-read-only", "--location", str(location), "--bind", f"{HOST}:{port}"]


def query_url(port: int) -> str:
    return f"http://{HOST}:{port}/query"
