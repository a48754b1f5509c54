"""`kg export`: every format parses back to the same graph; shards and gzip are stable."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.sinks.export import shard_path

GRAPH = "https://example.org/graph/kg"


@pytest.fixture(scope="module")
def example(example_build):
    """The example corpus in a store, and the sorted lines that store holds."""
    return example_build.store, example_build.lines


def parsed_lines(path: Path) -> list[str]:
    """The triples of ``path`` (any format, graph names dropped) as sorted N-Triples."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    fmt = {".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS, ".ttl": ox.RdfFormat.TURTLE,
           ".trig": ox.RdfFormat.TRIG, ".jsonld": ox.RdfFormat.JSON_LD}[[s for s in path.suffixes if s != ".gz"][-1]]
    return sorted(f"{getattr(t, 'triple', t)} .\n" for t in ox.parse(data, format=fmt))


def export(*args: str):
    return CliRunner().invoke(cli, ["export", *args], catch_exceptions=False)


@pytest.mark.parametrize("name", ["graph.nt", "graph.nq", "graph.ttl", "graph.trig", "graph.jsonld", "graph.ttl.gz"])
def test_each_format_parses_back_to_the_same_graph(example, tmp_path, name):
    store, lines = example
    out = tmp_path / name
    result = export("--store", str(store), "-o", str(out), "--graph", GRAPH)
    assert result.exit_code == 0, result.output
    assert parsed_lines(out) == lines


def test_quad_formats_carry_the_graph_name(example, tmp_path):
    store, _ = example
    out = tmp_path / "graph.nq"
    assert export("--store", str(store), "-o", str(out), "--graph", GRAPH).exit_code == 0
    graphs = {q.graph_name for q in ox.parse(path=str(out), format=ox.RdfFormat.N_QUADS)}
    assert graphs == {ox.NamedNode(GRAPH)}


def test_format_flag_and_standard_output(example, tmp_path):
    store, lines = example
    result = CliRunner().invoke(cli, ["export", "--store", str(store), "--format", "nt"])
    assert result.exit_code == 0
    assert result.stdout == "".join(lines), "N-Triples output is the sorted lines themselves"
    assert export("--store", str(store), "-o", str(tmp_path / "g"), "--format", "ttl").exit_code == 0
    assert parsed_lines(tmp_path / "g.ttl") == lines
    assert export("--store", str(store), "-o", str(tmp_path / "g.xyz")).exit_code == 2
    assert export("--store", str(store), "--format", "rdfxml").exit_code == 2
    assert export("--store", str(tmp_path / "none")).exit_code == 2


def test_shards_add_up_to_the_graph(example, tmp_path):
    store, lines = example
    out = tmp_path / "dump" / "graph.nt.gz"
    result = export("--store", str(store), "-o", str(out), "--shard-size", "100")
    assert result.exit_code == 0, result.output
    shards = sorted((tmp_path / "dump").iterdir())
    expected = -(-len(lines) // 100)
    assert [p.name for p in shards] == [f"graph.{i:05d}.nt.gz" for i in range(1, expected + 1)]
    pieces = [gzip.decompress(p.read_bytes()).decode("utf-8").splitlines(keepends=True) for p in shards]
    assert all(len(piece) == 100 for piece in pieces[:-1])
    assert [line for piece in pieces for line in piece] == lines, "shards are consecutive runs of the sorted graph"


def test_shard_names():
    assert shard_path(Path("d/graph.nt.gz"), 3) == Path("d/graph.00003.nt.gz")
    assert shard_path(Path("graph.v2.ttl"), 12) == Path("graph.v2.00012.ttl")
    assert shard_path(Path("graph"), 1) == Path("graph.00001")


def test_gzip_output_is_byte_identical_across_runs(example, tmp_path):
    store, _ = example
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed / "graph.nq.gz"
        subprocess.run(
            [sys.executable, "-c", "from kg.cli import main; main()", "export", "--store", str(store),
             "-o", str(out), "--shard-size", "150", "--graph", GRAPH],
            env={**os.environ, "PYTHONHASHSEED": seed}, check=True, capture_output=True, timeout=120,
        )
        outputs.append([p.read_bytes() for p in sorted(out.parent.iterdir())])
    assert outputs[0] == outputs[1] and len(outputs[0]) > 1
