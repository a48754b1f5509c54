"""The listing reader: the example corpus and one small listing per quirk."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.model import AbstractSection
from kg.read import decode, read_path
from kg.read.listing import read_listing

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "peer-support" / "peer-support-listing.txt"


def read(text: str):
    return read_listing(decode(text.encode("utf-8")), "test.txt")


@pytest.fixture(scope="module")
def example():
    fmt, result = read_path(EXAMPLE, "peer-support-listing.txt")
    assert fmt == "listing"
    return result


def test_example_has_seven_records_and_no_problems(example):
    assert len(example.records) == 7
    assert example.problems == []


def test_example_fields_as_printed(example):
    rows = [
        (r.source.line, r.year, r.volume, r.issue, r.first_page, r.last_page, len(r.authors), r.authors_truncated)
        for r in example.records
    ]
    assert rows == [
        (1, 2007, "14", "3", "81", "92", 1, False),
        (8, 2016, "20", "3", "149", "152", 1, False),
        (17, 2014, "18", "1", "35", "44", 2, False),
        (27, 2016, "20", "2", "80", "91", 3, False),
        (38, 2019, "17", "2", "29", "31", 2, False),
        (48, 2020, None, None, None, None, 3, False),
        (57, 2019, "85", "1", None, None, 5, True),
    ]


def test_example_only_first_record_has_a_title(example):
    assert [r.title for r in example.records] == [
        "Peer Support Among Consumers of Professional Mental Health Services",
        None, None, None, None, None, None,
    ]


def test_example_authors_as_printed(example):
    assert [a.name for a in example.records[6].authors] == [
        "Bernd Puschner", "Julie Repper", "Candelaria Mahlke", "Rebecca Nixdorf", "David Basangwa",
    ]
    assert (example.records[0].authors[0].given, example.records[0].authors[0].family) == ("John Q.", "Hodges")


def test_example_structured_abstracts(example):
    emerald = example.records[3]
    assert [s.label for s in emerald.abstract_sections] == [
        "Purpose", "Design/methodology/approach", "Findings", "Research limitations/implications",
        "Practical implications", "Social implications", "Originality/value",
    ]
    assert emerald.abstract.startswith("Purpose – A range of one-to-one")
    clinical = example.records[5]
    assert [s.label for s in clinical.abstract_sections] == ["Background", "Methods", "Results", "Conclusions"]
    assert clinical.abstract.startswith("Background: Cardiovascular diseases")  # "Abstract" dropped
    assert clinical.abstract_sections[0].text.endswith("remain largely unknown.")
    assert clinical.abstract_sections[1].text.startswith("Thirteen CVD patients")
    plain = example.records[4]
    assert plain.abstract.startswith("Mental health services in Cambodia") and plain.abstract_sections == ()
    assert example.records[0].abstract is None and example.records[6].abstract is None


def test_title_with_document_type_label():
    result = read("scholarly journals Peer workers in forensic care\n\n2021 ◽\nAuthor(s):\nAna Silva\n")
    (record,) = result.records
    assert (record.title, record.doc_type, record.year) == ("Peer workers in forensic care", "journal-article", 2021)


def test_title_without_blank_line_before_year():
    (record,) = read("A short title\n2021 ◽\nAuthor(s):\nAna Silva\n").records
    assert record.title == "A short title"


def test_volume_without_issue_and_missing_separator_on_last_field():
    (record,) = read("2018 ◽\nVol 7 ◽\npp. e15572\nAuthor(s):\nAna Silva\n").records
    assert (record.volume, record.issue, record.first_page, record.last_page) == ("7", None, "e15572", None)


def test_odd_unicode_whitespace_after_separators():
    text = "2018 ◽\u00a0\u2009 \nVol 7 (Suppl. 1) ◽\u3000\npp. 1-3 ◽\u00a0\nAuthor(s):\u00a0\nAna Silva ◽\u202f\nBo Li\u00a0\n"
    (record,) = read(text).records
    assert (record.year, record.volume, record.issue, record.first_page, record.last_page) == (2018, "7", "Suppl. 1", "1", "3")
    assert [a.name for a in record.authors] == ["Ana Silva", "Bo Li"]


def test_truncated_author_list():
    (record,) = read("2019 ◽\nAuthor(s):\nAna Silva ◽\nBo Li ◽\n...\n").records
    assert record.authors_truncated and [a.name for a in record.authors] == ["Ana Silva", "Bo Li"]


def test_records_without_blank_line_between_them():
    result = read("2007 ◽\nAuthor(s):\nJohn Q. Hodges\n2016 ◽\nVol 20 (3) ◽\nAuthor(s):\nEmma Watson\n")
    assert [(r.year, r.source.line, [a.name for a in r.authors]) for r in result.records] == [
        (2007, 1, ["John Q. Hodges"]),
        (2016, 4, ["Emma Watson"]),
    ]


def test_page_boilerplate_is_not_a_record_or_a_problem():
    result = read("2019 ◽\nAuthor(s):\nAna Silva\n\nSign in / Sign up\n\nExport Citation Format\n\nShare Document")
    assert len(result.records) == 1 and result.problems == []
    assert result.records[0].abstract is None


def test_crlf_and_bom():
    data = "\ufeffA title\r\n\r\n2019 ◽\r\nVol 1 (2) ◽\r\nAuthor(s):\r\nAna Silva\r\n".encode("utf-8")
    (record,) = read_listing(decode(data), "crlf.txt").records
    assert (record.title, record.volume, record.issue, record.source.line) == ("A title", "1", "2", 1)


def test_structured_clinical_abstract_with_objective_and_aims():
    text = "2020 ◽\nAuthor(s):\nAna Silva\n\nObjective: To test. Aims: Two. Methods: We did. Results: It worked. Conclusion: Good.\n"
    (record,) = read(text).records
    assert record.abstract_sections == (
        AbstractSection("Objective", "To test."),
        AbstractSection("Aims", "Two."),
        AbstractSection("Methods", "We did."),
        AbstractSection("Results", "It worked."),
        AbstractSection("Conclusion", "Good."),
    )


def test_results_word_inside_plain_abstract_does_not_split_it():
    text = "2020 ◽\nAuthor(s):\nAna Silva\n\nWe report trends. Results: mixed, and Methods: varied.\n"
    (record,) = read(text).records
    assert record.abstract_sections == () and record.abstract.startswith("We report trends.")


def test_abstract_then_next_title_then_next_record():
    text = (
        "2019 ◽\nAuthor(s):\nAna Silva\n\n" + "Long abstract sentence. " * 20 + "\n\n"
        "Second paper title\n\n2020 ◽\nAuthor(s):\nBo Li\n"
    )
    first, second = read(text).records
    assert first.abstract.startswith("Long abstract sentence.") and first.title is None
    assert second.title == "Second paper title" and second.source.line == 7


def test_unplaceable_line_is_reported_with_line_number():
    result = read("stray words before anything\nmore stray words\n\n2019 ◽\nAuthor(s):\nAna Silva\n")
    assert len(result.records) == 1
    assert result.records[0].title == "more stray words"
    assert [(p.line, p.reason, p.skipped) for p in result.problems] == [(1, "text outside any record", False)]


def test_record_without_year_is_skipped_and_reported():
    result = read("2019 ◽\nAuthor(s):\nAna Silva\n\nVol 3 (1) ◽\nAuthor(s):\nBo Li\n")
    assert len(result.records) == 1
    assert [(p.file, p.line, p.skipped) for p in result.problems] == [("test.txt", 5, True)]
    assert "no year" in result.problems[0].reason


def test_ellipsis_outside_author_list_is_reported():
    result = read("2019 ◽\nAuthor(s):\nAna Silva\n\n...\n")
    assert [(p.line, p.skipped) for p in result.problems] == [(5, False)]


# -- failure classes found on rendered real listings (benchmarks/listing_accuracy.py)


def test_record_without_abstract_runs_into_next_title():
    text = "2019 ◽\nAuthor(s):\nAna Silva ◽\nBo Li\nSecond paper title\n\n2020 ◽\nAuthor(s):\nCy Twombly\n"
    first, second = read(text).records
    assert [a.name for a in first.authors] == ["Ana Silva", "Bo Li"]
    assert (second.title, second.source.line) == ("Second paper title", 5)


def test_truncated_list_after_last_author_without_separator():
    (record,) = read("2019 ◽\nAuthor(s):\nAna Silva ◽\nBo Li\n...\n").records
    assert record.authors_truncated and [a.name for a in record.authors] == ["Ana Silva", "Bo Li"]


def test_last_paragraph_of_abstract_is_not_next_untitled_records_title():
    text = (
        "2019 ◽\nAuthor(s):\nAna Silva\n\nWe asked peers. They answered at length.\n\n"
        "The answers were mixed.\n\n\n2020 ◽\nAuthor(s):\nBo Li\n"
    )
    first, second = read(text).records
    assert first.abstract == "We asked peers. They answered at length. The answers were mixed."
    assert second.title is None and second.source.line == 10


def test_real_title_after_one_paragraph_abstract_stays_a_title():
    text = (
        "2019 ◽\nAuthor(s):\nAna Silva\n\nWe asked peers. They answered at length.\n\n\n"
        "Peer work in forensic care. A preliminary report.\n\n2020 ◽\nAuthor(s):\nBo Li\n"
    )
    first, second = read(text).records
    assert first.abstract == "We asked peers. They answered at length."
    assert second.title == "Peer work in forensic care. A preliminary report."


def test_title_with_subtitle_after_a_colon_is_not_a_structured_abstract():
    text = "2019 ◽\nAuthor(s):\nAna Silva\n\nFROM OBJECT TO FLOW: NETWORK SENSIBILITY\n\n2020 ◽\nAuthor(s):\nBo Li\n"
    first, second = read(text).records
    assert first.abstract is None and second.title == "FROM OBJECT TO FLOW: NETWORK SENSIBILITY"


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Vol 74 (5-B(E))", ("74", "5-B(E)")),
        ("Vol 7 (Suppl 2)", ("7", "Suppl 2")),
        ("Vol 12 (3-4)", ("12", "3-4")),
        ("Vol 31 (may)", ("31", "may")),
        ("Vol (153)", (None, "153")),
        ("Vol 43 (4, SI)", ("43", "4, SI")),
    ],
)
def test_volume_and_issue_forms_databases_print(line, expected):
    (record,) = read(f"2019 ◽\n{line} ◽\nAuthor(s):\nAna Silva\n").records
    assert (record.volume, record.issue) == expected


def test_author_named_like_a_volume_line_stays_an_author():
    (record,) = read("2014 ◽\nAuthor(s):\nGarzon, Ramiro ◽\nVolinia, Stefano ◽\nNicolet, Deedra\n").records
    assert [a.name for a in record.authors] == ["Garzon, Ramiro", "Volinia, Stefano", "Nicolet, Deedra"]


@pytest.mark.parametrize(
    "pages, expected",
    [
        ("e394-e395", ("e394", "e395")),
        ("1405; author reply 1405", ("1405", None)),
        ("12-3; discussion 13-4", ("12", "13")),
        ("561-75; discussion 575", ("561", "575")),
        ("198", ("198", None)),
        ("e16881", ("e16881", None)),
        ("UNSP 11", ("UNSP 11", None)),
    ],
)
def test_page_forms_databases_print(pages, expected):
    (record,) = read(f"2019 ◽\npp. {pages} ◽\nAuthor(s):\nAna Silva\n").records
    assert (record.first_page, record.last_page) == expected


def test_names_with_initials_only_stay_one_author_each():
    (record,) = read("2019 ◽\nAuthor(s):\nS.B. Andersen ◽\nC Armour ◽\nBlachly, J S\n").records
    assert [a.name for a in record.authors] == ["S.B. Andersen", "C Armour", "Blachly, J S"]
