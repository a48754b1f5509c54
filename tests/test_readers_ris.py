"""The RIS reader on real exports and on each dialect's quirks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from exports import exports, read_text  # noqa: F401  (fixture)
from kg.read import decode, detect_format, read_path
from kg.read.ris import read_ris

DATA = Path(__file__).resolve().parent / "data" / "readers"

REAL_FILES = {
    "asreview__tests_demo_data__embase.ris": 6,
    "asreview__tests_demo_data__ovid_psycinfo.ris": 6,
    "asreview__tests_demo_data__proquest.ris": 6,
    "asreview__tests_demo_data__pubmed_endnote.txt": 6,
    "asreview__tests_demo_data__pubmed_zotero.ris": 6,
    "asreview__tests_demo_data__scopus.ris": 6,
    "asreview__tests_demo_data__web_of_science.txt": 10,
}


def read_real(exports: Path, name: str):
    path = exports / "ris" / name
    return read_ris(read_text(path), name), read_text(path)


def by_line(result, line):
    return next(r for r in result.records if r.source.line == line)


@pytest.mark.parametrize("name, expected", sorted(REAL_FILES.items()))
def test_real_file_record_count(exports, name, expected):
    result, text = read_real(exports, name)
    # Counted independently of the reader: one "TY  -" line per record.
    assert len(re.findall(r"^TY  -", text, re.M)) == expected
    assert len(result.records) == expected
    assert result.skipped == []
    assert all(r.source.format == "ris" for r in result.records)
    assert [r.source.line for r in result.records] == [
        i for i, line in enumerate(text.split("\n"), start=1) if line.startswith("TY  -")
    ]


def test_real_files_are_detected_as_ris(exports):
    for name in REAL_FILES:
        fmt, _ = read_path(exports / "ris" / name, name)
        assert fmt == "ris", name


def test_embase_first_record(exports):
    result, _ = read_real(exports, "asreview__tests_demo_data__embase.ris")
    record = by_line(result, 1)  # the file starts with a BOM
    assert record.title == "Duplication cysts: Diagnosis, management, and the role of endoscopic ultrasound"
    assert record.year == 2014
    assert record.doc_type == "journal-article"
    assert record.authors[0].name == "Liu R."
    assert (record.authors[0].family, record.authors[0].given) == ("Liu", "R.")
    assert record.authors[1].family == "Adler"
    assert record.doi == "10.4103/2303-9027.138783"
    assert (record.volume, record.issue, record.first_page, record.last_page) == ("3", "3", "152", "160")
    assert record.venue.title == "Endoscopic Ultrasound"
    assert record.venue.issn == "2226-7190"
    # Embase's KW lines are Emtree index terms
    assert "endoscopic ultrasonography" in record.subject_headings
    assert record.keywords == ()


def test_ovid_second_record_with_orcids(exports):
    result, _ = read_real(exports, "asreview__tests_demo_data__ovid_psycinfo.ris")
    record = by_line(result, 31)
    assert record.title.startswith("Gender differences in inflammatory bowel disease")
    assert record.year == 2019
    assert record.doi == "10.1177/1359105317742958"  # printed as http://dx.doi.org/...
    assert (record.volume, record.issue, record.first_page, record.last_page) == ("24", "7", "847", "856")
    assert record.venue.title == "Journal of Health Psychology"
    assert record.venue.issn == "1359-1053"
    assert record.venue.publisher == "Sage Publications"
    assert record.abstract.startswith("The aim of this study was to examine")  # from N2
    orcids = {a.family: a.orcid for a in record.authors}
    assert orcids["Trindade"] == "0000-0003-1208-2077"
    assert orcids["Ferreira"] == "0000-0002-7020-9606"
    assert orcids["Duarte"] is None


def test_ovid_no_specified_pages(exports):
    result, _ = read_real(exports, "asreview__tests_demo_data__ovid_psycinfo.ris")
    record = by_line(result, 2)
    assert (record.first_page, record.last_page) == (None, None)


def test_endnote_continuation_lines_and_pmid(exports):
    result, _ = read_real(exports, "asreview__tests_demo_data__pubmed_endnote.txt")
    record = by_line(result, 2)
    assert record.title.startswith("Boswellia serrata: an overall assessment")
    assert record.year == 2011
    assert record.doi == "10.2165/11586800-000000000-00000"
    assert (record.volume, record.issue) == ("50", "6")
    assert (record.first_page, record.last_page) == ("349", "369")  # printed 349-69
    assert record.authors[0].family == "Abdel-Tawab"
    assert record.venue.issn == "0312-5963"
    assert ("pmid", "21553931") in record.identifiers
    # KW - Animals, then one MeSH heading per untagged line; qualifiers dropped,
    # "*" on the descriptor or a qualifier marks a major heading.
    assert record.subject_headings[:3] == ("Animals", "Anti-Inflammatory Agents", "Boswellia")
    assert len(record.subject_headings) == 10
    assert record.major_headings == ("Anti-Inflammatory Agents", "Boswellia", "Plant Extracts")
    assert record.keywords == ()


def test_zotero_undefined_date_and_two_issns(exports):
    result, _ = read_real(exports, "asreview__tests_demo_data__pubmed_zotero.ris")
    record = by_line(result, 26)
    assert record.title.startswith("Outcomes of inflammatory bowel disease surgery")
    assert (record.year, record.date) == (2019, None)  # DA - 2019/10//undefined
    assert record.doi == "10.1007/s10151-019-02080-0"
    assert (record.volume, record.issue, record.first_page, record.last_page) == ("23", "10", "947", "955")
    assert record.authors[0].family == "Hicks"
    assert (record.venue.issn, record.venue.eissn) == ("1128-045X", "1123-6337")


def test_scopus_issn_without_hyphen_and_article_number(exports):
    result, _ = read_real(exports, "asreview__tests_demo_data__scopus.ris")
    record = by_line(result, 1)
    assert record.venue.title == "Psychoneuroendocrinology"
    assert record.venue.issn == "0306-4530"  # printed 03064530 (ISSN)
    assert record.venue.publisher == "Elsevier Ltd"
    assert record.first_page == "104501"  # C7
    assert (record.year, record.volume) == (2020, "111")
    assert record.authors[0].family == "Labanski"


def test_web_of_science_ris(exports):
    result, _ = read_real(exports, "asreview__tests_demo_data__web_of_science.txt")
    record = by_line(result, 1)
    assert record.title == "Holding Yourself Captive: Perceptions of Custody During Interviews and Interrogations"
    assert (record.year, record.volume, record.issue, record.first_page, record.last_page) == (2018, "7", "3", "387", "397")
    assert record.doi == "10.1016/j.jarmac.2018.03.001"
    assert (record.venue.issn, record.venue.eissn) == ("2211-3681", "2211-369X")  # two SN lines
    assert record.venue.publisher == "ELSEVIER SCIENCE INC"
    assert ("wos", "000444108200009") in record.identifiers
    assert record.authors[0].family == "Alceste"
    dated = next(r for r in result.records if r.doi == "10.3389/fpsyg.2023.1175856")
    assert dated.date == "2023-06-19"  # DA - JUN 19 with PY - 2023


# -- quirks, on small hand-written files -------------------------------------


def test_bom_and_crlf():
    text = decode((DATA / "bom_crlf.ris").read_bytes())
    result = read_ris(text, "bom_crlf.ris")
    assert [r.title for r in result.records] == ["Peer support in mental health services"]
    assert result.records[0].source.line == 1
    assert result.problems == []


def test_bom_kept_in_text_is_ignored():
    result = read_ris("\ufeffTY  - JOUR\nTI  - A\nER  - \n", "f.ris")
    assert len(result.records) == 1


def test_ovid_numbered_records_with_n2():
    text = decode((DATA / "ovid_numbered.txt").read_bytes())
    result = read_ris(text, "ovid_numbered.txt")
    assert result.problems == []  # "1.", the Ovid link line and NL after ER are known
    first, second = result.records
    assert first.source.line == 2 and second.source.line == 23
    assert first.abstract == "Peer support is offered by people with lived experience of mental illness."
    assert first.doi == "10.1002/cpp.2398"
    assert first.authors[0].orcid == "0000-0003-1208-2077"
    assert (first.first_page, first.last_page) == (None, None)
    assert (second.volume, second.issue, second.first_page, second.last_page) == ("29", "2", "101", "109")


def test_endnote_continuation_lines():
    text = "TY  - JOUR\nTI  - A title\nKW  - Peer support\nRecovery\n*Lived experience\nAB  - First part\nsecond part.\nER  - \n"
    record = read_ris(text, "f.txt").records[0]
    # "*" marks index terms (a major one): the list is subject headings
    assert record.subject_headings == ("Peer support", "Recovery", "Lived experience")
    assert record.major_headings == ("Lived experience",)
    assert record.keywords == ()
    assert record.abstract == "First part second part."


def test_html_in_abstract_and_doi_as_url():
    text = (
        "TY  - JOUR\nTI  - T\nAB  - <p>Peer <i>support</i> &amp; recovery</p>\n"
        "UR  - https://doi.org/10.1000/XYZ\nDA  - 2019/10//undefined\nSN  - 1536-5964 0025-7974\nER  - \n"
    )
    record = read_ris(text, "f.ris").records[0]
    assert record.abstract == "Peer support & recovery"
    assert record.doi == "10.1000/xyz"
    assert record.year == 2019
    assert (record.venue.issn, record.venue.eissn) == ("1536-5964", "0025-7974")


def test_broken_records_are_reported_and_good_ones_survive():
    text = "\n".join(
        [
            "TY  - JOUR",  # 1: good
            "TI  - Good one",
            "ER  - ",
            "",
            "TI  - Fields with no TY",  # 5: skipped
            "AU  - Nobody, A",
            "ER  - ",
            "stray text",  # 8: reported, not a record
            "TY  - JOUR",  # 9: nothing to identify it
            "VL  - 3",
            "ER  - ",
            "TY  - JOUR",  # 12: good, but no ER at the end
            "TI  - Last one",
            "SN  - 1234-5678",
        ]
    )
    result = read_ris(text, "broken.ris")
    assert [r.title for r in result.records] == ["Good one", "Last one"]
    skipped = {(p.line, p.skipped) for p in result.skipped}
    assert skipped == {(5, True), (9, True)}
    assert len(result.records) + len(result.skipped) == 4
    reasons = {p.line: p.reason for p in result.problems}
    assert "TY" in reasons[5]
    assert reasons[8] == "text outside any record"
    assert "no title" in reasons[9]
    assert "not closed by ER" in reasons[12]
    assert "check digit" in reasons[14]  # 1234-5678 is not an ISSN
    assert str(result.problems[0]).startswith("broken.ris:5: ")


def test_ris_named_txt_is_detected_by_content():
    text = decode((DATA / "ovid_numbered.txt").read_bytes())
    assert detect_format(text, "export.txt") == "ris"
    fmt, result = read_path(DATA / "ovid_numbered.txt", "ovid_numbered.txt")
    assert fmt == "ris" and len(result.records) == 2


def test_keywords_split_from_index_terms_by_dialect(exports):
    wos, _ = read_real(exports, "asreview__tests_demo_data__web_of_science.txt")
    assert wos.records[0].keywords == ("Police custody", "Interview", "Interrogation", "Perception of freedom")
    assert wos.records[0].subject_headings[:2] == ("PERSPECTIVE-TAKING", "INNOCENCE")  # Keywords Plus
    scopus, _ = read_real(exports, "asreview__tests_demo_data__scopus.ris")
    assert scopus.records[2].keywords[-1] == "Somatic symptom disorder"
    assert scopus.records[2].subject_headings[:2] == ("adult", "anxiety")
    assert scopus.records[1].keywords[-1] == "vanilloid receptor 1"  # sorted by code point
    psycinfo, _ = read_real(exports, "asreview__tests_demo_data__ovid_psycinfo.ris")
    record = psycinfo.records[1]
    assert record.keywords == ()
    assert record.subject_headings[-1] == "Symptoms" and "Symptoms" not in record.major_headings
    assert record.major_headings[0] == "Body Image"
    zotero, _ = read_real(exports, "asreview__tests_demo_data__pubmed_zotero.ris")
    assert zotero.records[0].keywords[0] == "biological treatment"
    assert "Humans" in zotero.records[2].subject_headings
    assert "Colitis, Ulcerative" in zotero.records[2].major_headings


def test_pubmed_abstract_with_headings_in_capitals_is_structured(exports):
    """Regression: Zotero's RIS of a PubMed record keeps PubMed's "BACKGROUND:"
    labels, which the splitter once ignored (it only knew "Background:")."""
    result, _ = read_real(exports, "asreview__tests_demo_data__pubmed_zotero.ris")
    record = next(r for r in result.records if r.doi == "10.1186/s12876-019-1034-9")
    assert [s.label for s in record.abstract_sections] == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSION"]
    assert record.abstract_sections[1].text.startswith("A scoping review was conducted")
