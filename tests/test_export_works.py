"""kg export --works: one record per work for screening tools, read back as the same works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rispy

from kg.pipeline import build_graph
from kg.sinks.works import work_key
from kg.vocab import DEFAULT_BASE
from tests.test_review import build_fixture, run

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "review"
WORK = f"{DEFAULT_BASE}work/"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return build_fixture(tmp_path_factory.mktemp("works") / "store")


def works_of(paths) -> set[str]:
    built = build_graph(paths, DEFAULT_BASE, tag=False)
    derived = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
    return {line.split(" ", 1)[0][1:-1] for line in built.lines if f" {derived} " in line}


@pytest.mark.parametrize("name", ["screen.ris", "screen.bib", "screen.csl.json"])
def test_round_trip_gives_the_same_works(store, tmp_path, name):
    out = tmp_path / name
    result = run("export", "--works", "--store", store, "-o", out)
    assert "wrote 5 work(s)" in result.output
    assert works_of([out]) == works_of([DATA]) == {
        f"{WORK}doi/10.1000/{x}" for x in "abcd"} | {next(w for w in works_of([DATA]) if "evans-2020" in w)}
    first = out.read_bytes()
    run("export", "--works", "--store", store, "-o", out)
    assert out.read_bytes() == first  # byte-identical across runs


def test_ris_keeps_every_doi_pmid_and_source_label(store, tmp_path):
    out = tmp_path / "screen.ris"
    run("export", "--works", "--store", store, "-o", out)
    entries = {e["id"]: e for e in rispy.loads(out.read_text("utf-8"), list_tags=["AU", "KW", "DO", "AN", "SN", "DB", "N1"])}
    assert sorted(entries) == sorted(["doi_10.1000_a", "doi_10.1000_b", "doi_10.1000_c", "doi_10.1000_d",
                                      next(k for k in entries if k.startswith("evans-2020-"))])
    a = entries["doi_10.1000_a"]
    assert a["doi"] == ["10.1000/a"] and a["accession_number"] == ["30000001"]
    assert a["name_of_database"] == ["PubMed", "Scopus"]
    assert a["notes"] == [f"kg work: {WORK}doi/10.1000/a; sources: PubMed; Scopus"]
    assert a["title"] == "Peer support in acute mental health wards."  # both RIS: pubmed.ris ranks first by name
    e = next(v for k, v in entries.items() if k.startswith("evans-2020-"))
    assert e["name_of_database"] == ["PsycINFO", "PubMed"] and "doi" not in e


def test_bibtex_and_csl_json_carry_the_work_iri_and_sources(store, tmp_path):
    bib, csl = tmp_path / "s.bib", tmp_path / "s.csl.json"
    run("export", "--works", "--store", store, "-o", bib)
    run("export", "--works", "--store", store, "-o", csl)
    text = bib.read_text("utf-8")
    assert "@article{doi_10.1000_b," in text
    assert f"kg-work = {{{WORK}doi/10.1000/b}}" in text
    assert "kg-sources = {PsycINFO; Scopus}" in text
    items = {i["id"]: i for i in json.loads(csl.read_text("utf-8"))}
    assert items["doi_10.1000_a"]["custom"] == {
        "kg_work": f"{WORK}doi/10.1000/a", "sources": ["PubMed", "Scopus"], "dois": ["10.1000/a"], "pmids": ["30000001"],
    }
    assert items["doi_10.1000_a"]["PMID"] == "30000001"
    assert items["doi_10.1000_a"]["issued"] == {"date-parts": [[2019]]}


def test_work_keys_are_the_end_of_the_iri():
    assert work_key(f"{WORK}doi/10.1002/(sici)1097-4571") == "doi_10.1002_sici_1097-4571"
    assert work_key(f"{WORK}cole-2019-ab12cd") == "cole-2019-ab12cd"


def test_works_refuses_other_extensions_and_needs_a_file(store, tmp_path):
    bad = run("export", "--works", "--store", store, "-o", tmp_path / "screen.nt", ok=False)
    assert bad.exit_code == 2 and "--works writes .ris, .bib or .csl.json" in bad.output
    assert run("export", "--works", "--store", store, ok=False).exit_code == 2
    assert run("export", "--works", "--store", store, "-o", tmp_path / "a.ris", "--format", "nt", ok=False).exit_code == 2
