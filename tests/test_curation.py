"""Curation rows applied in a build: each kind wins over the sources and the
matchers, is recorded with who, when and why, and a row matching nothing is
reported by `kg build` and `kg validate`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pyoxigraph as ox
from click.testing import CliRunner

from kg.cli import cli
from kg.pipeline import build_graph, write_outputs
from kg.query.registry import get_query
from kg.query.run import run_local
from kg.validate.run import Target, validate
from kg.vocab import DCTERMS, DEFAULT_BASE, FABIO, FOAF, PRISM

ROOT = Path(__file__).resolve().parents[1]
ID = DEFAULT_BASE
KGC = "https://w3id.org/kg/concepts/"
WHO = 'who = "Ann Curator"\nwhen = 2026-11-29\n'


def ris(*records: str) -> str:
    return "".join(f"TY  - JOUR\n{body.strip()}\nER  - \n\n" for body in records)


def build(tmp_path: Path, inputs: dict[str, str], curation: str | None, **kwargs):
    for name, text in inputs.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    path = None
    if curation is not None:
        path = tmp_path / "curation.toml"
        path.write_text(curation, encoding="utf-8")
    return build_graph([tmp_path / name for name in inputs], DEFAULT_BASE, curation=path, **kwargs)


def values(built, subject: str, prop: str) -> list[str]:
    """The objects of ``subject prop``, literals as their text."""
    found = []
    for line in built.lines:
        if line.startswith(f"<{subject}> <{prop}> "):
            found.append(line[len(subject) + len(prop) + 6:-3].split('"^^')[0].strip('"<>'))
    return sorted(found)


def subjects_of_type(built, cls: str) -> list[str]:
    return sorted(line.split(" ")[0].strip("<>") for line in built.lines
                  if f"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{cls}>" in line)


def answer(db: ox.Store, name: str, **params) -> list[tuple]:
    """A named query's rows as plain values: IRIs and literals as their text, integers as numbers."""
    def plain(term):
        if term is None:
            return None
        if isinstance(term, ox.Literal) and term.datatype.value.endswith("#integer"):
            return int(term.value)
        return term.value
    return [tuple(plain(t) for t in row) for row in run_local(db, get_query(name), params).rows]


def store(built) -> ox.Store:
    db = ox.Store()
    db.load(input="".join(built.lines), format=ox.RdfFormat.N_TRIPLES)
    return db


# -- correct: a curated value beats every source, enriched ones included --------

DOI = "10.1234/abc.5"
RIS_WITH_DOI = ris(f"TI  - A listing title\nAU  - Doe, Jane\nPY  - 2021\nDO  - {DOI}")
ENRICHED = json.dumps({
    "id": "https://openalex.org/W1", "doi": f"https://doi.org/{DOI}", "title": "The enriched title",
    "publication_year": 2021, "authorships": [{"author": {"display_name": "Jane Doe"}}],
    "primary_location": {"source": {"display_name": "Journal of Enrichment"}},
    "biblio": {"volume": "3", "issue": "2", "first_page": "1", "last_page": "9"},
})
PAPER = f"{ID}work/doi/{DOI}"
CORRECT = f"""
[[correct]]
work = "{DOI}"
title = "The curated title"
year = 2020
pages = "11-19"
venue = "Journal of Curation"
{WHO}note = "checked against the PDF"
"""


def test_without_curation_the_enriched_record_wins(tmp_path):
    built = build(tmp_path, {"refs.ris": RIS_WITH_DOI, "works.json": ENRICHED}, None)
    assert values(built, PAPER, f"{DCTERMS}title") == ["The enriched title"]
    assert built.summary.merged_works == 1


def test_curated_fields_beat_the_enriched_record(tmp_path):
    built = build(tmp_path, {"refs.ris": RIS_WITH_DOI, "works.json": ENRICHED}, CORRECT)
    assert values(built, PAPER, f"{DCTERMS}title") == ["The curated title"]
    assert values(built, PAPER, f"{FABIO}hasPublicationYear") == ["2020"]
    assert values(built, PAPER, f"{PRISM}startingPage") == ["11"]
    assert values(built, PAPER, f"{PRISM}endingPage") == ["19"]
    assert values(built, PAPER, f"{PRISM}volume") == ["3"]  # not curated: the best source's
    [venue] = values(built, PAPER, f"{DCTERMS}isPartOf")
    assert values(built, venue, f"{DCTERMS}title") == ["Journal of Curation"]
    assert built.summary.problems == []
    assert (built.summary.curated, built.summary.curated_without_effect) == (1, 0)
    assert answer(store(built), "curation-corrections") == [
        (PAPER, prop, value, "Ann Curator", "2026-11-29", "checked against the PDF", "curation.toml", 2)
        for prop, value in [  # in IRI order
            (f"{PRISM}endingPage", "19"), (f"{PRISM}startingPage", "11"), (f"{DCTERMS}isPartOf", venue),
            (f"{DCTERMS}title", "The curated title"), (f"{FABIO}hasPublicationYear", "2020"),
        ]
    ]


def test_a_curated_doi_and_a_work_named_by_its_source_line(tmp_path):
    listing = (ROOT / "examples/peer-support/peer-support-listing.txt").read_text("utf-8")
    row = f'[[correct]]\nwork = "peer-support-listing.txt:8"\ndoi = "doi:10.1108/MHSI-05-2016-0013"\nissue = "4"\n{WHO}'
    row += f'\n[[correct]]\nwork = "work:hodges-2007-0336e28305"\nyear = 2008\nvolume = "15"\n{WHO}'
    built = build(tmp_path, {"peer-support-listing.txt": listing}, row)
    watson = f"{ID}work/watson-2016-c3dcc4841e"  # the IRI stays the one its record gives
    assert values(built, watson, f"{PRISM}doi") == ["10.1108/mhsi-05-2016-0013"]
    assert values(built, watson, f"{PRISM}number") == ["4"]
    hodges = f"{ID}work/hodges-2007-0336e28305"
    assert values(built, hodges, f"{FABIO}hasPublicationYear") == ["2008"]
    assert values(built, hodges, f"{PRISM}volume") == ["15"]
    assert built.summary.problems == []


# -- same work / not the same work ------------------------------------------------

TWO_TITLES = ris(
    "TI  - Peer workers on acute wards\nAU  - Smith, Carol\nPY  - 2019\nDO  - 10.1000/preprint.1",
    "TI  - Peer support workers in inpatient care: a trial\nAU  - Smith, Carol\nPY  - 2020\nDO  - 10.1000/journal.2",
)
NEAR_TWINS = ris(
    "TI  - Recovery colleges across England: a national survey of students\nAU  - Brown, Bob\nPY  - 2018",
    "TI  - Recovery colleges across England: a national survey of the students\nAU  - Brown, Bob\nPY  - 2018",
)


def works(built) -> list[str]:
    return subjects_of_type(built, f"{FABIO}JournalArticle")


def test_same_work_joins_records_the_matcher_keeps_apart_even_with_two_dois(tmp_path):
    assert len(works(build(tmp_path, {"refs.ris": TWO_TITLES}, None))) == 2
    row = f'[[same-work]]\nworks = ["refs.ris:1", "10.1000/journal.2"]\n{WHO}note = "preprint and its journal version"\n'
    built = build(tmp_path, {"refs.ris": TWO_TITLES}, row)
    [work] = works(built)
    assert work == f"{ID}work/doi/10.1000/preprint.1"
    assert values(built, f"{work}/merge", "https://w3id.org/kg/ns#evidence") == [
        "refs.ris:1 ~ refs.ris:8: curated: same work (curation.toml:1)",
    ]
    [(_, _, kind, target, _, who, when, note, problem)] = answer(store(built), "curation-rows")
    assert (kind, target, who, when, note, problem) == (
        "https://w3id.org/kg/ns#SameWorkDecision", work, "Ann Curator", "2026-11-29", "preprint and its journal version", None,
    )


def test_not_same_work_keeps_apart_records_the_matcher_merges(tmp_path):
    assert len(works(build(tmp_path, {"refs.ris": NEAR_TWINS}, None))) == 1
    row = f'[[not-same-work]]\nworks = ["refs.ris:1", "refs.ris:7"]\n{WHO}'
    built = build(tmp_path, {"refs.ris": NEAR_TWINS}, row)
    assert len(works(built)) == 2
    assert built.summary.merged_works == 0
    assert [row[3] for row in answer(store(built), "curation-rows")] == works(built)


def test_not_same_work_that_cannot_be_kept_apart_says_so(tmp_path):
    twins = ris("TI  - One\nAU  - Lee, Ann\nPY  - 2019\nDO  - 10.1000/same", "TI  - One\nAU  - Lee, Ann\nPY  - 2019\nDO  - 10.1000/same")
    built = build(tmp_path, {"refs.ris": twins}, f'[[not-same-work]]\nworks = ["refs.ris:1", "refs.ris:8"]\n{WHO}')
    [problem] = built.summary.problems
    assert problem.line == 1 and "cannot keep them apart" in problem.reason and problem.reason.endswith("it has no effect")


def test_records_kept_apart_that_share_a_doi_are_one_work_combined_from_both(tmp_path):
    """The clusters are kept apart, but one DOI is one IRI: the work is
    combined from the records of both clusters, not taken from either."""
    twins = ris("TI  - One\nAU  - Lee, Ann\nPY  - 2019\nVL  - 4\nDO  - 10.1000/same",
                "TI  - One\nAU  - Lee, Ann\nPY  - 2019\nSP  - 10\nEP  - 19\nDO  - 10.1000/same")
    built = build(tmp_path, {"refs.ris": twins}, f'[[not-same-work]]\nworks = ["refs.ris:1", "refs.ris:9"]\n{WHO}')
    [work] = works(built)
    assert values(built, work, f"{PRISM}volume") == ["4"]
    assert (values(built, work, f"{PRISM}startingPage"), values(built, work, f"{PRISM}endingPage")) == (["10"], ["19"])
    assert len(values(built, work, "http://www.w3.org/ns/prov#wasDerivedFrom")) == 2


# -- same person / not the same person ----------------------------------------------

TWO_SMITHS = ris(
    "TI  - Peer support in prisons\nAU  - Smith, Carol\nAU  - Jones, Ann\nPY  - 2019",
    "TI  - Stigma and work\nAU  - Smith, C.\nAU  - Brown, Bob\nPY  - 2021",
)
COLLOPYS = ris(
    "TI  - Carers and peer support\nAU  - Collopy, Catherine M\nAU  - Tully, Phillip J\nPY  - 2020",
    "TI  - Peer support for carers\nAU  - Collopy, C. M.\nAU  - Tully, Phillip J\nPY  - 2021",
)


def people(built) -> list[str]:
    return subjects_of_type(built, f"{FOAF}Person")


def test_same_person_joins_names_the_matcher_keeps_apart(tmp_path):
    assert f"{ID}person/c-smith" in people(build(tmp_path, {"refs.ris": TWO_SMITHS}, None))
    built = build(tmp_path, {"refs.ris": TWO_SMITHS}, f'[[same-person]]\nnames = ["Carol Smith", "Smith, C."]\n{WHO}')
    assert people(built) == [f"{ID}person/ann-jones", f"{ID}person/bob-brown", f"{ID}person/carol-smith"]
    assert built.summary.merged_people == 1
    [(_, _, _, target, *_rest, problem)] = answer(store(built), "curation-rows")
    assert (target, problem) == (f"{ID}person/carol-smith", None)


def test_not_same_person_keeps_apart_names_the_matcher_joins(tmp_path):
    assert f"{ID}person/c-m-collopy" not in people(build(tmp_path, {"refs.ris": COLLOPYS}, None))
    row = f'[[not-same-person]]\nnames = ["Catherine M Collopy", "C. M. Collopy"]\n{WHO}'
    built = build(tmp_path, {"refs.ris": COLLOPYS}, row)
    assert people(built) == [f"{ID}person/c-m-collopy", f"{ID}person/catherine-m-collopy", f"{ID}person/phillip-j-tully"]
    assert built.summary.merged_people == 0
    assert sorted(row[3] for row in answer(store(built), "curation-rows")) == [
        f"{ID}person/c-m-collopy", f"{ID}person/catherine-m-collopy",
    ]


# -- concepts --------------------------------------------------------------------------


def test_concept_rows_add_and_remove_with_who_and_when(tmp_path):
    record = ris("TI  - Peer support workers and recovery\nAU  - Lee, Ann\nPY  - 2019\nDO  - 10.1000/ps")
    paper = f"{ID}work/doi/10.1000/ps"
    tagged = values(build(tmp_path, {"refs.ris": record}, None), paper, f"{DCTERMS}subject")
    assert f"{KGC}recovery" in tagged and f"{KGC}stigma" not in tagged
    rows = (f'[[concept]]\nwork = "refs.ris:1"\nremove = "recovery"\n{WHO}\n'
            f'[[concept]]\nwork = "https://doi.org/10.1000/PS"\nadd = "kgc:stigma"\n{WHO}note = "section 3"\n')
    built = build(tmp_path, {"refs.ris": record}, rows)
    assert values(built, paper, f"{DCTERMS}subject") == sorted({*tagged, f"{KGC}stigma"} - {f"{KGC}recovery"})
    assert [(r[1], r[2], r[3], r[4], r[7]) for r in answer(store(built), "curation-rows")] == [
        (1, "https://w3id.org/kg/ns#ConceptRemoval", paper, f"{KGC}recovery", None),
        (7, "https://w3id.org/kg/ns#ConceptAddition", paper, f"{KGC}stigma", "section 3"),
    ]


# -- a row matching nothing: reported, never ignored -------------------------------------

NOWHERE = f'[[correct]]\nwork = "10.9999/nowhere"\ntitle = "Lost"\n{WHO}\n[[same-person]]\nnames = ["Jane Doe", "Nobody Here"]\n{WHO}'


def test_rows_matching_nothing_are_build_warnings_with_their_line(tmp_path):
    built = build(tmp_path, {"refs.ris": RIS_WITH_DOI}, NOWHERE)
    assert [(p.file, p.line, p.reason, p.skipped) for p in built.summary.problems] == [
        (str(tmp_path / "curation.toml"), 1, "10.9999/nowhere matches nothing in this build; it has no effect", False),
        (str(tmp_path / "curation.toml"), 7, "Nobody Here names no author of this build; it has no effect", False),
    ]
    assert (built.summary.curated, built.summary.curated_without_effect) == (2, 2)


def test_rows_matching_nothing_are_reported_by_kg_build_and_kg_validate(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "refs.ris").write_text(RIS_WITH_DOI, encoding="utf-8")
    (tmp_path / "fixes.toml").write_text(NOWHERE, encoding="utf-8")
    runner = CliRunner()
    built = runner.invoke(cli, ["build", "refs.ris", "--store", "st", "--curation", "fixes.toml"])
    assert built.exit_code == 0, built.output
    assert "  warning: fixes.toml:1: 10.9999/nowhere matches nothing in this build; it has no effect" in built.output
    assert "curation (fixes.toml): 2 row(s), 0 applied, 2 without effect" in built.output
    checked = runner.invoke(cli, ["validate", "--store", "st", "--format", "json", "--fail-on", "warning"])
    assert checked.exit_code == 1
    found = [r for r in json.loads(checked.stdout)["results"] if r["source"].endswith("curation-row-without-effect")]
    assert [(r["severity"], r["focus"], r["value"]) for r in found] == [
        ("warning", f"{ID}curation/fixes-toml-{_hash('fixes.toml')}/1", "10.9999/nowhere matches nothing in this build"),
        ("warning", f"{ID}curation/fixes-toml-{_hash('fixes.toml')}/7", "Nobody Here names no author of this build"),
    ]


def _hash(name: str) -> str:
    from kg.identity.iris import short_hash
    return short_hash(name)[:6]


# -- where the file comes from, and byte-identical rebuilds ---------------------------------


def test_curation_toml_in_the_working_directory_is_read_by_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "refs.ris").write_text(RIS_WITH_DOI, encoding="utf-8")
    (tmp_path / "curation.toml").write_text(CORRECT, encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "refs.ris", "--no-store", "-o", "g.nt"])
    assert result.exit_code == 0, result.output
    assert "curation (curation.toml): 1 row(s), 1 applied, 0 without effect" in result.output
    assert '"The curated title"' in (tmp_path / "g.nt").read_text("utf-8")


def test_curation_key_in_kg_toml_and_a_missing_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "refs.ris").write_text(RIS_WITH_DOI, encoding="utf-8")
    (tmp_path / "kg.toml").write_text('curation = "fixes/mine.toml"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "refs.ris", "--no-store", "-o", "g.nt"])
    assert result.exit_code == 2
    assert "curation file fixes/mine.toml does not exist" in result.output
    (tmp_path / "fixes").mkdir()
    (tmp_path / "fixes/mine.toml").write_text(CORRECT, encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "refs.ris", "--no-store", "-o", "g.nt"])
    assert result.exit_code == 0, result.output
    assert '"The curated title"' in (tmp_path / "g.nt").read_text("utf-8")


def test_a_bad_row_stops_the_build_with_exit_2_naming_file_and_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "refs.ris").write_text(RIS_WITH_DOI, encoding="utf-8")
    (tmp_path / "curation.toml").write_text(CORRECT.replace("year = 2020", "year = 20"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "refs.ris", "--no-store", "-o", "g.nt"])
    assert result.exit_code == 2
    assert "curation.toml:5: year must be a year between 1500 and 2099, not 20" in result.output
    assert not (tmp_path / "g.nt").exists()


def test_rebuilds_with_curation_are_byte_identical_wherever_the_file_lies(tmp_path):
    inputs = {"refs.ris": RIS_WITH_DOI + TWO_SMITHS, "works.json": ENRICHED}
    rows = CORRECT + f'\n[[same-person]]\nnames = ["Carol Smith", "C. Smith"]\n{WHO}' + NOWHERE.replace("[[correct]]", "\n[[correct]]", 1)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = build(tmp_path / "a", inputs, rows)
    second = build(tmp_path / "b", inputs, rows)
    assert first.lines == second.lines
    assert any("curationProblem" in line for line in first.lines)


def test_rebuilds_with_curation_are_byte_identical_under_two_hash_seeds(tmp_path):
    (tmp_path / "refs.ris").write_text(TWO_SMITHS + NEAR_TWINS + COLLOPYS, encoding="utf-8")
    rows = (f'[[same-person]]\nnames = ["Carol Smith", "C. Smith"]\n{WHO}\n'
            f'[[not-same-person]]\nnames = ["Catherine M Collopy", "C. M. Collopy"]\n{WHO}\n'
            f'[[not-same-work]]\nworks = ["refs.ris:15", "refs.ris:21"]\n{WHO}')
    (tmp_path / "curation.toml").write_text(rows, encoding="utf-8")
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "kg", "build", "refs.ris", "--no-store", "-o", f"g{seed}.nt", "-q"],
                       cwd=tmp_path, env=env, check=True)
        outputs.append((tmp_path / f"g{seed}.nt").read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"#curates>") == 5  # one person, two people, two works
    assert b"#curationProblem>" not in outputs[0]


# -- the README example ---------------------------------------------------------------------------


def test_readme_shows_the_example_curation_file():
    readme = (ROOT / "README.md").read_text("utf-8")
    block = readme.split("```toml\n[[correct]]", 1)[1].split("```", 1)[0]
    example = (ROOT / "examples/curation/curation.toml").read_text("utf-8")
    assert tomllib.loads("[[correct]]" + block) == tomllib.loads(example)


def test_readme_example_leaves_14_validation_warnings_of_16(tmp_path):
    curated = build_graph([ROOT / "examples/peer-support"], DEFAULT_BASE, curation=ROOT / "examples/curation/curation.toml")
    counts = []
    for built, name in ((build_graph([ROOT / "examples/peer-support"], DEFAULT_BASE), "plain"), (curated, "curated")):
        write_outputs(built, store=tmp_path / name, output=None)
        report = validate(Target(store=tmp_path / name), DEFAULT_BASE, jobs=1)
        counts.append(sum(1 for r in report.results if r.severity.label == "warning"))
    assert counts == [16, 14]


def test_readme_example_gives_the_untitled_review_its_title(tmp_path):
    shutil.copytree(ROOT / "examples" / "peer-support", tmp_path / "peer-support")
    built = build_graph([tmp_path / "peer-support"], DEFAULT_BASE, curation=ROOT / "examples/curation/curation.toml")
    conchar = f"{ID}work/conchar-2014-6fe40b3397"
    [title] = values(built, conchar, f"{DCTERMS}title")
    assert title.startswith("“Walking wounded or wounded healer?”")
    [venue] = values(built, conchar, f"{DCTERMS}isPartOf")
    assert values(built, venue, f"{DCTERMS}title") == ["Mental Health and Social Inclusion"]
    assert built.summary.problems == []
    missing = {(row[0], row[1]) for row in answer(store(built), "curation-missing-metadata")}
    assert (f"{ID}work/watson-2016-c3dcc4841e", "title") in missing
    assert (conchar, "title") not in missing and (conchar, "venue") not in missing
