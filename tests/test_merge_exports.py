"""Merging on the real export files: the cross-file duplicates found by hand.

The p1m-ortho files are one systematic-review search run in PubMed, Scopus and
Google Scholar: four papers appear in all three (Scholar without DOIs) and four
more in Scopus and Scholar. The Sci-Hub study appears in two CSL-JSON files and
a MEDLINE file.
"""

from __future__ import annotations

import pytest
from rapidfuzz.distance import Indel

from kg.read.inputs import expand_inputs, read_inputs
from kg.identity.works import family_key, title_forms
from kg.text import fold
from kg.identity.resolve import resolve
from kg.vocab import DEFAULT_BASE
from tests.exports import exports  # noqa: F401 (fixture)

WORK = f"{DEFAULT_BASE}work/"
ORTHO = "p1m-ortho__"
EXPECTED_WORK_MERGES = {
    "doi/10.1186/s12874-018-0545-3": [f"{ORTHO}pubmed_result.xml:5", f"{ORTHO}scholar.bib:1", f"{ORTHO}scopus.bib:51"],
    "doi/10.5195/jmla.2018.387": [f"{ORTHO}pubmed_result.xml:796", f"{ORTHO}scholar.bib:121", f"{ORTHO}scopus.bib:132"],
    "doi/10.5195/jmla.2018.323": [f"{ORTHO}pubmed_result.xml:941", f"{ORTHO}scholar.bib:54", f"{ORTHO}scopus.bib:158"],
    "doi/10.5195/jmla.2017.189": [f"{ORTHO}pubmed_result.xml:1212", f"{ORTHO}scholar.bib:43", f"{ORTHO}scopus.bib:232"],
    "doi/10.1016/j.jclinepi.2018.02.011": [f"{ORTHO}scholar.bib:12", f"{ORTHO}scopus.bib:107"],
    "doi/10.1002/jrsm.1275": [f"{ORTHO}scholar.bib:22", f"{ORTHO}scopus.bib:206"],
    "doi/10.1111/ene.13758": [f"{ORTHO}scholar.bib:99", f"{ORTHO}scopus.bib:4"],
    "doi/10.1159/000489932": [f"{ORTHO}scholar.bib:110", f"{ORTHO}scopus.bib:80"],
    # "For Your Enrichment: A Model for..." (Scholar) is "A model for..." (Scopus):
    # title similarity 0.92, same year, first author, volume 58 and first page 22.
    "riegelman-2018-34b4fa8f7f": [f"{ORTHO}scholar.bib:80", f"{ORTHO}scopus.bib:31"],
    # Scholar has only the Spanish title; Scopus gives "English title [Spanish title]".
    # Same three authors, same year.
    "doi/10.3989/redc.2018.2.1491": [f"{ORTHO}scholar.bib:74", f"{ORTHO}scopus.bib:183"],
    "doi/10.7554/elife.32822": [
        "manubot__cite_tests_csl-json__pmc-scihub-study-csl__raw.json:1",
        "manubot__cite_tests_csl-json__pubmed-scihub-study-csl__raw.json:1",
        "manubot__pandoc_tests_bibliographies__bibliography.nbib:1",
    ],
}


@pytest.fixture(scope="module")
def records():
    """Every record of every export file, read once for the module."""
    from tests.exports import exports_dir

    folder = exports_dir()
    if folder is None:
        pytest.skip("../shared/corpus/exports not present (a user's clone)")
    return read_inputs(expand_inputs([folder]))[0].records


@pytest.fixture(scope="module")
def corpus(records):
    return resolve(records, DEFAULT_BASE)


def test_the_cross_file_duplicates_found_by_hand_are_merged_and_nothing_else(corpus):
    found = {
        m.subject.removeprefix(WORK): sorted(f"{r.file}:{r.line}" for r in m.records)
        for m in corpus.merges
        if m.kind == "work"
    }
    assert found == EXPECTED_WORK_MERGES


def test_merged_works_agree_on_year_title_and_doi(corpus):
    for work in corpus.works:
        if len(work.sources) < 2:
            continue
        assert len({s.doi for s in work.sources if s.doi}) <= 1
        assert len({s.year for s in work.sources}) == 1, work.iri
        # A bracketed "English [original]" title agrees through one of its parts.
        titles = [title_forms(s.title) for s in work.sources if s.title]
        assert min(
            max(Indel.normalized_similarity(a, b) for a in titles[0] for b in forms) for forms in titles
        ) >= 0.9, work.iri


def test_merged_people_share_a_family_name(corpus):
    for person in corpus.people.values():
        family = family_key(person.family or person.name)
        assert all(family in fold(name).replace(" ", "") for name in person.variants), person.variants


def test_real_person_merges(corpus):
    def variants(iri_tail):
        return corpus.people[f"{DEFAULT_BASE}person/{iri_tail}"].variants

    # the same paper in PubMed, Scopus and Scholar
    assert variants("whitney-a-townsend") == ("Townsend, W.A.", "Townsend, Whitney A", "Whitney A Townsend")
    # a shared co-author within the MEDLINE file
    assert variants("ann-kathrin-eisfeld") == ("Eisfeld, A-K", "Eisfeld, Ann-Kathrin")
    # an ORCID in one record, the same printed name without it in others
    assert variants("orcid/0000-0002-4275-5562") == ("Blachly, J S", "Blachly, James S")


def test_ambiguous_and_different_people_stay_apart(corpus):
    by_name = {}
    for person in corpus.people.values():
        for name in person.variants:
            by_name.setdefault(name, set()).add(person.iri)
    # "Saygin, Caner" is printed with two ORCIDs: two people, and the name alone joins neither
    assert len(by_name["Saygin, Caner"]) == 3
    # "Min" is not "Min-Hui"
    assert by_name["Wang, Min"] != by_name["Wang, Min-Hui"]


def test_one_venue_per_journal_across_the_exports(corpus):
    """Regression: Blood, Leukemia, NEJM and four other journals were two venues
    each, one per ISSN, because exports give print and electronic ISSNs in
    different orders or only one of them."""
    issns: dict[str, set[str]] = {}
    titles: dict[str, set[str]] = {}
    for work in corpus.works:
        venue = work.record.venue
        if work.venue_iri is None:
            continue
        for issn in filter(None, (venue.issn, venue.eissn)):
            issns.setdefault(issn, set()).add(work.venue_iri)
        titles.setdefault(work.venue_iri, set()).add(venue.title)
    assert {issn: iris for issn, iris in issns.items() if len(iris) > 1} == {}
    assert {iri: t for iri, t in titles.items() if len(t) > 1} == {}
    blood = {w.venue_iri for w in corpus.works if w.record.venue and w.record.venue.title == "Blood"}
    assert blood == {f"{DEFAULT_BASE}venue/issn/0006-4971"}
    assert len({w.venue_iri for w in corpus.works if w.venue_iri}) == 190


def test_readers_say_when_they_know_which_issn_is_print(records):
    """PubMed XML (IssnType), MEDLINE ((Print)/(Electronic)), Crossref CSL-JSON
    (issn-type) and Web of Science BibTeX (EISSN) label their ISSNs; RIS and
    OpenAlex list them. Counted over every export record with an ISSN."""
    from collections import Counter

    counts = Counter(
        (record.source.format, record.venue.issns_typed)
        for record in records
        if record.venue and (record.venue.issn or record.venue.eissn)
    )
    assert dict(counts) == {
        ("bibtex", False): 143, ("bibtex", True): 136, ("csl-json", False): 4, ("csl-json", True): 8,
        ("medline", True): 77, ("openalex", False): 25, ("pubmed-xml", True): 14, ("ris", False): 46,
    }
