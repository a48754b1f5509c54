"""Reader for search-result listings in the ScienceGate page layout.

A record is::

    [scholarly journals ]Optional Title        <- optional, then a blank line
    2016 ◽                                      <- year: required
    Vol 20 (3) ◽                                <- optional
    pp. 149-152                                 <- optional
    Author(s):
    Emma Watson ◽
    ...                                         <- list truncated
    <blank>
    Optional abstract paragraph

The last author line has no separator after it, so a line that follows it is
the next record's title. A paragraph before a year line is that record's title
unless it reads as prose (long, several sentences, structured) or ends an
abstract (two blank lines before the year line, a final full stop).
Volumes keep nested issues (``Vol 74 (5-B(E))``) and pages are split as the
other readers split them (``12-3; discussion 13-4`` is 12-13).

Records may follow each other with no blank line, lines may end in any mix of
Unicode spaces, and page boilerplate surrounds the records. A line that fits
nowhere is reported with its line number, never dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .abstracts import split_structured_abstract
from .identifiers import missing_identity, plausible_year, split_pages, year_problem
from ..model import Problem, ReadResult, Record, SourceRef
from .names import clean_printed_name, make_author

SEPARATOR = "◽"

YEAR = re.compile(r"^(\d{4})$")
# The issue is everything inside the outer brackets: ``Vol 74 (5-B(E))``.
VOLUME = re.compile(r"^Vol(?:ume)?(?:\.|\b)\s*(?P<volume>[^()]+?)?\s*(?:\((?P<issue>.*)\))?$", re.I)
PAGES = re.compile(r"^pp?\.\s*(?P<pages>\S.*)$")
AUTHORS = re.compile(r"^Authors?(?:\s*\(s\))?\s*:$", re.I)
ELLIPSIS = re.compile(r"^(?:\.\.\.|…)$")

BOILERPLATE = frozenset(
    {
        "sign in / sign up",
        "export citation format",
        "share document",
        "related documents",
        "cited by",
        "download full-text",
        "full-text",
    }
)

# ScienceGate prints the document type in front of some titles.
TYPE_LABELS = {
    "scholarly journals": "journal-article",
    "journal articles": "journal-article",
    "conference papers": "conference-paper",
    "book chapters": "book-chapter",
    "books": "book",
    "preprints": "preprint",
    "dissertations": "thesis",
    "theses": "thesis",
}
TYPE_LABEL = re.compile(
    r"^(?P<label>" + "|".join(re.escape(k) for k in TYPE_LABELS) + r")\s+(?P<title>\S.*)$", re.I
)

# A text paragraph just before a year line is taken as the next record's title
# when it is this short; longer text is the previous record's abstract.
MAX_TITLE_CHARS = 300
# A full stop ending a sentence that another follows: prose, not a title. Three
# letters before the stop keep initials ("G. Don") and "vs." out.
SENTENCE_BREAK = re.compile(r"[a-z0-9)\]%]{3}\.\s+[A-Z(]")


def normalise_line(raw: str) -> str:
    """Strip Unicode whitespace and a trailing separator."""
    line = raw.strip()
    if line.endswith(SEPARATOR):
        line = line[: -len(SEPARATOR)].strip()
    return line


@dataclass
class _Draft:
    first_line: int
    title_line: int | None = None
    """The line taken as the title, for `kg inspect`."""
    title: str | None = None
    doc_type: str | None = None
    year_line: int | None = None
    """Where the year line is: it starts the record even when its year is not
    plausible (then ``year`` stays None and the record may still be kept)."""
    year: int | None = None
    volume: str | None = None
    issue: str | None = None
    first_page: str | None = None
    last_page: str | None = None
    in_authors: bool = False
    authors: list[str] = field(default_factory=list)
    truncated: bool = False
    abstract: list[str] = field(default_factory=list)
    has_authors_header: bool = False
    authors_closed: bool = False
    """The last author line had no trailing separator: the list has ended."""


class _ListingParser:
    def __init__(self, file: str):
        self.file = file
        self.result = ReadResult()
        self.draft: _Draft | None = None
        # Text paragraphs not yet given to a title or an abstract: (line, text).
        self.pending: list[tuple[int, str]] = []
        # Blank lines since the last line with text: a title is followed by at
        # most one before the year line, an abstract by two.
        self.blank_run = 0

    def problem(self, line: int, reason: str, text: str = "") -> None:
        self.result.problems.append(Problem(self.file, line, reason, text))

    # -- record boundaries -------------------------------------------------

    def start_record(self, lineno: int, why: str) -> _Draft:
        """A new record from ``lineno``, the ``why`` line (a year line, a second
        Vol line...) that ends the one before."""
        title_line = self.take_title()
        self.flush_pending_as_abstract()
        self.finish(f"{why} at line {lineno}")
        draft = _Draft(first_line=title_line[0] if title_line else lineno)
        if title_line:
            draft.title_line = title_line[0]
            draft.title, draft.doc_type = split_type_label(title_line[1])
        self.draft = draft
        return draft

    def take_title(self) -> tuple[int, str] | None:
        """The pending paragraph that is the next record's title, if any."""
        if not self.pending:
            return None
        lineno, text = self.pending[-1]
        previous = self.draft
        if TYPE_LABEL.match(text) is not None or previous is None:
            looks_like_title = True
        elif self.blank_run >= 2:
            # Two blank lines before the year line end an abstract; only a short
            # line without a full stop, after a record with no abstract, is a title.
            continues = bool(previous.abstract) or len(self.pending) > 1
            looks_like_title = not (looks_like_prose(text, 1) or text.endswith(".") or continues)
        else:
            # "Title. A preliminary report." is still a title.
            looks_like_title = not looks_like_prose(text, 2)
        if looks_like_title:
            self.pending.pop()
            return lineno, text
        return None

    def flush_pending_as_abstract(self) -> None:
        for lineno, text in self.pending:
            if self.draft is not None and self.draft.year_line is not None:
                self.draft.abstract.append(text)
            else:
                self.problem(lineno, "text outside any record", text)
        self.pending.clear()

    def finish(self, ended_by: str) -> None:
        draft, self.draft = self.draft, None
        if draft is None:
            return
        self.result.notes[draft.first_line] = {"title_line": draft.title_line, "ended_by": ended_by}
        if draft.year_line is None:
            self.result.skip(self.file, draft.first_line, "record has no year line")
            return
        record = build_record(draft, self.file)
        # A listing record always has its year unless the year line was not plausible.
        reason = None if draft.year is not None else missing_identity(record)
        self.result.keep(record, [], skip_reason=reason, line=draft.first_line)

    # -- lines -------------------------------------------------------------

    def feed(self, lineno: int, raw: str) -> None:
        line = normalise_line(raw)
        draft = self.draft
        if not line:
            self.blank_run += 1
            if draft is not None:
                draft.in_authors = draft.authors_closed = False
            return
        blank_run, self.blank_run = self.blank_run, 0
        if line.casefold() in BOILERPLATE:
            if draft is not None:
                draft.in_authors = False
            return
        if YEAR.match(line):
            self.blank_run = blank_run
            draft = self.start_record(lineno, "the next year line")
            draft.year_line = lineno
            if plausible_year(int(line)):
                draft.year = int(line)
            else:
                self.result.problems.append(year_problem(self.file, lineno, "year line", line))
            return
        if self.pending and draft is not None and not draft.in_authors:
            # A field line after a text paragraph: the paragraph was the abstract.
            self.flush_pending_as_abstract()
        volume = VOLUME.match(line)
        if volume and (volume["volume"] or volume["issue"]):
            if draft is None or draft.volume or draft.issue or draft.has_authors_header:
                draft = self.start_record(lineno, "a Vol line of the next record")
            draft.volume = clean(volume["volume"])
            draft.issue = clean(volume["issue"])
            return
        pages = PAGES.match(line)
        if pages:
            if draft is None or draft.first_page or draft.has_authors_header:
                draft = self.start_record(lineno, "a pp. line of the next record")
            draft.first_page, draft.last_page = split_pages(pages["pages"])
            return
        if AUTHORS.match(line):
            if draft is None or draft.has_authors_header:
                draft = self.start_record(lineno, "an Author(s) line of the next record")
            draft.has_authors_header = True
            draft.in_authors = True
            return
        if draft is not None and (draft.in_authors or draft.authors_closed) and ELLIPSIS.match(line):
            draft.truncated = True
            draft.in_authors = draft.authors_closed = False
            return
        if draft is not None and draft.in_authors:
            for name in line.split(SEPARATOR):
                name = clean_printed_name(name)
                if name:
                    draft.authors.append(name)
            if not raw.strip().endswith(SEPARATOR):
                # The last author has no separator after it: what follows
                # without a blank line is the next record's title.
                draft.in_authors = False
                draft.authors_closed = True
            return
        if draft is not None:
            draft.authors_closed = False
        if ELLIPSIS.match(line):
            self.problem(lineno, "'...' outside an author list", line)
            return
        self.pending.append((lineno, line))

    def close(self) -> ReadResult:
        if self.pending and self.draft is not None and not self.draft.abstract:
            self.flush_pending_as_abstract()
        for lineno, text in self.pending:
            self.problem(lineno, "text after the last record that is not its abstract", text)
        self.pending.clear()
        self.finish("the end of the file")
        return self.result


def looks_like_prose(text: str, breaks: int) -> bool:
    """Too long, several sentences or a structured abstract: not a title.

    One label and a colon is a title with a subtitle (``FROM OBJECT TO FLOW: ...``).
    """
    if len(text) > MAX_TITLE_CHARS or len(SENTENCE_BREAK.findall(text)) >= breaks:
        return True
    structured = split_structured_abstract(text)
    return structured is not None and len(structured[1]) >= 2


def clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def split_type_label(text: str) -> tuple[str, str | None]:
    """("scholarly journals Title") -> ("Title", "journal-article")."""
    match = TYPE_LABEL.match(text)
    if match:
        return match["title"].strip(), TYPE_LABELS[match["label"].casefold()]
    return text, None


def build_record(draft: _Draft, file: str) -> Record:
    abstract = " ".join(draft.abstract) or None
    sections: tuple = ()
    if abstract:
        abstract, sections = split_structured_abstract(abstract) or (abstract, ())
        if not sections:
            abstract = strip_abstract_word(abstract)
    doc_type = draft.doc_type or ("journal-article" if draft.volume else None)
    return Record(
        source=SourceRef(file, draft.first_line, "listing"),
        title=draft.title,
        doc_type=doc_type,
        year=draft.year,
        volume=draft.volume,
        issue=draft.issue,
        first_page=draft.first_page,
        last_page=draft.last_page,
        authors=tuple(make_author(name) for name in draft.authors),
        authors_truncated=draft.truncated,
        abstract=abstract,
        abstract_sections=sections,
    )


def strip_abstract_word(text: str) -> str:
    return re.sub(r"^Abstract[\s:.–-]+", "", text).strip() or text


def read_listing(text: str, file: str) -> ReadResult:
    """Read a listing page; see the module docstring for the layout."""
    parser = _ListingParser(file)
    for lineno, raw in enumerate(text.lstrip("\ufeff").split("\n"), start=1):
        parser.feed(lineno, raw)
    return parser.close()
