"""Output files are whole or absent: `kg build -o`, `kg export -o` (every shard)
and `kg validate -o` write beside the file and rename, so a failed or killed
run leaves the previous file byte-identical and no temporary file."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.sinks import files
from kg.sinks.export import export, shard_path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "peer-support"
PREVIOUS = b"<urn:kg:previous> <urn:kg:good> <urn:kg:export> .\n"
KG = [sys.executable, "-m", "kg"]

# Runs the real `kg export`, pausing once the new file holds its first 64 KiB,
# until the test kills it: a kill partway through a write, without timing.
PAUSING_EXPORT = """
import sys
from contextlib import contextmanager
import kg.sinks.files as files

real = files.atomic_output

class Pausing:
    def __init__(self, out):
        self.out, self.written, self.paused = out, 0, False
    def write(self, data):
        count = self.out.write(data)
        self.written += len(data)
        if self.written >= 65536 and not self.paused:
            self.paused = True
            self.out.flush()
            print("paused", flush=True)
            sys.stdin.read()  # until killed
        return count
    def __getattr__(self, name):
        return getattr(self.out, name)

@contextmanager
def pausing(path):
    with real(path) as out:
        yield Pausing(out)

files.atomic_output = pausing
from kg.cli import cli
cli(["export", *sys.argv[1:]], prog_name="kg")
"""


def _open_files_in(pid: int, folder: Path) -> list[int]:
    """Sizes of the files process ``pid`` holds open in ``folder`` (named or not)."""
    sizes = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith(f"{folder}/"):
                sizes.append(os.stat(f"/proc/{pid}/fd/{fd}").st_size)
        except OSError:
            continue
    return sizes


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="anonymous files (O_TMPFILE) and /proc are Linux's")
def test_export_killed_with_sigkill_partway_leaves_the_previous_file_and_no_temporary_file(example_build, tmp_path):
    out = tmp_path / "dump" / "graph.nt"
    out.parent.mkdir()
    out.write_bytes(PREVIOUS)
    process = subprocess.Popen(
        [sys.executable, "-c", PAUSING_EXPORT, "--store", str(example_build.store), "-o", str(out)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
    )
    try:
        assert process.stdout.readline() == b"paused\n", process.stderr.read().decode()
        assert any(size >= 65536 for size in _open_files_in(process.pid, out.parent)), "the new file is being written"
        assert sorted(os.listdir(out.parent)) == ["graph.nt"]
        process.send_signal(signal.SIGKILL)
        assert process.wait() == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdin, process.stdout, process.stderr):
            stream.close()
    assert out.read_bytes() == PREVIOUS
    assert sorted(os.listdir(out.parent)) == ["graph.nt"]


def _limited(limit: int):
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.parametrize("command", ["build", "export", "validate"])
def test_write_failing_partway_exits_3_and_leaves_the_previous_file_and_no_temporary_file(example_build, tmp_path, command):
    """A real write error in the middle of the file (the file-size limit: EFBIG)."""
    out = tmp_path / ("report.json" if command == "validate" else "graph.nt")
    out.write_bytes(PREVIOUS)
    args = {
        "build": ["build", str(EXAMPLE), "--no-store", "-q", "-o", str(out)],
        "export": ["export", "--store", str(example_build.store), "-o", str(out)],
        "validate": ["validate", "--store", str(example_build.store), "--format", "json", "-j", "1", "-o", str(out)],
    }[command]
    done = subprocess.run([*KG, *args], preexec_fn=_limited(8192), capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 3, done.stderr
    assert done.stderr.strip().splitlines() == [f"kg: error: cannot write {out}: File too large"]
    assert out.read_bytes() == PREVIOUS
    assert sorted(os.listdir(tmp_path)) == [out.name]


@pytest.fixture(params=["anonymous", "named"])
def temporary_kind(request, monkeypatch):
    """Both ways of holding the new content: a file without a name (Linux) and a hidden named file."""
    if request.param == "named":
        monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    elif not hasattr(os, "O_TMPFILE"):
        pytest.skip("no O_TMPFILE here")
    return request.param


def _failing_midway(monkeypatch, after: int = 1):
    """Make the serialiser raise after writing ``after`` chunk(s)."""
    real = files._write

    def write(lines, fmt, out, graph):
        class Breaking:
            count = 0

            def write(self, data):
                if self.count >= after:
                    raise RuntimeError("serialiser failed midway")
                self.count += 1
                return out.write(data)

        real(lines, fmt, Breaking(), graph)

    monkeypatch.setattr(files, "_write", write)


@pytest.mark.parametrize("name", ["graph.nt", "graph.ttl", "graph.nt.gz"])
def test_exception_inside_the_writer_leaves_the_previous_file_and_no_temporary_file(
        example_build, tmp_path, monkeypatch, temporary_kind, name):
    out = tmp_path / name
    out.write_bytes(PREVIOUS)
    _failing_midway(monkeypatch)
    with pytest.raises(RuntimeError, match="midway"):
        export(example_build.lines, out)
    assert out.read_bytes() == PREVIOUS
    assert sorted(os.listdir(tmp_path)) == [name]


def test_exception_in_a_shard_leaves_that_shard_as_it_was_and_no_temporary_file(example_build, tmp_path, monkeypatch, temporary_kind):
    out = tmp_path / "graph.nt"
    shards = [shard_path(out, n) for n in (1, 2)]
    for shard in shards:
        shard.write_bytes(PREVIOUS)
    real = files._write
    calls = []

    def second_fails(lines, fmt, stream, graph):
        calls.append(1)
        if len(calls) == 2:
            stream.write(b"<urn:kg:half")
            raise RuntimeError("serialiser failed midway")
        real(lines, fmt, stream, graph)

    monkeypatch.setattr(files, "_write", second_fails)
    with pytest.raises(RuntimeError):
        export(example_build.lines, out, shard_size=100)
    assert shards[0].read_bytes() == "".join(example_build.lines[:100]).encode("utf-8")
    assert shards[1].read_bytes() == PREVIOUS
    assert sorted(os.listdir(tmp_path)) == [s.name for s in shards]


def test_replaced_file_keeps_its_permissions_and_a_symlink_stays_a_symlink(tmp_path, temporary_kind):
    real = tmp_path / "real.nt"
    real.write_bytes(PREVIOUS)
    real.chmod(0o640)
    link = tmp_path / "link.nt"
    link.symlink_to(real.name)
    with files.atomic_output(link) as out:
        out.write(b"new\n")
    assert link.is_symlink() and real.read_bytes() == b"new\n"
    assert real.stat().st_mode & 0o777 == 0o640
    assert sorted(os.listdir(tmp_path)) == ["link.nt", "real.nt"]


def test_a_special_file_is_written_in_place(tmp_path):
    with files.atomic_output(Path(os.devnull)) as out:
        out.write(b"nothing\n")
    assert Path(os.devnull).exists() and not Path(os.devnull).is_file()


def test_file_where_a_folder_should_be_is_an_input_error(tmp_path):
    (tmp_path / "somefile.txt").write_text("x")
    with pytest.raises(InputError, match=r"somefile.txt is a file, not a folder"), \
            files.atomic_output(tmp_path / "somefile.txt" / "out.nt") as out:
        out.write(b"x")
