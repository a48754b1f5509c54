"""Incremental `kg build`: what a rebuild costs next to a full build.

For each size, a generated corpus (benchmarks/generate.py) split into 100
listing files is built into a store, then rebuilt after each of:

- nothing changed;
- one record changed in one file of the 100;
- the concept scheme changed (a definition reworded and an altLabel added);
- nothing changed, with ``--full`` (a clean build, for the reference).

Each build runs `kg build` in a fresh process, so its peak memory is its own;
the table gives its wall time (Python's start and kg's imports included), the
time inside the command, its peak RSS, and the ratio of its wall time to the
first (full) build's; at the end the store must equal a clean build's.

    python benchmarks/bench_incremental.py              # 10k and 100k records
    python benchmarks/bench_incremental.py 2000         # chosen sizes
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_build import peak_mb  # noqa: E402
from benchmarks.generate import author_pool, generate_record  # noqa: E402

FILES = 100
BOILERPLATE = "\nSign in / Sign up\n\nExport Citation Format\n\nShare Document"


def write_corpus(folder: Path, records: int, seed: int = 1) -> None:
    """``records`` generated records in 100 files drawing on one author pool,
    so people recur across files as in a real search."""
    rng = random.Random(seed)
    pool = author_pool(rng, max(50, records // 2))
    folder.mkdir(parents=True)
    per_file = max(1, records // FILES)
    for number in range(FILES):
        text = "".join(generate_record(rng, pool, number * per_file + i) for i in range(per_file))
        (folder / f"part-{number:03d}.txt").write_text(text + BOILERPLATE, "utf-8")


def edit_one_record(folder: Path) -> None:
    part = folder / f"part-{FILES // 2:03d}.txt"
    text = part.read_text("utf-8")
    part.write_text(text.replace("Findings – ", "Findings – Revised. ", 1), "utf-8")


def edit_scheme(ontology: Path) -> None:
    concepts = ontology / "concepts.ttl"
    text = concepts.read_text("utf-8")
    text = text.replace('"A person employed (paid or voluntary) in a service',
                        '"Someone employed (paid or voluntary) in a service')
    text = text.replace('skos:altLabel "peer worker"@en,', 'skos:altLabel "peer worker"@en, "community service"@en,')
    concepts.write_text(text, "utf-8")


def run_build(corpus: Path, store: Path, ontology: Path | None, *extra: str) -> dict:
    """`kg build` in a child process: its wall time (Python's start included),
    the time inside the command, and its peak RSS."""
    command = [sys.executable, __file__, "--one", str(ontology or ""), "build", str(corpus),
               "--store", str(store), "-q", *extra]
    started = time.perf_counter()
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    measured = json.loads(out.strip().splitlines()[-1])
    return {**measured, "wall": time.perf_counter() - started}


def one(argv: list[str]) -> None:
    """The child: run the CLI with ``argv[1:]``, kg reading its ontology from ``argv[0]`` when given."""
    if argv[0]:
        import kg.resources

        real = kg.resources.data_dir
        kg.resources.data_dir = lambda name: Path(argv[0]) if name == "ontology" else real(name)
    from kg.cli import cli

    started = time.perf_counter()
    try:
        cli.main(argv[1:], standalone_mode=False)
    finally:
        seconds = time.perf_counter() - started
        print(json.dumps({"seconds": seconds, "peak_mb": peak_mb()}))


def store_dump(store: Path) -> bytes:
    from kg.sinks.store import open_store
    import pyoxigraph as ox

    return open_store(store).dump(format=ox.RdfFormat.N_QUADS)


def bench(records: int, work: Path) -> list[tuple[str, dict]]:
    folder = work / f"n{records}"
    corpus, store = folder / "corpus", folder / "store"
    write_corpus(corpus, records)
    ontology = folder / "ontology"
    from kg.resources import ontology_dir

    shutil.copytree(ontology_dir(), ontology)
    rows = [("full build", run_build(corpus, store, ontology))]
    rows.append(("nothing changed", run_build(corpus, store, ontology)))
    edit_one_record(corpus)
    rows.append((f"1 file of {FILES} changed", run_build(corpus, store, ontology)))
    edit_scheme(ontology)
    rows.append(("concept scheme changed", run_build(corpus, store, ontology)))
    incremental = store_dump(store)
    rows.append(("--full (clean rebuild)", run_build(corpus, store, ontology, "--full")))
    assert store_dump(store) == incremental, "the incremental store differs from a clean build's"
    return rows


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        one(argv[1:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000], help="records per corpus")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="kg-bench-incremental-"))
    try:
        print(f"{'records':>8}  {'build':<24} {'wall s':>8} {'in kg s':>8} {'peak MB':>8} {'of full':>8}")
        for records in args.sizes:
            rows = bench(records, work)
            full = rows[0][1]["wall"]
            for name, row in rows:
                print(f"{records:>8}  {name:<24} {row['wall']:>8.2f} {row['seconds']:>8.2f} {row['peak_mb']:>8.0f} "
                      f"{row['wall'] / full:>7.1%}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
