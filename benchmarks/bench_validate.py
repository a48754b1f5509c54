"""Benchmark `kg validate` on generated graphs of 1k, 10k, 100k, 1M papers:
kg's native engine, kg with pySHACL, and Apache Jena SHACL as the peer.

    python benchmarks/bench_validate.py                 # 1000 10000, every engine
    python benchmarks/bench_validate.py 100000 --engines native jena --keep /tmp/bench
    python benchmarks/bench_validate.py 1000 10000 --whole 1000 10000

For each size: generate (benchmarks/generate_graph.py) and bulk-load an
Oxigraph store once (``--keep DIR`` keeps and reuses them), then run each
engine in a fresh process: ``native`` (kg's shapes compiled to SPARQL on the
store, kg.validate.native), ``pyshacl`` (partitioned pySHACL in --jobs
processes), ``jena`` (benchmarks/jena_shacl.py: Jena's ``shacl validate``
reading the N-Triples file, ``-Xmx`` from --jena-xmx). Wall time is the
whole process (Jena's includes parsing the file; kg's opening the store);
memory is the peak RSS: kg's VmHWM plus --jobs times the largest worker's
(an upper bound of the process tree's peak: native and pySHACL both use
worker processes), the JVM's from /usr/bin/time. kg's result count includes the SPARQL checks in
queries/checks/, which Jena does not run. ``--whole`` also runs pySHACL on
the whole graph in one rdflib graph (the reference; 100k needs ~4 GB just to
load). Each line carries the machine's load average: other jobs may share
the cores.
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


SHARD = 100_000
"""Papers generated at once: generate_graph holds a graph in memory (~3 GB at 100k)."""


def make_graph(papers: int, folder: Path) -> tuple[Path, Path, int]:
    """The N-Triples file and the store of ``papers`` generated papers, made
    once (and in shards of 100k above that size; a triple two shards share,
    such as the concept scheme, is written twice and loaded once)."""
    from generate_graph import generate, load_store

    nt, store = folder / f"g{papers}.nt", folder / f"store{papers}"
    if nt.exists() and store.exists():
        with nt.open("rb") as text:
            return nt, store, sum(1 for _ in text)
    count = 0
    with nt.open("w", encoding="utf-8", newline="\n") as out:
        if papers <= SHARD:
            lines = generate(papers)
            count += len(lines)
            out.write("".join(lines))
        else:
            for start in range(0, papers, SHARD):
                lines = generate(min(SHARD, papers - start), seed=42 + start // SHARD, start=start)
                count += len(lines)
                out.write("".join(lines))
                del lines
    load_store(store, nt)
    return nt, store, count


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
from benchmarks.bench_build import peak_mb
from kg.validate.run import Target, validate

started = time.perf_counter()
if {mode!r} == "whole":
    report = validate(Target(files=(Path({str(nt)!r}),)), "https://w3id.org/kg/id/", partition_size=None, jobs=1)
else:
    report = validate(Target(store=Path({str(store)!r})), "https://w3id.org/kg/id/", jobs={jobs}, engine={mode!r})
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
    parser.add_argument("--engines", nargs="*", default=["native", "pyshacl", "jena"],
                        choices=["native", "pyshacl", "jena"], help="engines to run, in this order")
    parser.add_argument("--whole", nargs="*", type=int, default=[], help="sizes to also run whole-graph pySHACL on")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--jena-xmx", default="12g", help="Jena's heap limit")
    parser.add_argument("--keep", type=Path, help="keep generated graphs and stores here, and reuse them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for papers in args.sizes:
            started = time.perf_counter()
            nt, store, triples = make_graph(papers, folder)
            print(f"{papers} papers: {triples} triples, generated and loaded in {time.perf_counter() - started:.1f} s; "
                  f"{load()}", flush=True)
            seen = {}
            for engine in args.engines:
                if engine == "jena":
                    from jena_shacl import run_jena

                    got = run_jena(nt, args.jena_xmx)
                    seen[engine] = got
                    status = "" if got["exit"] == 0 else f" FAILED (exit {got['exit']}): {got['stderr'][-300:]}"
                    print(f"  jena: {got['seconds']:.1f} s, peak {got['peak_mb'] or 0:.0f} MB, "
                          f"{got['results']} results{status}; {load()}", flush=True)
                    continue
                got = run(papers, store, nt, engine, args.jobs)
                # an upper bound of the tree's peak: the parent's, plus each worker at the largest one's
                got["peak_mb"] = got["parent_mb"] + args.jobs * got["worker_mb"]
                seen[engine] = got
                print(f"  {engine}: {got['seconds']:.1f} s ({papers / got['seconds']:.0f} papers/s), "
                      f"peak {got['peak_mb']:.0f} MB (parent {got['parent_mb']:.0f} MB, largest worker {got['worker_mb']:.0f} MB), "
                      f"{got['results']} results {got['counts']}; {load()}", flush=True)
            jena = seen.get("jena")
            if jena and jena["exit"] == 0:
                for engine, got in seen.items():
                    if engine != "jena":
                        print(f"  {engine}/jena: time {got['seconds'] / jena['seconds']:.2f}x, "
                              f"memory {got['peak_mb'] / (jena['peak_mb'] or 1):.2f}x", flush=True)
            if papers in args.whole:
                whole = run(papers, store, nt, "whole", 1)
                print(f"  whole graph pySHACL, 1 process: {whole['seconds']:.1f} s, {whole['parent_mb']:.0f} MB, "
                      f"{whole['results']} results {whole['counts']}; {load()}", flush=True)


if __name__ == "__main__":
    main()
