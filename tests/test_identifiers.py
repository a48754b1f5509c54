"""The shared normalisers in kg.read.identifiers."""

from __future__ import annotations

import pytest

from kg.read.identifiers import (
    find_issns,
    missing_identity,
    normalise_doi,
    normalise_orcid,
    parse_date,
    split_pages,
    strip_markup,
)
from kg.model import Author, Record, SourceRef


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("10.1002/CPP.2398", "10.1002/cpp.2398"),
        ("https://doi.org/10.1023/A:1024814009769", "10.1023/a:1024814009769"),
        ("http://dx.doi.org/10.1002/cpp.2398", "10.1002/cpp.2398"),
        ("doi:10.1177/1359105317742958", "10.1177/1359105317742958"),
        ("DOI: 10.1177/1359105317742958", "10.1177/1359105317742958"),
        ("10.1056/NEJMoa1812836 [doi]", "10.1056/nejmoa1812836"),
        ("doi: 10.2165/11586800-000000000-00000.", "10.2165/11586800-000000000-00000"),
        ("https://doi.org/10.1111%2fene.13758", "10.1111/ene.13758"),
        ("e32822", None),
        ("", None),
        (None, None),
        ("10.12/too-short-prefix", None),
    ],
)
def test_normalise_doi(raw, expected):
    assert normalise_doi(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("0028-4793", "0028-4793"),
        ("03064530 (ISSN)", "0306-4530"),
        ("2211-369x", "2211-369X"),
        ("1533-4406 (Electronic)", "1533-4406"),
        ("2211-3691", None),  # wrong check digit
        ("978-3-16-148410-0", None),  # an ISBN
        (None, None),
    ],
)
def test_find_issns_normalises_and_checks(raw, expected):
    assert find_issns(raw) == ([expected] if expected else [])


def test_two_issns_in_one_field():
    assert find_issns("1536-5964 0025-7974") == ["1536-5964", "0025-7974"]
    assert find_issns("0894-9867, 0894-9867") == ["0894-9867"]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("https://orcid.org/0000-0002-3012-7446", "0000-0002-3012-7446"),
        ("http://orcid.org/0000-0001-8164-178X", "0000-0001-8164-178X"),
        ("ORCID: 0000000230127446", "0000-0002-3012-7446"),
        ("0000-0002-1694-233x", "0000-0002-1694-233X"),
        ("0000-0002-3012-7447", None),  # checksum fails
        ("Trindade, Ines A.", None),
    ],
)
def test_normalise_orcid(raw, expected):
    assert normalise_orcid(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2019/10//undefined", (2019, None)),
        ("2019///", (2019, None)),
        ("2019//", (2019, None)),
        ("2019 Oct 15", (2019, "2019-10-15")),
        ("2018 Dec 27", (2018, "2018-12-27")),
        ("2020 Feb", (2020, None)),
        ("2019 Jan-Feb", (2019, None)),
        ("2019-10-15", (2019, "2019-10-15")),
        ("1997/02/01", (1997, "1997-02-01")),
        ("20190111", (2019, "2019-01-11")),
        ("2018 Winter", (2018, None)),
        ("Mar 1", (None, None)),
        ({"date-parts": [[2019, 10, 15]]}, (2019, "2019-10-15")),
        ({"date-parts": [[2019]]}, (2019, None)),
        ([[2012, 3, 21]], (2012, "2012-03-21")),
        (2018, (2018, None)),
        (None, (None, None)),
        ("2019-13-40", (2019, None)),
    ],
)
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected


def test_a_day_the_month_does_not_have_gives_no_date():
    assert parse_date("2019-02-31") == (2019, None)
    assert parse_date("2019 Apr 31") == (2019, None)
    assert parse_date("2020-02-29") == (2020, "2020-02-29")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("349-69", ("349", "369")),
        ("2517-2528", ("2517", "2528")),
        ("25--32", ("25", "32")),
        ("e32822", ("e32822", None)),
        ("S1-S10", ("S1", "S10")),
        ("12-3; discussion 13-4", ("12", "13")),
        ("1405; author reply 1405", ("1405", None)),
        ("9-13; quiz 13", ("9", "13")),
        ("No", (None, None)),
        (None, (None, None)),
    ],
)
def test_split_pages(raw, expected):
    assert split_pages(raw) == expected


def test_strip_markup_keeps_text_and_comparisons():
    jats = "<jats:title>Abstract</jats:title><jats:p>H<sub>2</sub>O &amp; tea, P<0.001 and p > 0.05</jats:p>"
    assert strip_markup(jats) == "Abstract H2O & tea, P<0.001 and p > 0.05"
    assert strip_markup("<b>The PhD</b><br>Thesis") == "The PhD Thesis"
    assert strip_markup("  \n ") is None
    assert strip_markup(None) is None


def test_missing_identity():
    source = SourceRef("f", 1, "ris")
    assert missing_identity(Record(source, title="T")) is None
    assert missing_identity(Record(source, doi="10.1/x")) is None
    assert missing_identity(Record(source, authors=(Author("A B"),), year=2019)) is None
    assert missing_identity(Record(source, year=2019)) is not None


def test_normalise_pmcid_gives_pubmed_centrals_form_whatever_the_export_printed():
    from kg.read.identifiers import normalise_pmcid

    assert normalise_pmcid("pmc1234") == normalise_pmcid("1234") == normalise_pmcid(" PMC1234 ") == "PMC1234"
    assert normalise_pmcid("") is None and normalise_pmcid(None) is None


def test_first_line_of_a_server_answer_or_an_exception():
    from kg.text import first_line

    assert first_line(b"\n  Internal Server Error \nmore") == "Internal Server Error"
    assert first_line(ValueError("")) == "ValueError"
    assert first_line("x" * 400) == "x" * 300
