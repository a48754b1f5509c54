"""Benchmark `kg enrich --from`: complete 10k listing records from a 1M-line dump.

Generates a gzipped JSON Lines dump of Crossref works (default 1,000,000
lines), prints ``listing`` of them (default 10,000) as ScienceGate listing
records without title, venue or DOI (``benchmarks/listing_render.py``), builds
them, then times `kg enrich --store … --from dump.jsonl.gz` in a child process
and reports its wall time, its peak memory (max RSS), what it filled and the
wrong fills. Target: under a minute and under 1 GB.

    python benchmarks/bench_enrich.py                  # 1M lines, 10k listing records
    python benchmarks/bench_enrich.py 100000 2000
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.generate import WORDS, author_pool  # noqa: E402
from benchmarks.listing_render import render  # noqa: E402
from kg.model import Record, SourceRef  # noqa: E402
from kg.read.crossref import build_record  # noqa: E402
from kg.read.listing import read_listing  # noqa: E402

KG = str(Path(sys.executable).with_name("kg"))


def make_work(rng: random.Random, i: int, pool: list[str]) -> dict:
    start = rng.randint(1, 900)
    names = rng.sample(pool, rng.randint(1, 8))
    return {
        "DOI": f"10.{1000 + i % 9000}/bench.{i}",
        "type": "journal-article",
        "title": [" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12))).capitalize() + f" {i}"],
        "container-title": [f"Journal of {rng.choice(WORDS).capitalize()} {i % 500}"],
        "issued": {"date-parts": [[rng.randint(1990, 2025), rng.randint(1, 12)]]},
        "volume": str(rng.randint(1, 90)),
        "issue": str(rng.randint(1, 12)),
        "page": f"{start}-{start + rng.randint(1, 30)}",
        "author": [{"given": n.rsplit(" ", 1)[0], "family": n.rsplit(" ", 1)[1]} for n in names],
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lines", nargs="?", type=int, default=1_000_000)
    parser.add_argument("listing", nargs="?", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    pool = author_pool(rng, 20_000)
    chosen = set(rng.sample(range(args.lines), args.listing))
    with tempfile.TemporaryDirectory(prefix="bench-enrich-") as tmp:
        folder = Path(tmp)
        dump = folder / "dump.jsonl.gz"
        started = time.perf_counter()
        truth: list[Record] = []
        with gzip.open(dump, "wt", encoding="utf-8", compresslevel=1) as out:
            for i in range(args.lines):
                work = make_work(rng, i, pool)
                out.write(json.dumps(work) + "\n")
                if i in chosen:
                    truth.append(build_record(work, i + 1, "dump", []))
        print(f"dump: {args.lines:,} lines, {dump.stat().st_size / 1e6:.0f} MB gzipped, "
              f"written in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        text, _ = render([Record(SourceRef("x", 1), year=r.year, volume=r.volume, issue=r.issue,
                                 first_page=r.first_page, last_page=r.last_page, authors=r.authors) for r in truth],
                         random.Random(args.seed))
        (folder / "listing.txt").write_text(text, "utf-8")
        store = str(folder / ".kg" / "store")
        subprocess.run([KG, "build", str(folder / "listing.txt"), "--store", store, "-q", "--no-tag"], check=True)
        started, cpu = time.perf_counter(), _children_cpu()
        result = subprocess.run([KG, "enrich", "--store", store, "--from", str(dump), "--format", "json", "-q"],
                                check=True, capture_output=True, text=True)
        elapsed, cpu = time.perf_counter() - started, _children_cpu() - cpu
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        report = json.loads(result.stdout)
        index_of = {r.source.line: i for i, r in enumerate(read_listing(text, "listing.txt").records)}
        saved = [json.loads(line) for line in (folder / ".kg" / "enrich" / "matched.jsonl").read_text("utf-8").splitlines()]
        wrong = sum(1 for s in saved if s["work"]["DOI"].lower() != truth[index_of[s["target"]["line"]]].doi)
    print(f"enrich: {args.listing:,} listing records from {args.lines:,} dump lines in {elapsed:.1f} s "
          f"({cpu:.1f} s of CPU), peak memory {peak:.0f} MB (largest child process: kg build or kg enrich)")
    print(f"matched {report['matched']:,}, needs review {len(report['needs_review']):,}, "
          f"not found {report['not_found']:,}; filled {report['filled']}; wrong fills (another work's DOI) {wrong}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
