"""The readers on malformed input: a seeded, bounded run of the mutation fuzzer
(benchmarks/fuzz_readers.py runs the long version), and one regression test
for each crash or quadratic slowdown it found."""

from __future__ import annotations

import json
import random
import re

import pytest

from benchmarks.fuzz_readers import check, find_exports, fuzz_reader, load_seeds
from kg.read import READERS, read_bytes
from kg.read.identifiers import _PAGE_RANGE, _drop_doi_trailer, normalise_doi, split_pages

CASES_PER_READER = 150


@pytest.fixture(scope="module")
def seeds():
    # The real exports make better seeds; without them the repository's own
    # examples and the fuzzer's built-in samples still cover every reader.
    return load_seeds(find_exports())


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_reader_survives_mutated_inputs(seeds, fmt):
    figures = fuzz_reader(fmt, seeds, CASES_PER_READER, seed=20240601)
    assert figures.cases == CASES_PER_READER
    failures = [f"case {case}: {failure}\n{data[:300]!r}" for case, failure, data in figures.failures]
    assert not failures, "\n\n".join(failures[:3])


def read(fmt: str, text: str):
    assert check(text.encode("utf-8"), fmt) is None
    return read_bytes(text.encode("utf-8"), "f", "f", fmt)[1]


# -- crashes the fuzzer found ------------------------------------------------------------


@pytest.mark.parametrize("line", ["TY  -\x85 JOUR", "ER  -x", "ÄB  - x"])
def test_a_ris_line_only_rispy_took_for_a_tag_neither_crashes_nor_cuts_the_record(line):
    result = read("ris", f"TY  - JOUR\nTI  - T\n{line}\nAU  - Silva, Ana\nER  - \n")
    (record,) = result.records
    assert record.title.startswith("T") and [a.name for a in record.authors] == ["Silva, Ana"]


def test_a_bibtex_string_defined_twice_is_a_warning_not_an_attribute_error():
    result = read("bibtex", "@string{j = {Blood}}\n@string{j = {Lancet}}\n@article{k, title = {T}, journal = j}\n")
    assert [r.title for r in result.records] == ["T"]
    assert [(p.line, p.reason) for p in result.problems] == [(2, "@string 'j' defined twice")]


def test_a_bibtex_field_name_holding_a_line_break_gives_a_one_line_message():
    result = read("bibtex", "@article{k, title = {T},\nTI  - x\n  doi = {10.1/x}, TI  - x\n  doi = {10.1/y}}\n")
    assert result.problems and all("\n" not in p.reason for p in result.problems)


@pytest.mark.parametrize("source", [
    {"display_name": False, "issn_l": 7, "issn": [1, None]},
    {"display_name": {"date-parts": {}}, "host_organization_name": ["x"]},
])
def test_openalex_venue_values_of_the_wrong_type_never_reach_the_record(source):
    work = {"id": "https://openalex.org/W1", "title": "T", "primary_location": {"source": source},
            "authorships": [{"author": {"display_name": "Ana Silva"}, "institutions": [{"display_name": 1.5}]}]}
    (record,) = read("openalex", json.dumps([work])).records
    assert record.venue is None and record.authors[0].affiliations == ()


def test_pubmed_text_before_the_xml_declaration_is_reported_not_a_value_error():
    result = read("pubmed-xml", 'junk\n<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet/>\n')
    (problem,) = result.problems
    assert (problem.line, problem.skipped) == (1, True)
    assert problem.reason == "XML not well-formed: Start tag expected, '<' not found; nothing read; skipped"


@pytest.mark.parametrize("text, reason, line", [
    ("<PubmedArticleSet>\n<!--" + "x" * 9000 + "-->\n<PubmedArticle>\x00</PubmedArticle>\n</PubmedArticleSet>\n",
     "XML not well-formed: Invalid character: Char 0x0 out of allowed range; reading what precedes it", 3),
    ("<PubmedArticleSet>\n<PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>T</ArticleTitle>"
     "</Article></MedlineCitation></PubmedArticle>\n<![CDATA[\n\n<x>\n",
     "XML not well-formed: CData section not finished; reading what precedes it", 6),
])
def test_pubmed_syntax_errors_are_one_line_with_their_line(text, reason, line):
    result = read("pubmed-xml", text)
    problem = result.problems[0]
    assert (problem.line, problem.reason.removesuffix("; skipped")) == (line, reason)


# -- quadratic time on long values (no time limit here: quadratic code would hang) ---------

LONG = 200_000


@pytest.mark.parametrize("fmt, text", [
    ("ris", "TY  - JOUR\nTI  - T\nAI  - " + "a" * LONG + "\nER  - \n"),  # Ovid's "Name; ORCID: url" pairs
    ("csl-json", json.dumps([{"title": "T", "keyword": "a" + " " * LONG + "b"}])),  # "\s*[,;]\s*" split
    ("bibtex", "@article{k, title = {T}, author = {Li, Bo}, ORCID-Numbers = {" + "a " * (LONG // 2) + "}}\n"),
    ("medline", "PMID- 1\nTI  - T\nLID - 10.1234/x" + ";" * LONG + "z [doi]\n"),  # the DOI's trailer
    ("ris", "TY  - JOUR\nTI  - T\nSP  - 12" + " " * LONG + "x\nER  - \n"),  # the page range
])
def test_a_long_value_is_read_in_linear_time(fmt, text):
    assert len(read(fmt, text).records) == 1


# The expressions the linear code replaced, to check it reads the same on short values.
OLD_DOI_TRAILER = re.compile(r"(?:\s*\[doi\]|[.,;])+$", re.IGNORECASE)
OLD_PAGE_RANGE = re.compile(r"^\s*([^\s\-–—]+)\s*(?:[-–—]+\s*([^\s\-–—]+))?\s*$")


def test_the_linear_doi_and_page_rules_read_what_the_old_expressions_read():
    rng = random.Random(5)
    alphabet = ["1", "x", " ", "\t", ".", ",", ";", "[doi]", "[DOI]", "-", "–", "e", "/"]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        assert _drop_doi_trailer(text) == OLD_DOI_TRAILER.sub("", text), text
        stripped = text.strip()
        old, new = OLD_PAGE_RANGE.match(stripped), _PAGE_RANGE.match(stripped)
        assert (old and old.groups()) == (new and new.groups()), text
    assert normalise_doi("https://doi.org/10.1234/ABC.;, [DOI].") == "10.1234/abc"
    assert split_pages("  349 -  69 ") == ("349", "369")
