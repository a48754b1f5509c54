"""evaluate() on hand-made numbers, the gold file, hierarchy() and suggest()."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.concepts.evaluation import evaluate, gold_split, load_gold, predict, record_key, select_split, suggest
from kg.concepts.scheme import hierarchy, load_scheme
from kg.errors import UsageError
from kg.read import READERS, read_path
from kg.concepts.tagger import Tagger

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GOLD = HERE / "data" / "concepts-gold.csv"
LISTING = ROOT / "examples" / "peer-support" / "peer-support-listing.txt"
EXPORTS = ROOT.parent / "shared" / "corpus" / "exports"
KGC = "https://w3id.org/kg/concepts/"
EXPORT_READERS = ("ris", "bibtex", "csl-json", "openalex", "pubmed-xml", "medline")


# -- evaluate() ----------------------------------------------------------------------


def test_evaluate_tiny_example():
    gold = {"p1": {"a", "b"}, "p2": {"a"}, "p3": set()}
    predicted = {"p1": {"a"}, "p2": {"a", "c"}, "p3": {"c"}}
    report = evaluate(gold, predicted)
    # a: tp 2; b: fn 1; c: fp 2  -> micro P 2/4, R 2/3, F1 4/7
    assert (report.micro.precision, report.micro.recall) == (0.5, 2 / 3)
    assert report.micro.f1 == pytest.approx(4 / 7)
    a, b, c = (report.per_concept[k] for k in "abc")
    assert (a.true_positives, a.false_positives, a.false_negatives, a.support) == (2, 0, 0, 2)
    assert (a.scores.precision, a.scores.recall, a.scores.f1) == (1.0, 1.0, 1.0)
    assert (b.support, b.scores.precision, b.scores.recall, b.scores.f1) == (1, 0.0, 0.0, 0.0)
    assert (c.support, c.false_positives, c.scores.f1) == (0, 2, 0.0)
    assert report.macro.precision == pytest.approx(1 / 3)
    assert report.macro.recall == pytest.approx(1 / 3)
    assert report.macro.f1 == pytest.approx(1 / 3)
    assert report.false_positives == {"p2": {"c"}, "p3": {"c"}}
    assert report.false_negatives == {"p1": {"b"}}


def test_evaluate_counts_a_missing_prediction_as_empty():
    report = evaluate({"p1": {"a"}, "p2": {"b"}}, {"p1": {"a"}})
    assert report.micro.precision == 1.0 and report.micro.recall == 0.5
    assert report.false_negatives == {"p2": {"b"}}


def test_evaluate_nothing():
    report = evaluate({}, {})
    assert report.micro.f1 == 0.0 and report.macro.f1 == 0.0 and report.per_concept == {}


# -- the gold file ---------------------------------------------------------------------


def test_gold_file_is_well_formed():
    gold = load_gold(GOLD)
    scheme = load_scheme()
    assert len(gold) >= 67
    for key, concepts in gold.items():
        assert concepts <= set(scheme.concepts), (key, concepts - set(scheme.concepts))
    listing = [k for k in gold if k.startswith(LISTING.name + "|")]
    assert len(listing) == 7
    assert len(gold) - len(listing) >= 60


def test_load_gold_rejects_bad_rows(tmp_path):
    bad = tmp_path / "gold.csv"
    bad.write_text("key,concepts\nf|doi:10.1/x,kgc:stigma foaf:Person\n", encoding="utf-8")
    with pytest.raises(UsageError, match="gold.csv:2"):
        load_gold(bad)
    bad.write_text("key,concepts\nk,kgc:stigma\nk,kgc:recovery\n", encoding="utf-8")
    with pytest.raises(UsageError, match="gold.csv:3: key 'k' appears twice"):
        load_gold(bad)


def tag_file(tagger, path: Path) -> dict[str, set[str]]:
    _, result = read_path(path, path.name)
    return {record_key(r): {a.concept for a in tagger.tag_record(r)} for r in result.records}


@pytest.fixture(scope="module")
def tagger():
    return Tagger.from_scheme()


def test_example_records_against_gold(tagger):
    gold = {k: v for k, v in load_gold(GOLD).items() if k.startswith(LISTING.name + "|")}
    report = evaluate(gold, tag_file(tagger, LISTING))
    assert set(tag_file(tagger, LISTING)) == set(gold)
    assert round(report.micro.f1, 3) == 0.901
    assert round(report.macro.f1, 3) == 0.763


@pytest.fixture(scope="module")
def gold_predictions(tagger):
    """Gold file and predictions for every key: the 7 example records and the
    export records, read with the project's readers."""
    if not EXPORTS.is_dir():
        pytest.skip(f"shared export corpus not found at {EXPORTS}")
    missing = [name for name in EXPORT_READERS if name not in READERS]
    if missing:
        pytest.skip(f"readers not registered yet: {', '.join(missing)}")
    gold = load_gold(GOLD)
    wanted = {key.split("|", 1)[0] for key in gold}
    records = list(read_path(LISTING, LISTING.name)[1].records)
    for path in sorted(p for p in EXPORTS.rglob("*") if p.is_file() and p.name in wanted):
        records.extend(read_path(path, path.name)[1].records)
    # Records of those files that the gold file does not cover are not judged.
    predicted = predict(records, tagger, gold)
    assert set(predicted) == set(gold), sorted(set(gold) - set(predicted))
    return gold, predicted


def figures(gold, predicted, split):
    part = select_split(gold, split)
    report = evaluate(part, {k: v for k, v in predicted.items() if k in part})
    return tuple(round(x, 3) for x in (report.micro.precision, report.micro.recall, report.micro.f1,
                                       report.macro.f1))


def test_gold_split_is_fixed_and_balanced():
    gold = load_gold(GOLD)
    halves = {k: gold_split(k) for k in gold}
    assert set(halves.values()) == {"dev", "held-out"}
    assert (sum(v == "dev" for v in halves.values()), sum(v == "held-out" for v in halves.values())) == (74, 56)
    # sha256, not hash(): the same key lands in the same half in every run
    assert gold_split("peer-support-listing.txt|line:17") == "dev"
    assert gold_split("peer-support-listing.txt|line:38") == "held-out"
    assert select_split(gold, "all") == gold
    with pytest.raises(UsageError, match="split"):
        select_split(gold, "test")


def test_gold_set_micro_f1(gold_predictions):
    """Micro P, R, F1 and macro F1 on the whole gold file and on its halves.

    The tagger's weights and thresholds (kg/tagger.py, kg:minMentions) were
    tuned on the dev half only; held-out is the honest estimate, and the whole
    file, which includes dev, flatters it. The exact figures guard against
    regressions.

    The file's last 47 rows (every unannotated Web of Science record, and the
    first 40 unannotated records of the communication-research BibTeX file, in
    file order) were annotated blind, before the tagger was run on them; on
    those rows alone the tagger scored 0.704 before tuning on their dev half.
    A second blind annotation of the same 47 rows agreed with the first at
    micro-F1 0.942, so the tagger, not the annotation, is what falls short there.
    """
    gold, predicted = gold_predictions
    assert figures(gold, predicted, "all") == (0.864, 0.843, 0.854, 0.781)
    assert figures(gold, predicted, "dev") == (0.891, 0.872, 0.881, 0.809)
    assert figures(gold, predicted, "held-out") == (0.826, 0.802, 0.814, 0.684)


def test_gold_set_first_83_records(gold_predictions):
    """The first 83 rows, the gold file as it was before the blind additions:
    0.849 then (held-out 0.806). Salience, the review rule, author keywords
    assigning alone and the scheme fixes took it to 0.875 (held-out 0.832)."""
    gold, predicted = gold_predictions
    first = dict(list(load_gold(GOLD).items())[:83])
    assert figures(first, predicted, "all")[2] == 0.875
    assert figures(first, predicted, "held-out")[2] == 0.832


# -- hierarchy() and suggest() ---------------------------------------------------------


def test_hierarchy_is_a_sorted_tree():
    tree = hierarchy()
    labels = [node.label for node in tree]
    assert labels == sorted(labels, key=str.casefold)
    peer = next(node for node in tree if node.concept == KGC + "peer-support")
    worker = next(node for node in peer.children if node.concept == KGC + "peer-support-worker")
    assert [c.concept for c in worker.children] == [KGC + "peer-specialist"]
    # peer support worker is also under the lived-experience workforce (polyhierarchy)
    people = next(node for node in tree if node.concept == KGC + "people-and-roles")
    workforce = next(node for node in people.children if node.concept == KGC + "lived-experience-workforce")
    assert KGC + "peer-support-worker" in [c.concept for c in workforce.children]


def test_suggest_lists_uncovered_phrases(tagger):
    _, result = read_path(LISTING, LISTING.name)
    suggestions = suggest(result.records, tagger, top=10_000)
    phrases = dict(suggestions)
    assert suggestions == sorted(suggestions, key=lambda item: (-item[1], item[0]))
    assert phrases["prosper"] == 1
    assert phrases["professional mental health"] == 2  # records 1 and 5
    assert phrases["cvd patients"] == 1 and "cvd" not in phrases  # "CVD" is a label
    # covered by a label: never suggested
    for covered in ("peer support", "mental health services", "thematic analysis", "wounded healer"):
        assert covered not in phrases
    assert len(suggest(result.records, tagger, top=5)) == 5
