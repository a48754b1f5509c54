"""The CSL-JSON / Crossref API reader on real files and on its JSON variants."""

from __future__ import annotations

import json

import pytest

from exports import exports, read_text  # noqa: F401  (fixture)
from kg.read import detect_format
from kg.read.csljson import read_csl_json

CSL_FILES = [
    "manubot__cite_tests_csl-json__crossref-deep-review-csl__raw.json",
    "manubot__cite_tests_csl-json__crossref-winter-scabs-csl__raw.json",
    "manubot__cite_tests_csl-json__datacite-thesis-csl__raw.json",
    "manubot__cite_tests_csl-json__pmc-scihub-study-csl__raw.json",
    "manubot__cite_tests_csl-json__pubmed-scihub-study-csl__raw.json",
]
CROSSREF_FILES = {
    "habanero-cassette-body__members_98_works_rows5__work-list.json": 5,
    "habanero-cassette-body__works__10.1002_jor.1100150407.json": 1,
    "habanero-cassette-body__works__10.1016_j.neurobiolaging.2010.03.024.json": 1,
    "habanero-cassette-body__works__10.1371_journal.pone.0033693.json": 1,
    "habanero-cassette-body__works_query-ecology_rows2__work-list.json": 2,
}


def independent_count(text: str) -> int:
    data = json.loads(text)
    if isinstance(data, list):
        return len(data)
    message = data.get("message", data)
    return len(message["items"]) if "items" in message else 1


@pytest.mark.parametrize("folder, name", [("csl_json", n) for n in CSL_FILES] + [("crossref_json", n) for n in CROSSREF_FILES])
def test_real_file_record_count(exports, folder, name):
    text = read_text(exports / folder / name)
    result = read_csl_json(text, name)
    expected = CROSSREF_FILES.get(name, 1)
    assert independent_count(text) == expected
    assert len(result.records) == expected
    assert result.problems == []
    assert [r.source.line for r in result.records] == list(range(1, expected + 1))
    assert detect_format(text, name) == "csl-json"


def test_csl_item_with_orcids_and_ids(exports):
    name = CSL_FILES[0]
    record = read_csl_json(read_text(exports / "csl_json" / name), name).records[0]
    assert record.title == "Opportunities and obstacles for deep learning in biology and medicine"
    assert record.doi == "10.1098/rsif.2017.0387"
    assert (record.year, record.volume, record.issue, record.first_page) == (2018, "15", "141", "20170387")
    assert record.venue.title == "Journal of The Royal Society Interface"
    assert (record.venue.issn, record.venue.eissn) == ("1742-5689", "1742-5662")
    assert record.authors[0].family == "Ching"
    assert record.authors[0].orcid == "0000-0002-5577-3516"
    assert len(record.authors) == 36
    assert ("pmid", "29618526") in record.identifiers and ("pmcid", "PMC5938574") in record.identifiers


def test_csl_html_abstract_is_stripped(exports):
    name = "manubot__cite_tests_csl-json__datacite-thesis-csl__raw.json"
    record = read_csl_json(read_text(exports / "csl_json" / name), name).records[0]
    assert record.abstract.startswith("The PhD Dissertation of Daniel S. Himmelstein. ")
    assert "<" not in record.abstract
    assert record.doi == "10.6084/m9.figshare.4724797"
    assert record.authors[0].family == "Himmelstein"


def test_crossref_work_envelope(exports):
    name = "habanero-cassette-body__works__10.1371_journal.pone.0033693.json"
    record = read_csl_json(read_text(exports / "crossref_json" / name), name).records[0]
    assert record.title.startswith("Methylphenidate Exposure Induces Dopamine Neuron Loss")
    assert record.doi == "10.1371/journal.pone.0033693"
    assert (record.year, record.volume, record.issue, record.first_page) == (2012, "7", "3", "e33693")
    assert record.venue.title == "PLoS ONE"
    assert (record.venue.issn, record.venue.eissn) == (None, "1932-6203")  # issn-type says electronic
    assert record.authors[0].family == "Sadasivan"
    assert record.doc_type == "journal-article"


def test_crossref_work_list_with_jats_abstracts(exports):
    name = "habanero-cassette-body__members_98_works_rows5__work-list.json"
    result = read_csl_json(read_text(exports / "crossref_json" / name), name)
    record = result.records[0]
    assert record.doi == "10.1155/2018/3687839"
    assert record.venue.title == "Complexity"
    assert (record.venue.issn, record.venue.eissn) == ("1076-2787", "1099-0526")
    assert record.authors[0].family == "Villani"
    assert record.authors[0].orcid == "0000-0002-5991-5470"
    assert record.authors[0].affiliations[0].startswith("Department of Physics, Informatics and Mathematics")
    assert all("jats" not in (r.abstract or "") for r in result.records)
    assert record.abstract.startswith("Systems that exhibit complex behaviours")


# -- variants and breakage ------------------------------------------------------

ITEM = {
    "type": "article-journal",
    "title": "Peer support <i>in</i> mental health",
    "author": [{"family": "Watson", "given": "Emma", "ORCID": "https://orcid.org/0000-0002-3012-7446"}],
    "issued": {"date-parts": [[2016, 5, 2]]},
    "container-title": "Psychiatric Services",
    "ISSN": ["1075-2730", "1557-9700"],
    "DOI": "https://doi.org/10.1176/APPI.PS.1",
    "page": "149-52",
    "abstract": "<jats:title>Abstract</jats:title><jats:sec><jats:title>Background</jats:title><jats:p>Peers help.</jats:p></jats:sec>",
}


@pytest.mark.parametrize(
    "document",
    [ITEM, [ITEM], {"status": "ok", "message": ITEM}, {"status": "ok", "message": {"items": [ITEM]}}],
    ids=["item", "list", "crossref-work", "crossref-work-list"],
)
def test_json_shapes(document):
    text = json.dumps(document)
    assert detect_format(text, "export.json") == "csl-json"
    [record] = read_csl_json(text, "f.json").records
    assert record.title == "Peer support in mental health"
    assert (record.year, record.date) == (2016, "2016-05-02")
    assert record.doi == "10.1176/appi.ps.1"
    assert (record.first_page, record.last_page) == ("149", "152")
    assert (record.venue.issn, record.venue.eissn) == ("1075-2730", "1557-9700")
    assert record.authors[0].orcid == "0000-0002-3012-7446"
    assert record.abstract == "Abstract Background Peers help."


def test_broken_items_reported_by_index():
    text = json.dumps([ITEM, "not an item", {"type": "article-journal", "volume": "3"}, {**ITEM, "DOI": "nope"}])
    result = read_csl_json(text, "f.json")
    assert [r.source.line for r in result.records] == [1, 4]
    assert [(p.line, p.skipped) for p in result.skipped] == [(2, True), (3, True)]
    assert "not an object" in result.skipped[0].reason
    assert [(p.line, p.skipped) for p in result.problems if not p.skipped] == [(4, False)]
    assert result.records[1].doi is None


def test_invalid_json_is_one_skipped_problem():
    result = read_csl_json('[{"title": "a",\n  oops}]', "bad.json")
    assert result.records == []
    assert [(p.line, p.skipped) for p in result.problems] == [(2, True)]
    assert "not valid JSON" in result.problems[0].reason
