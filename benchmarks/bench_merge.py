"""Benchmark reading and deduplicating generated records in several formats.

Generates ``n`` records (default 100,000) of which 20% are duplicates of
another record written in another format: RIS, BibTeX, CSL-JSON and listings
(listing records without titles, as ScienceGate prints most of them). Reports
records/s per reader, the resolve time, peak memory, and how many of the
planted duplicates were found. Target: at most 60 s and 2 GB for 100k.

    python benchmarks/bench_merge.py            # 100k
    python benchmarks/bench_merge.py 20000
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_build import peak_mb  # noqa: E402
from benchmarks.generate import WORDS, author_pool  # noqa: E402

FORMATS = ("listing", "ris", "bibtex", "csl-json")
SUFFIX = {"listing": ".txt", "ris": ".ris", "bibtex": ".bib", "csl-json": ".json"}


def make_papers(rng: random.Random, count: int) -> list[dict]:
    pool = author_pool(rng, max(50, count // 2))
    papers = []
    for i in range(count):
        start = rng.randint(1, 900)
        papers.append(
            {
                "title": " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12))).capitalize() + f" {i}",
                "year": rng.randint(1990, 2025),
                "volume": str(rng.randint(1, 90)),
                "issue": str(rng.randint(1, 12)),
                "pages": (str(start), str(start + rng.randint(1, 30))),
                "authors": rng.sample(pool, rng.randint(1, 6)),
                "doi": f"10.{1000 + i % 9000}/bench.{i}" if rng.random() < 0.5 else None,
            }
        )
    return papers


def inverted(name: str) -> str:
    *given, family = name.split(" ")
    return f"{family}, {' '.join(given)}"


def as_listing(p: dict) -> str:
    names = p["authors"]
    lines = [f"{p['year']} ◽  ", f"Vol {p['volume']} ({p['issue']}) ◽  ", f"pp. {p['pages'][0]}-{p['pages'][1]} ◽  ", "Author(s):  "]
    lines += [f"{n} ◽  " for n in names[:-1]] + [names[-1], ""]
    return "\n".join(lines) + "\n"


def as_ris(p: dict) -> str:
    lines = ["TY  - JOUR"] + [f"AU  - {inverted(n)}" for n in p["authors"]]
    lines += [f"TI  - {p['title']}", f"T2  - Journal of Benchmarks {p['year'] % 37}", f"PY  - {p['year']}", f"VL  - {p['volume']}",
              f"IS  - {p['issue']}", f"SP  - {p['pages'][0]}", f"EP  - {p['pages'][1]}"]
    if p["doi"]:
        lines.append(f"DO  - {p['doi']}")
    return "\n".join(lines) + "\nER  - \n\n"


def as_bibtex(p: dict, key: str) -> str:
    fields = [f"  title={{{p['title']}}}", f"  author={{{' and '.join(inverted(n) for n in p['authors'])}}}",
              f"  journal={{Journal of Benchmarks {p['year'] % 37}}}", f"  year={{{p['year']}}}", f"  volume={{{p['volume']}}}",
              f"  number={{{p['issue']}}}", f"  pages={{{p['pages'][0]}--{p['pages'][1]}}}"]
    if p["doi"]:
        fields.append(f"  doi={{{p['doi']}}}")
    return f"@article{{{key},\n" + ",\n".join(fields) + "\n}\n\n"


def as_csl(p: dict, key: str) -> dict:
    item = {
        "id": key, "type": "article-journal", "title": p["title"], "container-title": f"Journal of Benchmarks {p['year'] % 37}",
        "author": [{"family": n.split(" ")[-1], "given": " ".join(n.split(" ")[:-1])} for n in p["authors"]],
        "issued": {"date-parts": [[p["year"]]]}, "volume": p["volume"], "issue": p["issue"],
        "page": f"{p['pages'][0]}-{p['pages'][1]}",
    }
    if p["doi"]:
        item["DOI"] = f"https://doi.org/{p['doi'].upper()}"
    return item


def generate(folder: Path, n: int, seed: int = 7) -> int:
    """Write the four files; returns how many records are planted duplicates."""
    rng = random.Random(seed)
    unique = n * 4 // 5
    papers = make_papers(rng, unique)
    placed: dict[str, list] = {f: [] for f in FORMATS}
    home = []
    for index, paper in enumerate(papers):
        fmt = rng.choice(FORMATS)
        home.append(fmt)
        placed[fmt].append(paper)
    duplicates = n - unique
    for _ in range(duplicates):
        index = rng.randrange(unique)
        other = rng.choice([f for f in FORMATS if f != home[index]])
        copy = dict(papers[index])
        if rng.random() < 0.3:
            copy["doi"] = None  # Scholar-style exports drop the DOI
        if rng.random() < 0.2:
            copy["title"] = copy["title"].upper()
        placed[other].append(copy)
    (folder / "bench.txt").write_text("".join(as_listing(p) for p in placed["listing"]), encoding="utf-8")
    (folder / "bench.ris").write_text("".join(as_ris(p) for p in placed["ris"]), encoding="utf-8")
    (folder / "bench.bib").write_text("".join(as_bibtex(p, f"k{i}") for i, p in enumerate(placed["bibtex"])), encoding="utf-8")
    (folder / "bench.json").write_text(json.dumps([as_csl(p, f"c{i}") for i, p in enumerate(placed["csl-json"])]), encoding="utf-8")
    return duplicates


def main() -> None:
    from kg.read import read_path
    from kg.identity.resolve import resolve
    from kg.vocab import DEFAULT_BASE

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("records", nargs="?", type=int, default=100_000, help="records to generate (default 100000)")
    n = parser.parse_args().records
    with tempfile.TemporaryDirectory(prefix="kg-bench-merge-") as tmp:
        folder = Path(tmp)
        planted = generate(folder, n)
        records = []
        per_reader = {}
        start = time.perf_counter()
        for path in sorted(folder.iterdir()):
            began = time.perf_counter()
            fmt, result = read_path(path, path.name)
            took = time.perf_counter() - began
            per_reader[fmt] = {"records": len(result.records), "s": round(took, 2),
                               "records_per_s": round(len(result.records) / took)}
            records.extend(result.records)
        read_done = time.perf_counter()
        corpus = resolve(records, DEFAULT_BASE)
        end = time.perf_counter()
    report = {
        "records": len(records),
        "planted_duplicates": planted,
        "works": len(corpus.works),
        "records_merged_away": len(records) - len(corpus.works),
        "merged_works": corpus.merged_works,
        "people": len(corpus.people),
        "merged_people": corpus.merged_people,
        "readers": per_reader,
        "read_s": round(read_done - start, 2),
        "resolve_s": round(end - read_done, 2),
        "total_s": round(end - start, 2),
        "peak_mb": round(peak_mb()),  # one process: reading and resolving start no worker
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
