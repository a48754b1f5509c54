"""Curated concept rows: how a row finds its paper, and a word for rows that find none."""

from __future__ import annotations

from kg.pipeline import build_graph
from kg.vocab import DCTERMS, DEFAULT_BASE

KGC = "https://w3id.org/kg/concepts/"
RIS = """TY  - JOUR
TI  - A study of something unrelated to any concept in the scheme
AU  - Doe, Jane
PY  - 2021
DO  - 10.1234/abc.5
ER  - 
"""


def build(tmp_path, rows: str):
    (tmp_path / "refs.ris").write_text(RIS, encoding="utf-8")
    curated = tmp_path / "curated.csv"
    curated.write_text("paper,concept,action,note\n" + rows, encoding="utf-8")
    return build_graph([tmp_path / "refs.ris"], DEFAULT_BASE, curated=curated)


def subjects(built) -> set[str]:
    return {line.split(" ")[2].strip("<>") for line in built.lines if f"<{DCTERMS}subject>" in line}


def test_curated_doi_with_a_trailing_full_stop_matches_its_paper(tmp_path):
    # The curator pasted the DOI with the sentence's full stop; readers drop it
    # from the paper's DOI, so the row must drop it too or it silently never applies.
    built = build(tmp_path, "10.1234/ABC.5.,kgc:stigma,add,\n")
    assert subjects(built) == {KGC + "stigma"}
    assert built.summary.problems == []


def test_curated_doi_url_and_doi_prefix_match_their_paper(tmp_path):
    built = build(tmp_path, "https://doi.org/10.1234/abc.5,kgc:stigma,add,\ndoi: 10.1234/abc.5,kgc:recovery,add,\n")
    assert subjects(built) == {KGC + "stigma", KGC + "recovery"}


def test_curated_row_matching_no_paper_warns_with_its_line(tmp_path):
    built = build(tmp_path, "10.1234/abc.5,kgc:stigma,add,\n10.9999/nowhere,kgc:recovery,add,\n")
    assert subjects(built) == {KGC + "stigma"}
    [problem] = built.summary.problems
    assert (problem.file, problem.line, problem.skipped) == (str(tmp_path / "curated.csv"), 3, False)
    assert "10.9999/nowhere" in problem.reason and "no effect" in problem.reason
