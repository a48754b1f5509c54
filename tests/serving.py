"""`kg serve` in a child process and plain HTTP calls to it, for the serve
tests (a helper, not conftest)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from conftest import free_port


def store_copy(tmp_path_factory, example_build) -> Path:
    """A copy of the example store, so a server has it to itself."""
    store = tmp_path_factory.mktemp("serve-example") / "store"
    shutil.copytree(example_build.store, store)
    return store


@dataclass
class Served:
    url: str
    process: subprocess.Popen
    children: list[int] = field(default_factory=list)
    """The PIDs of the Oxigraph servers kg started, as last seen."""
    returncode: int | None = None
    stdout: bytes = b""
    stderr: bytes = b""

    def look_at_children(self) -> list[int]:
        self.children = [
            int(pid)
            for task in Path(f"/proc/{self.process.pid}/task").glob("*")
            for pid in (task / "children").read_text().split()
        ]
        return self.children


def answer(url: str, *, params=None, data: bytes | None = None, content_type: str | None = None,
           accept: str | None = None, method: str | None = None, timeout: float = 60) -> tuple[int, str, bytes]:
    """Status, content type and body of one request; HTTP errors are answers too."""
    if params:
        url += "?" + urllib.parse.urlencode(params)
    headers = {"Content-Type": content_type} if content_type else {}
    if accept:
        headers["Accept"] = accept
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers.get("Content-Type", ""), error.read()


def form(query: str, **extra) -> dict:
    """Keyword arguments of :func:`answer` that POST ``query`` as a form."""
    return {"data": urllib.parse.urlencode({"query": query}).encode(),
            "content_type": "application/x-www-form-urlencoded", **extra}


@contextmanager
def kg_serve(store: Path, *flags: str):
    """`kg serve --store STORE FLAGS...` until it answers; SIGTERM stops it,
    and every Oxigraph server it started must be gone after."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", "from kg.cli import main; main()", "serve", "--store", str(store), "--port", str(port), *flags],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    served = Served(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode())
            try:
                urllib.request.urlopen(f"{served.url}/query?query=ASK%7B%7D", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield served
    finally:
        if process.poll() is None:
            served.look_at_children()
        process.send_signal(signal.SIGTERM)
        try:
            served.stdout, served.stderr = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            served.stdout, served.stderr = process.communicate()
        served.returncode = process.returncode
        left = _still_running(served.children)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert not left, f"kg serve left Oxigraph servers running: {left}"


def _still_running(pids: list[int], wait: float = 10) -> list[int]:
    deadline = time.monotonic() + wait
    while True:
        left = [pid for pid in pids if _running(pid)]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
