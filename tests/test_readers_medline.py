"""The MEDLINE (.nbib) reader on real exports and on its quirks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from exports import exports, read_text  # noqa: F401  (fixture)
from kg.read import decode, detect_format, read_path
from kg.read.medline import read_medline

DATA = Path(__file__).resolve().parent / "data" / "readers"
REAL_FILES = {"blachlylab-nbib__pubmed.nbib": 75, "manubot__pandoc_tests_bibliographies__bibliography.nbib": 2}


def read_real(exports, name):
    text = read_text(exports / "medline" / name)
    return read_medline(text, name), text


@pytest.mark.parametrize("name, expected", sorted(REAL_FILES.items()))
def test_real_file_record_count(exports, name, expected):
    result, text = read_real(exports, name)
    assert len(re.findall(r"^PMID- ", text, re.M)) == expected
    assert len(result.records) == expected
    assert result.problems == []
    starts = [i for i, line in enumerate(text.split("\n"), start=1) if line.startswith("PMID- ")]
    assert [r.source.line for r in result.records] == starts
    assert detect_format(text, name) == "medline"


def test_first_blachlylab_record(exports):
    result, _ = read_real(exports, "blachlylab-nbib__pubmed.nbib")
    record = result.records[0]
    assert record.title == "Ibrutinib Regimens versus Chemoimmunotherapy in Older Patients with Untreated CLL."
    assert (record.year, record.date) == (2018, "2018-12-27")
    assert (record.volume, record.issue, record.first_page, record.last_page) == ("379", "26", "2517", "2528")
    assert record.doi == "10.1056/nejmoa1812836"
    assert record.venue.title == "The New England journal of medicine"
    assert (record.venue.issn, record.venue.eissn) == ("0028-4793", "1533-4406")
    assert record.authors[0].name == "Woyach, Jennifer A"
    assert (record.authors[0].family, record.authors[0].given) == ("Woyach", "Jennifer A")
    assert record.authors[0].affiliations[0].startswith("From Ohio State University Comprehensive Cancer Center")
    assert record.abstract.startswith("BACKGROUND: Ibrutinib has been approved")
    assert "P<0.001" in record.abstract  # not mistaken for markup
    assert ("pmid", "30501481") in record.identifiers


def test_manubot_record_with_orcids(exports):
    result, _ = read_real(exports, "manubot__pandoc_tests_bibliographies__bibliography.nbib")
    record = result.records[0]
    assert record.title == "Sci-Hub provides access to nearly all scholarly literature."
    assert record.doi == "10.7554/elife.32822"
    assert (record.year, record.volume, record.first_page) == (2018, "7", "e32822")
    assert record.venue.title == "eLife"
    assert record.venue.eissn == "2050-084X"
    assert [a.orcid for a in record.authors][:2] == ["0000-0002-3012-7446", "0000-0003-2290-4927"]
    assert record.authors[0].family == "Himmelstein"
    assert "<ext-link" not in record.abstract
    assert ("pmcid", "PMC5832410") in record.identifiers
    assert record.keywords[:2] == ("LibGen", "Sci-Hub")


# -- quirks -------------------------------------------------------------------


def test_continuation_lines_markup_and_issn_kinds():
    result = read_medline(decode((DATA / "medline_export.txt").read_bytes()), "medline_export.txt")
    first, second = result.records
    assert first.title == "Sci-Hub provides access to nearly all scholarly literature."
    assert first.abstract == "Our browser at https://example.org shows it (P<0.001)."
    assert first.authors[0].affiliations == ("Department of Systems Pharmacology, University of Pennsylvania, Philadelphia, United States.",)
    assert first.authors[0].orcid == "0000-0002-3012-7446"
    assert first.authors[1].orcid is None
    # OT is the author's, MH the indexer's; "*" marks a major heading
    assert first.keywords == ("Sci-Hub",)
    assert (first.subject_headings, first.major_headings) == (("Access to Information",), ("Access to Information",))
    assert (first.venue.issn, first.venue.eissn) == (None, "2050-084X")  # (Linking) is not print
    assert (second.venue.issn, second.venue.eissn) == ("1087-0156", "1546-1696")
    assert (second.first_page, second.last_page) == ("342", "346")
    assert second.source.line == 29


def test_medline_named_txt_is_detected_by_content():
    fmt, result = read_path(DATA / "medline_export.txt", "medline_export.txt")
    assert fmt == "medline" and len(result.records) == 2


def test_broken_block_reported_good_ones_survive():
    text = "\n".join(
        [
            "PMID- 1",
            "TI  - Good",
            "",
            "OWN - NLM",  # 4: a block with nothing to identify a work
            "STAT- MEDLINE",
            "",
            "this line has no tag",  # 7
            "",
            "PMID- 3",
            "TI  - Also good",
            "DP  - sometime",  # 11
        ]
    )
    result = read_medline(text, "f.nbib")
    assert [r.title for r in result.records] == ["Good", "Also good"]
    assert [(p.line, p.skipped) for p in result.problems] == [(4, True), (7, False), (11, False)]
    assert "no title" in result.problems[0].reason
    assert str(result.problems[1]) == "f.nbib:7: line is neither a tagged field nor a continuation"


def test_author_keywords_apart_from_mesh(exports):
    result, _ = read_real(exports, "manubot__pandoc_tests_bibliographies__bibliography.nbib")
    first, second = result.records
    assert first.keywords[:2] == ("LibGen", "Sci-Hub")  # OT
    assert first.subject_headings == ()
    # MH - Computational Biology/*methods: qualifier dropped, major by its "*"
    assert second.keywords == ()
    assert second.subject_headings[0] == "Computational Biology"
    assert "Computational Biology" in second.major_headings
    assert "Reproducibility of Results" in second.subject_headings
    assert "Reproducibility of Results" not in second.major_headings
    blachly, _ = read_real(exports, "blachlylab-nbib__pubmed.nbib")
    record = blachly.records[0]
    assert "Female" in record.subject_headings and "Female" not in record.major_headings
    assert "Leukemia, Lymphocytic, Chronic, B-Cell" in record.major_headings
