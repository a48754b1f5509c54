"""Time every named query on generated graphs: embedded store, and rdflib at 10k.

    python benchmarks/bench_queries.py                 # 10k papers
    python benchmarks/bench_queries.py 10000 100000    # both sizes
    python benchmarks/bench_queries.py 10000 --rdflib-cap 60

The graph comes from benchmarks/generate_graph.py (kg's own mapping, so the
shape is exactly what `kg build` writes) when it is there, else from the
listing generator in benchmarks/generate.py through kg.pipeline (no tagging).
Each query runs three times on a pyoxigraph store; the median is reported.
rdflib's engine runs each query once on the smallest graph, in a forked
process that is stopped at the time cap. Target: median <= 1 s a query at
100k papers on the embedded store.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import pyoxigraph as ox  # noqa: E402

from kg.query.registry import load_queries  # noqa: E402
from kg.query.run import run_local, run_rdflib  # noqa: E402
from kg.vocab import DEFAULT_BASE  # noqa: E402

TARGET_SECONDS = 1.0


def graph_lines(papers: int) -> list[str]:
    try:
        from generate_graph import generate
    except ImportError:
        generate = None
    if generate is not None:
        return generate(papers)
    from generate import generate_listing

    from kg.pipeline import build_graph

    with tempfile.TemporaryDirectory() as folder:
        listing = Path(folder) / "corpus.txt"
        listing.write_text(generate_listing(papers), "utf-8")
        return build_graph([listing], DEFAULT_BASE, tag=False).lines


def first(store: ox.Store, sparql: str, default: str) -> str:
    for solution in store.query(sparql):
        return solution[0].value
    return default


def sample_parameters(store: ox.Store) -> dict[str, str]:
    """Realistic values: the busiest author, venue and concept, and a work of theirs."""
    prefixes = (
        "PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/> "
        "PREFIX kg: <https://w3id.org/kg/ns#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    )
    author = first(store, prefixes + "SELECT ?a WHERE { ?w dcterms:creator ?a } GROUP BY ?a ORDER BY DESC(COUNT(*)) LIMIT 1", "urn:x:a")
    return {
        "author": author,
        "work": first(store, prefixes + f"SELECT ?w WHERE {{ ?w dcterms:creator <{author}> }} ORDER BY ?w LIMIT 1", "urn:x:w"),
        "venue": first(store, prefixes + "SELECT ?v WHERE { ?w dcterms:isPartOf ?v } GROUP BY ?v ORDER BY DESC(COUNT(*)) LIMIT 1", "urn:x:v"),
        "concept": first(store, prefixes + "SELECT ?b WHERE { ?w dcterms:subject ?c . ?c skos:broader ?b } GROUP BY ?b ORDER BY DESC(COUNT(*)) ?b LIMIT 1",
                         "https://w3id.org/kg/concepts/peer-support"),
        "doi": first(store, prefixes + "SELECT ?d WHERE { ?w prism:doi ?d } ORDER BY ?d LIMIT 1", "10.1/none"),
        "orcid": first(store, prefixes + "SELECT ?o WHERE { ?p kg:orcid ?o } ORDER BY ?o LIMIT 1", "0000-0000-0000-0000"),
        "issn": first(store, prefixes + "SELECT ?i WHERE { ?v prism:issn ?i } ORDER BY ?i LIMIT 1", "0000-0000"),
        "text": "peer",
        "year": "2016",
    }


def parameters_for(query, samples: dict[str, str]) -> dict[str, str]:
    return {p.name: samples[p.name] for p in query.parameters if p.required}


def time_store(store: ox.Store, queries, samples, runs: int = 3) -> dict[str, tuple[float, int]]:
    timings = {}
    for name, query in queries.items():
        params = parameters_for(query, samples)
        seconds, size = [], 0
        for _ in range(runs):
            started = time.perf_counter()
            result = run_local(store, query, params)
            seconds.append(time.perf_counter() - started)
            size = len(result.rows) or len(result.triples) or int(bool(result.boolean))
        timings[name] = (statistics.median(seconds), size)
    return timings


_RDFLIB_GRAPH = None  # set before forking, so children share it copy-on-write


def _rdflib_child(query, params, pipe) -> None:
    started = time.perf_counter()
    run_rdflib(_RDFLIB_GRAPH, query, params)
    pipe.send(time.perf_counter() - started)


def time_rdflib(ntriples: Path, queries, samples, cap: float) -> dict[str, float | None]:
    global _RDFLIB_GRAPH
    import rdflib

    started = time.perf_counter()
    _RDFLIB_GRAPH = rdflib.Graph().parse(ntriples, format="nt")
    print(f"  rdflib parsed {len(_RDFLIB_GRAPH):,} triples in {time.perf_counter() - started:.1f} s", flush=True)
    context = multiprocessing.get_context("fork")
    timings = {}
    for name, query in queries.items():
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=_rdflib_child, args=(query, parameters_for(query, samples), send))
        child.start()
        child.join(cap)
        if child.is_alive():
            child.terminate()  # only the child we started, by its own handle
            child.join()
            timings[name] = None
        else:
            timings[name] = receive.recv() if receive.poll() else None
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000], help="numbers of papers [10000]")
    parser.add_argument("--rdflib-cap", type=float, default=60.0, help="seconds per rdflib query before giving up [60]")
    parser.add_argument("--no-rdflib", action="store_true", help="skip the rdflib comparison")
    args = parser.parse_args()
    queries = load_queries()
    results: dict[int, dict[str, tuple[float, int]]] = {}
    rdflib_times: dict[str, float | None] = {}
    with tempfile.TemporaryDirectory() as folder:
        for papers in args.sizes:
            started = time.perf_counter()
            lines = graph_lines(papers)
            data = "".join(lines).encode("utf-8")
            ntriples = Path(folder) / f"g{papers}.nt"
            ntriples.write_bytes(data)
            store = ox.Store(str(Path(folder) / f"store{papers}"))
            store.bulk_load(input=data, format=ox.RdfFormat.N_TRIPLES)
            store.optimize()
            print(f"{papers:,} papers: {len(lines):,} triples generated and loaded in {time.perf_counter() - started:.1f} s", flush=True)
            samples = sample_parameters(store)
            results[papers] = time_store(store, queries, samples)
            if papers == min(args.sizes) and not args.no_rdflib:
                rdflib_times = time_rdflib(ntriples, queries, samples, args.rdflib_cap)
            del store
    smallest = min(args.sizes)
    header = "query".ljust(32) + "".join(f"{f'oxigraph {n // 1000}k':>16}" for n in args.sizes) + f"{f'rdflib {smallest // 1000}k':>14}{'rows':>8}"
    print("\n" + header)
    for name in queries:
        cells = "".join(f"{results[n][name][0]:>15.3f}s" for n in args.sizes)
        rdf = rdflib_times.get(name)
        rdf_cell = "-" if args.no_rdflib else (f">{args.rdflib_cap:g}s" if rdf is None else f"{rdf:.3f}s")
        print(f"{name:<32}{cells}{rdf_cell:>14}{results[smallest][name][1]:>8}")
    largest = max(args.sizes)
    slow = {n: t for n, (t, _) in results[largest].items() if t > TARGET_SECONDS}
    median = statistics.median(t for t, _ in results[largest].values())
    print(f"\nmedian over queries at {largest:,} papers: {median:.3f} s; over {TARGET_SECONDS:g} s: "
          + (", ".join(f"{n} ({t:.2f} s)" for n, t in sorted(slow.items())) or "none"))


if __name__ == "__main__":
    main()
