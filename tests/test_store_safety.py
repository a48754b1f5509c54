"""The store never loses a user's graph or files: atomic rebuilds, refused folders,
checked settings, and an honest word when a command is interrupted."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from conftest import interrupt_on_call
from kg.cli import cli
from kg.errors import Interrupted
from kg.pipeline import build_graph, write_outputs
from kg.sinks import store as store_module
from kg.sinks.store import MARKER, current_location, open_store
from kg.vocab import DEFAULT_BASE

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "peer-support"
sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate_listing  # noqa: E402

KG = [sys.executable, "-m", "kg"]


def dump(store: Path) -> bytes:
    """The store's graph as sorted N-Triples, for exact comparison."""
    data = open_store(store).dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return b"".join(sorted(data.splitlines(keepends=True)))


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    """The example graph (old) and a generated corpus big enough that a build
    of it takes a while (new), with the dump each build gives."""
    folder = tmp_path_factory.mktemp("corpora")
    big = folder / "big.txt"
    big.write_text(generate_listing(4000, seed=7), encoding="utf-8")
    expected = {}
    for name, source in (("old", EXAMPLE), ("new", big)):
        write_outputs(build_graph([source], DEFAULT_BASE), store=folder / name, output=None)
        expected[name] = dump(folder / name)
    return big, expected


def start_build(inputs: Path, store: Path) -> subprocess.Popen:
    return subprocess.Popen([*KG, "build", str(inputs), "--store", str(store), "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def building(store: Path, generation_only: bool = False) -> bool:
    """Whether a build's scratch folder (``building-PID-...``) is in ``store``;
    with ``generation_only``, a generation being filled, not the read's or
    the sort's folder (``building-PID-read...``, ``-sort...``)."""
    pattern = r"building-\d+-(?!read|sort).*" if generation_only else r"building-.*"
    return any(re.fullmatch(pattern, p.name) for p in store.iterdir())


def wait_until(condition, limit: float = 120.0) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


# -- 1 and 2: a rebuild is atomic, and readers see the old graph meanwhile ----------------


@pytest.mark.parametrize("point", ["reading", "loading", "loaded"])
def test_killed_rebuild_leaves_exactly_the_old_or_the_new_graph(corpora, tmp_path, point):
    big, expected = corpora
    store = tmp_path / "store"
    write_outputs(build_graph([EXAMPLE], DEFAULT_BASE), store=store, output=None)
    build = start_build(big, store)
    if point == "reading":
        time.sleep(0.3)
    elif point == "loading":
        assert wait_until(lambda: building(store, generation_only=True)), "the build never started loading"
    else:
        generations = lambda: sum(1 for p in store.iterdir() if p.name.startswith("g-"))  # noqa: E731
        wait_until(lambda: generations() > 1 or build.poll() is not None)
    build.send_signal(signal.SIGKILL)
    build.wait(30)
    assert dump(store) in (expected["old"], expected["new"])
    # and the next build cleans up what the killed one left
    write_outputs(build_graph([EXAMPLE], DEFAULT_BASE), store=store, output=None)
    assert dump(store) == expected["old"]
    assert not building(store)


def test_query_during_a_build_reads_the_old_graph(corpora, tmp_path):
    big, expected = corpora
    store = tmp_path / "store"
    write_outputs(build_graph([EXAMPLE], DEFAULT_BASE), store=store, output=None)
    old_count = len(open_store(store))
    new_count = expected["new"].count(b"\n")
    build = start_build(big, store)
    counts = []
    try:
        while build.poll() is None:
            done = subprocess.run([*KG, "stats", "--store", str(store)], capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, done.stderr
            counts.append(int(done.stdout.strip().splitlines()[-1].split()[-1]))
    finally:
        build.wait(120)
    assert build.returncode == 0, build.stderr.read().decode()
    assert counts and set(counts) <= {old_count, new_count}
    assert len(open_store(store)) == new_count


def test_build_while_another_process_holds_the_store_open(tmp_path):
    store = tmp_path / "store"
    write_outputs(build_graph([EXAMPLE], DEFAULT_BASE), store=store, output=None)
    held = ox.Store(str(current_location(store)))  # a writer on the graph readers open
    try:
        stats = CliRunner().invoke(cli, ["stats", "--store", str(store)])
        assert stats.exit_code == 0 and "triples:" in stats.output, stats.output  # readers take no lock
        result = CliRunner().invoke(cli, ["build", str(EXAMPLE), "--store", str(store), "-q"])
        assert result.exit_code == 0, result.output
    finally:
        del held
    assert len(open_store(store)) > 0


# -- 4: a folder that is not a kg store is never written into ---------------------------


def test_store_refuses_a_folder_that_is_not_a_kg_store(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "LOG").write_text("my notes\n")
    result = CliRunner().invoke(cli, ["build", str(EXAMPLE), "--store", str(folder), "-q"])
    assert result.exit_code == 2
    assert "not a kg store" in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in folder.iterdir()) == ["LOG"]
    assert (folder / "LOG").read_text() == "my notes\n"


def test_store_on_a_folder_holding_000001_log_is_refused_without_traceback(tmp_path):
    folder = tmp_path / "db"
    folder.mkdir()
    (folder / "000001.log").write_bytes(b"\x00garbage")
    runner = CliRunner()
    for command in (["build", str(EXAMPLE), "--store", str(folder)], ["stats", "--store", str(folder)]):
        result = runner.invoke(cli, command)
        assert result.exit_code == 2, result.output
        assert "not a kg store" in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in folder.iterdir()) == ["000001.log"]


def test_store_that_is_a_file_is_a_usage_error(tmp_path):
    path = tmp_path / "store"
    path.write_text("x")
    result = CliRunner().invoke(cli, ["build", str(EXAMPLE), "--store", str(path), "-q"])
    assert result.exit_code == 2 and "is a file" in result.output


def test_new_store_is_marked_as_kg_store(tmp_path):
    write_outputs(build_graph([EXAMPLE], DEFAULT_BASE), store=tmp_path / "store", output=None)
    assert (tmp_path / "store" / MARKER).is_file()


# -- 5 and 13: settings are checked before anything is written --------------------------


@pytest.mark.parametrize("base", ["http://ex.org/a>b/", "http://ex.org/a b/", "notaniri/", "http://ex.org/no-end"])
def test_bad_base_iri_is_refused_before_anything_is_written(tmp_path, base):
    store = tmp_path / "store"
    write_outputs(build_graph([EXAMPLE], DEFAULT_BASE), store=store, output=None)
    before = dump(store)
    result = CliRunner().invoke(cli, ["build", str(EXAMPLE), "--store", str(store), "--base", base, "-q"])
    assert result.exit_code == 2, result.output
    assert "base IRI" in result.output and "Traceback" not in result.output
    assert dump(store) == before


def test_store_setting_that_is_not_a_string_is_a_usage_error(tmp_path, monkeypatch):
    (tmp_path / "kg.toml").write_text("store = 5\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["stats"])
    assert result.exit_code == 2
    assert "`store` must be a string" in result.output and "kg.toml" in result.output


# -- 14: an interrupted command says what it committed ---------------------------------


def test_interrupt_after_the_switch_reports_the_new_graph_committed(tmp_path, monkeypatch):
    store = tmp_path / "store"
    write_outputs(build_graph([EXAMPLE], DEFAULT_BASE, tag=False), store=store, output=None)
    interrupt_on_call(monkeypatch, store_module, "_remove_old_generations")
    result = CliRunner().invoke(cli, ["build", str(EXAMPLE), "--store", str(store), "-q"])
    assert result.exit_code == 0
    assert "interrupted after the new graph was committed" in result.output
    with_concepts = build_graph([EXAMPLE], DEFAULT_BASE)
    assert len(open_store(store)) == with_concepts.summary.triples


def test_interrupt_before_the_switch_reports_the_old_graph_kept(tmp_path, monkeypatch):
    store = tmp_path / "store"
    write_outputs(build_graph([EXAMPLE], DEFAULT_BASE, tag=False), store=store, output=None)
    before = dump(store)
    interrupt_on_call(monkeypatch, store_module, "_switch")
    result = CliRunner().invoke(cli, ["build", str(EXAMPLE), "--store", str(store), "-q"])
    assert result.exit_code == 3
    assert "still holds the previous graph" in result.output
    assert dump(store) == before
    assert sorted(p.name for p in store.iterdir() if not p.name.startswith(".")) == ["cache", "current", "g-000001", MARKER]


def test_interrupted_error_exit_code_follows_what_was_committed():
    assert Interrupted("x", committed=True).exit_code == 0
    assert Interrupted("x", committed=False).exit_code == 3
    assert Interrupted("x", committed=None).exit_code == 3


def test_sigint_while_reading_leaves_the_store(corpora, tmp_path):
    big, expected = corpora
    store = tmp_path / "store"
    write_outputs(build_graph([EXAMPLE], DEFAULT_BASE), store=store, output=None)
    build = start_build(big, store)
    # Not a fixed delay: on a cold machine, 0.5 s fell in Python's imports,
    # before kg runs at all. The read's scratch folder (building-PID-read...)
    # is made just before the first input is read.
    assert wait_until(lambda: building(store) or build.poll() is not None), "the build never started reading"
    build.send_signal(signal.SIGINT)
    _, stderr = build.communicate(timeout=120)
    if build.returncode == 3:
        assert b"still holds the previous graph" in stderr or b"before anything was written" in stderr
        assert dump(store) == expected["old"]
    else:  # the build was quicker than the signal
        assert build.returncode == 0 and dump(store) == expected["new"]
    assert b"Traceback" not in stderr


def test_ctrl_c_while_kg_imports_its_commands_is_one_line_and_exit_3(monkeypatch, capsys):
    """Importing kg.cli takes a few tenths of a second; Ctrl-C then gave a
    KeyboardInterrupt traceback and death by SIGINT (CI: -2, not 3)."""
    from kg.__main__ import run

    class InterruptedImport:
        def find_spec(self, name, path=None, target=None):
            if name == "kg.cli":
                raise KeyboardInterrupt
            return None

    monkeypatch.delitem(sys.modules, "kg.cli")
    monkeypatch.setattr(sys, "meta_path", [InterruptedImport(), *sys.meta_path])
    try:
        run()
    except KeyboardInterrupt:  # as such it would stop pytest itself, not fail this test
        pytest.fail("Ctrl-C during kg's imports escaped as KeyboardInterrupt")
    except SystemExit as exited:
        assert exited.code == 3
    else:
        pytest.fail("kg went on after Ctrl-C during its imports")
    assert capsys.readouterr().err == "kg: interrupted before anything was written\n"


@pytest.mark.skipif(os.name != "posix", reason="signals")
def test_readers_never_see_a_half_loaded_generation(corpora, tmp_path):
    big, expected = corpora
    store = tmp_path / "store"
    write_outputs(build_graph([EXAMPLE], DEFAULT_BASE), store=store, output=None)
    build = start_build(big, store)
    seen = set()
    while build.poll() is None:
        seen.add(current_location(store).name)
    build.wait(120)
    assert seen <= {"g-000001", "g-000002"}
    assert current_location(store).name == "g-000002"


def test_store_that_cannot_be_opened_is_a_one_line_error_exit_3(tmp_path):
    store = tmp_path / "store"
    write_outputs(build_graph([EXAMPLE], DEFAULT_BASE, tag=False), store=store, output=None)
    for manifest in current_location(store).glob("MANIFEST-*"):
        manifest.write_bytes(b"\x00not a manifest")
    runner = CliRunner()
    for command in (["stats", "--store", str(store)], ["query", "class-counts", "--store", str(store)]):
        result = runner.invoke(cli, command)
        assert result.exit_code == 3, result.output
        assert result.output.startswith(f"kg: error: cannot open the store at {store}")
        assert len(result.output.strip().splitlines()) == 1


def test_store_of_an_earlier_kg_is_named_as_such_and_left_alone(tmp_path):
    folder = tmp_path / "old"
    ox.Store(str(folder)).add(ox.Quad(ox.NamedNode("http://ex.org/s"), ox.NamedNode("http://ex.org/p"), ox.Literal("o")))
    before = sorted(p.name for p in folder.iterdir())
    result = CliRunner().invoke(cli, ["build", str(EXAMPLE), "--store", str(folder), "-q"])
    assert result.exit_code == 2
    assert "holds an Oxigraph database without kg's kg-store.json" in result.output
    assert sorted(p.name for p in folder.iterdir()) == before


def test_a_build_into_the_store_sorts_in_the_store_folder_and_removes_what_it_spilled(tmp_path):
    store = tmp_path / "store"
    built = build_graph([EXAMPLE], DEFAULT_BASE, store=store, run_size=1000)
    scratch = built.statements.files[0].parent
    assert scratch.parent == store and scratch.name.startswith(f"building-{os.getpid()}-sort")
    write_outputs(built, store=store, output=None)
    built.statements.close()
    assert not scratch.exists()
    assert not building(store)


def test_a_killed_builds_sort_files_are_removed_by_the_next_build(tmp_path):
    store = tmp_path / "store"
    write_outputs(build_graph([EXAMPLE], DEFAULT_BASE), store=store, output=None)
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    left = store / f"building-{finished.stdout.strip()}-sortx1y2z3"  # what a build killed while sorting leaves
    left.mkdir()
    (left / "run-00000.nt").write_text("<http://example.org/s> <http://example.org/p> \"o\" .\n", "utf-8")
    write_outputs(build_graph([EXAMPLE], DEFAULT_BASE, store=store, full=True), store=store, output=None)
    assert not left.exists()
