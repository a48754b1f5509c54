"""Generate corpora of any size: listings in the layout of the example
corpus, and a mix of export formats like a systematic review's searches.

Listing records look like the real ones: most without a title, structured
abstracts, 2-6 authors drawn from a pool (so people recur across papers, as
in a real field), occasional truncated author lists and records with no volume.

:func:`write_mixed_corpus` writes a folder of files in several formats (the
listing, RIS, BibTeX, CSL-JSON, PubMed XML, OpenAlex JSON) whose records
overlap as the exports of several databases do: a share of the works is
exported by two of them, sometimes without its DOI (then title, year and
first author join them), so kg merges them.

    python benchmarks/generate.py 10000 > corpus.txt
    python benchmarks/generate.py --mixed 100000 FOLDER
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

GIVEN = "Anna Ben Carla David Emma Farid Grace Hiro Ines Jonas Kati Liam Mia Noor Omar Pia Quinn Rosa Sven Tara".split()
FAMILY = (
    "Repper Gillard Watson Hodges Conchar Foster Turner Parry Wilkinson Collopy Cosh Tully Puschner "
    "Mahlke Nixdorf Basangwa Nguyen Okafor Silva Kowalski Müller Dubois Rossi Tanaka Haddad Novak"
).split()
WORDS = (
    "peer support worker mental health services recovery lived experience stigma wounded healer "
    "community service user empowerment qualitative interviews thematic analysis evaluation network"
).split()


def author_pool(rng: random.Random, size: int) -> list[str]:
    """``size`` distinct names; family names get a syllable suffix once the
    plain combinations run out, so any size can be drawn."""
    pool: set[str] = set()
    syllables = "ka ro mi ne to sa lu vi".split()
    while len(pool) < size:
        initial = f" {rng.choice('ABCDEFGHJKLMNPRST')}." if rng.random() < 0.4 else ""
        family = rng.choice(FAMILY)
        if len(pool) >= 2000:  # the plain combinations number about 9,000
            family += "".join(rng.choice(syllables) for _ in range(2))
        pool.add(f"{rng.choice(GIVEN)}{initial} {family}")
    return sorted(pool)


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def generate_record(rng: random.Random, pool: list[str], index: int) -> str:
    lines = []
    if rng.random() < 0.2:
        lines += [f"scholarly journals {sentence(rng, 8)[:-1]} {index}", ""]
    lines.append(f"{rng.randint(1990, 2025)} ◽  ")
    if rng.random() < 0.9:
        lines.append(f"Vol {rng.randint(1, 90)} ({rng.randint(1, 12)}) ◽  ")
        start = rng.randint(1, 900)
        lines.append(f"pp. {start}-{start + rng.randint(1, 30)} ◽  ")
    lines.append("Author(s):  ")
    names = rng.sample(pool, rng.randint(1, 6))
    lines += [f"{name} ◽  " for name in names[:-1]] + [names[-1]]
    if rng.random() < 0.05:
        lines[-1] += " ◽  "
        lines.append("...  ")
    if rng.random() < 0.8:
        lines += [
            "",
            f"Purpose – {sentence(rng, 20)} Design/methodology/approach – {sentence(rng, 25)} "
            f"Findings – {sentence(rng, 30)} Originality/value – {sentence(rng, 15)}",
            "",
        ]
    return "\n".join(lines) + "\n"


def generate_listing(n: int, seed: int = 1) -> str:
    """A listing of ``n`` records; the same ``n`` and ``seed`` give the same text."""
    rng = random.Random(seed)
    pool = author_pool(rng, max(50, n // 2))
    body = "".join(generate_record(rng, pool, i) for i in range(n))
    return body + "\nSign in / Sign up\n\nExport Citation Format\n\nShare Document"


# -- works exported by databases and reference managers ----------------------

TITLE_WORDS = WORDS + (
    "randomised trial cohort adolescents adults carers outcomes hospital discharge crisis psychosis "
    "depression anxiety wellbeing training supervision role identity boundaries disclosure hope "
    "engagement inpatient outpatient rural urban digital online group intervention feasibility"
).split()
JOURNAL_WORDS = "Journal Psychiatric Mental Health Community Services Recovery Nursing Social Review Practice".split()


@dataclass(frozen=True)
class GeneratedWork:
    index: int
    title: str
    year: int
    volume: str
    issue: str
    first_page: int
    last_page: int
    authors: tuple[tuple[str, str], ...]
    """(given, family) pairs."""
    journal: str
    issn: str
    doi: str
    pmid: str
    sections: tuple[tuple[str, str], ...]
    """Structured abstract: (label, text) pairs."""


def issn_with_check(seven: int) -> str:
    digits = f"{seven:07d}"
    total = sum(int(d) * w for d, w in zip(digits, range(8, 1, -1)))
    check = (11 - total % 11) % 11
    return f"{digits[:4]}-{digits[4:]}{'X' if check == 10 else check}"


def journals(rng: random.Random, count: int) -> list[tuple[str, str]]:
    names = set()
    while len(names) < count:
        names.add(" ".join(rng.sample(JOURNAL_WORDS, rng.randint(2, 4))))
    return [(name, issn_with_check(1_000_000 + 7919 * i)) for i, name in enumerate(sorted(names))]


def generate_work(rng: random.Random, pool: list[str], venues: list[tuple[str, str]], index: int) -> GeneratedWork:
    names = rng.sample(pool, rng.randint(1, 6))
    authors = tuple((name.rsplit(" ", 1)[0], name.rsplit(" ", 1)[1]) for name in names)
    journal, issn = rng.choice(venues)
    start = rng.randint(1, 900)
    title = " ".join(rng.choice(TITLE_WORDS) for _ in range(rng.randint(7, 14))).capitalize()
    sections = tuple((label, sentence(rng, words)) for label, words in
                     (("Background", 20), ("Methods", 25), ("Results", 30), ("Conclusions", 15)))
    return GeneratedWork(
        index, title, rng.randint(1990, 2025), str(rng.randint(1, 90)), str(rng.randint(1, 12)), start,
        start + rng.randint(1, 30), authors, journal, issn, f"10.{5000 + index % 400}/gen.{index}",
        str(20_000_000 + index), sections,
    )


def abstract_text(work: GeneratedWork) -> str:
    return " ".join(f"{label.upper()}: {text}" for label, text in work.sections)


def to_ris(works: list[GeneratedWork], rng: random.Random) -> str:
    """As a Zotero or Scopus RIS export: some records without their DOI."""
    out = []
    for w in works:
        lines = ["TY  - JOUR", f"TI  - {w.title}"]
        lines += [f"AU  - {family}, {given}" for given, family in w.authors]
        lines += [f"T2  - {w.journal}", f"PY  - {w.year}", f"VL  - {w.volume}", f"IS  - {w.issue}",
                  f"SP  - {w.first_page}", f"EP  - {w.last_page}", f"SN  - {w.issn}"]
        if rng.random() < 0.7:
            lines.append(f"DO  - {w.doi}")
        lines += [f"AB  - {abstract_text(w)}", "KW  - peer support", "ER  - ", ""]
        out.append("\n".join(lines))
    return "\n".join(out)


def _braced(text: str) -> str:
    return "{" + text.replace("{", "").replace("}", "") + "}"


def to_bibtex(works: list[GeneratedWork], rng: random.Random) -> str:
    out = []
    for w in works:
        fields = {
            "author": " and ".join(f"{family}, {given}" for given, family in w.authors),
            "title": w.title, "journal": w.journal, "year": str(w.year), "volume": w.volume,
            "number": w.issue, "pages": f"{w.first_page}--{w.last_page}", "issn": w.issn,
            "abstract": abstract_text(w),
        }
        if rng.random() < 0.8:
            fields["doi"] = w.doi
        body = ",\n".join(f"  {name} = {_braced(value)}" for name, value in fields.items())
        out.append(f"@article{{gen{w.index},\n{body}\n}}\n")
    return "\n".join(out)


def to_csl_json(works: list[GeneratedWork], rng: random.Random) -> str:
    items = [
        {
            "id": f"gen{w.index}", "type": "article-journal", "title": w.title,
            "author": [{"family": family, "given": given} for given, family in w.authors],
            "container-title": w.journal, "ISSN": w.issn, "issued": {"date-parts": [[w.year]]},
            "volume": w.volume, "issue": w.issue, "page": f"{w.first_page}-{w.last_page}",
            "DOI": w.doi, "abstract": abstract_text(w),
        }
        for w in works
    ]
    return json.dumps(items, ensure_ascii=False, indent=1)


def to_pubmed_xml(works: list[GeneratedWork], rng: random.Random) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<PubmedArticleSet>"]
    for w in works:
        authors = "".join(
            f"<Author ValidYN=\"Y\"><LastName>{escape(family)}</LastName><ForeName>{escape(given)}</ForeName>"
            f"<Initials>{''.join(p[0] for p in given.split())}</Initials></Author>"
            for given, family in w.authors
        )
        sections = "".join(f'<AbstractText Label="{label.upper()}">{escape(text)}</AbstractText>' for label, text in w.sections)
        out.append(
            f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{w.pmid}</PMID>'
            f'<Article PubModel="Print"><Journal><ISSN IssnType="Print">{w.issn}</ISSN>'
            f"<JournalIssue CitedMedium=\"Print\"><Volume>{w.volume}</Volume><Issue>{w.issue}</Issue>"
            f"<PubDate><Year>{w.year}</Year></PubDate></JournalIssue><Title>{escape(w.journal)}</Title></Journal>"
            f"<ArticleTitle>{escape(w.title)}.</ArticleTitle>"
            f"<Pagination><MedlinePgn>{w.first_page}-{w.last_page}</MedlinePgn></Pagination>"
            f'<ELocationID EIdType="doi" ValidYN="Y">{w.doi}</ELocationID>'
            f"<Abstract>{sections}</Abstract><AuthorList CompleteYN=\"Y\">{authors}</AuthorList>"
            f"<Language>eng</Language><PublicationTypeList><PublicationType UI=\"D016428\">Journal Article"
            f"</PublicationType></PublicationTypeList></Article></MedlineCitation>"
            f'<PubmedData><ArticleIdList><ArticleId IdType="pubmed">{w.pmid}</ArticleId>'
            f'<ArticleId IdType="doi">{w.doi}</ArticleId></ArticleIdList></PubmedData></PubmedArticle>'
        )
    out.append("</PubmedArticleSet>\n")
    return "\n".join(out)


def inverted_index(text: str) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for position, word in enumerate(text.split()):
        index.setdefault(word, []).append(position)
    return index


def to_openalex(works: list[GeneratedWork], rng: random.Random) -> str:
    items = [
        {
            "id": f"https://openalex.org/W{3_000_000_000 + w.index}", "doi": f"https://doi.org/{w.doi}",
            "title": w.title, "display_name": w.title, "publication_year": w.year, "type": "article",
            "ids": {"openalex": f"https://openalex.org/W{3_000_000_000 + w.index}",
                    "pmid": f"https://pubmed.ncbi.nlm.nih.gov/{w.pmid}"},
            "primary_location": {"source": {"display_name": w.journal, "issn_l": w.issn, "issn": [w.issn],
                                            "type": "journal"}},
            "authorships": [
                {"author_position": "first" if n == 0 else "middle", "author": {"display_name": f"{given} {family}"},
                 "raw_author_name": f"{given} {family}", "institutions": []}
                for n, (given, family) in enumerate(w.authors)
            ],
            "biblio": {"volume": w.volume, "issue": w.issue, "first_page": str(w.first_page),
                       "last_page": str(w.last_page)},
            "abstract_inverted_index": inverted_index(" ".join(text for _, text in w.sections)),
        }
        for w in works
    ]
    return json.dumps({"meta": {"count": len(items)}, "results": items}, ensure_ascii=False)


EXPORTS = {  # format: (file extension, writer, share of the export records)
    "pubmed-xml": (".xml", to_pubmed_xml, 0.25),
    "ris": (".ris", to_ris, 0.25),
    "bibtex": (".bib", to_bibtex, 0.15),
    "csl-json": (".json", to_csl_json, 0.15),
    "openalex": (".json", to_openalex, 0.20),
}


def write_mixed_corpus(folder: Path, records: int, *, listing_share: float = 0.4, overlap: float = 0.25,
                       per_file: int = 10_000, seed: int = 1) -> dict[str, int]:
    """Write about ``records`` records into ``folder`` as files of at most
    ``per_file`` records: ``listing_share`` of them as listings, the rest as
    exports, where ``overlap`` of the exported works appear in two formats.
    Returns the records written per format. The same arguments give the same files."""
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    listing_records = round(records * listing_share)
    for part, start in enumerate(range(0, listing_records, per_file)):
        count = min(per_file, listing_records - start)
        text = generate_listing(count, seed=seed * 1000 + part)
        (folder / f"listing-{part:04d}.txt").write_text(text, encoding="utf-8")
    written["listing"] = listing_records
    rng = random.Random(seed)
    exported = records - listing_records
    works_count = round(exported / (1 + overlap))
    pool = author_pool(rng, max(50, works_count // 2))
    venues = journals(rng, max(20, works_count // 500))
    formats = list(EXPORTS)
    shares = [EXPORTS[f][2] for f in formats]
    by_format: dict[str, list[int]] = {f: [] for f in formats}
    for index in range(works_count):
        first = rng.choices(formats, shares)[0]
        by_format[first].append(index)
        if rng.random() < overlap:
            by_format[rng.choice([f for f in formats if f != first])].append(index)
    works_rng = random.Random(seed + 1)
    works = [generate_work(works_rng, pool, venues, index) for index in range(works_count)]
    for name in formats:
        extension, writer, _ = EXPORTS[name]
        chosen = by_format[name]
        for part, start in enumerate(range(0, len(chosen), per_file)):
            batch = [works[i] for i in chosen[start:start + per_file]]
            text = writer(batch, random.Random(f"{seed}-{name}-{part}"))
            (folder / f"{name}-{part:04d}{extension}").write_text(text, encoding="utf-8")
        written[name] = len(chosen)
    return written


if __name__ == "__main__":
    if sys.argv[1:2] == ["--mixed"]:
        print(json.dumps(write_mixed_corpus(Path(sys.argv[3]), int(sys.argv[2]))))
    else:
        count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
        sys.stdout.write(generate_listing(count))
