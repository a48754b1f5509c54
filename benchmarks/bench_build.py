"""Benchmark `kg build` on generated listings of growing size, stage by stage.

For each size it runs, in a fresh process (so peak memory is per size):
the build into an embedded store as `kg build` runs it (a first build: the
store loaded while mapping, the cache kept), then pyoxigraph's own bulk load
of the same N-Triples (the sorted statements the build keeps in its cache)
into a fresh store, for the ratio.
Stage times come from the pipeline's own ``Progress`` calls (the time each
stage begins), so nothing in the pipeline is changed to measure it; memory is
the resident set of the process and its children (the tagging worker),
sampled every 20 ms, its peak per stage.

    python benchmarks/bench_build.py             # 10k, 100k, 1M
    python benchmarks/bench_build.py 1000 5000   # chosen sizes
    python benchmarks/bench_build.py --tag ...   # with concept tagging
    python benchmarks/bench_build.py --late ...  # the store loaded only after the sort
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.generate import generate_listing  # noqa: E402

STAGES = ("read", "resolve", "map", "tag", "sort", "store write")
"""In the order the pipeline runs them."""

_STAGE_OF_PREFIX = {
    "reading": "read",
    "resolving": "resolve",
    "tagging": "tag",
    "mapping": "map",
    "sorting": "sort",
    "writing the store": "store write",
}
_PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss_mb(pid: int | str = "self") -> float:
    """Resident memory of ``pid`` and its descendants: the build's reading
    and tagging workers (kg.read.parallel, kg.concepts.ahead), validation
    workers. Pages two of them share count twice, so this errs high."""
    return sum(own_and_descendants_mb(pid))


def own_and_descendants_mb(pid: int | str = "self") -> tuple[float, float]:
    """Resident memory of ``pid`` itself, and of its descendants."""
    own = others = 0.0
    try:
        with open(f"/proc/{pid}/statm") as statm:
            own = int(statm.read().split()[1]) * _PAGE / 2**20
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as children:
                others += sum(tree_rss_mb(child) for child in children.read().split())
    except OSError:  # gone meanwhile
        pass
    return own, others


def cpu_seconds() -> float:
    """CPU time of every thread of this process, and of its children once
    they ended (the tagging worker's is counted in the stage that stops it)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def peak_mb() -> float:
    """This process's peak resident memory: the kernel's VmHWM, not
    ru_maxrss, which Linux carries over exec from the parent (a child of a
    script holding a large value reported the parent's size)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_stage_table(stages: dict[str, dict[str, float]], records: int | None = None) -> None:
    """Each stage's wall and CPU seconds and peak MB (and the worker
    processes' share of it), in pipeline order; with
    ``records``, the CPU microseconds per record too (a stage linear in the
    corpus keeps it across sizes)."""
    print(f"  {'stage':<12} {'s':>8} {'cpu s':>8} {'peak MB':>8} {'workers':>8}"
          + (f" {'cpu us/record':>14}" if records else ""))
    for stage in STAGES:
        if stage in stages:
            s = stages[stage]
            per_record = f" {s['cpu_s'] / records * 1e6:>14.1f}" if records and "cpu_s" in s else ""
            print(f"  {stage:<12} {s['s']:>8} {s.get('cpu_s', '-'):>8} {s['peak_mb']:>8} {s.get('workers_mb', '-'):>8}"
                  f"{per_record}")


def print_growth(results: list[dict]) -> None:
    """Each stage's CPU microseconds per record at every size measured, and
    how much it grew from the smallest size: 1.00 is linear. Read and resolve
    are the build's alone; from map on, the store loads alongside (at 10k only
    at the end), and its CPU counts in those stages."""
    results = sorted(results, key=lambda r: r["records"])
    first = results[0]
    print(f"\nCPU microseconds per record (growth from {first['records']:,} records; 1.00 is linear; "
          "from map on, the store's load counts too):")
    print(f"  {'stage':<12}" + "".join(f" {r['records']:>16,}" for r in results))
    for stage in STAGES:
        if all("cpu_s" in r["stages"].get(stage, {}) for r in results):
            base = first["stages"][stage]["cpu_s"] / first["records"]
            cells = []
            for r in results:
                per = r["stages"][stage]["cpu_s"] / r["records"]
                cells.append(f"{per * 1e6:8.1f} ({per / base if base else 0:4.2f})")
            print(f"  {stage:<12}" + "".join(f" {c:>16}" for c in cells))


def load_average() -> float:
    return os.getloadavg()[0]


class StageRecorder:
    """A :class:`kg.model.Progress` that keeps when each stage began and the
    peak resident memory while it ran (a sampling thread: the stages run in
    C-heavy code that would not report often enough by itself)."""

    def __init__(self, interval: float = 0.02) -> None:
        self.started: list[tuple[str, float, float]] = []
        self.peaks: dict[str, float] = {}
        self.others_at_peak: dict[str, float] = {}
        """Of each stage's peak, the worker processes' share (the rest is the build's own)."""
        self._current = "setup"
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, args=(interval,), daemon=True)
        self._sampler.start()

    def _sample(self, interval: float) -> None:
        while not self._stop.is_set():
            self._note()
            self._stop.wait(interval)

    def _note(self) -> None:
        own, others = own_and_descendants_mb()
        if own + others > self.peaks.get(self._current, 0.0):
            self.peaks[self._current] = own + others
            self.others_at_peak[self._current] = others

    def stage(self, name: str, total: int | None = None, unit: str = "") -> None:
        self._note()
        stage = next((s for prefix, s in _STAGE_OF_PREFIX.items() if name.startswith(prefix)), name)
        self._current = stage
        self.started.append((stage, time.perf_counter(), cpu_seconds()))
        self._note()

    def advance(self, n: int = 1, note: str | None = None) -> None:
        pass

    def finish(self) -> dict[str, dict[str, float]]:
        """Seconds (wall and CPU, every thread of the process: the CPU time
        is what a busy machine does not inflate) and peak MB per stage, the
        last one ending now."""
        end = ("end", time.perf_counter(), cpu_seconds())
        self._note()
        self._stop.set()
        self._sampler.join()
        times: dict[str, list[float]] = {}
        for (stage, wall, cpu), (_, next_wall, next_cpu) in zip(self.started, self.started[1:] + [end]):
            spent = times.setdefault(stage, [0.0, 0.0])
            spent[0] += next_wall - wall
            spent[1] += next_cpu - cpu
        return {s: {"s": round(w, 2), "cpu_s": round(c, 2), "peak_mb": round(self.peaks.get(s, 0.0)),
                    "workers_mb": round(self.others_at_peak.get(s, 0.0))}
                for s, (w, c) in times.items()}


def bulk_load_seconds(nt_file: Path, folder: Path) -> tuple[float, float, float]:
    """pyoxigraph's own bulk load of ``nt_file`` into a fresh store (the
    floor), its CPU seconds, and the ``optimize()`` after it that kg's store
    write also runs."""
    import pyoxigraph as ox

    start, cpu = time.perf_counter(), time.process_time()
    store = ox.Store(str(folder))
    store.bulk_load(path=str(nt_file), format=ox.RdfFormat.N_TRIPLES)
    loaded, cpu = time.perf_counter(), time.process_time() - cpu
    store.optimize()
    store.flush()
    del store
    return loaded - start, cpu, time.perf_counter() - loaded


def write_kept_statements(store: Path, target: Path) -> int:
    """Write the statements the last build into ``store`` kept in its cache
    (sorted files, maybe the sort's runs) as one sorted N-Triples file, the
    floor's input; returns how many lines it holds."""
    from kg.sinks.files import write_file
    from kg.sinks.increment import cache_dir, kept_statements, load_last_build

    cache = cache_dir(store)
    kept = kept_statements(cache, load_last_build(cache))
    write_file(kept, target)
    return kept.count


def measure_one(size: int, tag: bool, early: bool) -> dict:
    from kg.pipeline import build_graph, write_outputs
    from kg.vocab import DEFAULT_BASE

    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        folder = Path(tmp)
        listing = folder / "corpus.txt"
        listing.write_text(generate_listing(size), encoding="utf-8")
        load = load_average()
        recorder = StageRecorder()
        start = time.perf_counter()
        built = build_graph([listing], DEFAULT_BASE, tag=tag, progress=recorder, store=folder / "store",
                            load_early=early)
        write_outputs(built, store=folder / "store", output=None, progress=recorder)
        total = time.perf_counter() - start
        stages = recorder.finish()
        peak = max(s["peak_mb"] for s in stages.values())
        del built
        kept = folder / "kept.nt"
        triples = write_kept_statements(folder / "store", kept)
        bulk, bulk_cpu, optimize = bulk_load_seconds(kept, folder / "bulk")
        return {
            "records": size,
            "triples": triples,
            "early": early,
            "stages": stages,
            "total_s": round(total, 2),
            "peak_mb": peak,
            "bulk_load_s": round(bulk, 2),
            "bulk_load_cpu_s": round(bulk_cpu, 2),
            "optimize_s": round(optimize, 2),
            "ratio_to_bulk_load": round(total / bulk, 2),
            "load_average": round(load, 2),
        }


def print_result(r: dict) -> None:
    when = "while mapping" if r["early"] else "after the sort"
    print(f"\n{r['records']:,} records, {r['triples']:,} triples, store loaded {when} "
          f"(load average {r['load_average']})")
    print_stage_table(r["stages"], r["records"])
    print(f"  build: {r['total_s']} s; peak {r['peak_mb']} MB; {r['records'] / r['total_s']:,.0f} records/s")
    print(f"  pyoxigraph bulk load of the same N-Triples: {r['bulk_load_s']} s ({r['bulk_load_cpu_s']} s CPU; "
          f"then optimize {r['optimize_s']} s); build / bulk load: {r['ratio_to_bulk_load']}")


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:  # the child process that measures one size
        print(json.dumps(measure_one(int(argv[1]), argv[2] == "tag", argv[3] == "early")))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000, 1_000_000], help="records per corpus")
    parser.add_argument("--tag", action="store_true", help="tag concepts too")
    parser.add_argument("--late", action="store_true", help="load the store after the sort, not while mapping")
    args = parser.parse_args(argv)
    results = []
    for size in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(size), "tag" if args.tag else "notag",
             "late" if args.late else "early"],
            check=True, capture_output=True, text=True,
        ).stdout
        results.append(json.loads(out))
        print_result(results[-1])
    if len(results) > 1:
        print_growth(results)


if __name__ == "__main__":
    main(sys.argv[1:])
