"""Input files that are not what they should be: encodings, binary files,
implausible years, files named twice, files that give nothing, broken JSON,
and the exit codes `kg build` and `kg concepts eval` give for them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.pipeline import build_graph
from kg.read import read_bytes
from kg.read.decoding import decode_bytes
from kg.read.identifiers import FIRST_YEAR, LAST_YEAR, parse_date, plausible_year
from kg.read.inputs import expand_inputs, read_inputs
from kg.vocab import DEFAULT_BASE

ROOT = Path(__file__).resolve().parents[1]
LISTING = ROOT / "examples" / "peer-support" / "peer-support-listing.txt"
RIS = ROOT / "tests" / "golden" / "one-journal-three-exports" / "input.ris"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)) * 4


@pytest.fixture
def runner():
    return CliRunner()


def build_cli(runner, *args):
    return runner.invoke(cli, ["build", *map(str, args), "--no-tag"])


# -- 6: one invalid UTF-8 byte ----------------------------------------------------------

MULLER = "Title of a paper\n\n2019 ◽\nAuthor(s):\nAnna Müller ◽ Bo Li\n\n"


def test_one_invalid_utf8_byte_does_not_turn_the_file_into_cp1252(tmp_path):
    clean = tmp_path / "clean.txt"
    clean.write_text(MULLER + "Abstract: Caf\u00e9 culture.\n", encoding="utf-8")
    broken = tmp_path / "broken.txt"
    broken.write_bytes(MULLER.encode("utf-8") + b"Abstract: Caf\xe9 culture.\n")  # one Latin-1 byte
    fmt, result = read_bytes(broken.read_bytes(), str(broken), "broken.txt")
    (record,) = result.records
    assert record.authors[0].name == "Anna Müller"
    assert record.abstract == "Caf\u00e9 culture."
    (problem,) = result.problems
    assert (problem.line, problem.skipped) == (7, False)
    assert str(problem) == "broken.txt:7: line is not valid UTF-8; read as cp1252"
    graphs = [build_graph([path], DEFAULT_BASE, tag=False).lines for path in (clean, broken)]
    people = [{line.split()[0] for line in lines if "/person/" in line.split()[0]} for lines in graphs]
    assert people[0] == people[1] == {f"<{DEFAULT_BASE}person/anna-muller>", f"<{DEFAULT_BASE}person/bo-li>"}
    assert any('"Anna M\\u00FCller"' in line or '"Anna Müller"' in line for line in graphs[1])


def test_a_file_wholly_in_cp1252_reports_ten_lines_then_one_summary():
    data = "".join(f"Caf\u00e9 {n}\n" for n in range(1, 26)).encode("cp1252")
    decoded = decode_bytes(data)
    assert decoded.fallback_lines == list(range(1, 26)) and decoded.text.startswith("Caf\u00e9 1\n")
    _, result = read_bytes(data, "x.txt", "x.txt", "listing")
    encoding = [p for p in result.problems if "cp1252" in p.reason]
    assert [p.line for p in encoding] == list(range(1, 12))
    assert encoding[-1].reason == "15 more line(s) up to line 25 are not valid UTF-8; read as cp1252"


def test_line_numbers_of_fallback_lines_count_every_kind_of_line_break():
    decoded = decode_bytes(b"a\r\nb\rc\nd\xe9\n")
    assert decoded.text == "a\nb\nc\nd\u00e9\n" and decoded.fallback_lines == [4]


# -- 7: UTF-16 and UTF-32 with a byte order mark ----------------------------------------

WIDE = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]


def with_bom(text: str, encoding: str) -> bytes:
    """``text`` in ``encoding`` with its byte order mark (the -le/-be codecs write none)."""
    if encoding in ("utf-16", "utf-32"):
        return text.encode(encoding)
    return "\ufeff".encode(encoding) + text.encode(encoding)


@pytest.mark.parametrize("encoding", WIDE)
@pytest.mark.parametrize("path", [LISTING, RIS], ids=["listing", "ris"])
def test_utf16_and_utf32_files_with_a_bom_give_the_records_of_their_utf8_original(encoding, path, tmp_path):
    text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
    wide = tmp_path / path.name
    wide.write_bytes(with_bom(text, encoding))
    fmt, result = read_bytes(wide.read_bytes(), str(wide), path.name)
    original_fmt, original = read_bytes(path.read_bytes(), str(path), path.name)
    assert fmt == original_fmt
    assert result.records == original.records and result.records
    assert result.problems == original.problems


def test_broken_utf16_reports_the_line_and_keeps_the_rest():
    data = with_bom("2019 ◽\nAuthor(s):\nAna Silva\n", "utf-16-le") + b"\x00\xd8" + "x\n".encode("utf-16-le")
    decoded = decode_bytes(data)
    assert decoded.binary is None and decoded.fallback_lines == [4]
    _, result = read_bytes(data, "w.txt", "w.txt", "listing")
    assert result.records[0].authors[0].name == "Ana Silva"
    assert any(p.line == 4 and "not valid UTF-16-LE" in p.reason for p in result.problems)


# -- 8: binary files ---------------------------------------------------------------------


@pytest.mark.parametrize("data", [PNG, "2019 ◽\nAuthor(s):\n".encode("utf-16-le"), bytes(range(1, 32)) * 40],
                         ids=["png", "utf16-without-bom", "control-characters"])
def test_a_binary_file_is_skipped_with_one_problem_not_a_warning_per_line(data):
    fmt, result = read_bytes(data, "pic.txt", "pic.txt")
    assert fmt == "binary" and result.records == []
    (problem,) = result.problems
    assert problem.skipped and problem.line == 0
    assert str(problem).startswith("pic.txt: binary file") and str(problem).endswith("; skipped")


def test_a_stray_nul_late_in_a_text_file_does_not_make_it_binary():
    data = LISTING.read_bytes() + b"\n" * 9000 + b"x\x00y\n"
    fmt, result = read_bytes(data, "l.txt", "l.txt")
    assert fmt == "listing" and len(result.records) == 7


# -- 9: one year rule for every reader ---------------------------------------------------


def test_the_year_rule_is_the_one_parse_date_finds_in_free_text():
    assert (FIRST_YEAR, LAST_YEAR) == (1500, 2099)
    for year in range(1000, 2200):
        expected = year if FIRST_YEAR <= year <= LAST_YEAR else None
        assert plausible_year(year) == (expected is not None)
        assert parse_date(str(year))[0] == expected
        assert parse_date(f"published in {year}")[0] == expected
        assert parse_date({"date-parts": [[year, 1, 2]]})[0] == expected
    assert not plausible_year(True) and parse_date(float("inf")) == (None, None)
    assert parse_date({"date-parts": [[float("inf")]]}) == (None, None)


def test_csl_json_years_out_of_the_rule_are_dropped_and_reported(tmp_path):
    items = [{"title": f"T{n}", "issued": {"date-parts": [[value]]}} for n, value in enumerate([99999, -44, 0, 2019])]
    items.append({"title": "T4", "issued": "abc"})
    items.append({"title": "T5", "issued": {"date-parts": [[None]]}})  # Crossref's unknown date: silent
    _, result = read_bytes(json.dumps(items).encode(), "y.json", "y.json")
    assert [r.year for r in result.records] == [None, None, None, 2019, None, None]
    assert [(p.line, p.text) for p in result.problems] == [
        (1, '{"date-parts": [[99999]]}'), (2, '{"date-parts": [[-44]]}'), (3, '{"date-parts": [[0]]}'), (5, "abc"),
    ]
    assert all(p.reason.endswith("holds no year from 1500 to 2099; ignored") and not p.skipped for p in result.problems)
    (tmp_path / "y.json").write_text(json.dumps(items))
    built = build_graph([tmp_path / "y.json"], DEFAULT_BASE, tag=False)
    years = [line for line in built.lines if "hasPublicationYear" in line]
    assert len(years) == 1 and '"2019"^^' in years[0]


PUBMED = """<?xml version="1.0"?>
<PubmedArticleSet>
<PubmedArticle><MedlineCitation><PMID>1</PMID><Article>
<Journal><JournalIssue>
<PubDate><Year>99999</Year></PubDate>
</JournalIssue></Journal><ArticleTitle>T</ArticleTitle></Article></MedlineCitation></PubmedArticle>
</PubmedArticleSet>
"""

YEAR_CASES = {
    "listing": ("T\n\n0999 ◽\nAuthor(s):\nAna Silva\n", 3, "year line '0999'"),
    "ris": ("TY  - JOUR\nTI  - T\nPY  - 99999\nER  - \n", 3, "PY '99999'"),
    "bibtex": ("@article{k,\n  title = {T},\n  year = {1499}\n}\n", 1, "year '1499'"),
    "csl-json": ('[{"title": "T", "issued": {"date-parts": [[2100]]}}]', 1, "issued '{\"date-parts\": [[2100]]}'"),
    "openalex": ('[{"id": "https://openalex.org/W1", "title": "T", "publication_year": -44}]', 1,
                 "publication_year '-44'"),
    "pubmed-xml": (PUBMED, 5, "Year '99999'"),
    "medline": ("PMID- 1\nTI  - T\nDP  - 99999 Jan\n", 3, "DP '99999 Jan'"),
}


@pytest.mark.parametrize("fmt", sorted(YEAR_CASES))
def test_every_reader_drops_an_implausible_year_with_the_same_warning(fmt):
    text, line, field = YEAR_CASES[fmt]
    used, result = read_bytes(text.encode(), "f", "f", fmt)
    (record,) = result.records
    assert record.year is None and record.title == "T"
    (problem,) = result.problems
    assert (problem.line, problem.skipped) == (line, False)
    assert problem.reason == f"{field} holds no year from 1500 to 2099; ignored"


def test_a_listing_record_whose_only_anchor_was_a_bad_year_is_skipped_not_kept_empty():
    _, result = read_bytes("0999 ◽\nAuthor(s):\nAna Silva\n".encode(), "f", "f", "listing")
    assert result.records == [] and [p.skipped for p in result.problems] == [False, True]


# -- 10: a file reached twice ------------------------------------------------------------


def test_a_file_reached_twice_is_read_once(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    listing = folder / "a.txt"
    listing.write_bytes(LISTING.read_bytes())
    os.symlink(listing, folder / "link.txt")
    twice = [folder, listing, folder / ".." / "in" / "a.txt", folder / "link.txt"]
    assert len(expand_inputs(twice)) == 1
    result, files = read_inputs([listing, folder / "link.txt", listing])
    assert len(files) == 1 and len(result.records) == 7
    summary = build_graph(twice, DEFAULT_BASE, tag=False).summary
    assert (summary.read, summary.papers, summary.merged_works) == (7, 7, 0)


# -- 11: exit 1 when a whole input gives nothing; --strict -------------------------------


@pytest.mark.parametrize("name, data, why", [
    ("pic.txt", PNG, "binary file with NUL bytes, not text"),
    ("empty.txt", b"", "empty file"),
    ("broken.json", b'[{"title": "x",\n  "DOI" "10.1/x"}]', "not valid JSON: Expecting ':' delimiter"),
])
def test_build_exits_1_when_an_input_file_gives_no_record_and_still_writes_the_graph(runner, tmp_path, name, data, why):
    (tmp_path / name).write_bytes(data)
    out = tmp_path / "g.nt"
    result = build_cli(runner, LISTING, tmp_path / name, "--no-store", "-o", out)
    assert result.exit_code == 1, result.output
    assert f"{name}: " in result.stderr and f"(no record: {why})" in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last == (f"kg: error: 1 input file(s) gave no record: {name} ({why}); "
                    "the graph was written from what could be read")
    assert "Traceback" not in result.output
    assert "records: 7 found, 7 used" in result.stderr or "records: 8 found, 7 used" in result.stderr
    assert out.read_text().count("hasPublicationYear") == 7


def test_strict_build_exits_1_on_any_skipped_record(runner, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("2019 ◽\nAuthor(s):\nAna Silva\n\nVol 3 (1) ◽\nAuthor(s):\nBo Li\n", encoding="utf-8")
    args = (bad, "--no-store", "-o", tmp_path / "g.nt")
    assert build_cli(runner, *args).exit_code == 0
    strict = build_cli(runner, *args, "--strict", "-q")
    assert strict.exit_code == 1
    assert strict.stderr == "kg: error: 1 record(s) skipped (--strict); the graph was written from what could be read\n"


# -- 13: a binary --curated or --gold file -----------------------------------------------


def test_a_binary_curated_file_is_a_one_line_usage_error(runner, tmp_path):
    curated = tmp_path / "curated.csv"
    curated.write_bytes(PNG)
    result = runner.invoke(cli, ["build", str(LISTING), "--curated", str(curated), "--no-store", "-o",
                                 str(tmp_path / "g.nt")])
    assert result.exit_code == 2
    assert result.stderr == f"kg: error: {curated}: cannot read curated assignments: binary file with NUL bytes, not text\n"


def test_a_binary_gold_file_is_a_one_line_usage_error(runner, tmp_path):
    gold = tmp_path / "gold.csv"
    gold.write_bytes(PNG)
    result = runner.invoke(cli, ["concepts", "eval", "--gold", str(gold)])
    assert result.exit_code == 2
    assert result.stderr == f"kg: error: {gold}: cannot read the gold file: binary file with NUL bytes, not text\n"


@pytest.mark.parametrize("data, message", [
    (b"key,concepts\nx.txt|line:1,kgc:stigma\nx.txt|line:2,kgc:st\xefgma\n", ":3: cannot read the gold file: line is not valid UTF-8"),
    (b"key,concepts\nx.txt|line:1,kgc:stigma\n" + b"a\n" * 5000 + b"b\x00\n", ":5003: cannot read the gold file: the line holds a NUL byte"),
    (b"key,concepts\n\"" + b"x" * 200_000 + b"\",\n", ":2: the gold file is not CSV: field larger than field limit"),
])
def test_a_gold_file_that_is_not_utf8_csv_names_file_and_line(runner, tmp_path, data, message):
    gold = tmp_path / "gold.csv"
    gold.write_bytes(data)
    result = runner.invoke(cli, ["concepts", "eval", "--gold", str(gold)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.startswith(f"kg: error: {gold}{message}") and result.stderr.count("\n") == 1


def test_a_utf16_gold_file_with_a_bom_is_read(tmp_path):
    from kg.concepts.evaluation import load_gold

    gold = tmp_path / "gold.csv"
    gold.write_bytes(with_bom("key,concepts\r\nx.txt|line:1,kgc:stigma\r\n", "utf-16"))
    assert list(load_gold(gold)) == ["x.txt|line:1"]


# -- 16: where JSON broke ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csl-json", "openalex"])
def test_broken_json_reports_file_line_and_column(fmt):
    text = '[\n  {"title": "A", "publication_year": 2019},\n  {"title": "B",, }\n]'
    _, result = read_bytes(text.encode(), "b.json", "b.json", fmt)
    (problem,) = result.problems
    assert (problem.line, problem.column, problem.skipped) == (3, 17, True)
    assert str(problem) == "b.json:3:17: not valid JSON: Expecting property name enclosed in double quotes; skipped"
    assert result.counts_add_up


@pytest.mark.parametrize("text, reason", [
    ("[" * 100_000 + "]" * 100_000, "unreadable JSON: maximum recursion depth exceeded"),
    ('{"title": "T", "volume": ' + "9" * 5000 + "}", "unreadable JSON: Exceeds the limit (4300 digits)"),
])
def test_json_that_python_cannot_hold_is_the_file_skipped_not_a_crash(text, reason):
    _, result = read_bytes(text.encode(), "b.json", "b.json", "csl-json")
    (problem,) = result.problems
    assert problem.skipped and problem.reason.startswith(reason)


def test_a_folder_gives_every_known_extension_and_nothing_hidden(tmp_path):
    """JSON Lines dumps in a folder are read like the other formats, and the
    project's own .kg/ folder (the store's marker, kg enrich's saved JSON) is not."""
    from kg.read.inputs import expand_inputs

    for name in ("a.ris", "w.jsonl", "x.ndjson", "notes.md", ".kg/enrich/build.json", ".kg/store/kg-store.json",
                 ".hidden.ris", "sub/b.bib"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", "utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in expand_inputs([tmp_path])] == [
        "a.ris", "sub/b.bib", "w.jsonl", "x.ndjson"]
