"""Progress on stderr: drawn when stderr is a terminal, never on stdout, never
when stderr is piped or with -q.

The commands run in subprocesses whose stderr is a pseudo-terminal and whose
stdout is a pipe; what reached the terminal is read as text with the
terminal's control sequences taken out. No timing is asserted.
"""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT
from rich.console import Console

from benchmarks.generate import generate_listing
from kg.cli.build import echo_summary
from kg.cli.progress import RichProgress, progress_display
from kg.model import NO_PROGRESS, Progress
from kg.pipeline import build_graph
from kg.vocab import DEFAULT_BASE

RECORDS = 2000
TARGET = "https://example.org/graph/kg"
CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\r")
"""Terminal control sequences (colours, cursor moves) and carriage returns."""


@dataclass
class Ran:
    returncode: int
    stdout: bytes
    stderr: bytes
    """What reached stderr: the terminal's bytes, or the pipe's."""

    @property
    def screen(self) -> str:
        """stderr as plain text: the control sequences out, lines as printed."""
        return CONTROL.sub("", self.stderr.decode("utf-8"))


def run_kg(*args: str, terminal: bool = True, cwd: Path | None = None) -> Ran:
    """``python -m kg ARGS`` with stdout to a pipe and stderr to a
    pseudo-terminal (``terminal``) or a pipe."""
    env = {**os.environ, "COLUMNS": "120", "LINES": "50", "TERM": "xterm-256color",
           "PYTHONPATH": str(ROOT)}
    env.pop("NO_COLOR", None)
    command = [sys.executable, "-m", "kg", *args]
    if not terminal:
        done = subprocess.run(command, check=False, capture_output=True, env=env, cwd=cwd, timeout=300)
        return Ran(done.returncode, done.stdout, done.stderr)
    master, slave = pty.openpty()
    seen = bytearray()

    def drain() -> None:  # concurrently with stdout, so neither side blocks the other
        while True:
            try:
                data = os.read(master, 1 << 16)
            except OSError:  # EIO: every holder of the terminal closed it
                return
            if not data:
                return
            seen.extend(data)

    reader = threading.Thread(target=drain, daemon=True)
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave,
                                   env=env, cwd=cwd)
    finally:
        os.close(slave)
    reader.start()
    try:
        stdout, _ = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        reader.join(timeout=30)
        os.close(master)
    return Ran(process.returncode, stdout, bytes(seen))


# ------------------------------------------------------------------ kg build


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A generated listing of a few thousand records."""
    path = tmp_path_factory.mktemp("progress") / "corpus.txt"
    path.write_text(generate_listing(RECORDS, seed=7), encoding="utf-8")
    return path


def summary_of(corpus: Path, store: Path, capsys) -> bytes:
    """What `kg build CORPUS --store STORE` prints when nobody watches: its summary."""
    built = build_graph([corpus], DEFAULT_BASE)
    capsys.readouterr()
    echo_summary(built.summary, str(store), None)
    return capsys.readouterr().err.encode("utf-8")


def test_build_shows_each_stage_on_a_terminal_and_keeps_stdout_empty(corpus, tmp_path):
    ran = run_kg("build", str(corpus), "--store", str(tmp_path / "store"))
    assert ran.returncode == 0, ran.screen
    assert ran.stdout == b""
    screen = ran.screen
    for shown in ("reading", "1/1 files", f"corpus.txt: {RECORDS:,} records", f"resolving {RECORDS:,} records",
                  "tagging concepts of", "mapping to RDF", "statements", "sorting statements", "writing the store"):
        assert shown in screen, shown
    # the summary follows the progress, as it is printed without it
    assert screen.rstrip().endswith(f"wrote store {tmp_path / 'store'}")
    assert screen.index("writing the store") < screen.index("records per format:")


def test_build_writing_a_file_says_so(corpus, tmp_path):
    out = tmp_path / "graph.nt"
    ran = run_kg("build", str(corpus), "--no-store", "-o", str(out), "--no-tag")
    assert ran.returncode == 0, ran.screen
    assert "writing graph.nt" in ran.screen
    assert "tagging" not in ran.screen and ran.stdout == b""


def test_build_with_stderr_piped_prints_only_its_summary(corpus, tmp_path, capsys):
    store = tmp_path / "store"
    ran = run_kg("build", str(corpus), "--store", str(store), terminal=False)
    assert ran.returncode == 0
    assert ran.stdout == b""
    assert ran.stderr == summary_of(corpus, store, capsys)


def test_build_quiet_prints_nothing_even_on_a_terminal(corpus, tmp_path):
    ran = run_kg("build", str(corpus), "--store", str(tmp_path / "store"), "-q")
    assert ran.returncode == 0
    assert (ran.stdout, ran.stderr) == (b"", b"")
    piped = run_kg("build", str(corpus), "--store", str(tmp_path / "store"), "-q", terminal=False)
    assert (piped.returncode, piped.stdout, piped.stderr) == (0, b"", b"")


# --------------------------------------------------------------- kg validate


def test_validate_native_shows_its_queries(example_build):
    ran = run_kg("validate", "--store", str(example_build.store))
    assert ran.returncode == 0, ran.screen
    assert re.search(r"validating the shapes \(native\)[ ━]+\d+/[1-9]\d* queries", ran.screen), ran.screen


def test_validate_shows_partitions_and_checks_and_the_report_is_unchanged(example_build):
    args = ["validate", "--store", str(example_build.store), "--engine", "pyshacl", "--partition-size", "3", "--jobs", "1"]
    on_terminal = run_kg(*args)
    piped = run_kg(*args, terminal=False)
    assert on_terminal.returncode == piped.returncode == 0, on_terminal.screen
    for shown in ("loading the shapes", "reading store", "validating the shapes",
                  "partitions", "running the checks", "checks", "finding the source records"):
        assert shown in on_terminal.screen, shown
    assert re.search(r"validating the shapes +[1-9]\d* partitions", on_terminal.screen)
    # the report goes to stdout, the same whether or not stderr is a terminal
    assert on_terminal.stdout == piped.stdout
    assert piped.stdout.startswith(b"kg validate: ")
    assert piped.stderr == b""  # the text report carries its own summary


def test_validate_quiet_prints_nothing_on_stderr(example_build):
    args = ["validate", "--store", str(example_build.store), "--format", "json", "-q"]
    on_terminal = run_kg(*args)
    assert on_terminal.returncode == 0
    assert on_terminal.stderr == b""
    assert on_terminal.stdout.startswith(b"{")
    summary_only = run_kg(*args[:-1], terminal=False)  # without -q: the summary line, no progress
    assert summary_only.stdout == on_terminal.stdout
    assert len(summary_only.stderr.decode().splitlines()) == 1


# ------------------------------------------------------------------- kg load


def load_args(server, store: Path, *extra: str) -> list[str]:
    return ["load", "--profile", "oxigraph", "--endpoint-base", server.url, "--graph", TARGET,
            "--store", str(store), "--chunk-size", "500", *extra]


REPORT = re.compile(r"loaded [\d,]+ triples into <[^>]+> at \S+ in \d+ chunk\(s\), [\d.]+ s; the graph now holds [\d,]+")


def test_load_shows_triples_uploaded_on_a_terminal(example_build, oxigraph_server):
    ran = run_kg(*load_args(oxigraph_server, example_build.store))
    assert ran.returncode == 0, ran.screen
    assert ran.stdout == b""
    triples = len(example_build.lines)
    for shown in ("reading the store", "preparing a staging graph", "uploading",
                  f"/{triples:,} triples", "counting the triples in the staging graph",
                  "swapping the staging graph onto the target"):
        assert shown in ran.screen, shown
    assert re.search(rf"uploading .* {triples:,}/{triples:,} triples", ran.screen)
    assert REPORT.search(ran.screen.splitlines()[-1])


def test_load_piped_prints_its_report_only_and_quiet_nothing(example_build, oxigraph_server):
    piped = run_kg(*load_args(oxigraph_server, example_build.store), terminal=False)
    assert piped.returncode == 0
    assert piped.stdout == b""
    assert REPORT.fullmatch(piped.stderr.decode().rstrip("\n"))
    quiet = run_kg(*load_args(oxigraph_server, example_build.store, "-q"))
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, b"", b"")


# ------------------------------------------------------------ the two sides


def test_progress_is_nowhere_unless_stderr_is_a_terminal(monkeypatch):
    with progress_display() as progress:
        assert progress is NO_PROGRESS  # pytest's stderr is no terminal
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with progress_display(quiet=True) as progress:
        assert progress is NO_PROGRESS


def test_a_stage_ends_ticked_with_its_count_and_note():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100, color_system=None)
    with RichProgress(console) as progress:
        shown: Progress = progress
        shown.stage("reading", total=2, unit="files")
        shown.advance(1, note="a.ris: 3 records")
        shown.advance(1, note="b.ris: 4 records")
        shown.stage("resolving 7 records")
        shown.stage("mapping to RDF", unit="statements")
        shown.advance(40)
    last = [line for line in CONTROL.sub("", out.getvalue()).splitlines() if line.strip()][-3:]
    assert [line.split()[0] for line in last] == ["✓", "✓", "✓"]
    assert "2/2 files" in last[0] and "b.ris: 4 records" in last[0]
    assert "resolving 7 records" in last[1]
    assert "40 statements" in last[2] and "/" not in last[2]


def test_a_stage_cut_short_by_an_error_ends_with_a_cross():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100, color_system=None)
    with pytest.raises(KeyboardInterrupt), RichProgress(console) as progress:
        progress.stage("uploading", total=10, unit="triples")
        progress.advance(4)
        raise KeyboardInterrupt
    screen = CONTROL.sub("", out.getvalue())
    assert re.search(r"✗ uploading\s+━+\s+4/10 triples", screen) and "✓" not in screen


def test_no_progress_takes_every_call():
    NO_PROGRESS.stage("anything", total=3, unit="files")
    NO_PROGRESS.advance(2, note="ignored")
