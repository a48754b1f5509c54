"""Mutation fuzzing of the readers: malformed input must never raise, and the counts must add up.

Each case cuts a window out of a seed file of the reader's format (the real
exports in ../shared/corpus/exports when present, plus the examples and golden
inputs of this repository), applies one to four mutations (byte flips and
insertions, truncation, line deletion, duplication and swaps, tag lines of
every format, odd values, CR line breaks, re-encoding as UTF-16/32 or cp1252,
splices of other formats, JSON values of the wrong type, deep nesting) and
reads the bytes as ``kg build`` does (:func:`kg.read.read_bytes`, the reader
forced). A case fails when:

- anything raises;
- the result's counts do not add up (records kept + records skipped == records
  the reader met, :attr:`kg.model.ReadResult.counts_add_up`);
- a record or problem does not name the file, a line is negative, a message
  spans lines, or a year breaks the year rule;
- a record read does not end up in the graph: :func:`kg.identity.resolve` must
  keep every record in some work, and the mapped N-Triples must parse.

    python benchmarks/fuzz_readers.py                    # 10,000 cases per reader, seed 1
    python benchmarks/fuzz_readers.py --cases 500 --seed 7 --reader ris
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.concepts.assign import iter_assignments  # noqa: E402
from kg.concepts.tagger import Tagger  # noqa: E402
from kg.identity import resolve  # noqa: E402
from kg.model import ReadResult, Record  # noqa: E402
from kg.rdf.mapping import iter_mapped  # noqa: E402
from kg.read import READERS, read_bytes  # noqa: E402
from kg.read.identifiers import plausible_year  # noqa: E402

BASE = "https://example.org/kg/"
FILE = "case"
EXPORTS = (ROOT.parent / "shared" / "corpus" / "exports", ROOT / ".." / "shared" / "corpus" / "exports")
EXPORT_FOLDERS = {
    "bibtex": "bibtex", "crossref_json": "csl-json", "csl_json": "csl-json", "medline": "medline",
    "openalex_json": "openalex", "pubmed_xml": "pubmed-xml", "ris": "ris",
}
REPO_SEEDS = {
    "listing": ["examples/peer-support/peer-support-listing.txt", "tests/golden/odd-characters/input.txt"],
    "ris": ["tests/golden/one-journal-three-exports/input.ris", "tests/data/readers/bom_crlf.ris",
            "tests/data/readers/ovid_numbered.txt"],
    "medline": ["tests/golden/one-journal-three-exports/input.nbib", "tests/data/readers/medline_export.txt"],
    "csl-json": ["tests/golden/one-journal-three-exports/input.json"],
}
# Small seeds for the formats this repository holds no file of.
BUILTIN_SEEDS = {
    "openalex": json.dumps([{
        "id": "https://openalex.org/W1", "doi": "https://doi.org/10.1234/x", "title": "Peer support",
        "publication_year": 2019, "publication_date": "2019-03-01", "type": "article",
        "authorships": [{"author": {"display_name": "Ana Silva", "orcid": "https://orcid.org/0000-0002-3012-7446"},
                         "raw_affiliation_strings": ["Lisbon"], "institutions": [{"display_name": "U"}]}],
        "primary_location": {"source": {"display_name": "J", "issn_l": "0006-4971", "issn": ["0006-4971"]}},
        "biblio": {"volume": "1", "issue": "2", "first_page": "3", "last_page": "9"},
        "abstract_inverted_index": {"Peer": [0], "support": [1]}, "ids": {"pmid": "https://pubmed.ncbi.nlm.nih.gov/1"},
        "mesh": [{"descriptor_name": "Humans", "is_major_topic": False}], "keywords": [{"display_name": "peers"}],
    }], indent=1),
    "crossref": "\n".join(json.dumps(work) for work in [
        {"DOI": "10.1234/x", "type": "journal-article", "title": ["Peer support"], "container-title": ["J"],
         "issued": {"date-parts": [[2019, 3, 1]]}, "volume": "1", "issue": "2", "page": "3-9",
         "author": [{"given": "Ana", "family": "Silva", "ORCID": "https://orcid.org/0000-0002-3012-7446"}],
         "ISSN": ["0006-4971"], "abstract": "<jats:p>Peer support</jats:p>"},
        {"id": "https://openalex.org/W1", "doi": "https://doi.org/10.1234/y", "title": "Peers", "publication_year": 2020,
         "authorships": [{"author": {"display_name": "Bo Li"}}], "biblio": {"volume": "2", "first_page": "5"}},
    ]) + "\n",
    "pubmed-xml": """<?xml version="1.0"?>
<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle//EN" "pubmed.dtd">
<PubmedArticleSet>
<PubmedArticle>
  <MedlineCitation><PMID>1</PMID><Article>
    <Journal><ISSN IssnType="Print">0006-4971</ISSN><JournalIssue><Volume>1</Volume><Issue>2</Issue>
      <PubDate><Year>2019</Year><Month>Mar</Month><Day>1</Day></PubDate></JournalIssue><Title>Blood</Title></Journal>
    <ArticleTitle>Peer <i>support</i></ArticleTitle><Pagination><MedlinePgn>349-69</MedlinePgn></Pagination>
    <Abstract><AbstractText Label="METHODS">We asked.</AbstractText></Abstract>
    <AuthorList CompleteYN="Y"><Author><LastName>Silva</LastName><ForeName>Ana</ForeName>
      <Identifier Source="ORCID">0000-0002-3012-7446</Identifier></Author></AuthorList>
  </Article><MeshHeadingList><MeshHeading><DescriptorName MajorTopicYN="Y">Humans</DescriptorName></MeshHeading>
  </MeshHeadingList></MedlineCitation>
  <PubmedData><ArticleIdList><ArticleId IdType="doi">10.1234/x</ArticleId></ArticleIdList></PubmedData>
</PubmedArticle>
</PubmedArticleSet>
""",
    "bibtex": """EXPORT DATE: 1 Jan 2020
@article{silva2019,
  author = {Silva, Ana and {Barnes and Noble} and Faggion, C.M., Jr.},
  title = {{Peer} support for {\\"u}ber -- users},
  journal = {Blood}, year = {2019}, month = {mar}, volume = {1}, number = {2}, pages = {349--69},
  doi = {10.1234/x\\_y}, issn = {0006-4971}, keywords = {peers; support},
  ORCID-Numbers = {Silva, Ana/0000-0002-3012-7446},
}
@string{j = "Journal"}
@inproceedings{k2, title = "Second", year = 2020, author = "Li, Bo"}
""",
}

TAG_LINES = [
    "TY  - JOUR", "ER  - ", "TI  - A title", "AU  - Silva, Ana", "PY  - 2019", "PY  - 99999", "DA  - Mar 1",
    "DO  - 10.1234/x", "SN  - 0006-4971", "KW  - *Humans/ep", "AN  - WOS:1", "DB  - Embase", "1.", "NL  - x",
    "PMID- 1", "FAU - Silva, Ana", "AU  - Silva A", "AUID- ORCID: 0000-0002-3012-7446", "DP  - 2019 Jan-Feb",
    "MH  - *Humans", "LID - 10.1234/x [doi]", "IS  - 0006-4971 (Print)", "PG  - 349-69", "      continued",
    "@article{k,", "@comment{", "}", "  title = {T},", "  year = {-44},", "  author = {and and},", "@string{x = {",
    "<PubmedArticle>", "</PubmedArticle>", "<PubDate><Year>0</Year></PubDate>", "<![CDATA[", "<!ENTITY x 'y'>",
    "&undefined;", "</MedlineCitation>", '{"title": [1, 2]}', "[", "{", '"issued": {"date-parts": [["x"]]}',
    "2019 ◽", "0000 ◽", "Author(s):", "...", "Vol 3 (1) ◽", "Vol ()", "pp. 1-2", "scholarly journals X",
    "Abstract: Background: a. Methods: b.", "\u202e\u0301\ufeff\u200b", "\U0001F600" * 3, "\x0b\x1a\x7f",
]
ODD_VALUES = [
    "", " ", "99999", "-44", "0", "abc", "1499", "2100", "2019/13/45", "NaN", "Infinity", "null", "{", "}", "\\",
    "\\\"", "%", "{\\\"u}", "$x^", "--", "<i>", "</", "&amp;", "10.", "doi:", "https://doi.org/10.1/%zz",
    "0000-0000-0000-000X", "x" * 5000, "é" * 300, "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
]
ODD_JSON = [None, True, False, 0, -44, 99999, 10**30, 1.5, float("nan"), float("inf"), "", "x", "abc", [], {},
            [None], [[None]], {"date-parts": [[99999]]}, {"date-parts": "2019"}, {"date-parts": [["a", "b"]]},
            [[[[[]]]]], {"name": 1}, {"display_name": None}, ["x", 1, None], "\x00", "10.1234/x"]


def find_exports() -> Path | None:
    return next((p.resolve() for p in EXPORTS if p.is_dir()), None)


def load_seeds(exports: Path | None) -> dict[str, list[bytes]]:
    """Seed files per reader: this repository's examples, built-in samples, the exports."""
    seeds: dict[str, list[bytes]] = {name: [] for name in READERS}
    for fmt, paths in REPO_SEEDS.items():
        seeds[fmt] += [(ROOT / p).read_bytes() for p in paths]
    for fmt, text in BUILTIN_SEEDS.items():
        seeds[fmt].append(text.encode("utf-8"))
    if exports is not None:
        for folder, fmt in EXPORT_FOLDERS.items():
            seeds[fmt] += [p.read_bytes() for p in sorted((exports / folder).glob("*")) if p.is_file()]
    return seeds


# -- windows: a few records of a seed --------------------------------------------------------


def _json_window(data: bytes, rng: random.Random) -> bytes:
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        return data
    holder, key = None, None
    if isinstance(value, dict) and isinstance(value.get("message"), dict) and isinstance(value["message"].get("items"), list):
        holder, key = value["message"], "items"
    elif isinstance(value, dict) and isinstance(value.get("results"), list):
        holder, key = value, "results"
    items = holder[key] if holder is not None else value
    if isinstance(items, list) and items:
        start = rng.randrange(len(items))
        items = items[start:start + rng.randint(1, 3)]
        if holder is not None:
            holder[key] = items
        else:
            value = items
    return json.dumps(value, indent=rng.choice([None, 1, 2]), ensure_ascii=rng.random() < 0.3).encode("utf-8")


def _xml_window(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", "replace")
    articles = re.findall(r"<PubmedArticle>.*?</PubmedArticle>", text, re.S)
    if not articles:
        return data
    start = rng.randrange(len(articles))
    body = "\n".join(articles[start:start + rng.randint(1, 3)])
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n{body}\n</PubmedArticleSet>\n'.encode()


def window(data: bytes, fmt: str, rng: random.Random) -> bytes:
    """A few records of a seed, so that each case is small and fast."""
    if fmt in ("csl-json", "openalex"):
        return _json_window(data, rng)
    if fmt == "pubmed-xml":
        return _xml_window(data, rng)
    lines = data.split(b"\n")
    if len(lines) <= 120:
        return data
    start = rng.randrange(len(lines)) if rng.random() < 0.7 else 0
    return b"\n".join(lines[start:start + rng.randint(5, 120)])


# -- mutations -------------------------------------------------------------------------------


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def flip_bytes(data, rng, other):
    buf = bytearray(data or b" ")
    for _ in range(rng.randint(1, 8)):
        buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf)


def insert_bytes(data, rng, other):
    at = rng.randint(0, len(data))
    junk = rng.choice([b"\x00", b"\xff\xfe", b"\xe9", b"\xc3", b"\r", b"\x1a", bytes(rng.randrange(256) for _ in range(8))])
    return data[:at] + junk + data[at:]


def truncate(data, rng, other):
    return data[: rng.randint(0, len(data))]


def delete_lines(data, rng, other):
    lines = _lines(data)
    at = rng.randrange(len(lines))
    del lines[at:at + rng.randint(1, 3)]
    return b"\n".join(lines)


def duplicate_lines(data, rng, other):
    lines = _lines(data)
    at = rng.randrange(len(lines))
    lines[at:at] = lines[at:at + rng.randint(1, 4)] * rng.randint(1, 3)
    return b"\n".join(lines)


def swap_lines(data, rng, other):
    lines = _lines(data)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def insert_tag(data, rng, other):
    lines = _lines(data)
    lines.insert(rng.randint(0, len(lines)), rng.choice(TAG_LINES).encode("utf-8"))
    return b"\n".join(lines)


def odd_value(data, rng, other):
    """Replace what follows a line's tag, '=', ':' or '>' with an odd value."""
    lines = _lines(data)
    at = rng.randrange(len(lines))
    head = re.match(rb"^(.*?(?:  - |- |= ?|: ?|>))", lines[at])
    lines[at] = (head[1] if head else b"") + rng.choice(ODD_VALUES).encode("utf-8", "replace")
    return b"\n".join(lines)


def carriage_returns(data, rng, other):
    return data.replace(b"\n", rng.choice([b"\r\n", b"\r", b"\n\n"]))


def reencode(data, rng, other):
    text = data.decode("utf-8", "replace")
    encoding = rng.choice(["utf-16", "utf-32", "utf-16-be", "cp1252", "latin-1", "utf-8-sig"])
    return text.encode(encoding, "replace")


def splice(data, rng, other):
    if not other:
        return data
    at = rng.randint(0, len(data))
    return data[:at] + other[:rng.randint(1, 2000)] + data[at:]


def unicode_noise(data, rng, other):
    """Line and paragraph separators, combining marks, bidi controls, astral characters."""
    at = rng.randint(0, len(data))
    noise = "".join(rng.choice("\u2028\u2029\x85\u0301\u202e\u200b\ufeff\ufffd\U0001F600\u00a0\u3000ß") for _ in range(5))
    return data[:at] + noise.encode("utf-8") + data[at:]


def long_line(data, rng, other):
    """A very long line of a repeated pattern, for regular expressions that backtrack."""
    lines = _lines(data)
    at = rng.randrange(len(lines))
    piece = rng.choice([b"a", b" ", b"-", b"a-", b"((", b"{", b"\\", b"1", b". ", b"<i>", b"Smith, J., ", b"\xe2\x97\xbd "])
    lines[at] = lines[at][:12] + piece * (rng.choice([2_000, 20_000]) // len(piece))
    return b"\n".join(lines)


def nest(data, rng, other):
    depth = rng.choice([50, 900, 5000])
    return b"[" * depth + data + b"]" * depth


def json_value(data, rng, other):
    """Replace one value of a JSON document with a value of a random type."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        return data
    nodes = []
    stack = [doc]
    while stack:
        node = stack.pop()
        children = list(node.items()) if isinstance(node, dict) else list(enumerate(node)) if isinstance(node, list) else []
        for key, child in children:
            nodes.append((node, key))
            stack.append(child)
    if not nodes:
        return data
    for _ in range(rng.randint(1, 5)):
        parent, key = rng.choice(nodes)
        parent[key] = rng.choice(ODD_JSON)
    return json.dumps(doc).encode("utf-8")


MUTATIONS = [flip_bytes, insert_bytes, truncate, delete_lines, duplicate_lines, swap_lines, insert_tag, odd_value,
             carriage_returns, reencode, splice, nest, unicode_noise, long_line]


def mutate(data: bytes, fmt: str, rng: random.Random, other: bytes = b"") -> bytes:
    """``data`` after one to four mutations (JSON values of wrong types, mostly, for JSON)."""
    for _ in range(rng.randint(1, 4)):
        if fmt in ("csl-json", "openalex") and rng.random() < 0.6:
            data = json_value(data, rng, other)
        else:
            data = rng.choice(MUTATIONS)(data, rng, other)
    return data


# -- the checks ------------------------------------------------------------------------------


_TAGGER: list[Tagger] = []


def tagger() -> Tagger:
    """The concept tagger, built once (the scheme takes a while to load)."""
    if not _TAGGER:
        _TAGGER.append(Tagger.from_scheme())
    return _TAGGER[0]


def check(data: bytes, fmt: str, seen: Counter | None = None) -> str | None:
    """None when reading ``data`` as ``fmt`` keeps every invariant, else what broke.
    ``seen`` counts records kept and skipped, for the figures."""
    try:
        _, result = read_bytes(data, f"case.{fmt}", FILE, fmt)
    except Exception:
        return "reader raised: " + traceback.format_exc(limit=-3)
    if seen is not None:
        seen.update(kept=len(result.records), skipped=len(result.skipped), problems=len(result.problems))
    broken = broken_invariant(result)
    if broken:
        return broken
    try:
        corpus = resolve(result.records, BASE)
        assignments = dict(iter_assignments(corpus, [], tagger()))
        lines = [line for batch in iter_mapped(corpus, BASE, assignments) for line in batch]
    except Exception:
        return "pipeline raised: " + traceback.format_exc(limit=-3)
    kept = Counter(source.source for work in corpus.works for source in work.sources)
    if kept != Counter(record.source for record in result.records):
        return "a record read is in no work of the graph"
    import pyoxigraph as ox

    try:
        list(ox.parse("".join(lines).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))
    except (SyntaxError, ValueError) as exc:
        return f"the mapped graph does not parse: {exc}"
    return None


STRING_FIELDS = ("title", "doc_type", "date", "volume", "issue", "first_page", "last_page", "doi", "abstract")
TUPLE_FIELDS = ("keywords", "subject_headings", "major_headings")


def _wrong_types(record: Record) -> str | None:
    """The first field of ``record`` that is not of its declared type."""
    def strings(*values) -> bool:
        return all(v is None or isinstance(v, str) for v in values)

    if not strings(*(getattr(record, name) for name in STRING_FIELDS)):
        return "a text field"
    if any(not all(isinstance(v, str) for v in getattr(record, name)) for name in TUPLE_FIELDS):
        return "a keyword or heading"
    if not all(isinstance(v, str) for pair in record.identifiers for v in pair):
        return "an identifier"
    for a in record.authors:
        if not (isinstance(a.name, str) and strings(a.given, a.family, a.orcid) and all(isinstance(x, str) for x in a.affiliations)):
            return f"an author {a!r}"[:200]
    if record.venue is not None and not strings(record.venue.title, record.venue.issn, record.venue.eissn, record.venue.publisher):
        return f"the venue {record.venue!r}"[:200]
    if not all(isinstance(s.label, str) and isinstance(s.text, str) for s in record.abstract_sections):
        return "an abstract section"
    return None


def broken_invariant(result: ReadResult) -> str | None:
    if not result.counts_add_up:
        return f"counts do not add up: {len(result.records)} kept + {len(result.skipped)} skipped != {result.seen} met"
    for record in result.records:
        if record.source.file != FILE or record.source.line < 0:
            return f"record names {record.source}"
        if record.year is not None and not plausible_year(record.year):
            return f"record has year {record.year!r}"
        if wrong := _wrong_types(record):
            return f"record holds a value of the wrong type in {wrong}"
    for problem in result.problems:
        if problem.file != FILE or problem.line < 0 or problem.column < 0:
            return f"problem names {problem.file}:{problem.line}:{problem.column}"
        if "\n" in problem.reason or not problem.reason:
            return f"problem message is not one line: {problem.reason!r}"
    return None


# -- running ---------------------------------------------------------------------------------


@dataclass
class Figures:
    reader: str
    cases: int = 0
    seconds: float = 0.0
    seen: Counter = field(default_factory=Counter)
    """Records kept and skipped, and problems, over all cases."""
    slowest: tuple[float, int] = (0.0, -1)
    """(seconds, case) of the slowest case."""
    failures: list[tuple[int, str, bytes]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0


def fuzz_reader(fmt: str, seeds: dict[str, list[bytes]], cases: int, seed: int) -> Figures:
    """Run ``cases`` mutated inputs through reader ``fmt``; failures keep the case's input."""
    rng = random.Random(f"{seed}:{fmt}")
    others = [data for name, files in sorted(seeds.items()) if name != fmt for data in files]
    figures = Figures(fmt)
    start = time.perf_counter()
    for case in range(cases):
        data = window(rng.choice(seeds[fmt]), fmt, rng)
        other = window(rng.choice(others), "listing", rng) if others else b""
        data = mutate(data, fmt, rng, other)
        began = time.perf_counter()
        failure = check(data, fmt, figures.seen)
        figures.slowest = max(figures.slowest, (time.perf_counter() - began, case))
        if failure:
            figures.failures.append((case, failure, data))
    figures.cases = cases
    figures.seconds = time.perf_counter() - start
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="cases per reader [10000]")
    parser.add_argument("--seed", type=int, default=1, help="random seed: the same seed gives the same cases [1]")
    parser.add_argument("--reader", action="append", choices=sorted(READERS),
                        help="fuzz only this reader (repeatable) [all]")
    parser.add_argument("--save", type=Path, metavar="DIR", help="write each failing input to DIR")
    args = parser.parse_args(argv)
    exports = find_exports()
    seeds = load_seeds(exports)
    print(f"seeds: {sum(map(len, seeds.values()))} files ({'with' if exports else 'without'} the real exports); "
          f"seed {args.seed}", flush=True)
    print(f"{'reader':<12} {'cases':>7} {'inputs/s':>9} {'slowest':>9} {'kept':>8} {'skipped':>8} {'problems':>9} "
          f"{'failures':>9}", flush=True)
    total_failures = 0
    for fmt in args.reader or sorted(READERS):
        figures = fuzz_reader(fmt, seeds, args.cases, args.seed)
        total_failures += len(figures.failures)
        seen = figures.seen
        slowest = f"{figures.slowest[0] * 1000:.0f} ms"
        print(f"{fmt:<12} {figures.cases:>7} {figures.rate:>9.1f} {slowest:>9} {seen['kept']:>8} {seen['skipped']:>8} "
              f"{seen['problems']:>9} {len(figures.failures):>9}", flush=True)
        for case, failure, data in figures.failures[:3]:
            print(f"  case {case}: {failure.strip().splitlines()[-1]}", flush=True)
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            for case, _, data in figures.failures:
                (args.save / f"{fmt}-{args.seed}-{case}").write_bytes(data)
    return 1 if total_failures else 0


if __name__ == "__main__":
    sys.exit(main())
