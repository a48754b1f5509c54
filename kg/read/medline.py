"""Reader for the MEDLINE tagged format (PubMed "Save as PubMed", ``.nbib``).

A record is a run of ``TAG - value`` lines (tag left-aligned in four
columns: ``PMID- ``, ``TI  - ``) starting at ``PMID-`` and ending at a blank
line; a value continues on lines indented by six spaces. No well-kept
library reads this format, so the few rules are here.

Quirks handled: ``FAU`` (full name) is preferred to ``AU`` (``Woyach JA``),
and the ``AU``, ``AUID`` (``ORCID: https://orcid.org/...``) and ``AD`` lines
after an ``FAU`` belong to that author; the DOI is in ``LID`` or ``AID``
marked ``[doi]``; ``IS`` lines are marked ``(Print)``, ``(Electronic)`` or
``(Linking)``; ``PG`` may be abbreviated (``349-69``); ``DP`` is
``2018 Dec 27``, ``2020 Feb`` or ``2019 Jan-Feb``; keywords are the author
keywords ``OT``, subject headings the MeSH ``MH`` descriptors without their
``/qualifiers``, and major headings those marked ``*`` on the descriptor or
on a qualifier; ``PMC`` is the PMCID; markup in
abstracts (``<ext-link>``) is stripped but ``P<0.001`` survives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .abstracts import split_structured_abstract
from .identifiers import (
    find_issns,
    missing_identity,
    normalise_doi,
    normalise_orcid,
    normalise_pmcid,
    parse_date,
    split_pages,
    strip_markup,
    year_problem,
)
from ..model import Author, Problem, ReadResult, Record, SourceRef, Venue
from .names import make_author
from .headings import collect_headings, split_heading
from .ris import ris_author

FORMAT = "medline"

TAG_LINE = re.compile(r"^(?P<tag>[A-Z][A-Z0-9]{1,3}) {0,2}- ?(?P<value>.*)$")
CONTINUATION = re.compile(r"^\s+\S")


@dataclass
class _Block:
    first_line: int
    fields: list[tuple[int, str, str]] = field(default_factory=list)  # (line, tag, value)

    def values(self, tag: str) -> list[str]:
        return [value for _, t, value in self.fields if t == tag and value]

    def first(self, *tags: str) -> str | None:
        for tag in tags:
            values = self.values(tag)
            if values:
                return values[0]
        return None

    def line_of(self, tag: str) -> int:
        return next((line for line, t, _ in self.fields if t == tag), self.first_line)


def _split_blocks(text: str, file: str, problems: list[Problem]) -> list[_Block]:
    blocks: list[_Block] = []
    current: _Block | None = None
    for lineno, raw in enumerate(text.lstrip("\ufeff").split("\n"), start=1):
        line = raw.rstrip()
        if not line.strip():
            current = None
            continue
        match = TAG_LINE.match(line) if not line[0].isspace() else None
        if match:
            if current is None:
                current = _Block(lineno)
                blocks.append(current)
            current.fields.append((lineno, match["tag"], match["value"].strip()))
        elif current is not None and current.fields and CONTINUATION.match(line):
            fline, tag, value = current.fields[-1]
            current.fields[-1] = (fline, tag, f"{value} {line.strip()}".strip())
        else:
            problems.append(Problem(file, lineno, "line is neither a tagged field nor a continuation", line.strip()))
    return blocks


def _authors(block: _Block) -> tuple[Author, ...]:
    """Authors from FAU (or AU) lines with the AUID/AD lines that follow each."""
    has_full_names = any(tag == "FAU" for _, tag, _ in block.fields)
    name_tag = "FAU" if has_full_names else "AU"
    people: list[dict] = []
    for _, tag, value in block.fields:
        if tag == name_tag:
            people.append({"name": value, "orcid": None, "affiliations": []})
        elif tag == "CN":
            people.append({"name": value, "orcid": None, "affiliations": [], "collective": True})
        elif people and tag == "AUID" and "orcid" in value.lower():
            people[-1]["orcid"] = normalise_orcid(value)
        elif people and tag == "AD":
            people[-1]["affiliations"].append(value)
    authors = []
    for person in people:
        affiliations = tuple(person["affiliations"])
        if person.get("collective"):
            authors.append(Author(name=person["name"], affiliations=affiliations))
        elif has_full_names:
            authors.append(make_author(person["name"], person["orcid"], affiliations))
        else:
            found = ris_author(person["name"], person["orcid"])
            authors.append(Author(found.name, found.given, found.family, found.orcid, affiliations))
    return tuple(authors)


def _issns(block: _Block) -> tuple[str | None, str | None, bool]:
    """(print ISSN, electronic ISSN, whether the lines said which is which)."""
    issn = eissn = None
    typed = any(marker in value.lower() for value in block.values("IS") for marker in ("(print)", "(electronic)"))
    for value in block.values("IS"):
        found = (find_issns(value) or [None])[0]
        if "(electronic)" in value.lower():
            eissn = eissn or found
        elif "(linking)" not in value.lower():
            issn = issn or found
    if issn is None and eissn is None:
        # Only a linking ISSN: better than none.
        issn = next((i for v in block.values("IS") for i in find_issns(v)), None)
    return issn, eissn, typed


def _doi(block: _Block) -> str | None:
    for value in block.values("LID") + block.values("AID"):
        if value.lower().endswith("[doi]"):
            doi = normalise_doi(value)
            if doi:
                return doi
    return None


def _keywords(block: _Block) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in block.values("OT") if v.strip()))


def _headings(block: _Block) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return collect_headings(split_heading(v) for v in block.values("MH"))


def _identifiers(block: _Block) -> tuple[tuple[str, str], ...]:
    found = []
    pmid = block.first("PMID")
    if pmid and pmid.isdigit():
        found.append(("pmid", pmid))
    pmcid = normalise_pmcid(block.first("PMC"))
    if pmcid:
        found.append(("pmcid", pmcid))
    return tuple(found)


def _doc_type(block: _Block) -> str | None:
    types = {value.lower() for value in block.values("PT")}
    if "preprint" in types:
        return "preprint"
    if block.first("BTI") and block.first("TI"):
        return "book-chapter"
    if block.first("BTI"):
        return "book"
    if block.first("JT", "TA"):
        return "journal-article"
    return None


def build_record(block: _Block, file: str, problems: list[Problem]) -> Record:
    year, date = parse_date(block.first("DP"))
    if year is None and block.first("DP"):
        problems.append(year_problem(file, block.line_of("DP"), "DP", block.first("DP")))
    first_page, last_page = split_pages(block.first("PG"))
    if first_page is None:
        # Online-only papers have no PG; their article number is the pii LID.
        pii = next((v for v in block.values("LID") if v.lower().endswith("[pii]")), None)
        if pii and re.match(r"^e?\d+ \[pii\]$", pii, re.I):
            first_page = pii.split()[0]
    issn, eissn, typed = _issns(block)
    venue_title = block.first("JT", "TA", "BTI")
    publisher = block.first("PB")
    venue = Venue(venue_title, issn, eissn, publisher, typed) if (venue_title or issn or eissn or publisher) else None
    abstract = strip_markup(block.first("AB"))
    sections: tuple = ()
    if abstract:
        abstract, sections = split_structured_abstract(abstract) or (abstract, ())
    subject_headings, major_headings = _headings(block)
    return Record(
        source=SourceRef(file, block.first_line, FORMAT, label="PubMed"),
        title=strip_markup(block.first("TI", "BTI")),
        doc_type=_doc_type(block),
        year=year,
        date=date,
        volume=block.first("VI"),
        issue=block.first("IP"),
        first_page=first_page,
        last_page=last_page,
        doi=_doi(block),
        authors=_authors(block),
        abstract=abstract,
        abstract_sections=sections,
        venue=venue,
        keywords=_keywords(block),
        identifiers=_identifiers(block),
        subject_headings=subject_headings,
        major_headings=major_headings,
    )


def read_medline(text: str, file: str) -> ReadResult:
    """Read MEDLINE tagged text; see the module docstring."""
    result = ReadResult()
    blocks = _split_blocks(text, file, result.problems)
    for block in blocks:
        problems: list[Problem] = []
        record = build_record(block, file, problems)
        _, tag, value = block.fields[0]
        result.keep(record, problems, skip_reason=missing_identity(record), line=block.first_line,
                    text=f"{tag} - {value}"[:120])
    result.problems.sort(key=lambda p: p.line)
    return result


def looks_like_medline(head: str, path: str) -> bool:
    """A ``PMID- 123`` line, the first field of every MEDLINE record."""
    return re.search(r"^PMID- ?\d+", head.lstrip("\ufeff"), re.M) is not None
