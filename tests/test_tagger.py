"""The label-matching tagger: false friends, variants, longest match, determinism."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.errors import UsageError
from kg.read import read_path
from kg.concepts.curated import apply_curated, load_curated
from kg.concepts.tagger import Tagger
from kg.model import Assignment
from kg.text import fold_keeping_offsets

KGC = "https://w3id.org/kg/concepts/"
ROOT = Path(__file__).resolve().parent.parent
LISTING = ROOT / "examples" / "peer-support" / "peer-support-listing.txt"


@pytest.fixture(scope="module")
def tagger():
    return Tagger.from_scheme()


def slugs(assignments):
    return {a.concept[len(KGC):] for a in assignments}


def tag_text(tagger, text):
    return slugs(tagger.tag(text, None))


# -- false friends -----------------------------------------------------------------


def test_peer_review_is_not_peer_support(tagger):
    text = "All included trials were published in peer-reviewed journals and passed peer review."
    assert tag_text(tagger, text) == set()


def test_peer_review_next_to_real_peer_support(tagger):
    found = tag_text(tagger, "A peer review of peer support programmes")
    assert "peer-support" in found and "peer-group" not in found


def test_economic_recovery_is_not_personal_recovery(tagger):
    found = tag_text(tagger, "The economic recovery after the 2008 crisis raised household incomes.")
    assert not found & {"recovery", "personal-recovery", "clinical-recovery"}


def test_recovery_in_mental_health_is_recovery(tagger):
    assert "recovery" in tag_text(tagger, "Recovery from mental illness was the outcome.")


def test_non_peer_staff_are_not_peer_workers(tagger):
    assert tag_text(tagger, "Non-peer staff and non-peer support workers were interviewed.") & {
        "peer-support-worker", "peer-support", "peer-group"} == set()


def test_consumer_price_index_is_not_a_mental_health_consumer(tagger):
    assert "consumer" not in tag_text(tagger, "Consumer price index rises slowed consumer goods sales.")
    assert "consumer" in tag_text(tagger, "Mental health consumers ran the service.")


def test_nutritional_counselling_is_not_counselling(tagger):
    assert "counselling" not in tag_text(tagger, "They received nutritional counselling from a dietitian.")


def test_peer_to_peer_networks_are_not_peer_groups(tagger):
    assert tag_text(tagger, "Peer-to-peer networks share files.") == set()


def test_bipolar_disorder_is_not_psychosis(tagger):
    # Regression: "bipolar disorder" was a label of psychosis, so a paper telling
    # borderline personality disorder from bipolar disorder was tagged psychosis.
    assert "psychosis" not in tag_text(tagger, "Patients with bipolar disorder report elated mood.")
    assert "psychosis" in tag_text(tagger, "Patients with first-episode psychosis report voices.")


def test_semantic_networks_are_not_social_network_analysis(tagger):
    text = "We used semantic network analysis of tweets about climate change."
    assert "social-network-analysis" not in tag_text(tagger, text)
    assert "social-network-analysis" in tag_text(tagger, "We used network analysis of tweets about climate change.")


# -- variants ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Counselling helped.", "Counseling helped.", "COUNSELLING helped."])
def test_uk_and_us_spelling(tagger, text):
    assert "counselling" in tag_text(tagger, text)


@pytest.mark.parametrize("text", ["a peer-led network", "a peer led network", "a peer‐led network", "a Peer–Led Network"])
def test_hyphen_variants(tagger, text):
    assert "peer-led-network" in tag_text(tagger, text)


@pytest.mark.parametrize("text", ["peer specialists", "self-help groups", "recovery colleges", "carers", "thematic analyses"])
def test_plurals(tagger, text):
    assert tag_text(tagger, text), text


def test_accents_and_line_breaks_are_folded(tagger):
    assert "wounded-healer" in tag_text(tagger, "the wounded\nhealer archetype")
    assert "dialectical-behaviour-therapy" in tag_text(tagger, "dialectical behavior therapy (DBT)")


def test_abbreviations_need_their_capitals(tagger):
    assert "post-traumatic-stress-disorder" in tag_text(tagger, "Veterans with PTSD")
    assert "post-traumatic-stress-disorder" not in tag_text(tagger, "veterans with ptsd")


def test_fold_keeping_offsets_keeps_length():
    for text in ["Peer‐led “networks” – Crohn’s ﬁne", "İstanbul straße", "ΑΒΓ peer"]:
        assert len(fold_keeping_offsets(text)) == len(text)


# -- longest match, word boundaries -----------------------------------------------------


def test_longest_match_first(tagger):
    found = tagger.tag("Peer support workers in statutory mental health services", None)
    assert slugs(found) == {"peer-support-worker", "statutory-services"}
    worker = next(a for a in found if a.concept.endswith("peer-support-worker"))
    assert worker.matched == "Peer support workers" and worker.field == "title"


def test_no_match_inside_a_longer_word(tagger):
    assert tag_text(tagger, "peerage, carerless stigmatic supercounselling anxietyless") == set()


def test_punctuation_stops_a_match(tagger):
    assert "peer-support" not in tag_text(tagger, "the peer. Support was given")


# -- assignments -------------------------------------------------------------------


def test_assignment_values(tagger):
    result = tagger.tag("Stigma and recovery", "Stigma was common. We met peer support workers.", ["Peer Support"])
    assert [a.concept for a in result] == sorted(a.concept for a in result)
    stigma = next(a for a in result if a.concept == KGC + "stigma")
    # title 3.0 + first sentence 1.5 -> 0.6 + 0.1 * 4.5, capped at 1
    assert stigma == Assignment(KGC + "stigma", "stigma", 1.0, "label-match", "Stigma", "title", 4.5)
    recovery = next(a for a in result if a.concept == KGC + "recovery")
    assert (recovery.field, recovery.score, recovery.evidence) == ("title", 0.9, 3.0)
    worker = next(a for a in result if a.concept == KGC + "peer-support-worker")
    # a last sentence (conclusion zone) of a two-sentence abstract counts as body: 1.0
    assert (worker.field, worker.matched, worker.score, worker.evidence) == (
        "abstract", "peer support workers", 0.7, 1.0)
    # "Peer Support" only in the author's keywords: assigns, with the keyword as its match
    support = next(a for a in result if a.concept == KGC + "peer-support")
    assert (support.field, support.matched, support.evidence) == ("keywords", "Peer Support", 1.0)
    assert all(0 <= a.score <= 1 and round(a.score, 3) == a.score for a in result)


def test_author_keywords_assign_alone_but_headings_do_not(tagger):
    # the author named the topic: "Stigma" as a keyword assigns with no mention in the text
    assert "stigma" in slugs(tagger.tag("Diet in IBD", None, ["Stigma", "Humans"]))
    assert "stigma" in slugs(tagger.tag("Diet in IBD", "Patients were interviewed.", ["Stigma"]))
    # an indexer's heading alone does not, major or not
    assert "stigma" not in slugs(tagger.tag("Diet in IBD", "Patients were interviewed.", major_headings=["Stigma"]))
    assert "stigma" not in slugs(tagger.tag("Diet in IBD", "Patients were interviewed.", subject_headings=["Stigma"]))
    # practitioner needs 2: one body mention (1.0) plus a plain subject heading (0.5) is not enough ...
    text = "Diet matters. Patients spoke to clinicians. Results follow."
    assert "practitioner" not in slugs(tagger.tag("Diet in IBD", text, subject_headings=["Physicians"]))
    # ... but one plus an author keyword (1.0), or a mention in the aims (1.5) plus the heading, is
    assert "practitioner" in slugs(tagger.tag("Diet in IBD", text, ["Physicians"]))
    found = tagger.tag("Diet in IBD", "We asked clinicians about diet. Results follow.", subject_headings=["Physicians"])
    practitioner = next(a for a in found if a.concept == KGC + "practitioner")
    assert (practitioner.field, practitioner.matched, practitioner.evidence) == ("abstract", "clinicians", 2.0)


def test_a_concept_dwarfed_by_the_main_one_is_a_detail(tagger):
    """Salience: a condition named once in a long abstract about something else
    (one outcome among many) is dropped; the same sentence alone assigns it."""
    detail = "Anxiety scores did not differ at six months."
    assert "anxiety" in slugs(tagger.tag("Outcomes", detail))
    main = " ".join([
        "We reviewed dialectical behaviour therapy.",           # the aims: 1.5
        "Dialectical behaviour therapy reduced self-harm.",     # 1.0 each from here
        "Dialectical behaviour therapy was acceptable.",
        "Dialectical behaviour therapy kept people in care.",
        "Dialectical behaviour therapy cost less.",
        "Dialectical behaviour therapy helped carers.",
        detail,
        "Dialectical behaviour therapy should be offered.",   # the conclusion
    ])
    found = {a.concept: a.evidence for a in tagger.tag("Dialectical behaviour therapy in practice", main)}
    dbt = found[KGC + "dialectical-behaviour-therapy"]
    assert dbt == 3.0 + 1.5 + 6 * 1.0  # title, aims, six more sentences
    assert KGC + "anxiety" not in found  # 1.0 < MIN_SALIENCE (0.1) * 10.5
    # a title match is never dropped, however strong the rest is
    assert "anxiety" in slugs(tagger.tag("Dialectical behaviour therapy and anxiety", main))


def test_a_review_does_not_take_the_designs_of_the_studies_it_reviewed(tagger):
    abstract = ("We searched five databases. Seven randomised controlled trials and two cohort studies "
                "were included. Focus groups were rare. Most randomised controlled trials were small.")
    review = slugs(tagger.tag("Exercise for depression: a systematic review", abstract))
    assert "systematic-review" in review
    assert not review & {"randomised-controlled-trial", "longitudinal-study", "focus-group"}
    # even when the title names them: a meta-analysis of trials is not a trial
    meta = slugs(tagger.tag("Exercise for depression: a meta-analysis of randomised controlled trials", abstract))
    assert "meta-analysis" in meta and "randomised-controlled-trial" not in meta
    # without a review in the title, the same abstract's designs are the paper's own
    primary = slugs(tagger.tag("Exercise for depression", abstract))
    assert {"randomised-controlled-trial", "longitudinal-study", "focus-group"} <= primary


def test_one_mention_per_sentence(tagger):
    once = "Trials were pooled. Seven randomized controlled trials (RCTs) were found. Results follow."
    assert "randomised-controlled-trial" not in slugs(tagger.tag("Diet", once))
    twice = once + " All RCTs were small."
    found = tagger.tag("Diet", twice)
    rct = next(a for a in found if a.concept == KGC + "randomised-controlled-trial")
    assert rct.evidence == 2.0


def test_structured_abstract_sections_set_the_zone():
    from kg.model import AbstractSection
    from kg.concepts.tagger import abstract_zones, section_zone

    assert [section_zone(x) for x in ("Purpose", "OBJECTIVES", "Background", "Methods", "Results",
                                      "Conclusions", "Originality/value")] == [
        "lead", "lead", "lead", "body", "body", "conclusion", "conclusion"]
    sections = (AbstractSection("Aims", "A."), AbstractSection("Methods", "B."), AbstractSection("Conclusion", "C."))
    assert abstract_zones("ignored when sections exist", sections) == [
        ("lead", "A."), ("body", "B."), ("conclusion", "C.")]
    assert abstract_zones("One. Two. Three.") == [("lead", "One. "), ("body", "Two. "), ("conclusion", "Three.")]
    assert abstract_zones("Just one sentence") == [("lead", "Just one sentence")]
    assert abstract_zones(None) == []


def test_generic_concepts_need_more_than_a_passing_mention(tagger):
    once = "Clinicians should be mindful of this."
    assert "practitioner" not in slugs(tagger.tag("Diet in IBD", once))
    assert "practitioner" in slugs(tagger.tag("Diet in IBD", once + " We interviewed clinicians."))
    assert "practitioner" in slugs(tagger.tag("What clinicians think", None))


def test_grouping_concepts_are_never_assigned(tagger):
    assert tag_text(tagger, "research methods and health conditions") == set()


def test_deterministic_across_hash_seeds():
    code = (
        "from kg.concepts.tagger import Tagger;"
        "t=Tagger.from_scheme();"
        "print(t.tag('Peer support workers and stigma','Recovery colleges, carers, PTSD and depression.'))"
    )
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        outputs.add(subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                                   text=True, check=True).stdout)
    assert len(outputs) == 1


# -- the example corpus ------------------------------------------------------------

EXPECTED_EXAMPLES = {
    1: {"consumer", "mental-health-services", "peer-support"},
    8: {"employment", "mental-health-services", "narrative-inquiry", "peer-support", "peer-support-worker",
        "personal-recovery"},
    17: {"employment", "lived-experience", "mental-health-services", "peer-support-worker", "systematic-review",
         "thematic-analysis", "wounded-healer"},
    27: {"evaluation", "focus-group", "lived-experience", "mental-health-services", "mutual-support",
         "peer-led-network", "peer-support", "qualitative-interview", "social-movement", "social-network",
         "statutory-services", "survey"},
    38: {"mental-health-policy", "mental-health-services", "workforce-training"},
    48: {"anxiety", "barriers-to-access", "cardiovascular-disease", "depression", "informal-peer-support-network",
         "mental-health", "mental-health-conditions", "mental-health-services", "qualitative-interview",
         "service-use", "thematic-analysis"},
    57: set(),
}


def test_expected_concepts_for_the_example_records(tagger):
    _, result = read_path(LISTING, LISTING.name)
    got = {record.source.line: slugs(tagger.tag_record(record)) for record in result.records}
    assert got == EXPECTED_EXAMPLES


# -- curated assignments -------------------------------------------------------------


def write(tmp_path, text):
    path = tmp_path / "curated.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_curated_rows_win_over_the_tagger(tagger, tmp_path):
    path = write(tmp_path, "paper,concept,action,note\n"
                 "https://doi.org/10.1108/MHSI-03-2016-0009,kgc:wounded-healer,add,about the archetype\n"
                 "doi:10.1108/mhsi-03-2016-0009,stigma,remove,only mentioned\n"
                 "https://w3id.org/kg/id/paper/x,https://w3id.org/kg/concepts/recovery,add,\n")
    curated = load_curated(path)
    assert [c.paper for c in curated] == ["10.1108/mhsi-03-2016-0009"] * 2 + ["https://w3id.org/kg/id/paper/x"]
    mine = [row for row in curated if row.paper == "10.1108/mhsi-03-2016-0009"]
    machine = tagger.tag("Stigma and peer support", None)
    result = apply_curated(machine, mine)
    assert slugs(result) == {"peer-support", "wounded-healer"}
    healer = next(a for a in result if a.concept.endswith("wounded-healer"))
    assert (healer.method, healer.score, healer.label) == ("curated", 1.0, "wounded healer")


@pytest.mark.parametrize("row, message", [
    ("not-a-doi,kgc:stigma,add,", "curated.csv:2: paper"),
    ("10.1234/x,kgc:no-such-concept,add,", "curated.csv:2: unknown concept"),
    ("10.1234/x,stigma,maybe,", "curated.csv:2: action"),
])
def test_bad_curated_rows_name_file_and_line(tmp_path, row, message):
    with pytest.raises(UsageError, match=message):
        load_curated(write(tmp_path, "paper,concept,action,note\n" + row + "\n"))


def test_contradicting_curated_rows(tmp_path):
    path = write(tmp_path, "paper,concept,action,note\n10.1234/x,stigma,add,\n10.1234/x,kgc:stigma,remove,\n")
    with pytest.raises(UsageError, match="curated.csv:3: contradicts .*curated.csv:2"):
        load_curated(path)


def test_missing_columns(tmp_path):
    with pytest.raises(UsageError, match="curated.csv:1"):
        load_curated(write(tmp_path, "paper,concept\n10.1234/x,stigma\n"))


def test_author_keywords_major_and_plain_headings(tagger):
    abstract = "We interviewed peer workers. Stigma was discussed once in passing by staff."
    # kgc:stigma is generic or not: compare evidence rather than assignment
    plain = {a.concept: a.evidence for a in tagger.tag("A study", abstract)}
    keyed = {a.concept: a.evidence for a in tagger.tag("A study", abstract, keywords=("stigma",))}
    major = {a.concept: a.evidence for a in tagger.tag("A study", abstract, major_headings=("Stigma, Social",),
                                                         subject_headings=("Stigma, Social",))}
    headed = {a.concept: a.evidence for a in tagger.tag("A study", abstract, subject_headings=("Stigma, Social",))}
    stigma = KGC + "stigma"
    assert keyed[stigma] == major[stigma] == plain.get(stigma, 1.0) + 1.0
    assert headed[stigma] == plain.get(stigma, 1.0) + 0.5
    # headings never alone, and check tags are ignored
    assert slugs(tagger.tag("A study", None, major_headings=("Stigma",), subject_headings=("Stigma",))) == set()
    assert "young-people" not in slugs(tagger.tag("Young people", None)) ^ slugs(
        tagger.tag("Young people", None, subject_headings=("Adolescent",)))
    assert tagger.tag("A study", "Adolescent services were studied.", subject_headings=("Adolescent",)) == \
        tagger.tag("A study", "Adolescent services were studied.")
