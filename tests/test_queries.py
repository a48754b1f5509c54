"""The named-query library: every query's answer, row by row.

Queries about the example corpus run on the example build; queries that need
venues, DOIs, ORCIDs or hand-checked concept assignments run on a small
hand-written graph (tests/data/queries/fixture.ttl) in kg's vocabulary.
Rows are compared as plain values: IRIs shortened to ``id:``/``kgc:``,
numbers as numbers (engines spell 0.900 and 0.9 differently), other
literals as their lexical form. Parameters are not result columns: the
caller knows their values.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.query.registry import get_query, load_queries
from kg.query.run import run_local
from kg.sinks.store import open_store

DATA = Path(__file__).resolve().parent / "data" / "queries"
ID = "https://w3id.org/kg/id/"
KGC = "https://w3id.org/kg/concepts/"


def simple(term):
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        for long, short in ((ID, "id:"), (KGC, "kgc:")):
            if term.value.startswith(long):
                return short + term.value[len(long):]
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:"
    kind = term.datatype.value.rsplit("#", 1)[-1] if term.datatype else ""
    if kind == "integer":
        return int(term.value)
    if kind in ("decimal", "double", "float"):
        return float(term.value)
    return term.value


def rows(result, drop: set[str] = frozenset()):
    """Rows as plain values, without the columns named in ``drop``."""
    keep = [i for i, v in enumerate(result.variables) if v not in drop]
    return [tuple(simple(row[i]) for i in keep) for row in result.rows]


@pytest.fixture(scope="module")
def fixture_store() -> ox.Store:
    store = ox.Store()
    store.load(path=str(DATA / "fixture.ttl"), format=ox.RdfFormat.TURTLE)
    return store


@pytest.fixture(scope="module")
def corpus_store(example_build) -> ox.Store:
    return open_store(example_build.store, read_only=True)


def answer(store, name, **params):
    query = get_query(name)
    result = run_local(store, query, params)
    assert not set(result.variables) & {p.name for p in query.parameters}, "a parameter leaked into the columns"
    return rows(result)


# -- the example corpus ----------------------------------------------------------

REPPER = f"{ID}person/julie-repper"
CONCHAR = f"{ID}person/catherine-conchar"
PUSCHNER_2019 = f"{ID}work/puschner-2019-6f1efec9f9"
HODGES_2007 = f"{ID}work/hodges-2007-0336e28305"
CONCHAR_2014 = f"{ID}work/conchar-2014-6fe40b3397"
ALL_WORKS = [
    "id:work/collopy-2020-ec3b0156b6", "id:work/conchar-2014-6fe40b3397", "id:work/gillard-2016-0a20ccf569",
    "id:work/hodges-2007-0336e28305", "id:work/parry-2019-0e563e4b60", "id:work/puschner-2019-6f1efec9f9",
    "id:work/watson-2016-c3dcc4841e",
]
SOURCE = "peer-support-listing.txt:"
SOURCES = {
    "id:work/collopy-2020-ec3b0156b6": SOURCE + "48", "id:work/conchar-2014-6fe40b3397": SOURCE + "17",
    "id:work/gillard-2016-0a20ccf569": SOURCE + "27", "id:work/hodges-2007-0336e28305": SOURCE + "1",
    "id:work/parry-2019-0e563e4b60": SOURCE + "38", "id:work/puschner-2019-6f1efec9f9": SOURCE + "57",
    "id:work/watson-2016-c3dcc4841e": SOURCE + "8",
}


def test_coauthors_of_julie_repper(corpus_store):
    assert answer(corpus_store, "author-coauthors", author=REPPER) == [
        ("id:person/bernd-puschner", "Bernd Puschner", 1),
        ("id:person/candelaria-mahlke", "Candelaria Mahlke", 1),
        ("id:person/catherine-conchar", "Catherine Conchar", 1),
        ("id:person/david-basangwa", "David Basangwa", 1),
        ("id:person/rebecca-nixdorf", "Rebecca Nixdorf", 1),
    ]


def test_publications_of_julie_repper_newest_first(corpus_store):
    assert answer(corpus_store, "author-works", author=REPPER) == [
        ("id:work/puschner-2019-6f1efec9f9", "2019", None, 2, "Julie Repper", None, None),
        ("id:work/conchar-2014-6fe40b3397", "2014", None, 2, "Julie Repper", None, None),
    ]


def test_publications_per_year_of_julie_repper(corpus_store):
    assert answer(corpus_store, "author-works-per-year", author=REPPER) == [("2014", 1), ("2019", 1)]


def test_potential_collaborators_of_catherine_conchar(corpus_store):
    assert answer(corpus_store, "author-potential-collaborators", author=CONCHAR) == [
        ("id:person/bernd-puschner", "Bernd Puschner", 1),
        ("id:person/candelaria-mahlke", "Candelaria Mahlke", 1),
        ("id:person/david-basangwa", "David Basangwa", 1),
        ("id:person/rebecca-nixdorf", "Rebecca Nixdorf", 1),
    ]


def test_corpus_has_no_venues_so_author_venues_is_empty(corpus_store):
    assert answer(corpus_store, "author-venues", author=REPPER) == []


def test_author_list_in_printed_order(corpus_store):
    names = ["Bernd Puschner", "Julie Repper", "Candelaria Mahlke", "Rebecca Nixdorf", "David Basangwa"]
    people = ["bernd-puschner", "julie-repper", "candelaria-mahlke", "rebecca-nixdorf", "david-basangwa"]
    assert answer(corpus_store, "work-authors", work=PUSCHNER_2019) == [
        (i, name, f"id:person/{person}", name, None) for i, (name, person) in enumerate(zip(names, people), start=1)
    ]


def test_work_details_of_a_truncated_work(corpus_store):
    assert answer(corpus_store, "work-details", work=PUSCHNER_2019) == [
        ("http://purl.org/spar/fabio/JournalArticle", None, "2019", None, None, None, "85", "1", None, None, None, 5, "true"),
    ]


def test_work_details_of_hodges_2007(corpus_store):
    assert answer(corpus_store, "work-details", work=HODGES_2007) == [
        ("http://purl.org/spar/fabio/JournalArticle", "Peer Support Among Consumers of Professional Mental Health Services",
         "2007", None, None, None, "14", "3", "81", "92", None, 1, None),
    ]


def test_the_one_work_with_a_title_is_hodges_2007(corpus_store):
    untitled = [row[0] for row in answer(corpus_store, "curation-missing-metadata", field="title")]
    assert untitled == [w for w in ALL_WORKS if w != "id:work/hodges-2007-0336e28305"]
    assert answer(corpus_store, "lookup-title", text="PEER SUPPORT among") == [
        ("id:work/hodges-2007-0336e28305", "Peer Support Among Consumers of Professional Mental Health Services", "2007"),
    ]


def test_missing_metadata_rows(corpus_store):
    expected = [(w, "abstract", SOURCES[w]) for w in ("id:work/hodges-2007-0336e28305", "id:work/puschner-2019-6f1efec9f9")]
    expected += [(w, "title", SOURCES[w]) for w in ALL_WORKS if w != "id:work/hodges-2007-0336e28305"]
    expected += [(w, "venue", SOURCES[w]) for w in ALL_WORKS]
    assert answer(corpus_store, "curation-missing-metadata") == expected


def test_truncated_author_lists(corpus_store):
    assert answer(corpus_store, "curation-truncated-author-lists") == [
        ("id:work/puschner-2019-6f1efec9f9", "2019", None, 5),
    ]


def test_corpus_author_positions_are_sound_and_names_resolved(corpus_store):
    assert answer(corpus_store, "curation-author-positions") == []
    assert answer(corpus_store, "curation-unresolved-authors") == []


def test_works_per_year_and_in_a_year(corpus_store):
    assert answer(corpus_store, "works-per-year") == [("2007", 1), ("2014", 1), ("2016", 2), ("2019", 2), ("2020", 1)]
    assert answer(corpus_store, "works-in-year", year="2016") == [
        ("id:work/gillard-2016-0a20ccf569", None), ("id:work/watson-2016-c3dcc4841e", None),
    ]


def test_top_authors(corpus_store):
    found = answer(corpus_store, "top-authors")
    assert found[0] == ("id:person/julie-repper", "Julie Repper", 2, "2014", "2019")
    assert len(found) == 16 and all(row[2] == 1 for row in found[1:])
    assert [row[1] for row in found[1:]] == sorted(row[1] for row in found[1:])
    assert answer(corpus_store, "top-authors", min="2") == [found[0]]


def test_lookup_person_by_name_fragment(corpus_store):
    assert answer(corpus_store, "lookup-name", text="REPP") == [("id:person/julie-repper", "Julie Repper")]
    assert answer(corpus_store, "lookup-name", text="catherine") == [
        ("id:person/catherine-conchar", "Catherine Conchar"), ("id:person/catherine-m-collopy", "Catherine M Collopy"),
    ]


def test_class_counts(corpus_store):
    counts = dict(answer(corpus_store, "class-counts"))
    assert counts["http://purl.org/spar/fabio/JournalArticle"] == 6
    assert counts["http://purl.org/spar/fabio/Expression"] == 1
    assert counts["http://xmlns.com/foaf/0.1/Person"] == 16
    assert counts["http://purl.org/spar/pro/RoleInTime"] == 17
    assert counts["https://w3id.org/kg/ns#SourceRecord"] == 7
    assert list(counts) == sorted(counts)


def test_property_counts_and_summary(corpus_store, example_build):
    props = {row[0]: row[1:] for row in answer(corpus_store, "property-counts")}
    assert props["http://purl.org/dc/terms/creator"] == (17, 7, 16)
    assert props["https://w3id.org/kg/ns#authorPosition"] == (17, 17, 5)
    assert props["http://purl.org/dc/terms/title"][0] == 2  # Hodges 2007 and the concept scheme
    summary = answer(corpus_store, "graph-summary")
    assert len(summary) == 1
    triples, _subjects, works, people, venues = summary[0][:5]
    assert (triples, works, people, venues) == (len(example_build.lines), 7, 16, 0)
    assert sum(row[0] for row in props.values()) == triples


def test_work_has_author(corpus_store):
    ask = lambda **p: run_local(corpus_store, get_query("work-has-author"), p).boolean  # noqa: E731
    assert ask(work=PUSCHNER_2019, author=REPPER) is True
    assert ask(work=HODGES_2007, author=REPPER) is False


def test_work_export_is_the_work_and_its_nodes(corpus_store):
    result = run_local(corpus_store, get_query("work-export"), {"work": HODGES_2007})
    subjects = {t.subject.value for t in result.triples}
    assert HODGES_2007 in subjects and f"{HODGES_2007}/authorship/1" in subjects
    assert all(s.startswith(HODGES_2007) for s in subjects)
    assert ox.Triple(ox.NamedNode(HODGES_2007), ox.NamedNode("http://purl.org/dc/terms/title"),
                     ox.Literal("Peer Support Among Consumers of Professional Mental Health Services")) in result.triples


def test_corpus_records_no_merges(corpus_store):
    """Every work in the example corpus comes from one record, and the one person on
    two works (Julie Repper) is printed the same way on both: the resolver records
    no merge for a name printed identically, so there is nothing to review."""
    query = get_query("curation-merges")
    assert [p.name for p in query.parameters] == ["kind"]
    for kind in ("all", "work", "person"):
        result = run_local(corpus_store, query, {"kind": kind})
        assert result.variables == ["merged", "label", "members", "evidence"]
        assert result.rows == []


# concept queries on the corpus, now that concept tagging has landed: the wounded
# healer review (Conchar & Repper 2014) is the corpus' one paper on the idea.

def test_corpus_wounded_healer(corpus_store):
    healer = f"{KGC}wounded-healer"
    assert answer(corpus_store, "concept-works", concept=healer) == [("id:work/conchar-2014-6fe40b3397", "2014", None)]
    assert answer(corpus_store, "concept-earliest-works", concept=healer) == [("id:work/conchar-2014-6fe40b3397", "2014", None)]
    assert answer(corpus_store, "concept-works-per-year", concept=healer) == [("2014", 1)]
    assert answer(corpus_store, "concept-authors", concept=healer) == [
        ("id:person/catherine-conchar", "Catherine Conchar", 1), ("id:person/julie-repper", "Julie Repper", 1),
    ]
    assert answer(corpus_store, "concept-coauthor-graph", concept=healer) == [
        ("id:person/catherine-conchar", "Catherine Conchar", "id:person/julie-repper", "Julie Repper", 1),
    ]
    assert ("kgc:wounded-healer", "wounded healer", 1) in answer(corpus_store, "author-concepts", author=REPPER)
    cooccurring = answer(corpus_store, "concept-cooccurring", concept=healer)
    assert ("kgc:lived-experience", "lived experience", 1) in cooccurring
    assert all(row[2] == 1 for row in cooccurring)


def test_corpus_peer_support_includes_narrower_concepts(corpus_store):
    works = [row[0] for row in answer(corpus_store, "concept-works", concept="kgc:peer-support")]
    assert "id:work/conchar-2014-6fe40b3397" in works  # tagged peer support worker, a narrower concept
    assert works[-1] == "id:work/hodges-2007-0336e28305"  # newest first


# -- the hand-written fixture graph ----------------------------------------------

W1 = "id:work/doi/10.1108/mhsi-01-2016-0001"
W2, W3, W4, W5 = "id:work/baker-2014-aaaa", "id:work/cole-2019-bbbb", "id:work/author-2007-cccc", "id:work/evans-2016-dddd"
ADA, BEN, CARA, EVE = "id:person/orcid/0000-0002-1825-0097", "id:person/ben-baker", "id:person/cara-cole", "id:person/eve-evans"
MHSI, PRJ = "id:venue/issn/2042-8308", "id:venue/issn/1095-158X"
MHSI_TITLE, PRJ_TITLE = "Mental Health and Social Inclusion", "Psychiatric Rehabilitation Journal"


def full(short: str) -> str:
    return short.replace("id:", ID, 1).replace("kgc:", KGC, 1)


FIXTURE_CASES = [
    ("work-details", {"work": W1}, [
        ("http://purl.org/spar/fabio/JournalArticle", "Peer support workers in practice", "2016", "2016-03-01", MHSI,
         MHSI_TITLE, "20", "1", "1", "9", "10.1108/mhsi-01-2016-0001", 2, None),
    ]),
    ("work-authors", {"work": W3}, [(1, "Cara Cole", CARA, "Cara Cole", None), (2, "D. Unresolved", None, None, None)]),
    ("work-authors", {"work": W1}, [(1, "A. Author", ADA, "Ada Author", "0000-0002-1825-0097"), (2, "Ben Baker", BEN, "Ben Baker", None)]),
    ("work-related", {"work": W1}, [(W3, "Recovery colleges", "2019", 1), (W2, "Wounded healers", "2014", 1)]),
    ("author-works", {"author": BEN}, [
        (W1, "2016", "Peer support workers in practice", 2, "Ben Baker", MHSI, MHSI_TITLE),
        (W2, "2014", "Wounded healers", 1, "Ben Baker", MHSI, MHSI_TITLE),
    ]),
    ("author-coauthors", {"author": BEN}, [(ADA, "Ada Author", 1), (CARA, "Cara Cole", 1)]),
    ("author-works-per-year", {"author": ADA}, [("2007", 1), ("2016", 1)]),
    ("author-concepts", {"author": BEN}, [
        ("kgc:peer-support-worker", "peer support worker", 2), ("kgc:recovery", "recovery", 1), ("kgc:wounded-healer", "wounded healer", 1),
    ]),
    ("author-venues", {"author": CARA}, [(MHSI, MHSI_TITLE, 1), (PRJ, PRJ_TITLE, 1)]),
    ("author-potential-collaborators", {"author": ADA}, [(CARA, "Cara Cole", 1)]),
    ("concept-works", {"concept": "kgc:peer-support"}, [
        (W1, "2016", "Peer support workers in practice"), (W5, "2016", "Peer-led networks"),
        (W2, "2014", "Wounded healers"), (W4, "2007", None),
    ]),
    ("concept-works", {"concept": "kgc:lived-experience"}, [(W5, "2016", "Peer-led networks"), (W2, "2014", "Wounded healers")]),
    ("concept-earliest-works", {"concept": "kgc:peer-support"}, [
        (W4, "2007", None), (W2, "2014", "Wounded healers"),
        (W1, "2016", "Peer support workers in practice"), (W5, "2016", "Peer-led networks"),
    ]),
    ("concept-works-per-year", {"concept": "kgc:peer-support"}, [("2007", 1), ("2014", 1), ("2016", 2)]),
    ("concept-authors", {"concept": "kgc:peer-support"}, [
        (ADA, "Ada Author", 2), (BEN, "Ben Baker", 2), (CARA, "Cara Cole", 1), (EVE, "Eve Evans", 1),
    ]),
    ("concept-venues", {"concept": "kgc:peer-support"}, [(MHSI, MHSI_TITLE, 2), (PRJ, PRJ_TITLE, 1)]),
    ("concept-cooccurring", {"concept": "kgc:recovery"}, [("kgc:peer-support-worker", "peer support worker", 1)]),
    ("concept-cooccurring", {"concept": "kgc:peer-support-worker"}, [
        ("kgc:recovery", "recovery", 1), ("kgc:wounded-healer", "wounded healer", 1),
    ]),
    ("concept-coauthor-graph", {"concept": "kgc:peer-support"}, [
        (BEN, "Ben Baker", CARA, "Cara Cole", 1), (BEN, "Ben Baker", ADA, "Ada Author", 1),
    ]),
    ("concept-list", {}, [
        ("kgc:lived-experience", "lived experience", None, 1),
        ("kgc:peer-support", "peer support", None, 1),
        ("kgc:peer-support-worker", "peer support worker", "kgc:peer-support", 2),
        ("kgc:peer-led-network", "peer-led network", "kgc:peer-support", 1),
        ("kgc:recovery", "recovery", None, 2),
        ("kgc:wounded-healer", "wounded healer", "kgc:lived-experience", 1),
    ]),
    ("venue-works", {"venue": MHSI}, [
        (W1, "2016", "Peer support workers in practice", "20", "1", "1"), (W2, "2014", "Wounded healers", None, None, None),
    ]),
    ("venue-authors", {"venue": MHSI}, [(BEN, "Ben Baker", 2), (ADA, "Ada Author", 1), (CARA, "Cara Cole", 1)]),
    ("venue-concepts-per-year", {"venue": MHSI}, [
        ("2014", "kgc:peer-support-worker", "peer support worker", 1), ("2014", "kgc:wounded-healer", "wounded healer", 1),
        ("2016", "kgc:peer-support-worker", "peer support worker", 1), ("2016", "kgc:recovery", "recovery", 1),
    ]),
    ("lookup-doi", {"doi": "https://doi.org/10.1108/MHSI-01-2016-0001"}, [(W1, "Peer support workers in practice", "2016")]),
    ("lookup-doi", {"doi": "10.1108/mhsi-01-2016-0001"}, [(W1, "Peer support workers in practice", "2016")]),
    ("lookup-doi", {"doi": "10.9999/nothing"}, []),
    ("lookup-orcid", {"orcid": "https://orcid.org/0000-0002-1825-0097"}, [(ADA, "Ada Author")]),
    ("lookup-issn", {"issn": "1095-158x"}, [(PRJ, PRJ_TITLE, "print")]),
    ("lookup-issn", {"issn": "2042-8316"}, [(MHSI, MHSI_TITLE, "electronic")]),
    ("lookup-name", {"text": "author"}, [(ADA, "Ada Author")]),  # name and variant match: one row
    ("lookup-title", {"text": "peer"}, [(W1, "Peer support workers in practice", "2016"), (W5, "Peer-led networks", "2016")]),
    ("curation-missing-metadata", {}, [(W3, "abstract", "fixture.txt:3"), (W4, "title", "fixture.txt:4"), (W4, "venue", "fixture.txt:4")]),
    ("curation-missing-metadata", {"field": "venue"}, [(W4, "venue", "fixture.txt:4")]),
    ("curation-truncated-author-lists", {}, [(W3, "2019", "Recovery colleges", 2)]),
    ("curation-concepts-to-review", {}, [
        (W1, "kgc:peer-support-worker", "peer support worker", 0.9, "label-match", "peer support workers", "title"),
        (W2, "kgc:wounded-healer", "wounded healer", 0.8, "label-match", "wounded healers", "title"),
        (W3, "kgc:recovery", "recovery", 0.7, "label-match", "Recovery", "title"),
        (W5, "kgc:peer-led-network", "peer-led network", 0.6, "label-match", "Peer-led networks", "title"),
        (W5, "kgc:lived-experience", "lived experience", 0.5, "label-match", "peers", "abstract"),
    ]),
    ("curation-concepts-to-review", {"min_score": "0.75"}, [
        (W1, "kgc:peer-support-worker", "peer support worker", 0.9, "label-match", "peer support workers", "title"),
        (W2, "kgc:wounded-healer", "wounded healer", 0.8, "label-match", "wounded healers", "title"),
    ]),
    ("curation-unresolved-authors", {}, [("D. Unresolved", 2, f"{ID}work/author-2007-cccc")]),
    ("curation-author-positions", {}, [(W4, 2, 2, 3)]),
    ("graph-summary", {}, [(210, 40, 5, 4, 2, 6, 8)]),
    ("works-in-year", {"year": "2016"}, [(W1, "Peer support workers in practice"), (W5, "Peer-led networks")]),
    ("works-per-year", {}, [("2007", 1), ("2014", 1), ("2016", 2), ("2019", 1)]),
    ("top-authors", {"min": "2"}, [(ADA, "Ada Author", 2, "2007", "2016"), (BEN, "Ben Baker", 2, "2014", "2016"), (CARA, "Cara Cole", 2, "2014", "2019")]),
    ("class-counts", {}, [
        ("http://purl.org/spar/fabio/Expression", 1), ("http://purl.org/spar/fabio/Journal", 2),
        ("http://purl.org/spar/fabio/JournalArticle", 4), ("http://purl.org/spar/pro/RoleInTime", 9),
        ("http://www.w3.org/2004/02/skos/core#Concept", 6), ("http://www.w3.org/2004/02/skos/core#ConceptScheme", 1),
        ("http://xmlns.com/foaf/0.1/Person", 4), ("https://w3id.org/kg/ns#CuratedConceptAssignment", 3),
        ("https://w3id.org/kg/ns#MachineConceptAssignment", 5), ("https://w3id.org/kg/ns#SourceRecord", 5),
        ("https://w3id.org/kg/ns#Venue", 2),
    ]),
]


@pytest.mark.parametrize("name, params, expected", FIXTURE_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(FIXTURE_CASES)])
def test_fixture_answers(fixture_store, name, params, expected):
    given = {k: full(v) if v.startswith(("id:", "kgc:")) else v for k, v in params.items()}
    assert answer(fixture_store, name, **given) == expected


def test_property_counts_on_fixture(fixture_store):
    props = {row[0]: row[1:] for row in answer(fixture_store, "property-counts")}
    assert props["http://purl.org/dc/terms/subject"] == (8, 5, 6)
    assert props["http://purl.org/spar/pro/isHeldBy"] == (7, 7, 4)
    assert list(props) == sorted(props)
    assert sum(r[0] for r in props.values()) == 210


def test_every_query_in_the_library_is_covered():
    covered = {c[0] for c in FIXTURE_CASES} | {
        "property-counts", "work-has-author", "work-export", "curation-merges",  # asserted in their own tests above
        "sources-counts", "sources-overlap", "sources-totals", "works-for-screening",  # rows in tests/test_review.py
        "curation-corrections", "curation-rows",  # asserted in tests/test_curation.py
        "site-works", "site-authorships", "site-assignments", "site-sources", "site-abstracts",  # the site's, below
        "site-concepts", "site-venues", "site-concept-pairs",
    }
    assert set(load_queries()) <= covered


# -- the site's bulk queries (kg site): the example corpus and the fixture ---------


def test_site_works_has_every_work_with_its_details(corpus_store, fixture_store):
    found = answer(corpus_store, "site-works")
    assert [row[0] for row in found] == ALL_WORKS
    assert found[3] == ("id:work/hodges-2007-0336e28305", "http://purl.org/spar/fabio/JournalArticle",
                        "Peer Support Among Consumers of Professional Mental Health Services", "2007", None, None,
                        "14", "3", "81", "92", None, None)
    assert found[5][-1] == "true" and found[0][1] == "http://purl.org/spar/fabio/Expression"
    assert answer(fixture_store, "site-works")[3] == (
        "id:work/doi/10.1108/mhsi-01-2016-0001", "http://purl.org/spar/fabio/JournalArticle", "Peer support workers in practice",
        "2016", "2016-03-01", "id:venue/issn/2042-8308", "20", "1", "1", "9", "10.1108/mhsi-01-2016-0001", None,
    )


def test_site_authorships_are_every_author_in_order(corpus_store):
    found = answer(corpus_store, "site-authorships")
    assert len(found) == 17
    assert [row[1:4] for row in found if row[0] == "id:work/puschner-2019-6f1efec9f9"][:2] == [
        (1, "Bernd Puschner", "id:person/bernd-puschner"), (2, "Julie Repper", "id:person/julie-repper"),
    ]
    assert sorted(row[0] for row in found if row[3] == "id:person/julie-repper") == [
        "id:work/conchar-2014-6fe40b3397", "id:work/puschner-2019-6f1efec9f9",
    ]


def test_site_assignments_tell_machine_from_curated(corpus_store, fixture_store):
    found = answer(corpus_store, "site-assignments")
    assert len(found) == 42 and all(row[3] == "machine" for row in found)
    assert found[0] == ("id:work/collopy-2020-ec3b0156b6", "kgc:anxiety", "anxiety", "machine", 0.85, "label-match", "anxiety", "abstract")
    assert answer(fixture_store, "site-assignments")[:3] == [
        ("id:work/author-2007-cccc", "kgc:peer-support", "peer support", "curated", 1.0, "curated", None, None),
        ("id:work/baker-2014-aaaa", "kgc:peer-support-worker", "peer support worker", "curated", 1.0, "curated", None, None),
        ("id:work/baker-2014-aaaa", "kgc:wounded-healer", "wounded healer", "machine", 0.8, "label-match", "wounded healers", "title"),
    ]


def test_site_sources_give_file_and_line(corpus_store):
    assert answer(corpus_store, "site-sources") == [
        (work, "peer-support-listing.txt", int(SOURCES[work].rsplit(":", 1)[1]), "listing") for work in ALL_WORKS
    ]


def test_site_abstracts_section_by_section_or_whole(corpus_store, fixture_store):
    found = answer(corpus_store, "site-abstracts")
    assert len(found) == 20
    assert [row[1:3] for row in found if row[0] == "id:work/collopy-2020-ec3b0156b6"] == [
        (1, "Background"), (2, "Methods"), (3, "Results"), (4, "Conclusions"),
    ]
    assert answer(fixture_store, "site-abstracts")[0] == ("id:work/author-2007-cccc", None, None, "An untitled early report.")


def test_site_concepts_and_venues(corpus_store, fixture_store):
    concepts = answer(corpus_store, "site-concepts")
    assert len({row[0] for row in concepts}) == 134
    assert concepts[0] == ("kgc:anxiety", "anxiety", "Excessive worry, fear or nervousness, from anxiety symptoms to anxiety disorders.",
                           "kgc:mental-health-conditions")
    assert answer(fixture_store, "site-venues") == [
        ("id:venue/issn/1095-158X", "Psychiatric Rehabilitation Journal", "1095-158X", None),
        ("id:venue/issn/2042-8308", "Mental Health and Social Inclusion", "2042-8308", "2042-8316"),
    ]
    assert answer(corpus_store, "site-venues") == []


def test_site_concept_pairs_most_shared_first(corpus_store):
    found = answer(corpus_store, "site-concept-pairs")
    assert found[0] == ("kgc:mental-health-services", "mental health services", "kgc:peer-support", "peer support", 3)
    assert len(found) == 155 and all(row[0] < row[2] for row in found)
    assert [row[4] for row in found] == sorted((row[4] for row in found), reverse=True)
