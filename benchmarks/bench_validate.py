"""Benchmark `kg validate` on generated graphs of 1k, 10k, 100k papers.

    python benchmarks/bench_validate.py                 # 1000 10000
    python benchmarks/bench_validate.py 1000 10000 100000 --whole 1000 10000

For each size: generate (benchmarks/generate.py when another engineer's listing
generator is there, else benchmarks/generate_graph.py), bulk-load an Oxigraph
store, then time the partitioned validation (pySHACL in --jobs processes, the
checks on Oxigraph) and the peak memory of the parent and of the largest
worker. ``--whole`` also runs pySHACL on the whole graph in one rdflib graph,
sh:sparql constraints included (the reference the partitioned run with native
SHACL-SPARQL must equal), for the ratio (only where that finishes: 100k needs
~4 GB just to load). Each line carries the machine's load average: other jobs
may share the cores. Target: <= 60 s and <= 2 GB at 100k papers.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def make_graph(papers: int, folder: Path) -> tuple[Path, Path, int]:
    from generate_graph import generate, load_store

    nt, store = folder / f"g{papers}.nt", folder / f"store{papers}"
    lines = generate(papers)
    nt.write_text("".join(lines), "utf-8")
    load_store(store, nt)
    return nt, store, len(lines)


def run(papers: int, store: Path, nt: Path, mode: str, jobs: int) -> dict:
    """One validation in a fresh process, so memory figures are its own.

    The parent's peak is the kernel's VmHWM of that process, not ru_maxrss:
    Linux keeps ru_maxrss across fork and exec, so a child of this script
    reported the ~650 MB this script held after generating 10k papers (the
    "670 MB parent at 10k" was that). The workers' figure is the largest
    ru_maxrss of the children, which start from the small validating process.
    """
    code = f"""
import json, resource, sys, time
from pathlib import Path
from kg.validate.run import Target, validate

def peak_mb():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

started = time.perf_counter()
if {mode!r} == "whole":
    report = validate(Target(files=(Path({str(nt)!r}),)), "https://w3id.org/kg/id/", partition_size=None, jobs=1)
else:
    report = validate(Target(store=Path({str(store)!r})), "https://w3id.org/kg/id/", jobs={jobs})
seconds = time.perf_counter() - started
own = peak_mb()
child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "parent_mb": own, "worker_mb": child, "results": len(report.results),
                  "counts": {{s.label: n for s, n in report.counts.items()}}}}))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--whole", nargs="*", type=int, default=[1000], help="sizes to also run whole-graph pySHACL on")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        for papers in args.sizes:
            started = time.perf_counter()
            nt, store, triples = make_graph(papers, Path(tmp))
            print(f"{papers} papers: {triples} triples, generated and loaded in {time.perf_counter() - started:.1f} s; "
                  f"{load()}", flush=True)
            part = run(papers, store, nt, "partitioned", args.jobs)
            print(f"  partitioned, {args.jobs} jobs: {part['seconds']:.1f} s "
                  f"({papers / part['seconds']:.0f} papers/s), parent {part['parent_mb']:.0f} MB, "
                  f"largest worker {part['worker_mb']:.0f} MB, {part['counts']}; {load()}", flush=True)
            if papers in args.whole:
                whole = run(papers, store, nt, "whole", 1)
                same = "same" if whole["counts"] == part["counts"] else f"DIFFERENT {whole['counts']}"
                print(f"  whole graph, 1 process: {whole['seconds']:.1f} s, {whole['parent_mb']:.0f} MB; "
                      f"ratio whole/partitioned {whole['seconds'] / part['seconds']:.2f}x; results {same}; {load()}",
                      flush=True)


if __name__ == "__main__":
    main()
