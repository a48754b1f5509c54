"""`kg inspect`: every format read record by record, as JSON Lines and as text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

ROOT = Path(__file__).resolve().parent.parent
LISTING = ROOT / "examples" / "peer-support" / "peer-support-listing.txt"
GOLDEN = ROOT / "tests" / "golden" / "one-journal-three-exports"

SAMPLES = {
    "refs.bib": "@article{doe2020, title = {Peer workers and stigma}, author = {Doe, Jane and Roe, Rich},\n"
                " year = {2020}, journal = {Journal of Peers}, volume = {3}, pages = {10--20}}\n",
    "works.json": json.dumps({"results": [{
        "id": "https://openalex.org/W1", "doi": "https://doi.org/10.1000/oa.1", "title": "Peer support at work",
        "display_name": "Peer support at work", "publication_year": 2021, "type": "article",
        "authorships": [{"author_position": "first", "author": {"id": "https://openalex.org/A1", "display_name": "Jane Doe"}}],
    }]}),
    "pubmed.xml": "<?xml version='1.0'?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>123</PMID>"
                  "<Article><Journal><JournalIssue><Volume>4</Volume><PubDate><Year>2019</Year></PubDate>"
                  "</JournalIssue><Title>Journal of Peers</Title></Journal><ArticleTitle>Peer support trial.</ArticleTitle>"
                  "<AuthorList><Author><LastName>Doe</LastName><ForeName>Jane</ForeName></Author></AuthorList>"
                  "</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>\n",
}


def inspect_json(*args: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["inspect", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_inspect_the_example_listing_record_by_record():
    items = inspect_json(str(LISTING))
    [header] = [i for i in items if i["kind"] == "file"]
    records = [i for i in items if i["kind"] == "record"]
    assert header == {"kind": "file", "file": "peer-support-listing.txt", "format": "listing", "records": 7, "skipped": 0}
    assert len(records) == 7 and [r["line"] for r in records] == sorted(r["line"] for r in records)
    first = records[0]
    assert (first["line"], first["year"], first["volume"], first["issue"], first["first_page"]) == (1, 2007, "14", "3", "81")
    assert first["authors"] == [{"printed": "John Q. Hodges", "given": "John Q.", "family": "Hodges", "orcid": None}]
    assert [s["label"] for s in records[1]["abstract_sections"]] == [
        "Purpose", "Design/methodology/approach", "Findings", "Originality/value"]
    assert any(r["authors_truncated"] for r in records)


@pytest.mark.parametrize("name, fmt, year, doi, family", [
    ("input.ris", "ris", 2020, "10.1234/blood.2020.1", "Okafor"),
    ("input.json", "csl-json", 2021, "10.1234/blood.2021.7", "Ward"),
    ("input.nbib", "medline", 2019, "10.1234/blood.2019.3", "Lee"),
])
def test_inspect_reads_each_export_format_of_the_golden_case(name, fmt, year, doi, family):
    items = inspect_json(str(GOLDEN / name))
    assert items[0]["format"] == fmt
    [record] = [i for i in items if i["kind"] == "record"]
    assert (record["year"], record["doi"], record["authors"][0]["family"]) == (year, doi, family)


@pytest.mark.parametrize("name, fmt", [("refs.bib", "bibtex"), ("works.json", "openalex"), ("pubmed.xml", "pubmed-xml")])
def test_inspect_reads_bibtex_openalex_and_pubmed(tmp_path, name, fmt):
    path = tmp_path / name
    path.write_text(SAMPLES[name], encoding="utf-8")
    items = inspect_json(str(path))
    assert items[0]["format"] == fmt
    [record] = [i for i in items if i["kind"] == "record"]
    assert record["authors"][0]["family"] == "Doe" and record["authors"][0]["given"] == "Jane"
    assert record["year"] in (2019, 2020, 2021)


def test_inspect_lists_what_it_could_not_place_with_file_and_line(tmp_path):
    path = tmp_path / "refs.ris"
    path.write_text("TY  - JOUR\nTI  - One\nAU  - Doe, Jane\nPY  - 2020\nER  - \n"
                    "TY  - JOUR\nTI  - Two\nAU  - Roe, Rich\nPY  - 2021\n", encoding="utf-8")
    items = inspect_json(str(path))
    problems = [i for i in items if i["kind"] == "problem"]
    assert problems and problems[0]["file"] == "refs.ris" and problems[0]["line"] == 6
    assert "not closed by ER" in problems[0]["reason"]
    text = CliRunner().invoke(cli, ["inspect", "--format", "table", str(path)]).stdout
    assert "refs.ris:6: record not closed by ER" in text
    assert "Doe, Jane  ->  Doe, Jane" in text


def test_inspect_text_shows_authors_as_printed_and_as_split():
    result = CliRunner().invoke(cli, ["inspect", "--format", "table", str(LISTING)])
    assert result.exit_code == 0
    assert result.stdout.startswith("peer-support-listing.txt: listing, 7 record(s), 0 skipped\n")
    assert "author 1    John Q. Hodges  ->  Hodges, John Q." in result.stdout
    assert "[Findings]" in result.stdout


def test_inspect_a_missing_file_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["inspect", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2 and "no such file" in result.output


def test_inspect_says_how_each_listing_record_was_cut_out(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text(
        "Peer workers in crisis teams\n\n2019 ◽\nVol 4 (2) ◽\npp. 1-9 ◽\nAuthor(s):\nJane Doe ◽\nRich Roe\n\n"
        "2020 ◽\nVol 5 (1) ◽\nAuthor(s):\nAnna Ben\n",
        encoding="utf-8",
    )
    records = [i for i in inspect_json(str(path)) if i["kind"] == "record"]
    assert [r["delimited"] for r in records] == [
        {"title_line": 1, "ended_by": "the next year line at line 10"},
        {"title_line": None, "ended_by": "the end of the file"},
    ]
    text = CliRunner().invoke(cli, ["inspect", "--format", "table", str(path)]).stdout
    assert "page.txt:1  (title from line 1; ended by the next year line at line 10)" in text
    assert "page.txt:10  (no title line; ended by the end of the file)" in text


def test_inspect_of_other_formats_has_no_delimiting_notes():
    items = inspect_json(str(GOLDEN / "input.ris"))
    assert [i["delimited"] for i in items if i["kind"] == "record"] == [None]
