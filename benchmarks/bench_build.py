"""Benchmark `kg build` on generated listings of growing size.

For each size it runs, in a fresh process (so peak memory is per size):
the build into an embedded store plus an N-Triples file, then pyoxigraph's
own bulk load of that same N-Triples file into a fresh store, for the ratio.

    python benchmarks/bench_build.py             # 1k, 10k, 100k
    python benchmarks/bench_build.py 1000 5000   # chosen sizes
    python benchmarks/bench_build.py --tag ...   # with concept tagging
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.generate import generate_listing  # noqa: E402


def measure_one(size: int, tag: bool) -> dict:
    import pyoxigraph as ox

    from kg.pipeline import build_graph, write_outputs
    from kg.vocab import DEFAULT_BASE

    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        folder = Path(tmp)
        listing = folder / "corpus.txt"
        listing.write_text(generate_listing(size), encoding="utf-8")
        start = time.perf_counter()
        built = build_graph([listing], DEFAULT_BASE, tag=tag)
        graph_done = time.perf_counter()
        write_outputs(built, store=folder / "store", output=folder / "graph.nt")
        end = time.perf_counter()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        bulk_start = time.perf_counter()
        ox.Store(str(folder / "bulk")).bulk_load(path=str(folder / "graph.nt"), format=ox.RdfFormat.N_TRIPLES)
        bulk = time.perf_counter() - bulk_start
        return {
            "records": size,
            "triples": built.summary.triples,
            "graph_s": round(graph_done - start, 2),
            "total_s": round(end - start, 2),
            "records_per_s": round(size / (end - start)),
            "triples_per_s": round(built.summary.triples / (end - start)),
            "peak_mb": round(peak_mb),
            "pyoxigraph_bulk_load_s": round(bulk, 2),
            "ratio_to_bulk_load": round((end - start) / bulk, 2),
        }


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:  # the child process that measures one size
        print(json.dumps(measure_one(int(argv[1]), argv[2] == "tag")))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000, 100000], help="records per corpus")
    parser.add_argument("--tag", action="store_true", help="tag concepts too")
    args = parser.parse_args(argv)
    print("records  triples  graph_s  total_s  records/s  triples/s  peak_MB  bulk_load_s  total/bulk")
    for size in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(size), "tag" if args.tag else "notag"],
            check=True, capture_output=True, text=True,
        ).stdout
        r = json.loads(out)
        print(
            f"{r['records']:>7}  {r['triples']:>7}  {r['graph_s']:>7}  {r['total_s']:>7}  "
            f"{r['records_per_s']:>9}  {r['triples_per_s']:>9}  {r['peak_mb']:>7}  "
            f"{r['pyoxigraph_bulk_load_s']:>11}  {r['ratio_to_bulk_load']:>10}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
