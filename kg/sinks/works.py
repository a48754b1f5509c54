"""One record per work, for screening tools: RIS, BibTeX and CSL-JSON.

`kg export --works` hands the deduplicated set to ASReview, Rayyan or
Covidence. Each work is written once with the fields the graph chose for it
(the best ranked source's, :mod:`kg.identity.resolve`), every DOI and PMID its
records gave, the labels of the sources it was found in, and a stable key
(:func:`work_key`) plus the work IRI itself, so decisions made in the
screening tool can come back (``kg prisma --screening``). kg's own readers read
the files back as the same works.

Writers take :class:`ExportWork` values and return text; the same works give
the same bytes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import bibtexparser
import rispy
from bibtexparser.model import Entry, Field

from ..errors import UsageError

WORK_FORMATS = {".ris": "ris", ".bib": "bibtex", ".json": "csl-json"}
"""Output suffix -> format (``.csl.json`` ends in ``.json``)."""

# doc_type -> (RIS TY, BibTeX entry type, CSL type)
TYPES = {
    "journal-article": ("JOUR", "article", "article-journal"),
    "preprint": ("UNPB", "unpublished", "article"),
    "book-chapter": ("CHAP", "incollection", "chapter"),
    "book": ("BOOK", "book", "book"),
    "conference-paper": ("CPAPER", "inproceedings", "paper-conference"),
    "thesis": ("THES", "phdthesis", "thesis"),
    None: ("GEN", "misc", "article"),
}


@dataclass(frozen=True)
class ExportWork:
    """A work as the screening formats carry it."""

    iri: str
    key: str
    doc_type: str | None = None
    title: str | None = None
    year: str | None = None
    date: str | None = None
    volume: str | None = None
    issue: str | None = None
    first_page: str | None = None
    last_page: str | None = None
    venue: str | None = None
    issns: tuple[str, ...] = ()
    abstract: str | None = None
    authors: tuple[tuple[str, str | None, str | None], ...] = ()
    """(name as printed, family, given), in order."""
    keywords: tuple[str, ...] = ()
    dois: tuple[str, ...] = ()
    pmids: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    """Labels of the sources the work was found in."""


_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def work_key(iri: str) -> str:
    """The key a work goes by in an exported file: the end of its IRI after
    ``work/`` with what citation keys cannot hold made ``_``
    (``…/work/doi/10.1/x`` -> ``doi_10.1_x``, ``…/work/cole-2019-ab12`` -> itself)."""
    tail = iri.rsplit("/work/", 1)[-1]
    return _KEY_UNSAFE.sub("_", tail).strip("_") or "work"


def works_format(path_name: str) -> str:
    """The format of an output file by its name; refuses an unknown one."""
    for suffix, name in WORK_FORMATS.items():
        if path_name.lower().endswith(suffix):
            return name
    raise UsageError(f"{path_name}: --works writes .ris, .bib or .csl.json, not this extension")


def _note(work: ExportWork) -> str:
    return f"kg work: {work.iri}; sources: {'; '.join(work.sources)}"


def _pages(work: ExportWork) -> str | None:
    if work.first_page and work.last_page and work.last_page != work.first_page:
        return f"{work.first_page}-{work.last_page}"
    return work.first_page


def to_ris(works: list[ExportWork]) -> str:
    """RIS, written by rispy: ``ID`` the key, ``DO``/``AN`` every DOI/PMID
    (``DP  - NLM`` so readers take ``AN`` as a PMID), ``DB`` every source label,
    ``N1`` the work IRI."""
    entries = []
    for w in works:
        entry: dict[str, object] = {"type_of_reference": TYPES.get(w.doc_type, TYPES[None])[0], "id": w.key}
        optional = {
            "title": w.title, "year": w.year, "date": w.date, "volume": w.volume, "number": w.issue,
            "start_page": w.first_page, "end_page": w.last_page, "secondary_title": w.venue, "abstract": w.abstract,
        }
        entry.update({k: v for k, v in optional.items() if v})
        lists = {
            "authors": [name for name, _, _ in w.authors], "keywords": list(w.keywords), "doi": list(w.dois),
            "accession_number": list(w.pmids), "issn": list(w.issns), "name_of_database": list(w.sources),
            "notes": [_note(w)],
        }
        entry.update({k: v for k, v in lists.items() if v})
        if w.pmids:
            entry["database_provider"] = "NLM"
        entries.append(entry)
    return rispy.dumps(entries, implementation=_RisWriter, list_tags=["AU", "KW", "DO", "AN", "SN", "DB", "N1"])


class _RisWriter(rispy.RisWriter):
    """rispy's writer without the ``1.`` line it puts before each record,
    which is no RIS tag (EndNote, Zotero and ASReview skip it, others choke)."""

    def set_header(self, count: int) -> str | None:
        del count  # rispy's signature: the record's number, not written
        return None


def _bib_names(work: ExportWork) -> str:
    names = []
    for name, family, given in work.authors:
        names.append(f"{family}, {given}" if family and given else (family or name))
    return " and ".join(names)


def _braced(text: str) -> str:
    """A value safe inside the braces bibtexparser writes: unbalanced braces dropped."""
    if text.count("{") != text.count("}"):
        text = text.replace("{", "").replace("}", "")
    return text


def to_bibtex(works: list[ExportWork]) -> str:
    """BibTeX, written by bibtexparser: the key as citation key, ``doi`` and
    ``pmid`` (more than one joined by ``; ``), ``kg-sources`` and ``kg-work``."""
    library = bibtexparser.Library()
    for w in works:
        fields = {
            "title": w.title, "author": _bib_names(w) or None, "year": w.year, "journal": w.venue,
            "volume": w.volume, "number": w.issue, "pages": _pages(w), "doi": "; ".join(w.dois) or None,
            "pmid": "; ".join(w.pmids) or None, "issn": ", ".join(w.issns) or None, "abstract": w.abstract,
            "keywords": "; ".join(w.keywords) or None, "kg-sources": "; ".join(w.sources) or None,
            "kg-work": w.iri,
        }
        entry_type = TYPES.get(w.doc_type, TYPES[None])[1]
        if entry_type == "incollection" and w.venue:
            fields["booktitle"], fields["journal"] = w.venue, None
        library.add(Entry(entry_type, w.key, [Field(k, _braced(v)) for k, v in fields.items() if v]))
    return bibtexparser.write_string(library)


def to_csl_json(works: list[ExportWork]) -> str:
    """CSL-JSON: ``id`` the key, ``DOI``/``PMID`` the first of each, and a
    ``custom`` object with every DOI, PMID, the source labels and the work IRI."""
    items = []
    for w in works:
        item: dict[str, object] = {"id": w.key, "type": TYPES.get(w.doc_type, TYPES[None])[2]}
        optional = {
            "title": w.title, "container-title": w.venue, "volume": w.volume, "issue": w.issue, "page": _pages(w),
            "abstract": w.abstract, "DOI": w.dois[0] if w.dois else None, "PMID": w.pmids[0] if w.pmids else None,
            "ISSN": list(w.issns) or None, "keyword": ", ".join(w.keywords) or None,
        }
        item.update({k: v for k, v in optional.items() if v})
        if w.authors:
            item["author"] = [
                {"family": family, "given": given} if family else {"literal": name} for name, family, given in w.authors
            ]
        if w.year:
            parts = [int(p) for p in (w.date or w.year).split("-")[:3]] if (w.date or w.year)[:4].isdigit() else []
            item["issued"] = {"date-parts": [parts or [int(w.year)]]}
        item["custom"] = {"kg_work": w.iri, "sources": list(w.sources), "dois": list(w.dois), "pmids": list(w.pmids)}
        items.append(item)
    return json.dumps(items, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


WRITERS = {"ris": to_ris, "bibtex": to_bibtex, "csl-json": to_csl_json}


def render_works(works: list[ExportWork], fmt: str) -> str:
    """The works in ``fmt`` (``ris``, ``bibtex`` or ``csl-json``), in key order."""
    return WRITERS[fmt](sorted(works, key=lambda w: (w.key, w.iri)))
