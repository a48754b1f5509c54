"""The OpenAlex reader on real works files and on its JSON shapes."""

from __future__ import annotations

import json

import pytest

from exports import exports, read_text  # noqa: F401  (fixture)
from kg.read import detect_format
from kg.read.openalex import read_openalex, rebuild_abstract

SINGLE = "synergy-dataset__Oud_2018__metadata_publication.json"
WORKS = "synergy-dataset__Oud_2018__works_1.zip__works_0_25.json"


@pytest.mark.parametrize("name, expected", [(SINGLE, 1), (WORKS, 25)])
def test_real_file_record_count(exports, name, expected):
    text = read_text(exports / "openalex_json" / name)
    data = json.loads(text)
    assert (len(data) if isinstance(data, list) else 1) == expected
    result = read_openalex(text, name)
    assert len(result.records) == expected
    assert result.problems == []
    assert detect_format(text, name) == "openalex"


def test_single_work(exports):
    record = read_openalex(read_text(exports / "openalex_json" / SINGLE), SINGLE).records[0]
    assert record.title.startswith("Specialized psychotherapies for adults with borderline personality disorder")
    assert (record.year, record.date) == (2018, "2018-08-09")
    assert record.doi == "10.1177/0004867418791257"
    assert (record.volume, record.issue, record.first_page, record.last_page) == ("52", "10", "949", "961")
    assert record.venue.title == "Australian and New Zealand Journal of Psychiatry"
    assert record.venue.issn == "0004-8674"  # issn_l
    assert record.venue.publisher == "SAGE Publishing"
    first = record.authors[0]
    assert (first.name, first.family, first.orcid) == ("Matthijs Oud", "Oud", "0000-0001-8194-3614")
    assert "Trimbos Institute" in first.affiliations[0]
    assert ("openalex", "W2885938281") in record.identifiers
    assert ("pmid", "30091375") in record.identifiers
    assert ("pmcid", "PMC6151959") in record.identifiers
    assert record.abstract.startswith("Objective: Borderline personality disorder affects up to 2% of the population")
    # MeSH descriptors are subject headings, never author keywords (OpenAlex has none)
    assert record.keywords == ()
    assert "Borderline Personality Disorder" in record.subject_headings
    assert "Humans" in record.subject_headings and "Humans" not in record.major_headings
    assert set(record.major_headings) <= set(record.subject_headings)


def test_works_list(exports):
    result = read_openalex(read_text(exports / "openalex_json" / WORKS), WORKS)
    record = result.records[0]
    assert record.source.line == 1
    assert record.doi == "10.1016/j.drugalcdep.2007.06.001"
    assert record.year == 2008
    assert record.venue.title == "Drug and Alcohol Dependence"
    assert (record.volume, record.issue, record.first_page, record.last_page) == ("92", "1-3", "27", "36")
    second = result.records[1]
    assert second.doi == "10.1038/tp.2013.34"
    assert second.authors[0].family == "Bakermans-Kranenburg"
    assert sum(1 for r in result.records if r.abstract) == 23
    assert sum(1 for r in result.records if r.doc_type is None) == 1  # one reference-entry


def test_rebuild_abstract():
    assert rebuild_abstract({"support": [1], "Peer": [0], "helps.": [3], "often": [2]}) == "Peer support often helps."
    assert rebuild_abstract(None) is None
    assert rebuild_abstract({}) is None


WORK = {
    "id": "https://openalex.org/W1",
    "doi": "https://doi.org/10.1000/ABC",
    "title": "Peer <i>support</i>",
    "publication_year": 2020,
    "type": "article",
    "authorships": [{"author": {"display_name": "Emma Watson", "orcid": "https://orcid.org/0000-0002-3012-7446"}, "institutions": [{"display_name": "Uni"}]}],
    "primary_location": {"source": {"display_name": "medRxiv", "type": "repository", "issn_l": None, "issn": None}},
}


@pytest.mark.parametrize("document", [WORK, [WORK], {"meta": {"count": 1}, "results": [WORK]}], ids=["work", "list", "results"])
def test_json_shapes(document):
    text = json.dumps(document)
    assert detect_format(text, "works.json") == "openalex"
    [record] = read_openalex(text, "w.json").records
    assert record.title == "Peer support"
    assert record.doi == "10.1000/abc"
    assert record.doc_type == "preprint"  # an article hosted by a repository
    assert record.authors[0].affiliations == ("Uni",)
    assert record.authors[0].orcid == "0000-0002-3012-7446"


def test_broken_work_reported_by_index():
    text = json.dumps({"results": [WORK, 42, {"id": "https://openalex.org/W3"}]})
    result = read_openalex(text, "w.json")
    assert len(result.records) == 1
    assert [(p.line, p.skipped) for p in result.problems] == [(2, True), (3, True)]


@pytest.mark.parametrize("first, last, expected", [
    ("91", "8", ("91", "98")),      # an abbreviated last page, as OpenAlex passes it on
    ("349", "69", ("349", "369")),
    ("91", "98", ("91", "98")),
    ("e15572", None, ("e15572", None)),
])
def test_abbreviated_last_page_is_expanded_so_pages_stay_in_order(first, last, expected):
    work = {**WORK, "biblio": {"volume": "3", "first_page": first, "last_page": last}}
    [record] = read_openalex(json.dumps(work), "w.json").records
    assert (record.first_page, record.last_page) == expected
