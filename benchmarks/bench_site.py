"""Time `kg site` on generated graphs: seconds, pages, files and megabytes.

    python benchmarks/bench_site.py                  # 10k papers
    python benchmarks/bench_site.py 10000 100000     # both sizes
    python benchmarks/bench_site.py 10000 --workers 1

The graph comes from benchmarks/generate_graph.py (kg's own mapping), bulk-loaded
into a store in a temporary folder; the site is written beside it and removed
after. Reading the graph (the bulk queries) and writing the pages are timed
apart. Aim: a 10k-paper site in under a minute.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_build import StageRecorder  # noqa: E402
from generate_graph import generate, load_store  # noqa: E402

from kg.site import build_site  # noqa: E402
from kg.sinks.store import open_store  # noqa: E402
from kg.vocab import DEFAULT_BASE  # noqa: E402


def run(papers: int, workers: int | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-site-") as folder:
        folder = Path(folder)
        started = time.perf_counter()
        nt = folder / "graph.nt"
        nt.write_text("".join(generate(papers)), "utf-8")
        load_store(folder / "store", nt)
        nt.unlink()
        generated = time.perf_counter() - started
        # Peak memory sampled for the process and its page-writing workers,
        # which this process's own high-water mark would leave out.
        recorder = StageRecorder()
        cpu_before = _cpu()
        summary = build_site(open_store(folder / "store"), folder / "site", DEFAULT_BASE, workers=workers,
                             progress=recorder)
        cpu = _cpu() - cpu_before
        stages = recorder.finish()
        writing = [s for name, s in stages.items() if name.startswith("writing")]
        return {"papers": papers, "generate_s": generated, "site_s": summary.seconds, "read_s": stages["read"]["s"],
                "write_s": sum(s["s"] for s in writing), "pages": summary.pages, "files": summary.files,
                "mb": summary.bytes / 1e6, "kinds": summary.kinds, "cpu_s": cpu,
                "peak_mb": max(s["peak_mb"] for s in stages.values()),
                "workers_mb": max(s["workers_mb"] for s in writing)}


def _cpu() -> float:
    """CPU seconds of this process and of its finished workers."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", type=int, nargs="*", default=[10_000])
    parser.add_argument("--workers", type=int, default=None, help="page-writing processes [default: as kg site]")
    args = parser.parse_args()
    print("papers  site s  (read s  write s)  CPU s  pages    files    MB      peak MB (workers' share)")
    for size in args.sizes:
        r = run(size, args.workers)
        print(f"{r['papers']:>6}  {r['site_s']:6.1f}  ({r['read_s']:6.1f}  {r['write_s']:7.1f})  {r['cpu_s']:5.0f}  {r['pages']:>7,}  "
              f"{r['files']:>7,}  {r['mb']:7.1f}  {r['peak_mb']:7.0f} ({r['workers_mb']:.0f})   {r['kinds']}", flush=True)


if __name__ == "__main__":
    main()
