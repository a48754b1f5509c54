"""Choosing a reader from content first, the extension only as a hint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exports import exports  # noqa: F401  (fixture)
from kg.read import EXTENSION_HINTS, READERS, detect_format, read_path

EXPECTED_BY_FOLDER = {
    "ris": "ris",
    "bibtex": "bibtex",
    "csl_json": "csl-json",
    "crossref_json": "csl-json",
    "openalex_json": "openalex",
    "pubmed_xml": "pubmed-xml",
    "medline": "medline",
}


def test_every_reader_is_registered():
    assert set(READERS) == {"listing", "ris", "bibtex", "csl-json", "crossref", "openalex", "pubmed-xml", "medline"}
    assert set(EXTENSION_HINTS.values()) <= set(READERS)
    assert EXTENSION_HINTS[".txt"] == "listing"


def test_every_real_file_is_detected(exports):
    for folder, expected in EXPECTED_BY_FOLDER.items():
        for path in sorted((exports / folder).iterdir()):
            fmt, result = read_path(path, path.name)
            assert fmt == expected, path.name
            assert result.records, path.name


RIS = "TY  - JOUR\nTI  - Peer support\nER  - \n"
MEDLINE = "PMID- 123\nTI  - Peer support\n"
BIBTEX = "% exported\n@article{k, title={Peer support}}\n"
PUBMED = '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet>\n<PubmedArticleSet></PubmedArticleSet>'
LISTING = "Peer support in mental health\n\n2016 ◽\nVol 20 (3) ◽\n"


@pytest.mark.parametrize(
    "text, name, expected",
    [
        (RIS, "export.txt", "ris"),
        ("\n1.\n" + RIS, "ovid.txt", "ris"),
        (MEDLINE, "pubmed.txt", "medline"),
        (MEDLINE, "pubmed.nbib", "medline"),
        (BIBTEX, "refs.txt", "bibtex"),
        (PUBMED, "pubmed.txt", "pubmed-xml"),
        (json.dumps([{"type": "article-journal", "title": "T"}]), "x.json", "csl-json"),
        (json.dumps({"status": "ok", "message-type": "work", "message": {"DOI": "10.1000/1"}}), "x.json", "csl-json"),
        (json.dumps({"meta": {}, "results": [{"id": "https://openalex.org/W1"}]}), "x.json", "openalex"),
        (json.dumps({"id": "https://openalex.org/W1", "title": "T"}), "x.txt", "openalex"),
        (LISTING, "listing.txt", "listing"),
        ('{"DOI": "10.1000/1", "title": ["T"]}\n{"DOI": "10.1000/2"}\n', "works.txt", "crossref"),  # JSON Lines
        ('{"id": "https://openalex.org/W1", "title": "T"}\n', "works.jsonl", "crossref"),
        (RIS, "odd.bib", "ris"),  # content wins over the extension
        ("nothing recognisable", "x.nbib", "medline"),  # then the extension
    ],
)
def test_detect_format_from_content(text, name, expected):
    assert detect_format(text, name) == expected


def test_real_listing_stays_a_listing():
    listing = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "peer-support-listing.txt"
    if not listing.exists():
        pytest.skip("../shared/corpus not present (a user's clone)")
    assert detect_format(listing.read_text(encoding="utf-8"), str(listing)) == "listing"


GARBAGE = [
    "",
    "\n\n",
    "{",
    "null",
    "[1, 2]",
    '{"message": 3}',
    '{"results": 5}',
    '[{"authorships": [{"author": null}], "biblio": null, "title": 5, "primary_location": {"source": 3}}]',
    '[{"author": [1, {"family": 3}], "issued": {"date-parts": [["x"]]}, "ISSN": 5}]',
    "<a>",
    "<PubmedArticleSet><PubmedArticle>",
    "@article{",
    "TY  -",
    "PMID-",
    "ER  - \nTY  - JOUR\n      continued",
]


@pytest.mark.parametrize("name", sorted(READERS))
def test_readers_never_raise_on_bad_data(name):
    for text in GARBAGE:
        result = READERS[name](text, "bad")
        assert all(p.file == "bad" for p in result.problems)
