"""Generate a synthetic bibliographic graph the way `kg build` writes it.

Papers, people, venues, authorships, abstract sections, source records and
concept assignments go through kg.rdf.mapping, so the graph has exactly kg's
shape (about 32 triples a paper). A small, fixed share of papers carries the
defects the shapes look for, so validation has something to find.

    python benchmarks/generate_graph.py 10000 -o /tmp/g10k.nt [--store DIR]

The same arguments give byte-identical output (seeded random, sorted lines).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.identity.iris import mint_person_iri  # noqa: E402
from kg.rdf.mapping import map_corpus, scheme_lines  # noqa: E402
from kg.rdf.sort import unique_sorted  # noqa: E402
from kg.model import AbstractSection, Author, Record, SourceRef, Venue  # noqa: E402
from kg.model import Assignment, Corpus, Person, Work  # noqa: E402
from kg.vocab import CONCEPTS, DEFAULT_BASE  # noqa: E402

GIVEN = "Anna Ben Carla David Emma Farid Grace Hiro Ines Jonas Kati Liam Maya Nils Olga Pavel Rhea Sam Tariq Uma".split()
FAMILY = ("Gillard Repper Watson Hodges Puschner Mahlke Nixdorf Collopy Cosh Tully Parry Wilkinson "
          "Foster Turner Conchar Basangwa Davidson Slade Mead Chinman Solomon Walker Bryant").split()
WORDS = ("peer support worker recovery lived experience mental health service wounded healer "
         "stigma employment training outcome trial qualitative community psychiatric").split()
CONCEPT_SLUGS = ["peer-support", "peer-support-worker", "recovery", "lived-experience", "wounded-healer", "stigma"]
SECTION_LABELS = ["Purpose", "Design/methodology/approach", "Findings", "Originality/value"]


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def letters(number: int) -> str:
    """0 -> "a", 25 -> "z", 26 -> "ba": a name-like token for a number."""
    out = ""
    while True:
        number, digit = divmod(number, 26)
        out = "abcdefghijklmnopqrstuvwxyz"[digit] + out
        if not number:
            return out.capitalize()


def make_people(rng: random.Random, count: int, base: str) -> list[Person]:
    people = []
    for i in range(count):
        # A letter suffix keeps names distinct once digits and case are ignored.
        given, family = rng.choice(GIVEN), f"{rng.choice(FAMILY)}-{letters(i)}"
        name = f"{given} {family}"
        orcid = f"0000-0002-{i // 10000 % 10000:04d}-{i % 10000:04d}" if i % 3 == 0 else None
        people.append(Person(mint_person_iri(base, name, orcid), name, given, family, orcid))
    return people


def make_work(rng: random.Random, i: int, people: list[Person], base: str) -> tuple[Work, list[Assignment]]:
    authors_people = rng.sample(people, rng.randint(1, 6))
    authors = tuple(Author(p.name, p.given, p.family, p.orcid) for p in authors_people)
    first = rng.randint(1, 400)
    sections = tuple(AbstractSection(label, sentence(rng, 20)) for label in SECTION_LABELS) if i % 3 == 0 else ()
    journal = rng.randint(1, 200)
    record = Record(
        source=SourceRef(f"generated-{i // 1000:03d}.txt", 1 + (i % 1000) * 12),
        title=None if i % 50 == 7 else sentence(rng, 8),          # 2 %: no title (warning)
        doc_type="journal-article",
        year=rng.randint(1990, 2024),
        volume=str(rng.randint(1, 60)),
        issue=str(rng.randint(1, 12)),
        first_page=str(first),
        # 0.5 %: page start after page end (violation)
        last_page=str(first - 3 if i % 200 == 11 else first + rng.randint(2, 20)),
        doi=f"10.{1000 + journal}/gen.{i}",
        authors=authors,
        authors_truncated=i % 100 == 13,                           # 1 %: truncated (warning)
        abstract=None if i % 40 == 5 else " ".join(s.text for s in sections) or sentence(rng, 60),
        abstract_sections=sections,
        venue=None if i % 25 == 3 else Venue(f"Journal of {rng.choice(WORDS).title()} {journal}",
                                            f"{1000 + journal:04d}-{journal % 1000:03d}X"),
    )
    paper_iri = f"{base}work/doi/{record.doi}"
    assignments = [
        Assignment(f"{CONCEPTS}{slug}", slug.replace("-", " "), round(rng.uniform(0.5, 1.0), 3), "label-match",
                   slug.replace("-", " "), "abstract")
        for slug in rng.sample(CONCEPT_SLUGS, rng.randint(0, 2))
    ]
    return Work(paper_iri, record, (record,), tuple(p.iri for p in authors_people)), assignments


def generate(papers: int, base: str = DEFAULT_BASE, seed: int = 42, start: int = 0) -> list[str]:
    """Sorted, unique N-Triples lines for ``papers`` generated papers,
    numbered from ``start`` (shards of one larger graph start further on)."""
    rng = random.Random(seed)
    people = make_people(rng, max(2, papers * 3 // 2), base)
    works, assignments = [], {}
    for i in range(start, start + papers):
        work, found = make_work(rng, i, people, base)
        works.append(work)
        if found:
            assignments[work.iri] = found
    used = {iri for w in works for iri in w.people}
    corpus = Corpus(works, {p.iri: p for p in people if p.iri in used})
    return unique_sorted(map_corpus(corpus, base, assignments) + scheme_lines())


def load_store(location: Path, ntriples: Path) -> None:
    """A fresh kg store at ``location`` holding the file (bulk load: the fast path)."""
    import shutil
    from itertools import islice

    from kg.rdf.sort import SortedStatements
    from kg.sinks.store import replace_contents

    shutil.rmtree(location, ignore_errors=True)
    statements = SortedStatements()
    with open(ntriples, encoding="utf-8", newline="\n") as lines:
        while batch := list(islice(lines, 100_000)):
            statements.extend(batch)
    replace_contents(location, statements.finish())
    statements.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("papers", type=int)
    parser.add_argument("-o", "--output", type=Path, required=True, help="N-Triples file to write")
    parser.add_argument("--store", type=Path, help="also bulk-load into an Oxigraph store here")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    started = time.perf_counter()
    lines = generate(args.papers, seed=args.seed)
    args.output.write_text("".join(lines), "utf-8")
    if args.store:
        load_store(args.store, args.output)
    print(f"{args.papers} papers, {len(lines)} triples in {time.perf_counter() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
