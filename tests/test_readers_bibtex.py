"""The BibTeX reader on real exports and on LaTeX/WoS/Scopus quirks."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest

from exports import exports, read_text  # noqa: F401  (fixture)
from kg.read import detect_format
from kg.read.bibtex import read_bibtex

REAL_FILES = {
    "jiaweisophiafu-jcmc-osn__savedrecs.bib": 268,
    "p1m-ortho__Sathish2020E1E22.bib": 1,
    "p1m-ortho__konsgen2020.bib": 1,
    "p1m-ortho__scholar.bib": 13,
    "p1m-ortho__scopus.bib": 10,
}


@lru_cache(maxsize=None)  # the WoS file takes seconds; read each file once
def read_real(exports: Path, name: str):
    text = read_text(exports / "bibtex" / name)
    return read_bibtex(text, name), text


@pytest.mark.parametrize("name, expected", sorted(REAL_FILES.items()))
def test_real_file_record_count(exports, name, expected):
    result, text = read_real(exports, name)
    assert len(re.findall(r"^\s*@\w+\s*\{", text, re.M)) == expected  # counted by "@type{"
    assert len(result.records) == expected
    assert result.skipped == []
    assert detect_format(text, name) == "bibtex"


def test_web_of_science_double_braces(exports):
    result, text = read_real(exports, "jiaweisophiafu-jcmc-osn__savedrecs.bib")
    record = result.records[0]
    assert record.source.line == 2  # line 1 holds only the BOM
    assert record.title == (
        "What's at stake? An analysis of employee social media engagement and the "
        "influence of power and social stake"
    )
    assert record.venue.title == "PUBLIC RELATIONS REVIEW"
    assert (record.venue.issn, record.venue.eissn) == ("0363-8111", "1873-4537")
    assert record.venue.publisher == "ELSEVIER SCIENCE INC"
    assert (record.year, record.volume, record.issue, record.first_page, record.last_page) == (2017, "43", "5", "978", "988")
    assert record.doi == "10.1016/j.pubrev.2017.04.010"
    assert [a.family for a in record.authors] == ["Smith", "Stumberger", "Guild", "Dugan"]
    assert record.authors[0].given == "Brian G."
    assert record.keywords == ("Power", "Social media", "Engagement", "Strategic communication", "Stakeholders")
    # Keywords-Plus are Web of Science's index terms
    assert record.subject_headings[:2] == ("PUBLIC-RELATIONS", "NETWORKING SITES")
    assert ("wos", "000418878500012") in record.identifiers
    assert "{" not in record.abstract
    assert sum(1 for r in result.records for a in r.authors if a.orcid) > 0


def test_web_of_science_orcid_numbers(exports):
    result, _ = read_real(exports, "jiaweisophiafu-jcmc-osn__savedrecs.bib")
    record = next(r for r in result.records if r.doi == "10.1016/j.dcm.2017.05.002")
    orcids = {a.family: a.orcid for a in record.authors}
    assert orcids["Bowman"] == "0000-0002-2322-0861"
    assert orcids["Whitehead"] == "0000-0002-8817-1175"
    assert record.title == "Confessing sex in online student communities"


def test_zotero_entry_with_unicode_names(exports):
    result, _ = read_real(exports, "p1m-ortho__konsgen2020.bib")
    record = result.records[0]
    assert record.title == "Inter-review agreement of risk-of-bias judgments varied in Cochrane reviews"
    assert record.authors[0].family == "Könsgen"
    assert record.authors[2].family == "Heß"
    assert (record.year, record.volume, record.first_page, record.last_page) == (2020, "120", "25", "32")
    assert record.venue.issn == "0895-4356"  # printed 08954356
    assert record.doi == "10.1016/j.jclinepi.2019.12.016"


def test_sage_year_zero_is_reported(exports):
    result, _ = read_real(exports, "p1m-ortho__Sathish2020E1E22.bib")
    record = result.records[0]
    assert record.year is None
    assert record.doi == "10.1177/2192568220906810"
    assert record.authors[0].name == "Muthu Sathish"
    assert record.authors[0].family == "Sathish"
    assert [p.reason for p in result.problems] == ["year '0' holds no year from 1500 to 2099; ignored"]
    assert result.problems[0].line == 7


def test_scopus_duplicate_field_and_suffix(exports):
    result, _ = read_real(exports, "p1m-ortho__scopus.bib")
    assert [(p.line, p.skipped) for p in result.problems] == [(51, False)]
    assert "funding_details" in result.problems[0].reason
    record = next(r for r in result.records if r.doi == "10.1016/j.jclinepi.2018.02.011")
    assert (record.authors[0].family, record.authors[0].given) == ("Faggion", "C.M.")
    first = result.records[0]
    assert first.source.line == 4
    assert first.title.startswith("Improving the quality of systematic reviews of neurological conditions")
    assert first.venue.issn == "1351-5101"
    assert ("pmid", "30035838") in first.identifiers
    assert "diagnostic accuracy" in first.keywords
    # Scopus: author_keywords are the authors', keywords the index keywords
    assert "hedge" in first.keywords and "priority journal" not in first.keywords
    assert "priority journal" in first.subject_headings
    # the entry with the field given twice is read like any other
    cooper = next(r for r in result.records if r.source.line == 51)
    assert [a.family for a in cooper.authors] == ["Cooper", "Booth", "Varley-Campbell", "Britten", "Garside"]


# -- quirks -------------------------------------------------------------------


def test_entry_with_a_field_given_twice_keeps_its_authors_apart():
    """Regression: bibtexparser leaves the values of a failed block (a field
    given twice) in their braces, and a braced author list was one author."""
    text = ('@article{k, author={Cooper, C. and Booth, A.}, title="A {Cochrane} review",\n'
            "  note={first}, note={second}, year=2018, doi={10.1234/x}}\n")
    result = read_bibtex(text, "f.bib")
    record = result.records[0]
    assert [(a.family, a.given) for a in record.authors] == [("Cooper", "C."), ("Booth", "A.")]
    assert record.title == "A Cochrane review" and record.year == 2018
    assert [(p.line, p.reason) for p in result.problems] == [(1, "field given twice (note); the first value is used")]


def test_latex_escapes_become_unicode():
    text = r"""@article{k,
  title = {Peer support for {M}{\"a}nner in {\'E}vora \& {S}{\~a}o Paulo -- a review},
  author = {M{\"u}ller, J{\"o}rg and {\O}stergaard, S{\o}ren and {Barnes and Noble}},
  journal = {Psychiatric Rehabilitation {J}ournal},
  year = 2019,
  doi = {10.1037/prj0000\_123},
  pages = {1--10},
}
"""
    record = read_bibtex(text, "f.bib").records[0]
    assert record.title == "Peer support for Männer in Évora & São Paulo – a review"
    assert [a.family for a in record.authors] == ["Müller", "Østergaard", "Barnes and Noble"]
    assert record.authors[0].given == "Jörg"
    assert record.venue.title == "Psychiatric Rehabilitation Journal"
    assert record.doi == "10.1037/prj0000_123"
    assert (record.first_page, record.last_page) == ("1", "10")


def test_wos_double_braces_inline():
    text = "@article{ ISI:1,\nTitle = {{Peer {Support} Workers}},\nYear = {{2016}},\nType = {{Article}},\n}\n"
    record = read_bibtex(text, "f.bib").records[0]
    assert (record.title, record.year) == ("Peer Support Workers", 2016)


def test_broken_entry_reported_good_ones_survive():
    text = "\n".join(
        [
            "@article{good1, title={First}, year={2019}}",
            "@article{broken, title={never closed, year=2019",
            "@article{good2, title={Second}, author={Watson, Emma}, year={2020}}",
            "@misc{empty, note={nothing to identify}}",
        ]
    )
    result = read_bibtex(text, "f.bib")
    assert [r.title for r in result.records] == ["First", "Second"]
    assert [(p.line, p.skipped) for p in result.skipped] == [(2, True), (4, True)]
    assert "skipped" in result.skipped[0].reason
    assert len(result.records) + len(result.skipped) == 4
