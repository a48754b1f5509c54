"""A million papers: `kg build` into the store, `kg query` and `kg validate` on it.

The corpus is generated once into a folder (benchmarks/generate.py
``write_mixed_corpus``: listings plus RIS, BibTeX, CSL-JSON, PubMed XML and
OpenAlex files of 10k records each, overlapping as real exports do). Then, each
in a process of its own so its peak memory is its own:

1. the build, as `kg build` runs it (a fresh store), stage by stage: time and
   peak resident memory of read, resolve, map, tag, sort and store write
   (:class:`bench_build.StageRecorder`), then pyoxigraph's own bulk load of the
   same sorted N-Triples into a fresh store and its compaction (``optimize``,
   which the build's seal runs too): the floor the build is compared with;
2. every parameter-free named query, each run three times in a process of its
   own (stopped at ``--query-cap`` seconds), the median;
3. `kg validate` on the store, its time and the peak memory of its process tree.

    python benchmarks/bench_million.py                       # 1M records
    python benchmarks/bench_million.py 100000 --folder /tmp/c100k
"""

from __future__ import annotations

import argparse
import ctypes
import json
import multiprocessing
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_build import (StageRecorder, load_average, print_stage_table, tree_rss_mb,  # noqa: E402
                                    write_kept_statements)
from benchmarks.generate import write_mixed_corpus  # noqa: E402

TEN_MINUTES = 600.0
EIGHT_GB_MB = 8 * 1024


def build_child(corpus: Path, store: Path, tag: bool) -> dict:
    """The build as `kg build` runs it, then the bulk-load floor of its statements."""
    import pyoxigraph as ox

    from kg.pipeline import build_graph, write_outputs
    from kg.vocab import DEFAULT_BASE

    load = load_average()
    recorder = StageRecorder()
    start = time.perf_counter()
    built = build_graph([corpus], DEFAULT_BASE, tag=tag, progress=recorder, store=store)
    write_outputs(built, store=store, output=None, progress=recorder)
    total = time.perf_counter() - start
    stages = recorder.finish()
    summary = built.summary
    built.statements.close()  # the sorted files stay in the store's cache, linked; the floor merges them
    result = {
        "records": summary.records, "papers": summary.papers, "people": summary.people,
        "merged_works": summary.merged_works, "triples": summary.triples,
        "records_by_format": summary.records_by_format, "stages": stages, "total_s": round(total, 2),
        "peak_mb": max(s["peak_mb"] for s in stages.values()),
        "disk_gb": {"store": round(folder_bytes(store) / 2**30, 1)}, "bulk_load_s": None,
        "load_average": round(load, 2),
    }
    print(json.dumps(result), flush=True)  # kept whatever the floor below does (it needs as much disk again)
    if (store / "cache").is_dir():
        folder = Path(tempfile.mkdtemp(prefix="kg-floor-", dir=store.parent))
        try:
            kept = folder / "kept.nt"
            write_kept_statements(store, kept)
            begun, cpu = time.perf_counter(), time.process_time()
            bulk = ox.Store(str(folder / "store"))
            bulk.bulk_load(path=str(kept), format=ox.RdfFormat.N_TRIPLES)
            loaded = time.perf_counter()
            result["bulk_load_s"] = round(loaded - begun, 2)
            result["bulk_load_cpu_s"] = round(time.process_time() - cpu, 1)
            print(json.dumps(result), flush=True)
            # The compaction the build's seal runs too (kg.sinks.store.seal): part of the floor.
            bulk.optimize()
            bulk.flush()
            del bulk
            result["optimize_s"] = round(time.perf_counter() - loaded, 2)
        except OSError as exc:
            result["floor_error"] = str(exc).splitlines()[0]
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return result


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def die_with_parent() -> None:
    """Have the kernel stop this process when the benchmark that started it
    dies, however it dies: a query child killed with it held 10.7 GB on its
    own. Linux only (``prctl``); elsewhere nothing."""
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _query_child(store: str, name: str, runs: int, pipe) -> None:
    die_with_parent()
    from kg.query.registry import load_queries
    from kg.query.run import run_local
    from kg.sinks.store import open_store

    query = load_queries()[name]
    db = open_store(store)
    seconds, rows = [], 0
    for _ in range(runs):
        begun = time.perf_counter()
        result = run_local(db, query, {})
        seconds.append(time.perf_counter() - begun)
        rows = len(result.rows) or len(result.triples) or int(bool(result.boolean))
    pipe.send((statistics.median(seconds), rows))


def time_queries(store: Path, cap: float, runs: int = 3) -> dict[str, tuple[float | None, int]]:
    from kg.query.registry import load_queries

    names = [name for name, q in load_queries().items() if not any(p.required for p in q.parameters)]
    context = multiprocessing.get_context("spawn")
    timings: dict[str, tuple[float | None, int]] = {}
    for name in names:
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=_query_child, args=(str(store), name, runs, send))
        child.start()
        child.join(cap)
        if child.is_alive():
            child.terminate()  # the child started here, by its own handle
            child.join()
        timings[name] = receive.recv() if receive.poll() else (None, 0)
        print(f"  {name:<34} " + (f"{timings[name][0]:8.2f} s" if timings[name][0] is not None else f">{cap:g} s"),
              flush=True)
    return timings


def run_measured(command: list[str], cap: float) -> dict:
    """Run ``command``; its time, exit code and the peak memory of its process tree."""
    load = load_average()
    begun = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               preexec_fn=die_with_parent)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, tree_rss_mb(process.pid))
        if time.perf_counter() - begun > cap:
            process.terminate()  # the process started here, by its own handle
            process.wait()
            break
        time.sleep(0.2)
    return {"s": round(time.perf_counter() - begun, 1), "exit": process.returncode, "peak_mb": round(peak),
            "stderr_tail": (process.stderr.read() or "")[-400:], "load_average": round(load, 2)}


def report_build(r: dict) -> None:
    print(f"\nbuild: {r['records']:,} records ({', '.join(f'{k} {v:,}' for k, v in r['records_by_format'].items())})")
    print(f"  {r['papers']:,} papers ({r['merged_works']:,} merged from several records), {r['people']:,} people, "
          f"{r['triples']:,} triples; load average {r['load_average']}")
    print_stage_table(r["stages"], r["records"])
    verdict = "met" if r["total_s"] < TEN_MINUTES and r["peak_mb"] < EIGHT_GB_MB else "NOT met"
    print(f"  total {r['total_s']} s, peak {r['peak_mb']} MB: target (< {TEN_MINUTES:g} s, < 8 GB) {verdict}")
    print(f"  disk: the store folder (generation and cache) {r['disk_gb']['store']} GB")
    if r["bulk_load_s"]:
        print(f"  pyoxigraph bulk load of the same N-Triples: {r['bulk_load_s']} s ({r['bulk_load_cpu_s']} CPU-s); "
              f"build / bulk load: {r['total_s'] / r['bulk_load_s']:.2f}")
    if r.get("optimize_s"):
        floor = r["bulk_load_s"] + r["optimize_s"]
        before = r["stages"]["read"]["s"] + r["stages"]["resolve"]["s"]
        print(f"  with its compaction (optimize, as the build's seal: {r['optimize_s']} s): {floor:.1f} s; "
              f"build / (bulk load + compaction): {r['total_s'] / floor:.2f}")
        print(f"  read + resolve (before the first statement can be mapped) + that floor: {before + floor:.1f} s; "
              f"the build took {r['total_s'] - before - floor:+.1f} s beyond it")
    if r.get("floor_error"):  # the bulk load's, or the compaction's after it
        print(f"  the floor (pyoxigraph's bulk load and compaction) failed: {r['floor_error']}")


def main(argv: list[str]) -> None:
    if argv[:1] == ["--build-child"]:
        print(json.dumps(build_child(Path(argv[1]), Path(argv[2]), argv[3] == "tag")))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("records", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path, help="where the corpus and the store go (kept) [a temporary folder]")
    parser.add_argument("--no-tag", action="store_true", help="build without concept tagging")
    parser.add_argument("--query-cap", type=float, default=300.0, help="seconds a query may take [300]")
    parser.add_argument("--validate-cap", type=float, default=1800.0, help="seconds validation may take [1800]")
    parser.add_argument("--skip", nargs="*", default=[], choices=["build", "queries", "validate"],
                        help="steps to skip (without the build, the store already in --folder is used)")
    args = parser.parse_args(argv)
    folder = args.folder or Path(tempfile.mkdtemp(prefix="kg-million-"))
    corpus, store = folder / "corpus", folder / "store"
    if not corpus.is_dir():
        begun = time.perf_counter()
        written = write_mixed_corpus(corpus, args.records)
        print(f"generated {sum(written.values()):,} records in {time.perf_counter() - begun:.0f} s: {written}", flush=True)
    if "build" not in args.skip:
        shutil.rmtree(store, ignore_errors=True)
        out = subprocess.run(
            [sys.executable, __file__, "--build-child", str(corpus), str(store), "notag" if args.no_tag else "tag"],
            stdout=subprocess.PIPE, text=True, preexec_fn=die_with_parent,
        ).stdout
        reports = [line for line in out.splitlines() if line.startswith("{")]
        if not reports:
            sys.exit("the build failed (its error is above)")
        report_build(json.loads(reports[-1]))  # the first one, when the floor measurement died
    if "queries" not in args.skip:
        print(f"\nparameter-free named queries, median of 3 (load average {load_average():.2f}):", flush=True)
        timings = time_queries(store, args.query_cap)
        done = [t for t, _ in timings.values() if t is not None]
        if done:
            print(f"  median over {len(done)} queries: {statistics.median(done):.2f} s; "
                  f"{len(timings) - len(done)} stopped at the cap")
    if "validate" not in args.skip:
        kg = str(Path(sys.executable).with_name("kg"))
        result = run_measured([kg, "validate", "--store", str(store), "--format", "json", "-o",
                               str(folder / "report.json")], args.validate_cap)
        print(f"\nkg validate: {result['s']} s, exit {result['exit']}, peak {result['peak_mb']} MB "
              f"(load average {result['load_average']})")
        if result["exit"] not in (0, 1):
            print(result["stderr_tail"])


if __name__ == "__main__":
    main(sys.argv[1:])
