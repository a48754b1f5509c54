"""Reader for RIS tagged text (``TY  - JOUR`` ... ``ER  -``).

rispy groups each record's tags; this module finds where records start (rispy
keeps no line numbers) and maps the tags of the dialects met in real exports:

- Ovid: records numbered ``1.``, abstract in ``N2``, DOIs as
  ``http://dx.doi.org/...`` URLs, ``SP  - No`` / ``EP  - Specified`` for "no
  pages", ORCIDs in ``AI`` as ``Name; ORCID: url`` pairs, ``NL`` written after
  ``ER`` and a "Link to the Ovid Full Text" line between records;
- EndNote (PubMed export, often named ``.txt``): keyword and note lines
  continued on untagged lines, ``SP  - 349-69`` (abbreviated range),
  ``AN`` holding the PMID when ``DP  - NLM``, ``DA  - Mar 1`` without year;
- Zotero: ``DA  - 2019/10//undefined`` and two ISSNs in one ``SN`` field;
- Scopus: ``SN  - 03064530 (ISSN)`` and the article number in ``C7``;
- Embase: ``Liu R.``-style author names, a BOM;
- Web of Science's RIS: two ``SN`` lines, ``DA  - JUN 19`` with the year in
  ``PY``, ``AN  - WOS:...``, publisher in ``PU``.

RIS does not say which of two ISSNs is the print one: the first is kept as
``issn`` and a second, different one as ``eissn``, in the exporter's order.
``AD`` lines are not tied to authors in RIS, so authors get no affiliations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rispy import RisParser

from .abstracts import split_structured_abstract
from .identifiers import (
    find_issns,
    missing_identity,
    normalise_doi,
    normalise_orcid,
    parse_date,
    split_pages,
    strip_markup,
    year_problem,
)
from ..model import Author, Problem, ReadResult, Record, SourceRef, Venue
from ..text import fold
from .headings import collect_headings, is_mesh_like, split_heading
from .names import clean_printed_name, make_author

FORMAT = "ris"

TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
OVID_NUMBER = re.compile(r"^\d+\.$")
OVID_LINK = re.compile(r"^Link to the Ovid Full Text", re.I)
# Ovid writes the NLM journal abbreviation after the record's ER.
TAGS_AFTER_END = frozenset({"NL"})

DOC_TYPES = {
    "JOUR": "journal-article",
    "JFULL": "journal-article",
    "EJOUR": "journal-article",
    "INPR": "journal-article",
    "MGZN": "journal-article",
    "CHAP": "book-chapter",
    "ECHAP": "book-chapter",
    "BOOK": "book",
    "EBOOK": "book",
    "EDBOOK": "book",
    "CONF": "conference-paper",
    "CPAPER": "conference-paper",
    "THES": "thesis",
    "UNPB": "preprint",
}

TITLE_TAGS = ("TI", "T1", "CT", "BT", "ST")
VENUE_TAGS = ("JF", "T2", "JO", "JA", "J2", "T3")
AUTHOR_TAGS = ("AU", "A1")
# "Liu R." / "Adler D.G." / "Woyach JA": family name then initials.
FAMILY_INITIALS = re.compile(r"^(?P<family>.+?)\s+(?P<initials>(?:[A-Z]\.?-?){1,4})$")
# "Name; ORCID: url" pairs separated by ", ": the name is what precedes the
# ";" since the previous pair (found from the ORCID side: linear time).
OVID_ORCID = re.compile(r";\s*ORCID:\s*(?P<orcid>\S+?)(?:,|$)")


class _KeepTags(dict):
    """A rispy mapping that keeps every tag under its own name."""

    def __missing__(self, tag: str) -> str:
        return tag


class _EveryTag:
    """rispy list-tags that contain every tag, so nothing is overwritten."""

    def __contains__(self, tag: object) -> bool:
        return True


class _SameTags(RisParser):
    """rispy, seeing a tag exactly where the segmenter does (``TAG_LINE``): its
    own test also takes ``TY  -x`` or a non-ASCII capital, which would start or
    end a record inside a chunk."""

    def parse_line(self, line: str) -> tuple[str | None, str]:
        match = TAG_LINE.match(line.rstrip())
        return (match[1], (match[2] or "").strip()) if match else (None, line.strip())


def _tag_parser() -> RisParser:
    return _SameTags(mapping=_KeepTags(), list_tags=_EveryTag(), delimiter_tags_mapping={})


@dataclass
class _Chunk:
    """The lines of one record, with their line numbers."""

    first_line: int
    lines: list[tuple[int, str]] = field(default_factory=list)
    closed: bool = False

    def line_of(self, tag: str) -> int:
        for lineno, line in self.lines:
            if line.startswith(tag + "  -"):
                return lineno
        return self.first_line


class _Segmenter:
    """Splits the file into TY ... ER chunks and reports what lies between."""

    def __init__(self, file: str, result: ReadResult):
        self.file = file
        self.chunks: list[_Chunk] = []
        self.result = result
        self.problems = result.problems
        self.current: _Chunk | None = None
        self.orphan: _Chunk | None = None  # tag lines with no TY before them

    def feed(self, lineno: int, line: str) -> None:
        tag_match = TAG_LINE.match(line.rstrip())
        tag = tag_match[1] if tag_match else None
        if tag == "TY":
            self.close_orphan()
            if self.current is not None:
                self.problems.append(
                    Problem(self.file, self.current.first_line, "record not closed by ER before the next TY")
                )
                self.chunks.append(self.current)
            self.current = _Chunk(lineno, [(lineno, line)])
            return
        if self.current is not None:
            self.current.lines.append((lineno, line))
            if tag == "ER":
                self.current.closed = True
                self.chunks.append(self.current)
                self.current = None
            return
        stripped = line.strip()
        if tag is not None and tag not in TAGS_AFTER_END:
            if self.orphan is None:
                self.orphan = _Chunk(lineno)
            self.orphan.lines.append((lineno, line))
            if tag == "ER":
                self.close_orphan()
            return
        if tag is None and self.orphan is not None and stripped:
            self.orphan.lines.append((lineno, line))
            return
        self.close_orphan()
        if not stripped or tag in TAGS_AFTER_END or OVID_NUMBER.match(stripped) or OVID_LINK.match(stripped):
            return
        self.problems.append(Problem(self.file, lineno, "text outside any record", stripped))

    def close_orphan(self) -> None:
        if self.orphan is None:
            return
        first = self.orphan.lines[0][1].strip()
        self.result.skip(self.file, self.orphan.first_line, "record does not start with a TY line", first)
        self.orphan = None

    def finish(self) -> None:
        self.close_orphan()
        if self.current is not None:
            self.problems.append(Problem(self.file, self.current.first_line, "record not closed by ER at end of file"))
            self.chunks.append(self.current)
            self.current = None


def _values(fields: dict, *tags: str) -> list[str]:
    """All non-empty values of ``tags``, in tag order."""
    out = []
    for tag in tags:
        for value in fields.get(tag) or []:
            value = (value or "").strip()
            if value:
                out.append(value)
    return out


def _text(fields: dict, tag: str) -> str | None:
    """A free-text field with its continuation lines joined."""
    text = " ".join(_values(fields, tag))
    return text or None


def _first_text(fields: dict, tags: tuple[str, ...]) -> str | None:
    for tag in tags:
        text = _text(fields, tag)
        if text:
            return text
    return None


def ris_author(printed: str, orcid: str | None = None) -> Author:
    """An author from ``Family, Given`` or ``Family Initials`` (Embase, MEDLINE)."""
    name = clean_printed_name(printed)
    if "," not in name:
        match = FAMILY_INITIALS.match(name)
        if match:
            return Author(name=name, given=match["initials"], family=match["family"], orcid=orcid)
    return make_author(name, orcid=orcid)


def _ovid_orcids(fields: dict) -> dict[str, str]:
    """{normalised name: ORCID} from Ovid's ``AI`` field."""
    found: dict[str, str] = {}
    for value in _values(fields, "AI"):
        # Ovid prefixes the whole list with a stray "ORCID: http://orcid.org/".
        value = re.sub(r"^ORCID:\s*https?://orcid\.org/", "", value)
        start = 0
        for match in OVID_ORCID.finditer(value):
            name = value[start:match.start()].rsplit(";", 1)[-1].strip()
            start = match.end()
            orcid = normalise_orcid(match["orcid"])
            if orcid and name:
                found[fold(name)] = orcid
    return found


def _doi(fields: dict) -> str | None:
    for value in _values(fields, "DO"):
        doi = normalise_doi(value)
        if doi:
            return doi
    # Some exports give the DOI only as a link.
    for value in _values(fields, "UR", "L2", "L3", "L1"):
        if "doi.org/" in value:
            doi = normalise_doi(value)
            if doi:
                return doi
    return None


YEAR_TAGS = ("PY", "Y1")


def _date(fields: dict, chunk: _Chunk, file: str, problems: list[Problem]) -> tuple[int | None, str | None]:
    """(year, ISO date); a PY or Y1 with no year is reported, and a DA with
    none only when no field gives a year (EndNote's ``DA  - Mar 1``)."""
    year, iso = None, None
    for tag in (*YEAR_TAGS, "DA", "Y2"):
        for value in _values(fields, tag):
            y, d = parse_date(value)
            if y is None and tag in YEAR_TAGS:
                problems.append(year_problem(file, chunk.line_of(tag), tag, value))
            year = year or y
            iso = iso or d
    if year is None and not _values(fields, *YEAR_TAGS) and (dates := _values(fields, "DA")):
        problems.append(year_problem(file, chunk.line_of("DA"), "DA", " ".join(dates)))
    if year and not iso:
        # DA may hold only month and day ("Mar 1", "JUN 19") next to PY.
        for value in _values(fields, "DA"):
            if re.match(r"^[A-Za-z]{3}", value):
                iso = parse_date(f"{year} {value}")[1]
    return year, iso


# -- keywords and subject headings --------------------------------------------

# Databases whose RIS KW lines are their own index terms (Emtree, PsycINFO or
# ProQuest subjects, MeSH via Ovid), not the authors' keywords.
_INDEXING_DATABASES = re.compile(r"\b(?:embase|medline|psycinfo|psycarticles|ptsdpubs|proquest|cinahl|eric)\b", re.I)


def _last_sorted_run(names: list[str]) -> int:
    """Where the last case-insensitively sorted run of ``names`` starts (0: all sorted)."""
    start = 0
    for i in range(1, len(names)):
        if names[i].casefold() < names[i - 1].casefold():
            start = i
    return start


def _sorted_prefix(values: list[str], key) -> int:
    n = 1
    while n < len(values) and key(values[n]) >= key(values[n - 1]):
        n += 1
    return min(n, len(values))


def _scopus_author_keywords(values: list[str]) -> int:
    """How many of Scopus's KWs are author keywords: Scopus writes them sorted
    (case-insensitively, or by code point: ``Mast cell`` before ``hydrogen
    sulfide``), then its index keywords in sorted runs (Emtree drug and medical
    terms, MeSH). The author keywords end where the case-insensitive order first
    breaks, or later where the code-point order breaks and the case-insensitive
    one breaks too. A heuristic: a list in one sorted run is all author keywords."""
    folded = _sorted_prefix(values, str.casefold)
    plain = _sorted_prefix(values, str)
    if folded < plain < len(values) and values[plain].casefold() < values[plain - 1].casefold():
        return plain
    return folded


def _keywords(fields: dict) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(keywords, subject_headings, major_headings) from the KW lines.

    RIS has one tag for both, so the dialect decides:

    - a database that indexes (``DB`` Embase, Medline, PsycINFO, PTSDpubs...,
      or an Ovid link, or any KW marked ``*``): every KW is an index term,
      ``*`` marks a major one and MeSH qualifiers after ``/`` are dropped;
    - EndNote's PubMed export (``DP  - NLM``): the MeSH headings, sorted, then
      the author keywords, sorted: a last sorted run without MeSH marks after
      an earlier run is the author keywords;
    - Web of Science (``AN  - WOS:``): author keywords, then Keywords Plus in
      capitals: the trailing run of all-capital KWs is Keywords Plus;
    - Scopus: author keywords, then index keywords, each sorted: see
      :func:`_scopus_author_keywords`;
    - anything else (Zotero, Mendeley): a KW marked as MeSH (``*``, a
      ``/qualifier``, a check tag such as ``Humans``) is an index term, the
      rest are author keywords. An unmarked MeSH heading cannot be told apart.
    """
    values: list[str] = list(dict.fromkeys(v.strip() for v in _values(fields, "KW") if v.strip()))
    databases = " ".join(_values(fields, "DB", "DP"))
    links = " ".join(_values(fields, "UR", "L2", "L1"))
    accession = " ".join(_values(fields, "AN")).upper()
    pairs: list[tuple[str, bool]] = []
    keywords: list[str] = []
    if _INDEXING_DATABASES.search(databases) or "ovid.com" in links.lower() or any(v.startswith("*") for v in values):
        pairs = [split_heading(v) for v in values]
    elif re.search(r"\bnlm\b", databases, re.I):
        cut = _last_sorted_run([split_heading(v)[0] for v in values])
        if cut and not any(is_mesh_like(v) for v in values[cut:]):
            pairs, keywords = [split_heading(v) for v in values[:cut]], values[cut:]
        else:
            pairs = [split_heading(v) for v in values]
    elif accession.startswith("WOS:"):
        cut = len(values)
        while cut > 0 and values[cut - 1].upper() == values[cut - 1] and any(c.isalpha() for c in values[cut - 1]):
            cut -= 1
        keywords, pairs = values[:cut], [(v, False) for v in values[cut:]]
    elif re.search(r"\bscopus\b", databases, re.I):
        cut = _scopus_author_keywords(values)
        keywords, pairs = values[:cut], [(v, False) for v in values[cut:]]
    else:
        for value in values:
            if is_mesh_like(value):
                pairs.append(split_heading(value))
            else:
                keywords.append(value)
    headings, major = collect_headings(pairs)
    return tuple(keywords), headings, major


def _identifiers(fields: dict) -> tuple[tuple[str, str], ...]:
    found = []
    databases = " ".join(_values(fields, "DP", "DB")).lower()
    for value in _values(fields, "AN"):
        if value.upper().startswith("WOS:"):
            found.append(("wos", value[4:]))
        elif value.isdigit() and ("nlm" in databases or "pubmed" in databases):
            found.append(("pmid", value))
    return tuple(found)


def _database(fields: dict) -> str:
    """The database the record came from, as the file names it: ``DB``, else
    ``DP`` (EndNote's PubMed exports say NLM), else Web of Science by its own
    ``J9``/``UT`` tags; "" when the record does not say."""
    named = _values(fields, "DB", "DP")
    if named:
        return "PubMed" if named[0].upper() == "NLM" else named[0]
    if _values(fields, "J9", "UT"):
        return "Web of Science"
    return ""


def build_record(chunk: _Chunk, fields: dict, file: str, problems: list[Problem]) -> Record:
    doc_type_code = (fields.get("TY") or "").strip().upper()
    orcids = _ovid_orcids(fields)
    authors = tuple(
        ris_author(name, orcids.get(fold(name))) for name in _values(fields, *AUTHOR_TAGS)
    )
    first_page, last_page = split_pages(_text(fields, "SP"))
    if last_page is None:
        end = _text(fields, "EP")
        if end and end.lower() != "specified":
            last_page = end
    if first_page is None and (article_number := _text(fields, "C7")):
        # Scopus puts the article number, which journals print as the page, in C7.
        first_page = article_number
    issns: list[str] = []
    for value in _values(fields, "SN"):
        found = find_issns(value)
        if not found and re.search(r"\d{4}-?\d{3}[\dXx]\b", value) and not re.search(r"\d{9}", value):
            problems.append(Problem(file, chunk.line_of("SN"), "ISSN with a wrong check digit; ignored", value))
        issns.extend(i for i in found if i not in issns)
    venue_title = _first_text(fields, VENUE_TAGS)
    publisher = (_values(fields, "PB", "PU") or [None])[0]
    venue = None
    if venue_title or issns or publisher:
        venue = Venue(
            title=venue_title,
            issn=issns[0] if issns else None,
            eissn=issns[1] if len(issns) > 1 else None,
            publisher=publisher,
        )
    abstract = strip_markup(_text(fields, "AB") or _text(fields, "N2"))
    sections: tuple = ()
    if abstract:
        abstract, sections = split_structured_abstract(abstract) or (abstract, ())
    year, date = _date(fields, chunk, file, problems)
    doi = _doi(fields)
    if doi is None and (raw_doi := _values(fields, "DO")):
        problems.append(Problem(file, chunk.line_of("DO"), "DO field holds no DOI; ignored", raw_doi[0]))
    keywords, subject_headings, major_headings = _keywords(fields)
    return Record(
        source=SourceRef(file, chunk.first_line, FORMAT, label=_database(fields)),
        title=strip_markup(_first_text(fields, TITLE_TAGS)),
        doc_type=DOC_TYPES.get(doc_type_code),
        year=year,
        date=date,
        volume=_text(fields, "VL"),
        issue=_text(fields, "IS"),
        first_page=first_page,
        last_page=last_page,
        doi=doi,
        authors=authors,
        abstract=abstract,
        abstract_sections=sections,
        venue=venue,
        keywords=keywords,
        identifiers=_identifiers(fields),
        subject_headings=subject_headings,
        major_headings=major_headings,
    )


def read_ris(text: str, file: str) -> ReadResult:
    """Read RIS text; see the module docstring for the dialects handled."""
    result = ReadResult()
    segmenter = _Segmenter(file, result)
    for lineno, line in enumerate(text.lstrip("\ufeff").split("\n"), start=1):
        segmenter.feed(lineno, line)
    segmenter.finish()
    parser = _tag_parser()
    for chunk in segmenter.chunks:
        lines = [line for _, line in chunk.lines]
        if not chunk.closed:
            lines.append("ER  - ")
        parsed = parser.parse_lines(iter(lines))
        fields = parsed[0] if parsed else {}
        record_problems: list[Problem] = []
        record = build_record(chunk, fields, file, record_problems)
        result.keep(record, record_problems, skip_reason=missing_identity(record), line=chunk.first_line,
                    text=lines[0].strip())
    result.problems.sort(key=lambda p: p.line)
    return result


def looks_like_ris(head: str, path: str) -> bool:
    """A ``TY  -`` line near the start (after blank lines or an Ovid ``1.``)."""
    for line in head.lstrip("\ufeff").split("\n")[:20]:
        if TAG_LINE.match(line.rstrip()):
            return line.startswith("TY  -")
    return False
