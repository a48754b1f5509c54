"""kg sources and kg prisma on a small multi-source fixture built by hand
(tests/data/review/README.md gives the counts, checked by hand)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from kg.cli import cli
from kg.query.registry import get_query
from kg.query.results import plain_value
from kg.query.run import run_local
from kg.sinks.store import open_store
from tests.exports import exports  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "review"
SVG = "{http://www.w3.org/2000/svg}"
WORK = "https://w3id.org/kg/id/work/"
E = "evans-2020"  # the DOI-less work's IRI starts so


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output
    return result


def build_fixture(folder: Path) -> Path:
    """The fixture built into a store at ``folder``, psycinfo.bib labelled PsycINFO."""
    run("build", DATA, "--store", folder, "--no-tag", "-q", "--source-label", f"PsycINFO={DATA / 'psycinfo.bib'}")
    return folder


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return build_fixture(tmp_path_factory.mktemp("review") / "store")


@pytest.fixture
def screened_store(tmp_path) -> Path:
    """A store of its own, for commands that write decisions into it."""
    return build_fixture(tmp_path / "store")


EXPECTED_SOURCES = {
    "sources": [
        {"name": "PsycINFO", "files": 1, "records": 2, "duplicates_within": 0, "shared": 2, "unique": 0, "works": 2},
        {"name": "PubMed", "files": 1, "records": 3, "duplicates_within": 0, "shared": 2, "unique": 1, "works": 3},
        {"name": "Scopus", "files": 1, "records": 4, "duplicates_within": 1, "shared": 2, "unique": 1, "works": 3},
    ],
    "files": 3,
    "records_identified": 9,
    "duplicates_removed": 4,
    "works": 5,
}


def test_sources_json_gives_the_hand_counted_numbers(store):
    data = json.loads(run("sources", "--store", store, "--format", "json").stdout)
    assert data == EXPECTED_SOURCES
    assert data["records_identified"] - data["duplicates_removed"] == data["works"]


def test_sources_json_schema_with_overlap(store):
    data = json.loads(run("sources", "--store", store, "--format", "json", "--overlap").stdout)
    assert set(data) == {"sources", "files", "records_identified", "duplicates_removed", "works", "overlap"}
    for source in data["sources"]:
        assert {"name", "records", "duplicates_within", "shared", "unique"} <= set(source)
        assert all(isinstance(source[k], int) for k in ("records", "duplicates_within", "shared", "unique"))
        assert source["records"] - source["duplicates_within"] == source["shared"] + source["unique"]
    assert data["overlap"] == {"sources": ["PsycINFO", "PubMed", "Scopus"], "works": [[2, 1, 1], [1, 3, 1], [1, 1, 3]]}


def test_sources_table_and_csv(store):
    table = run("sources", "--store", store).output.splitlines()
    assert table[0].split() == ["source", "files", "records", "duplicates_within", "shared", "unique", "works"]
    assert table[2].split() == ["PsycINFO", "1", "2", "0", "2", "0", "2"]
    assert table[-1].split() == ["total", "3", "9", "4", "5"]
    csv_text = run("sources", "--store", store, "--format", "csv", "--overlap").output
    assert csv_text.splitlines()[:5] == [
        "source,files,records,duplicates_within,shared,unique,works",
        "PsycINFO,1,2,0,2,0,2", "PubMed,1,3,0,2,1,3", "Scopus,1,4,1,2,1,3", "total,3,9,4,,,5",
    ]
    assert csv_text.splitlines()[5:] == ["source,PsycINFO,PubMed,Scopus", "PsycINFO,2,1,1", "PubMed,1,3,1", "Scopus,1,1,3"]


def _rows(store: Path, name: str) -> list[tuple]:
    result = run_local(open_store(store), get_query(name))
    return [tuple(plain_value(t) for t in row) for row in result.rows]


def test_sources_queries_rows(store):
    assert _rows(store, "sources-counts") == [("PsycINFO", 1, 2, 2, 0), ("PubMed", 1, 3, 3, 1), ("Scopus", 1, 4, 3, 1)]
    assert _rows(store, "sources-totals") == [(9, 5, 3, 3)]
    assert _rows(store, "sources-overlap") == [
        ("PsycINFO", "PsycINFO", 2), ("PsycINFO", "PubMed", 1), ("PsycINFO", "Scopus", 1),
        ("PubMed", "PsycINFO", 1), ("PubMed", "PubMed", 3), ("PubMed", "Scopus", 1),
        ("Scopus", "PsycINFO", 1), ("Scopus", "PubMed", 1), ("Scopus", "Scopus", 3),
    ]
    fields = _rows(store, "works-for-screening")
    assert sorted({row[0].removeprefix(WORK) for row in fields}) == [
        "doi/10.1000/a", "doi/10.1000/b", "doi/10.1000/c", "doi/10.1000/d", next(r[0] for r in fields if E in r[0]).removeprefix(WORK),
    ]
    assert [(r[1], r[3]) for r in fields if r[0] == f"{WORK}doi/10.1000/a" and r[1] in ("source", "pmid", "doi")] == [
        ("doi", "10.1000/a"), ("pmid", "30000001"), ("source", "PubMed"), ("source", "Scopus"),
    ]


def test_default_labels_come_from_the_file_or_its_name(tmp_path):
    run("build", DATA, "--store", tmp_path / "s", "--no-tag", "-q")
    names = [s["name"] for s in json.loads(run("sources", "--store", tmp_path / "s", "--format", "json").stdout)["sources"]]
    assert names == ["PubMed", "Scopus", "psycinfo"]  # RIS DP NLM, RIS DB, the file name


def test_labels_from_kg_toml(tmp_path, monkeypatch):
    (tmp_path / "kg.toml").write_text(f'[sources]\n"PsycINFO (Ovid)" = "{DATA / "psycinfo.bib"}"\nEverything = "{DATA}"\n')
    monkeypatch.chdir(tmp_path)
    run("build", DATA, "--store", tmp_path / "s", "--no-tag", "-q")
    names = [s["name"] for s in json.loads(run("sources", "--store", tmp_path / "s", "--format", "json").stdout)["sources"]]
    assert names == ["Everything", "PsycINFO (Ovid)"]  # the nearest path wins; a user's label beats the file's


def test_a_source_label_without_a_path_is_a_usage_error(tmp_path):
    result = run("build", DATA, "--store", tmp_path / "s", "--source-label", "PubMed", ok=False)
    assert result.exit_code == 2
    assert "--source-label 'PubMed': expected NAME=PATH" in result.output


def test_prisma_json_identification(store):
    data = json.loads(run("prisma", "--store", store, "--format", "json").stdout)
    assert data == {
        "identification": {
            "databases": [{"name": "PsycINFO", "records": 2}, {"name": "PubMed", "records": 3},
                          {"name": "Scopus", "records": 4}],
            "records_identified": 9,
            "duplicates_removed": 4,
        },
        "records_screened": 5,
    }


def svg_texts(path: Path) -> list[str]:
    root = etree.parse(str(path)).getroot()
    assert root.tag == f"{SVG}svg"
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}tspan")]


def test_prisma_svg_parses_and_shows_the_counts(store, tmp_path):
    out = tmp_path / "prisma.svg"
    run("prisma", "--store", store, "-o", out)
    texts = svg_texts(out)
    assert texts[:6] == ["Records identified from databases", "(n = 9):", "PsycINFO (n = 2)", "PubMed (n = 3)",
                         "Scopus (n = 4)", "Records removed before screening:"]
    assert "(n = 4)" in texts and "Records screened" in texts and "(n = 5)" in texts
    assert "Records excluded" not in texts
    first = out.read_bytes()
    run("prisma", "--store", store, "-o", out)
    assert out.read_bytes() == first


def test_prisma_svg_needs_an_output_file(store):
    result = run("prisma", "--store", store, ok=False)
    assert result.exit_code == 2


def _decisions(store: Path) -> list[tuple]:
    query = """SELECT ?work ?outcome ?reason ?where WHERE {
      ?work <https://w3id.org/kg/ns#screeningDecision> ?d .
      ?d <https://w3id.org/kg/ns#screeningOutcome> ?outcome ; <https://w3id.org/kg/ns#decisionSource> ?where .
      OPTIONAL { ?d <https://w3id.org/kg/ns#exclusionReason> ?reason } } ORDER BY ?work"""
    return [tuple(t.value.removeprefix(WORK) if t is not None else None for t in row) for row in open_store(store).query(query)]


def test_plain_screening_csv_adds_boxes_and_records_decisions(screened_store, tmp_path):
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(
        "work,decision,reason\n"
        "doi_10.1000_a,include,\n"
        f"{WORK}doi/10.1000/b,exclude,wrong population\n"
        "doi_10.1000_c,exclude,wrong population\n"
        "doi_10.1000_d,exclude,not a trial\n"
    )
    out = tmp_path / "prisma.svg"
    data = json.loads(run("prisma", "--store", screened_store, "--screening", decisions, "-o", out, "--format", "json").stdout)
    assert data["screening"] == {
        "screened": 5, "excluded": 3, "exclusion_reasons": {"wrong population": 2, "not a trial": 1},
        "included": 1, "undecided": 1,
    }
    texts = svg_texts(out)
    for text in ("Records excluded", "(n = 3)", "wrong population (n = 2)", "not a trial (n = 1)",
                 "Records included after screening", "(n = 1)", "Records not yet decided"):
        assert text in texts
    assert _decisions(screened_store) == [
        ("doi/10.1000/a", "include", None, "decisions.csv:2"),
        ("doi/10.1000/b", "exclude", "wrong population", "decisions.csv:3"),
        ("doi/10.1000/c", "exclude", "wrong population", "decisions.csv:4"),
        ("doi/10.1000/d", "exclude", "not a trial", "decisions.csv:5"),
    ]
    # a second screening file replaces the first one's decisions
    decisions.write_text("work,decision,reason\ndoi_10.1000_d,include,\n")
    run("prisma", "--store", screened_store, "--screening", decisions, "--format", "json")
    assert _decisions(screened_store) == [("doi/10.1000/d", "include", None, "decisions.csv:2")]


def test_asreview_export_matched_by_doi_and_title(screened_store, tmp_path):
    export = tmp_path / "asreview.csv"
    export.write_text(
        "record_id,title,doi,included\n"
        "0,Peer support in acute mental health wards,https://doi.org/10.1000/A,1\n"
        "1,Peer workers in crisis teams,,0\n"
        "2,Wounded healers: a qualitative study,10.1000/d,\n"
    )
    data = json.loads(run("prisma", "--store", screened_store, "--screening", export, "--format", "json").stdout)
    assert data["screening"] == {"screened": 5, "excluded": 1, "exclusion_reasons": {"no reason given": 1},
                                 "included": 1, "undecided": 3}
    found = _decisions(screened_store)
    assert [(w[:len(E)] if E in w else w, o) for w, o, _, _ in found] == [("doi/10.1000/a", "include"), (E, "exclude")]


def test_rayyan_export_with_reasons(screened_store, tmp_path):
    export = tmp_path / "rayyan.csv"
    export.write_text(
        'key,title,notes\n'
        '1,Recovery colleges,"kg work: https://w3id.org/kg/id/work/doi/10.1000/b; sources: PsycINFO; Scopus | '
        'RAYYAN-INCLUSION: {""Ann""=>""Excluded""} | RAYYAN-EXCLUSION-REASONS: wrong design"\n'
        '2,Lived experience in service design,"RAYYAN-INCLUSION: {""Ann""=>""Included""}"\n'
    )
    data = json.loads(run("prisma", "--store", screened_store, "--screening", export, "--format", "json").stdout)
    assert data["screening"]["exclusion_reasons"] == {"wrong design": 1}
    assert [(w, o, r) for w, o, r, _ in _decisions(screened_store)] == [
        ("doi/10.1000/b", "exclude", "wrong design"), ("doi/10.1000/c", "include", None),
    ]


def test_a_screening_row_that_names_no_work_is_a_data_error_with_its_line(screened_store, tmp_path):
    decisions = tmp_path / "decisions.csv"
    decisions.write_text("work,decision,reason\ndoi_10.1000_a,include,\nno-such-work,exclude,x\n")
    result = run("prisma", "--store", screened_store, "--screening", decisions, "--format", "json", ok=False)
    assert result.exit_code == 1
    assert "decisions.csv:3: names no work of the graph" in result.output
    assert _decisions(screened_store) == []  # nothing recorded


def test_kg_plot_overlap_draws_the_sources(store, tmp_path):
    out = tmp_path / "overlap.svg"
    run("plot", "overlap", "--store", store, "-o", out)
    root = etree.parse(str(out)).getroot()
    texts = {"".join(t.itertext()) for t in root.iter(f"{SVG}text")}
    assert {"PsycINFO", "PubMed", "Scopus", "Works in common between sources"} <= texts
    assert "overlap" in run("plot", "--help").output


def test_overlap_cells_fill_the_matrix():
    from kg.review.overlap import overlap_cells

    assert overlap_cells({("A", "A"): 2, ("A", "B"): 1, ("B", "A"): 1, ("B", "B"): 3}, ["A", "B", "C"]) == [
        ("A", "A", 2), ("A", "B", 1), ("A", "C", 0), ("B", "A", 1), ("B", "B", 3), ("B", "C", 0),
        ("C", "A", 0), ("C", "B", 0), ("C", "C", 0),
    ]


def test_source_labels_of_the_real_exports(exports):  # noqa: F811
    from kg.read.inputs import read_inputs

    files = [exports / "ris" / name for name in (
        "asreview__tests_demo_data__embase.ris", "asreview__tests_demo_data__proquest.ris",
        "asreview__tests_demo_data__pubmed_endnote.txt", "asreview__tests_demo_data__web_of_science.txt",
    )] + [exports / "bibtex" / "p1m-ortho__scopus.bib", exports / "bibtex" / "jiaweisophiafu-jcmc-osn__savedrecs.bib",
          exports / "pubmed_xml" / "p1m-ortho__pubmed_result.xml"]
    records = read_inputs(files)[0].records
    labels = {r.source.file: sorted({x.source.label for x in records if x.source.file == r.source.file}) for r in records}
    assert labels == {
        "asreview__tests_demo_data__embase.ris": ["Embase"],
        "asreview__tests_demo_data__proquest.ris": ["PTSDpubs"],
        "asreview__tests_demo_data__pubmed_endnote.txt": ["PubMed"],
        "asreview__tests_demo_data__web_of_science.txt": ["Web of Science"],
        "p1m-ortho__scopus.bib": ["Scopus"],
        "jiaweisophiafu-jcmc-osn__savedrecs.bib": ["Web of Science"],
        "p1m-ortho__pubmed_result.xml": ["PubMed"],
    }
