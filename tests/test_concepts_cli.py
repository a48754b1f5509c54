"""`kg concepts` (list, tag, eval, suggest) and curated tags in a built graph."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EXAMPLE = ROOT / "examples" / "peer-support"
GOLD = HERE / "data" / "concepts-gold.csv"
CURATED = HERE / "data" / "curated.csv"
EXPORTS = ROOT.parent / "shared" / "corpus" / "exports"
KGC = "https://w3id.org/kg/concepts/"
KG = "https://w3id.org/kg/ns#"
CONCHAR = "peer-support-listing.txt|line:17"


@pytest.fixture
def runner():
    return CliRunner()  # click 8.2: result.stderr is kept apart


# -- list ---------------------------------------------------------------------------


def test_list_prints_an_indented_tree(runner):
    result = runner.invoke(cli, ["concepts", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "peer support  (kgc:peer-support)" in lines
    assert "  peer support worker  (kgc:peer-support-worker)" in lines
    assert "    peer specialist  (kgc:peer-specialist)" in lines
    assert "research methods *  (kgc:research-methods)" in lines  # grouping concept, never assigned


def test_list_json(runner):
    result = runner.invoke(cli, ["concepts", "list", "--format", "json"])
    assert result.exit_code == 0
    tree = json.loads(result.output)
    peer = next(n for n in tree if n["concept"] == KGC + "peer-support")
    worker = next(n for n in peer["children"] if n["label"] == "peer support worker")
    assert [c["concept"] for c in worker["children"]] == [KGC + "peer-specialist"]


def test_list_with_a_broken_scheme_is_a_usage_error(runner, tmp_path):
    bad = tmp_path / "scheme.ttl"
    bad.write_text("this is not turtle", encoding="utf-8")
    result = runner.invoke(cli, ["concepts", "list", "--scheme", str(bad)])
    assert result.exit_code == 2
    assert "cannot read the concept scheme" in result.stderr


# -- tag ----------------------------------------------------------------------------


def test_tag_text_shows_label_score_field_and_matched_text(runner):
    result = runner.invoke(cli, ["concepts", "tag", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    blocks: dict[str, list[str]] = {}
    for line in result.output.splitlines():
        if not line.startswith(" "):
            blocks[line.split("  [")[0]] = []
            current = blocks[line.split("  [")[0]]
        else:
            current.append(line.strip())
    assert len(blocks) == 7
    healer = next(line for line in blocks[CONCHAR] if line.startswith("wounded healer"))
    assert healer.split()[2:] == ["0.850", "abstract", '"wounded', 'healers"']
    assert blocks["peer-support-listing.txt|line:57"] == ["(no concept)"]


def test_tag_csv(runner):
    """CSV is a machine format: full concept IRIs, as in JSON (text has kgc: CURIEs)."""
    result = runner.invoke(cli, ["concepts", "tag", str(EXAMPLE / "peer-support-listing.txt"), "--format", "csv"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    healer = next(r for r in rows if r["key"] == CONCHAR and r["concept"] == KGC + "wounded-healer")
    assert healer == {"key": CONCHAR, "concept": KGC + "wounded-healer", "label": "wounded healer", "score": "0.850",
                      "method": "label-match", "field": "abstract", "matched": "wounded healers"}
    titled = next(r for r in rows if r["key"].endswith("professional mental health services")
                  and r["concept"] == KGC + "peer-support")
    assert (titled["field"], titled["matched"], titled["score"]) == ("title", "Peer Support", "0.900")


def test_tag_json(runner):
    result = runner.invoke(cli, ["concepts", "tag", str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 0
    records = {r["key"]: r for r in json.loads(result.output)}
    conchar = records[CONCHAR]
    assert conchar["source"] == "peer-support-listing.txt:17"
    healer = next(a for a in conchar["assignments"] if a["concept"] == KGC + "wounded-healer")
    assert (healer["matched"], healer["field"], healer["method"], healer["evidence"]) == (
        "wounded healers", "abstract", "label-match", 2.5)


def test_tag_missing_file_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(cli, ["concepts", "tag", str(tmp_path / "nope.ris")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr


# -- eval ---------------------------------------------------------------------------


def listing_gold(tmp_path) -> Path:
    """The gold rows of the 7 example records."""
    lines = GOLD.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "listing-gold.csv"
    path.write_text(lines[0] + "".join(l for l in lines[1:] if l.startswith("peer-support-listing.txt|")),
                    encoding="utf-8")
    return path


def test_eval_on_the_example_records(runner, tmp_path):
    result = runner.invoke(cli, ["concepts", "eval", "--gold", str(listing_gold(tmp_path)), "--inputs", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert result.stderr == ""
    micro = next(line for line in out.splitlines() if line.startswith("micro:"))
    macro = next(line for line in out.splitlines() if line.startswith("macro:"))
    assert micro.split()[-1] == "0.901" and macro.split()[-1] == "0.763"  # as in test_concepts_eval.py
    assert "records judged: 7 (all)" in out
    assert "false positives (1):\n  peer-support-listing.txt|line:48: kgc:mental-health\n" in out
    assert "  peer-support-listing.txt|line:48: kgc:comorbidity kgc:help-seeking\n" in out
    table = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.startswith("kgc:")}
    assert table["kgc:wounded-healer"] == ["1", "1", "0", "0", "1.000", "1.000", "1.000"]
    assert table["kgc:mental-health"] == ["0", "0", "1", "0", "0.000", "0.000", "0.000"]


def test_eval_counts_gold_keys_without_records_as_untagged(runner):
    result = runner.invoke(cli, ["concepts", "eval", "--gold", str(GOLD), "--inputs", str(EXAMPLE)])
    assert result.exit_code == 0
    assert "123 gold key(s) have no record among the inputs" in result.stderr
    assert "micro: precision 0.976  recall 0.099  F1 0.179" in result.output


@pytest.mark.skipif(not EXPORTS.is_dir(), reason="shared export corpus not found")
@pytest.mark.parametrize("split, micro_f1", [("all", 0.854), ("dev", 0.881), ("held-out", 0.814)])
def test_eval_on_the_whole_gold_file(runner, split, micro_f1):
    result = runner.invoke(cli, ["concepts", "eval", "--gold", str(GOLD), "--inputs", str(EXAMPLE),
                                 "--inputs", str(EXPORTS), "--split", split, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.output)
    assert report["missing"] == [] and report["split"] == split
    assert round(report["micro"]["f1"], 3) == micro_f1
    assert report["records"] == {"all": 130, "dev": 74, "held-out": 56}[split]
    assert all(set(c) >= {"concept", "support", "tp", "fp", "fn", "precision", "recall", "f1"}
               for c in report["per_concept"])


def test_eval_text_prints_micro_f1(runner):
    if not EXPORTS.is_dir():
        pytest.skip("shared export corpus not found")
    result = runner.invoke(cli, ["concepts", "eval", "--gold", str(GOLD), "--inputs", str(EXAMPLE),
                                 "--inputs", str(EXPORTS)])
    assert result.exit_code == 0
    assert "micro: precision 0.864  recall 0.843  F1 0.854" in result.output
    assert "records judged: 130 (all)" in result.output


@pytest.mark.parametrize("text", [
    "key,concepts\nf|doi:10.1/x,kgc:stigma foaf:Person\n",
    "title\nno key column\n",
    "key,concepts\nk,kgc:stigma\nk,kgc:recovery\n",
])
def test_eval_bad_gold_file_exits_2(runner, tmp_path, text):
    gold = tmp_path / "gold.csv"
    gold.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["concepts", "eval", "--gold", str(gold), "--inputs", str(EXAMPLE)])
    assert result.exit_code == 2
    assert result.stderr.startswith("kg: error: ") and "gold.csv" in result.stderr


def test_eval_missing_gold_file_exits_2(runner, tmp_path):
    result = runner.invoke(cli, ["concepts", "eval", "--gold", str(tmp_path / "none.csv"), "--inputs", str(EXAMPLE)])
    assert result.exit_code == 2


# -- suggest ------------------------------------------------------------------------


def test_suggest_ranks_uncovered_phrases(runner):
    result = runner.invoke(cli, ["concepts", "suggest", str(EXAMPLE), "--top", "200"])
    assert result.exit_code == 0
    ranked = [(int(line.split(None, 1)[0]), line.split(None, 1)[1]) for line in result.output.splitlines()]
    assert len(ranked) == 200
    assert ranked == sorted(ranked, key=lambda item: (-item[0], item[1]))
    phrases = dict((p, n) for n, p in ranked)
    assert phrases["professional mental health"] == 2
    assert "wounded healer" not in phrases and "peer support" not in phrases


def test_suggest_json_and_top(runner):
    result = runner.invoke(cli, ["concepts", "suggest", str(EXAMPLE), "--top", "3", "--format", "json"])
    assert result.exit_code == 0
    items = json.loads(result.output)
    assert len(items) == 3 and all(set(i) == {"phrase", "records"} for i in items)


def test_suggest_needs_an_input(runner):
    assert runner.invoke(cli, ["concepts", "suggest"]).exit_code == 2
    assert runner.invoke(cli, ["concepts", "suggest", str(EXAMPLE), "--top", "0"]).exit_code == 2


# -- curated tags in the built graph -------------------------------------------------


def assignments(graph: Path) -> dict[str, tuple[str, str, str]]:
    """Per assigned concept of every paper: (paper, class, method)."""
    store = ox.Store()
    store.bulk_load(path=str(graph), format=ox.RdfFormat.N_TRIPLES)
    query = f"""SELECT ?paper ?concept ?class ?method WHERE {{
        ?paper <{KG}conceptAssignment> ?node .
        ?node a ?class ; <{KG}assignedConcept> ?concept ; <{KG}assignmentMethod> ?method . }}"""
    return {(s["paper"].value, s["concept"].value): (s["class"].value, s["method"].value) for s in store.query(query)}


def test_curated_tags_are_distinguishable_in_the_built_graph(runner, tmp_path):
    paper = next(row["paper"] for row in csv.DictReader(CURATED.open(encoding="utf-8"))
                 if not row["paper"].startswith("#"))
    machine_graph, curated_graph = tmp_path / "machine.nt", tmp_path / "curated.nt"
    result = runner.invoke(cli, ["build", str(EXAMPLE), "--no-store", "-q", "-o", str(machine_graph)])
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(cli, ["build", str(EXAMPLE), "--no-store", "-q", "-o", str(curated_graph),
                                 "--curated", str(CURATED)])
    assert result.exit_code == 0, result.stderr
    before, after = assignments(machine_graph), assignments(curated_graph)
    assert any(p == paper for p, _ in before), f"{CURATED.name} names {paper}, which the build does not mint"
    machine = f"{KG}MachineConceptAssignment"
    # the removed machine tag is gone, the added one is curated
    assert before[(paper, KGC + "mental-health")] == (machine, "label-match")
    assert (paper, KGC + "mental-health") not in after
    assert (paper, KGC + "help-seeking") not in before
    assert after[(paper, KGC + "help-seeking")] == (f"{KG}CuratedConceptAssignment", "curated")
    # every other assignment is the tagger's, unchanged
    rest = {k: v for k, v in after.items() if k != (paper, KGC + "help-seeking")}
    assert rest == {k: v for k, v in before.items() if k != (paper, KGC + "mental-health")}
    assert rest and all(v == (machine, "label-match") for v in rest.values())
    # dcterms:subject follows the curated assignments too
    nt = curated_graph.read_text(encoding="utf-8")
    subject = "<http://purl.org/dc/terms/subject>"
    assert f"<{paper}> {subject} <{KGC}help-seeking> ." in nt
    assert f"<{paper}> {subject} <{KGC}mental-health> ." not in nt


def test_eval_without_any_gold_record_is_a_usage_error(tmp_path):
    """A gold file whose records cannot be found must not report F1 = 0 as if measured."""
    gold = tmp_path / "gold.csv"
    gold.write_text("key,concepts\nmissing.ris|doi:10.1/x,kgc:peer-support\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["concepts", "eval", "--gold", str(gold)])
    assert result.exit_code == 2
    assert "pass the files or folders that hold them with --inputs" in result.stderr
