"""Reader for BibTeX (``@article{key, title = {...}, ...}``), via bibtexparser 2.

Quirks handled:

- LaTeX escapes (``{\\"u}``, ``\\&``, ``--``) become Unicode with pylatexenc,
  the decoder bibtexparser itself uses; author lists are split with
  bibtexparser's BibTeX name rules first, so a braced ``{Barnes and Noble}``
  stays one name, and decoded after; the printed name is the author's text
  as the file gives it, decoded;
- Scopus writes ``Faggion, C.M., Jr.`` (suffix last, against BibTeX's
  ``von Last, Jr, First``): a suffix found in the given-name slot moves;
- an entry with a field given twice (Scopus ``funding_details``) is read
  with the first value kept and a Problem; a duplicate key likewise;
- Web of Science's double braces (``Title = {{What's at stake?}}``): the
  inner group is a LaTeX group and disappears when decoding;
- identifier fields (``doi``, ``issn``, ``url``) are not LaTeX-decoded, since
  ``%`` would start a comment: only ``\\_``-style escapes and braces go;
- Web of Science's ``EISSN``, ``ORCID-Numbers`` (``Family, Given/0000-...``
  per line), ``Unique-ID = {ISI:...}``, ``Keywords`` (author keywords) and
  ``Keywords-Plus`` (subject headings) separated by ``;``; Scopus's
  ``author_keywords`` (keywords), ``keywords`` (then Scopus's index keywords:
  subject headings), ``pubmed_id`` and ``art_number``; SAGE's ``year = {0}`` for online-first papers (no year);
- text before the first entry (Scopus's "EXPORT DATE" header) is ignored.

bibtexparser counts lines from 0; SourceRef lines are 1-based. An entry the
library cannot parse becomes a skipped Problem at its first line.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import bibtexparser
from bibtexparser.middlewares import RemoveEnclosingMiddleware
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry, ParsingFailedBlock
from pylatexenc.latex2text import LatexNodes2Text

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
from ..text import NAME_SUFFIXES, first_line, fold

FORMAT = "bibtex"

# bibtexparser logs each block it cannot parse, over several lines, on stderr;
# the reader reports those blocks itself, with file and line.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

DOC_TYPES = {
    "article": "journal-article",
    "incollection": "book-chapter",
    "inbook": "book-chapter",
    "book": "book",
    "inproceedings": "conference-paper",
    "conference": "conference-paper",
    "proceedings": "book",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "unpublished": "preprint",
}

_LATEX = LatexNodes2Text(math_mode="verbatim")
_SPACE = re.compile(r"\s+")
_ESCAPED = re.compile(r"\\([_%&#$])")


# Characters that make a value LaTeX rather than plain text; most fields of a
# real export have none, and pylatexenc costs ~3 ms a field (76 s on 25k entries).
_LATEX_MARKERS = re.compile(r"[\\{}$~]|--|``|''")
_LATEX_BEYOND_DASHES = re.compile(r"[\\{}$~%&]|``|''|!`|\?`")
"""What pylatexenc reads besides dashes (its specials, commands, groups, math, comments)."""
_DASHES = re.compile("---|--")


def decode_latex(value: str | None) -> str | None:
    """LaTeX to Unicode text with whitespace collapsed; None if empty."""
    if value is None:
        return None
    return _decode_latex(value)


@lru_cache(maxsize=65536)
def _decode_latex(value: str) -> str | None:
    if _LATEX_MARKERS.search(value):
        if not _LATEX_BEYOND_DASHES.search(value):
            # Only dashes ("12--20", the usual pages): pylatexenc's en and em
            # dashes, read greedily as it does, without its 0.3 ms a value and
            # the reference cycles it leaves.
            value = _DASHES.sub(lambda dash: "—" if len(dash[0]) == 3 else "–", value)
        else:
            try:
                value = _LATEX.latex_to_text(value)
            except Exception:  # pylatexenc raises on malformed input; keep the raw text then
                value = value.replace("{", "").replace("}", "")
    text = _SPACE.sub(" ", value).strip()
    return text or None


def plain_identifier(value: str | None) -> str | None:
    """An identifier field without braces and ``\\_`` escapes (no LaTeX decoding)."""
    if value is None:
        return None
    text = _ESCAPED.sub(r"\1", value).replace("{", "").replace("}", "")
    return _SPACE.sub(" ", text).strip() or None


def _fields(entry: Entry) -> dict[str, object]:
    """Field values by lower-case key (WoS writes ``Title``, Scopus ``title``)."""
    found: dict[str, object] = {}
    for field in entry.fields:
        found.setdefault(field.key.lower(), field.value)
    return found


def _text(fields: dict, *keys: str) -> str | None:
    for key in keys:
        value = fields.get(key)
        if isinstance(value, str):
            text = decode_latex(value)
            if text:
                return text
    return None


def _person_key(family: str | None, given: str | None) -> tuple[str, str]:
    """Family name and first initial: ``ORCID-Numbers`` drops middle initials."""
    return fold(family or ""), fold(given or "")[:1]


def _orcids(fields: dict) -> dict[tuple[str, str], str]:
    """{person key: ORCID} from WoS ``ORCID-Numbers`` (``Family, Given/ORCID``)."""
    found: dict[tuple[str, str], str] = {}
    raw = fields.get("orcid-numbers")
    if not isinstance(raw, str):
        return found
    # A pair starts the text or follows a ";" (a line break): tried from every
    # position instead, the lazy name makes a long value take quadratic time.
    for match in re.finditer(r"(?:^|;)([^/;]+?)\s*/\s*([^\s;]{15,})", plain_identifier(raw.replace("\n", ";")) or ""):
        orcid = normalise_orcid(match[2])
        if orcid:
            family, _, given = match[1].partition(",")
            found[_person_key(family, given)] = orcid
    return found


def _authors(fields: dict) -> tuple[Author, ...]:
    names = fields.get("author")
    if not isinstance(names, str):
        return ()
    orcids = _orcids(fields)
    authors = []
    for raw in split_multiple_persons_names(names):
        printed = decode_latex(raw)
        if not printed:
            continue
        try:
            parts = parse_single_name_into_parts(raw, strict=False)
        except Exception:  # an unbalanced name; keep it whole as printed
            authors.append(Author(name=printed))
            continue
        first, jr = parts.first, parts.jr
        if len(first) == 1 and fold(first[0]) in NAME_SUFFIXES and jr:
            first, jr = jr, first
        family = decode_latex(" ".join(parts.von + parts.last))
        given = decode_latex(" ".join(first))
        orcid = orcids.get(_person_key(family, given)) if orcids else None
        authors.append(Author(name=printed, given=given, family=family, orcid=orcid))
    return tuple(authors)


def _split_keywords(fields: dict, key: str) -> list[str]:
    text = _text(fields, key)
    return [k for k in re.split(r"\s*[;,]\s*" if key != "keywords-plus" else r"\s*;\s*", text or "") if k]


def _keywords(fields: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(keywords, subject_headings). ``keywords`` holds the author keywords
    except in a Scopus entry (``author_keywords`` present, or ``source =
    {Scopus}``), where it holds the index keywords."""
    scopus = "author_keywords" in fields or (_text(fields, "source") or "").strip().lower() == "scopus"
    author = _split_keywords(fields, "author_keywords") if scopus else _split_keywords(fields, "keywords")
    index = (_split_keywords(fields, "keywords") if scopus else []) + _split_keywords(fields, "keywords-plus")
    return tuple(dict.fromkeys(author)), tuple(dict.fromkeys(index))


def _identifiers(fields: dict) -> tuple[tuple[str, str], ...]:
    found = []
    pmid = plain_identifier(fields.get("pubmed_id") or fields.get("pmid"))  # type: ignore[arg-type]
    if pmid and pmid.isdigit():
        found.append(("pmid", pmid))
    unique = plain_identifier(fields.get("unique-id"))  # type: ignore[arg-type]
    if unique and unique.upper().startswith(("ISI:", "WOS:")):
        found.append(("wos", unique[4:]))
    return tuple(found)


def _database(fields: dict) -> str:
    """The database that wrote the entry: Scopus's ``source`` field, Web of
    Science's ``unique-id``/``web-of-science-categories``; "" when unknown."""
    source = _text(fields, "source")
    if source:
        return source
    if "web-of-science-categories" in fields or any(scheme == "wos" for scheme, _ in _identifiers(fields)):
        return "Web of Science"
    return ""


def build_record(entry: Entry, file: str, problems: list[Problem]) -> Record:
    line = (entry.start_line or 0) + 1
    fields = _fields(entry)
    year, date = None, None
    year_text = _text(fields, "year")
    if year_text:
        year, date = parse_date(year_text)
        if year is None:
            problems.append(year_problem(file, line, "year", year_text))
        elif (month := _text(fields, "month")) and (day := _text(fields, "day")):
            date = parse_date(f"{year} {month} {day}")[1]
    first_page, last_page = split_pages(_text(fields, "pages"))
    if first_page is None:
        first_page = _text(fields, "article-number", "art_number", "eid")
    issns = find_issns(plain_identifier(fields.get("issn")))  # type: ignore[arg-type]
    eissns = find_issns(plain_identifier(fields.get("eissn")))  # type: ignore[arg-type]
    venue_title = _text(fields, "journal", "booktitle", "series")
    publisher = _text(fields, "publisher")
    venue = None
    if venue_title or issns or eissns or publisher:
        venue = Venue(
            title=venue_title,
            issn=issns[0] if issns else None,
            eissn=eissns[0] if eissns else (issns[1] if len(issns) > 1 else None),
            publisher=publisher,
            issns_typed=bool(eissns),  # Web of Science names the electronic one
        )
    raw_doi = plain_identifier(fields.get("doi"))  # type: ignore[arg-type]
    doi = normalise_doi(raw_doi)
    if raw_doi and not doi:
        problems.append(Problem(file, line, "doi field holds no DOI; ignored", raw_doi))
    abstract = strip_markup(_text(fields, "abstract"))
    sections: tuple = ()
    if abstract:
        abstract, sections = split_structured_abstract(abstract) or (abstract, ())
    keywords, subject_headings = _keywords(fields)
    return Record(
        source=SourceRef(file, line, FORMAT, label=_database(fields)),
        title=_text(fields, "title"),
        doc_type=DOC_TYPES.get(entry.entry_type.lower()),
        year=year,
        date=date,
        volume=_text(fields, "volume"),
        issue=_text(fields, "number", "issue"),
        first_page=first_page,
        last_page=last_page,
        doi=doi,
        authors=_authors(fields),
        abstract=abstract,
        abstract_sections=sections,
        venue=venue,
        keywords=keywords,
        subject_headings=subject_headings,
        identifiers=_identifiers(fields),
    )


def _unenclosed(entry: Entry) -> Entry:
    """The entry of a failed block with its values' braces and quotes removed:
    bibtexparser's parse stack skips failed blocks, and a still-braced author
    field is one name to the name splitter."""
    return RemoveEnclosingMiddleware(allow_inplace_modification=False).transform_entry(entry, None)


def read_bibtex(text: str, file: str) -> ReadResult:
    """Read BibTeX text; see the module docstring for the quirks handled."""
    result = ReadResult()
    library = bibtexparser.parse_string(text.lstrip("\ufeff"))
    for block in library.blocks:
        entry: Entry | None = None
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            # Same key twice: the entry itself is fine; keys do not matter here.
            if not isinstance(block.ignore_error_block, Entry):  # an @string defined twice
                result.problems.append(Problem(file, line, f"@string {block.key!r} defined twice"))
                continue
            entry = _unenclosed(block.ignore_error_block)
            result.problems.append(Problem(file, line, f"duplicate entry key {block.key!r}"))
        elif isinstance(block, DuplicateFieldKeyBlock):
            entry = _unenclosed(block.ignore_error_block)
            keys = ", ".join(sorted(" ".join(key.split()) for key in block.duplicate_keys))
            result.problems.append(Problem(file, line, f"field given twice ({keys}); the first value is used"))
        elif isinstance(block, ParsingFailedBlock):
            reason = first_line(getattr(block.error, "abort_reason", None) or block.error)
            snippet = (block.raw or "").split("\n")[0][:120]
            if not snippet.lstrip().startswith("@") or snippet.lstrip().lower().startswith(("@comment", "@string", "@preamble")):
                result.problems.append(Problem(file, line, f"unreadable block: {reason}", snippet))
                continue
            result.skip(file, line, f"unreadable entry: {reason}", snippet)
            continue
        elif isinstance(block, Entry):
            entry = block
        if entry is None:
            continue  # @string, @preamble, @comment and text between entries
        problems: list[Problem] = []
        record = build_record(entry, file, problems)
        result.keep(record, problems, skip_reason=missing_identity(record), line=line,
                    text=f"@{entry.entry_type}{{{entry.key}")
    result.problems.sort(key=lambda p: p.line)
    return result


def looks_like_bibtex(head: str, path: str) -> bool:
    """An ``@type{`` entry start at the beginning of a line."""
    return re.search(r"^\s*@[A-Za-z]+\s*[{(]", head, re.M) is not None
