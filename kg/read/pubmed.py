"""Reader for PubMed XML (``<PubmedArticleSet>``, efetch ``rettype=xml``), via lxml.

Each ``<PubmedArticle>`` (or ``<PubmedBookArticle>``) is a record;
``SourceRef.line`` is the line where its element starts (lxml's sourceline).

Quirks handled: structured abstracts (``<AbstractText Label="METHODS">``)
become abstract sections, the abstract keeping "Label: text" in order;
inline markup in titles and abstracts (``<i>``, ``<sup>``) is flattened; the
DOI comes from the article's own ``PubmedData/ArticleIdList`` (the cited
references carry ArticleIdLists too and are not looked at), then from
``ELocationID``; ISSNs by ``IssnType`` Print/Electronic; ORCIDs from
``<Identifier Source="ORCID">`` in any of its written forms; ``MedlinePgn``
abbreviated ranges (``349-69``); ``MedlineDate`` (``2019 Jan-Feb``) when
there is no ``Year``; keywords are ``KeywordList/Keyword``, subject headings
the MeSH ``DescriptorName`` values, major headings those with
``MajorTopicYN="Y"`` on the descriptor or on one of its qualifiers.

The DOCTYPE's DTD is not fetched. A file that is not well-formed is read in
lxml's recover mode so that the articles before the damage survive; the
damage is reported at its line.
"""

from __future__ import annotations

import re

from lxml import etree

from .abstracts import split_structured_abstract
from .identifiers import (
    MONTHS,
    find_issns,
    missing_identity,
    normalise_doi,
    normalise_orcid,
    normalise_pmcid,
    parse_date,
    split_pages,
    year_problem,
)
from ..model import AbstractSection, Author, Problem, ReadResult, Record, SourceRef, Venue
from ..text import first_line
from .names import make_author_from_parts
from .headings import collect_headings

FORMAT = "pubmed-xml"

_SPACE = re.compile(r"\s+")
_POSITION = re.compile(r",? line \d+, column \d+$")


def _parser(recover: bool) -> etree.XMLParser:
    # No DTD loading, no network, no entity expansion: the input is data. The
    # text is decoded already and handed over as UTF-8 whatever it declares.
    return etree.XMLParser(
        encoding="utf-8", recover=recover, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True
    )


def _syntax_error(exc: etree.XMLSyntaxError) -> str:
    """lxml's message on one line, without the position it appends."""
    first = first_line(exc.msg or "")
    return _POSITION.sub("", first).strip() or type(exc).__name__


def text_of(element: etree._Element | None) -> str | None:
    """All text inside ``element`` (inline markup flattened), whitespace collapsed."""
    if element is None:
        return None
    text = _SPACE.sub(" ", "".join(element.itertext())).strip()
    return text or None


def _first_text(element: etree._Element, path: str) -> str | None:
    return text_of(element.find(path))


def _authors(article: etree._Element) -> tuple[tuple[Author, ...], bool]:
    authors = []
    author_list = article.find("AuthorList")
    if author_list is None:
        return (), False
    for person in author_list.findall("Author"):
        orcid = None
        for identifier in person.findall("Identifier"):
            if (identifier.get("Source") or "").upper() == "ORCID":
                orcid = normalise_orcid(identifier.text)
        affiliations = tuple(
            a for a in (text_of(node) for node in person.findall("AffiliationInfo/Affiliation")) if a
        )
        collective = _first_text(person, "CollectiveName")
        family = _first_text(person, "LastName")
        if family:
            given = _first_text(person, "ForeName") or _first_text(person, "Initials")
            authors.append(make_author_from_parts(family, given, orcid, affiliations))
        elif collective:
            authors.append(Author(name=collective, orcid=orcid, affiliations=affiliations))
    # CompleteYN="N": PubMed lists only some of the authors.
    return tuple(authors), author_list.get("CompleteYN") == "N"


def _abstract(article: etree._Element) -> tuple[str | None, tuple[AbstractSection, ...]]:
    parts = article.findall("Abstract/AbstractText")
    if not parts:
        return None, ()
    sections = []
    texts = []
    for part in parts:
        text = text_of(part)
        if not text:
            continue
        label = (part.get("Label") or "").strip()
        if label:
            sections.append(AbstractSection(label, text))
            texts.append(f"{label}: {text}")
        else:
            texts.append(text)
    abstract = " ".join(texts) or None
    if abstract and not sections:
        abstract, found = split_structured_abstract(abstract) or (abstract, ())
        return abstract, found
    return abstract, tuple(sections)


def _pub_date(date: etree._Element | None, file: str, problems: list[Problem]) -> tuple[int | None, str | None]:
    """(year, ISO date) from a ``PubDate``; a Year or MedlineDate with no year is reported."""
    if date is None:
        return None, None
    year = _first_text(date, "Year")
    field, raw = ("Year", year) if year else ("MedlineDate", _first_text(date, "MedlineDate"))
    found = parse_date(raw)
    if raw and found[0] is None:
        problems.append(year_problem(file, date.sourceline or 0, field, raw))
    if not year or found[0] is None:
        return found
    month = _first_text(date, "Month") or ""
    day = _first_text(date, "Day") or ""
    month_number = MONTHS.get(month.lower()) if not month.isdigit() else int(month)
    if month_number and day.isdigit():
        return parse_date(f"{year}-{month_number:02d}-{int(day):02d}")
    return found


def _doi(citation_root: etree._Element, article: etree._Element | None) -> str | None:
    for node in citation_root.findall("PubmedData/ArticleIdList/ArticleId"):
        if node.get("IdType") == "doi" and (doi := normalise_doi(node.text)):
            return doi
    for node in article.findall("ELocationID") if article is not None else []:
        if node.get("EIdType") == "doi" and (doi := normalise_doi(node.text)):
            return doi
    return None


def _identifiers(root: etree._Element, pmid: str | None) -> tuple[tuple[str, str], ...]:
    found = []
    if pmid:
        found.append(("pmid", pmid))
    for node in root.findall("PubmedData/ArticleIdList/ArticleId"):
        if node.get("IdType") == "pmc" and node.text and node.text.strip():
            found.append(("pmcid", normalise_pmcid(node.text)))
    return tuple(found)


def _keywords(citation: etree._Element) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for node in citation.findall("KeywordList/Keyword"):
        text = text_of(node)
        if text:
            seen.setdefault(text, None)
    return tuple(seen)


def _headings(citation: etree._Element) -> tuple[tuple[str, ...], tuple[str, ...]]:
    pairs = []
    for heading in citation.findall("MeshHeadingList/MeshHeading"):
        descriptor = heading.find("DescriptorName")
        if descriptor is None:
            continue
        major = descriptor.get("MajorTopicYN") == "Y" or any(
            q.get("MajorTopicYN") == "Y" for q in heading.findall("QualifierName")
        )
        pairs.append((text_of(descriptor), major))
    return collect_headings(pairs)


def _doc_type(article: etree._Element) -> str:
    types = {text_of(t) for t in article.findall("PublicationTypeList/PublicationType")}
    return "preprint" if "Preprint" in types else "journal-article"


def _article_record(root: etree._Element, file: str, problems: list[Problem]) -> Record:
    citation = root.find("MedlineCitation")
    if citation is None:
        citation = etree.Element("MedlineCitation")
    article = citation.find("Article")
    if article is None:
        article = etree.Element("Article")
    journal = article.find("Journal")
    pmid = _first_text(citation, "PMID")
    first_page = _first_text(article, "Pagination/StartPage")
    last_page = _first_text(article, "Pagination/EndPage")
    if first_page is None:
        first_page, last_page = split_pages(_first_text(article, "Pagination/MedlinePgn"))
    issn = eissn = None
    venue = None
    if journal is not None:
        for node in journal.findall("ISSN"):
            value = (find_issns(node.text) or [None])[0]
            if node.get("IssnType") == "Electronic":
                eissn = eissn or value
            else:
                issn = issn or value
        title = _first_text(journal, "Title") or _first_text(journal, "ISOAbbreviation")
        if title or issn or eissn:
            typed = any(node.get("IssnType") in ("Print", "Electronic") for node in journal.findall("ISSN"))
            venue = Venue(title=title, issn=issn, eissn=eissn, issns_typed=typed)
    year, date = _pub_date(journal.find("JournalIssue/PubDate") if journal is not None else None, file, problems)
    abstract, sections = _abstract(article)
    authors, truncated = _authors(article)
    subject_headings, major_headings = _headings(citation)
    return Record(
        source=SourceRef(file, root.sourceline or 0, FORMAT, label="PubMed"),
        title=_first_text(article, "ArticleTitle") or _first_text(article, "VernacularTitle"),
        doc_type=_doc_type(article),
        year=year,
        date=date,
        volume=_first_text(journal, "JournalIssue/Volume") if journal is not None else None,
        issue=_first_text(journal, "JournalIssue/Issue") if journal is not None else None,
        first_page=first_page,
        last_page=last_page,
        doi=_doi(root, article),
        authors=authors,
        authors_truncated=truncated,
        abstract=abstract,
        abstract_sections=sections,
        venue=venue,
        keywords=_keywords(citation),
        identifiers=_identifiers(root, pmid),
        subject_headings=subject_headings,
        major_headings=major_headings,
    )


def _book_record(root: etree._Element, file: str, problems: list[Problem]) -> Record:
    document = root.find("BookDocument")
    if document is None:
        document = etree.Element("BookDocument")
    chapter_title = _first_text(document, "ArticleTitle")
    book_title = _first_text(document, "Book/BookTitle")
    pmid = _first_text(document, "PMID")
    book_year = document.find("Book/PubDate/Year")
    year, date = parse_date(text_of(book_year))
    if text_of(book_year) and year is None:
        problems.append(year_problem(file, book_year.sourceline or 0, "Year", text_of(book_year)))
    authors, truncated = _authors(document)
    if not authors:
        authors, truncated = _authors(document.find("Book") if document.find("Book") is not None else document)
    abstract, sections = _abstract(document)
    publisher = _first_text(document, "Book/Publisher/PublisherName")
    subject_headings, major_headings = _headings(document)
    return Record(
        source=SourceRef(file, root.sourceline or 0, FORMAT, label="PubMed"),
        title=chapter_title or book_title,
        doc_type="book-chapter" if chapter_title else "book",
        year=year,
        date=date,
        doi=_doi(root, document),
        authors=authors,
        authors_truncated=truncated,
        abstract=abstract,
        abstract_sections=sections,
        venue=Venue(title=book_title, publisher=publisher) if chapter_title and book_title else None,
        keywords=_keywords(document),
        identifiers=_identifiers(root, pmid),
        subject_headings=subject_headings,
        major_headings=major_headings,
    )


def read_pubmed_xml(text: str, file: str) -> ReadResult:
    """Read a PubmedArticleSet; see the module docstring."""
    result = ReadResult()
    body = text.lstrip("\ufeff").encode("utf-8", errors="replace")
    try:
        root = etree.fromstring(body, _parser(recover=False))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        message = f"XML not well-formed: {_syntax_error(exc)}"
        try:
            root = etree.fromstring(body, _parser(recover=True))
        except etree.XMLSyntaxError:
            root = None
        if root is None:
            result.skip(file, line, f"{message}; nothing read")
            return result
        result.problems.append(Problem(file, line, f"{message}; reading what precedes it"))
    for element in root.iter("PubmedArticle", "PubmedBookArticle"):
        line = element.sourceline or 0
        problems: list[Problem] = []
        build = _article_record if element.tag == "PubmedArticle" else _book_record
        record = build(element, file, problems)
        pmid = next((value for scheme, value in record.identifiers if scheme == "pmid"), "")
        result.keep(record, problems, skip_reason=missing_identity(record), line=line, text=f"PMID {pmid}" if pmid else "")
    return result


def looks_like_pubmed_xml(head: str, path: str) -> bool:
    return re.search(r"<(?:PubmedArticleSet|PubmedArticle|!DOCTYPE PubmedArticleSet)\b", head) is not None
