"""Normalisers shared by the readers: DOIs, ISSNs, ORCIDs, dates, pages, markup.

Every function takes what an export file printed and returns the canonical
form, or None when the value is not what it claims to be. They never raise on
bad input: a reader turns a None into a :class:`~kg.model.Problem` if it cares.
"""

from __future__ import annotations

import datetime
import html
import json
import re
from urllib.parse import unquote

from ..model import Problem, Record

# -- DOI --------------------------------------------------------------------

_DOI_PREFIX = re.compile(
    r"^(?:https?://(?:dx\.)?doi\.org/|doi\.org/|doi\s*:\s*|doi\s+)", re.IGNORECASE
)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


def _drop_doi_trailer(text: str) -> str:
    """Without the annotations some databases glue to a DOI: MEDLINE's
    ``[doi]``, EndNote's ``.`` (a loop, not a ``(...)+$`` search: that one
    takes quadratic time on a long run of ``;``)."""
    end = len(text)
    while end:
        if text[end - 1] in ".,;":
            end -= 1
        elif text[max(0, end - 5):end].lower() == "[doi]":
            end -= 5
            while end and text[end - 1].isspace():
                end -= 1
        else:
            break
    return text[:end]


def normalise_doi(value: str | None) -> str | None:
    """``https://doi.org/10.1000/ABC`` -> ``10.1000/abc``; None if not a DOI.

    DOIs are case-insensitive, so the lower-case form is the key (and the
    graph's ``prism:doi``). URL forms are percent-decoded.
    """
    if not value:
        return None
    text = value.strip()
    for _ in range(2):  # "doi: https://doi.org/..." happens
        stripped = _DOI_PREFIX.sub("", text).strip()
        if stripped == text:
            break
        text = stripped
    if "%" in text:
        text = unquote(text)
    text = _drop_doi_trailer(text).strip()
    if not _DOI.match(text):
        return None
    return text.lower()


# -- ISSN -------------------------------------------------------------------

_ISSN = re.compile(r"\b(\d{4})-?(\d{3}[\dXx])\b")


def _issn_check_ok(digits: str) -> bool:
    total = sum(int(d) * w for d, w in zip(digits[:7], range(8, 1, -1)))
    check = (11 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    return digits[7].upper() == expected


def find_issns(value: str | None) -> list[str]:
    """All valid ISSNs in a field, in order, without repeats.

    Some exports put two ISSNs in one field (``1536-5964 0025-7974`` or
    ``0894-9867, 0894-9867``).
    """
    found: list[str] = []
    for match in _ISSN.finditer(value or ""):
        digits = match[1] + match[2]
        issn = f"{match[1]}-{match[2].upper()}"
        if _issn_check_ok(digits) and issn not in found:
            found.append(issn)
    return found


# -- ORCID ------------------------------------------------------------------

_ORCID = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dXx])")


def normalise_pmcid(value: str | None) -> str | None:
    """``pmc1234``, ``1234`` -> ``PMC1234``: PubMed Central's form, whatever the export printed."""
    text = (value or "").strip().upper()
    if not text:
        return None
    return text if text.startswith("PMC") else f"PMC{text}"


def normalise_orcid(value: str | None) -> str | None:
    """``https://orcid.org/0000-0002-3012-7446`` -> ``0000-0002-3012-7446``.

    None unless the ISO 7064 11,2 check character holds.
    """
    match = _ORCID.search(value or "")
    if not match:
        return None
    digits = "".join(match.groups()).upper()
    total = 0
    for d in digits[:-1]:
        total = (total + int(d)) * 2
    check = (12 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    if digits[-1] != expected:
        return None
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


# -- dates ------------------------------------------------------------------

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

# The one year rule of every reader: a publication year is FIRST_YEAR to
# LAST_YEAR. Fixed, not "this year + 1", so a build does not change with the
# clock; _YEAR finds exactly these years in free text.
FIRST_YEAR, LAST_YEAR = 1500, 2099
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
# 2019-10-15, 2019/10/15, 2019/10//undefined (Zotero), 2019/10/, 20190111 (MEDLINE)
_NUMERIC_DATE = re.compile(r"^(\d{4})(?:[-/](\d{1,2})?(?:[-/](\d{1,2})?)?|(\d{2})(\d{2}))?(?:[-/T\s]|$)")
# 2019 Oct 15, 2019 Oct, 2019 Jan-Feb
_NAMED_MONTH = re.compile(r"^(\d{4})\s+([A-Za-z]+)\.?(?:\s+(\d{1,2}))?\b")


def _full_date(year: int, month: int | None, day: int | None) -> str | None:
    """The ISO date, when the day exists in that month (2019-02-31 does not)."""
    if month is None or day is None:
        return None
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


def plausible_year(year: object) -> bool:
    """True for an int from FIRST_YEAR to LAST_YEAR (the one year rule)."""
    return isinstance(year, int) and not isinstance(year, bool) and FIRST_YEAR <= year <= LAST_YEAR


def year_problem(file: str, line: int, field: str, value: object) -> Problem:
    """The one report of a date field that gives no year under the rule: the
    reader drops the year (and the date) and keeps the record."""
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    shown = shown if len(shown) <= 80 else shown[:79] + "…"
    return Problem(file, line, f"{field} {shown!r} holds no year from {FIRST_YEAR} to {LAST_YEAR}; ignored", shown)


def parse_date(value: object) -> tuple[int | None, str | None]:
    """(year, ISO date) from the date forms exports print.

    The ISO date is given only when year, month and day are all known, since
    it becomes a full ``prism:publicationDate``. Understood: ``2019-10-15``,
    ``2019/10//undefined``, ``2019///``, ``2019 Oct 15``, ``2019 Jan-Feb``,
    ``20190111``, CSL ``{"date-parts": [[2019, 10, 15]]}`` or its list, and any
    text holding a plausible year. ``Mar 1`` (no year) gives (None, None), and
    so does a year outside the rule (:func:`plausible_year`).
    """
    year, date = _parse_date(value)
    return (year, date) if plausible_year(year) else (None, None)


def _parse_date(value: object) -> tuple[int | None, str | None]:
    if isinstance(value, dict):
        value = value.get("date-parts") or value.get("raw") or value.get("literal")
    if isinstance(value, list):
        parts = value[0] if value and isinstance(value[0], list) else value
        numbers = []
        for part in parts[:3]:
            try:
                numbers.append(int(part))
            except (TypeError, ValueError, OverflowError):
                break
        if not numbers:
            return None, None
        year = numbers[0]
        month = numbers[1] if len(numbers) > 1 else None
        day = numbers[2] if len(numbers) > 2 else None
        return year, _full_date(year, month, day)
    if isinstance(value, int):
        return value, None
    if not isinstance(value, str):
        return None, None
    text = value.strip()
    match = _NAMED_MONTH.match(text)
    if match:
        year = int(match[1])
        month = MONTHS.get(match[2].lower())
        day = int(match[3]) if match[3] else None
        return year, _full_date(year, month, day)
    match = _NUMERIC_DATE.match(text)
    if match:
        year = int(match[1])
        month = match[2] or match[4]
        day = match[3] or match[5]
        return year, _full_date(year, int(month) if month else None, int(day) if day else None)
    match = _YEAR.search(text)
    return (int(match[1]), None) if match else (None, None)


# -- pages ------------------------------------------------------------------

# Matched on stripped text: spaces at both ends as well would make it quadratic.
_PAGE_RANGE = re.compile(r"([^\s\-–—]+)\s*(?:[-–—]+\s*([^\s\-–—]+))?$")
# Ovid prints "No Specified" split over SP and EP when it has no pages.
_NO_PAGES = {"no", "specified", "no specified", "n/a", "na"}


def split_pages(value: str | None) -> tuple[str | None, str | None]:
    """``349-69`` -> (``349``, ``369``); ``e32822`` -> (``e32822``, None).

    MEDLINE abbreviates the last page (``349-69``): it is expanded from the
    first page so that start <= end holds. A trailer after ``;`` (``12-3;
    discussion 13-4``, ``1405; author reply 1405``) is left out: the article's
    pages come first. Other values stay as printed.
    """
    text = (value or "").strip()
    if not text or text.lower() in _NO_PAGES:
        return None, None
    match = _PAGE_RANGE.match(text)
    if not match and ";" in text:
        # MEDLINE adds what follows the article: "12-3; discussion 13-4".
        match = _PAGE_RANGE.match(text.split(";", 1)[0].strip())
    if not match:
        return text, None
    first, last = match[1], match[2]
    if first and last and first.isdigit() and last.isdigit() and len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return first, last


# -- markup -----------------------------------------------------------------

# A tag must start with a letter, so "P<0.001" in an abstract survives.
_TAG = re.compile(r"</?([A-Za-z][\w.-]*:)?([A-Za-z][\w.-]*)(?:\s[^<>]*)?/?>")
_BLOCK_TAGS = frozenset(
    {"p", "title", "sec", "br", "div", "li", "list-item", "list", "abstract", "label", "h1", "h2", "h3", "h4"}
)
_SPACE = re.compile(r"\s+")


def strip_markup(text: str | None) -> str | None:
    """HTML/JATS tags out, entities unescaped, whitespace collapsed.

    Block tags (``<jats:p>``, ``<br>``) become a space so paragraphs do not run
    together; inline tags (``<i>``, ``<sub>``) vanish so ``H<sub>2</sub>O``
    stays ``H2O``. None for None or for text that is empty afterwards.
    """
    if text is None:
        return None

    def replace(match: re.Match[str]) -> str:
        return " " if match[2].lower() in _BLOCK_TAGS else ""

    cleaned = html.unescape(_TAG.sub(replace, text))
    cleaned = _SPACE.sub(" ", cleaned.replace("\u00a0", " ")).strip()
    return cleaned or None


# -- what a record needs ----------------------------------------------------


def missing_identity(record: Record) -> str | None:
    """Why ``record`` cannot be told apart from others, or None if it can.

    A paper's IRI comes from its DOI, else from a key built from the first
    author and year or the title (design: Identity and IRIs); a record with
    none of these cannot become a paper, so readers skip it with this reason.
    """
    if record.doi or record.title:
        return None
    if record.authors and record.year:
        return None
    return "record has no title, no DOI and no author with a year"
