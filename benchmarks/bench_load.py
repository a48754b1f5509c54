"""How fast `kg load` fills an Oxigraph server, next to `oxigraph load` on the same data.

For each size: generate a listing (benchmarks/generate.py), build it without
tagging into an embedded store and an N-Quads file, then measure side by side

- `oxigraph load --location FRESH --file graph.nq` (offline bulk load), and
- `kg load` of the same store into a fresh `oxigraph serve` (staging graph,
  chunked Graph Store uploads, count check, one MOVE),

and report both rates (triples/s) and their ratio. The target is a ratio of
at least 0.5.

    python benchmarks/bench_load.py 10000 100000
    python benchmarks/bench_load.py --virtuoso 10000 100000

With ``--virtuoso`` it also starts a Virtuoso 7 (tests/virtuoso.py, a fresh
database) and measures, on the same triples, `kg load --profile virtuoso`
(Digest auth, staging graph, one MOVE) and Virtuoso's own bulk loader
(`ld_dir` + `rdf_loader_run` on the N-Triples file `kg export` writes).

Beware: on Oxigraph 0.5.13 the one-request MOVE dominates and grows faster
than linearly (10k papers: 97 s of 113 s; 2.6 M triples took 16 minutes and
7.5 GB of server memory in a manual run), so the 100k run needs a large,
otherwise idle machine.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.pipeline import Built, BuildSummary, build_graph, write_outputs  # noqa: E402
from kg.rdf.sort import SortedStatements  # noqa: E402
from kg.config import Config  # noqa: E402
from kg.model import NoProgress  # noqa: E402
from kg.sinks.load import load, make_plan, payload_from_files, payload_from_store  # noqa: E402
from kg.sinks.serve import find_oxigraph  # noqa: E402
from kg.vocab import DEFAULT_BASE  # noqa: E402

sys.path.insert(0, str(ROOT / "tests"))

GRAPH = "https://example.org/graph/bench"
LARGE_TRANSACTIONS = "TransactionAfterImageLimit = 2000000000"
"""Virtuoso's default (50 MB) refuses the one-transaction MOVE of 100k papers (5.5 M triples)."""


def corpus_lines(papers: int, folder: Path) -> list[str]:
    try:
        from benchmarks.generate import generate_listing
    except ImportError:  # pragma: no cover - the generator is optional
        return synthetic_lines(papers)
    listing = folder / "corpus.txt"
    listing.write_text(generate_listing(papers, 1), "utf-8")
    return build_graph([listing], DEFAULT_BASE, tag=False).lines


def synthetic_lines(papers: int) -> list[str]:
    """About 30 triples a paper, when benchmarks/generate.py is not there."""
    lines = []
    for i in range(papers):
        paper = f"<{DEFAULT_BASE}work/gen-{i:07d}>"
        lines.append(f"{paper} <http://purl.org/dc/terms/title> \"Generated paper {i}\" .\n")
        for a in range(1, 4):
            role = f"<{DEFAULT_BASE}work/gen-{i:07d}/author/{a}>"
            person = f"<{DEFAULT_BASE}person/p{(i * 3 + a) % (papers + 1)}>"
            lines += [f"{paper} <http://purl.org/spar/pro/isDocumentContextFor> {role} .\n",
                      f"{role} <http://purl.org/spar/pro/isHeldBy> {person} .\n",
                      f"{paper} <http://purl.org/dc/terms/creator> {person} .\n"]
    return sorted(set(lines))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(binary: str, location: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen([binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", timeout=1).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("oxigraph serve did not start")


def bench(papers: int, binary: str, work: Path) -> dict:
    folder = work / f"n{papers}"
    folder.mkdir()
    lines = corpus_lines(papers, folder)
    store, nquads = folder / "store", folder / "graph.nq"
    statements = SortedStatements()
    statements.extend(lines)
    write_outputs(Built(statements.finish(), BuildSummary()), store=store, output=nquads)
    triples = len(lines)

    started = time.monotonic()
    subprocess.run([binary, "load", "--location", str(folder / "offline"), "--file", str(nquads)],
                   check=True, capture_output=True)
    offline = time.monotonic() - started

    port = free_port()
    server = start_server(binary, folder / "served", port)
    phases: dict[str, float] = {}
    try:
        plan = make_plan(Config(), profile="oxigraph", endpoint_base=f"http://127.0.0.1:{port}", graph=GRAPH)
        started = time.monotonic()

        class MarkSwap(NoProgress):
            def stage(self, name: str, total: int | None = None, unit: str = "") -> None:
                if name.startswith("swapping"):
                    phases["upload"] = time.monotonic() - started

        with payload_from_store(store) as payload:
            phases["dump"] = time.monotonic() - started
            report = load(payload, plan, MarkSwap())
        served = time.monotonic() - started
        assert report.target_triples == triples, (report.target_triples, triples)
    finally:
        server.terminate()
        server.wait(timeout=60)
    return {
        "papers": papers, "triples": triples, "offline_s": offline, "kg_s": served,
        "offline_rate": triples / offline, "kg_rate": triples / served, "ratio": offline / served,
        "upload_s": phases.get("upload", 0.0), "swap_s": served - phases.get("upload", served),
        "chunks": report.chunks,
    }


def bench_virtuoso(papers: int, work: Path) -> dict:
    """`kg load --profile virtuoso` and Virtuoso's bulk loader, each into a fresh database."""
    import os

    from virtuoso import LOADER, VirtuosoServer

    folder = work / f"virtuoso-n{papers}"
    folder.mkdir()
    lines = corpus_lines(papers, folder)
    ntriples = folder / "graph.nt"
    ntriples.write_text("".join(lines), "utf-8")
    triples = len(lines)

    server = VirtuosoServer(folder / "db-kg", free_port(), free_port(), parameters=LARGE_TRANSACTIONS).start()
    try:
        server.add_loader()
        os.environ["KG_ENDPOINT_USER"], os.environ["KG_ENDPOINT_PASSWORD"] = LOADER
        plan = make_plan(Config(), profile="virtuoso", endpoint_base=server.url, graph=GRAPH)
        started = time.monotonic()
        with payload_from_files([ntriples]) as payload:
            report = load(payload, plan)
        kg_seconds = time.monotonic() - started
        assert report.target_triples == triples, (report.target_triples, triples)
    finally:
        server.stop()

    server = VirtuosoServer(folder / "db-bulk", free_port(), free_port(), parameters=LARGE_TRANSACTIONS).start()
    try:
        dump = server.folder / "dump"
        dump.mkdir()
        shutil.copy(ntriples, dump / "graph.nt")
        started = time.monotonic()
        server.isql(f"ld_dir('{dump}', 'graph.nt', '{GRAPH}')", "rdf_loader_run()", "checkpoint", timeout=3600)
        bulk_seconds = time.monotonic() - started
        held = server.isql(f"SPARQL SELECT COUNT(*) FROM <{GRAPH}> WHERE {{ ?s ?p ?o }}")
        assert str(triples) in held, held
    finally:
        server.stop()
    return {"papers": papers, "triples": triples, "kg_s": kg_seconds, "bulk_s": bulk_seconds,
            "kg_rate": triples / kg_seconds, "bulk_rate": triples / bulk_seconds, "ratio": bulk_seconds / kg_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000], help="papers per run")
    parser.add_argument("--virtuoso", action="store_true", help="measure kg load and the bulk loader on Virtuoso")
    parser.add_argument("--no-oxigraph", action="store_true", help="skip the Oxigraph runs")
    args = parser.parse_args()
    if args.virtuoso:
        work = Path(tempfile.mkdtemp(prefix="kg-bench-load-"))
        try:
            print(f"{'papers':>8} {'triples':>10} {'kg load (virtuoso)':>22} {'bulk loader':>20} {'ratio':>6}")
            for papers in args.sizes:
                r = bench_virtuoso(papers, work)
                print(f"{r['papers']:>8} {r['triples']:>10} {r['kg_rate']:>12,.0f} t/s {r['kg_s']:>5.1f}s "
                      f"{r['bulk_rate']:>10,.0f} t/s {r['bulk_s']:>5.1f}s {r['ratio']:>6.2f}", flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if args.no_oxigraph:
            return
    binary = find_oxigraph()
    work = Path(tempfile.mkdtemp(prefix="kg-bench-load-"))
    try:
        print(f"{'papers':>8} {'triples':>10} {'oxigraph load':>16} {'kg load':>16} {'ratio':>6}  kg phases")
        for papers in args.sizes:
            r = bench(papers, binary, work)
            print(
                f"{r['papers']:>8} {r['triples']:>10} "
                f"{r['offline_rate']:>9,.0f} t/s {r['offline_s']:>4.1f}s "
                f"{r['kg_rate']:>9,.0f} t/s {r['kg_s']:>5.1f}s {r['ratio']:>5.2f}  "
                f"dump+upload+check {r['upload_s']:.1f}s in {r['chunks']} chunk(s), swap+verify {r['swap_s']:.1f}s",
                flush=True,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
