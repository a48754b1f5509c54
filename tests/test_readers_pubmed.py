"""The PubMed XML reader on real PubmedArticleSets and on its quirks."""

from __future__ import annotations

import re

import pytest

from exports import exports, read_text  # noqa: F401  (fixture)
from kg.read import detect_format
from kg.read.pubmed import read_pubmed_xml

REAL_FILES = {"asreview__tests_demo_data__pubmed.xml": 10, "p1m-ortho__pubmed_result.xml": 4}


def read_real(exports, name):
    text = read_text(exports / "pubmed_xml" / name)
    return read_pubmed_xml(text, name), text


@pytest.mark.parametrize("name, expected", sorted(REAL_FILES.items()))
def test_real_file_record_count(exports, name, expected):
    result, text = read_real(exports, name)
    assert text.count("<PubmedArticle>") == expected
    assert len(result.records) == expected
    assert result.problems == []
    starts = [i for i, line in enumerate(text.split("\n"), start=1) if line.strip() == "<PubmedArticle>"]
    assert [r.source.line for r in result.records] == starts
    assert detect_format(text, name) == "pubmed-xml"


def test_structured_abstract_orcid_and_article_doi(exports):
    result, _ = read_real(exports, "p1m-ortho__pubmed_result.xml")
    record = result.records[0]
    assert record.source.line == 5
    assert record.title.startswith("Defining the process to literature searching in systematic reviews")
    assert (record.year, record.volume, record.issue, record.first_page) == (2018, "18", "1", "85")
    # The article's DOI, not one of the cited references' DOIs that follow it.
    assert record.doi == "10.1186/s12874-018-0545-3"
    assert [s.label for s in record.abstract_sections] == ["BACKGROUND", "METHOD", "RESULTS", "CONCLUSIONS"]
    assert record.abstract.startswith("BACKGROUND: Systematic literature searching")
    assert record.authors[0].family == "Cooper"
    assert record.authors[0].given == "Chris"
    assert record.authors[0].orcid == "0000-0003-0864-5607"  # written as http://orcid.org/...
    assert record.authors[0].affiliations[0].startswith("Institute of Health Research, University of Exeter")
    assert record.venue.title == "BMC medical research methodology"
    assert record.venue.eissn == "1471-2288"
    assert ("pmid", "30107788") in record.identifiers and ("pmcid", "PMC6092796") in record.identifiers
    assert len({r.doi for r in result.records}) == 4


def test_issn_types_and_pages(exports):
    result, _ = read_real(exports, "asreview__tests_demo_data__pubmed.xml")
    first = result.records[0]
    assert first.title == "A new decompression device for treating odontogenic cysts using a silicone tube."
    assert (first.venue.issn, first.venue.eissn) == (None, "1532-1940")
    assert first.doi == "10.1016/j.bjoms.2019.09.011"
    assert first.authors[0].family == "Kimura"
    assert ("pmid", "31690499") in first.identifiers
    third = result.records[2]
    assert third.venue.issn == "0886-9634"
    assert (third.volume, third.issue, third.first_page, third.last_page) == ("34", "1", "58", "63")
    assert third.year == 2016


# -- quirks and breakage --------------------------------------------------------

ARTICLE = """<PubmedArticle>
  <MedlineCitation>
    <PMID Version="1">{pmid}</PMID>
    <Article>
      <Journal>
        <ISSN IssnType="Print">0028-4793</ISSN>
        <JournalIssue><Volume>379</Volume><Issue>26</Issue>
          <PubDate><Year>2018</Year><Month>Dec</Month><Day>27</Day></PubDate></JournalIssue>
        <Title>The New England journal of medicine</Title>
      </Journal>
      <ArticleTitle>{title}</ArticleTitle>
      <Pagination><MedlinePgn>2517-28</MedlinePgn></Pagination>
      <Abstract><AbstractText>Peer <i>support</i> helped (P&lt;0.001).</AbstractText></Abstract>
      <AuthorList CompleteYN="N"><Author><LastName>Woyach</LastName><ForeName>Jennifer A</ForeName>
        <Identifier Source="ORCID">0000000230127446</Identifier></Author></AuthorList>
    </Article>
  </MedlineCitation>
  <PubmedData><ArticleIdList><ArticleId IdType="doi">10.1056/NEJMoa1812836</ArticleId></ArticleIdList></PubmedData>
</PubmedArticle>"""


def test_inline_markup_dates_and_truncation():
    text = '<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n' + ARTICLE.format(pmid=1, title="A <i>trial</i>") + "\n</PubmedArticleSet>\n"
    [record] = read_pubmed_xml(text, "f.xml").records
    assert record.source.line == 3
    assert record.title == "A trial"
    assert record.abstract == "Peer support helped (P<0.001)."
    assert (record.year, record.date) == (2018, "2018-12-27")
    assert (record.first_page, record.last_page) == ("2517", "2528")
    assert record.doi == "10.1056/nejmoa1812836"
    assert record.authors[0].orcid == "0000-0002-3012-7446"
    assert record.authors_truncated


def test_medline_date():
    text = ARTICLE.format(pmid=1, title="T").replace(
        "<Year>2018</Year><Month>Dec</Month><Day>27</Day>", "<MedlineDate>2019 Jan-Feb</MedlineDate>"
    )
    [record] = read_pubmed_xml(f"<PubmedArticleSet>{text}</PubmedArticleSet>", "f.xml").records
    assert (record.year, record.date) == (2019, None)


def test_broken_article_reported_good_ones_survive():
    empty = "<PubmedArticle>\n<MedlineCitation><PMID>2</PMID></MedlineCitation>\n</PubmedArticle>"
    text = "<PubmedArticleSet>\n" + ARTICLE.format(pmid=1, title="First") + "\n" + empty + "\n" + ARTICLE.format(pmid=3, title="Third") + "\n</PubmedArticleSet>"
    result = read_pubmed_xml(text, "f.xml")
    assert [r.title for r in result.records] == ["First", "Third"]
    [problem] = result.problems
    assert (problem.line, problem.skipped) == (21, True)
    assert problem.text == "PMID 2"
    assert str(problem).startswith("f.xml:21: record has no title")


def test_malformed_xml_keeps_what_precedes_the_damage():
    text = "<PubmedArticleSet>\n" + ARTICLE.format(pmid=1, title="First") + "\n<PubmedArticle><MedlineCitation>\n</PubmedArticleSet>"
    result = read_pubmed_xml(text, "f.xml")
    assert [r.title for r in result.records] == ["First"]
    assert result.problems and not result.problems[0].skipped
    assert "not well-formed" in result.problems[0].reason
    assert re.match(r"f\.xml:\d+: XML not well-formed", str(result.problems[0]))


def test_keywords_subject_headings_and_major_topics(exports):
    result, _ = read_real(exports, "p1m-ortho__pubmed_result.xml")
    record = result.records[1]
    # MeshHeading/DescriptorName: subject headings; MajorTopicYN="Y": major
    assert record.subject_headings == ("Information Storage and Retrieval", "Research Personnel",
                                       "Review Literature as Topic", "Students", "Universities")
    assert "Review Literature as Topic" not in record.major_headings
    assert "Research Personnel" in record.major_headings
    assert record.keywords == ()
    result, _ = read_real(exports, "asreview__tests_demo_data__pubmed.xml")
    first, third = result.records[0], result.records[2]
    assert first.keywords == ("decompression", "marsupialization", "odontogenic cysts", "silicone tube")
    assert first.subject_headings == ()
    # a qualifier with MajorTopicYN="Y" makes its descriptor major
    assert "Odontogenic Cysts" in third.major_headings and "Cheek" not in third.major_headings
    assert "Ameloblastoma" in third.keywords and "Ameloblastoma" in third.subject_headings
